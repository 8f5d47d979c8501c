//! Collectors: the score threshold, and ranking by score or fast fields with a stable
//! tiebreak, exact totals and `search_after` cursors.
//!
//! A hit's rank is a key of four `u64`s compared in order: up to three sort keys mapped
//! so that ascending `u64` order is the requested order (missing values last), then the
//! document's [`TIEBREAK_FIELD`](crate::index::TIEBREAK_FIELD). Keys are unique per
//! document, so a cursor (the last hit's key) continues exactly after it: every hit is
//! visited once, however many share a score or a date.

use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnType};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::coverage::Floor;
use super::request::Order;
use super::sorted::KeyFloor;
use crate::index::TIEBREAK_FIELD;

/// The rank key of a hit.
pub type RankKey = [u64; 4];

/// What a sort key reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortBy {
    /// The relevance score.
    Score(Order),
    /// A numeric, date or bool fast field.
    Field(String, Order),
}

/// Passes to `inner` only documents scoring at least `min` (`f32::MIN`: all, unscored).
pub struct MinScore<C> {
    /// The wrapped collector.
    pub inner: C,
    /// The threshold.
    pub min: Score,
}

impl<C: Collector> Collector for MinScore<C> {
    type Fruit = C::Fruit;
    type Child = MinScoreSegment<C::Child>;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(MinScoreSegment {
            inner: self.inner.for_segment(segment, reader)?,
            min: self.min,
        })
    }

    fn requires_scoring(&self) -> bool {
        // Without a threshold (browsing), unscored documents arrive with score 0 and pass.
        self.min > f32::MIN || self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

/// Segment part of [`MinScore`].
pub struct MinScoreSegment<C> {
    inner: C,
    min: Score,
}

impl<C: SegmentCollector> SegmentCollector for MinScoreSegment<C> {
    type Fruit = C::Fruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        // Scores carry their ranking tier (see `coverage.rs`); the threshold is on the
        // 0–1 score.
        if super::coverage::shown(score) >= self.min {
            self.inner.collect(doc, score);
        }
    }

    /// Unscored documents (score 0) in blocks: passed on as a block, so the inner
    /// collectors can read their fast fields in bulk.
    fn collect_block(&mut self, docs: &[DocId]) {
        if 0.0 >= self.min {
            self.inner.collect_block(docs);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.inner.harvest()
    }
}

/// One ranked hit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranked {
    /// Its rank key (the cursor after it).
    pub key: RankKey,
    /// Where it is.
    pub address: DocAddress,
    /// Its score (0 when scoring is off).
    pub score: Score,
}

/// What [`Rank`] found: the best `window` hits after the cursor, and the total count.
#[derive(Debug, Default)]
pub struct Ranking {
    /// Best first.
    pub hits: Vec<Ranked>,
    /// Every document collected (before the cursor cut); when `capped`, the cap.
    pub total: u64,
    /// Counting stopped at [`Rank::count_up_to`]: `total` is a lower bound.
    pub capped: bool,
}

/// Keeps the best `window` hits by [`RankKey`] that come after `after`, and counts all.
pub struct Rank {
    /// Sort keys (at most three).
    pub sort: Vec<SortBy>,
    /// Only hits ranked after this key.
    pub after: Option<RankKey>,
    /// How many hits to keep.
    pub window: usize,
    /// Raised to the worst kept score once the window is full, when the first sort key
    /// is the score, descending (see [`Floor`]).
    pub floor: Option<Floor>,
    /// Past this many documents (counted in the floor, across segments), the floor's
    /// scorers may skip documents below it (`None`: count every one): by score when the
    /// first sort key is the score, by sort value when it is a field and `key_floor` is
    /// given.
    pub count_up_to: Option<u64>,
    /// Lowered to the worst hit's first sort key once the count is capped and the window
    /// full, when the first sort key is a field (see `sorted.rs`).
    pub key_floor: Option<KeyFloor>,
}

