//! A MeCab-compatible Viterbi segmenter over lindera's compiled ko-dic.
//!
//! lindera's own segmenter puts whitespace into the lattice as `SP` nodes and drops them
//! afterwards, so a space changes which connection costs apply, and lindera's output
//! around spaces diverges from mecab-ko's. mecab-ko instead skips whitespace: a node after
//! a space connects directly to the node before it, and mecab-ko-dic's
//! `left-space-penalty-factor` adds a cost to endings, particles and suffixes that follow
//! a space. This module implements that lattice (dictionary lookup, MeCab's unknown-word
//! rules, Viterbi) on lindera's dictionary structures, so chatda segments exactly as the
//! reference does (measured in `tests/analysis.rs`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};

use lindera::dictionary::Dictionary;
use lindera_dictionary::dictionary::character_definition::CategoryId;
use lindera_dictionary::space_penalty::SpacePenaltyConfig;

/// MeCab's default `max-grouping-size`, counted in characters after the first: unknown
/// runs longer than this plus one are not grouped.
const MAX_GROUPING: usize = 24;
/// Lines longer than this many characters are cut (at whitespace when possible), so the
/// lattice of a huge unspaced text stays small.
const MAX_SENTENCE_CHARS: usize = 4096;
/// Context id of BOS/EOS in ko-dic (before lindera's renumbering).
const BOS_EOS_ID: u16 = 0;
// Path totals fit in i32: a node adds at most a word cost and a connection cost (i16 each)
// plus a 6000 space penalty, and a piece has at most MAX_SENTENCE_CHARS nodes.
const _: () = assert!((MAX_SENTENCE_CHARS as i64) * (2 * 32_768 + 6_000) < i32::MAX as i64);

/// Splits `text` into byte ranges of lines, each cut into pieces of at most
/// [`MAX_SENTENCE_CHARS`] characters, preferably after whitespace.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let mut piece_start = 0;
        let mut chars_in_piece = 0;
        let mut last_space = None;
        for (i, c) in line.char_indices() {
            if chars_in_piece == MAX_SENTENCE_CHARS {
                let cut = last_space.filter(|&s| s > piece_start).unwrap_or(i);
                out.push((line_start + piece_start, line_start + cut));
                chars_in_piece = line[cut..i].chars().count();
                piece_start = cut;
                last_space = None;
            }
            chars_in_piece += 1;
            if c.is_whitespace() {
                last_space = Some(i + c.len_utf8());
            }
        }
        out.push((line_start + piece_start, line_start + line.len()));
        line_start += line.len();
    }
    out
}

/// Which dictionary a lattice node's word comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordRef {
    /// System dictionary word id.
    System(u32),
    /// Unknown-word entry id.
    Unknown(u32),
    /// Index into [`UserWords`].
    User(u32),
}

/// A word of the user dictionary, already given ko-dic context ids and cost.
#[derive(Debug, Clone)]
pub struct UserWord {
    /// Surface form.
    pub surface: String,
    /// Left context id.
    pub left_id: u16,
    /// Right context id.
    pub right_id: u16,
    /// Word cost.
    pub cost: i16,
    /// ko-dic feature columns (`NNP,*,T,reading,*,*,*,*`).
    pub feature: String,
}

/// User words indexed by first character.
#[derive(Debug, Clone, Default)]
pub struct UserWords {
    words: Vec<UserWord>,
    /// Sorted by first character (a binary search per lattice position).
    by_first_char: Vec<(char, Vec<u32>)>,
}

impl UserWords {
    /// Indexes `words`.
    pub fn new(words: Vec<UserWord>) -> Self {
        let mut by_first_char: HashMap<char, Vec<u32>> = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            if let Some(c) = w.surface.chars().next() {
                by_first_char.entry(c).or_default().push(i as u32);
            }
        }
        let mut by_first_char: Vec<(char, Vec<u32>)> = by_first_char.into_iter().collect();
        by_first_char.sort_unstable_by_key(|(c, _)| *c);
        UserWords {
            words,
            by_first_char,
        }
    }

    /// The word at `index`.
    pub fn get(&self, index: u32) -> &UserWord {
        &self.words[index as usize]
    }
}

/// One segment of the best path: char range and word.
#[derive(Debug, Clone, Copy)]
pub struct Segment {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// The word.
    pub word: WordRef,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    start: u32,
    end: u32,
    prev: u32,
    word: WordRef,
}

#[derive(Debug, Clone, Copy)]
struct Prev {
    right_id: u16,
    total: i32,
    node: u32,
}

