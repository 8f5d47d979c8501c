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
use std::sync::Arc;

use tantivy::query::{Bm25Weight, EnableScoring, Explanation, Query, Scorer, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

use super::sets::MatchSets;

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
pub struct ExactQuery {
    inner: Box<dyn Query>,
    w: f32,
    /// For one term: the term, and where its peaks are kept (see [`ExactScorer::bound`]).
    peaks: Option<(Term, Arc<MatchSets>)>,
}

impl fmt::Debug for ExactQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExactQuery")
            .field("inner", &self.inner)
            .field("w", &self.w)
            .finish()
    }
}

impl ExactQuery {
    /// An exact-band query over `inner` for a field of relative weight `w`.
    pub fn new(inner: Box<dyn Query>, w: f32) -> Self {
        ExactQuery {
            inner,
            w,
            peaks: None,
        }
    }

    /// `term` (BM25) in the exact band of a field of relative weight `w`; with `sets`, its
    /// best score in each segment where it is dense bounds it there.
    pub fn term(term: Term, w: f32, sets: Option<Arc<MatchSets>>) -> Self {
        ExactQuery {
            inner: Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
            w,
            peaks: sets.map(|sets| (term, sets)),
        }
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
            peaks: self.peaks.clone(),
        }
    }
}

impl Query for ExactQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.inner.weight(enable_scoring)?;
        let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = enable_scoring
        else {
            return Ok(inner);
        };
        // The same BM25 weight as the term query's own (see `TermQuery`).
        let peaks = match &self.peaks {
            Some((term, sets)) => Some((
                term.clone(),
                Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(term))?,
                sets.clone(),
            )),
            None => None,
        };
        Ok(Box::new(ExactWeight {
            inner,
            w: self.w,
            peaks,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor)
    }
}

struct ExactWeight {
    inner: Box<dyn Weight>,
    w: f32,
    peaks: Option<(Term, Bm25Weight, Arc<MatchSets>)>,
}

fn exact_score(bm25: Score, w: f32) -> Score {
    let (base, span) = Band::Exact.range();
    let bm25 = bm25.max(0.0);
    base + span * w * bm25 / (bm25 + 1.0)
}

impl Weight for ExactWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut bound = None;
        if let Some((term, bm25, sets)) = &self.peaks
            && let Some(peaks) = sets.term_peaks(reader, term)?
        {
            // Exactly the scorer's arithmetic, at each field length's highest frequency.
            bound = Some(
                peaks
                    .best(|id, tf| exact_score(bm25.score(id, tf), self.w) * boost)
                    .unwrap_or(0.0),
            );
        }
        Ok(Box::new(ExactScorer {
            inner: self.inner.scorer(reader, 1.0)?,
            w: self.w,
            boost,
            bound,
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
    /// The highest score it gives in this segment, when known (see [`TermPeaks`]).
    ///
    /// [`TermPeaks`]: super::sets::TermPeaks
    bound: Option<Score>,
}

/// The highest score `scorer` gives in its segment, when it knows one tighter than its
/// query's bound (a dense term's best BM25 there).
pub(crate) fn segment_bound(scorer: &dyn Scorer) -> Option<Score> {
    scorer.downcast_ref::<ExactScorer>()?.bound
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
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    #[test]
    fn a_dense_terms_segment_bound_is_its_best_score_there() {
        let mut builder = Schema::builder();
        let field = builder.add_text_field("title", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer(15_000_000).unwrap();
        // Titles of every length, the word once or several times; one title in five
        // without it; a lone short one with it twice is the best.
        for i in 0..3000u32 {
            let mut words: Vec<String> = (0..(3 + i % 17)).map(|k| format!("w{k}")).collect();
            if i % 5 != 0 {
                words.push("musical".into());
            }
            if i % 7 == 0 {
                words.push("musical".into());
            }
            if i % 500 == 0 {
                words.push("rare".into());
            }
            let mut doc = TantivyDocument::default();
            doc.add_text(field, words.join(" "));
            writer.add_document(doc).unwrap();
        }
        let mut best = TantivyDocument::default();
        best.add_text(field, "musical musical");
        writer.add_document(best).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = Term::from_field_text(field, "musical");
        let sets = Arc::new(MatchSets::default());
        let query = ExactQuery::term(term.clone(), 0.8, Some(sets));
        let weight = query
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        for reader in searcher.segment_readers() {
            let mut scorer = weight.scorer(reader, 1.5).unwrap();
            let bound = segment_bound(scorer.as_ref()).expect("a dense term is bounded");
            let mut highest = f32::NEG_INFINITY;
            while scorer.doc() != tantivy::TERMINATED {
                highest = highest.max(scorer.score());
                scorer.advance();
            }
            assert_eq!(bound, highest, "the bound is the best score, to the bit");
            assert!(bound < query.bound() * 1.5, "tighter than the band's top");
        }
        // A rare term is left to the band's bound.
        let rare = ExactQuery::term(
            Term::from_field_text(field, "rare"),
            0.8,
            Some(Arc::new(MatchSets::default())),
        );
        let weight = rare
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        let scorer = weight.scorer(searcher.segment_reader(0), 1.0).unwrap();
        assert_eq!(segment_bound(scorer.as_ref()), None);
    }

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
