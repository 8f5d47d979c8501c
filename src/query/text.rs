//! Matching: a [`QueryPlan`] → a scoring tantivy query over a kind's text fields.
//!
//! Each typed word of the plan becomes one word of a [`Coverage`] query, matching a
//! document by the best of its alternatives:
//!
//! - its analyzed words: for one word, its exact term in any searched field (or a
//!   synonym, or all its parts), with typos in jamo (not for words common in the index,
//!   see below), and as a prefix while the user types the last word; for a word the
//!   analyzer split ("나훈아트로트"), its words adjacent and in order (a phrase), or
//!   scattered in the document at a lower score when the word looks like a misspelling;
//! - the word as typed, in jamo, against the indexed terms and whole values: with typos,
//!   as a prefix, and with two adjacent syllables swapped — a typo or an unfinished
//!   syllable often changes how a word segments ("나훈어" → 나 + 훈 + 어);
//! - a value of a searchable keyword field (a genre, a city) equal to one of its words;
//! - a glued Latin word split in two words of the index ("taylorswift");
//! - the whole query as a whole field value: exact, with typos, or as its prefix
//!   ("예술의전ㄷ", "지킬앤하이드").
//!
//! A query made only of initial consonants ("ㅇㅇㅇ", "ㅈㅋㅇㅎㅇㄷ") searches the
//! chosung form, which holds each term's initials and each name's; Latin letters
//! that spell Korean on a 2-beolsik keyboard ("dkdldb") also search the converted text.
//!
//! Scores follow [`super::score`]: each word scores the best of its matches (a
//! disjunction-max, not a sum, so matching in several fields does not inflate it), and
//! [`Coverage`] combines the words and adds the ranking tiers. Typo and prefix matches are
//! expanded to concrete terms by [`Expander`], which bounds their cost.
//!
//! A query word that is itself a common term of the index (in at least one document in
//! [`COMMON_TERM_SHARE`], and at least [`COMMON_TERM_MIN_DOCS`]) gets no typo matches: it is
//! spelled the way the documents spell it, and its one-jamo neighbours are other common
//! words, not misspellings ("공연" → 공원: "여름공연" matched every summer show in a park,
//! doubling its hits). Rare and unknown words ("아이우") keep typo tolerance.

use std::cell::RefCell;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::Searcher;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Term};

use super::coverage::{Booster, CoverWord, Coverage, Floor, TIER_PHRASE, TIER_WHOLE};
use super::expand::Expander;
use super::highlight::MatchedTerms;
use super::probe::Kept;
use super::score::{Band, ExactQuery};
use super::sets::MatchSets;
use super::terms::AnyTerm;
use super::understand::{Group, QueryPlan, TypedWord, swaps};
use super::union::BestOf;
use crate::analysis::{Analyzer, MAX_ENTRY_WORDS, hangul, whole_form};
use crate::index::{FieldMap, IndexedField};

/// Prefixes shorter than this many jamo would expand to a large part of the dictionary.
const MIN_PREFIX_JAMO: usize = 2;
/// A query word found in at least one document in this many (in some searched field) ...
pub const COMMON_TERM_SHARE: u64 = 1_000;
/// ... and in at least this many documents is common: not matched with typos.
pub const COMMON_TERM_MIN_DOCS: u64 = 20;
/// The words of a misspelled-looking split word found apart in a document score this
/// share of their scores: "나" and "훈" somewhere in a document are no match for "나훈어".
const SCATTERED: f32 = 0.45;
/// Words in the query's relaxed weights lose this share of weight per word before them
/// (people type the thing they look for first, the filler after).
const ORDER_DECAY: f32 = 0.9;
/// Slop of the phrase that lifts a full match to the proximity tier (a dropped particle
/// or punctuation between two words is fine).
const PHRASE_SLOP: u32 = 2;
/// Longest glued Latin word split against the index's terms.
const MAX_SPLIT_LEN: usize = 40;

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

/// Which documents a multi-word query matches (the request's `match`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Matching {
    /// Every word (verbs and endings are never required).
    All,
    /// Every word first; when fewer than a page match them all, documents matching most
    /// words follow, ranked by how much of the query they cover.
    #[default]
    Most,
    /// Any word, ranked the same way (documents matching every word first).
    Any,
}

/// A text field to search and its weight.
#[derive(Debug, Clone, Copy)]
pub struct WeightedField {
    /// Korean-analyzed terms.
    pub main: Field,
    /// Jamo form.
    pub jamo: Field,
    /// Initial-consonant form, when the field has one.
    pub chosung: Option<Field>,
    /// Whole-value form, when the field has one.
    pub whole: Option<Field>,
    /// Word-start forms, when the field has them.
    pub starts: Option<Field>,
    /// Boost (any positive number; only ratios between fields matter).
    pub boost: f32,
}

