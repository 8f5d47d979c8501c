//! Query understanding: the text of a query analysed once into the words a user typed,
//! each with the terms the analyzer found in it and whether it carries search meaning.
//!
//! Matching ([`super::text`]) builds tantivy queries from this plan. `chatda analyze
//! --plan TEXT` prints it.
//!
//! A *word* is what the user separated by spaces ("나훈아", "콘서트", "있어요"). The
//! analyzer reads the whole query with spacing ignored, so one typed word can hold several
//! morphemes ("예술의전당" → 예술 + 전당, "나훈아트로트" → 나훈아 + 트로트); each
//! analyzed word inside it is a [`Group`]: its whole term (and synonyms) and, for a
//! decompounded compound, its parts.
//!
//! A typed word whose morphemes are all verbs, adjectives, auxiliaries, copulas,
//! pronouns or bound nouns ("보러", "싶어요", "어떻게", "알려줘", "뭐") is *optional*:
//! it carries no search meaning in a search box, so it never decides whether a document
//! matches. Endings, particles and adverbs are already dropped by the analyzer's stop
//! tags. A query made only of optional words keeps them all.

use crate::analysis::{AnalyzedToken, Analyzer, hangul, whole_form};

/// Part-of-speech tags (leading tag of a mecab-ko feature) of words that are optional.
const FILLER_TAGS: &[&str] = &["VV", "VA", "VX", "VCP", "VCN", "NNB", "NP"];

/// The analysed query.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct QueryPlan {
    /// The query as typed (trimmed).
    pub text: String,
    /// The typed words, in order (words the analyzer dropped entirely are left out).
    pub words: Vec<TypedWord>,
    /// The whole query without spaces and punctuation, lower-cased, in jamo: how it
    /// matches a whole field value (see `index::fields`). Empty when it has fewer than
    /// two letters.
    pub whole: String,
}

/// One word as typed, with the analyzed words inside it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TypedWord {
    /// The word as typed.
    pub text: String,
    /// Its whole form (letters and digits, lower-cased, in jamo): how it matches as
    /// typed.
    pub jamo: String,
    /// The whole form of the word up to the end of its last analyzed word: without a
    /// trailing particle or ending ("내한공연을" → 내한공연). Equal to `jamo` when
    /// nothing trails.
    pub stem: String,
    /// The analyzed words inside it, in order.
    pub groups: Vec<Group>,
    /// Whether a document must match it (see the module documentation).
    pub required: bool,
    /// Whether it is the last word of the query (matched as a prefix while typing).
    pub last: bool,
}

/// One analyzed word: its whole term and synonyms, and its parts when decompounded.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Group {
    /// The word's terms: the analyzed form first, then synonyms.
    pub whole: Vec<String>,
    /// The parts of a decompounded word.
    pub parts: Vec<String>,
    /// Position of the word in the query's token stream (for phrases).
    pub position: usize,
    /// The leading POS tag.
    pub pos: String,
}

impl QueryPlan {
    /// Analyses `q` with `analyzer`.
    pub fn new(analyzer: &Analyzer, q: &str) -> Self {
        let q = q.trim();
        let tokens = analyzer.analyze_query(q);
        let spans = typed_words(q);
        let mut words: Vec<TypedWord> = Vec::new();
        for (start, end) in &spans {
            let text = &q[*start..*end];
            words.push(TypedWord {
                text: text.to_string(),
                jamo: whole_form(text),
                stem: String::new(),
                groups: Vec::new(),
                required: true,
                last: false,
            });
        }
        // Tokens go to the typed word they start in; a token spanning a space (the
        // analyzer reads across spaces) belongs to the first word.
        let mut by_word: Vec<Vec<AnalyzedToken>> = vec![Vec::new(); words.len()];
        for token in tokens {
            let i = spans
                .iter()
                .rposition(|(start, _)| *start <= token.start)
                .unwrap_or(0);
            if let Some(tokens) = by_word.get_mut(i) {
                tokens.push(token);
            }
        }
        for ((word, tokens), (start, _)) in words.iter_mut().zip(by_word).zip(&spans) {
            let end = tokens.iter().map(|t| t.end).max().unwrap_or(*start);
            word.stem = whole_form(q.get(*start..end.max(*start)).unwrap_or(""));
            if word.stem.is_empty() {
                word.stem = word.jamo.clone();
            }
            word.groups = group_tokens(tokens);
        }
        words.retain(|w| !w.groups.is_empty());
        let any_content = words.iter().any(|w| !is_filler(w));
        for word in &mut words {
            word.required = !any_content || !is_filler(word);
        }
        if let Some(last) = words.last_mut() {
            last.last = true;
        }
        let whole = whole_form(q);
        QueryPlan {
            text: q.to_string(),
            words,
            whole: if whole.chars().count() >= 2 {
                whole
            } else {
                String::new()
            },
        }
    }

