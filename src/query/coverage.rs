//! [`Coverage`]: how the words of a query combine into a document's score, and the
//! ranking tiers that order whole classes of matches before any score comparison.
//!
//! Each query word is one query scoring 0–1 (the best of its matches, see `score.rs`).
//!
//! - **Strict** (every word must match): the score is the mean of the words' scores,
//!   as it always was.
//! - **Relaxed** (`"match": "most"` once the strict query has run out of hits, or
//!   `"any"`): a document matching some words also matches. Its score is the share of
//!   the query it covers, `Σ wᵢ·sᵢ / Σ wᵢ` over the words it matches (`wᵢ`: the word's
//!   weight, higher for rare words and for words typed first), so a document with the
//!   rare name and not the filler word outranks one with the filler word alone; a word no
//!   document has weighs nothing. Only
//!   documents containing one of the query's selective words (in at most 1 in
//!   [`PIVOT_SHARE`] documents, when there is one) are candidates, which bounds the work
//!   of a relaxed broad query.
//!
//! Ranking tiers (the ranking rules, in order): a document matching every word ranks
//! above every document matching only some (*words*); among full matches, one whose
//! field holds the whole query as its whole value ranks first, then one holding the
//! query's words adjacent and in order (*exactness*, *proximity*); within a tier, the
//! score decides (typos, field weight and BM25 are folded into it by its bands). The
//! tier is carried in the score handed to the collectors, `TIER_STRIDE · tier + score`,
//! and [`shown`] recovers the 0–1 score for `min_score` and the response.
//!
//! What matches a stretch of the query as a whole — a typed word's own forms covering
//! its analyzed words ("여름공연" as typed covers 여름 and 공연), the whole query as a whole
//! value — is a *span*: one query, evaluated once per document, that satisfies every word
//! it covers (scoring for each its own score if higher). Spans are shared, not cloned into
//! each word, so a document is sought in them once.
//!
//! Checking a tier costs a seek per booster, and a phrase booster reads positions. A
//! broad query has thousands of full matches and a page of ten, so the collector shares
//! a [`Floor`] with the scorers: the lowest collected score that can still enter the
//! page. A full match whose mean cannot reach it even in a booster's tier skips that
//! booster's check (its collected score stays below the floor, so it is dropped as it
//! would have been; its shown score is the same).

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::sets::{DENSE_SHARE, DocBits, DocBitsCursor, MatchSets, TieBlocks};
use super::union::BestOfScorer;

/// Distance between two tiers in a collected score (scores run 0–1 within a tier).
pub const TIER_STRIDE: Score = 2.0;
/// In a relaxed query, words in more than 1 in this many documents of the index do not
/// make a document a candidate on their own.
pub const PIVOT_SHARE: u32 = 20;

/// Tier of a document matching only some words.
pub const TIER_PARTIAL: u8 = 0;
/// Tier of a document matching every word.
pub const TIER_ALL: u8 = 1;
/// Every word, adjacent and in order in one field.
pub const TIER_PHRASE: u8 = 2;
/// A field's whole value is the whole query.
pub const TIER_WHOLE: u8 = 3;

/// The highest score of a partial match: it never shows as a perfect one.
const PARTIAL_MAX: Score = 0.999;

/// The collected score of a document in `tier` scoring `score` (0–1), partial matches
/// capped at [`PARTIAL_MAX`].
fn tiered(tier: u8, score: Score) -> Score {
    if tier == TIER_PARTIAL {
        ranked(tier, score.min(PARTIAL_MAX))
    } else {
        ranked(tier, score)
    }
}

/// The collected score of a document in `tier` scoring `score` (0–1).
pub fn ranked(tier: u8, score: Score) -> Score {
    TIER_STRIDE * Score::from(tier) + score
}

/// The 0–1 score of a collected score (see [`ranked`]).
pub fn shown(ranked: Score) -> Score {
    if ranked < TIER_STRIDE {
        ranked
    } else {
        // The tier, as `floor().max(0.0)` would give it (scores are far below 2³², and
        // the cast truncates like floor on positives and saturates negatives to 0),
        // without a libm call: every collected document goes through here.
        let tier = (ranked / TIER_STRIDE) as u32 as Score;
        ranked - TIER_STRIDE * tier
    }
}

/// The lowest collected score that can still enter the page (0 until the page is
/// full), raised by the collector and read by the [`Coverage`] scorers. Shared by the
/// segments of one search: a score below the k-th best of one segment is below the
/// k-th best of all.
///
/// Once the collector has counted the request's `track_total_hits`, it also lets the
/// scorers *skip* documents that cannot reach the floor: they are then neither ranked
/// nor counted.
///
/// When the page is ranked by score alone, the floor also holds the tiebreak key of the
/// worst hit at that score: a document scoring exactly the floor enters only with a
/// smaller key.
#[derive(Debug, Clone, Default)]
pub struct Floor(Arc<FloorState>);

#[derive(Debug)]
struct FloorState {
    score: AtomicU32,
    /// The worst hit's tiebreak key at `score` (`u64::MAX`: unknown, any tie may enter).
    tie: AtomicU64,
    /// Serialises raises, so that `tie` belongs to `score`.
    raising: Mutex<()>,
    /// Documents the collector has counted, for its cap.
    counted: AtomicU64,
    skipping: AtomicBool,
    /// The request's `min_score` (0–1): a document scoring less is dropped whatever the
    /// floor (`Score::MIN`: not known).
    min: Score,
}

impl Default for FloorState {
    fn default() -> Self {
        FloorState {
            min: Score::MIN,
            score: AtomicU32::new(0),
            tie: AtomicU64::new(u64::MAX),
            raising: Mutex::new(()),
            counted: AtomicU64::new(0),
            skipping: AtomicBool::new(false),
        }
    }
}

impl Floor {
    /// A floor for a search that drops documents scoring below `min_score` (0–1).
    pub fn with_min_score(min_score: Score) -> Self {
        Floor(Arc::new(FloorState {
            min: min_score,
            ..FloorState::default()
        }))
    }

    /// The current floor.
    pub fn get(&self) -> Score {
        f32::from_bits(self.0.score.load(Ordering::Acquire))
    }

    /// The current floor and the tiebreak key a document scoring exactly the floor must
    /// be below to enter (`u64::MAX`: unknown).
    pub fn get_with_tie(&self) -> (Score, u64) {
        // The key is stored before the score it belongs to, and read after: a key read
        // with an older score is one of a higher floor, which is stricter than needed
        // for that score only where no document can enter anyway.
        let score = self.get();
        (score, self.0.tie.load(Ordering::Relaxed))
    }