impl Collector for Rank {
    type Fruit = Ranking;
    type Child = RankSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = reader.fast_fields();
        let mut keys = Vec::with_capacity(self.sort.len());
        for sort in &self.sort {
            keys.push(match sort {
                SortBy::Score(order) => KeyReader::Score(*order),
                SortBy::Field(name, order) => KeyReader::Column(sort_column(reader, name)?, *order),
            });
        }
        let tiebreak = fast.u64(TIEBREAK_FIELD)?;
        let by_score = self.sort.first() == Some(&SortBy::Score(Order::Desc));
        let floor = self.floor.clone().filter(|_| by_score);
        let key_floor = self
            .key_floor
            .clone()
            .filter(|_| matches!(self.sort.first(), Some(SortBy::Field(..))));
        let counter = self
            .floor
            .clone()
            .filter(|_| floor.is_some() || key_floor.is_some());
        Ok(RankSegment {
            segment,
            keys,
            tiebreak,
            after: self.after,
            window: self.window,
            cap: self.count_up_to.filter(|_| counter.is_some()),
            counter,
            key_floor,
            unshared: 0,
            capped: false,
            floor,
            heap: BinaryHeap::new(),
            total: 0,
            column_buffer: Vec::new(),
            key_buffer: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort.iter().any(|s| matches!(s, SortBy::Score(_)))
    }

    fn merge_fruits(&self, fruits: Vec<SegmentRanking>) -> tantivy::Result<Ranking> {
        let capped = fruits.iter().any(|f| f.capped);
        let total = match self.count_up_to {
            Some(cap) if capped => cap,
            _ => fruits.iter().map(|f| f.total).sum(),
        };
        let mut hits: Vec<Ranked> = fruits.into_iter().flat_map(|f| f.hits).collect();
        hits.sort_unstable_by_key(|h| h.key);
        hits.truncate(self.window);
        Ok(Ranking {
            hits,
            total,
            capped,
        })
    }
}

/// The column a sort by `field` reads, its values mapped to `u64` in their order (`None`
/// when no document of the segment has the field).
pub(super) fn sort_column(
    reader: &SegmentReader,
    field: &str,
) -> tantivy::Result<Option<Column<u64>>> {
    Ok(reader
        .fast_fields()
        .u64_lenient_for_type(Some(&SORTABLE_COLUMNS), field)?
        .map(|(column, _)| column))
}

const SORTABLE_COLUMNS: [ColumnType; 5] = [
    ColumnType::I64,
    ColumnType::U64,
    ColumnType::F64,
    ColumnType::DateTime,
    ColumnType::Bool,
];

enum KeyReader {
    Score(Order),
    /// `None` when no document of the segment has the field.
    Column(Option<Column<u64>>, Order),
}

/// Segment part of [`Rank`].
pub struct RankSegment {
    segment: SegmentOrdinal,
    keys: Vec<KeyReader>,
    tiebreak: Column<u64>,
    after: Option<RankKey>,
    window: usize,
    /// The score floor, when ranking by score.
    floor: Option<Floor>,
    /// The sort-key floor, when ranking by a field with a cap.
    key_floor: Option<KeyFloor>,
    /// The search's shared count, when counting is capped.
    counter: Option<Floor>,
    /// [`Rank::count_up_to`], when this segment may skip.
    cap: Option<u64>,
    /// Counted here, not yet added to the floor's count.
    unshared: u64,
    /// The cap was reached: the floors' scorers skip.
    capped: bool,
    heap: BinaryHeap<HeapEntry>,
    total: u64,
    /// Scratch space of [`SegmentCollector::collect_block`]: one column's values.
    column_buffer: Vec<Option<u64>>,
    /// Scratch space of [`SegmentCollector::collect_block`]: the block's keys.
    key_buffer: Vec<RankKey>,
}

/// Segment result of [`Rank`].
pub struct SegmentRanking {
    hits: Vec<Ranked>,
    total: u64,
    capped: bool,
}

#[derive(PartialEq)]
struct HeapEntry(Ranked);

impl Eq for HeapEntry {}

impl PartialOrd for HeapEntry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for HeapEntry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.key.cmp(&other.0.key)
    }
}

/// Maps a value to a key part whose ascending order is `order`.
fn directed(value: u64, order: Order) -> u64 {
    match order {
        Order::Asc => value,
        Order::Desc => !value,
    }
}

/// An order-preserving map of a float score to `u64`.
fn score_bits(score: Score) -> u64 {
    let bits = score.to_bits();
    u64::from(if bits & 0x8000_0000 != 0 {
        !bits
    } else {
        bits | 0x8000_0000
    })
}

/// The key part of a column value (missing values sort last in either direction).
fn column_key(value: Option<u64>, order: Order) -> u64 {
    match value {
        Some(value) => directed(value, order),
        None => u64::MAX,
    }
}

/// Documents a segment counts before it adds them to the shared count.
const COUNT_BATCH: u64 = 64;

impl RankSegment {
    /// Counts `n` more documents; past the cap, lets the scorers skip.
    #[inline]
    fn count(&mut self, n: u64) {
        self.total += n;
        let Some(cap) = self.cap else { return };
        if self.capped {
            return;
        }
        self.unshared += n;
        if self.unshared < COUNT_BATCH && self.total < cap {
            return;
        }
        let Some(counter) = &self.counter else { return };
        let counted = counter.count(self.unshared);
        self.unshared = 0;
        if counted >= cap {
            self.capped = true;
            if let Some(floor) = &self.floor {
                floor.start_skipping();
            }
            self.lower_key_floor();
        }
    }

