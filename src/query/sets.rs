//! [`MatchSets`]: the documents a dense query word matches in a segment, read once and
//! kept across searches.
//!
//! A broad query ("부산 뮤지컬") intersects words that each match a tenth of the
//! catalogue through a dozen alternatives (the word in every text field, its keyword
//! value, its prefix completions). Walking that intersection through the words' scorers
//! moves every alternative's postings at every candidate, and most candidates of one word
//! lack the other. Segments never change, and the common words of a catalogue recur from
//! one request to the next, so the set of documents a word matches in a segment is read
//! once into a bitset and kept; the intersection then runs over bitsets, and the scorers
//! are sought only at the documents every word matches, for their scores. Matches and
//! scores are exactly those of the walk through the scorers.
//!
//! The store also keeps each segment's [`TieBlocks`]: the least tiebreak key of every block
//! of documents, which lets a broad query whose page is full of equal scores skip the
//! blocks where a tie could not enter the page (see `coverage.rs`), and the
//! [`TermPeaks`] of a segment's dense terms: what bounds their BM25 there.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use quick_cache::Weighter;
use quick_cache::sync::Cache;
use tantivy::index::SegmentId;
use tantivy::query::{Query, Scorer};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Memory the match sets of an engine may hold, approximately (a set costs one bit per
/// document of its segment: 122 KiB for a segment of a million documents).
pub const MATCH_SETS_BYTES: u64 = 64 * 1024 * 1024;

/// A word matching at least 1 in this many documents of a segment is read into a set.
pub const DENSE_SHARE: u32 = 64;

/// What the set of `query` is kept under (with the segment): what a query matches is
/// fixed by its kinds, fields and terms, all of which its debug form spells out.
pub(crate) fn digest(query: &dyn Query) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(format!("{query:?}").as_bytes()).into()
}

/// The documents of one segment a word matches.
#[derive(Debug)]
pub(crate) struct DocBits {
    words: Vec<u64>,
    len: u32,
}

impl DocBits {
    /// No document of a segment of `max_doc` documents.
    pub(crate) fn empty(max_doc: u32) -> Self {
        DocBits {
            words: vec![0; (max_doc as usize).div_ceil(64)],
            len: 0,
        }
    }

    /// Adds every document `scorer` matches (reading it to the end).
    pub(crate) fn add(&mut self, scorer: &mut dyn Scorer) {
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            let word = &mut self.words[(doc / 64) as usize];
            let bit = 1 << (doc % 64);
            if *word & bit == 0 {
                *word |= bit;
                self.len += 1;
            }
            doc = scorer.advance();
        }
    }

    /// How many documents it holds.
    fn len(&self) -> u32 {
        self.len
    }

    /// The first document at or after `target` (or [`TERMINATED`]).
    pub(crate) fn next(&self, target: DocId) -> DocId {
        let mut i = (target / 64) as usize;
        let Some(&first) = self.words.get(i) else {
            return TERMINATED;
        };
        let mut word = first & (u64::MAX << (target % 64));
        loop {
            if word != 0 {
                return (i as u32) * 64 + word.trailing_zeros();
            }
            i += 1;
            match self.words.get(i) {
                Some(&w) => word = w,
                None => return TERMINATED,
            }
        }
    }

    fn bytes(&self) -> u64 {
        self.words.len() as u64 * 8
    }
}

/// A cursor over shared [`DocBits`].
#[derive(Debug)]
pub(crate) struct DocBitsCursor {
    bits: Arc<DocBits>,
    doc: DocId,
}

impl DocBitsCursor {
    pub(crate) fn new(bits: Arc<DocBits>) -> Self {
        let doc = bits.next(0);
        DocBitsCursor { bits, doc }
    }
}

