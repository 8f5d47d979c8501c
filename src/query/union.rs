//! [`BestOf`]: a disjunction scoring its best alternative, with cheap seeks.
//!
//! It matches and scores exactly like tantivy's `DisjunctionMaxQuery` with a tie-breaker
//! of 0 (a document matches when any alternative does and scores the highest score among
//! the alternatives matching it). tantivy builds that query on its buffered union, which
//! is fast to iterate but clears a 4,096-document window of score slots on every seek
//! beyond it. A query word is an alternative of dozens of postings lists and is usually
//! seeked by the rarest word of the query, so those resets dominated multi-word queries.
//! [`BestOfScorer`] keeps no window: it advances or seeks only the alternatives behind
//! the target.

use std::fmt;

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

use super::score::{ExactQuery, segment_bound};
use super::terms::AnyTerm;

/// Matches what any alternative matches, scoring the best alternative's score.
pub struct BestOf {
    alternatives: Vec<Box<dyn Query>>,
}

impl BestOf {
    /// The best of `alternatives`.
    pub fn new(alternatives: Vec<Box<dyn Query>>) -> Self {
        BestOf { alternatives }
    }
}

impl Clone for BestOf {
    fn clone(&self) -> Self {
        BestOf {
            alternatives: self.alternatives.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl fmt::Debug for BestOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BestOf").field(&self.alternatives).finish()
    }
}

impl Query for BestOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .alternatives
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let bounds = self
            .alternatives
            .iter()
            .map(|q| bound(q.as_ref()))
            .collect();
        Ok(Box::new(BestOfWeight { weights, bounds }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.alternatives {
            q.query_terms(visitor);
        }
    }
}

/// The highest score `query` gives a document, when its kind tells (infinity when not).
pub(crate) fn bound(query: &dyn Query) -> Score {
    if let Some(exact) = query.downcast_ref::<ExactQuery>() {
        exact.bound()
    } else if let Some(any) = query.downcast_ref::<AnyTerm>() {
        any.score()
    } else if let Some(best) = query.downcast_ref::<BestOf>() {
        best.alternatives
            .iter()
            .map(|q| bound(q.as_ref()))
            .fold(f32::NEG_INFINITY, f32::max)
    } else {
        f32::INFINITY
    }
}

struct BestOfWeight {
    weights: Vec<Box<dyn Weight>>,
    /// Per alternative, the highest score it gives (unboosted).
    bounds: Vec<Score>,
}

impl Weight for BestOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut children = Vec::with_capacity(self.weights.len());
        for (weight, bound) in self.weights.iter().zip(&self.bounds) {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                let bound = match segment_bound(scorer.as_ref()) {
                    Some(tighter) => tighter.min(bound * boost),
                    None => bound * boost,
                };
                children.push((scorer, bound));
            }
        }
        Ok(match children.len() {
            0 => Box::new(EmptyScorer),
            1 => children.pop().expect("one child").0,
            _ => Box::new(BestOfScorer::with_bounds(children)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut best: Option<Explanation> = None;
        let mut details = Vec::new();
        for weight in &self.weights {
            if let Ok(explanation) = explain_matching(&**weight, reader, doc) {
                if best
                    .as_ref()
                    .is_none_or(|b| explanation.value() > b.value())
                {
                    best = Some(Explanation::new("best alternative", explanation.value()));
                }
                details.push(explanation);
            }
        }
        let mut explanation = best.ok_or_else(|| {
            tantivy::TantivyError::InvalidArgument(format!("document {doc} does not match"))
        })?;
        for detail in details {
            explanation.add_detail(detail);
        }
        Ok(explanation)
    }
}

/// Segment part of [`BestOf`]: every child is positioned on a document at or after
/// `doc`, and none is exhausted. `docs` mirrors the children's current documents, so
/// that moving the union does not ask each child where it is.
pub struct BestOfScorer {
    children: Vec<Box<dyn Scorer>>,
    docs: Vec<DocId>,
    /// Per child, the highest score it gives; children run from the highest bound down.
    bounds: Vec<Score>,
    doc: DocId,
    /// Set by [`DocSet::seek_danger`] on a match: the children below the best match
    /// stay behind `doc`, and `found` is the score there.
    lagging: bool,
    found: Score,
}

impl BestOfScorer {
    /// The union of `children`, each with the highest score it gives.
    pub(crate) fn with_bounds(nested: Vec<(Box<dyn Scorer>, Score)>) -> Self {
        // The best of the best is the best of all: a nested union's alternatives are
        // taken in, so that one flat list runs from the highest bound down.
        let mut children = Vec::with_capacity(nested.len());
        for (child, bound) in nested {
            match child.downcast::<BestOfScorer>() {
                Ok(inner) => {
                    let inner = *inner;
                    children.extend(inner.children.into_iter().zip(inner.bounds));
                }
                Err(child) => children.push((child, bound)),
            }
        }
        children.retain(|(c, _)| c.doc() != TERMINATED);
        children.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (children, bounds): (Vec<_>, Vec<_>) = children.into_iter().unzip();
        let docs: Vec<DocId> = children.iter().map(|c| c.doc()).collect();
        let doc = docs.iter().copied().min().unwrap_or(TERMINATED);
        BestOfScorer {
            children,
            docs,
            bounds,
            doc,
            lagging: false,
            found: 0.0,
        }
    }

    /// The best score at `doc`, which the caller knows the union matches, seeking only
    /// the alternatives that could still beat the best found: a dozen alternatives, and
    /// the first match in the title outscores every one in the description.
    ///
    /// Children not sought stay behind `doc`: afterwards only `best_at` at later
    /// documents may be used, not the union's own moves.
    pub(crate) fn best_at(&mut self, doc: DocId) -> Option<Score> {
        let mut best: Option<Score> = None;
        let children = self.children.iter_mut().zip(&mut self.docs);
        for ((child, at), &bound) in children.zip(&self.bounds) {
            if best.is_some_and(|b| bound <= b) {
                break;
            }
            if *at < doc {
                *at = child.seek(doc);
            }
            if *at == doc {
                let s = child.score();
                best = Some(best.map_or(s, |b| b.max(s)));
            }
        }
        best
    }

    /// The lowest score bound of its alternatives.
    pub(crate) fn lowest(&self) -> Score {
        self.bounds.last().copied().unwrap_or(Score::INFINITY)
    }

    /// The first document at or after `target` that an alternative whose bound `keep`s
    /// matches: the others are not moved. A word whose low matches cannot enter the page
    /// reads only the postings of its higher alternatives. `keep` must hold for every
    /// bound above one it holds for.
    ///
    /// Like [`Self::best_at`], it leaves children behind: afterwards only
    /// `seek_bounded` and `best_at` may be used, not the union's own moves.
    pub(crate) fn seek_bounded(
        &mut self,
        target: DocId,
        keep: impl Fn(Score) -> bool + Copy,
    ) -> DocId {
        let mut first = TERMINATED;
        let children = self.children.iter_mut().zip(&mut self.docs);
        for ((child, at), &bound) in children.zip(&self.bounds) {
            if !keep(bound) {
                break;
            }
            if *at < target {
                *at = child.seek(target);
            }
            first = first.min(*at);
        }
        self.doc = first;
        first
    }

    /// Drops exhausted children (keeping the order of the rest).
    #[cold]
    fn drop_exhausted(&mut self) {
        let mut i = 0;
        while i < self.docs.len() {
            if self.docs[i] == TERMINATED {
                self.docs.remove(i);
                self.children.remove(i);
                self.bounds.remove(i);
            } else {
                i += 1;
            }
        }
    }
}

impl DocSet for BestOfScorer {
    fn advance(&mut self) -> DocId {
        if self.lagging {
            return self.seek(self.doc + 1);
        }
        let current = self.doc;
        let mut next = TERMINATED;
        let mut exhausted = false;
        for (child, doc) in self.children.iter_mut().zip(self.docs.iter_mut()) {
            if *doc == current {
                *doc = child.advance();
                exhausted |= *doc == TERMINATED;
            }
            next = next.min(*doc);
        }
        if exhausted {
            self.drop_exhausted();
        }
        self.doc = next;
        next
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.lagging = false;
        let mut next = TERMINATED;
        let mut exhausted = false;
        for (child, doc) in self.children.iter_mut().zip(self.docs.iter_mut()) {
            if *doc < target {
                *doc = child.seek(target);
                exhausted |= *doc == TERMINATED;
            }
            next = next.min(*doc);
        }
        if exhausted {
            self.drop_exhausted();
        }
        self.doc = next;
        next
    }

    /// Whether `target` matches, seeking the children from the highest bound down and
    /// stopping once the rest cannot beat the best match found (as [`Scorer::score`]
    /// would): a union on the probing side of an intersection ("아이유" ∩ "콘서트" in a
    /// glued word) is asked about every document of the rarer side, and where it matches,
    /// its title alternative usually answers before the description's are read.
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        if self.doc == target {
            return SeekDangerResult::Found;
        }
        let mut best = f32::NEG_INFINITY;
        let mut next = TERMINATED;
        let mut exhausted = false;
        let children = self.children.iter_mut().zip(self.docs.iter_mut());
        for ((child, doc), &bound) in children.zip(&self.bounds) {
            if bound <= best {
                break;
            }
            if *doc < target {
                *doc = child.seek(target);
                exhausted |= *doc == TERMINATED;
            }
            if *doc == target {
                best = best.max(child.score());
            }
            next = next.min(*doc);
        }
        if exhausted {
            self.drop_exhausted();
        }
        if best > f32::NEG_INFINITY {
            self.doc = target;
            self.lagging = true;
            self.found = best;
            SeekDangerResult::Found
        } else {
            // Every child was sought: the union is where it would be after `seek`.
            self.doc = next;
            self.lagging = false;
            SeekDangerResult::SeekLowerBound(next)
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.size_hint())
            .fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.children.iter().map(|c| c.cost()).sum()
    }
}