    /// The words a document must match.
    pub fn required(&self) -> impl Iterator<Item = &TypedWord> {
        self.words.iter().filter(|w| w.required)
    }
}

impl TypedWord {
    /// Whether the analyzer split the word into several words.
    pub fn is_split(&self) -> bool {
        self.groups.len() > 1
    }

    /// The word's whole form with two adjacent syllables swapped (김아연 → 김연아): a
    /// swap is three or more jamo edits, beyond a typo budget, and a common slip when
    /// typing names fast.
    pub fn swaps(&self) -> Vec<String> {
        swaps(&self.text)
    }
}

/// `text`'s whole form ([`whole_form`]) with each pair of adjacent Hangul syllables
/// swapped, in jamo; nothing for fewer than two letters.
pub fn swaps(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut out = Vec::new();
    if chars.len() < 2 {
        return out;
    }
    for i in 0..chars.len() - 1 {
        let (a, b) = (chars[i], chars[i + 1]);
        if a == b || !hangul::is_hangul_syllable(a) || !hangul::is_hangul_syllable(b) {
            continue;
        }
        let mut swapped = chars.clone();
        swapped.swap(i, i + 1);
        let form = whole_form(&swapped.into_iter().collect::<String>());
        if !out.contains(&form) {
            out.push(form);
        }
    }
    out
}

/// Byte ranges of the whitespace-separated words of `q`.
fn typed_words(q: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in q.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, q.len()));
    }
    out
}

fn is_filler(word: &TypedWord) -> bool {
    word.groups
        .iter()
        .all(|g| FILLER_TAGS.contains(&g.pos.as_str()))
}

/// Groups a word's tokens: a token covering the positions of the tokens after it is a
/// compound whose parts those are; synonyms share a position and length.
fn group_tokens(tokens: Vec<AnalyzedToken>) -> Vec<Group> {
    let mut groups: Vec<(usize, usize, Group)> = Vec::new();
    for t in tokens {
        let end = t.position + t.position_length;
        let pos = t.pos.split('+').next().unwrap_or("").to_string();
        match groups.last_mut() {
            Some((start, group_end, group)) if t.position >= *start && t.position < *group_end => {
                if t.position == *start && end == *group_end {
                    group.whole.push(t.term);
                } else {
                    group.parts.push(t.term);
                }
            }
            _ => groups.push((
                t.position,
                end,
                Group {
                    whole: vec![t.term],
                    parts: Vec::new(),
                    position: t.position,
                    pos,
                },
            )),
        }
    }
    groups.into_iter().map(|(_, _, g)| g).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::AnalyzerConfig;

    fn plan(q: &str) -> QueryPlan {
        let analyzer = Analyzer::new(&AnalyzerConfig::default()).unwrap();
        QueryPlan::new(&analyzer, q)
    }

    #[test]
    fn verbs_and_endings_are_optional_nouns_required() {
        let p = plan("나훈아 공연 보러 가고 싶다");
        let required: Vec<&str> = p.required().map(|w| w.text.as_str()).collect();
        assert_eq!(required, ["나훈아", "공연"], "{p:#?}");
        assert_eq!(p.words.len(), 5, "{p:#?}");
        assert!(p.words.last().unwrap().last);
        let p = plan("내한공연을 보러");
        assert_eq!(p.words[0].stem, whole_form("내한공연"), "{p:#?}");
        // Only filler: everything stays required.
        let p = plan("보러 가고 싶다");
        assert!(p.words.iter().all(|w| w.required), "{p:#?}");
    }

    #[test]
    fn a_glued_word_holds_its_analyzed_words() {
        let p = plan("나훈아트로트 공연");
        assert_eq!(p.words.len(), 2);
        let terms: Vec<&str> = p.words[0]
            .groups
            .iter()
            .map(|g| g.whole[0].as_str())
            .collect();
        assert_eq!(terms, ["나훈아", "트로트"], "{p:#?}");
        assert!(p.words[0].is_split());
        assert_eq!(p.whole, hangul::to_jamo("나훈아트로트공연"));
    }

    #[test]
    fn swaps_cover_every_adjacent_pair() {
        let p = plan("김아연");
        assert!(
            p.words[0].swaps().contains(&hangul::to_jamo("김연아")),
            "{:?}",
            p.words[0].swaps()
        );
        assert!(
            plan("ab").words[0].swaps().is_empty(),
            "Latin letters are not swapped"
        );
        assert_eq!(swaps("가연"), [hangul::to_jamo("연가")]);
    }
}
