//! How scores are scaled, so that `min_score` means the same for every query.
//!
//! Every query word scores between 0 and 1 for a document: the best of its matches in
//! any searched field, by kind of match. The document's score is the mean over the
//! query's words (every word must match), so scores run from 0 to 1 whatever the query
//! length, the index size or the terms' rarity.
//!
//! | match of a word                      | score                 | title (w = 1) | w = 0.15 |
//! |--------------------------------------|-----------------------|---------------|----------|
//! | exact term (or a synonym)            | 0.70 + 0.30 · w · s   | 0.70 – 1.00   | ≥ 0.70   |
//! | prefix of the last word, chosung     | 0.50 + 0.20 · w       | 0.70          | 0.53     |
//! | one typo (jamo edit)                 | 0.30 + 0.20 · w       | 0.50          | 0.33     |
//! | two typos                            | 0.20 + 0.15 · w       | 0.35          | 0.22     |
//!
//! `w` is the field's boost divided by the largest boost searched (so the top field has
//! 1); `s = bm25 / (bm25 + 1)` folds BM25 (term frequency, field length, rarity) into
//! 0–1, ordering documents within the exact band. The exact band lies above all others,
//! so an exact match always ranks above a prefix or typo match of the same word, and a
//! prefix above a typo; the two typo bands overlap slightly (two typos in the title
//! beat one typo in the description).
//!
//! [`DEFAULT_MIN_SCORE`] = 0.3 drops what is almost always junk: words matched only with
//! two typos outside the top fields. Set `min_score` to 0.7 for exact matches only.

use std::fmt;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// The default `min_score`.
pub const DEFAULT_MIN_SCORE: f32 = 0.3;

/// A kind of match and its score band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    /// Exact term.
    Exact,
    /// Prefix or initial consonants.
    Prefix,
    /// One jamo edit.
    Typo1,
    /// Two jamo edits.
    Typo2,
}

impl Band {
    /// `(base, span)`: a match scores `base + span · w`.
    const fn range(self) -> (f32, f32) {
        match self {
            Band::Exact => (0.70, 0.30),
            Band::Prefix => (0.50, 0.20),
            Band::Typo1 => (0.30, 0.20),
            Band::Typo2 => (0.20, 0.15),
        }
    }

    /// The constant score of a non-exact match in a field of relative weight `w`.
    pub fn score(self, w: f32) -> f32 {
        let (base, span) = self.range();
        base + span * w
    }

    /// The band of a typo match at `distance` edits.
    pub fn typo(distance: u8) -> Band {
        if distance <= 1 {
            Band::Typo1
        } else {
            Band::Typo2
        }
    }
}

/// Wraps a BM25-scoring query: a match scores `0.70 + 0.30 · w · bm25 / (bm25 + 1)`
/// (the exact band).
#[derive(Debug)]
pub struct ExactQuery {
    inner: Box<dyn Query>,
    w: f32,
}

impl ExactQuery {
    /// An exact-band query over `inner` for a field of relative weight `w`.
    pub fn new(inner: Box<dyn Query>, w: f32) -> Self {
        ExactQuery { inner, w }
    }
}

impl ExactQuery {
    /// The highest score it gives (BM25 folded in stays below 1).
    pub(crate) fn bound(&self) -> Score {
        let (base, span) = Band::Exact.range();
        base + span * self.w
    }
}

impl Clone for ExactQuery {
    fn clone(&self) -> Self {
        ExactQuery {
            inner: self.inner.box_clone(),
            w: self.w,
        }
    }
}

impl Query for ExactQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.inner.weight(enable_scoring)?;
        Ok(if enable_scoring.is_scoring_enabled() {
            Box::new(ExactWeight { inner, w: self.w })
        } else {
            inner
        })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor)
    }
}

struct ExactWeight {
    inner: Box<dyn Weight>,
    w: f32,
}

fn exact_score(bm25: Score, w: f32) -> Score {
    let (base, span) = Band::Exact.range();
    let bm25 = bm25.max(0.0);
    base + span * w * bm25 / (bm25 + 1.0)
}

impl Weight for ExactWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ExactScorer {
            inner: self.inner.scorer(reader, 1.0)?,
            w: self.w,
            boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = super::union::explain_matching(&*self.inner, reader, doc)?;
        let mut explanation = Explanation::new(
            "exact band 0.70 + 0.30 · w · bm25/(bm25+1)",
            exact_score(inner.value(), self.w),
        );
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }
}

struct ExactScorer {
    inner: Box<dyn Scorer>,
    w: f32,
    boost: Score,
}

impl fmt::Debug for ExactScorer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExactScorer").field("w", &self.w).finish()
    }
}

impl DocSet for ExactScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for ExactScorer {
    fn score(&mut self) -> Score {
        exact_score(self.inner.score(), self.w) * self.boost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_do_not_overlap() {
        for w in [0.01, 0.15, 0.5, 1.0] {
            let exact_floor = exact_score(0.0, w);
            assert!(exact_floor >= Band::Prefix.score(1.0), "w={w}");
            assert!(Band::Prefix.score(w) > Band::Typo1.score(1.0) - 1e-6);
            assert!(Band::Typo1.score(w) > Band::Typo2.score(w));
            assert!(exact_score(1e9, w) <= 1.0);
        }
        assert!(Band::Typo2.score(0.5) < DEFAULT_MIN_SCORE);
        assert!(Band::Typo2.score(1.0) > DEFAULT_MIN_SCORE);
        assert!(Band::Typo1.score(0.0) >= DEFAULT_MIN_SCORE);
        assert!(exact_score(5.0, 1.0) > exact_score(1.0, 1.0));
    }
}
