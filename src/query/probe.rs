//! [`Kept`]: a dense query asked about single documents through its kept match set.
//!
//! Inside a word, a glued or compound word's pieces are intersected ("아이유콘서트":
//! 아이유 ∩ 콘서트). The rare piece leads and the dense one is asked about each of its
//! documents; the dense piece is a union of a dozen postings lists (the word in every
//! field, its synonyms and completions), and answering "no" means moving every one of
//! them, which decodes most of their blocks. The set of documents the dense piece
//! matches in a segment is read once it recurs and kept in the [`MatchSets`] (see
//! `sets.rs`), so a "no" costs one bit, and the postings are read only where the piece
//! matches, for its score ([`Kept::piece`]). Matches and scores are the query's own.
//!
//! A request's filter (which scores nothing) is answered from its kept set alone once it
//! recurs ("서울, from 2025" on every page): the text's matches are checked against a
//! bitset instead of a term's postings and a date column ([`Kept::filter`]).
//!
//! A set is read the second time its query is seen (see [`MatchSets::recurs`]): a
//! one-off query never pays a whole scan it would not see again.

use std::fmt;
use std::sync::Arc;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

use super::sets::{DENSE_SHARE, DocBits, DocBitsCursor, MatchSets, digest};
use super::union::alternatives;

/// What a kept set stands for.
#[derive(Debug, Clone, Copy)]
enum Role {
    /// A scoring query: the set answers "no"; the query is read where it says "yes".
    Piece,
    /// A filter scoring 0: the set answers everything.
    Filter,
}

/// A query matched through its kept set where it is dense and recurs.
pub struct Kept {
    query: Box<dyn Query>,
    sets: Arc<MatchSets>,
    role: Role,
}

impl Kept {
    /// A scoring `query`, probed through its set kept in `sets`.
    pub fn piece(query: Box<dyn Query>, sets: Arc<MatchSets>) -> Self {
        Kept {
            query,
            sets,
            role: Role::Piece,
        }
    }

    /// A `filter` (every document it matches must score 0), kept in `sets`.
    pub fn filter(filter: Box<dyn Query>, sets: Arc<MatchSets>) -> Self {
        Kept {
            query: filter,
            sets,
            role: Role::Filter,
        }
    }
}

impl Clone for Kept {
    fn clone(&self) -> Self {
        Kept {
            query: self.query.box_clone(),
            sets: self.sets.clone(),
            role: self.role,
        }
    }
}

impl fmt::Debug for Kept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Kept")
            .field(&self.role)
            .field(&self.query)
            .finish()
    }
}

