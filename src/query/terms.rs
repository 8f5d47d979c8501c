//! [`AnyTerm`]: a constant score for documents containing any of a set of terms of one
//! field (the typo and prefix expansions of a query word).
//!
//! It matches like tantivy's `TermSetQuery` wrapped in a `BoostQuery`, but
//! `TermSetQuery` walks the term dictionary with an automaton and reads every matching
//! postings list into a bitset up front, even when the rest of the query only asks about a
//! few hundred documents. Here the terms are looked up directly. A union of a few terms is
//! read lazily ([`BestOfScorer`] over the postings: only seeked documents are decoded); a
//! union of many terms is read once, into a bitset when it covers a large part of the
//! segment and into a sorted list otherwise (seeking dozens of sparse lists at every
//! candidate of a multi-word query cost more than reading them).
//!
//! A set may also name one `dominated` term with the term of an exact match that always
//! outscores it (the word's exact term in the field's analyzed form, whose jamo form is
//! the dominated term). Where both terms match the same documents — the same document
//! frequency, as every document with the exact term has its jamo form — the dominated term
//! cannot change any document's best score, and is skipped.

use std::fmt;
use std::sync::Arc;

use tantivy::postings::TermInfo;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{BitSet, DocId, DocSet, InvertedIndexReader, Score, SegmentReader, TERMINATED};

use super::union::BestOfScorer;

/// A union this dense (doc frequencies summed, relative to the segment's documents) is
/// read into a bitset rather than merged lazily ...
const BITSET_DENSITY: u32 = 16;
/// ... if it has more terms than this (a few postings lists merge cheaply).
const BITSET_MIN_TERMS: usize = 4;

/// Matches any of `terms` (all in one field), scoring `score`.
#[derive(Clone)]
pub struct AnyTerm {
    field: Field,
    terms: Arc<Vec<Term>>,
    score: Score,
    /// `(term, exact)`: `term` (one of `terms`) is skipped in segments where `exact`
    /// (of another field, whose clause outscores this one) has the same document frequency.
    dominated: Option<(Term, Term)>,
    /// Read in full rather than sought (see [`AnyTerm::walked`]).
    walked: bool,
}

impl AnyTerm {
    /// Matches any of `terms`, all of `field`, scoring `score`.
    pub fn new(field: Field, mut terms: Vec<Term>, score: Score) -> Self {
        debug_assert!(terms.iter().all(|t| t.field() == field));
        terms.sort_unstable();
        terms.dedup();
        AnyTerm {
            field,
            terms: Arc::new(terms),
            score,
            dominated: None,
            walked: false,
        }
    }

    /// For a set that is read in full rather than sought (a browse's filter): a dense
    /// union of even two terms is read into a bitset.
    pub fn walked(mut self) -> Self {
        self.walked = true;
        self
    }

    /// Skips `term` in segments where `exact` has the same document frequency (see the
    /// module documentation: only when `exact`'s clause scores at least as much in the
    /// same disjunction-max and its documents are a subset of `term`'s).
    pub fn dominated_by(mut self, term: Term, exact: Term) -> Self {
        if self.terms.contains(&term) {
            self.dominated = Some((term, exact));
        }
        self
    }
}

impl AnyTerm {
    /// The score of its matches.
    pub(crate) fn score(&self) -> Score {
        self.score
    }
}

impl fmt::Debug for AnyTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnyTerm")
            .field("terms", &self.terms)
            .field("score", &self.score)
            .finish()
    }
}

impl Query for AnyTerm {
    fn weight(&self, _: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in self.terms.iter() {
            visitor(term, false);
        }
    }
}

impl AnyTerm {
    /// Whether the dominated term can be skipped in this segment.
    fn skip(&self, reader: &SegmentReader) -> tantivy::Result<Option<&Term>> {
        let Some((term, exact)) = &self.dominated else {
            return Ok(None);
        };
        let ours = reader.inverted_index(self.field)?.doc_freq(term)?;
        let theirs = reader.inverted_index(exact.field())?.doc_freq(exact)?;
        Ok((ours == theirs).then_some(term))
    }
}

