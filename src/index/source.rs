//! A stored document back to JSON: the id and every stored field.

use serde_json::{Map, Value as Json};
use tantivy::TantivyDocument;
use tantivy::schema::{Field, Value as _};
use time::format_description::well_known::Rfc3339;

use super::{IndexedField, KindIndex};
use crate::schema::FieldType;

impl KindIndex {
    /// The document's id (a number for integer-id kinds) and stored fields as JSON.
    pub fn source(&self, doc: &TantivyDocument) -> (Json, Map<String, Json>) {
        let (spec, fields) = (self.spec(), self.fields());
        let id_text = doc
            .get_first(fields.id)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let id = match (fields.integer_ids, id_text.parse::<u64>()) {
            (true, Ok(n)) => Json::from(n),
            _ => Json::from(id_text),
        };
        let mut source = Map::new();
        for (i, f) in spec.fields.iter().enumerate() {
            if !f.stored {
                continue;
            }
            let field: Field = match fields.fields[i] {
                IndexedField::Text { stored, .. } => stored,
                IndexedField::Plain(field) => field,
            };
            let values: Vec<Json> = doc
                .get_all(field)
                .filter_map(|v| {
                    Some(match f.ty {
                        FieldType::Text | FieldType::Keyword => Json::from(v.as_str()?),
                        FieldType::Integer => Json::from(v.as_i64()?),
                        FieldType::Float => Json::from(v.as_f64()?),
                        FieldType::Bool => Json::from(v.as_bool()?),
                        FieldType::Date => {
                            Json::from(v.as_datetime()?.into_utc().format(&Rfc3339).ok()?)
                        }
                    })
                })
                .collect();
            if values.is_empty() {
                continue;
            }
            source.insert(
                f.name.clone(),
                if f.list {
                    Json::Array(values)
                } else {
                    values.into_iter().next().unwrap_or(Json::Null)
                },
            );
        }
        (id, source)
    }
}