    /// Once capped with a full window, documents keyed above the worst hit's first sort
    /// key cannot enter: lets the query skip them (see `sorted.rs`).
    #[inline]
    fn lower_key_floor(&self) {
        if let (true, true, Some(key_floor), Some(worst)) = (
            self.capped,
            self.heap.len() == self.window,
            &self.key_floor,
            self.heap.peek(),
        ) {
            key_floor.lower(worst.0.key[0]);
        }
    }

    /// Keeps the hit if it ranks among the best `window` after the cursor.
    #[inline]
    fn offer(&mut self, key: RankKey, doc: DocId, score: Score) {
        if self.after.is_some_and(|after| key <= after) {
            return;
        }
        if self.heap.len() == self.window {
            match self.heap.peek() {
                Some(worst) if key < worst.0.key => {
                    self.heap.pop();
                }
                _ => return,
            }
        }
        if self.window > 0 {
            self.heap.push(HeapEntry(Ranked {
                key,
                address: DocAddress::new(self.segment, doc),
                score,
            }));
            if self.heap.len() == self.window
                && let (Some(floor), Some(worst)) = (&self.floor, self.heap.peek())
            {
                // Ranked by score alone, a tie at the worst score is decided by the
                // tiebreak key: the scorers may skip ties with larger keys.
                if self.keys.len() == 1 {
                    floor.raise_with_tie(worst.0.score, worst.0.key[3]);
                } else {
                    floor.raise(worst.0.score);
                }
            }
            self.lower_key_floor();
        }
    }
}

impl SegmentCollector for RankSegment {
    type Fruit = SegmentRanking;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count(1);
        if self.window == 0 {
            return;
        }
        let mut key: RankKey = [0; 4];
        for (slot, reader) in key.iter_mut().zip(&self.keys) {
            *slot = match reader {
                KeyReader::Score(order) => directed(score_bits(score), *order),
                KeyReader::Column(column, order) => {
                    column_key(column.as_ref().and_then(|c| c.first(doc)), *order)
                }
            };
        }
        // Most documents of a broad query rank below a full window on their sort keys
        // alone; only a tie needs the tiebreak column.
        if self.heap.len() == self.window
            && self
                .heap
                .peek()
                .is_some_and(|worst| key[..3] > worst.0.key[..3])
        {
            return;
        }
        key[3] = self.tiebreak.first(doc).unwrap_or(u64::MAX);
        self.offer(key, doc, score);
    }

    /// Unscored documents in blocks: the same as collecting each with score 0, with the
    /// sort columns read in bulk.
    fn collect_block(&mut self, docs: &[DocId]) {
        self.count(docs.len() as u64);
        if self.window == 0 {
            return;
        }
        let mut keys = std::mem::take(&mut self.key_buffer);
        let mut values = std::mem::take(&mut self.column_buffer);
        keys.clear();
        keys.resize(docs.len(), [0; 4]);
        values.clear();
        values.resize(docs.len(), None);
        for (i, reader) in self.keys.iter().enumerate() {
            match reader {
                KeyReader::Score(order) => {
                    let part = directed(score_bits(0.0), *order);
                    keys.iter_mut().for_each(|key| key[i] = part);
                }
                KeyReader::Column(Some(column), order) => {
                    column.first_vals(docs, &mut values);
                    for (key, value) in keys.iter_mut().zip(&values) {
                        key[i] = column_key(*value, *order);
                    }
                }
                KeyReader::Column(None, _) => keys.iter_mut().for_each(|key| key[i] = u64::MAX),
            }
        }
        self.tiebreak.first_vals(docs, &mut values);
        for (key, value) in keys.iter_mut().zip(&values) {
            key[3] = value.unwrap_or(u64::MAX);
        }
        for (key, doc) in keys.iter().zip(docs) {
            self.offer(*key, *doc, 0.0);
        }
        self.key_buffer = keys;
        self.column_buffer = values;
    }

    fn harvest(self) -> SegmentRanking {
        if let Some(counter) = &self.counter {
            counter.count(self.unshared);
        }
        SegmentRanking {
            hits: self.heap.into_iter().map(|e| e.0).collect(),
            total: self.total,
            capped: self.capped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_maps_preserve_order() {
        let scores = [-3.5f32, -0.0, 0.0, 0.25, 0.7, 1.0, 12.0];
        for pair in scores.windows(2) {
            assert!(score_bits(pair[0]) <= score_bits(pair[1]), "{pair:?}");
        }
        assert!(directed(5, Order::Desc) < directed(4, Order::Desc));
        assert!(directed(4, Order::Asc) < directed(5, Order::Asc));
        assert!(
            directed(u64::MAX - 1, Order::Asc) < u64::MAX,
            "missing sorts last"
        );
    }
}
