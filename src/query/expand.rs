//! Bounded expansion of typo and prefix matches into concrete terms.
//!
//! tantivy's `FuzzyTermQuery` unions the postings of every term its automaton accepts;
//! a two-letter prefix on a large index accepts thousands. Here the term dictionaries
//! are walked up front, at most [`MAX_SCANNED_TERMS`] terms per segment and field, and
//! only the [`MAX_EXPANSIONS`] most frequent matches are kept (frequent terms are the
//! likely intended words), so the work of any query is bounded.
//!
//! Walking a dictionary with a Levenshtein automaton is the expensive part of a typo
//! query, so each segment's walk (the terms it found and their document frequencies) is
//! kept in a process-wide cache keyed by the segment's id: segments never change once
//! written, so an entry stays valid for as long as the segment exists, and a repeated or
//! retyped query skips the walk. The cache holds at most [`CACHED_TERMS`] terms and is
//! emptied when full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::index::SegmentId;
use tantivy::query::{DfaWrapper, FuzzyTermQuery};
use tantivy::schema::{Field, Term};
use tantivy::{Searcher, SegmentReader, TantivyError};

/// Most terms one typo or prefix match expands to.
pub const MAX_EXPANSIONS: usize = 50;
/// Most dictionary terms examined per segment for one expansion.
pub const MAX_SCANNED_TERMS: usize = 5_000;
/// Most terms the expansion cache holds (over all its entries) before it is emptied
/// (some 10 MB).
pub const CACHED_TERMS: usize = 200_000;

/// What one segment's dictionary walk looks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Walk {
    /// Terms starting with the text (the text included).
    Prefix,
    /// Terms within this many edits of the text (the text excluded).
    Typo(u8),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct WalkKey {
    segment: SegmentId,
    field: Field,
    walk: Walk,
    text: String,
}

/// The terms one walk found, in dictionary order, with their document frequencies.
type Found = Arc<Vec<(Box<[u8]>, u32)>>;

#[derive(Default)]
struct WalkCache {
    entries: HashMap<WalkKey, Found>,
    terms: usize,
}

fn cache() -> &'static Mutex<WalkCache> {
    static CACHE: OnceLock<Mutex<WalkCache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// `walk` over `segment`, from the cache or by running `run`.
fn cached(
    segment: &SegmentReader,
    field: Field,
    walk: Walk,
    text: &str,
    run: impl FnOnce() -> tantivy::Result<Vec<(Box<[u8]>, u32)>>,
) -> tantivy::Result<Found> {
    let key = WalkKey {
        segment: segment.segment_id(),
        field,
        walk,
        text: text.to_string(),
    };
    // A poisoned cache only means another thread panicked mid-insert; the map is intact.
    if let Some(found) = cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entries
        .get(&key)
    {
        return Ok(found.clone());
    }
    let found: Found = Arc::new(run()?);
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    if cache.terms + found.len() > CACHED_TERMS {
        cache.entries.clear();
        cache.terms = 0;
    }
    if let Some(old) = cache.entries.insert(key, found.clone()) {
        cache.terms -= old.len();
    }
    cache.terms += found.len();
    Ok(found)
}

/// Terms of one field near or starting with a given text.
pub struct Expander<'a> {
    searcher: &'a Searcher,
    /// Levenshtein automata by text and distance: they do not depend on the field.
    automata: std::cell::RefCell<HashMap<(String, u8), Arc<DfaWrapper>>>,
}

impl<'a> Expander<'a> {
    /// An expander over the segments of `searcher` (the one the query will run on).
    pub fn new(searcher: &'a Searcher) -> Self {
        Expander {
            searcher,
            automata: Default::default(),
        }
    }

    fn automaton(
        &self,
        field: Field,
        text: &str,
        distance: u8,
    ) -> tantivy::Result<Arc<DfaWrapper>> {
        let key = (text.to_string(), distance);
        if let Some(automaton) = self.automata.borrow().get(&key) {
            return Ok(automaton.clone());
        }
        let automaton = Arc::new(
            FuzzyTermQuery::new(Term::from_field_text(field, text), distance, true).automaton()?,
        );
        self.automata.borrow_mut().insert(key, automaton.clone());
        Ok(automaton)
    }

