//! Pages sorted by a field: once the count is capped, only documents whose sort value
//! can still enter the page are read.
//!
//! A browse ("every concert of these genres, newest first") matches a large share of the
//! index, and a sort by a field has no score bound to skip by: without this, every match
//! is read, keyed and compared. Once the collector has counted `track_total_hits`
//! matches and holds a full page, it lowers a [`KeyFloor`] to its worst hit's first sort
//! key. [`KeyBounded`] wraps the search's query and, from then on, finds its next
//! candidates in the sort column itself — a bulk range scan of the column's packed values,
//! a chunk of documents at a time — and asks the wrapped query only about those.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tantivy::columnar::Column;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::collect::sort_column;
use super::coverage::reach;
use super::request::Order;

/// Documents whose sort values one range scan reads.
const CHUNK: u32 = 16_384;

/// The worst first sort key a full, capped page holds, shared by the collector (which
/// lowers it) and the query's scorers (which skip documents keyed above it). `u64::MAX`:
/// nothing may be skipped yet.
#[derive(Debug, Clone)]
pub struct KeyFloor(Arc<AtomicU64>);

impl Default for KeyFloor {
    fn default() -> Self {
        KeyFloor(Arc::new(AtomicU64::new(u64::MAX)))
    }
}

impl KeyFloor {
    /// The current bound: a document keyed above it cannot enter the page.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Lowers the bound to `key` (never raises it).
    pub fn lower(&self, key: u64) {
        self.0.fetch_min(key, Ordering::Relaxed);
    }

    /// Back to skipping nothing, for another run of the same query.
    pub fn reset(&self) {
        self.0.store(u64::MAX, Ordering::Relaxed);
    }
}

/// `inner`, visiting only documents whose first sort key (`field`, `order`, as the
/// collector keys it) is at most the [`KeyFloor`].
pub struct KeyBounded {
    inner: Box<dyn Query>,
    field: String,
    order: Order,
    floor: KeyFloor,
}

impl KeyBounded {
    /// Wraps `inner`.
    pub fn new(inner: Box<dyn Query>, field: String, order: Order, floor: KeyFloor) -> Self {
        KeyBounded {
            inner,
            field,
            order,
            floor,
        }
    }
}

impl Clone for KeyBounded {
    fn clone(&self) -> Self {
        KeyBounded {
            inner: self.inner.box_clone(),
            field: self.field.clone(),
            order: self.order,
            floor: self.floor.clone(),
        }
    }
}

impl fmt::Debug for KeyBounded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyBounded")
            .field("inner", &self.inner)
            .field("field", &self.field)
            .field("order", &self.order)
            .finish()
    }
}

impl Query for KeyBounded {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(KeyBoundedWeight {
            inner: self.inner.weight(enable_scoring)?,
            field: self.field.clone(),
            order: self.order,
            floor: self.floor.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct KeyBoundedWeight {
    inner: Box<dyn Weight>,
    field: String,
    order: Order,
    floor: KeyFloor,
}

impl Weight for KeyBoundedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorer = KeyBoundedScorer {
            inner: self.inner.scorer(reader, boost)?,
            column: sort_column(reader, &self.field)?,
            order: self.order,
            floor: self.floor.clone(),
            max_doc: reader.max_doc(),
            candidates: Vec::new(),
            next: 0,
            scanned_to: 0,
            doc: 0,
        };
        scorer.doc = scorer.first_from(0);
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }
}

struct KeyBoundedScorer {
    inner: Box<dyn Scorer>,
    /// `None`: no document of the segment has the field (every key is "missing", last).
    column: Option<Column<u64>>,
    order: Order,
    floor: KeyFloor,
    max_doc: DocId,
    /// Documents of the last scanned chunk whose value was within the floor when scanned
    /// (a superset of those within it now: the floor only falls), ascending.
    candidates: Vec<DocId>,
    next: usize,
    /// The end of the last scanned chunk.
    scanned_to: DocId,
    doc: DocId,
}

impl KeyBoundedScorer {
    /// The first document at or after `target` that `inner` matches and whose key may be
    /// within the floor.
    fn first_from(&mut self, mut target: DocId) -> DocId {
        loop {
            let bound = self.floor.get();
            if bound == u64::MAX {
                return reach(self.inner.as_mut(), target);
            }
            let candidate = self.candidate(target, bound);
            if candidate == TERMINATED {
                return TERMINATED;
            }
            let doc = reach(self.inner.as_mut(), candidate);
            if doc == candidate || doc == TERMINATED {
                return doc;
            }
            target = doc;
        }
    }

    /// The first document at or after `target` whose sort value is within `bound`.
    fn candidate(&mut self, mut target: DocId, bound: u64) -> DocId {
        // Missing values key last (u64::MAX), above any bound that skips.
        let Some(column) = &self.column else {
            return TERMINATED;
        };
        loop {
            if target < self.scanned_to {
                while let Some(&doc) = self.candidates.get(self.next) {
                    if doc >= target {
                        return doc;
                    }
                    self.next += 1;
                }
            }
            let start = target.max(self.scanned_to);
            if start >= self.max_doc {
                return TERMINATED;
            }
            let end = start.saturating_add(CHUNK).min(self.max_doc);
            // The key is the value (ascending) or its complement (descending).
            let values = match self.order {
                Order::Asc => 0..=bound,
                Order::Desc => !bound..=u64::MAX,
            };
            column.get_docids_for_value_range(values, start..end, &mut self.candidates);
            self.next = 0;
            self.scanned_to = end;
            target = start;
        }
    }
}

impl DocSet for KeyBoundedScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.first_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.first_from(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for KeyBoundedScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}