impl DocSet for DocBitsCursor {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.bits.next(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.bits.next(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.bits.len()
    }
}

/// Documents per block of [`TieBlocks`].
pub(crate) const TIE_BLOCK: u32 = 128;

/// The least [`TIEBREAK_FIELD`](crate::index::TIEBREAK_FIELD) value of each block of
/// [`TIE_BLOCK`] documents of a segment. A document scoring the same as the page's worst
/// hit ranks after it when its tiebreak key is larger: in a block whose least key is
/// larger than the worst hit's, only a higher score can enter the page.
#[derive(Debug)]
pub(crate) struct TieBlocks {
    least: Vec<u64>,
}

impl TieBlocks {
    /// The blocks of the segment of `reader`.
    pub(crate) fn read(reader: &SegmentReader) -> tantivy::Result<Self> {
        let column = reader.fast_fields().u64(crate::index::TIEBREAK_FIELD)?;
        let max_doc = reader.max_doc();
        let mut least = Vec::with_capacity(max_doc.div_ceil(TIE_BLOCK) as usize);
        // A document without a key (none in practice) sorts last: `u64::MAX`.
        let mut docs: Vec<DocId> = (0..TIE_BLOCK).collect();
        let mut values = vec![None; TIE_BLOCK as usize];
        for start in (0..max_doc).step_by(TIE_BLOCK as usize) {
            let len = (max_doc - start).min(TIE_BLOCK) as usize;
            for (i, doc) in docs.iter_mut().enumerate() {
                *doc = start + i as DocId;
            }
            column.first_vals(&docs[..len], &mut values[..len]);
            let block = values[..len].iter().map(|v| v.unwrap_or(u64::MAX));
            least.push(block.min().unwrap_or(u64::MAX));
        }
        Ok(TieBlocks { least })
    }

    /// Whether every document of the block holding `doc` has a tiebreak key above `tie`.
    pub(crate) fn above(&self, doc: DocId, tie: u64) -> bool {
        self.least
            .get((doc / TIE_BLOCK) as usize)
            .is_none_or(|&least| least > tie)
    }

    /// The first document at or after `doc` of a block holding a key at or below `tie`
    /// ([`TERMINATED`]: none).
    pub(crate) fn next_at_or_below(&self, doc: DocId, tie: u64) -> DocId {
        let from = (doc / TIE_BLOCK) as usize;
        match self
            .least
            .get(from..)
            .and_then(|rest| rest.iter().position(|&l| l <= tie))
        {
            Some(i) => ((from + i) as u32 * TIE_BLOCK).max(doc),
            None => TERMINATED,
        }
    }
}

/// Per field length (fieldnorm id), the largest frequency of a term in the documents of a
/// segment that hold it: the highest BM25 the term gives there, for any weight. A common
/// word's title match is bounded by the top of the exact band, but its real best in a
/// segment is usually lower, and a page full of that best stops reading the others.
pub(crate) struct TermPeaks {
    max_tf: Box<[u32; 256]>,
}

impl TermPeaks {
    /// Reads `term`'s postings in the segment of `reader` (`None`: the postings did not
    /// read as expected, so nothing is bounded).
    pub(crate) fn read(reader: &SegmentReader, term: &Term) -> tantivy::Result<Option<Self>> {
        let field = term.field();
        let inverted = reader.inverted_index(field)?;
        let Some(info) = inverted.get_term_info(term)? else {
            return Ok(Some(TermPeaks {
                max_tf: Box::new([0; 256]),
            }));
        };
        let norms = reader.get_fieldnorms_reader(field)?;
        let mut block =
            inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
        let mut max_tf = Box::new([0u32; 256]);
        let mut seen = 0u32;
        while seen < info.doc_freq {
            let docs = block.docs();
            if docs.is_empty() {
                break;
            }
            for (i, &doc) in docs.iter().enumerate() {
                let id = usize::from(norms.fieldnorm_id(doc));
                max_tf[id] = max_tf[id].max(block.freq(i));
            }
            seen += docs.len() as u32;
            block.advance();
        }
        Ok((seen == info.doc_freq).then_some(TermPeaks { max_tf }))
    }

