//! The document the indexing threads hand to tantivy's writer.
//!
//! tantivy's own `TantivyDocument` stores a pre-tokenized value serialized as JSON, so
//! every analysed text was written to JSON by the analysing thread and parsed back by
//! the writer thread: about a tenth of the indexing CPU. [`IndexDocument`] instead holds
//! the analysed forms as they came from the memo and gives tantivy their tokens
//! directly.

use std::iter::Empty;
use std::sync::Arc;

use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::{Field, Value};
use tantivy::tokenizer::PreTokenizedString;
use tantivy::{DateTime, Document};

use super::memo::ValueForms;

/// A document prepared for indexing: field values in the order they were added.
#[derive(Debug, Default, Clone)]
pub struct IndexDocument {
    values: Vec<(Field, FieldValue)>,
}

/// Which analysed form of a text value a field indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    Main,
    Jamo,
    Chosung,
    Whole,
    /// The word start at this index of [`ValueForms::starts`].
    Start(usize),
}

/// One field value of an [`IndexDocument`].
#[derive(Debug, Clone)]
pub struct FieldValue(IndexValue);

#[derive(Debug, Clone)]
pub(super) enum IndexValue {
    Str(String),
    Forms(Arc<ValueForms>, Form),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
    Date(DateTime),
}

impl IndexDocument {
    pub(super) fn push(&mut self, field: Field, value: IndexValue) {
        self.values.push((field, FieldValue(value)));
    }
}

impl Document for IndexDocument {
    type Value<'a> = &'a FieldValue;
    type FieldsValuesIter<'a> = std::iter::Map<
        std::slice::Iter<'a, (Field, FieldValue)>,
        fn(&'a (Field, FieldValue)) -> (Field, &'a FieldValue),
    >;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.values.iter().map(|(field, value)| (*field, value))
    }
}

impl<'a> Value<'a> for &'a FieldValue {
    type ArrayIter = Empty<Self>;
    type ObjectIter = Empty<(&'a str, Self)>;

    fn as_value(&self) -> ReferenceValue<'a, Self> {
        let leaf = match &self.0 {
            IndexValue::Str(text) => ReferenceValueLeaf::Str(text.as_str()),
            IndexValue::Forms(forms, form) => match *form {
                Form::Main => tokens(&forms.main),
                Form::Jamo => tokens(&forms.jamo),
                Form::Chosung => tokens(&forms.chosung),
                Form::Whole => ReferenceValueLeaf::Str(forms.whole.as_deref().unwrap_or("")),
                Form::Start(i) => ReferenceValueLeaf::Str(&forms.starts[i]),
            },
            IndexValue::I64(n) => ReferenceValueLeaf::I64(*n),
            IndexValue::U64(n) => ReferenceValueLeaf::U64(*n),
            IndexValue::F64(n) => ReferenceValueLeaf::F64(*n),
            IndexValue::Bool(b) => ReferenceValueLeaf::Bool(*b),
            IndexValue::Date(t) => ReferenceValueLeaf::Date(*t),
        };
        ReferenceValue::Leaf(leaf)
    }
}

fn tokens<'a>(tokens: &[tantivy::tokenizer::Token]) -> ReferenceValueLeaf<'a> {
    ReferenceValueLeaf::PreTokStr(Box::new(PreTokenizedString {
        text: String::new(),
        tokens: tokens.to_vec(),
    }))
}