/// Reusable per-thread buffers.
#[derive(Default)]
struct Buffers {
    chars: Vec<char>,
    bytes: Vec<usize>,
    /// Per char: default category, category bit set, whether it is whitespace.
    categories: Vec<(CategoryId, u64, bool)>,
    nodes: Vec<Node>,
    /// Per end position: the live predecessors `(right id, path total, node)`, inline so
    /// the Viterbi inner loop reads contiguous memory.
    ends_at: Vec<Vec<Prev>>,
    candidates: Vec<(u32, u16, u16, i32, WordRef)>,
    /// Best predecessor per left context id at the current position: `(stamp, total,
    /// node)`; candidates sharing a left id share it (the space penalty is a function of
    /// the left id too).
    best_by_left_id: Vec<(u64, i32, u32)>,
    stamp: u64,
}

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::new(Buffers::default());
}

/// The segmenter: ko-dic plus user words plus mecab-ko's space penalty.
pub struct MecabLattice {
    dictionary: Dictionary,
    user: UserWords,
    space_penalty: Option<SpacePenaltyConfig>,
    space_category: Option<CategoryId>,
    /// Space penalty by left context id, filled lazily. mecab-ko-dic assigns left ids
    /// by part of speech (and an inflected word's first part), so the penalty, which
    /// depends on the leading tag, is a function of the left id; a unit test checks this
    /// over the whole dictionary.
    penalty_by_left_id: Vec<AtomicI32>,
    /// BOS's right and EOS's left context id in the dictionary's (renumbered) id space.
    bos_right: u16,
    eos_left: u16,
}

const PENALTY_UNKNOWN: i32 = i32::MIN;

impl MecabLattice {
    /// A segmenter over `dictionary` (its metadata's space-penalty rules apply).
    pub fn new(dictionary: Dictionary, mut user: UserWords) -> Self {
        // User words carry ko-dic's original context ids; lindera may have renumbered
        // the system dictionary's (see build.rs), so translate them the same way.
        let map = dictionary.metadata.context_id_map.as_ref();
        let left = |id: u16| map.map_or(id, |m| m.left[id as usize]);
        let right = |id: u16| map.map_or(id, |m| m.right[id as usize]);
        for word in &mut user.words {
            word.left_id = left(word.left_id);
            word.right_id = right(word.right_id);
        }
        let (bos_right, eos_left) = (right(BOS_EOS_ID), left(BOS_EOS_ID));
        let space_penalty = dictionary.metadata.space_penalty.clone();
        let space_category = dictionary.character_definition.category_id_by_name("SPACE");
        let matrix = &dictionary.connection_cost_matrix;
        let left_ids = matrix.costs().len() / matrix.row(0).len().max(1);
        MecabLattice {
            dictionary,
            user,
            space_penalty,
            space_category,
            penalty_by_left_id: (0..left_ids)
                .map(|_| AtomicI32::new(PENALTY_UNKNOWN))
                .collect(),
            bos_right,
            eos_left,
        }
    }

