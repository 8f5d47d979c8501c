//! JSON document validation against a [`KindSpec`]: every problem is reported with the
//! field it concerns, so a bad row or request line says exactly what to fix.

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::{DEFAULT_MAX_TEXT_BYTES, FieldSpec, FieldType, IdType, KindSpec};

/// Longest accepted keyword or string id, in bytes.
const MAX_KEYWORD_BYTES: usize = 1_000;

/// A problem with one field of a document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field (`id` for the primary key, empty for the document as a whole).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.reason)
        } else {
            write!(f, "{}: {}", self.field, self.reason)
        }
    }
}

/// A checked field value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text to analyze.
    Text(String),
    /// An exact string.
    Keyword(String),
    /// An integer.
    Integer(i64),
    /// A float.
    Float(f64),
    /// A UTC timestamp (dates are midnight UTC).
    Date(OffsetDateTime),
    /// A boolean.
    Bool(bool),
}

/// A document that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDocument {
    /// The primary key as a string (integer ids in decimal).
    pub id: String,
    /// Values per field, in spec order; absent fields have no entry.
    pub values: Vec<(usize, Vec<Value>)>,
}

impl KindSpec {
    /// Checks a JSON document; on failure returns every problem found.
    pub fn validate(&self, doc: &serde_json::Value) -> Result<ValidDocument, Vec<FieldError>> {
        let mut errors = Vec::new();
        let err = |field: &str, reason: String| FieldError {
            field: field.to_string(),
            reason,
        };
        let Some(object) = doc.as_object() else {
            return Err(vec![err(
                "",
                format!("a document must be a JSON object, found {}", kind_of(doc)),
            )]);
        };
        let id = match (self.id, object.get("id")) {
            (_, None | Some(serde_json::Value::Null)) => {
                errors.push(err("id", "required".into()));
                None
            }
            (IdType::Integer, Some(v)) => match v.as_u64() {
                Some(n) => Some(n.to_string()),
                None => {
                    errors.push(err(
                        "id",
                        format!("expected a non-negative integer, found {}", kind_of(v)),
                    ));
                    None
                }
            },
            (IdType::String, Some(v)) => match v.as_str() {
                Some(s) if !s.is_empty() && s.len() <= MAX_KEYWORD_BYTES => Some(s.to_string()),
                Some(_) => {
                    errors.push(err("id", format!("must be 1 to {MAX_KEYWORD_BYTES} bytes")));
                    None
                }
                None => {
                    errors.push(err(
                        "id",
                        format!("expected a string, found {}", kind_of(v)),
                    ));
                    None
                }
            },
        };
        for key in object.keys() {
            if key != "id" && self.field(key).is_none() {
                errors.push(err(
                    key,
                    format!(
                        "unknown field (kind {} has: {})",
                        self.name,
                        self.field_list()
                    ),
                ));
            }
        }
        let mut values = Vec::new();
        for (index, spec) in self.fields.iter().enumerate() {
            let raw = match object.get(&spec.name) {
                None | Some(serde_json::Value::Null) => {
                    if spec.required {
                        errors.push(err(&spec.name, "required".into()));
                    }
                    continue;
                }
                Some(raw) => raw,
            };
            let items: Vec<&serde_json::Value> = match raw {
                serde_json::Value::Array(items) if spec.list => items.iter().collect(),
                serde_json::Value::Array(_) => {
                    errors.push(err(
                        &spec.name,
                        "expected a single value, found an array".into(),
                    ));
                    continue;
                }
                one => vec![one],
            };
            let mut checked = Vec::with_capacity(items.len());
            for item in items {
                match check_value(spec, item) {
                    Ok(value) => checked.push(value),
                    Err(reason) => errors.push(err(&spec.name, reason)),
                }
            }
            if !checked.is_empty() {
                values.push((index, checked));
            }
        }
        match (id, errors.is_empty()) {
            (Some(id), true) => Ok(ValidDocument { id, values }),
            _ => Err(errors),
        }
    }

    fn field_list(&self) -> String {
        let names: Vec<&str> = std::iter::once("id")
            .chain(self.fields.iter().map(|f| f.name.as_str()))
            .collect();
        names.join(", ")
    }
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(n) if n.is_f64() => "a decimal number",
        serde_json::Value::Number(n) if n.as_i64().is_some_and(|n| n < 0) => "a negative number",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

fn check_value(spec: &FieldSpec, value: &serde_json::Value) -> Result<Value, String> {
    let expected = |what: &str| format!("expected {what}, found {}", kind_of(value));
    match spec.ty {
        FieldType::Text | FieldType::Keyword => {
            let s = value.as_str().ok_or_else(|| expected("a string"))?;
            let limit = spec.max_length.unwrap_or(if spec.ty == FieldType::Text {
                DEFAULT_MAX_TEXT_BYTES
            } else {
                MAX_KEYWORD_BYTES
            });
            if s.len() > limit {
                return Err(format!(
                    "{} bytes is longer than the limit of {limit}",
                    s.len()
                ));
            }
            if spec.ty == FieldType::Text {
                return Ok(Value::Text(s.to_string()));
            }
            if let Some(allowed) = &spec.values
                && !allowed.iter().any(|a| a == s)
            {
                return Err(format!("{s:?} is not one of {}", allowed.join(", ")));
            }
            Ok(Value::Keyword(s.to_string()))
        }
        FieldType::Integer => {
            let n = value.as_i64().ok_or_else(|| expected("an integer"))?;
            check_bounds(spec, n as f64)?;
            Ok(Value::Integer(n))
        }
        FieldType::Float => {
            let n = value
                .as_f64()
                .filter(|n| n.is_finite())
                .ok_or_else(|| expected("a number"))?;
            check_bounds(spec, n)?;
            Ok(Value::Float(n))
        }
        FieldType::Date => {
            let s = value.as_str().ok_or_else(|| expected("a date string"))?;
            parse_date(s).map(Value::Date)
        }
        FieldType::Bool => value
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| expected("true or false")),
    }
}

