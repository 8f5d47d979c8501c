//! A kind's spec mapped onto a tantivy schema.
//!
//! Text fields are indexed three times: `name` with the Korean analyzer (positions, for
//! phrases and highlights), `name__jamo` in jamo form (typo tolerance: one wrong vowel is
//! one edit) and, unless the spec turns `initials` off, `name__chosung` in
//! initial-consonant form ("ㅇㅇㅇ" queries). A field
//! with `whole_value` also gets `name__whole`, the whole value as one jamo term (see
//! `analysis::whole_form`), its whole form and initials from every later word start in
//! `name__starts` (`analysis::word_start_forms`, `word_start_initials`) and its initials in
//! `name__chosung`, for values of up to 64 characters. The forms live in fields of their own so that typo and prefix walks of
//! ordinary terms never meet them. All three
//! come from one analysis of the text, handed to tantivy pre-tokenized (analysis is the
//! cost of indexing; running it once per form tripled it), so the original text is kept
//! in a fourth, stored-only field `name__stored` (a stored pre-tokenized value would
//! carry its tokens into the document store). Every other
//! type is an indexed fast field, so filters, sorts and aggregations never read stored
//! text. The primary key is the keyword field `id`; [`TIEBREAK_FIELD`] is a numeric copy
//! of it that orders equal-scoring hits the same way on every page.

use tantivy::DateTime;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, NumericOptions,
    STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::document::{Form, IndexDocument, IndexValue};
use super::memo::{AnalysisMemo, FormsOf};
use crate::analysis::{Analyzer, KO, KO_CHOSUNG, KO_JAMO, WHOLE_VALUE_MAX_CHARS};
use sha2::{Digest, Sha256};

use crate::schema::{FieldType, IdType, KindSpec, ValidDocument, Value};

/// Fast field holding each document's tiebreak key: the id itself for integer ids, the
/// first 8 bytes of the id's SHA-256 for string ids (a collision needs ~4 billion
/// documents to become likely, and would only make two tied hits' order arbitrary).
pub const TIEBREAK_FIELD: &str = "__key";

/// Suffix of a text field's jamo-form companion.
pub const JAMO_SUFFIX: &str = "__jamo";
/// Suffix of a text field's initial-consonant companion.
pub const CHOSUNG_SUFFIX: &str = "__chosung";
/// Suffix of a text field's stored-only copy of the original text.
pub const STORED_SUFFIX: &str = "__stored";
/// Suffix of a text field's whole-value form.
pub const WHOLE_SUFFIX: &str = "__whole";
/// Suffix of a text field's word-start forms.
pub const STARTS_SUFFIX: &str = "__starts";

/// The tantivy fields behind one spec field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexedField {
    /// A text field and its derived forms.
    Text {
        /// Korean-analyzed terms.
        main: Field,
        /// Jamo form.
        jamo: Field,
        /// Initial-consonant form, when the spec's `initials` has it written and read
        /// (the tantivy field exists either way).
        chosung: Option<Field>,
        /// The original text, stored (when the spec stores the field), not indexed.
        stored: Field,
        /// Whole-value form (`whole_value` in the spec): one jamo term per value.
        whole: Option<Field>,
        /// The whole form from each later word start (`whole_value` in the spec).
        starts: Option<Field>,
    },
    /// A keyword, number, date or bool field.
    Plain(Field),
}

/// The tantivy schema of a kind and the field handles, in spec order.
#[derive(Debug, Clone)]
pub struct FieldMap {
    /// The tantivy schema.
    pub schema: Schema,
    /// The primary key field.
    pub id: Field,
    /// The [`TIEBREAK_FIELD`].
    pub tiebreak: Field,
    /// Whether ids are integers (returned as JSON numbers) or strings.
    pub integer_ids: bool,
    /// One entry per spec field, in the spec's order.
    pub fields: Vec<IndexedField>,
}