    /// Terms of `field` within `distance` (1–2) edits of `text`, excluding `text` itself,
    /// with their distance.
    pub fn typos(
        &self,
        field: Field,
        text: &str,
        distance: u8,
    ) -> tantivy::Result<Vec<(Term, u8)>> {
        let mut found: HashMap<Vec<u8>, (u64, u8)> = HashMap::new();
        for d in 1..=distance.min(2) {
            for segment in self.searcher.segment_readers() {
                let walked = cached(segment, field, Walk::Typo(d), text, || {
                    // One automaton per text and distance, shared by every segment and
                    // field: building it is the expensive part of a typo expansion.
                    let automaton = self.automaton(field, text, d)?;
                    let inverted = segment.inverted_index(field)?;
                    let mut stream = inverted
                        .terms()
                        .search(&*automaton)
                        .into_stream()
                        .map_err(io_error)?;
                    let mut scanned = 0;
                    let mut walked = Vec::new();
                    while scanned < MAX_SCANNED_TERMS && stream.advance() {
                        scanned += 1;
                        if stream.key() == text.as_bytes() {
                            continue;
                        }
                        walked.push((stream.key().into(), stream.value().doc_freq));
                    }
                    Ok(walked)
                })?;
                for (key, doc_freq) in walked.iter() {
                    let entry = found.entry(key.to_vec()).or_insert((0, d));
                    // A term within 1 edit is also within 2; count it in its own pass only.
                    if entry.1 == d {
                        entry.0 += u64::from(*doc_freq);
                    }
                }
            }
        }
        Ok(most_frequent(field, found))
    }

    /// Terms of `field` starting with `prefix` (including `prefix` itself).
    pub fn prefixed(&self, field: Field, prefix: &str) -> tantivy::Result<Vec<Term>> {
        let mut found: HashMap<Vec<u8>, (u64, u8)> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let walked = cached(segment, field, Walk::Prefix, prefix, || {
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted
                    .terms()
                    .range()
                    .ge(prefix.as_bytes())
                    .into_stream()
                    .map_err(io_error)?;
                let mut scanned = 0;
                let mut walked = Vec::new();
                while scanned < MAX_SCANNED_TERMS
                    && stream.advance()
                    && stream.key().starts_with(prefix.as_bytes())
                {
                    scanned += 1;
                    walked.push((stream.key().into(), stream.value().doc_freq));
                }
                Ok(walked)
            })?;
            for (key, doc_freq) in walked.iter() {
                found.entry(key.to_vec()).or_insert((0, 0)).0 += u64::from(*doc_freq);
            }
        }
        Ok(most_frequent(field, found)
            .into_iter()
            .map(|(term, _)| term)
            .collect())
    }
}

fn most_frequent(field: Field, found: HashMap<Vec<u8>, (u64, u8)>) -> Vec<(Term, u8)> {
    let mut found: Vec<(Vec<u8>, (u64, u8))> = found.into_iter().collect();
    // Ties broken by the term bytes, so the same index always expands the same way.
    found.sort_unstable_by(|(a, (fa, _)), (b, (fb, _))| fb.cmp(fa).then_with(|| a.cmp(b)));
    found.truncate(MAX_EXPANSIONS);
    found
        .into_iter()
        .filter_map(|(bytes, (_, d))| {
            let text = String::from_utf8(bytes).ok()?;
            Some((Term::from_field_text(field, &text), d))
        })
        .collect()
}

fn io_error(e: std::io::Error) -> TantivyError {
    TantivyError::from(e)
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    #[test]
    fn expansions_are_bounded_and_prefer_frequent_terms() {
        let mut builder = Schema::builder();
        let field = builder.add_text_field("t", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer(15_000_000).unwrap();
        for i in 0..(MAX_EXPANSIONS + 30) {
            let mut doc = TantivyDocument::default();
            doc.add_text(field, format!("ab{i:03}"));
            writer.add_document(doc).unwrap();
        }
        for _ in 0..3 {
            let mut doc = TantivyDocument::default();
            doc.add_text(field, "ab999");
            writer.add_document(doc).unwrap();
        }
        for word in ["abc", "abd", "abd", "xbc", "abcde"] {
            let mut doc = TantivyDocument::default();
            doc.add_text(field, word);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let expander = Expander::new(&searcher);

        let prefixed = expander.prefixed(field, "ab").unwrap();
        assert_eq!(prefixed.len(), MAX_EXPANSIONS);
        assert_eq!(
            Expander::new(&searcher).prefixed(field, "ab").unwrap(),
            prefixed,
            "the cached walk expands the same way"
        );
        assert_eq!(
            prefixed[0].value().as_str(),
            Some("ab999"),
            "most frequent first"
        );

        let typos = expander.typos(field, "abc", 2).unwrap();
        assert_eq!(
            Expander::new(&searcher).typos(field, "abc", 2).unwrap(),
            typos
        );
        let text = |(t, d): &(Term, u8)| (t.value().as_str().unwrap().to_string(), *d);
        let typos: Vec<(String, u8)> = typos.iter().map(text).collect();
        assert_eq!(typos[0], ("abd".to_string(), 1), "{typos:?}");
        assert!(typos.contains(&("xbc".to_string(), 1)));
        assert!(typos.contains(&("abcde".to_string(), 2)));
        assert!(
            !typos.iter().any(|(t, _)| t == "abc"),
            "the exact term is not a typo"
        );
    }
}