impl WeightedField {
    /// The fields a word as typed is looked up in: the jamo form of terms, the whole
    /// values, the word starts of names.
    fn surface(&self) -> impl Iterator<Item = Field> {
        std::iter::once(self.jamo)
            .chain(self.whole)
            .chain(self.starts)
    }

    /// The tantivy fields of spec field `index`, if it is a text field.
    pub fn of(fields: &FieldMap, index: usize, boost: f32) -> Option<Self> {
        match fields.fields.get(index)? {
            IndexedField::Text {
                main,
                jamo,
                chosung,
                whole,
                starts,
                ..
            } => Some(WeightedField {
                main: *main,
                jamo: *jamo,
                chosung: *chosung,
                whole: *whole,
                starts: *starts,
                boost,
            }),
            IndexedField::Plain(_) => None,
        }
    }
}

/// A searchable keyword field and its boost.
#[derive(Debug, Clone, Copy)]
pub struct KeywordField {
    /// The field.
    pub field: Field,
    /// Boost, on the same scale as the text fields'.
    pub boost: f32,
}

/// The text part of a search: the query every word must match, and the relaxed one
/// that also matches documents with only some words (`None` when relaxing cannot
/// change anything: a single word, or `"match": "all"`).
pub struct TextMatch {
    /// Every word required.
    pub strict: Box<dyn Query>,
    /// Most or any words.
    pub relaxed: Option<Box<dyn Query>>,
}

/// Builds text queries against one searcher (typo and prefix matches are expanded
/// against its term dictionaries, so run the query on the same searcher).
pub struct TextQuery<'a> {
    analyzer: &'a Analyzer,
    searcher: &'a Searcher,
    expander: Expander<'a>,
    /// Fields with their weight relative to the heaviest (0–1].
    fields: Vec<(WeightedField, f32)>,
    keywords: Vec<(Field, f32)>,
    fuzzy: Fuzzy,
    prefix: bool,
    matched: RefCell<MatchedTerms>,
    floor: Floor,
    sets: Option<Arc<MatchSets>>,
}

type Built = tantivy::Result<Option<Box<dyn Query>>>;

impl<'a> TextQuery<'a> {
    /// A builder searching `fields` (and the searchable `keywords`) with the given typo
    /// tolerance and prefix matching.
    pub fn new(
        analyzer: &'a Analyzer,
        searcher: &'a Searcher,
        fields: &[WeightedField],
        keywords: &[KeywordField],
        fuzzy: Fuzzy,
        prefix: bool,
    ) -> Self {
        let heaviest = fields
            .iter()
            .map(|f| f.boost)
            .chain(keywords.iter().map(|k| k.boost))
            .fold(0.0f32, f32::max);
        let relative = |boost: f32| {
            if heaviest > 0.0 {
                boost / heaviest
            } else {
                1.0
            }
        };
        TextQuery {
            analyzer,
            searcher,
            expander: Expander::new(searcher),
            fields: fields.iter().map(|f| (*f, relative(f.boost))).collect(),
            keywords: keywords
                .iter()
                .map(|k| (k.field, relative(k.boost)))
                .collect(),
            fuzzy,
            prefix,
            matched: RefCell::default(),
            floor: Floor::default(),
            sets: None,
        }
    }

    /// Shares `floor` with the collector, which raises it as the page fills: documents
    /// that cannot enter the page skip the ranking tiers' checks.
    pub fn with_floor(mut self, floor: Floor) -> Self {
        self.floor = floor;
        self
    }