    /// Raises the floor to `score` (never lowers it).
    pub fn raise(&self, score: Score) {
        self.raise_with_tie(score, u64::MAX);
    }

    /// Raises the floor to `score`, the worst hit's, whose tiebreak key is `tie`
    /// (`u64::MAX` when the page is not ranked by score alone).
    pub fn raise_with_tie(&self, score: Score, tie: u64) {
        let current = self.get();
        if score <= 0.0
            || score < current
            || (score == current && tie >= self.0.tie.load(Ordering::Relaxed))
        {
            return;
        }
        let _raising = self
            .0
            .raising
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = self.get();
        if score > current {
            self.0.tie.store(tie, Ordering::Relaxed);
            self.0.score.store(score.to_bits(), Ordering::Release);
        } else if score == current {
            self.0.tie.fetch_min(tie, Ordering::Relaxed);
        }
    }

    /// Adds `n` documents to the search's count; returns the count.
    pub fn count(&self, n: u64) -> u64 {
        self.0.counted.fetch_add(n, Ordering::Relaxed) + n
    }

    /// The request's `min_score` (`Score::MIN` when not known).
    pub fn min_score(&self) -> Score {
        self.0.min
    }

    /// Whether documents below the floor may be skipped (the count is capped).
    pub fn skipping(&self) -> bool {
        self.0.skipping.load(Ordering::Relaxed)
    }

    /// From now on, documents below the floor may be skipped.
    pub fn start_skipping(&self) {
        self.0.skipping.store(true, Ordering::Relaxed);
    }

    /// Back to 0, counting every document, for another run of the same query.
    pub fn reset(&self) {
        self.0.score.store(0, Ordering::Relaxed);
        self.0.tie.store(u64::MAX, Ordering::Relaxed);
        self.0.counted.store(0, Ordering::Relaxed);
        self.0.skipping.store(false, Ordering::Relaxed);
    }
}

/// One word of the query: what matches it, and its weight in a partial match.
pub struct CoverWord {
    /// The word's own matches, scoring 0–1.
    pub query: Box<dyn Query>,
    /// Weight among the words (relaxed matching only).
    pub weight: f32,
    /// The spans (indexes into [`Coverage::with_spans`]'s list) that also match it.
    pub spans: Vec<usize>,
}

impl Clone for CoverWord {
    fn clone(&self) -> Self {
        CoverWord {
            query: self.query.box_clone(),
            weight: self.weight,
            spans: self.spans.clone(),
        }
    }
}

/// Lifts a full match to `tier` when `query` matches the document too.
pub struct Booster {
    /// The condition.
    pub query: Box<dyn Query>,
    /// The tier it earns.
    pub tier: u8,
}

impl Clone for Booster {
    fn clone(&self) -> Self {
        Booster {
            query: self.query.box_clone(),
            tier: self.tier,
        }
    }
}

/// The words of a query, combined strictly or relaxed (see the module documentation).
pub struct Coverage {
    words: Vec<CoverWord>,
    spans: Vec<Box<dyn Query>>,
    boosters: Vec<Booster>,
    relaxed: bool,
    floor: Option<Floor>,
    sets: Option<Arc<MatchSets>>,
}

impl Clone for Coverage {
    fn clone(&self) -> Self {
        Coverage {
            words: self.words.clone(),
            spans: self.spans.iter().map(|q| q.box_clone()).collect(),
            boosters: self.boosters.clone(),
            relaxed: self.relaxed,
            floor: self.floor.clone(),
            sets: self.sets.clone(),
        }
    }
}

impl fmt::Debug for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coverage")
            .field("words", &self.words.len())
            .field("spans", &self.spans.len())
            .field("boosters", &self.boosters.len())
            .field("relaxed", &self.relaxed)
            .finish()
    }
}

impl Coverage {
    /// Every word must match (`relaxed` false), or any may (`relaxed` true).
    pub fn new(words: Vec<CoverWord>, boosters: Vec<Booster>, relaxed: bool) -> Self {
        Coverage {
            words,
            spans: Vec::new(),
            boosters,
            relaxed,
            floor: None,
            sets: None,
        }
    }

    /// Reads dense words into sets kept in `sets` (see `sets.rs`).
    pub fn with_sets(mut self, sets: Arc<MatchSets>) -> Self {
        self.sets = Some(sets).filter(|s| s.enabled());
        self
    }

    /// The spans the words' [`CoverWord::spans`] point into.
    pub fn with_spans(mut self, spans: Vec<Box<dyn Query>>) -> Self {
        self.spans = spans;
        self
    }

    /// Skips the tier checks of documents that cannot reach `floor` (see the module
    /// documentation).
    pub fn with_floor(mut self, floor: Floor) -> Self {
        self.floor = Some(floor);
        self
    }

    /// One query whose matches are all full matches (tier [`TIER_ALL`]).
    pub fn single(query: Box<dyn Query>) -> Self {
        let word = CoverWord {
            query,
            weight: 1.0,
            spans: Vec::new(),
        };
        Coverage::new(vec![word], Vec::new(), false)
    }
}