impl FieldMap {
    /// Builds the tantivy schema for `spec`.
    pub fn new(spec: &KindSpec) -> Self {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | STORED | FAST);
        let tiebreak = builder.add_u64_field(TIEBREAK_FIELD, FAST);
        let fields = spec
            .fields
            .iter()
            .map(|f| {
                let stored = f.stored;
                match f.ty {
                    FieldType::Text => {
                        let main = builder.add_text_field(
                            &f.name,
                            text_options(KO, IndexRecordOption::WithFreqsAndPositions, false),
                        );
                        let jamo = builder.add_text_field(
                            &format!("{}{JAMO_SUFFIX}", f.name),
                            text_options(KO_JAMO, IndexRecordOption::WithFreqs, false),
                        );
                        // In the schema whatever the spec says, so that turning
                        // `initials` off or on keeps the schema, and an index built either
                        // way still opens: the spec only decides what is written and read.
                        let chosung = builder.add_text_field(
                            &format!("{}{CHOSUNG_SUFFIX}", f.name),
                            text_options(KO_CHOSUNG, IndexRecordOption::WithFreqs, false),
                        );
                        let chosung = f.initials.then_some(chosung);
                        let stored = builder.add_text_field(
                            &format!("{}{STORED_SUFFIX}", f.name),
                            if stored {
                                TextOptions::default().set_stored()
                            } else {
                                TextOptions::default()
                            },
                        );
                        let whole = f.whole_value.then(|| {
                            builder.add_text_field(
                                &format!("{}{WHOLE_SUFFIX}", f.name),
                                text_options("raw", IndexRecordOption::Basic, false),
                            )
                        });
                        let starts = f.whole_value.then(|| {
                            builder.add_text_field(
                                &format!("{}{STARTS_SUFFIX}", f.name),
                                text_options("raw", IndexRecordOption::Basic, false),
                            )
                        });
                        IndexedField::Text {
                            main,
                            jamo,
                            chosung,
                            stored,
                            whole,
                            starts,
                        }
                    }
                    FieldType::Keyword => {
                        let options = if stored {
                            STRING | FAST | STORED
                        } else {
                            STRING | FAST
                        };
                        IndexedField::Plain(builder.add_text_field(&f.name, options))
                    }
                    FieldType::Integer => {
                        IndexedField::Plain(builder.add_i64_field(&f.name, numeric(stored)))
                    }
                    FieldType::Float => {
                        IndexedField::Plain(builder.add_f64_field(&f.name, numeric(stored)))
                    }
                    FieldType::Bool => {
                        IndexedField::Plain(builder.add_bool_field(&f.name, numeric(stored)))
                    }
                    FieldType::Date => {
                        let mut options = DateOptions::from(INDEXED | FAST)
                            .set_precision(DateTimePrecision::Seconds);
                        if stored {
                            options = options.set_stored();
                        }
                        IndexedField::Plain(builder.add_date_field(&f.name, options))
                    }
                }
            })
            .collect();
        FieldMap {
            schema: builder.build(),
            id,
            tiebreak,
            integer_ids: spec.id == IdType::Integer,
            fields,
        }
    }

    /// The tantivy document for a validated document, its text analyzed by `analyzer`
    /// (the CPU-heavy part of indexing: call it from worker threads), short values
    /// through `memo`.
    pub fn document(
        &self,
        doc: &ValidDocument,
        analyzer: &Analyzer,
        memo: &AnalysisMemo,
    ) -> IndexDocument {
        let mut out = IndexDocument::default();
        out.push(self.id, IndexValue::Str(doc.id.clone()));
        out.push(
            self.tiebreak,
            IndexValue::U64(tiebreak_key(&doc.id, self.integer_ids)),
        );
        for (index, values) in &doc.values {
            for value in values {
                match (self.fields[*index], value) {
                    (
                        IndexedField::Text {
                            main,
                            jamo,
                            chosung,
                            stored,
                            whole,
                            starts,
                        },
                        Value::Text(s),
                    ) => {
                        let of = FormsOf {
                            name_like: whole.is_some()
                                && s.chars().count() <= WHOLE_VALUE_MAX_CHARS,
                            whole: whole.is_some(),
                            starts: starts.is_some(),
                            initials: chosung.is_some(),
                        };
                        let forms = memo.forms(s, analyzer, of);
                        out.push(main, IndexValue::Forms(forms.clone(), Form::Main));
                        out.push(jamo, IndexValue::Forms(forms.clone(), Form::Jamo));
                        if let Some(chosung) = chosung {
                            out.push(chosung, IndexValue::Forms(forms.clone(), Form::Chosung));
                        }
                        if let (Some(whole), Some(_)) = (whole, &forms.whole) {
                            out.push(whole, IndexValue::Forms(forms.clone(), Form::Whole));
                        }
                        if let Some(starts) = starts {
                            for i in 0..forms.starts.len() {
                                out.push(starts, IndexValue::Forms(forms.clone(), Form::Start(i)));
                            }
                        }
                        out.push(stored, IndexValue::Str(s.clone()));
                    }
                    (IndexedField::Plain(f), Value::Keyword(s)) => {
                        out.push(f, IndexValue::Str(s.clone()))
                    }
                    (IndexedField::Plain(f), Value::Integer(n)) => out.push(f, IndexValue::I64(*n)),
                    (IndexedField::Plain(f), Value::Float(n)) => out.push(f, IndexValue::F64(*n)),
                    (IndexedField::Plain(f), Value::Bool(b)) => out.push(f, IndexValue::Bool(*b)),
                    (IndexedField::Plain(f), Value::Date(t)) => out.push(
                        f,
                        IndexValue::Date(DateTime::from_timestamp_secs(t.unix_timestamp())),
                    ),
                    (field, value) => {
                        unreachable!("validation guarantees types: {field:?} {value:?}")
                    }
                }
            }
        }
        out
    }
}

/// The [`TIEBREAK_FIELD`] value of an id.
pub fn tiebreak_key(id: &str, integer_ids: bool) -> u64 {
    if integer_ids && let Ok(n) = id.parse::<u64>() {
        return n;
    }
    let digest = Sha256::digest(id.as_bytes());
    u64::from_be_bytes(
        digest[..8]
            .try_into()
            .expect("a SHA-256 digest has 32 bytes"),
    )
}

fn text_options(tokenizer: &str, record: IndexRecordOption, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

fn numeric(stored: bool) -> NumericOptions {
    let options = NumericOptions::from(INDEXED | FAST);
    if stored {
        options.set_stored()
    } else {
        options
    }
}