    /// Keeps the documents of dense words in `sets` across searches (see `sets.rs`).
    pub fn with_sets(mut self, sets: Arc<MatchSets>) -> Self {
        self.sets = Some(sets);
        self
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
    pub fn build(&self, q: &str, matching: Matching) -> tantivy::Result<Option<TextMatch>> {
        let q = q.trim();
        if q.is_empty() || (self.fields.is_empty() && self.keywords.is_empty()) {
            return Ok(None);
        }
        if hangul::is_chosung_query(q) {
            return Ok(self.chosung_query(q)?.map(|q| TextMatch {
                strict: self.shared(Coverage::single(q)),
                relaxed: None,
            }));
        }
        let typed = self.typed(&QueryPlan::new(self.analyzer, q), matching)?;
        if !hangul::looks_like_wrong_layout(q) {
            return Ok(typed);
        }
        let converted = QueryPlan::new(self.analyzer, &hangul::qwerty_to_hangul(q));
        Ok(match (typed, self.typed(&converted, matching)?) {
            (Some(a), Some(b)) => Some(TextMatch {
                strict: best(vec![a.strict, b.strict]),
                relaxed: match (a.relaxed, b.relaxed) {
                    (Some(x), Some(y)) => Some(best(vec![x, y])),
                    (x, y) => x.or(y),
                },
            }),
            (a, b) => a.or(b),
        })
    }

    fn typed(&self, plan: &QueryPlan, matching: Matching) -> tantivy::Result<Option<TextMatch>> {
        if !plan.words.iter().any(|w| w.required) {
            return Ok(None);
        }
        let searched = plan.required().count();
        let whole = self.whole_query(plan, searched)?;
        let (synonyms, whole_synonyms) = self.synonyms(plan)?;
        let num_docs = self.searcher.num_docs().max(1) as f32;
        let mut words = Vec::with_capacity(searched);
        // Analyzed words so far, for their weights' decay by order.
        let mut position = 0;
        // Spans: what matches a stretch of the query as a whole, shared by the words it
        // covers (see `coverage.rs`) — the whole query covers every word.
        let mut spans: Vec<Box<dyn Query>> = Vec::new();
        let whole_span = whole.map(|whole| {
            spans.push(whole);
            spans.len() - 1
        });
        for (word, from_synonyms) in plan.words.iter().zip(synonyms) {
            if !word.required {
                continue;
            }
            // What matches the typed word as a whole covers each of its analyzed words.
            let misspelled = self.doubtful(word)?;
            let mut own_spans = self.word_spans(word, misspelled)?;
            own_spans.extend(from_synonyms);
            let mut covering: Vec<usize> = whole_span.into_iter().collect();
            // A misspelling the analyzer splits ("방탄소년딘" → 방탄 + 소년 + 딘) is one word:
            // its pieces together, scattered, or its own typo matches as a whole. As
            // words of their own, each piece would be sought and scored at every match.
            let one_word = misspelled && word.groups.len() > 1;
            // A word of one analyzed word has its spans among its own alternatives (one
            // disjunction is cheaper than a disjunction beside a span).
            if word.groups.len() > 1 && !one_word && !own_spans.is_empty() {
                spans.push(best(own_spans));
                covering.push(spans.len() - 1);
                own_spans = Vec::new();
            }
            let last_group = word.groups.len() - 1;
            let mut pieces = Vec::new();
            let mut weight = 0.0;
            for (k, group) in word.groups.iter().enumerate() {
                let as_prefix = self.prefix && word.last && k == last_group;
                let mut own = vec![self.group_query(group, as_prefix)?];
                own.extend(self.latin_split(group)?);
                // A synonym of the analyzed word itself, inside a glued typed word
                // ("BLACKPINK콘서트" → blackpink ↔ 블랙핑크).
                if word.is_split() {
                    for entry in self
                        .analyzer
                        .synonym_list()
                        .others(&whole_form(&group.whole[0]))
                    {
                        own.extend(self.entry_query(entry)?);
                    }
                }
                let doc_freq = self.group_doc_freq(group)? as f32;
                let idf = (1.0 + num_docs / (doc_freq + 1.0)).ln();
                let decayed = idf * ORDER_DECAY.powi(position);
                position += 1;
                if one_word {
                    pieces.push(best(own));
                    weight += decayed;
                    continue;
                }
                let own = best(own);
                let mut alternatives: Vec<Box<dyn Query>> = vec![if misspelled {
                    Box::new(BoostQuery::new(own, SCATTERED))
                } else {
                    own
                }];
                alternatives.extend(own_spans.iter().map(|q| q.box_clone()));
                words.push(CoverWord {
                    query: best(alternatives),
                    weight: decayed,
                    spans: covering.clone(),
                });
            }
            if one_word {
                let mut alternatives =
                    vec![Box::new(BoostQuery::new(self.mean(pieces), SCATTERED)) as Box<dyn Query>];
                alternatives.extend(own_spans);
                words.push(CoverWord {
                    query: best(alternatives),
                    weight,
                    spans: whole_span.into_iter().collect(),
                });
            }
        }
        let searched: Vec<&TypedWord> = plan.required().collect();
        let mut boosters = self.boosters(plan, &searched)?;
        if !whole_synonyms.is_empty() {
            boosters.push(Booster {
                query: best(whole_synonyms),
                tier: TIER_WHOLE,
            });
        }
        let relax = words.len() > 1 && matching != Matching::All;
        let coverage = |words, boosters, relaxed| {
            let spans = spans.iter().map(|q| q.box_clone()).collect();
            self.shared(Coverage::new(words, boosters, relaxed).with_spans(spans))
        };
        let strict = coverage(words.clone(), boosters.clone(), false);
        Ok(Some(if matching == Matching::Any && relax {
            TextMatch {
                strict: coverage(words, boosters, true),
                relaxed: None,
            }
        } else {
            TextMatch {
                strict,
                relaxed: relax.then(|| coverage(words, boosters, true)),
            }
        }))
    }

    /// Synonyms of runs of query words (spacing and case aside): for each word, the
    /// other entries of the groups a run covering it spells; and whole-value matches of
    /// the entries a run covering the whole query spells (they earn the whole tier).
    #[allow(clippy::type_complexity)]
    fn synonyms(
        &self,
        plan: &QueryPlan,
    ) -> tantivy::Result<(Vec<Vec<Box<dyn Query>>>, Vec<Box<dyn Query>>)> {
        let list = self.analyzer.synonym_list();
        let n = plan.words.len();
        let mut per_word: Vec<Vec<Box<dyn Query>>> = (0..n).map(|_| Vec::new()).collect();
        let mut whole = Vec::new();
        if list.is_empty() {
            return Ok((per_word, whole));
        }
        for a in 0..n {
            for b in a + 1..=n.min(a + MAX_ENTRY_WORDS) {
                let text: String = plan.words[a..b].iter().map(|w| w.text.as_str()).collect();
                for entry in list.others(&whole_form(&text)) {
                    let Some(query) = self.entry_query(entry)? else {
                        continue;
                    };
                    for alternatives in &mut per_word[a..b] {
                        alternatives.push(query.box_clone());
                    }
                    if a == 0 && b == n {
                        whole.extend(self.fields.iter().filter_map(|(f, _)| {
                            let field = f.whole?;
                            Some(Box::new(TermQuery::new(
                                Term::from_field_text(field, &whole_form(entry)),
                                IndexRecordOption::Basic,
                            )) as Box<dyn Query>)
                        }));
                    }
                }
            }
        }
        Ok((per_word, whole))
    }

    /// A synonym entry as exact terms: its word (or its words adjacent and in order), or
    /// a whole value spelling it.
    fn entry_query(&self, entry: &str) -> Built {
        let plan = QueryPlan::new(self.analyzer, entry);
        let groups: Vec<Group> = plan
            .words
            .iter()
            .flat_map(|w| w.groups.iter().cloned())
            .collect();
        let mut alternatives: Vec<Box<dyn Query>> = match groups.as_slice() {
            [] => return Ok(None),
            [one] => one.whole.iter().flat_map(|t| self.exact_terms(t)).collect(),
            _ => self.phrases(&groups, 1),
        };
        let form = whole_form(entry);
        for (f, w) in &self.fields {
            if let Some(whole) = f.whole {
                alternatives.push(Box::new(AnyTerm::new(
                    whole,
                    vec![Term::from_field_text(whole, &form)],
                    Band::Exact.score(*w),
                )));
            }
        }
        Ok((!alternatives.is_empty()).then(|| best(alternatives)))
    }

    /// `term` exactly, in every searched field (BM25 in the exact band).
    fn exact_terms(&self, term: &str) -> Vec<Box<dyn Query>> {
        self.fields
            .iter()
            .map(|(f, w)| {
                let term = Term::from_field_text(f.main, term);
                self.matched.borrow_mut().extend([term.clone()]);
                Box::new(ExactQuery::term(term, *w, self.sets.clone())) as Box<dyn Query>
            })
            .collect()
    }

    /// The most documents any searched field has one of the group's terms in (0 for a
    /// word the index does not have, e.g. a misspelling).
    fn group_doc_freq(&self, group: &Group) -> tantivy::Result<u64> {
        let mut most = 0;
        for term in &group.whole {
            most = most.max(self.doc_freq(term)?);
        }
        Ok(most)
    }

    /// Whether the analysis of a typed word is doubtful: it split the word or dropped
    /// letters other than a particle or ending at its end ("나훈어" → 나 + 훈,
    /// "내한공연" → 공연), and the index has the word as typed, or terms a typo or a
    /// swap away from it; or, for the word being typed, the analysis dropped its last
    /// letters and the index has terms continuing it ("콘서" → 콘, but 콘서트), or one
    /// term continues the whole word ("방탄소" → 방탄 + 소, but 방탄소년단). The word is
    /// then more likely misspelled, unfinished or mis-segmented than glued or inflected,
    /// and its analyzed words match only at a [`SCATTERED`] share of their scores ("나"
    /// and "훈" somewhere in a document are no match for "나훈어").
    ///
    /// A whole value or word start continuing a fully analyzed word proves nothing:
    /// "아이유콘서트" begins the title "아이유 콘서트 2024" because it is two words glued,
    /// and it is matched as those words (its prefix matches on whole values stay).
    fn doubtful(&self, word: &TypedWord) -> tantivy::Result<bool> {
        let analyzed: String = word
            .groups
            .iter()
            .map(|g| hangul::to_jamo(&g.whole[0]))
            .collect();
        let typing = self.prefix && word.last;
        let ending_dropped = !word.is_split() && word.jamo.starts_with(&analyzed);
        if ending_dropped && analyzed.len() == word.jamo.len() {
            return Ok(false);
        }
        if ending_dropped {
            // Only a half-typed word can be doubted: "아이유가" is 아이유 + a particle.
            return Ok(typing && self.continues(&word.jamo)?);
        }
        let distance = self.fuzzy.distance(word.stem.chars().count());
        let swaps = word.swaps();
        for (f, _) in &self.fields {
            for field in f.surface() {
                let has = |form: &str| -> tantivy::Result<bool> {
                    Ok(self
                        .searcher
                        .doc_freq(&Term::from_field_text(field, form))?
                        > 0)
                };
                if has(&word.stem)?
                    || (distance > 0
                        && !self.expander.typos(field, &word.stem, distance)?.is_empty())
                    || (typing
                        && (field == f.jamo || word.stem != word.jamo)
                        && !self.expander.prefixed(field, &word.jamo)?.is_empty())
                {
                    return Ok(true);
                }
                for swap in &swaps {
                    if has(swap)? {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }

    /// Whether some indexed term or word-start form continues `jamo` (longer than it).
    fn continues(&self, jamo: &str) -> tantivy::Result<bool> {
        for (f, _) in &self.fields {
            for field in f.surface() {
                if self
                    .expander
                    .prefixed(field, jamo)?
                    .iter()
                    .any(|t| t.value().as_str().is_some_and(|t| t.len() > jamo.len()))
                {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// What matches a typed word as a whole: its analyzed words adjacent and in order,
    /// and its surface matches.
    /// The phrase is only needed when the word is doubtful: otherwise its analyzed words
    /// score fully apart, and adjacency earns its tier through the booster. It is read
    /// in the heaviest name-like field only: other name fields match the typed word
    /// through their whole values and word starts, and a phrase of common words in a
    /// field that never holds them adjacent (a description) scans every document with
    /// both words before it knows.
    fn word_spans(&self, word: &TypedWord, doubtful: bool) -> tantivy::Result<Vec<Box<dyn Query>>> {
        let mut spans = if doubtful {
            self.phrases_in(&word.groups, 1, true)
        } else {
            Vec::new()
        };
        spans.extend(self.surface_matches(word, self.prefix && word.last)?);
        Ok(spans)
    }

    /// One analyzed word: its terms (with typo and prefix matches), its parts, and the
    /// searchable keyword values equal to it.
    fn group_query(&self, group: &Group, as_prefix: bool) -> tantivy::Result<Box<dyn Query>> {
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
            alternatives.push(self.mean(parts));
        }
        for (field, w) in &self.keywords {
            let terms: Vec<Term> = group
                .whole
                .iter()
                .map(|t| Term::from_field_text(*field, t))
                .collect();
            // The middle of the exact band: a keyword says less than a name in the text.
            alternatives.push(Box::new(AnyTerm::new(
                *field,
                terms,
                Band::Exact.score(*w * 0.5),
            )));
        }
        Ok(best(alternatives))
    }

    /// The word as typed, in jamo, near the indexed terms and whole values: typos,
    /// prefixes and swapped syllables. Empty when the typed form is the analyzed term.
    fn surface_matches(
        &self,
        word: &TypedWord,
        as_prefix: bool,
    ) -> tantivy::Result<Vec<Box<dyn Query>>> {
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        // A word being typed whose letters continue indexed terms is unfinished, not a
        // stem and a particle ("콘서" is 콘서트 half typed, not 콘 + 서).
        let stem = if as_prefix && word.stem != word.jamo && self.continues(&word.jamo)? {
            &word.jamo
        } else {
            &word.stem
        };
        // The whole value equal to the word ("IU", "아이유" as an artist).
        for (f, w) in &self.fields {
            if let Some(whole) = f.whole {
                alternatives.push(Box::new(AnyTerm::new(
                    whole,
                    vec![Term::from_field_text(whole, stem)],
                    Band::Exact.score(*w),
                )));
            }
        }
        let analyzed_alike = !word.is_split()
            && word.stem == word.jamo
            && word.groups[0]
                .whole
                .iter()
                .any(|t| hangul::to_jamo(t) == word.jamo);
        if analyzed_alike {
            return Ok(alternatives);
        }
        // The word as typed (without a trailing particle), exactly, as an indexed term
        // or the start of a word in a name ("내한공연을" → 내한공연, which the analyzer
        // reads as 공연).
        for (f, w) in &self.fields {
            for field in f.surface() {
                alternatives.push(Box::new(self.constant(
                    field,
                    vec![Term::from_field_text(field, stem)],
                    Band::Exact.score(*w),
                )));
            }
        }
        let typos = !self.is_common_jamo(stem)?;
        alternatives.extend(self.loose_matches(stem, false, None, typos, true)?);
        // What looked like an ending may be a mistyped last syllable ("나훈어" read as
        // 나훈 + 어): the whole word gets its typo matches too, and while typed, its
        // prefix matches.
        let whole_typos = stem != &word.jamo && !self.is_common_jamo(&word.jamo)?;
        if as_prefix || whole_typos {
            alternatives.extend(self.loose_matches(
                &word.jamo,
                as_prefix,
                None,
                whole_typos,
                true,
            )?);
        }
        if typos && self.fuzzy != Fuzzy::Off {
            alternatives.extend(self.swapped(&word.swaps(), false));
        }
        Ok(alternatives)
    }

    /// Exact matches of syllable-swapped forms (see [`swaps`]) in the whole-value form
    /// (and, unless `whole_only`, the jamo form), in the one-typo band.
    fn swapped(&self, forms: &[String], whole_only: bool) -> Vec<Box<dyn Query>> {
        if forms.is_empty() {
            return Vec::new();
        }
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for (f, w) in &self.fields {
            let jamo = (!whole_only).then_some(f.jamo);
            let starts = f.starts.filter(|_| !whole_only);
            for field in jamo.into_iter().chain(f.whole).chain(starts) {
                let terms: Vec<Term> = forms
                    .iter()
                    .map(|s| Term::from_field_text(field, s))
                    .collect();
                alternatives.push(Box::new(self.constant(field, terms, Band::Typo1.score(*w))));
            }
        }
        alternatives
    }

    /// A glued Latin word the index does not have, split into two words it has
    /// ("taylorswift" → taylor + swift): both must match.
    fn latin_split(&self, group: &Group) -> tantivy::Result<Vec<Box<dyn Query>>> {
        let term = &group.whole[0];
        let n = term.len();
        if !(4..=MAX_SPLIT_LEN).contains(&n)
            || !term
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            || self.doc_freq(term)? > 0
        {
            return Ok(Vec::new());
        }
        let mut best_split: Option<(u64, usize)> = None;
        for cut in 2..=n - 2 {
            let (a, b) = term.split_at(cut);
            let least = self.doc_freq(a)?.min(self.doc_freq(b)?);
            if least > 0 && best_split.is_none_or(|(f, _)| least > f) {
                best_split = Some((least, cut));
            }
        }
        let Some((_, cut)) = best_split else {
            return Ok(Vec::new());
        };
        let (a, b) = term.split_at(cut);
        let parts = vec![self.term_query(a, false)?, self.term_query(b, false)?];
        let mut alternatives = vec![self.mean(parts)];
        let groups = [a, b].map(|t| Group {
            whole: vec![t.to_string()],
            position: 0,
            ..Group::default()
        });
        let mut groups = groups.to_vec();
        groups[1].position = 1;
        alternatives.extend(self.phrases(&groups, 0));
        Ok(alternatives)
    }

    /// The most documents any searched text field has `term` in.
    fn doc_freq(&self, term: &str) -> tantivy::Result<u64> {
        let mut most = 0;
        for (f, _) in &self.fields {
            most = most.max(
                self.searcher
                    .doc_freq(&Term::from_field_text(f.main, term))?,
            );
        }
        Ok(most)
    }

    /// The words of `groups` adjacent and in order in one field, scored in the exact
    /// band (BM25 of the phrase); nothing for fewer than two words.
    fn phrases(&self, groups: &[Group], slop: u32) -> Vec<Box<dyn Query>> {
        self.phrases_in(groups, slop, false)
    }

    /// [`Self::phrases`], in the heaviest name-like field only (`names_only`: a title or
    /// subject, with whole-value forms) — where word order is a name's, and positions are
    /// cheap to read; other name fields are short enough for the whole-value tier.
    fn phrases_in(&self, groups: &[Group], slop: u32, names_only: bool) -> Vec<Box<dyn Query>> {
        if groups.len() < 2 {
            return Vec::new();
        }
        let first = groups[0].position;
        self.fields
            .iter()
            .filter(|(f, w)| !names_only || (f.whole.is_some() && *w >= 1.0))
            .map(|(f, w)| {
                let terms: Vec<(usize, Term)> = groups
                    .iter()
                    .map(|g| {
                        (
                            g.position - first,
                            Term::from_field_text(f.main, &g.whole[0]),
                        )
                    })
                    .collect();
                self.matched
                    .borrow_mut()
                    .extend(terms.iter().map(|(_, t)| t.clone()));
                let phrase = PhraseQuery::new_with_offset_and_slop(terms, slop);
                Box::new(ExactQuery::new(Box::new(phrase), *w)) as Box<dyn Query>
            })
            .collect()
    }

    /// The whole query as a whole field value: exact (the top of the exact band), as a
    /// prefix, or with typos. `None` for a one-word query (its own surface matches
    /// include this) or a query too short to be a name.
    fn whole_query(&self, plan: &QueryPlan, words: usize) -> Built {
        if words < 2 || plan.whole.is_empty() {
            return Ok(None);
        }
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for (f, w) in &self.fields {
            if let Some(whole) = f.whole {
                alternatives.push(Box::new(AnyTerm::new(
                    whole,
                    vec![Term::from_field_text(whole, &plan.whole)],
                    Band::Exact.score(*w),
                )));
            }
        }
        if alternatives.is_empty() {
            return Ok(None);
        }
        // Typos of the whole only when a word is unknown to the index as analyzed: a query
        // of known words is spelled right, and a distance-2 automaton over a long whole
        // form is the costliest part of a query.
        let mut unknown = false;
        for group in plan
            .words
            .iter()
            .filter(|w| w.required)
            .flat_map(|w| &w.groups)
        {
            unknown |= self.group_doc_freq(group)? == 0;
        }
        let typos = self.fuzzy != Fuzzy::Off && unknown;
        alternatives.extend(self.whole_loose(&plan.whole, self.prefix, typos)?);
        if typos {
            alternatives.extend(self.swapped(&swaps(&plan.text), true));
        }
        Ok(Some(best(alternatives)))
    }

    /// The typo budget of a jamo-form word (0 when `typos` is off for it).
    fn distance(&self, jamo: &str, typos: bool) -> u8 {
        if typos {
            self.fuzzy.distance(jamo.chars().count())
        } else {
            0
        }
    }

    /// Prefix and typo matches of a whole-value form.
    fn whole_loose(
        &self,
        jamo: &str,
        prefix: bool,
        typos: bool,
    ) -> tantivy::Result<Vec<Box<dyn Query>>> {
        let distance = self.distance(jamo, typos);
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for (f, w) in &self.fields {
            let Some(whole) = f.whole else { continue };
            self.push_loose(&mut alternatives, whole, jamo, *w, distance, prefix, None)?;
        }
        Ok(alternatives)
    }

    /// Tier boosters: the whole query as a whole value, and every word adjacent and in
    /// order in one field.
    fn boosters(&self, plan: &QueryPlan, searched: &[&TypedWord]) -> tantivy::Result<Vec<Booster>> {
        let mut boosters = Vec::new();
        if !plan.whole.is_empty() {
            let exact: Vec<Box<dyn Query>> = self
                .fields
                .iter()
                .filter_map(|(f, _)| f.whole)
                .map(|whole| {
                    Box::new(TermQuery::new(
                        Term::from_field_text(whole, &plan.whole),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>
                })
                .collect();
            if !exact.is_empty() {
                boosters.push(Booster {
                    query: best(exact),
                    tier: TIER_WHOLE,
                });
            }
        }
        let groups: Vec<Group> = searched
            .iter()
            .flat_map(|w| w.groups.iter().cloned())
            .collect();
        let phrases = self.phrases_in(&groups, PHRASE_SLOP, true);
        if !phrases.is_empty() {
            boosters.push(Booster {
                query: best(phrases),
                tier: TIER_PHRASE,
            });
        }
        Ok(boosters)
    }

    /// Every one of `parts`, scoring the mean of their scores. A dense part is probed
    /// through its kept match set (see `probe.rs`).
    fn mean(&self, mut parts: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        if parts.len() == 1 {
            return parts.pop().expect("one part");
        }
        let n = parts.len() as f32;
        let clause = |q: Box<dyn Query>| -> (Occur, Box<dyn Query>) {
            match &self.sets {
                Some(sets) if sets.enabled() => {
                    (Occur::Must, Box::new(Kept::piece(q, sets.clone())))
                }
                _ => (Occur::Must, q),
            }
        };
        let all = BooleanQuery::new(parts.into_iter().map(clause).collect());
        Box::new(BoostQuery::new(Box::new(all), 1.0 / n))
    }

    /// `coverage` sharing the collector's floor and the engine's match sets.
    fn shared(&self, coverage: Coverage) -> Box<dyn Query> {
        let mut coverage = coverage.with_floor(self.floor.clone());
        if let Some(sets) = &self.sets {
            coverage = coverage.with_sets(sets.clone());
        }
        Box::new(coverage)
    }

    fn chosung_query(&self, q: &str) -> Built {
        let initials: String = q.chars().filter(|c| !c.is_whitespace()).collect();
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for (f, w) in &self.fields {
            let Some(chosung) = f.chosung else {
                continue;
            };
            // The initials of a name from one of its later words ("ㅎㅇㄷ" in 지킬 앤 하이드).
            if let Some(starts) = f.starts {
                let exact = Term::from_field_text(starts, &initials);
                alternatives.push(Box::new(self.constant(
                    starts,
                    vec![exact.clone()],
                    Band::Prefix.score(*w),
                )));
                let completions = self.expander.prefixed(starts, &initials)?;
                if !completions.is_empty() {
                    let completions = self
                        .constant(starts, completions, Band::Typo1.score(*w))
                        .dominated_by(exact.clone(), exact);
                    alternatives.push(Box::new(completions));
                }
            }
            let exact = Term::from_field_text(chosung, &initials);
            alternatives.push(Box::new(self.constant(
                chosung,
                vec![exact.clone()],
                Band::Prefix.score(*w),
            )));
            let completions = self.expander.prefixed(chosung, &initials)?;
            if !completions.is_empty() {
                // The completions include the initials themselves, which the exact
                // alternative above already matches with a higher score.
                let completions = self
                    .constant(chosung, completions, Band::Typo1.score(*w))
                    .dominated_by(exact.clone(), exact);
                alternatives.push(Box::new(completions));
            }
        }
        Ok((!alternatives.is_empty()).then(|| best(alternatives)))
    }

    fn term_query(&self, term: &str, prefix: bool) -> tantivy::Result<Box<dyn Query>> {
        let mut alternatives = self.exact_terms(term);
        let typos = !self.is_common(term)?;
        alternatives.extend(self.loose_matches(
            &hangul::to_jamo(term),
            prefix,
            Some(term),
            typos,
            false,
        )?);
        if typos && self.fuzzy != Fuzzy::Off {
            alternatives.extend(self.swapped(&swaps(term), false));
        }
        Ok(best(alternatives))
    }

    /// Whether `term` is common in some searched field (see the module documentation).
    fn is_common(&self, term: &str) -> tantivy::Result<bool> {
        let most = self.doc_freq(term)?;
        Ok(most >= COMMON_TERM_MIN_DOCS && most * COMMON_TERM_SHARE >= self.searcher.num_docs())
    }

    /// [`Self::is_common`] for a jamo-form word.
    fn is_common_jamo(&self, jamo: &str) -> tantivy::Result<bool> {
        self.is_common(&hangul::from_jamo(jamo))
    }

    /// Typo (if `typos`: the word is not common) and prefix matches of a jamo-form word
    /// in every field's jamo form (and whole-value form, if `whole`). `exact`: the word's analyzed form when
    /// its exact matches are alternatives of the same disjunction-max (they outscore the
    /// word's own jamo form among the prefix matches).
    fn loose_matches(
        &self,
        jamo: &str,
        prefix: bool,
        exact: Option<&str>,
        typos: bool,
        whole: bool,
    ) -> tantivy::Result<Vec<Box<dyn Query>>> {
        let distance = self.distance(jamo, typos);
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for (f, w) in &self.fields {
            let dominated = exact.map(|e| Term::from_field_text(f.main, e));
            self.push_loose(
                &mut alternatives,
                f.jamo,
                jamo,
                *w,
                distance,
                prefix,
                dominated,
            )?;
            if whole {
                for field in f.whole.into_iter().chain(f.starts) {
                    self.push_loose(&mut alternatives, field, jamo, *w, distance, prefix, None)?;
                }
            } else if prefix
                && typos
                && let Some(starts) = f.starts
            {
                // A word being typed also continues a word of a name whatever its
                // segmentation ("재공" → 재공연, read as 재 + 공연). Not a word common
                // in the index ("공연", "콘서트"): its documents have it as a term, and
                // the names continuing it are many distinct tails (up to the expansion
                // cap), each a postings list read at every candidate.
                self.push_loose(&mut alternatives, starts, jamo, *w, 0, true, None)?;
            }
        }
        Ok(alternatives)
    }

    #[allow(clippy::too_many_arguments)]
    fn push_loose(
        &self,
        alternatives: &mut Vec<Box<dyn Query>>,
        field: Field,
        jamo: &str,
        w: f32,
        distance: u8,
        prefix: bool,
        exact: Option<Term>,
    ) -> tantivy::Result<()> {
        if distance > 0 {
            let typos = self.expander.typos(field, jamo, distance)?;
            for d in 1..=distance {
                let terms: Vec<Term> = typos
                    .iter()
                    .filter(|(_, td)| *td == d)
                    .map(|(t, _)| t.clone())
                    .collect();
                if !terms.is_empty() {
                    alternatives.push(Box::new(self.constant(
                        field,
                        terms,
                        Band::typo(d).score(w),
                    )));
                }
            }
        }
        if prefix && jamo.chars().count() >= MIN_PREFIX_JAMO {
            let completions = self.expander.prefixed(field, jamo)?;
            if !completions.is_empty() {
                let mut completions = self.constant(field, completions, Band::Prefix.score(w));
                if let Some(exact) = exact {
                    completions =
                        completions.dominated_by(Term::from_field_text(field, jamo), exact);
                }
                alternatives.push(Box::new(completions));
            }
        }
        Ok(())
    }
}

/// Matches what any alternative matches, scoring the best alternative's score.
fn best(mut alternatives: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if alternatives.len() == 1 {
        return alternatives.pop().expect("one alternative");
    }
    Box::new(BestOf::new(alternatives))
}

#[cfg(test)]
mod tests;