impl Query for Coverage {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let spans = self
            .spans
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut words = self
            .words
            .iter()
            .map(|w| {
                Ok(WordWeight {
                    own: w.query.weight(enable_scoring)?,
                    bound: super::union::bound(w.query.as_ref()),
                    weight: w.weight,
                    spans: w.spans.clone(),
                    pivot: true,
                    // One word has nothing to intersect with: its scorer walks its
                    // matches anyway.
                    digest: self
                        .sets
                        .as_ref()
                        .filter(|_| self.words.len() > 1)
                        .map(|_| super::sets::digest(w.query.as_ref())),
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        if self.relaxed
            && let Some(searcher) = enable_scoring.searcher()
        {
            // How many documents each span and word can match in the whole index. A word
            // no document has ("표" in "나훈아 콘서트 표 있어요") cannot tell documents
            // apart: it weighs nothing in a partial match's share. Which words make
            // candidates is decided on the whole index too, so that the answer does not
            // depend on how the documents happen to be split into segments.
            let mut span_costs = vec![0u64; spans.len()];
            let mut word_costs = vec![0u64; words.len()];
            let mut max_doc = 0u64;
            for reader in searcher.segment_readers() {
                max_doc += u64::from(reader.max_doc());
                let cost = |weight: &dyn Weight| -> tantivy::Result<u64> {
                    let scorer = weight.scorer(reader, 1.0)?;
                    Ok(if scorer.doc() == TERMINATED {
                        0
                    } else {
                        scorer.cost().max(1)
                    })
                };
                for (total, span) in span_costs.iter_mut().zip(&spans) {
                    *total += cost(span.as_ref())?;
                }
                for (total, word) in word_costs.iter_mut().zip(&words) {
                    *total += cost(word.own.as_ref())?;
                }
            }
            let selective = max_doc / u64::from(PIVOT_SHARE);
            let costs: Vec<u64> = words
                .iter()
                .zip(&word_costs)
                .map(|(word, own)| own + word.spans.iter().map(|&j| span_costs[j]).sum::<u64>())
                .collect();
            let any_selective = costs.iter().any(|&c| c > 0 && c <= selective);
            for (word, &cost) in words.iter_mut().zip(&costs) {
                if cost == 0 {
                    word.weight = 0.0;
                }
                word.pivot = !any_selective || cost <= selective;
            }
            // One word with documents ("콘서트" in "콘서트 표 있어요", where no document
            // has 표): every match is that word alone, scored by it alone. It is searched
            // as a lone word is — bounded by the floor, ties skipped — and ranked as
            // the partial match it is.
            let mut live = costs.iter().enumerate().filter(|(_, c)| **c > 0);
            if let (Some((only, _)), None) = (live.next(), live.next()) {
                let mut word = words.swap_remove(only);
                word.digest = None;
                return Ok(Box::new(CoverageWeight {
                    words: vec![word],
                    spans,
                    boosters: Vec::new(),
                    relaxed: false,
                    full_tier: TIER_PARTIAL,
                    floor: self.floor.clone(),
                    sets: self.sets.clone(),
                }));
            }
        }
        let boosters = self
            .boosters
            .iter()
            .map(|b| Ok((b.query.weight(enable_scoring.into_disabled())?, b.tier)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(CoverageWeight {
            words,
            spans,
            boosters,
            relaxed: self.relaxed,
            full_tier: TIER_ALL,
            floor: self.floor.clone(),
            sets: self.sets.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for w in &self.words {
            w.query.query_terms(visitor);
        }
        for span in &self.spans {
            span.query_terms(visitor);
        }
    }
}

trait IntoDisabled<'a> {
    fn into_disabled(self) -> EnableScoring<'a>;
}

impl<'a> IntoDisabled<'a> for EnableScoring<'a> {
    /// Boosters only test membership: their scorers need no BM25 statistics.
    fn into_disabled(self) -> EnableScoring<'a> {
        match self {
            EnableScoring::Enabled { searcher, .. } => {
                EnableScoring::disabled_from_searcher(searcher)
            }
            disabled => disabled,
        }
    }
}

struct WordWeight {
    own: Box<dyn Weight>,
    weight: f32,
    spans: Vec<usize>,
    /// Whether documents with this word are candidates of a relaxed query (the word is
    /// selective in the whole index, or no word is).
    pivot: bool,
    /// What its matches are kept under in the [`MatchSets`] (when there are any).
    digest: Option<[u8; 32]>,
    /// The highest score its own query gives.
    bound: Score,
}

struct CoverageWeight {
    words: Vec<WordWeight>,
    spans: Vec<Box<dyn Weight>>,
    boosters: Vec<(Box<dyn Weight>, u8)>,
    relaxed: bool,
    /// The tier of a document matching every word: [`TIER_PARTIAL`] when the query's
    /// other words match nothing in the index.
    full_tier: u8,
    floor: Option<Floor>,
    sets: Option<Arc<MatchSets>>,
}

impl CoverageWeight {
    /// The set of documents `word` matches in the segment of `reader` when the word is
    /// dense there (see `sets.rs`), read now or kept from an earlier search.
    fn own_set(
        &self,
        reader: &SegmentReader,
        word: &WordWeight,
        own: &dyn Scorer,
    ) -> tantivy::Result<Option<DocBitsCursor>> {
        let (Some(sets), Some(digest)) = (&self.sets, word.digest) else {
            return Ok(None);
        };
        if own.cost() < u64::from(reader.max_doc() / DENSE_SHARE) {
            return Ok(None);
        }
        let bits = sets.get_or_read(reader.segment_id(), digest, || {
            let mut bits = DocBits::empty(reader.max_doc());
            for mut alternative in super::union::alternatives(word.own.scorer(reader, 1.0)?) {
                bits.add(alternative.as_mut());
            }
            Ok(bits)
        })?;
        Ok(bits.map(DocBitsCursor::new))
    }
}

impl Weight for CoverageWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let total_weight: f32 = self.words.iter().map(|w| w.weight).sum();
        let mut spans = Vec::with_capacity(self.spans.len());
        for weight in &self.spans {
            let scorer = weight.scorer(reader, 1.0)?;
            spans.push((scorer.doc() != TERMINATED).then_some(scorer));
        }
        let mut words = Vec::with_capacity(self.words.len());
        for word in &self.words {
            let own = Some(word.own.scorer(reader, 1.0)?).filter(|s| s.doc() != TERMINATED);
            let live: Vec<usize> = word
                .spans
                .iter()
                .copied()
                .filter(|&j| spans[j].is_some())
                .collect();
            if own.is_none() && live.is_empty() {
                if !self.relaxed {
                    return Ok(Box::new(EmptyScorer));
                }
                continue;
            }
            let cost = own.as_ref().map_or(0, |s| s.cost())
                + live
                    .iter()
                    .filter_map(|&j| spans[j].as_ref())
                    .map(|s| s.cost())
                    .sum::<u64>();
            let own_docs = match &own {
                Some(own) => self.own_set(reader, word, own.as_ref())?,
                None => None,
            };
            // A span scores 0–1.
            let best = if live.is_empty() {
                word.bound
            } else {
                word.bound.max(1.0)
            };
            words.push(WordScorer {
                own,
                own_docs,
                spans: live,
                weight: word.weight,
                share: word.weight * best / total_weight.max(f32::EPSILON),
                pivot: word.pivot,
                cost,
                bounded: false,
                bound: word.bound,
            });
        }
        if words.is_empty() {
            return Ok(Box::new(EmptyScorer));
        }
        let mut boosters = Vec::with_capacity(self.boosters.len());
        for (weight, tier) in &self.boosters {
            let scorer = weight.scorer(reader, 1.0)?;
            if scorer.doc() != TERMINATED {
                boosters.push((scorer, *tier));
            }
        }
        // The highest tier first: the first booster matching decides.
        boosters.sort_by_key(|(_, tier)| std::cmp::Reverse(*tier));
        // The rarest word drives the intersection.
        words.sort_by_key(|w| w.cost);
        let pivots: Vec<usize> = (0..words.len()).filter(|&i| words[i].pivot).collect();
        // Ties are skipped for a single word (see `CoverageScorer::need`).
        let ties = match (&self.sets, &self.floor) {
            (Some(sets), Some(_)) if self.words.len() == 1 && !self.relaxed => {
                sets.tie_blocks(reader)?
            }
            _ => None,
        };
        let mut scorer = CoverageScorer {
            all: self.words.len(),
            total_weight,
            words,
            spans,
            boosters,
            pivots,
            relaxed: self.relaxed,
            full_tier: self.full_tier,
            full_base: ranked(self.full_tier, 0.0),
            full_cap: if self.full_tier == TIER_PARTIAL {
                PARTIAL_MAX
            } else {
                Score::INFINITY
            },
            floor: self.floor.clone(),
            ties,
            loose: 0,
            loose_tie: u64::MAX,
            boost,
            doc: 0,
        };
        scorer.doc = if scorer.relaxed {
            scorer.next_candidate(0)
        } else {
            scorer.align(0)
        };
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        // A new scorer may already be past `doc`; seeking backwards is not allowed.
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let score = scorer.score();
        let mut explanation = Explanation::new(
            "tier · 2 + score (mean of the words; share of the query when partial)",
            score,
        );
        for word in &self.words {
            let weights =
                std::iter::once(&word.own).chain(word.spans.iter().map(|&j| &self.spans[j]));
            for weight in weights {
                if let Ok(detail) = super::union::explain_matching(&**weight, reader, doc) {
                    explanation.add_detail(detail);
                }
            }
        }
        Ok(explanation)
    }
}

/// A word in one segment: its own matches (none when the segment has none) and the
/// spans covering it that the segment has.
struct WordScorer {
    own: Option<Box<dyn Scorer>>,
    /// Every document `own` matches, when the word is dense (see `sets.rs`): `own` is
    /// then sought only to the documents the set holds, for their scores, and lags
    /// behind in between.
    own_docs: Option<DocBitsCursor>,
    spans: Vec<usize>,
    weight: f32,
    /// The most it adds to a partial match's share of the query.
    share: Score,
    /// See [`WordWeight::pivot`].
    pivot: bool,
    /// Documents it can match at most (own and spans).
    cost: u64,
    /// `own` is positioned by [`BestOfScorer::seek_bounded`] (see [`CoverageScorer::need`]):
    /// its lower alternatives lag, so it is scored by [`BestOfScorer::best_at`].
    bounded: bool,
    /// The highest score `own` gives.
    bound: Score,
}

impl WordScorer {
    /// The first document at or after `target` the word matches with a score `need`
    /// keeps, as far as its alternatives' bounds tell: its own scorer and its spans are
    /// sought there (a span already past it by another word stays put).
    fn position(
        &mut self,
        spans: &mut [Option<Box<dyn Scorer>>],
        target: DocId,
        need: Need,
    ) -> DocId {
        let mut first = TERMINATED;
        if let Some(docs) = &mut self.own_docs {
            first = reach(docs, target);
        } else if let Some(own) = &mut self.own {
            let union = if self.bounded || !matches!(need, Need::Any) {
                own.downcast_mut::<BestOfScorer>()
            } else {
                None
            };
            first = match union {
                // Bounded once some alternative is left out (the others then lag).
                Some(union) if self.bounded || !need.keeps(union.lowest()) => {
                    self.bounded = true;
                    union.seek_bounded(target, |bound| need.keeps(bound))
                }
                // Left out whole: it stays behind, and does not match where it lags.
                _ if !need.keeps(self.bound) => TERMINATED,
                _ => reach(own.as_mut(), target),
            };
        }
        for &j in &self.spans {
            if let Some(span) = &mut spans[j] {
                first = first.min(reach(span.as_mut(), target));
            }
        }
        first
    }

    /// The most the word can score at `doc`, read off its position without scoring it
    /// (`None`: it does not match there). A lagging own scorer may match: its bound counts.
    fn bound_at(&self, spans: &[Option<Box<dyn Scorer>>], doc: DocId) -> Option<Score> {
        let mut best = self.own_may_match(doc).then_some(self.bound);
        for &j in &self.spans {
            if spans[j].as_ref().is_some_and(|span| span.doc() == doc) {
                // A span scores 0–1.
                best = Some(best.map_or(1.0, |b| b.max(1.0)));
            }
        }
        best
    }

    /// Whether its own matches may hold `doc`, as positioned.
    fn own_may_match(&self, doc: DocId) -> bool {
        match &self.own_docs {
            Some(docs) => docs.doc() == doc,
            // A lagging alternative may match where the sought ones do not.
            None if self.bounded => true,
            None => self.own.as_ref().is_some_and(|own| own.doc() == doc),
        }
    }

    /// The word's score at `doc` (its best match there), if it matches.
    fn score(&mut self, spans: &mut [Option<Box<dyn Scorer>>], doc: DocId) -> Option<Score> {
        let mut best: Option<Score> = None;
        if self.own_may_match(doc)
            && let Some(own) = &mut self.own
        {
            let lagging = self.own_docs.is_some() || self.bounded;
            let union = if lagging {
                own.downcast_mut::<BestOfScorer>()
            } else {
                None
            };
            best = match union {
                Some(union) => union.best_at(doc),
                None => {
                    let at = reach(own.as_mut(), doc);
                    debug_assert_eq!(at, doc, "a word's set holds only its own matches");
                    Some(own.score())
                }
            };
        }
        for &j in &self.spans {
            if let Some(span) = &mut spans[j]
                && span.doc() == doc
            {
                let s = span.score();
                best = Some(best.map_or(s, |b| b.max(s)));
            }
        }
        best
    }
}

/// What a word must score at a document for a full match there to enter the page (see
/// [`CoverageScorer::need`]).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Need {
    Any,
    /// (A partial match's word.) At least this score.
    AtLeast(Score),
    /// (One word.) Ranked in the tier of full matches at least `floor`, or above it.
    Ranked {
        floor: Score,
        boost: Score,
        above: bool,
        /// [`CoverageScorer::full_base`].
        base: Score,
        /// [`CoverageScorer::full_cap`].
        cap: Score,
    },
}

impl Need {
    /// Whether a match scoring up to `bound` may enter.
    fn keeps(self, bound: Score) -> bool {
        match self {
            Need::Any => true,
            Need::AtLeast(least) => bound >= least,
            Need::Ranked {
                floor,
                boost,
                above,
                base,
                cap,
            } => {
                // As the collector will see it (`tiered`; rounding is monotonic).
                let best = (base + bound.min(cap)) * boost;
                if above { best > floor } else { best >= floor }
            }
        }
    }
}

/// Moves `scorer` to the first document at or after `target` (never back).
pub(super) fn reach(scorer: &mut (impl DocSet + ?Sized), target: DocId) -> DocId {
    let doc = scorer.doc();
    if doc < target {
        scorer.seek(target)
    } else {
        doc
    }
}

struct CoverageScorer {
    /// Words in the query (some may have no postings in this segment).
    all: usize,
    total_weight: f32,
    words: Vec<WordScorer>,
    spans: Vec<Option<Box<dyn Scorer>>>,
    boosters: Vec<(Box<dyn Scorer>, u8)>,
    /// Indexes into `words` whose documents are candidates (relaxed).
    pivots: Vec<usize>,
    relaxed: bool,
    /// See [`CoverageWeight::full_tier`].
    full_tier: u8,
    /// A full match's collected score is `full_base + mean.min(full_cap)` (see
    /// [`tiered`]), kept apart as the walk asks at every candidate.
    full_base: Score,
    full_cap: Score,
    floor: Option<Floor>,
    /// The segment's tie blocks, when kept (see [`Self::need`]).
    ties: Option<Arc<TieBlocks>>,
    /// Where the next block a tie may enter starts (as of `loose_tie`, the floor's
    /// tiebreak key when it was found: a smaller key only moves it further).
    loose: DocId,
    loose_tie: u64,
    boost: Score,
    doc: DocId,
}

impl CoverageScorer {
    /// Strict: the first document at or after `target` that every word matches (and,
    /// once the collector skips, that can still reach the floor: see [`Self::lead`]).
    fn align(&mut self, mut target: DocId) -> DocId {
        if self.floor.as_ref().is_some_and(Floor::skipping) {
            return self.align_skipping(target);
        }
        'search: loop {
            for word in &mut self.words {
                let doc = word.position(&mut self.spans, target, Need::Any);
                if doc > target {
                    target = doc;
                    continue 'search;
                }
            }
            return target;
        }
    }

