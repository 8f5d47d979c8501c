//! One source row → the kind's JSON document (see the SELECT contract in the module
//! docs of [`crate::source`]).

use serde_json::{Map, Value as Json};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Column, Row, TypeInfo, ValueRef};

use crate::catalog::RowError;
use crate::schema::{FieldType, KindSpec};

/// A decoded source row: its id and its document, or why it cannot be read.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// The primary key as text (`""` when even that could not be read).
    pub id: String,
    /// The JSON document for validation, or the column that could not be read.
    pub doc: Result<Json, RowError>,
}

/// Decodes `row` into `spec`'s JSON document: the `id` column and one column per field.
pub fn decode_row(spec: &KindSpec, row: &AnyRow) -> SourceRow {
    let id = match cell(row, "id") {
        Ok(Json::Number(n)) => n.to_string(),
        Ok(Json::String(s)) => s,
        Ok(other) => {
            return bad(
                String::new(),
                "id",
                format!("expected an integer or text id, found {other}"),
            );
        }
        Err(reason) => return bad(String::new(), "id", reason),
    };
    let mut doc = Map::with_capacity(spec.fields.len() + 1);
    doc.insert(
        "id".into(),
        match id.parse::<u64>() {
            Ok(n) if spec.id == crate::schema::IdType::Integer => Json::from(n),
            _ => Json::String(id.clone()),
        },
    );
    for f in &spec.fields {
        let value = match cell(row, &f.name) {
            Ok(v) => v,
            Err(reason) => return bad(id, &f.name, reason),
        };
        let value = match (f.ty, f.list, value) {
            (_, _, Json::Null) => continue,
            // SQLite has no boolean type: 0/1.
            (FieldType::Bool, _, Json::Number(n)) if n.as_i64() == Some(0) => Json::Bool(false),
            (FieldType::Bool, _, Json::Number(n)) if n.as_i64() == Some(1) => Json::Bool(true),
            (_, true, Json::String(s)) if s.trim_start().starts_with('[') => {
                match serde_json::from_str::<Json>(&s) {
                    Ok(list) => list,
                    Err(e) => return bad(id, &f.name, format!("not a JSON array: {e}")),
                }
            }
            (_, _, v) => v,
        };
        doc.insert(f.name.clone(), value);
    }
    SourceRow {
        id,
        doc: Ok(Json::Object(doc)),
    }
}

fn bad(id: String, field: &str, reason: String) -> SourceRow {
    SourceRow {
        id: id.clone(),
        doc: Err(RowError {
            row_id: id,
            field: field.to_string(),
            reason,
        }),
    }
}

/// One column as JSON; a missing column reads as NULL.
fn cell(row: &AnyRow, name: &str) -> Result<Json, String> {
    let Some(column) = row.columns().iter().find(|c| c.name() == name) else {
        return Ok(Json::Null);
    };
    let index = column.ordinal();
    let raw = row.try_get_raw(index).map_err(|e| e.to_string())?;
    if raw.is_null() {
        return Ok(Json::Null);
    }
    let kind = raw.type_info().kind();
    let read = |e: sqlx::Error| format!("unreadable {} value: {e}", raw_name(kind));
    Ok(match kind {
        AnyTypeInfoKind::Null => Json::Null,
        AnyTypeInfoKind::Bool => Json::Bool(row.try_get::<bool, _>(index).map_err(read)?),
        AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
            Json::from(row.try_get::<i64, _>(index).map_err(read)?)
        }
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => {
            let n = row.try_get::<f64, _>(index).map_err(read)?;
            serde_json::Number::from_f64(n)
                .map(Json::Number)
                .ok_or_else(|| format!("{n} is not a finite number"))?
        }
        AnyTypeInfoKind::Text => Json::String(row.try_get::<String, _>(index).map_err(read)?),
        AnyTypeInfoKind::Blob => {
            return Err(format!(
                "binary column ({}); select it as text",
                raw.type_info().name()
            ));
        }
    })
}

fn raw_name(kind: AnyTypeInfoKind) -> &'static str {
    match kind {
        AnyTypeInfoKind::Bool => "boolean",
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => "float",
        AnyTypeInfoKind::Text => "text",
        AnyTypeInfoKind::Blob => "binary",
        _ => "integer",
    }
}
