//! Document kinds defined as data: a kind's schema spec (TOML) lists its fields, their
//! types and how each is indexed. `concerts` and `tickets` ship built in
//! (`src/schema/specs/`); a third kind needs only a spec file.
//!
//! ```toml
//! name = "concerts"
//! id = "integer"            # or "string"; the primary key, stored as a keyword
//! soft_delete = "deleted"   # optional bool field hiding documents by default
//!
//! [[fields]]
//! name = "title"
//! type = "text"             # text | keyword | integer | float | date | bool
//! boost = 2.0               # text only: default weight in searches (1.0)
//! list = false              # accepts an array of values
//! required = false
//! stored = true             # returned in hits
//! filterable = false        # non-text types: usable in filters
//! sortable = false
//! aggregatable = false
//! values = ["a", "b"]       # keyword only: the allowed values
//! min = 1                   # integer/float only: bounds
//! max = 4
//! max_length = 100000       # text/keyword only: longest accepted value in bytes
//! whole_value = true        # text only: also match the whole value (names; see below)
//! initials = true           # text only: also match its initial consonants ("ㅇㅇㅇ")
//! searchable = false        # keyword only: query words equal to a value match it
//! ```
//!
//! `whole_value` indexes each value of up to 64 characters once more as a whole — spaces
//! and punctuation removed, in jamo, with its initials and its forms from every later
//! word — so "예술의전ㄷ", "지킬앤하이드" and "ㅈㅋㅇㅎㅇㄷ" find 지킬 앤 하이드 and 예술의
//! 전당. It is on by default; the built-in specs turn it off for prose (`description`,
//! `body`).
//!
//! `initials` indexes the initial consonants of each word (and, with `whole_value`, of
//! the whole value and of each later word start), so "ㅇㅇㅇ" finds 아이유. It is on by
//! default; the built-in specs turn it off for prose too: initials name a title, an
//! artist or a venue, and in prose they mostly match unrelated words ("ㄱㅇ" is 공연, 가을,
//! 관염 …). Off, the field indexes about a third fewer tokens.

mod validate;
mod zone;

use serde::{Deserialize, Serialize};

pub use validate::{FieldError, ValidDocument, Value, parse_date};
pub use zone::{DateValue, Zone};

/// Default longest accepted text value (bytes): larger values are almost always an
/// upstream bug (a whole file in a column), and would make one document dominate analysis.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 100_000;

/// Errors of the schema layer.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The spec is not valid TOML or misses required keys.
    #[error("schema spec {source_name}: {message}")]
    Parse {
        /// Where the spec came from.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// No built-in kind of that name.
    #[error("unknown kind {0:?}: built-in kinds are concerts and tickets")]
    UnknownKind(String),
}

/// Type of a field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// Korean-analyzed full text.
    Text,
    /// An exact string (term filters, facets).
    Keyword,
    /// A signed 64-bit integer.
    Integer,
    /// A 64-bit float.
    Float,
    /// A date (`YYYY-MM-DD`) or timestamp (RFC 3339).
    Date,
    /// `true` / `false`.
    Bool,
}

/// Type of a kind's primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdType {
    /// Non-negative integer ids.
    Integer,
    /// Non-empty string ids.
    String,
}

/// One field of a kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Field name, as in the documents.
    pub name: String,
    /// Value type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Default search weight (text fields).
    #[serde(default = "one")]
    pub boost: f32,
    /// Whether the field holds a list of values.
    #[serde(default)]
    pub list: bool,
    /// Whether documents must have it.
    #[serde(default)]
    pub required: bool,
    /// Whether hits return it.
    #[serde(default = "yes")]
    pub stored: bool,
    /// Usable in filters (non-text fields).
    #[serde(default)]
    pub filterable: bool,
    /// Usable as a sort key.
    #[serde(default)]
    pub sortable: bool,
    /// Usable in aggregations.
    #[serde(default)]
    pub aggregatable: bool,
    /// Allowed values (keyword fields).
    #[serde(default)]
    pub values: Option<Vec<String>>,
    /// Lower bound (number fields).
    #[serde(default)]
    pub min: Option<f64>,
    /// Upper bound (number fields).
    #[serde(default)]
    pub max: Option<f64>,
    /// Longest accepted value in bytes (text and keyword fields).
    #[serde(default)]
    pub max_length: Option<usize>,
    /// Text fields: also index each value as a whole (spaces and punctuation removed,
    /// jamo and initials), so a query matches a whole name whatever its spacing, typos or
    /// unfinished last syllable. Default true; values over 64 characters are skipped, so
    /// turn it off only for long prose to save the (small) index space.
    #[serde(default = "yes")]
    pub whole_value: bool,
    /// Text fields: also index the initial consonants of each word, of the whole value
    /// and of each later word start ("ㅇㅇㅇ" queries). Default true; the built-in specs
    /// turn it off for prose.
    #[serde(default = "yes")]
    pub initials: bool,
    /// Keyword fields: query words equal to a value match it (a genre, a city, a
    /// category), as if the value were in the text. Default false.
    #[serde(default)]
    pub searchable: bool,
}

fn one() -> f32 {
    1.0
}

fn yes() -> bool {
    true
}

/// A document kind: its id type and fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindSpec {
    /// Kind name (`concerts`); also the default alias of its index.
    pub name: String,
    /// Primary key type.
    pub id: IdType,
    /// A bool field that hides documents from searches by default.
    #[serde(default)]
    pub soft_delete: Option<String>,
    /// The fields, in display order.
    pub fields: Vec<FieldSpec>,
}