    /// [`Self::align`] once the collector skips.
    fn align_skipping(&mut self, mut target: DocId) -> DocId {
        'search: loop {
            target = self.lead(target);
            if target == TERMINATED {
                return TERMINATED;
            }
            let (need, limit) = self.need(target);
            for word in &mut self.words {
                let doc = word.position(&mut self.spans, target, need);
                if doc > target {
                    // A document past `limit` may need less (a booster's, a tie's).
                    target = doc.min(limit);
                    continue 'search;
                }
            }
            return target;
        }
    }

    /// What a single-word query's word must score at `target` to enter the page, and up
    /// to where that holds: the first document after `target` that may need less (a
    /// booster's, or the start of a block where a tie may enter).
    ///
    /// Once the collector skips and the floor is within the tier of full matches, a
    /// document outside the boosters must rank at least the floor: the word's
    /// alternatives that cannot score that much do not make a document a candidate (see
    /// [`BestOfScorer::seek_bounded`]), so a page full of title matches stops reading the
    /// description's. Where every document of a block has a larger tiebreak key than the
    /// page's worst hit (see [`TieBlocks`]), it must rank above the floor: a page of
    /// constant scores (prefix, typo, initials) stops reading its equals.
    ///
    /// Several words are left alone: each would need `n · mean − (n − 1)`, rarely much,
    /// and their phrase booster is costly to seek at every candidate (their dense words
    /// are intersected as sets instead, see `sets.rs`).
    fn need(&mut self, target: DocId) -> (Need, DocId) {
        let Some((floor, tie)) = self
            .floor
            .as_ref()
            .filter(|f| f.skipping())
            .map(Floor::get_with_tie)
        else {
            return (Need::Any, TERMINATED);
        };
        let mean = floor / self.boost - self.full_base;
        if self.all > 1 || mean > 1.0 || mean <= 0.0 {
            // Above the tier of full matches `lead` keeps to the boosters; below it,
            // every full match enters.
            return (Need::Any, TERMINATED);
        }
        let mut limit = TERMINATED;
        for (scorer, tier) in &mut self.boosters {
            if *tier > self.full_tier {
                limit = limit.min(reach(scorer.as_mut(), target));
            }
        }
        if limit == target {
            return (Need::Any, limit);
        }
        let above = match &self.ties {
            Some(ties) if tie != u64::MAX && ties.above(target, tie) => {
                if self.loose <= target || tie < self.loose_tie {
                    self.loose = ties.next_at_or_below(target, tie);
                    self.loose_tie = tie;
                }
                limit = limit.min(self.loose);
                true
            }
            _ => false,
        };
        (
            Need::Ranked {
                floor,
                boost: self.boost,
                above,
                base: self.full_base,
                cap: self.full_cap,
            },
            limit,
        )
    }

    /// Where a document that can still enter the page may be, at or after `target`.
    ///
    /// Until the collector skips, anywhere. Then, a full match scores at most
    /// `ranked(tier, 1.0)`: once the floor is above that for a document matching no
    /// booster, only the documents of the boosters whose tier can still reach it are
    /// candidates (the first of them at or after `target`; none: the end).
    fn lead(&mut self, target: DocId) -> DocId {
        let Some(floor) = self.floor.as_ref().filter(|f| f.skipping()).map(Floor::get) else {
            return target;
        };
        if target == TERMINATED || (self.full_base + self.full_cap.min(1.0)) * self.boost >= floor {
            return target;
        }
        let mut first = TERMINATED;
        // Highest tier first.
        for (scorer, tier) in &mut self.boosters {
            if ranked(*tier, 1.0) * self.boost < floor {
                break;
            }
            first = first.min(reach(scorer.as_mut(), target));
        }
        first
    }

    /// Relaxed: the first document at or after `target` that a pivot word matches; every
    /// word is positioned at or after it.
    fn next_candidate(&mut self, target: DocId) -> DocId {
        // Once only full matches can reach the floor, the partial ones are skipped.
        if self
            .floor
            .as_ref()
            .is_some_and(|f| f.skipping() && ranked(TIER_PARTIAL, 1.0) * self.boost < f.get())
        {
            return self.align(target);
        }
        if let Some(floor) = self.partial_floor() {
            return self.next_partial(target, floor);
        }
        let mut candidate = TERMINATED;
        for &i in &self.pivots {
            candidate = candidate.min(self.words[i].position(&mut self.spans, target, Need::Any));
        }
        if candidate == TERMINATED {
            return TERMINATED;
        }
        for word in &mut self.words {
            word.position(&mut self.spans, candidate, Need::Any);
        }
        candidate
    }

    /// Relaxed: the share of the query a partial match needs to be kept — `min_score`,
    /// and once the collector skips, the page's floor.
    fn partial_floor(&self) -> Option<Score> {
        if self.boost <= 0.0 {
            return None;
        }
        let floor = self.floor.as_ref()?;
        // Within the partial tier the collector's 0–1 score is the collected one.
        let mut least = floor.min_score();
        if floor.skipping() {
            least = least.max(floor.get());
        }
        let least = least / self.boost;
        (least > 0.0).then_some(least)
    }

    /// Relaxed: the first document at or after `target` that matches every word or
    /// whose words can still cover `floor` (see [`Self::partial_floor`]). A word without
    /// which the others cannot reach it is required (MaxScore's essential words; a full
    /// match has it too): "아이유 콘서트 표", no document having 표, walks the documents
    /// with both 아이유 and 콘서트 once the page holds such documents. Where no document
    /// of the segment matches every word, a required word is also read only in its
    /// alternatives that can add enough.
    fn next_partial(&mut self, mut target: DocId, floor: Score) -> DocId {
        let most: Score = self.words.iter().map(|w| w.share).sum();
        let partial_only = self.words.len() < self.all;
        if most < floor && partial_only {
            return TERMINATED;
        }
        let is_required = |word: &WordScorer| word.weight > 0.0 && most - word.share < floor;
        let required = self.words.iter().any(is_required);
        // A candidate still needs a pivot word (see `WordWeight::pivot`).
        let pivot_required = self.words.iter().any(|w| w.pivot && is_required(w));
        'search: loop {
            for word in self.words.iter_mut().filter(|w| is_required(w)) {
                let need = if partial_only {
                    Need::AtLeast((floor - (most - word.share)) * self.total_weight / word.weight)
                } else {
                    Need::Any
                };
                let doc = word.position(&mut self.spans, target, need);
                if doc > target {
                    target = doc;
                    continue 'search;
                }
            }
            if !pivot_required {
                let mut candidate = TERMINATED;
                for &i in &self.pivots {
                    candidate =
                        candidate.min(self.words[i].position(&mut self.spans, target, Need::Any));
                }
                if candidate > target {
                    target = candidate;
                    if required {
                        continue 'search;
                    }
                }
            }
            break;
        }
        if target == TERMINATED {
            return TERMINATED;
        }
        for word in self.words.iter_mut().filter(|w| !is_required(w)) {
            word.position(&mut self.spans, target, Need::Any);
        }
        target
    }

    /// Relaxed: the most a partial match at `doc` can score, when that is enough to
    /// drop it — below `min_score`, or below the floor once the collector skips — so
    /// its words need not be scored. Scoring a word (its alternatives, BM25) is most of
    /// a relaxed query's work, and most of a broad one's candidates hold only its
    /// common words.
    fn unscored_partial(&self, doc: DocId) -> Option<Score> {
        let floor = self.floor.as_ref()?;
        let mut matched = 0;
        let mut covered = 0.0;
        for word in &self.words {
            if let Some(bound) = word.bound_at(&self.spans, doc) {
                matched += 1;
                covered += word.weight * bound;
            }
        }
        if matched == self.all {
            return None;
        }
        let best = tiered(TIER_PARTIAL, covered / self.total_weight.max(f32::EPSILON)) * self.boost;
        // Within the partial tier the collector's 0–1 score is the collected one.
        let dropped = best < TIER_STRIDE && best < floor.min_score();
        let below = floor.skipping() && best < floor.get();
        (dropped || below).then_some(best)
    }

    /// The tier of a full match scoring `mean`: the first booster (highest tier first)
    /// matching `doc`, among those whose tier could lift it to the floor.
    fn tier(&mut self, doc: DocId, mean: Score) -> u8 {
        let floor = self.floor.as_ref().map_or(0.0, Floor::get);
        for (scorer, tier) in &mut self.boosters {
            if ranked(*tier, mean) * self.boost < floor {
                break;
            }
            if reach(scorer.as_mut(), doc) == doc {
                return *tier;
            }
        }
        self.full_tier
    }
}