    /// The highest `score(fieldnorm id, term frequency)` of the term's documents, for a
    /// `score` growing with the frequency (BM25); `None` when no document holds it.
    pub(crate) fn best(&self, score: impl Fn(u8, u32) -> Score) -> Option<Score> {
        (0..=u8::MAX)
            .filter(|&id| self.max_tf[usize::from(id)] > 0)
            .map(|id| score(id, self.max_tf[usize::from(id)]))
            .reduce(Score::max)
    }
}

/// Kept peaks by segment and term (`None`: the postings did not read as expected).
type PeakMap = HashMap<(SegmentId, Term), Option<Arc<TermPeaks>>>;

/// Terms whose peaks are kept; past this, the kept ones are dropped and read again.
const PEAK_TERMS: usize = 4096;

/// What a set is kept under: the segment and a digest of the word's query (its
/// alternatives, with their terms).
type Key = (SegmentId, [u8; 32]);

#[derive(Clone)]
struct Bytes;

/// Segments whose tie blocks are kept; past this, the kept ones are dropped (segments
/// merged away leave theirs behind) and read again as searches need them.
const TIE_SEGMENTS: usize = 256;

impl Weighter<Key, Arc<DocBits>> for Bytes {
    fn weight(&self, _: &Key, bits: &Arc<DocBits>) -> u64 {
        bits.bytes() + 64
    }
}

/// What [`MatchSets`] holds and how often it was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchSetStats {
    /// Words whose set was found kept.
    pub hits: u64,
    /// Words whose set was read.
    pub misses: u64,
    /// Sets held.
    pub sets: u64,
    /// Their memory.
    pub bytes: u64,
}

/// The bounded, thread-safe store of match sets of an engine (shared by its indexes:
/// segment ids are unique).
pub struct MatchSets {
    cache: Option<Cache<Key, Arc<DocBits>, Bytes>>,
    /// Per segment (8 bytes per 128 documents), at most [`TIE_SEGMENTS`] of them.
    ties: Option<Mutex<HashMap<SegmentId, Arc<TieBlocks>>>>,
    /// Per segment and dense term (1 KiB each), at most [`PEAK_TERMS`] of them.
    peaks: Option<Mutex<PeakMap>>,
    /// Filters and probed pieces seen recently (see [`Self::recurs`]), at most
    /// [`SEEN_FILTERS`].
    seen: Option<Mutex<std::collections::HashSet<[u8; 32]>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Filters and probed pieces remembered as seen; past this, the memory is cleared.
const SEEN_FILTERS: usize = 4096;

impl std::fmt::Debug for MatchSets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatchSets")
            .field("sets", &self.cache.as_ref().map_or(0, Cache::len))
            .field("hits", &self.hits())
            .field("misses", &self.misses())
            .finish()
    }
}

impl Default for MatchSets {
    fn default() -> Self {
        MatchSets::with_capacity(MATCH_SETS_BYTES)
    }
}

