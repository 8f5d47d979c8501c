//! Request filters → non-scoring tantivy queries.
//!
//! ```json
//! {"genre": ["콘서트", "페스티벌"],                   // any of
//!  "city": "서울",                                     // equals
//!  "start_date": {"gte": "2025-06-01", "lt": "2025-09-01"}, // range: gt, gte, lt, lte
//!  "assignee": {"exists": true},                       // has a value (false: has none)
//!  "not": {"status": "closed"},                        // none of the inner filters
//!  "deleted": false}
//! ```
//!
//! Entries are ANDed. Filters only restrict the candidate set: the result is wrapped so
//! it contributes no score. A kind with a `soft_delete` field hides documents with it set
//! unless the filter names that field.

use std::ops::Bound;

use serde_json::{Map, Value as Json};
use tantivy::DateTime;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, ExistsQuery, Occur, Query, RangeQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{IndexRecordOption, Term};

use super::QueryError;
use crate::index::{FieldMap, IndexedField};
use crate::schema::{FieldType, KindSpec, parse_date};

/// Builds the filter query for `filter` (a JSON object), including the soft-delete rule;
/// `None` when nothing restricts the set.
pub fn build_filter(
    spec: &KindSpec,
    fields: &FieldMap,
    filter: Option<&Map<String, Json>>,
) -> Result<Option<Box<dyn Query>>, QueryError> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let empty = Map::new();
    let filter = filter.unwrap_or(&empty);
    for (name, condition) in filter {
        clauses.push((Occur::Must, clause(spec, fields, name, condition)?));
    }
    if let Some(flag) = &spec.soft_delete
        && !mentions(filter, flag)
    {
        let field = plain_field(spec, fields, flag)?;
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_bool(field, true),
                IndexRecordOption::Basic,
            )),
        ));
    }
    if clauses.is_empty() {
        return Ok(None);
    }
    if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    Ok(Some(Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::new(clauses)),
        0.0,
    ))))
}

fn mentions(filter: &Map<String, Json>, field: &str) -> bool {
    filter.iter().any(|(name, condition)| {
        name == field
            || (name == "not"
                && condition
                    .as_object()
                    .is_some_and(|inner| mentions(inner, field)))
    })
}

fn clause(
    spec: &KindSpec,
    fields: &FieldMap,
    name: &str,
    condition: &Json,
) -> Result<Box<dyn Query>, QueryError> {
    if name == "not" {
        let inner = condition
            .as_object()
            .ok_or_else(|| bad("not", "expected an object of filters".into()))?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
        for (inner_name, inner_condition) in inner {
            clauses.push((
                Occur::MustNot,
                clause(spec, fields, inner_name, inner_condition)?,
            ));
        }
        return Ok(Box::new(BooleanQuery::new(clauses)));
    }
    let field = plain_field(spec, fields, name)?;
    let ty = spec
        .field(name)
        .map(|f| f.ty)
        .expect("plain_field checked the name");
    match condition {
        Json::Array(values) => {
            let terms = values
                .iter()
                .map(|v| term(field, ty, name, v))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Box::new(TermSetQuery::new(terms)))
        }
        Json::Object(ops) if ops.contains_key("exists") => {
            let wanted = ops
                .get("exists")
                .and_then(Json::as_bool)
                .filter(|_| ops.len() == 1);
            let Some(wanted) = wanted else {
                return Err(bad(
                    name,
                    "`exists` takes true or false and no other operator".into(),
                ));
            };
            let exists: Box<dyn Query> = Box::new(ExistsQuery::new(name.to_string(), false));
            Ok(if wanted {
                exists
            } else {
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery)),
                    (Occur::MustNot, exists),
                ]))
            })
        }
        Json::Object(ops) => {
            if matches!(ty, FieldType::Keyword | FieldType::Bool) {
                return Err(bad(name, "ranges apply to numbers and dates only".into()));
            }
            let (mut lower, mut upper) = (Bound::Unbounded, Bound::Unbounded);
            for (op, value) in ops {
                let t = term(field, ty, name, value)?;
                match op.as_str() {
                    "gt" => lower = Bound::Excluded(t),
                    "gte" => lower = Bound::Included(t),
                    "lt" => upper = Bound::Excluded(t),
                    "lte" => upper = Bound::Included(t),
                    other => {
                        return Err(bad(
                            name,
                            format!("unknown operator {other:?}: use gt, gte, lt, lte, exists"),
                        ));
                    }
                }
            }
            if ops.is_empty() {
                return Err(bad(name, "an empty range".into()));
            }
            Ok(Box::new(RangeQuery::new(lower, upper)))
        }
        scalar => Ok(Box::new(TermQuery::new(
            term(field, ty, name, scalar)?,
            IndexRecordOption::Basic,
        ))),
    }
}

fn plain_field(
    spec: &KindSpec,
    fields: &FieldMap,
    name: &str,
) -> Result<tantivy::schema::Field, QueryError> {
    let index = spec
        .fields
        .iter()
        .position(|f| f.name == name)
        .ok_or_else(|| QueryError::UnknownField(name.to_string()))?;
    match fields.fields[index] {
        IndexedField::Plain(field) if spec.fields[index].filterable => Ok(field),
        _ => Err(QueryError::NotFilterable(name.to_string())),
    }
}

fn term(
    field: tantivy::schema::Field,
    ty: FieldType,
    name: &str,
    value: &Json,
) -> Result<Term, QueryError> {
    let wrong = |what: &str| bad(name, format!("expected {what}, found {value}"));
    Ok(match ty {
        FieldType::Keyword => {
            Term::from_field_text(field, value.as_str().ok_or_else(|| wrong("a string"))?)
        }
        FieldType::Integer => {
            Term::from_field_i64(field, value.as_i64().ok_or_else(|| wrong("an integer"))?)
        }
        FieldType::Float => {
            Term::from_field_f64(field, value.as_f64().ok_or_else(|| wrong("a number"))?)
        }
        FieldType::Bool => Term::from_field_bool(
            field,
            value.as_bool().ok_or_else(|| wrong("true or false"))?,
        ),
        FieldType::Date => {
            let s = value.as_str().ok_or_else(|| wrong("a date string"))?;
            let t = parse_date(s).map_err(|reason| bad(name, reason))?;
            Term::from_field_date(field, DateTime::from_timestamp_secs(t.unix_timestamp()))
        }
        FieldType::Text => return Err(QueryError::NotFilterable(name.to_string())),
    })
}

fn bad(field: &str, reason: String) -> QueryError {
    QueryError::BadFilter {
        field: field.to_string(),
        reason,
    }
}