fn check_bounds(spec: &FieldSpec, n: f64) -> Result<(), String> {
    if let Some(min) = spec.min.filter(|&min| n < min) {
        return Err(format!("{n} is below the minimum {min}"));
    }
    if let Some(max) = spec.max.filter(|&max| n > max) {
        return Err(format!("{n} is above the maximum {max}"));
    }
    Ok(())
}

/// Parses `YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp.
pub fn parse_date(s: &str) -> Result<OffsetDateTime, String> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    Date::parse(s, format_description!("[year]-[month]-[day]"))
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD) or RFC 3339 timestamp"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn concerts() -> KindSpec {
        KindSpec::builtin("concerts").unwrap()
    }

    #[test]
    fn a_good_concert_validates() {
        let doc = json!({"id": 7, "title": "2025 여름 공연", "artists": ["아이유", "IU"], "genre": "콘서트",
            "start_date": "2025-07-01", "end_date": "2025-07-03T20:00:00+09:00", "price_min": 55000, "deleted": false});
        let valid = concerts().validate(&doc).unwrap();
        assert_eq!(valid.id, "7");
        let artists = &valid.values.iter().find(|(i, _)| *i == 1).unwrap().1;
        assert_eq!(artists.len(), 2);
        let end = &valid.values.iter().find(|(i, _)| *i == 7).unwrap().1[0];
        assert_eq!(
            *end,
            Value::Date(time::macros::datetime!(2025-07-03 11:00 UTC))
        );
    }

    #[test]
    fn every_problem_names_its_field() {
        let doc = json!({"id": -1, "artists": "한 명", "genre": 3, "start_date": "2025-13-01",
            "price_min": 1.5, "deleted": "no", "colour": "red", "title": ["a"]});
        let errors = concerts().validate(&doc).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in [
            "id",
            "genre",
            "start_date",
            "price_min",
            "deleted",
            "colour",
            "title",
        ] {
            assert!(fields.contains(&field), "{field} missing from {errors:?}");
        }
        assert!(
            !fields.contains(&"artists"),
            "a single value is fine for a list field"
        );
        let colour = errors.iter().find(|e| e.field == "colour").unwrap();
        assert!(colour.reason.starts_with("unknown field"), "{colour}");
        assert_eq!(
            errors.iter().find(|e| e.field == "id").unwrap().reason,
            "expected a non-negative integer, found a negative number"
        );
    }

    #[test]
    fn required_values_and_bounds_are_enforced() {
        let tickets = KindSpec::builtin("tickets").unwrap();
        let errors = tickets
            .validate(&json!({"id": 1, "status": "lost", "priority": 9}))
            .unwrap_err();
        let reasons: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            reasons.contains(&"subject: required".to_string()),
            "{reasons:?}"
        );
        assert!(
            reasons
                .iter()
                .any(|r| r.starts_with("status: \"lost\" is not one of open")),
            "{reasons:?}"
        );
        assert!(
            reasons.contains(&"priority: 9 is above the maximum 4".to_string()),
            "{reasons:?}"
        );
        assert!(
            tickets.validate(&json!([1, 2])).unwrap_err()[0]
                .reason
                .contains("JSON object")
        );
        let long = "가".repeat(DEFAULT_MAX_TEXT_BYTES);
        let errors = tickets
            .validate(&json!({"id": 2, "subject": long}))
            .unwrap_err();
        assert!(
            errors[0].reason.contains("longer than the limit"),
            "{errors:?}"
        );
    }

    #[test]
    fn generated_demo_documents_validate() {
        let (concerts, tickets) = (concerts(), KindSpec::builtin("tickets").unwrap());
        for c in crate::demo::concerts(7).take(2_000) {
            let doc = serde_json::to_value(&c).unwrap();
            concerts
                .validate(&doc)
                .unwrap_or_else(|e| panic!("{doc}: {e:?}"));
        }
        for t in crate::demo::tickets(7).take(2_000) {
            let doc = serde_json::to_value(&t).unwrap();
            tickets
                .validate(&doc)
                .unwrap_or_else(|e| panic!("{doc}: {e:?}"));
        }
    }

    #[test]
    fn dates_accept_days_and_timestamps_only() {
        assert_eq!(
            parse_date("2024-02-29").unwrap(),
            time::macros::datetime!(2024-02-29 0:00 UTC)
        );
        assert!(parse_date("2025-02-29").is_err());
        assert!(parse_date("2025-06-01T09:30:00Z").is_ok());
        assert!(parse_date("June 1").unwrap_err().contains("not a date"));
    }
}
