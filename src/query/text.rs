//! Query text → a scoring tantivy query over a kind's text fields.
//!
//! The text is analyzed with [`Analyzer::analyze_query`] (spacing ignored). Each query word
//! must match (AND); a word matches a field by its exact term (BM25), by a typo-tolerant
//! match on the jamo form (a constant, lower score: exact matches always rank above fuzzy
//! ones), or — for the last word, as the user is still typing — by a prefix of the jamo
//! form. A compound query word matches either whole or by all of its parts. A query made
//! only of initial consonants ("ㅇㅇㅇ") searches the chosung form; Latin letters that
//! spell Korean on a 2-beolsik keyboard ("dkdldb") also search the converted text.

use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Term};

use crate::analysis::{AnalyzedToken, Analyzer, hangul};
use crate::index::{FieldMap, IndexedField};

/// Score of a typo-tolerant match relative to the field boost (exact matches score BM25,
/// typically 1–10, so a fuzzy-only match never outranks an exact one of the same field).
const FUZZY_SCORE: f32 = 0.3;
/// Score of a prefix match relative to the field boost.
const PREFIX_SCORE: f32 = 0.5;
/// Score of a typo-tolerant match of a whole single-word query, relative to the field
/// boost: above [`FUZZY_SCORE`] because it matches everything the user typed.
const SURFACE_FUZZY_SCORE: f32 = 0.45;
/// Prefixes shorter than this many jamo would expand to a large part of the dictionary.
const MIN_PREFIX_JAMO: usize = 2;

/// Typo tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fuzzy {
    /// Exact terms only.
    Off,
    /// Edit distance by length in jamo (or letters): up to 3 → 0, 4–7 → 1, 8 and more → 2.
    /// Counting jamo rather than syllables gives two-syllable Korean words tolerance,
    /// which Elasticsearch's AUTO (by characters) denies them.
    #[default]
    Auto,
    /// A fixed edit distance (0–2) in jamo.
    Distance(u8),
}

impl Fuzzy {
    fn distance(self, jamo_len: usize) -> u8 {
        match self {
            Fuzzy::Off => 0,
            Fuzzy::Distance(d) => d.min(2),
            Fuzzy::Auto => match jamo_len {
                0..=3 => 0,
                4..=7 => 1,
                _ => 2,
            },
        }
    }
}

/// A text field to search and its weight.
#[derive(Debug, Clone, Copy)]
pub struct WeightedField {
    /// Korean-analyzed terms.
    pub main: Field,
    /// Jamo form.
    pub jamo: Field,
    /// Initial-consonant form.
    pub chosung: Field,
    /// Weight.
    pub boost: f32,
}

impl WeightedField {
    /// The tantivy fields of spec field `index`, if it is a text field.
    pub fn of(fields: &FieldMap, index: usize, boost: f32) -> Option<Self> {
        match fields.fields.get(index)? {
            IndexedField::Text {
                main,
                jamo,
                chosung,
            } => Some(WeightedField {
                main: *main,
                jamo: *jamo,
                chosung: *chosung,
                boost,
            }),
            IndexedField::Plain(_) => None,
        }
    }
}

/// Builds the text query; `None` when the text has no searchable word.
pub fn build_text_query(
    analyzer: &Analyzer,
    q: &str,
    fields: &[WeightedField],
    fuzzy: Fuzzy,
    prefix: bool,
) -> Option<Box<dyn Query>> {
    let q = q.trim();
    if q.is_empty() || fields.is_empty() {
        return None;
    }
    if hangul::is_chosung_query(q) {
        let initials: String = q.chars().filter(|c| !c.is_whitespace()).collect();
        return Some(any(fields.iter().flat_map(|f| {
            let term = Term::from_field_text(f.chosung, &initials);
            let exact: Box<dyn Query> = boosted(
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                f.boost,
            );
            let typed = boosted(
                Box::new(FuzzyTermQuery::new_prefix(term, 0, false)),
                f.boost * PREFIX_SCORE,
            );
            [exact, typed]
        })));
    }
    let typed = |text: &str| {
        either(
            words_query(analyzer, text, fields, fuzzy, prefix),
            surface_query(text, fields, fuzzy, prefix),
        )
    };
    let original = typed(q);
    if hangul::looks_like_wrong_layout(q) {
        return either(original, typed(&hangul::qwerty_to_hangul(q)));
    }
    original
}