impl MatchSets {
    /// A store holding about `bytes` of sets (0: none; every search walks its scorers).
    pub fn with_capacity(bytes: u64) -> Self {
        MatchSets {
            cache: (bytes > 0).then(|| {
                let items = usize::try_from(bytes / (128 * 1024))
                    .unwrap_or(usize::MAX)
                    .max(16);
                Cache::with_weighter(items, bytes, Bytes)
            }),
            ties: (bytes > 0).then(Mutex::default),
            peaks: (bytes > 0).then(Mutex::default),
            seen: (bytes > 0).then(Mutex::default),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Its counters.
    pub fn stats(&self) -> MatchSetStats {
        MatchSetStats {
            hits: self.hits(),
            misses: self.misses(),
            sets: self.cache.as_ref().map_or(0, |c| c.len() as u64),
            bytes: self.cache.as_ref().map_or(0, Cache::weight),
        }
    }

    /// Whether sets are kept at all.
    pub fn enabled(&self) -> bool {
        self.cache.is_some()
    }

    /// Searches that found a word's set kept.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Searches that read a word's set.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// Whether a filter or a probed piece (by its [`digest`]) was seen before since the
    /// memory was last cleared; remembers it. Their sets are read only when they recur,
    /// as Elasticsearch caches only filters used more than once: reading a set costs a
    /// whole scan, which a one-off query would never pay back.
    pub(crate) fn recurs(&self, digest: [u8; 32]) -> bool {
        let Some(seen) = &self.seen else {
            return false;
        };
        let mut seen = seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.contains(&digest) {
            return true;
        }
        if seen.len() >= SEEN_FILTERS {
            seen.clear();
        }
        seen.insert(digest);
        false
    }

    /// The tie blocks of the segment of `reader`, kept or read now (`None` when the
    /// store keeps nothing).
    pub(crate) fn tie_blocks(
        &self,
        reader: &SegmentReader,
    ) -> tantivy::Result<Option<Arc<TieBlocks>>> {
        let Some(ties) = &self.ties else {
            return Ok(None);
        };
        let segment = reader.segment_id();
        let kept = |ties: &Mutex<HashMap<_, _>>| {
            ties.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(&segment)
                .cloned()
        };
        if let Some(blocks) = kept(ties) {
            return Ok(Some(blocks));
        }
        let blocks = Arc::new(TieBlocks::read(reader)?);
        let mut ties = ties
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if ties.len() >= TIE_SEGMENTS {
            ties.clear();
        }
        ties.insert(segment, blocks.clone());
        Ok(Some(blocks))
    }

    /// The peaks of `term` in the segment of `reader`, kept or read now; `None` when the
    /// store keeps nothing or the term is rare there (under 1 in [`DENSE_SHARE`]
    /// documents: its matches are few, bounding them saves little).
    pub(crate) fn term_peaks(
        &self,
        reader: &SegmentReader,
        term: &Term,
    ) -> tantivy::Result<Option<Arc<TermPeaks>>> {
        let Some(peaks) = &self.peaks else {
            return Ok(None);
        };
        let doc_freq = reader.inverted_index(term.field())?.doc_freq(term)?;
        if doc_freq < reader.max_doc() / DENSE_SHARE {
            return Ok(None);
        }
        let key = (reader.segment_id(), term.clone());
        let lock = || {
            peaks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(kept) = lock().get(&key) {
            return Ok(kept.clone());
        }
        let read = TermPeaks::read(reader, term)?.map(Arc::new);
        let mut peaks = lock();
        if peaks.len() >= PEAK_TERMS {
            peaks.clear();
        }
        peaks.insert(key, read.clone());
        Ok(read)
    }

    /// The set kept under `(segment, digest)`, or the one `read` makes (then kept).
    pub(crate) fn get_or_read(
        &self,
        segment: SegmentId,
        digest: [u8; 32],
        read: impl FnOnce() -> tantivy::Result<DocBits>,
    ) -> tantivy::Result<Option<Arc<DocBits>>> {
        let Some(cache) = &self.cache else {
            return Ok(None);
        };
        let key = (segment, digest);
        if let Some(bits) = cache.get(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(Some(bits));
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let bits = Arc::new(read()?);
        cache.insert(key, bits.clone());
        Ok(Some(bits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_finds_the_first_document_at_or_after_the_target() {
        let docs = [0u32, 5, 63, 64, 200, 1000];
        let mut words = vec![0u64; 1001usize.div_ceil(64)];
        for d in docs {
            words[(d / 64) as usize] |= 1 << (d % 64);
        }
        let bits = DocBits { words, len: 6 };
        assert_eq!(bits.next(0), 0);
        assert_eq!(bits.next(1), 5);
        assert_eq!(bits.next(6), 63);
        assert_eq!(bits.next(64), 64);
        assert_eq!(bits.next(65), 200);
        assert_eq!(bits.next(1000), 1000);
        assert_eq!(bits.next(1001), TERMINATED);
        assert_eq!(bits.next(5000), TERMINATED);
        let mut cursor = DocBitsCursor::new(Arc::new(bits));
        let mut seen = vec![cursor.doc()];
        while cursor.advance() != TERMINATED {
            seen.push(cursor.doc());
        }
        assert_eq!(seen, docs);
    }
}
