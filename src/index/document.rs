//! The document the indexing threads hand to tantivy's writer.
//!
//! tantivy's own `TantivyDocument` stores a pre-tokenized value serialized as JSON, so
//! every analysed text was written to JSON by the analysing thread and parsed back by
//! the writer thread: about a tenth of the indexing CPU. [`IndexDocument`] instead holds
//! the analysed forms as they came from the memo, packed, and gives tantivy the packed
//! text, which the field's tokenizer reads back without analysing it again (see
//! `analysis::PackedTokens`: handing tantivy its own pre-tokenized strings made it copy
//! every token twice on the writer threads).

use std::iter::Empty;
use std::sync::Arc;

use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::{Field, Value};
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
                Form::Main => ReferenceValueLeaf::Str(forms.main.as_str()),
                Form::Jamo => ReferenceValueLeaf::Str(forms.jamo.as_str()),
                Form::Chosung => ReferenceValueLeaf::Str(forms.chosung.as_str()),
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

#[cfg(test)]
mod tests {
    use tantivy::index::SegmentComponent;
    use tantivy::schema::OwnedValue;
    use tantivy::tokenizer::PreTokenizedString;
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;
    use crate::analysis::{Analyzer, AnalyzerConfig, register_tokenizers, unpack};
    use crate::demo;
    use crate::index::{AnalysisMemo, FieldMap};
    use crate::schema::KindSpec;

    /// The segment files of `docs` indexed by one writer thread, by component.
    fn segment_files<D: Document>(
        schema: &tantivy::schema::Schema,
        analyzer: &Arc<Analyzer>,
        docs: Vec<D>,
    ) -> Vec<Vec<u8>> {
        let index = Index::create_in_ram(schema.clone());
        register_tokenizers(index.tokenizers(), analyzer.clone());
        let mut writer: IndexWriter<D> = index.writer_with_num_threads(1, 50_000_000).unwrap();
        for doc in docs {
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let segments = index.searchable_segments().unwrap();
        assert_eq!(segments.len(), 1);
        [
            SegmentComponent::Postings,
            SegmentComponent::Positions,
            SegmentComponent::Terms,
            SegmentComponent::FieldNorms,
            SegmentComponent::FastFields,
            SegmentComponent::Store,
        ]
        .into_iter()
        .map(|c| {
            segments[0]
                .open_read(c)
                .unwrap()
                .read_bytes()
                .unwrap()
                .as_slice()
                .to_vec()
        })
        .collect()
    }

    /// The same documents written as tantivy's own `TantivyDocument` (their analysed forms
    /// as tantivy's pre-tokenized strings) and as `IndexDocument` (packed forms read back
    /// by the fields' tokenizers) give byte-identical segments.
    #[test]
    fn index_documents_write_the_segments_tantivy_documents_do() {
        let analyzer = Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap());
        for kind in ["concerts", "tickets"] {
            let spec = KindSpec::builtin(kind).unwrap();
            let fields = FieldMap::new(&spec);
            let memo = AnalysisMemo::default();
            let docs: Vec<serde_json::Value> = match kind {
                "concerts" => demo::concerts(3)
                    .take(400)
                    .map(|c| c.to_document())
                    .collect(),
                _ => demo::tickets(3)
                    .take(400)
                    .map(|t| t.to_document())
                    .collect(),
            };
            let ours: Vec<IndexDocument> = docs
                .iter()
                .map(|d| fields.document(&spec.validate(d).unwrap(), &analyzer, &memo))
                .collect();
            let mut packed_values = 0;
            let theirs: Vec<TantivyDocument> = ours
                .iter()
                .cloned()
                .map(|doc| {
                    let mut out = TantivyDocument::default();
                    for (field, value) in doc.into_tantivy_document().field_values() {
                        let value = match OwnedValue::from(value) {
                            OwnedValue::Str(text) => match unpack(&text) {
                                Some(tokens) => {
                                    packed_values += 1;
                                    OwnedValue::PreTokStr(PreTokenizedString {
                                        text: String::new(),
                                        tokens,
                                    })
                                }
                                None => OwnedValue::Str(text),
                            },
                            other => other,
                        };
                        out.add_field_value(field, &value);
                    }
                    out
                })
                .collect();
            assert!(packed_values > 3 * 400, "{kind}: forms were packed");
            let a = segment_files(&fields.schema, &analyzer, ours);
            let b = segment_files(&fields.schema, &analyzer, theirs);
            for (component, (a, b)) in a.iter().zip(&b).enumerate() {
                assert!(
                    !a.is_empty() || component == 1,
                    "{kind}: component {component}"
                );
                assert!(a == b, "{kind}: component {component} differs");
            }
        }
    }
}
