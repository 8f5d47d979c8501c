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

use std::fmt;

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Distance between two tiers in a collected score (scores run 0–1 within a tier).
pub const TIER_STRIDE: Score = 2.0;
/// In a relaxed query, words in more than 1 in this many documents of a segment do not
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

/// The collected score of a document in `tier` scoring `score` (0–1).
pub fn ranked(tier: u8, score: Score) -> Score {
    TIER_STRIDE * Score::from(tier) + score
}

/// The 0–1 score of a collected score (see [`ranked`]).
pub fn shown(ranked: Score) -> Score {
    if ranked < TIER_STRIDE {
        ranked
    } else {
        ranked - TIER_STRIDE * (ranked / TIER_STRIDE).floor().max(0.0)
    }
}

/// One word of the query: what matches it, and its weight in a partial match.
pub struct CoverWord {
    /// The word's matches, scoring 0–1.
    pub query: Box<dyn Query>,
    /// Weight among the words (relaxed matching only).
    pub weight: f32,
}

impl Clone for CoverWord {
    fn clone(&self) -> Self {
        CoverWord {
            query: self.query.box_clone(),
            weight: self.weight,
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
#[derive(Clone)]
pub struct Coverage {
    words: Vec<CoverWord>,
    boosters: Vec<Booster>,
    relaxed: bool,
}

impl fmt::Debug for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Coverage")
            .field("words", &self.words.len())
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
            boosters,
            relaxed,
        }
    }

    /// One query whose matches are all full matches (tier [`TIER_ALL`]).
    pub fn single(query: Box<dyn Query>) -> Self {
        Coverage::new(vec![CoverWord { query, weight: 1.0 }], Vec::new(), false)
    }
}