impl Query for Kept {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let digest = digest(self.query.as_ref());
        Ok(Box::new(KeptWeight {
            inner: self.query.weight(enable_scoring)?,
            recurs: self.sets.recurs(digest),
            sets: self.sets.clone(),
            digest,
            role: self.role,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct KeptWeight {
    inner: Box<dyn Weight>,
    sets: Arc<MatchSets>,
    digest: [u8; 32],
    /// Seen before (see [`MatchSets::recurs`]).
    recurs: bool,
    role: Role,
}

impl Weight for KeptWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.inner.scorer(reader, boost)?;
        if !self.recurs
            || inner.doc() == TERMINATED
            || inner.cost() < u64::from(reader.max_doc() / DENSE_SHARE)
        {
            return Ok(inner);
        }
        let bits = self
            .sets
            .get_or_read(reader.segment_id(), self.digest, || {
                let mut bits = DocBits::empty(reader.max_doc());
                for mut alternative in alternatives(self.inner.scorer(reader, 1.0)?) {
                    bits.add(alternative.as_mut());
                }
                Ok(bits)
            })?;
        Ok(match (bits, self.role) {
            (Some(bits), Role::Piece) => Box::new(ProbedScorer { inner, bits }),
            (Some(bits), Role::Filter) => Box::new(Unscored(DocBitsCursor::new(bits))),
            // A store that keeps nothing.
            (None, _) => inner,
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

/// A piece's scorer: `bits` holds exactly the documents `inner` matches.
struct ProbedScorer {
    inner: Box<dyn Scorer>,
    bits: Arc<DocBits>,
}

impl DocSet for ProbedScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.inner.doc() >= target {
            return self.inner.doc();
        }
        // The first match at or after `target` is the set's: the query goes straight there.
        let next = self.bits.next(target);
        if next == TERMINATED {
            self.inner.seek(TERMINATED)
        } else {
            self.inner.seek(next)
        }
    }

    /// A document outside the set is answered without moving the query (which then
    /// lags behind: only `seek_danger` may follow until it says `Found`, as the trait
    /// allows).
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        let next = self.bits.next(target);
        if next != target {
            return SeekDangerResult::SeekLowerBound(next);
        }
        self.inner.seek_danger(target)
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

impl Scorer for ProbedScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

/// The documents of a set, each scoring 0.
struct Unscored(DocBitsCursor);

impl DocSet for Unscored {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for Unscored {
    fn score(&mut self) -> Score {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, TermQuery};
    use tantivy::schema::IndexRecordOption;

    use super::*;
    use crate::query::terms::AnyTerm;
    use crate::query::testing::one_field_index;
    use crate::query::union::BestOf;

    #[test]
    fn a_dense_piece_probed_through_its_set_matches_and_scores_as_itself() {
        let (index, f) = one_field_index((0..4000u32).map(|i| {
            [("rare", 7), ("a", 3), ("b", 5)]
                .into_iter()
                .filter(|(_, every)| i % every == 0)
                .map(|(term, _)| term)
                .collect()
        }));
        let searcher = index.reader().unwrap().searcher();
        let term = |t: &str| Term::from_field_text(f, t);
        let dense = || -> Box<dyn Query> {
            Box::new(BestOf::new(vec![
                Box::new(AnyTerm::new(f, vec![term("a")], 0.9)),
                Box::new(AnyTerm::new(f, vec![term("b")], 0.4)),
            ]))
        };
        let both = |piece: Box<dyn Query>| {
            BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(TermQuery::new(term("rare"), IndexRecordOption::WithFreqs)),
                ),
                (Occur::Must, piece),
            ])
        };
        let sets = Arc::new(MatchSets::default());
        let top = TopDocs::with_limit(4000).order_by_score();
        let sorted = |hits: Vec<(Score, tantivy::DocAddress)>| {
            let mut hits: Vec<_> = hits.into_iter().map(|(s, d)| (d.doc_id, s)).collect();
            hits.sort_by_key(|(d, _)| *d);
            hits
        };
        let plain = sorted(searcher.search(&both(dense()), &top).unwrap());
        // Seen once: walked. Recurring: read once, then kept.
        for (misses, hits) in [(0, 0), (1, 0), (1, 1)] {
            let probed = Box::new(Kept::piece(dense(), sets.clone()));
            let found = sorted(searcher.search(&both(probed), &top).unwrap());
            assert_eq!(found, plain);
            assert_eq!((sets.misses(), sets.hits()), (misses, hits));
        }
        // rare ∩ (a ∪ b): multiples of 7 that are multiples of 3 or 5.
        let expected = (0..4000u32)
            .filter(|i| i % 7 == 0 && (i % 3 == 0 || i % 5 == 0))
            .count();
        assert_eq!(plain.len(), expected);
    }

    /// A recurring filter, and the exclusion of soft-deleted documents, are answered from
    /// their kept sets with the hits and scores they give walked: walked while new, then
    /// read into a set once and kept.
    #[test]
    fn a_recurring_filter_or_exclusion_is_answered_from_its_set_with_the_same_hits() {
        let (index, f) = one_field_index((0..3000u32).map(|i| {
            let mut terms = vec![if i % 4 == 0 { "city" } else { "elsewhere" }];
            if i % 20 == 1 {
                terms.push("deleted");
            }
            terms.extend(std::iter::repeat_n("word", (i % 3) as usize));
            terms
        }));
        let searcher = index.reader().unwrap().searcher();
        let term = |t: &str| Term::from_field_text(f, t);
        let clause = |occur: Occur| -> Box<dyn Query> {
            if occur == Occur::Must {
                Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(term("city"), IndexRecordOption::Basic)),
                    0.0,
                ))
            } else {
                Box::new(TermQuery::new(term("deleted"), IndexRecordOption::Basic))
            }
        };
        let search = |occur: Occur, clause: Box<dyn Query>| {
            let query = BooleanQuery::new(vec![
                (
                    Occur::Must,
                    Box::new(TermQuery::new(term("word"), IndexRecordOption::WithFreqs)),
                ),
                (occur, clause),
            ]);
            let mut hits: Vec<(DocId, Score)> = searcher
                .search(&query, &TopDocs::with_limit(3000).order_by_score())
                .unwrap()
                .into_iter()
                .map(|(s, d)| (d.doc_id, s))
                .collect();
            hits.sort_by_key(|(d, _)| *d);
            hits
        };
        let with_words =
            |keep: fn(u32) -> bool| (0..3000).filter(|&i| i % 3 != 0 && keep(i)).count();
        for (occur, expected) in [
            (Occur::Must, with_words(|i| i % 4 == 0)),
            (Occur::MustNot, with_words(|i| i % 20 != 1)),
        ] {
            let sets = Arc::new(MatchSets::default());
            let plain = search(occur, clause(occur));
            assert_eq!(plain.len(), expected, "{occur:?}");
            for (misses, hits) in [(0, 0), (1, 0), (1, 1)] {
                let kept = Box::new(Kept::filter(clause(occur), sets.clone()));
                assert_eq!(search(occur, kept), plain, "{occur:?}");
                assert_eq!((sets.misses(), sets.hits()), (misses, hits), "{occur:?}");
            }
        }
    }
}
