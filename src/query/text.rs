//! Query text → a scoring tantivy query over a kind's text fields.
//!
//! The text is analyzed with [`Analyzer::analyze_query`] (spacing ignored). Each query word
//! must match (AND); a word matches a field by its exact term, by a typo-tolerant match on
//! the jamo form, or — for the last word, as the user is still typing — by a prefix of the
//! jamo form. A compound query word matches either whole or by all of its parts. A query
//! made only of initial consonants ("ㅇㅇㅇ") searches the chosung form; Latin letters that
//! spell Korean on a 2-beolsik keyboard ("dkdldb") also search the converted text.
//!
//! Scores follow [`super::score`]: each word scores the best of its matches (a
//! disjunction-max, not a sum, so matching in several fields does not inflate it) and the
//! query scores the mean over its words. Typo and prefix matches are expanded to concrete
//! terms by [`Expander`], which bounds their cost.
//!
//! A query word that is itself a common term of the index (in at least one document in
//! [`COMMON_TERM_SHARE`], and at least [`COMMON_TERM_MIN_DOCS`]) gets no typo matches: it is
//! spelled the way the documents spell it, and its one-jamo neighbours are other common
//! words, not misspellings ("공연" → 공원: "여름공연" matched every summer show in a park,
//! doubling its hits). Rare and unknown words ("아이우") keep typo tolerance.

use std::cell::RefCell;

use tantivy::Searcher;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Term};

use super::expand::Expander;
use super::highlight::MatchedTerms;
use super::score::{Band, ExactQuery};
use super::terms::AnyTerm;
use super::union::BestOf;
use crate::analysis::{AnalyzedToken, Analyzer, hangul};
use crate::index::{FieldMap, IndexedField};

/// Prefixes shorter than this many jamo would expand to a large part of the dictionary.
const MIN_PREFIX_JAMO: usize = 2;
/// A query word found in at least one document in this many (in some searched field) ...
pub const COMMON_TERM_SHARE: u64 = 1_000;
/// ... and in at least this many documents is common: not matched with typos.
pub const COMMON_TERM_MIN_DOCS: u64 = 20;

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
    /// Boost (any positive number; only ratios between fields matter).
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
                ..
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

/// Builds text queries against one searcher (typo and prefix matches are expanded
/// against its term dictionaries, so run the query on the same searcher).
pub struct TextQuery<'a> {
    analyzer: &'a Analyzer,
    searcher: &'a Searcher,
    expander: Expander<'a>,
    /// Fields with their weight relative to the heaviest (0–1].
    fields: Vec<(WeightedField, f32)>,
    fuzzy: Fuzzy,
    prefix: bool,
    matched: RefCell<MatchedTerms>,
}

type Built = tantivy::Result<Option<Box<dyn Query>>>;

impl<'a> TextQuery<'a> {
    /// A builder searching `fields` with the given typo tolerance and prefix matching.
    pub fn new(
        analyzer: &'a Analyzer,
        searcher: &'a Searcher,
        fields: &[WeightedField],
        fuzzy: Fuzzy,
        prefix: bool,
    ) -> Self {
        let heaviest = fields.iter().map(|f| f.boost).fold(0.0f32, f32::max);
        TextQuery {
            analyzer,
            searcher,
            expander: Expander::new(searcher),
            fields: fields
                .iter()
                .map(|f| {
                    (
                        *f,
                        if heaviest > 0.0 {
                            f.boost / heaviest
                        } else {
                            1.0
                        },
                    )
                })
                .collect(),
            fuzzy,
            prefix,
            matched: RefCell::default(),
        }
    }

    /// Every term the built queries can match with (for highlights).
    pub fn into_matched(self) -> MatchedTerms {
        self.matched.into_inner()
    }

    /// Matches any of `terms` (all of `field`), scoring `score`.
    fn constant(&self, field: Field, terms: Vec<Term>, score: f32) -> AnyTerm {
        self.matched.borrow_mut().extend(terms.iter().cloned());
        AnyTerm::new(field, terms, score)
    }

    /// The query for `q`; `None` when the text has no searchable word.
    pub fn build(&self, q: &str) -> Built {
        let q = q.trim();
        if q.is_empty() || self.fields.is_empty() {
            return Ok(None);
        }
        if hangul::is_chosung_query(q) {
            return self.chosung_query(q).map(Some);
        }
        let original = self.typed(q)?;
        if hangul::looks_like_wrong_layout(q) {
            return Ok(best_of(original, self.typed(&hangul::qwerty_to_hangul(q))?));
        }
        Ok(original)
    }

    fn typed(&self, text: &str) -> Built {
        let groups = group_words(self.analyzer.analyze_query(text));
        let surface = self.surface_query(text, &groups)?;
        Ok(best_of(self.words_query(groups)?, surface))
    }

    fn chosung_query(&self, q: &str) -> tantivy::Result<Box<dyn Query>> {
        let initials: String = q.chars().filter(|c| !c.is_whitespace()).collect();
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for (f, w) in &self.fields {
            let exact = Term::from_field_text(f.chosung, &initials);
            alternatives.push(Box::new(self.constant(
                f.chosung,
                vec![exact.clone()],
                Band::Prefix.score(*w),
            )));
            let completions = self.expander.prefixed(f.chosung, &initials)?;
            if !completions.is_empty() {
                // The completions include the initials themselves, which the exact
                // alternative above already matches with a higher score.
                let completions = self
                    .constant(f.chosung, completions, Band::Typo1.score(*w))
                    .dominated_by(exact.clone(), exact);
                alternatives.push(Box::new(completions));
            }
        }
        Ok(best(alternatives))
    }