impl DocSet for CoverageScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.doc = if self.relaxed {
            self.next_candidate(self.doc + 1)
        } else {
            self.align(self.doc + 1)
        };
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.doc = if self.relaxed {
            self.next_candidate(target)
        } else {
            self.align(target)
        };
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.words
            .iter()
            .map(|w| u32::try_from(w.cost).unwrap_or(u32::MAX))
            .min()
            .unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.words.iter().map(|w| w.cost).min().unwrap_or(0)
    }
}

impl Scorer for CoverageScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        if self.relaxed
            && let Some(bound) = self.unscored_partial(doc)
        {
            return bound;
        }
        let mut matched = 0;
        let mut sum = 0.0;
        let mut covered = 0.0;
        for word in &mut self.words {
            if let Some(s) = word.score(&mut self.spans, doc) {
                matched += 1;
                sum += s;
                covered += word.weight * s;
            }
        }
        let score = if matched == self.all {
            let mean = sum / self.all as f32;
            tiered(self.tier(doc, mean), mean)
        } else {
            tiered(TIER_PARTIAL, covered / self.total_weight.max(f32::EPSILON))
        };
        score * self.boost
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;
    use crate::query::terms::AnyTerm;
    use crate::query::testing::one_field_index;

    #[test]
    fn shown_recovers_the_score_of_every_tier() {
        for tier in [TIER_PARTIAL, TIER_ALL, TIER_PHRASE, TIER_WHOLE] {
            for s in [0.0, 0.3, 0.7, 0.999] {
                assert!((shown(ranked(tier, s)) - s).abs() < 1e-5, "{tier} {s}");
            }
        }
        assert!((shown(ranked(TIER_ALL, 1.0)) - 1.0).abs() < 1e-5);
        assert!(ranked(TIER_ALL, 0.2) > ranked(TIER_PARTIAL, 0.999));
        // The same as taking the tier off with `floor`, boosted and negative scores too.
        for i in -400..4000 {
            let ranked = i as Score * 0.00737;
            let by_floor = if ranked < TIER_STRIDE {
                ranked
            } else {
                ranked - TIER_STRIDE * (ranked / TIER_STRIDE).floor().max(0.0)
            };
            assert_eq!(shown(ranked).to_bits(), by_floor.to_bits(), "{ranked}");
        }
    }

    #[test]
    fn full_matches_rank_before_partial_and_relaxed_needs_a_pivot() {
        // 0: rare+common, 1: rare only, 2..: common only, 100: filler only.
        let (index, f) = one_field_index((0..200u32).map(|i| {
            let mut terms = Vec::new();
            if i <= 1 {
                terms.push("rare");
            }
            if i != 1 && i != 100 {
                terms.push("common");
            }
            if i == 100 {
                terms.push("filler");
            }
            terms
        }));
        let searcher = index.reader().unwrap().searcher();
        let word = |t: &str, weight: f32| CoverWord {
            query: Box::new(AnyTerm::new(f, vec![Term::from_field_text(f, t)], 0.8)),
            weight,
            spans: Vec::new(),
        };
        let words = vec![word("rare", 3.0), word("common", 1.0)];
        let top = TopDocs::with_limit(300).order_by_score();
        let strict = searcher
            .search(&Coverage::new(words.clone(), Vec::new(), false), &top)
            .unwrap();
        assert_eq!(strict.len(), 1);
        assert!((shown(strict[0].0) - 0.8).abs() < 1e-5);

        let relaxed = searcher
            .search(&Coverage::new(words, Vec::new(), true), &top)
            .unwrap();
        let order: Vec<u32> = relaxed.iter().map(|(_, a)| a.doc_id).collect();
        // The common word is in more than 1 in 20 documents: only the rare word makes
        // candidates.
        assert_eq!(order, [0, 1], "{relaxed:?}");
        assert!((shown(relaxed[1].0) - 0.8 * 0.75).abs() < 1e-5);

        // A booster lifts the full match's tier, not its shown score.
        let boosted = Coverage::new(
            vec![word("rare", 1.0)],
            vec![Booster {
                query: Box::new(TermQuery::new(
                    Term::from_field_text(f, "common"),
                    IndexRecordOption::Basic,
                )),
                tier: TIER_WHOLE,
            }],
            false,
        );
        let hits = searcher.search(&boosted, &top).unwrap();
        assert_eq!(hits[0].1.doc_id, 0);
        assert!(hits[0].0 >= ranked(TIER_WHOLE, 0.0));
        assert!(hits[1].0 < ranked(TIER_PHRASE, 0.0));
    }

    #[test]
    fn a_span_satisfies_every_word_it_covers_with_its_own_score() {
        // 0: both words apart, 1: the glued form only, 2: one word only, 3: nothing.
        let (index, f) = one_field_index([
            vec!["여름", "공연"],
            vec!["여름공연"],
            vec!["여름"],
            vec!["겨울"],
        ]);
        let searcher = index.reader().unwrap().searcher();
        let term = |t: &str, score: f32| -> Box<dyn Query> {
            Box::new(AnyTerm::new(f, vec![Term::from_field_text(f, t)], score))
        };
        let word = |t: &str| CoverWord {
            query: term(t, 0.5),
            weight: 1.0,
            spans: vec![0],
        };
        let coverage = |relaxed| {
            Coverage::new(vec![word("여름"), word("공연")], Vec::new(), relaxed)
                .with_spans(vec![term("여름공연", 0.9)])
        };
        let top = TopDocs::with_limit(10).order_by_score();
        let strict = searcher.search(&coverage(false), &top).unwrap();
        let found: Vec<(u32, f32)> = strict
            .iter()
            .map(|(s, a)| (a.doc_id, (shown(*s) * 100.0).round() / 100.0))
            .collect();
        // The span scores 0.9 for both words; the words apart 0.5 each.
        assert_eq!(found, [(1, 0.9), (0, 0.5)]);
        let relaxed = searcher.search(&coverage(true), &top).unwrap();
        let docs: Vec<u32> = relaxed.iter().map(|(_, a)| a.doc_id).collect();
        assert_eq!(docs, [1, 0, 2]);
    }

    /// Every document `scorer` matches from where it stands.
    fn visit(scorer: &mut Box<dyn Scorer>) -> Vec<DocId> {
        let mut docs = Vec::new();
        while scorer.doc() != TERMINATED {
            docs.push(scorer.doc());
            scorer.advance();
        }
        docs
    }

    #[test]
    fn once_skipping_a_word_is_read_only_in_alternatives_that_reach_the_floor() {
        // Every document has the low term; every tenth also the high one.
        let (index, f) = one_field_index((0..300u32).map(|i| {
            if i % 10 == 0 {
                vec!["low", "high"]
            } else {
                vec!["low"]
            }
        }));
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let floor = Floor::default();
        let term = |t: &str, score| {
            Box::new(AnyTerm::new(f, vec![Term::from_field_text(f, t)], score)) as Box<dyn Query>
        };
        let word = Box::new(super::super::union::BestOf::new(vec![
            term("high", 0.9),
            term("low", 0.5),
        ]));
        let weight = Coverage::single(word)
            .with_floor(floor.clone())
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();

        // Counting every match: all are visited, whatever the floor.
        floor.raise(ranked(TIER_ALL, 0.9));
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(visit(&mut scorer).len(), 300);

        // Capped: a match of the low term alone cannot reach the floor.
        floor.start_skipping();
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        let mut scores = Vec::new();
        while scorer.doc() != TERMINATED {
            scores.push((scorer.doc(), scorer.score()));
            scorer.advance();
        }
        let expected: Vec<(DocId, Score)> = (0..300)
            .step_by(10)
            .map(|d| (d, ranked(TIER_ALL, 0.9)))
            .collect();
        assert_eq!(scores, expected, "the best alternative's score, as before");

        // A floor the low term reaches (a tie may enter): nothing is skipped.
        floor.reset();
        floor.raise(ranked(TIER_ALL, 0.5));
        floor.start_skipping();
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(visit(&mut scorer).len(), 300);
    }

    #[test]
    fn once_skipping_ties_are_read_only_in_blocks_where_they_can_enter() {
        use crate::index::TIEBREAK_FIELD;
        use crate::query::sets::{MatchSets, TIE_BLOCK};
        use tantivy::schema::FAST;

        // 1,000 documents of one constant-score word, keyed by their order except one
        // late document keyed before all others.
        let mut builder = Schema::builder();
        let f = builder.add_text_field("f", STRING);
        let key = builder.add_u64_field(TIEBREAK_FIELD, FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let late = 900u32;
        for i in 0..1000u32 {
            let mut doc = TantivyDocument::default();
            doc.add_text(f, "word");
            doc.add_u64(key, if i == late { 0 } else { u64::from(i) + 10 });
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let reader = searcher.segment_reader(0);
        let floor = Floor::default();
        let word = Box::new(AnyTerm::new(f, vec![Term::from_field_text(f, "word")], 0.5));
        let weight = Coverage::single(word)
            .with_floor(floor.clone())
            .with_sets(Arc::new(MatchSets::default()))
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();

        // The page is full at the word's score; its worst hit has key 50 (document 40).
        floor.raise_with_tie(ranked(TIER_ALL, 0.5), 50);
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(visit(&mut scorer).len(), 1000, "counting: every match");

        // Capped: a tie enters only with a smaller key, so only the blocks holding one
        // are read: the first, and the late document's.
        floor.start_skipping();
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        let block = |d: u32| d / TIE_BLOCK;
        let expected: Vec<DocId> = (0..1000)
            .filter(|&d| block(d) == 0 || block(d) == block(late))
            .collect();
        assert_eq!(visit(&mut scorer), expected);

        // Without the worst hit's key, any tie may enter.
        floor.reset();
        floor.raise(ranked(TIER_ALL, 0.5));
        floor.start_skipping();
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(visit(&mut scorer).len(), 1000);

        // Relaxed, beside a word no document has: searched as the word alone, ties
        // skipped alike, and ranked as a partial match.
        let words = ["word", "absent"].map(|t| CoverWord {
            query: Box::new(AnyTerm::new(f, vec![Term::from_field_text(f, t)], 0.5)),
            weight: 1.0,
            spans: Vec::new(),
        });
        let weight = Coverage::new(words.to_vec(), Vec::new(), true)
            .with_floor(floor.clone())
            .with_sets(Arc::new(MatchSets::default()))
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        floor.reset();
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(scorer.score(), ranked(TIER_PARTIAL, 0.5));
        floor.raise_with_tie(ranked(TIER_PARTIAL, 0.5), 50);
        floor.start_skipping();
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(visit(&mut scorer), expected);
    }

    #[test]
    fn a_partial_match_is_sought_only_where_its_words_can_reach_min_score_and_the_floor() {
        // Every tenth document has the rare word; all but every twentieth the common one;
        // no document has the third word, so every match is partial.
        let (index, f) = one_field_index((0..300u32).map(|i| {
            let mut terms = Vec::new();
            if i % 10 == 0 {
                terms.push("rare");
            }
            if i % 20 != 0 {
                terms.push("common");
            }
            terms
        }));
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let word = |t: &str, weight: f32| CoverWord {
            query: Box::new(AnyTerm::new(f, vec![Term::from_field_text(f, t)], 0.8)),
            weight,
            spans: Vec::new(),
        };
        let weights = [("rare", 3.0), ("common", 1.0), ("absent", 2.0)];
        let visited = |floor: &Floor, words: &[&str]| {
            let words = weights
                .iter()
                .filter(|(t, _)| words.contains(t))
                .map(|&(t, w)| word(t, w))
                .collect();
            let weight = Coverage::new(words, Vec::new(), true)
                .with_floor(floor.clone())
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .unwrap();
            let mut scorer = weight.scorer(reader, 1.0).unwrap();
            let mut found = Vec::new();
            while scorer.doc() != TERMINATED {
                found.push((scorer.doc(), shown(scorer.score())));
                scorer.advance();
            }
            found
        };
        // Shares: rare alone 0.6, common alone 0.2, both 0.8 (the absent word weighs
        // nothing). Neither word is selective: without a threshold every document with
        // either is a candidate.
        let all = ["rare", "common", "absent"];
        assert_eq!(visited(&Floor::default(), &all).len(), 300);
        // At min_score 0.5 the common word alone cannot reach it: the rare one is
        // required.
        let floor = Floor::with_min_score(0.5);
        let found = visited(&floor, &all);
        let rare: Vec<DocId> = (0..300).step_by(10).collect();
        assert_eq!(found.iter().map(|(d, _)| *d).collect::<Vec<_>>(), rare);
        for (doc, score) in found {
            let share = if doc % 20 == 0 { 0.6 } else { 0.8 };
            assert!((score - share).abs() < 1e-5, "{doc}: {score}");
        }
        // Capped, a floor of 0.7 needs both words.
        floor.raise(ranked(TIER_PARTIAL, 0.7));
        floor.start_skipping();
        let both: Vec<DocId> = (10..300).step_by(20).collect();
        let found: Vec<DocId> = visited(&floor, &all).into_iter().map(|(d, _)| d).collect();
        assert_eq!(found, both);
        // Above what any partial match scores: nothing.
        floor.raise(ranked(TIER_PARTIAL, 0.9));
        assert!(visited(&floor, &["rare", "common", "absent"]).is_empty());

        // Without the absent word the documents with both are full matches: still
        // only the rare word's documents are candidates.
        let floor = Floor::with_min_score(0.5);
        let found = visited(&floor, &["rare", "common"]);
        assert_eq!(found.iter().map(|(d, _)| *d).collect::<Vec<_>>(), rare);
        assert!(
            found
                .iter()
                .all(|(d, s)| d % 20 == 0 || (s - 0.8).abs() < 1e-5)
        );
    }

    #[test]
    fn once_skipping_only_documents_of_a_high_enough_tier_are_visited() {
        // Every document has the word; every tenth also the booster's term.
        let (index, f) = one_field_index((0..100u32).map(|i| {
            if i % 10 == 0 {
                vec!["word", "whole"]
            } else {
                vec!["word"]
            }
        }));
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let floor = Floor::default();
        let coverage = Coverage::new(
            vec![CoverWord {
                query: Box::new(AnyTerm::new(f, vec![Term::from_field_text(f, "word")], 0.8)),
                weight: 1.0,
                spans: Vec::new(),
            }],
            vec![Booster {
                query: Box::new(TermQuery::new(
                    Term::from_field_text(f, "whole"),
                    IndexRecordOption::Basic,
                )),
                tier: TIER_WHOLE,
            }],
            false,
        )
        .with_floor(floor.clone());
        let weight = coverage
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();

        // A floor in the whole-value tier alone skips nothing until the count is capped.
        floor.raise(ranked(TIER_WHOLE, 0.5));
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(visit(&mut scorer).len(), 100);

        // Capped: only the booster's documents can reach the floor.
        floor.start_skipping();
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        let visited = visit(&mut scorer);
        assert_eq!(visited, (0..100).step_by(10).collect::<Vec<u32>>());

        // A floor the word's score reaches skips nothing.
        floor.reset();
        floor.raise(ranked(TIER_ALL, 0.8));
        floor.start_skipping();
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(visit(&mut scorer).len(), 100);

        // One within the tier of full matches but above the word's score: the booster's
        // documents only.
        floor.raise(ranked(TIER_ALL, 0.9));
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(
            visit(&mut scorer),
            (0..100).step_by(10).collect::<Vec<u32>>()
        );

        // Above every tier: nothing is left.
        floor.raise(ranked(TIER_WHOLE + 1, 0.0));
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert!(visit(&mut scorer).is_empty());
    }
}