/// Either query may match; `None` only when both are.
fn either(a: Option<Box<dyn Query>>, b: Option<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(any([a, b])),
        (a, b) => a.or(b),
    }
}

fn words_query(
    analyzer: &Analyzer,
    q: &str,
    fields: &[WeightedField],
    fuzzy: Fuzzy,
    prefix: bool,
) -> Option<Box<dyn Query>> {
    let groups = group_words(analyzer.analyze_query(q));
    let last = groups.len().checked_sub(1)?;
    let clauses: Vec<(Occur, Box<dyn Query>)> = groups
        .iter()
        .enumerate()
        .map(|(i, group)| {
            let as_prefix = prefix && i == last;
            let mut alternatives: Vec<Box<dyn Query>> = group
                .whole
                .iter()
                .map(|t| term_query(t, fields, fuzzy, as_prefix))
                .collect();
            if !group.parts.is_empty() {
                let parts = group.parts.iter().enumerate().map(|(k, t)| {
                    let last_part = as_prefix && k + 1 == group.parts.len();
                    (Occur::Must, term_query(t, fields, fuzzy, last_part))
                });
                alternatives.push(Box::new(BooleanQuery::new(parts.collect())));
            }
            (Occur::Must, any(alternatives))
        })
        .collect();
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// A typo or an unfinished word often changes how a single-word query segments ("아이우"
/// → 아 + 이우, "방탄소" → 방탄 + 소), so the word as typed is also matched against whole
/// indexed terms: fuzzily, and as a prefix while the user types.
fn surface_query(
    q: &str,
    fields: &[WeightedField],
    fuzzy: Fuzzy,
    prefix: bool,
) -> Option<Box<dyn Query>> {
    if q.split_whitespace().count() != 1 {
        return None;
    }
    let jamo = hangul::to_jamo(&crate::analysis::normalize_term(q));
    let jamo_len = jamo.chars().count();
    let distance = fuzzy.distance(jamo_len);
    let as_prefix = prefix && jamo_len >= MIN_PREFIX_JAMO;
    if distance == 0 && !as_prefix {
        return None;
    }
    Some(any(fields.iter().flat_map(|f| {
        let term = Term::from_field_text(f.jamo, &jamo);
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        if distance > 0 {
            clauses.push(boosted(
                Box::new(FuzzyTermQuery::new(term.clone(), distance, true)),
                f.boost * SURFACE_FUZZY_SCORE,
            ));
        }
        if as_prefix {
            clauses.push(boosted(
                Box::new(FuzzyTermQuery::new_prefix(term, 0, false)),
                f.boost * PREFIX_SCORE,
            ));
        }
        clauses
    })))
}

/// The terms of one query word: the whole word (and its synonyms), and its parts when
/// the analyzer decompounded it.
#[derive(Debug, Default)]
struct Word {
    whole: Vec<String>,
    parts: Vec<String>,
}

fn group_words(tokens: Vec<AnalyzedToken>) -> Vec<Word> {
    let mut words: Vec<(usize, usize, Word)> = Vec::new();
    for t in tokens {
        let end = t.position + t.position_length;
        match words.last_mut() {
            Some((start, word_end, word)) if t.position >= *start && t.position < *word_end => {
                if t.position == *start && end == *word_end {
                    word.whole.push(t.term);
                } else {
                    word.parts.push(t.term);
                }
            }
            _ => words.push((
                t.position,
                end,
                Word {
                    whole: vec![t.term],
                    parts: Vec::new(),
                },
            )),
        }
    }
    words.into_iter().map(|(_, _, w)| w).collect()
}

fn term_query(term: &str, fields: &[WeightedField], fuzzy: Fuzzy, prefix: bool) -> Box<dyn Query> {
    let jamo = hangul::to_jamo(term);
    let jamo_len = jamo.chars().count();
    let distance = fuzzy.distance(jamo_len);
    any(fields.iter().flat_map(|f| {
        let mut clauses: Vec<Box<dyn Query>> = vec![boosted(
            Box::new(TermQuery::new(
                Term::from_field_text(f.main, term),
                IndexRecordOption::WithFreqs,
            )),
            f.boost,
        )];
        let jamo_term = Term::from_field_text(f.jamo, &jamo);
        if distance > 0 {
            clauses.push(boosted(
                Box::new(FuzzyTermQuery::new(jamo_term.clone(), distance, true)),
                f.boost * FUZZY_SCORE,
            ));
        }
        if prefix && jamo_len >= MIN_PREFIX_JAMO {
            clauses.push(boosted(
                Box::new(FuzzyTermQuery::new_prefix(jamo_term, 0, false)),
                f.boost * PREFIX_SCORE,
            ));
        }
        clauses
    }))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

fn any(queries: impl IntoIterator<Item = Box<dyn Query>>) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        queries.into_iter().map(|q| (Occur::Should, q)).collect();
    if clauses.len() == 1 {
        return clauses.pop().expect("one clause").1;
    }
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;
    use tantivy::TantivyDocument;
    use tantivy::collector::TopDocs;
    use tantivy::schema::Value as _;

    use super::*;
    use crate::analysis::AnalyzerConfig;
    use crate::index::KindIndex;
    use crate::schema::KindSpec;

    struct Fixture {
        analyzer: Arc<Analyzer>,
        index: KindIndex,
    }

    fn fixture() -> Fixture {
        let analyzer = Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap());
        let index =
            KindIndex::in_memory(KindSpec::builtin("concerts").unwrap(), analyzer.clone()).unwrap();
        let report = index.upsert(&[
            json!({"id": 1, "title": "2025 아이유 콘서트 HER", "artists": ["아이유", "IU"], "venue": "올림픽공원 KSPO DOME"}),
            json!({"id": 2, "title": "뮤지컬 레미제라블 내한공연", "venue": "블루스퀘어"}),
            json!({"id": 3, "title": "2025 여름 공연 페스티벌", "venue": "난지한강공원"}),
            json!({"id": 4, "title": "방탄소년단 월드투어", "artists": ["방탄소년단"]}),
            json!({"id": 5, "title": "아이유 팬미팅", "artists": ["아이유"]}),
            json!({"id": 6, "title": "이유 있는 밤", "venue": "소극장"}),
        ]);
        assert!(report.rejected.is_empty());
        index.commit().unwrap();
        Fixture { analyzer, index }
    }

    impl Fixture {
        fn search(&self, q: &str) -> Vec<String> {
            let spec = self.index.spec();
            let fields: Vec<WeightedField> = spec
                .fields
                .iter()
                .enumerate()
                .filter_map(|(i, f)| WeightedField::of(self.index.fields(), i, f.boost))
                .collect();
            let Some(query) = build_text_query(&self.analyzer, q, &fields, Fuzzy::Auto, true)
            else {
                return Vec::new();
            };
            let searcher = self.index.searcher();
            searcher
                .search(&*query, &TopDocs::with_limit(10).order_by_score())
                .unwrap()
                .into_iter()
                .map(|(_, address)| {
                    let doc: TantivyDocument = searcher.doc(address).unwrap();
                    doc.get_first(self.index.fields().id)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect()
        }
    }

    #[test]
    fn spacing_typos_prefixes_initials_and_keyboard_layout_find_the_same_shows() {
        let f = fixture();
        assert_eq!(f.search("여름공연"), f.search("여름 공연"));
        assert_eq!(f.search("여름공연"), ["3"]);
        let iu = f.search("아이유");
        assert!(
            iu.len() >= 2 && iu.iter().all(|id| id == "1" || id == "5"),
            "{iu:?}"
        );
        for variant in ["아이우", "ㅇㅇㅇ", "dkdldb", "아이유콘서트"] {
            let hits = f.search(variant);
            assert!(
                hits.first().is_some_and(|id| id == "1" || id == "5"),
                "{variant}: {hits:?}"
            );
        }
        assert_eq!(f.search("레미"), ["2"], "prefix of the last word");
        assert_eq!(f.search("방탄소"), ["4"]);
        assert_eq!(f.search("BTS"), ["4"], "synonyms from the bundled list");
        assert!(f.search("qwzx kkvv").is_empty(), "junk finds nothing");
        assert!(f.search("   ").is_empty());
    }

    #[test]
    fn exact_matches_rank_above_fuzzy_ones() {
        let f = fixture();
        // "이유" is exact for show 6 and one jamo away from nothing else; "아이유" shows
        // may match fuzzily but must rank below.
        assert_eq!(f.search("이유").first().map(String::as_str), Some("6"));
        assert_eq!(Fuzzy::Auto.distance(3), 0);
        assert_eq!(Fuzzy::Auto.distance(6), 1);
        assert_eq!(Fuzzy::Auto.distance(9), 2);
        assert_eq!(Fuzzy::Distance(5).distance(1), 2);
    }
}