impl Weight for AnyTerm {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let score = boost * self.score;
        let skip = self.skip(reader)?;
        let inverted = reader.inverted_index(self.field)?;
        let mut infos = Vec::with_capacity(self.terms.len());
        for term in self.terms.iter() {
            if Some(term) == skip {
                continue;
            }
            if let Some(info) = inverted.get_term_info(term)? {
                infos.push(info);
            }
        }
        let total: u64 = infos.iter().map(|i| u64::from(i.doc_freq)).sum();
        let min_terms = if self.walked { 1 } else { BITSET_MIN_TERMS };
        if infos.len() > min_terms
            && total * u64::from(BITSET_DENSITY) >= u64::from(reader.max_doc())
        {
            let mut bitset = BitSet::with_max_value(reader.max_doc());
            read_all(&inverted, &infos, |docs| {
                for &doc in docs {
                    bitset.insert(doc);
                }
            })?;
            return Ok(Box::new(ConstScorer::new(
                BitSetDocSet::from(bitset),
                score,
            )));
        }
        if infos.len() > BITSET_MIN_TERMS {
            // Many sparse postings lists (the completions of a long whole form): read once
            // into a sorted list, so a seek is one binary search instead of one per term.
            let mut docs: Vec<DocId> = Vec::with_capacity(total as usize);
            read_all(&inverted, &infos, |chunk| docs.extend_from_slice(chunk))?;
            docs.sort_unstable();
            docs.dedup();
            return Ok(Box::new(ConstScorer::new(SortedDocs::new(docs), score)));
        }
        let mut children: Vec<Box<dyn Scorer>> = Vec::with_capacity(infos.len());
        for info in &infos {
            let postings = inverted.read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
            if postings.doc() != TERMINATED {
                children.push(Box::new(ConstScorer::new(postings, score)));
            }
        }
        Ok(match children.len() {
            0 => Box::new(EmptyScorer),
            1 => children.pop().expect("one child"),
            // Every term scores the same: that is each one's bound.
            _ => Box::new(BestOfScorer::with_bounds(
                children.into_iter().map(|c| (c, score)).collect(),
            )),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        // A new scorer may already be past `doc`; seeking backwards is not allowed.
        if scorer.doc() <= doc && scorer.seek(doc) == doc {
            Ok(Explanation::new("any of the expanded terms", self.score))
        } else {
            Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )))
        }
    }
}

/// Hands every document of the postings of `infos` to `sink`, a block at a time.
fn read_all(
    inverted: &InvertedIndexReader,
    infos: &[TermInfo],
    mut sink: impl FnMut(&[DocId]),
) -> tantivy::Result<()> {
    for info in infos {
        let mut block =
            inverted.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
        loop {
            let docs = block.docs();
            if docs.is_empty() {
                break;
            }
            sink(docs);
            block.advance();
        }
    }
    Ok(())
}

/// A sorted, deduplicated list of documents.
struct SortedDocs {
    docs: Vec<DocId>,
    at: usize,
}

impl SortedDocs {
    fn new(docs: Vec<DocId>) -> Self {
        SortedDocs { docs, at: 0 }
    }
}

impl DocSet for SortedDocs {
    fn advance(&mut self) -> DocId {
        if self.at < self.docs.len() {
            self.at += 1;
        }
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() >= target {
            return self.doc();
        }
        self.at += self.docs[self.at..].partition_point(|&d| d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        (self.docs.len() - self.at) as u32
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BoostQuery, TermSetQuery};
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    #[test]
    fn matches_and_scores_like_a_boosted_term_set() {
        let mut builder = Schema::builder();
        let field = builder.add_text_field("t", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer(15_000_000).unwrap();
        for i in 0..5000u32 {
            let mut doc = TantivyDocument::default();
            doc.add_text(field, format!("a{}", i % 50));
            if i % 3 == 0 {
                doc.add_text(field, "common");
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |t: &str| Term::from_field_text(field, t);
        for texts in [
            vec!["a1"],
            vec!["a1", "a7", "missing"],
            vec!["a1", "common"],
            vec!["missing"],
        ] {
            let terms: Vec<Term> = texts.iter().map(|t| term(t)).collect();
            let theirs = BoostQuery::new(Box::new(TermSetQuery::new(terms.clone())), 0.5);
            let top = TopDocs::with_limit(10_000).order_by_score();
            let mut b = searcher.search(&theirs, &top).unwrap();
            b.sort_by_key(|(_, d)| *d);
            // Lazily merged, and (walked: "a1" + "common" is dense) read into a bitset.
            for ours in [
                AnyTerm::new(field, terms.clone(), 0.5),
                AnyTerm::new(field, terms.clone(), 0.5).walked(),
            ] {
                let mut a = searcher.search(&ours, &top).unwrap();
                a.sort_by_key(|(_, d)| *d);
                assert_eq!(a, b, "{texts:?}");
                assert_eq!(
                    searcher.search(&ours, &Count).unwrap(),
                    searcher.search(&theirs, &Count).unwrap()
                );
            }
        }
        // A dominated term is skipped only where its exact counterpart has the same
        // documents: here "a2" stands in for the exact term of "a1" (same frequency).
        let skipping = AnyTerm::new(field, vec![term("a1"), term("a3")], 0.5)
            .dominated_by(term("a1"), term("a2"));
        assert_eq!(searcher.search(&skipping, &Count).unwrap(), 100);
        let kept = AnyTerm::new(field, vec![term("common"), term("a3")], 0.5)
            .dominated_by(term("common"), term("a2"));
        assert!(searcher.search(&kept, &Count).unwrap() > 1600);
    }
}