    /// The eight ko-dic feature columns of a word (POS, semantic class, final consonant,
    /// reading, type, first POS, last POS, expression), borrowed from the dictionary.
    pub fn fields(&self, word: WordRef) -> [&str; 8] {
        fn fill<'a>(values: impl Iterator<Item = &'a str>) -> [&'a str; 8] {
            let mut fields = ["*"; 8];
            for (slot, value) in fields.iter_mut().zip(values) {
                *slot = value;
            }
            fields
        }
        match word {
            WordRef::System(id) => fill(self.dictionary.word_details_iter(id as usize)),
            WordRef::Unknown(id) => fill(self.dictionary.unknown_word_details_iter(id as usize)),
            WordRef::User(i) => fill(self.user.get(i).feature.split(',')),
        }
    }

    /// The feature string of a word.
    pub fn feature(&self, word: WordRef) -> String {
        match word {
            WordRef::System(id) => self.dictionary.word_details(id as usize).join(","),
            WordRef::Unknown(id) => self.dictionary.unknown_word_details(id as usize).join(","),
            WordRef::User(i) => self.user.get(i).feature.clone(),
        }
    }

    fn space_penalty(&self, left_id: u16, word: WordRef) -> i32 {
        let Some(slot) = self.penalty_by_left_id.get(left_id as usize) else {
            return self.pos_penalty(word);
        };
        let cached = slot.load(Ordering::Relaxed);
        if cached != PENALTY_UNKNOWN {
            return cached;
        }
        let penalty = self.pos_penalty(word);
        slot.store(penalty, Ordering::Relaxed);
        penalty
    }

    fn pos_penalty(&self, word: WordRef) -> i32 {
        let Some(rules) = &self.space_penalty else {
            return 0;
        };
        let first = match word {
            WordRef::System(id) => self.dictionary.word_details_iter(id as usize).next(),
            WordRef::Unknown(id) => self
                .dictionary
                .unknown_word_details_iter(id as usize)
                .next(),
            WordRef::User(i) => self.user.get(i).feature.split(',').next(),
        };
        first.map_or(0, |pos| rules.cost_for_tag(pos))
    }

    /// Segments `text` (line by line) and calls `emit` with each segment of the best path.
    pub fn segment(&self, text: &str, mut emit: impl FnMut(Segment)) {
        for (start, end) in sentences(text) {
            self.segment_sentence(&text[start..end], start, &mut emit);
        }
    }

    fn segment_sentence(&self, sentence: &str, offset: usize, emit: &mut impl FnMut(Segment)) {
        if sentence.trim().is_empty() {
            return;
        }
        BUFFERS.with_borrow_mut(|b| {
            self.fill(b, sentence);
            self.viterbi(b);
            let mut path = Vec::new();
            let n = b.chars.len();
            // EOS: the best node ending at n, or before trailing whitespace.
            let mut eos_from = n;
            while eos_from > 0 && b.categories[eos_from - 1].2 {
                eos_from -= 1;
            }
            let mut best: Option<(i32, u32)> = None;
            for i in eos_from..=n {
                for prev in &b.ends_at[i] {
                    let total = prev.total + self.conn(prev.right_id, self.eos_left);
                    if best.is_none_or(|(t, _)| total < t) {
                        best = Some((total, prev.node));
                    }
                }
            }
            let mut at = best.map(|(_, p)| p);
            while let Some(p) = at.filter(|&p| p != 0) {
                let node = b.nodes[p as usize];
                path.push(node);
                at = Some(node.prev);
            }
            for node in path.iter().rev() {
                emit(Segment {
                    start: offset + b.bytes[node.start as usize],
                    end: offset + b.bytes[node.end as usize],
                    word: node.word,
                });
            }
        });
    }

    fn conn(&self, right_id: u16, left_id: u16) -> i32 {
        self.dictionary
            .connection_cost_matrix
            .cost(right_id as u32, left_id as u32)
    }

    fn fill(&self, b: &mut Buffers, sentence: &str) {
        b.chars.clear();
        b.bytes.clear();
        b.categories.clear();
        for (i, c) in sentence.char_indices() {
            b.chars.push(c);
            b.bytes.push(i);
            let cats = self.dictionary.character_definition.lookup_categories(c);
            let mask = cats.iter().fold(0u64, |m, c| m | (1 << (c.0 % 64)));
            let default = cats.first().copied().unwrap_or(CategoryId(0));
            let is_space = self
                .space_category
                .map_or(c.is_whitespace(), |s| s == default);
            b.categories.push((default, mask, is_space));
        }
        b.bytes.push(sentence.len());
        let n = b.chars.len();
        for list in b.ends_at.iter_mut().take(n + 1) {
            list.clear();
        }
        if b.ends_at.len() < n + 1 {
            b.ends_at.resize_with(n + 1, Vec::new);
        }
        b.nodes.clear();
        b.nodes.push(Node {
            start: 0,
            end: 0,
            prev: 0,
            word: WordRef::Unknown(u32::MAX),
        });
        b.ends_at[0].push(Prev {
            right_id: self.bos_right,
            total: 0,
            node: 0,
        });
    }

    fn viterbi(&self, b: &mut Buffers) {
        let n = b.chars.len();
        if b.best_by_left_id.len() < self.penalty_by_left_id.len() {
            b.best_by_left_id = vec![(0, 0, 0); self.penalty_by_left_id.len()];
        }
        let mut space_run_start = 0;
        let is_space = |b: &Buffers, k: usize| b.categories[k].2;
        for j in 0..n {
            if is_space(b, j) {
                if j == 0 || !is_space(b, j - 1) {
                    space_run_start = j;
                }
                continue;
            }
            // End positions that connect to a node starting at j: j itself, or any
            // position inside the whitespace run right before j (the skipped spaces).
            let from = if j > 0 && is_space(b, j - 1) {
                space_run_start
            } else {
                j
            };
            if (from..=j).all(|i| b.ends_at[i].is_empty()) {
                continue;
            }
            self.candidates(b, j);
            let candidates = std::mem::take(&mut b.candidates);
            b.stamp += 1;
            for &(end, left_id, right_id, cost, word) in &candidates {
                let slot = b.best_by_left_id[left_id as usize];
                let best = if slot.0 == b.stamp {
                    Some((slot.1, slot.2))
                } else {
                    let penalty = if from < j {
                        self.space_penalty(left_id, word)
                    } else {
                        0
                    };
                    let row = self
                        .dictionary
                        .connection_cost_matrix
                        .row(u32::from(left_id));
                    let (mut best_total, mut best_node) = (i32::MAX, u32::MAX);
                    for i in from..=j {
                        let extra = if i < j { penalty } else { 0 };
                        for prev in &b.ends_at[i] {
                            let total = prev.total + i32::from(row[prev.right_id as usize]) + extra;
                            if total < best_total {
                                (best_total, best_node) = (total, prev.node);
                            }
                        }
                    }
                    b.best_by_left_id[left_id as usize] = (b.stamp, best_total, best_node);
                    (best_node != u32::MAX).then_some((best_total, best_node))
                };
                let Some((total, prev)) = best else { continue };
                let total = total + cost;
                // Of the nodes ending at the same place with the same right context, only
                // the cheapest can ever be chosen as a predecessor; keeping just that one
                // (in the position MeCab's scan would reach it first) leaves the result
                // identical and the inner loop several times shorter.
                let ends = &mut b.ends_at[end as usize];
                if let Some(k) = ends.iter().position(|p| p.right_id == right_id) {
                    if ends[k].total <= total {
                        continue;
                    }
                    ends.remove(k);
                }
                ends.push(Prev {
                    right_id,
                    total,
                    node: b.nodes.len() as u32,
                });
                b.nodes.push(Node {
                    start: j as u32,
                    end,
                    prev,
                    word,
                });
            }
            b.candidates = candidates;
        }
    }

    /// Collects the words starting at char `j`: dictionary and user words, then unknown
    /// words by MeCab's rules (invoke, group, length).
    fn candidates(&self, b: &mut Buffers, j: usize) {
        b.candidates.clear();
        let rest = &b.chars[j..];
        for (records, consumed) in self.dictionary.prefix_dictionary.common_prefix_search(rest) {
            for record in records.chunks_exact(10) {
                let word_id = u32::from_le_bytes(record[0..4].try_into().expect("4"));
                let cost = i16::from_le_bytes(record[4..6].try_into().expect("2"));
                let left = u16::from_le_bytes(record[6..8].try_into().expect("2"));
                let right = u16::from_le_bytes(record[8..10].try_into().expect("2"));
                b.candidates.push((
                    (j + consumed) as u32,
                    left,
                    right,
                    i32::from(cost),
                    WordRef::System(word_id),
                ));
            }
        }
        let user = &self.user.by_first_char;
        if let Ok(k) = user.binary_search_by_key(&rest[0], |(c, _)| *c) {
            let indices = &user[k].1;
            for &i in indices {
                let w = self.user.get(i);
                let len = w.surface.chars().count();
                if rest.len() >= len && w.surface.chars().zip(rest).all(|(a, &b)| a == b) {
                    b.candidates.push((
                        (j + len) as u32,
                        w.left_id,
                        w.right_id,
                        i32::from(w.cost),
                        WordRef::User(i),
                    ));
                }
            }
        }
        let (category, mask, _) = b.categories[j];
        let definition = self
            .dictionary
            .character_definition
            .lookup_definition(category);
        if !b.candidates.is_empty() && !definition.invoke {
            return;
        }
        let same_kind = |k: usize| b.categories[k].1 & mask != 0;
        // Scanning past the grouping cap is pointless and would make long runs quadratic.
        let run = (j..b.chars.len())
            .take(MAX_GROUPING + 2)
            .take_while(|&k| same_kind(k))
            .count()
            .max(1);
        let unknown = &self.dictionary.unknown_dictionary;
        let push_unknown = |candidates: &mut Vec<_>, len: usize| {
            for &id in unknown.lookup_word_ids(category) {
                let e = unknown.word_entry(id);
                candidates.push((
                    (j + len) as u32,
                    e.left_id() as u16,
                    e.right_id() as u16,
                    i32::from(e.word_cost()),
                    WordRef::Unknown(id),
                ));
            }
        };
        let mut added = false;
        let grouped = definition.group && run <= MAX_GROUPING + 1;
        if grouped {
            push_unknown(&mut b.candidates, run);
            added = true;
        }
        for len in 1..=definition.length as usize {
            if len > run {
                break;
            }
            if grouped && len == run {
                continue;
            }
            push_unknown(&mut b.candidates, len);
            added = true;
        }
        if !added && b.candidates.is_empty() {
            push_unknown(&mut b.candidates, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_cover_the_text_in_bounded_pieces() {
        let long: String = "가나다 ".repeat(3000) + "라마\n바사";
        let unspaced: String = "가".repeat(MAX_SENTENCE_CHARS * 2 + 5);
        for text in [long.as_str(), unspaced.as_str(), "", "한 줄\n"] {
            let pieces = sentences(text);
            let mut at = 0;
            for &(start, end) in &pieces {
                assert_eq!(start, at, "pieces are contiguous");
                assert!(text[start..end].chars().count() <= MAX_SENTENCE_CHARS);
                at = end;
            }
            assert_eq!(at, text.len());
        }
        assert_eq!(sentences(&unspaced).len(), 3);
    }
}
