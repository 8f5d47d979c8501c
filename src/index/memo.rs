//! Memoised analysis of repeated text values.
//!
//! Catalogues repeat their short values heavily: a tour's title, an artist, a venue or a
//! category appears on hundreds of rows. Analysis is the cost of indexing, so the
//! indexed forms of a short value (its terms in the three forms, its whole form and word
//! starts) are computed once per index and reused while they stay in a bounded cache.
//! A value's forms depend only on the value, its field and the index's analyzer, which
//! is fixed for the life of an index (run-time synonym changes apply to queries only),
//! so a reused value indexes exactly as a fresh one (`tests` below checks it).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::analysis::{
    Analyzer, PackedTokens, TermForm, value_initials, whole_form, word_start_forms,
    word_start_initials,
};

/// Longest value memoised, in characters: longer values (descriptions, ticket bodies)
/// rarely repeat and would push many short ones out.
pub const MEMO_MAX_CHARS: usize = 128;
/// Memory the memo of one index may hold, approximately.
pub const MEMO_BYTES: u64 = 64 * 1024 * 1024;
/// Rough cost of an entry or a string beside its text (headers, the cache's own).
const TOKEN_OVERHEAD: u64 = 64;

/// The indexed forms of one text value, packed for the writer.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueForms {
    /// Analyzed terms.
    pub main: PackedTokens,
    /// Jamo form.
    pub jamo: PackedTokens,
    /// Initial-consonant form (with the whole value's initials when name-like; empty
    /// when the field has no initials).
    pub chosung: PackedTokens,
    /// Whole-value form (name-like values with a whole-value field).
    pub whole: Option<String>,
    /// Word-start forms and initials (name-like values with a word-starts field).
    pub starts: Vec<String>,
}

/// How a field indexes its values: which derived forms it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FormsOf {
    /// The value is short enough for the whole-value forms, and the field has them.
    pub name_like: bool,
    /// The field has a whole-value form.
    pub whole: bool,
    /// The field has word-start forms.
    pub starts: bool,
    /// The field has initial-consonant forms.
    pub initials: bool,
}

impl ValueForms {
    /// Analyzes `value` (the costly part) and derives every form.
    pub fn new(value: &str, analyzer: &Analyzer, of: FormsOf) -> Self {
        let analyzed = analyzer.analyze_untagged(value);
        let mut chosung = if of.initials {
            TermForm::Chosung.packed(&analyzed)
        } else {
            PackedTokens::default()
        };
        if of.name_like && of.initials {
            // After the terms (positions only count: these are never matched as phrases).
            let first = chosung.end_position();
            for (position, initials) in (first..).zip(value_initials(value)) {
                chosung.push(position, 1, &initials);
            }
        }
        let whole = (of.name_like && of.whole)
            .then(|| whole_form(value))
            .filter(|form| !form.is_empty());
        let starts = if of.name_like && of.starts {
            let initials = if of.initials {
                word_start_initials(value)
            } else {
                Vec::new()
            };
            word_start_forms(value)
                .into_iter()
                .chain(initials)
                .collect()
        } else {
            Vec::new()
        };
        ValueForms {
            main: TermForm::Morpheme.packed(&analyzed),
            jamo: TermForm::Jamo.packed(&analyzed),
            chosung,
            whole,
            starts,
        }
    }

    fn bytes(&self) -> u64 {
        let packed = |p: &PackedTokens| p.len() as u64 + TOKEN_OVERHEAD;
        packed(&self.main)
            + packed(&self.jamo)
            + packed(&self.chosung)
            + self.whole.as_ref().map_or(0, |w| w.len() as u64)
            + self
                .starts
                .iter()
                .map(|s| s.len() as u64 + TOKEN_OVERHEAD)
                .sum::<u64>()
    }
}

type Key = (FormsOf, Box<str>);

#[derive(Clone)]
struct Bytes;

impl Weighter<Key, Arc<ValueForms>> for Bytes {
    fn weight(&self, key: &Key, forms: &Arc<ValueForms>) -> u64 {
        key.1.len() as u64 + forms.bytes() + TOKEN_OVERHEAD
    }
}