impl Scorer for BestOfScorer {
    fn score(&mut self) -> Score {
        if self.lagging {
            return self.found;
        }
        let current = self.doc;
        let mut best = f32::NEG_INFINITY;
        let children = self.children.iter_mut().zip(&self.docs);
        for ((child, doc), &bound) in children.zip(&self.bounds) {
            // From the highest bound down: the rest cannot beat the best found.
            if bound <= best {
                break;
            }
            if *doc == current {
                best = best.max(child.score());
            }
        }
        best
    }
}

/// The alternatives of a [`BestOfScorer`] (each read on its own is cheaper than merging
/// them), or `scorer` itself.
pub(crate) fn alternatives(scorer: Box<dyn Scorer>) -> Vec<Box<dyn Scorer>> {
    match scorer.downcast::<BestOfScorer>() {
        Ok(union) => union.children,
        Err(scorer) => vec![scorer],
    }
}

/// `weight`'s explanation of `doc`, or an error when `doc` does not match. Checks the
/// match first: some explains (tantivy's phrase weight) seek a fresh scorer to `doc`
/// even when it starts past it, which is not allowed.
pub(crate) fn explain_matching(
    weight: &dyn Weight,
    reader: &SegmentReader,
    doc: DocId,
) -> tantivy::Result<Explanation> {
    let mut scorer = weight.scorer(reader, 1.0)?;
    if scorer.doc() > doc || scorer.seek(doc) != doc {
        return Err(tantivy::TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    weight.explain(reader, doc)
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{
        BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, TermQuery,
    };
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;
    use crate::query::testing::one_field_index;

    #[test]
    fn scores_and_matches_like_a_disjunction_max() {
        let mut builder = Schema::builder();
        let a = builder.add_text_field("a", STRING);
        let b = builder.add_text_field("b", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer(15_000_000).unwrap();
        for i in 0..3000u32 {
            let mut doc = TantivyDocument::default();
            doc.add_text(a, format!("x{}", i % 7));
            doc.add_text(b, format!("y{}", i % 11));
            if i % 13 == 0 {
                doc.add_text(a, "z");
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let alternatives = || -> Vec<Box<dyn Query>> {
            let term = |f, t: &str| {
                Box::new(TermQuery::new(
                    Term::from_field_text(f, t),
                    IndexRecordOption::WithFreqs,
                )) as Box<dyn Query>
            };
            vec![
                Box::new(BoostQuery::new(term(a, "x3"), 0.5)),
                term(b, "y4"),
                Box::new(BoostQuery::new(term(a, "z"), 3.0)),
            ]
        };
        let ours = searcher
            .search(
                &BestOf::new(alternatives()),
                &TopDocs::with_limit(5000).order_by_score(),
            )
            .unwrap();
        let theirs = searcher
            .search(
                &DisjunctionMaxQuery::new(alternatives()),
                &TopDocs::with_limit(5000).order_by_score(),
            )
            .unwrap();
        assert!(!ours.is_empty());
        let mut ours: Vec<_> = ours.into_iter().map(|(s, d)| (d, s)).collect();
        let mut theirs: Vec<_> = theirs.into_iter().map(|(s, d)| (d, s)).collect();
        ours.sort_by_key(|(d, _)| *d);
        theirs.sort_by_key(|(d, _)| *d);
        assert_eq!(ours, theirs);
        let count = |q: &dyn Query| q.count(&searcher).unwrap();
        assert_eq!(
            count(&BestOf::new(alternatives())),
            count(&DisjunctionMaxQuery::new(alternatives()))
        );
    }

    #[test]
    fn probed_by_an_intersection_it_matches_and_scores_as_when_walked() {
        // `r` (every 5th document) leads, or the union leads over `dense` (once probed
        // while aligning). Probed, the union matches through its high alternative where
        // it can and leaves the low ones behind; they must still match where they alone do.
        let (index, f) = one_field_index((0..5000u32).map(|i| {
            [("r", 5), ("hi", 3), ("mid", 4), ("lo", 7), ("dense", 1)]
                .into_iter()
                // `dense` starts late, so that the union is probed past its first match
                // while the intersection is first aligned.
                .filter(|&(term, every)| i % every == 0 && (term != "dense" || i >= 12))
                .map(|(term, _)| term)
                .collect()
        }));
        let searcher = index.reader().unwrap().searcher();
        let term = |t: &str| Term::from_field_text(f, t);
        let alternatives = || -> Vec<Box<dyn Query>> {
            vec![
                Box::new(AnyTerm::new(f, vec![term("lo")], 0.2)),
                Box::new(AnyTerm::new(f, vec![term("hi")], 0.9)),
                Box::new(AnyTerm::new(f, vec![term("mid")], 0.5)),
            ]
        };
        let must = |union: Box<dyn Query>, other: &str| {
            BooleanQuery::new(vec![
                (Occur::Must, union),
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(
                        Box::new(TermQuery::new(term(other), IndexRecordOption::Basic)),
                        0.0,
                    )),
                ),
            ])
        };
        for other in ["r", "dense"] {
            let top = TopDocs::with_limit(5000).order_by_score();
            let ours = searcher
                .search(&must(Box::new(BestOf::new(alternatives())), other), &top)
                .unwrap();
            let theirs = searcher
                .search(
                    &must(Box::new(DisjunctionMaxQuery::new(alternatives())), other),
                    &top,
                )
                .unwrap();
            let sorted = |hits: Vec<(Score, tantivy::DocAddress)>| {
                let mut hits: Vec<_> = hits.into_iter().map(|(s, d)| (d, s)).collect();
                hits.sort_by_key(|(d, _)| *d);
                hits
            };
            let (ours, theirs) = (sorted(ours), sorted(theirs));
            // Matched through the low alternative alone: 5·2 = 10, not 3 nor 4.
            assert!(ours.iter().any(|(d, s)| {
                d.doc_id % 3 != 0 && d.doc_id % 4 != 0 && (*s - 0.2).abs() < 1e-6
            }));
            assert_eq!(ours, theirs, "with {other}");
        }
        // Moved on after a probe, it visits what a walk visits.
        let weight = BestOf::new(alternatives())
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        let reader = searcher.segment_reader(0);
        for target in [12, 35, 60, 61] {
            let mut probed = weight.scorer(reader, 1.0).unwrap();
            let mut walked = weight.scorer(reader, 1.0).unwrap();
            let found = probed.seek_danger(target) == SeekDangerResult::Found;
            assert_eq!(found, walked.seek(target) == target, "{target}");
            if found {
                assert_eq!(probed.score(), walked.score());
            }
            for _ in 0..20 {
                assert_eq!(probed.advance(), walked.advance(), "after {target}");
                assert_eq!(probed.score(), walked.score());
            }
        }
    }
}