impl Query for Coverage {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut words = self
            .words
            .iter()
            .map(|w| Ok((w.query.weight(enable_scoring)?, w.weight)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        // A word no document has ("표" in "나훈아 콘서트 표 있어요") cannot tell documents
        // apart: it weighs nothing in a partial match's share.
        if self.relaxed
            && let Some(searcher) = enable_scoring.searcher()
        {
            for (weight, w) in &mut words {
                let mut found = false;
                for reader in searcher.segment_readers() {
                    if weight.scorer(reader, 1.0)?.doc() != TERMINATED {
                        found = true;
                        break;
                    }
                }
                if !found {
                    *w = 0.0;
                }
            }
        }
        let boosters = self
            .boosters
            .iter()
            .map(|b| Ok((b.query.weight(enable_scoring.into_disabled())?, b.tier)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(CoverageWeight {
            words,
            boosters,
            relaxed: self.relaxed,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for w in &self.words {
            w.query.query_terms(visitor);
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

struct CoverageWeight {
    words: Vec<(Box<dyn Weight>, f32)>,
    boosters: Vec<(Box<dyn Weight>, u8)>,
    relaxed: bool,
}

impl Weight for CoverageWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let total_weight: f32 = self.words.iter().map(|(_, w)| *w).sum();
        let mut words = Vec::with_capacity(self.words.len());
        for (weight, w) in &self.words {
            let scorer = weight.scorer(reader, 1.0)?;
            if scorer.doc() == TERMINATED {
                if !self.relaxed {
                    return Ok(Box::new(EmptyScorer));
                }
                continue;
            }
            words.push((scorer, *w));
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
        words.sort_by_key(|(s, _)| s.cost());
        let selective = u64::from(reader.max_doc() / PIVOT_SHARE);
        let mut pivots: Vec<usize> = (0..words.len())
            .filter(|&i| words[i].0.cost() <= selective)
            .collect();
        if pivots.is_empty() {
            pivots = (0..words.len()).collect();
        }
        let mut scorer = CoverageScorer {
            all: self.words.len(),
            total_weight,
            words,
            boosters,
            pivots,
            relaxed: self.relaxed,
            boost,
            doc: 0,
        };
        let first = if scorer.relaxed {
            scorer.next_candidate(0)
        } else {
            scorer.align(scorer.words[0].0.doc())
        };
        scorer.doc = first;
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let score = scorer.score();
        let mut explanation = Explanation::new(
            "tier · 2 + score (mean of the words; share of the query when partial)",
            score,
        );
        for (weight, _) in &self.words {
            if let Ok(word) = weight.explain(reader, doc) {
                explanation.add_detail(word);
            }
        }
        Ok(explanation)
    }
}

struct CoverageScorer {
    /// Words in the query (some may have no postings in this segment).
    all: usize,
    total_weight: f32,
    words: Vec<(Box<dyn Scorer>, f32)>,
    boosters: Vec<(Box<dyn Scorer>, u8)>,
    /// Indexes into `words` whose documents are candidates (relaxed).
    pivots: Vec<usize>,
    relaxed: bool,
    boost: Score,
    doc: DocId,
}

impl CoverageScorer {
    /// Strict: the first document at or after `target` that every word matches.
    fn align(&mut self, mut target: DocId) -> DocId {
        'search: loop {
            if target == TERMINATED {
                return TERMINATED;
            }
            for (scorer, _) in &mut self.words {
                let mut doc = scorer.doc();
                if doc < target {
                    doc = scorer.seek(target);
                }
                if doc > target {
                    target = doc;
                    continue 'search;
                }
            }
            return target;
        }
    }

    /// Relaxed: the first document at or after `target` that a pivot word matches; every
    /// word is positioned at or after it.
    fn next_candidate(&mut self, target: DocId) -> DocId {
        let mut candidate = TERMINATED;
        for &i in &self.pivots {
            let scorer = &mut self.words[i].0;
            let doc = if scorer.doc() < target {
                scorer.seek(target)
            } else {
                scorer.doc()
            };
            candidate = candidate.min(doc);
        }
        if candidate == TERMINATED {
            return TERMINATED;
        }
        for (scorer, _) in &mut self.words {
            if scorer.doc() < candidate {
                scorer.seek(candidate);
            }
        }
        candidate
    }

    fn tier(&mut self, doc: DocId) -> u8 {
        for (scorer, tier) in &mut self.boosters {
            let mut at = scorer.doc();
            if at < doc {
                at = scorer.seek(doc);
            }
            if at == doc {
                return *tier;
            }
        }
        TIER_ALL
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
            let next = self.words[0].0.advance();
            self.align(next)
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
            .map(|(s, _)| s.size_hint())
            .min()
            .unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.words.iter().map(|(s, _)| s.cost()).min().unwrap_or(0)
    }
}

impl Scorer for CoverageScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut matched = 0;
        let mut sum = 0.0;
        let mut covered = 0.0;
        for (scorer, weight) in &mut self.words {
            if scorer.doc() == doc {
                let s = scorer.score();
                matched += 1;
                sum += s;
                covered += *weight * s;
            }
        }
        let score = if matched == self.all {
            let mean = sum / self.all as f32;
            ranked(self.tier(doc), mean)
        } else {
            ranked(
                TIER_PARTIAL,
                (covered / self.total_weight.max(f32::EPSILON)).min(0.999),
            )
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

    #[test]
    fn shown_recovers_the_score_of_every_tier() {
        for tier in [TIER_PARTIAL, TIER_ALL, TIER_PHRASE, TIER_WHOLE] {
            for s in [0.0, 0.3, 0.7, 0.999] {
                assert!((shown(ranked(tier, s)) - s).abs() < 1e-5, "{tier} {s}");
            }
        }
        assert!((shown(ranked(TIER_ALL, 1.0)) - 1.0).abs() < 1e-5);
        assert!(ranked(TIER_ALL, 0.2) > ranked(TIER_PARTIAL, 0.999));
    }

    #[test]
    fn full_matches_rank_before_partial_and_relaxed_needs_a_pivot() {
        let mut builder = Schema::builder();
        let f = builder.add_text_field("f", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer(15_000_000).unwrap();
        // 0: rare+common, 1: rare only, 2..: common only, 100: filler only.
        for i in 0..200u32 {
            let mut doc = TantivyDocument::default();
            if i <= 1 {
                doc.add_text(f, "rare");
            }
            if i != 1 && i != 100 {
                doc.add_text(f, "common");
            }
            if i == 100 {
                doc.add_text(f, "filler");
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let word = |t: &str, weight: f32| CoverWord {
            query: Box::new(AnyTerm::new(f, vec![Term::from_field_text(f, t)], 0.8)),
            weight,
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
}