/// The bounded, thread-safe memo of one index (indexing threads share it).
pub struct AnalysisMemo {
    cache: Option<Cache<Key, Arc<ValueForms>, Bytes>>,
    hits: AtomicU64,
}

impl std::fmt::Debug for AnalysisMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalysisMemo")
            .field("entries", &self.cache.as_ref().map_or(0, Cache::len))
            .finish()
    }
}

impl Default for AnalysisMemo {
    fn default() -> Self {
        AnalysisMemo::with_capacity(MEMO_BYTES)
    }
}

impl AnalysisMemo {
    /// A memo holding about `bytes` of forms (0: none, every value is analyzed).
    pub fn with_capacity(bytes: u64) -> Self {
        AnalysisMemo {
            cache: (bytes > 0).then(|| {
                // About 1 KiB per value (a title's terms in three forms).
                let items = usize::try_from(bytes / 1024).unwrap_or(usize::MAX).max(16);
                Cache::with_weighter(items, bytes, Bytes)
            }),
            hits: AtomicU64::new(0),
        }
    }

    /// Forgets every value (after a bulk load: its values will not come back soon).
    pub fn clear(&self) {
        if let Some(cache) = &self.cache {
            cache.clear();
        }
    }

    /// How many values came from the memo.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// The forms of `value`, from the memo or analysed now (and kept, if short).
    pub fn forms(&self, value: &str, analyzer: &Analyzer, of: FormsOf) -> Arc<ValueForms> {
        let short = value.len() <= MEMO_MAX_CHARS || value.chars().count() <= MEMO_MAX_CHARS;
        let Some(cache) = self.cache.as_ref().filter(|_| short) else {
            return Arc::new(ValueForms::new(value, analyzer, of));
        };
        let key: Key = (of, value.into());
        if let Some(forms) = cache.get(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return forms;
        }
        let forms = Arc::new(ValueForms::new(value, analyzer, of));
        cache.insert(key, forms.clone());
        forms
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalyzerConfig;
    use crate::demo;
    use crate::index::FieldMap;
    use crate::schema::KindSpec;

    /// Every document of a demo catalogue sample indexes the same with the memo (values
    /// seen before come from it) as without.
    #[test]
    fn memoised_documents_equal_fresh_ones_on_the_demo_catalogues() {
        let analyzer = Analyzer::new(&AnalyzerConfig::default()).expect("analyzer");
        for kind in ["concerts", "tickets"] {
            let spec = KindSpec::builtin(kind).expect("spec");
            let fields = FieldMap::new(&spec);
            let memo = AnalysisMemo::default();
            let off = AnalysisMemo::with_capacity(0);
            let docs: Vec<serde_json::Value> = match kind {
                "concerts" => demo::concerts(7)
                    .take(1_500)
                    .map(|c| c.to_document())
                    .collect(),
                _ => demo::tickets(7)
                    .take(1_500)
                    .map(|t| t.to_document())
                    .collect(),
            };
            for doc in &docs {
                let valid = spec.validate(doc).expect("a demo document is valid");
                let memoised = fields.document(&valid, &analyzer, &memo);
                let fresh = fields.document(&valid, &analyzer, &off);
                assert_eq!(format!("{memoised:?}"), format!("{fresh:?}"), "{doc}");
            }
            let kept = memo.cache.as_ref().map_or(0, Cache::len);
            assert!(kept > 0, "{kind}: short values are kept");
            assert!(
                memo.hits() > 0,
                "{kind}: the catalogue repeats values, so some come from the memo"
            );
        }
    }

    #[test]
    fn long_values_are_not_kept() {
        let analyzer = Analyzer::new(&AnalyzerConfig::default()).expect("analyzer");
        let memo = AnalysisMemo::default();
        let of = FormsOf {
            name_like: false,
            whole: false,
            starts: false,
            initials: true,
        };
        let long = "가".repeat(MEMO_MAX_CHARS + 1);
        let a = memo.forms(&long, &analyzer, of);
        let b = memo.forms(&long, &analyzer, of);
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!(a, b);
        let short = memo.forms("세종문화회관", &analyzer, of);
        assert!(Arc::ptr_eq(
            &short,
            &memo.forms("세종문화회관", &analyzer, of)
        ));
    }
}