impl KindSpec {
    /// Parses and checks a TOML spec; `source_name` names it in errors.
    pub fn from_toml(text: &str, source_name: &str) -> Result<Self, SchemaError> {
        let parse_error = |message: String| SchemaError::Parse {
            source_name: source_name.to_string(),
            message,
        };
        let spec: KindSpec = toml::from_str(text).map_err(|e| parse_error(e.to_string()))?;
        spec.check().map_err(parse_error)?;
        Ok(spec)
    }

    /// A built-in kind: `concerts` or `tickets`.
    pub fn builtin(name: &str) -> Result<Self, SchemaError> {
        let text = match name {
            "concerts" => include_str!("specs/concerts.toml"),
            "tickets" => include_str!("specs/tickets.toml"),
            other => return Err(SchemaError::UnknownKind(other.to_string())),
        };
        Self::from_toml(text, &format!("built-in {name}"))
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The text fields with their default boosts.
    pub fn text_fields(&self) -> impl Iterator<Item = &FieldSpec> {
        self.fields.iter().filter(|f| f.ty == FieldType::Text)
    }

    fn check(&self) -> Result<(), String> {
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "kind name {:?} must be ASCII letters, digits, '_' or '-'",
                self.name
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for f in &self.fields {
            if f.name == "id" || f.name.is_empty() || f.name.contains('.') {
                return Err(format!("field name {:?} is reserved or invalid", f.name));
            }
            if !seen.insert(f.name.as_str()) {
                return Err(format!("field {:?} is defined twice", f.name));
            }
            if f.ty == FieldType::Text && (f.filterable || f.sortable || f.aggregatable) {
                return Err(format!(
                    "text field {:?} cannot be filterable, sortable or aggregatable; add a keyword field",
                    f.name
                ));
            }
            if !(f.boost.is_finite() && f.boost > 0.0) {
                return Err(format!(
                    "field {:?}: boost must be a positive number",
                    f.name
                ));
            }
            if f.searchable && f.ty != FieldType::Keyword {
                return Err(format!(
                    "field {:?}: `searchable` is for keyword fields (text fields are always searched)",
                    f.name
                ));
            }
            if f.values.is_some() && f.ty != FieldType::Keyword {
                return Err(format!(
                    "field {:?}: `values` is for keyword fields",
                    f.name
                ));
            }
            if (f.min.is_some() || f.max.is_some())
                && !matches!(f.ty, FieldType::Integer | FieldType::Float)
            {
                return Err(format!(
                    "field {:?}: `min`/`max` are for number fields",
                    f.name
                ));
            }
            if f.list && (f.sortable || f.ty == FieldType::Bool) {
                return Err(format!(
                    "field {:?}: list fields cannot be sortable or bool",
                    f.name
                ));
            }
        }
        if let Some(flag) = &self.soft_delete {
            match self.field(flag) {
                Some(f) if f.ty == FieldType::Bool && f.filterable => {}
                _ => {
                    return Err(format!(
                        "soft_delete {flag:?} must name a filterable bool field"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_kinds_parse_with_the_documented_defaults() {
        let concerts = KindSpec::builtin("concerts").unwrap();
        assert_eq!(concerts.id, IdType::Integer);
        assert_eq!(concerts.soft_delete.as_deref(), Some("deleted"));
        assert_eq!(concerts.field("title").unwrap().boost, 2.0);
        assert!(concerts.field("artists").unwrap().list);
        assert!(concerts.field("description").unwrap().boost < 1.0);
        let names: Vec<&str> = concerts.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "title",
                "artists",
                "venue",
                "city",
                "genre",
                "description",
                "start_date",
                "end_date",
                "price_min",
                "price_max",
                "deleted"
            ]
        );
        let tickets = KindSpec::builtin("tickets").unwrap();
        assert_eq!(
            tickets
                .field("status")
                .unwrap()
                .values
                .as_ref()
                .unwrap()
                .len(),
            4
        );
        assert_eq!(tickets.field("priority").unwrap().max, Some(4.0));
        assert!(matches!(
            KindSpec::builtin("movies"),
            Err(SchemaError::UnknownKind(_))
        ));
    }

    #[test]
    fn a_third_kind_needs_only_a_spec() {
        let spec = "name = \"venues\"\nid = \"string\"\n[[fields]]\nname = \"name\"\ntype = \"text\"\n[[fields]]\nname = \"seats\"\ntype = \"integer\"\nsortable = true\n";
        let venues = KindSpec::from_toml(spec, "venues.toml").unwrap();
        assert_eq!(venues.id, IdType::String);
        assert_eq!(venues.text_fields().count(), 1);
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        let cases = [
            (
                "name = \"x\"\nid = \"integer\"\n[[fields]]\nname = \"t\"\ntype = \"text\"\nfilterable = true\n",
                "cannot be filterable",
            ),
            (
                "name = \"x\"\nid = \"integer\"\n[[fields]]\nname = \"t\"\ntype = \"strng\"\n",
                "unknown variant",
            ),
            (
                "name = \"x\"\nid = \"integer\"\nsoft_delete = \"gone\"\nfields = []\n",
                "soft_delete",
            ),
            (
                "name = \"x\"\nid = \"integer\"\n[[fields]]\nname = \"a\"\ntype = \"bool\"\n[[fields]]\nname = \"a\"\ntype = \"bool\"\n",
                "defined twice",
            ),
            (
                "name = \"x\"\nid = \"integer\"\n[[fields]]\nname = \"id\"\ntype = \"keyword\"\n",
                "reserved",
            ),
        ];
        for (spec, expected) in cases {
            let err = KindSpec::from_toml(spec, "bad.toml")
                .unwrap_err()
                .to_string();
            assert!(err.contains("bad.toml") && err.contains(expected), "{err}");
        }
    }
}