    fn words_query(&self, groups: Vec<Word>) -> Built {
        let Some(last) = groups.len().checked_sub(1) else {
            return Ok(None);
        };
        let mut words = Vec::with_capacity(groups.len());
        for (i, group) in groups.iter().enumerate() {
            let as_prefix = self.prefix && i == last;
            let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
            for term in &group.whole {
                alternatives.push(self.term_query(term, as_prefix)?);
            }
            if !group.parts.is_empty() {
                let mut parts = Vec::with_capacity(group.parts.len());
                for (k, term) in group.parts.iter().enumerate() {
                    let last_part = as_prefix && k + 1 == group.parts.len();
                    parts.push(self.term_query(term, last_part)?);
                }
                alternatives.push(mean(parts));
            }
            words.push(best(alternatives));
        }
        Ok(Some(mean(words)))
    }

    /// A typo or an unfinished word often changes how a single-word query segments
    /// ("아이우" → 아 + 이우, "방탄소" → 방탄 + 소), so the word as typed is also matched
    /// against whole indexed terms: with typos, and as a prefix while the user types.
    ///
    /// `None` also when the word as typed is the query's only word (`groups`): its typo
    /// and prefix matches are then among the word's own alternatives already.
    fn surface_query(&self, q: &str, groups: &[Word]) -> Built {
        if q.split_whitespace().count() != 1 {
            return Ok(None);
        }
        let jamo = hangul::to_jamo(&crate::analysis::normalize_term(q));
        if let [word] = groups
            && word.whole.iter().any(|t| hangul::to_jamo(t) == jamo)
        {
            return Ok(None);
        }
        let alternatives = self.loose_matches(&jamo, self.prefix, None, true)?;
        Ok((!alternatives.is_empty()).then(|| best(alternatives)))
    }

    fn term_query(&self, term: &str, prefix: bool) -> tantivy::Result<Box<dyn Query>> {
        let mut alternatives: Vec<Box<dyn Query>> = self
            .fields
            .iter()
            .map(|(f, w)| {
                let term = Term::from_field_text(f.main, term);
                self.matched.borrow_mut().extend([term.clone()]);
                let exact = TermQuery::new(term, IndexRecordOption::WithFreqs);
                Box::new(ExactQuery::new(Box::new(exact), *w)) as Box<dyn Query>
            })
            .collect();
        let typos = !self.is_common(term)?;
        alternatives.extend(self.loose_matches(
            &hangul::to_jamo(term),
            prefix,
            Some(term),
            typos,
        )?);
        Ok(best(alternatives))
    }

    /// Whether `term` is common in some searched field (see the module documentation).
    fn is_common(&self, term: &str) -> tantivy::Result<bool> {
        let mut most = 0;
        for (f, _) in &self.fields {
            most = most.max(
                self.searcher
                    .doc_freq(&Term::from_field_text(f.main, term))?,
            );
        }
        Ok(most >= COMMON_TERM_MIN_DOCS && most * COMMON_TERM_SHARE >= self.searcher.num_docs())
    }

    /// Typo (if `typos`) and prefix matches of a jamo-form word in every field. `exact`:
    /// the word's analyzed form when its exact matches are alternatives of the same
    /// disjunction-max (they outscore the word's own jamo form among the prefix matches).
    fn loose_matches(
        &self,
        jamo: &str,
        prefix: bool,
        exact: Option<&str>,
        typos: bool,
    ) -> tantivy::Result<Vec<Box<dyn Query>>> {
        let jamo_len = jamo.chars().count();
        let distance = if typos {
            self.fuzzy.distance(jamo_len)
        } else {
            0
        };
        let prefix = prefix && jamo_len >= MIN_PREFIX_JAMO;
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for (f, w) in &self.fields {
            if distance > 0 {
                let typos = self.expander.typos(f.jamo, jamo, distance)?;
                for d in 1..=distance {
                    let terms: Vec<Term> = typos
                        .iter()
                        .filter(|(_, td)| *td == d)
                        .map(|(t, _)| t.clone())
                        .collect();
                    if !terms.is_empty() {
                        alternatives.push(Box::new(self.constant(
                            f.jamo,
                            terms,
                            Band::typo(d).score(*w),
                        )));
                    }
                }
            }
            if prefix {
                let completions = self.expander.prefixed(f.jamo, jamo)?;
                if !completions.is_empty() {
                    let mut completions =
                        self.constant(f.jamo, completions, Band::Prefix.score(*w));
                    if let Some(exact) = exact {
                        completions = completions.dominated_by(
                            Term::from_field_text(f.jamo, jamo),
                            Term::from_field_text(f.main, exact),
                        );
                    }
                    alternatives.push(Box::new(completions));
                }
            }
        }
        Ok(alternatives)
    }
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

/// Matches what any alternative matches, scoring the best alternative's score.
fn best(mut alternatives: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if alternatives.len() == 1 {
        return alternatives.pop().expect("one alternative");
    }
    Box::new(BestOf::new(alternatives))
}

fn best_of(a: Option<Box<dyn Query>>, b: Option<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(best(vec![a, b])),
        (a, b) => a.or(b),
    }
}

/// Matches when every part matches, scoring the mean of their scores.
fn mean(mut parts: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if parts.len() == 1 {
        return parts.pop().expect("one part");
    }
    let n = parts.len() as f32;
    let all = BooleanQuery::new(parts.into_iter().map(|q| (Occur::Must, q)).collect());
    Box::new(BoostQuery::new(Box::new(all), 1.0 / n))
}

#[cfg(test)]
mod tests;
