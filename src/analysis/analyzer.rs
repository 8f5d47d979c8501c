//! The Korean analyzer: MeCab-compatible segmentation over ko-dic, decompounding, stop
//! tags, normalisation and synonyms.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::despace::Despaced;
use super::lattice::{MecabLattice, UserWords};
use super::normalize::{hanja_reading, normalize_term};
use super::pos::StopTags;
use super::synonyms::{SynonymList, Synonyms};
use super::{AnalysisError, AnalyzerConfig, LineIssue, dictionary, user_dict};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// How compound and inflected words (ko-dic `Compound`, `Inflect`, `Preanalysis` entries)
/// are emitted, as in Elasticsearch's Nori.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DecompoundMode {
    /// Keep the word whole: "세종문화회관".
    None,
    /// Replace the word by its parts: "세종", "문화", "회관".
    Discard,
    /// Keep the word and its parts. The default: the recall of `Discard` for queries on a
    /// part, plus the whole-word term so exact compound matches score higher (measured in
    /// the README).
    #[default]
    Mixed,
}

impl FromStr for DecompoundMode {
    type Err = AnalysisError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(DecompoundMode::None),
            "discard" => Ok(DecompoundMode::Discard),
            "mixed" => Ok(DecompoundMode::Mixed),
            other => Err(AnalysisError::UnknownMode(other.to_string())),
        }
    }
}

impl fmt::Display for DecompoundMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecompoundMode::None => "none",
            DecompoundMode::Discard => "discard",
            DecompoundMode::Mixed => "mixed",
        })
    }
}

/// Whether whitespace between Hangul words influences segmentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Spacing {
    /// Spaces are word boundaries (mecab-ko's behaviour).
    Kept,
    /// Whitespace between Hangul syllables is removed first.
    Ignored,
}

/// A morpheme as segmented by lindera, before any filtering: what mecab-ko would print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Morpheme {
    /// The text as it appears in the input.
    pub surface: String,
    /// The full ko-dic feature string (`POS,semantic,final,reading,type,first,last,expr`).
    pub feature: String,
    /// Byte offset of the first byte in the input.
    pub start: usize,
    /// Byte offset one past the last byte in the input.
    pub end: usize,
}

impl Morpheme {
    /// The part-of-speech tag (first feature column), e.g. `NNG` or `VV+EC`.
    pub fn pos(&self) -> &str {
        self.feature.split(',').next().unwrap_or("")
    }
}

/// An index/query term produced by [`Analyzer::analyze`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnalyzedToken {
    /// The normalised term.
    pub term: String,
    /// Part-of-speech tag; `SYN` for a synonym added by the synonym list.
    pub pos: String,
    /// Byte offset of the first byte in the input.
    pub start: usize,
    /// Byte offset one past the last byte in the input.
    pub end: usize,
    /// Token position (stop-filtered tokens leave gaps, as in Lucene).
    pub position: usize,
    /// Number of positions spanned (more than one for a compound kept in `mixed` mode).
    pub position_length: usize,
}

/// The Korean analyzer. Cheap to share (`Arc`), safe to use from many threads.
pub struct Analyzer {
    lattice: MecabLattice,
    mode: DecompoundMode,
    spacing_insensitive: bool,
    stop_tags: StopTags,
    synonyms: Synonyms,
    /// The synonym list applied at query time; replaceable at run time.
    query_synonyms: RwLock<Arc<SynonymList>>,
    /// Bumped by every replacement of `query_synonyms` (caches of query results key on it).
    synonyms_generation: AtomicU64,
    issues: Vec<LineIssue>,
    fingerprint: Fingerprint,
}

/// What an analyzer was built from: its mode and the sources and SHA-256 of its user
/// dictionary and synonym list. An index records the fingerprint of the analyzer that
/// built it, so searching it with other lists can be reported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fingerprint {
    /// The decompound mode.
    pub mode: String,
    /// Where the user dictionary came from (`bundled:…` or a path).
    pub user_dictionary: String,
    /// Its SHA-256, hex.
    pub user_dictionary_sha256: String,
    /// Where the synonym list came from.
    pub synonyms: String,
    /// Its SHA-256, hex.
    pub synonyms_sha256: String,
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Analyzer")
            .field("mode", &self.mode)
            .field("spacing_insensitive", &self.spacing_insensitive)
            .field("synonym_groups", &self.synonyms.len())
            .finish_non_exhaustive()
    }
}

impl Analyzer {
    /// Builds an analyzer. Bad lines in the user dictionary or synonym list are skipped
    /// and reported by [`Analyzer::issues`] (and logged); unreadable files are errors.
    pub fn new(config: &AnalyzerConfig) -> Result<Self, AnalysisError> {
        let dictionary = dictionary::ko_dic()?;
        let (user_text, user_source) = config.user_dictionary.read()?;
        let (user_words, mut issues) = user_dict::parse(&user_text, &user_source);
        let mut analyzer = Analyzer {
            lattice: MecabLattice::new(dictionary, UserWords::new(user_words)),
            mode: config.mode,
            spacing_insensitive: config.spacing_insensitive,
            stop_tags: config
                .stop_tags
                .as_ref()
                .map(|tags| StopTags::new(tags.iter().map(String::as_str)))
                .unwrap_or_default(),
            synonyms: Synonyms::default(),
            query_synonyms: RwLock::default(),
            synonyms_generation: AtomicU64::new(0),
            issues: Vec::new(),
            fingerprint: Fingerprint {
                mode: config.mode.to_string(),
                user_dictionary: user_source.clone(),
                user_dictionary_sha256: sha256_hex(&user_text),
                synonyms: String::new(),
                synonyms_sha256: String::new(),
            },
        };
        let (synonym_text, synonym_source) = config.synonyms.read()?;
        analyzer.fingerprint.synonyms = synonym_source.clone();
        analyzer.fingerprint.synonyms_sha256 = sha256_hex(&synonym_text);
        let (list, synonym_issues) = SynonymList::parse(&synonym_text, &synonym_source);
        analyzer.synonyms = Synonyms::from_list(&list, |entry| analyzer.single_term(entry));
        analyzer.query_synonyms = RwLock::new(Arc::new(list));
        issues.extend(synonym_issues);
        for issue in &issues {
            tracing::warn!("{issue}");
        }
        analyzer.issues = issues;
        Ok(analyzer)
    }

    /// The synonym list queries are expanded with.
    pub fn synonym_list(&self) -> Arc<SynonymList> {
        // A poisoned lock only means a writer panicked between two whole assignments.
        self.query_synonyms
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the synonym list queries are expanded with (`text` in the list format).
    /// Nothing changes when any line is bad: the bad lines are returned.
    pub fn replace_synonyms(&self, text: &str, source: &str) -> Result<(), Vec<LineIssue>> {
        let (list, issues) = SynonymList::parse(text, source);
        if !issues.is_empty() {
            return Err(issues);
        }
        *self
            .query_synonyms
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Arc::new(list);
        self.synonyms_generation.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// How many times the query synonym list was replaced.
    pub fn synonyms_generation(&self) -> u64 {
        self.synonyms_generation.load(Ordering::SeqCst)
    }

    /// The bad lines skipped while loading the user dictionary and synonym list.
    pub fn issues(&self) -> &[LineIssue] {
        &self.issues
    }

    /// What this analyzer was built from.
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    /// The decompound mode in use.
    pub fn mode(&self) -> DecompoundMode {
        self.mode
    }

    /// Segments `text` into morphemes without filtering or normalising anything (for
    /// `chatda analyze --all` and the golden tests against mecab-ko).
    ///
    /// [`Spacing::Kept`] is mecab-ko's behaviour: spaces are word boundaries and particles
    /// or endings right after a space are penalised. [`Spacing::Ignored`] first removes
    /// whitespace between Hangul syllables, so spacing variants segment identically.
    pub fn segment(&self, text: &str, spacing: Spacing) -> Vec<Morpheme> {
        let compact = match spacing {
            Spacing::Ignored => Despaced::new(text),
            Spacing::Kept => Despaced::unchanged(text),
        };
        let mut out = Vec::new();
        self.lattice.segment(&compact.text, |segment| {
            out.push(Morpheme {
                surface: compact.text[segment.start..segment.end].to_string(),
                feature: self.lattice.feature(segment.word),
                start: compact.start(segment.start),
                end: compact.end(segment.end),
            });
        });
        out
    }

    /// Analyzes a query into terms: segmentation (spacing ignored unless configured
    /// otherwise), decompounding per the mode, stop tags, normalisation and synonyms.
    pub fn analyze_query(&self, text: &str) -> Vec<AnalyzedToken> {
        self.terms(text, self.query_spacing(), Tags::Kept).0
    }

    /// Analyzes a document text into index terms.
    ///
    /// With spacing ignored (the default) this is the union of two segmentations: the
    /// spacing-insensitive one, which [`Analyzer::analyze_query`] also uses, so a query
    /// matches whatever its author's spacing; and mecab-ko's spacing-aware one, which is
    /// more accurate on well-spaced prose and so adds the words a well-spaced query
    /// would look for. Positions follow the spacing-insensitive segmentation, so phrase
    /// queries built from [`Analyzer::analyze_query`] line up.
    pub fn analyze(&self, text: &str) -> Vec<AnalyzedToken> {
        self.document_terms(text, Tags::Kept)
    }

    /// [`Analyzer::analyze`] without the part-of-speech tags (every `pos` is empty):
    /// what indexing needs, one allocation fewer per term.
    pub(crate) fn analyze_untagged(&self, text: &str) -> Vec<AnalyzedToken> {
        self.document_terms(text, Tags::Dropped)
    }

    fn document_terms(&self, text: &str, tags: Tags) -> Vec<AnalyzedToken> {
        let spacing = self.query_spacing();
        let (tokens, joined_words) = self.terms(text, spacing, tags);
        if !joined_words {
            return tokens;
        }
        let (spaced, _) = self.terms(text, Spacing::Kept, tags);
        debug_assert!(tokens.windows(2).all(|w| w[0].start <= w[1].start));
        // Both lists run in order of their start offsets (a compound's parts start within
        // it, and the next word after it): a spaced token is new unless a token of the
        // same start, end and term is already there.
        let known = |t: &AnalyzedToken| {
            let from = tokens.partition_point(|p| p.start < t.start);
            tokens[from..]
                .iter()
                .take_while(|p| p.start == t.start)
                .any(|p| p.end == t.end && p.term == t.term)
        };
        let extra: Vec<AnalyzedToken> = spaced.into_iter().filter(|t| !known(t)).collect();
        merge_extra(tokens, extra)
    }

    fn query_spacing(&self) -> Spacing {
        if self.spacing_insensitive {
            Spacing::Ignored
        } else {
            Spacing::Kept
        }
    }

    /// Segments `text` and turns the morphemes into terms (no per-morpheme allocation
    /// besides the terms themselves).
    /// Also says whether any words were joined by removing spaces (only then can the
    /// spacing-aware segmentation differ).
    fn terms(&self, text: &str, spacing: Spacing, tags: Tags) -> (Vec<AnalyzedToken>, bool) {
        let compact = match spacing {
            Spacing::Ignored => Despaced::new(text),
            Spacing::Kept => Despaced::unchanged(text),
        };
        let mut segments = Vec::new();
        self.lattice
            .segment(&compact.text, |segment| segments.push(segment));
        let mut out = Vec::new();
        let mut position = 0;
        for segment in segments {
            let surface = &compact.text[segment.start..segment.end];
            let fields = self.lattice.fields(segment.word);
            let span = (compact.start(segment.start), compact.end(segment.end));
            let parts = parts(text, span, fields[4], fields[7]);
            let emit_whole = parts.is_empty() || self.mode != DecompoundMode::Discard;
            let emit_parts = !parts.is_empty() && self.mode != DecompoundMode::None;
            // Stop tags are judged before the term is normalised: particles and endings
            // are a third of the morphemes, and their terms would be thrown away.
            if emit_whole && !self.stop_tags.stops(fields[0]) {
                let term = match hanja_reading(surface, Some(fields[3])) {
                    Some(reading) => reading.to_string(),
                    None => normalize_term(surface),
                };
                let length = if emit_parts { parts.len() } else { 1 };
                self.push(&mut out, term, (fields[0], tags), span, position, length);
            }
            if emit_parts {
                for (i, part) in parts.iter().enumerate() {
                    if self.stop_tags.stops(part.pos) {
                        continue;
                    }
                    let term = normalize_term(part.surface);
                    self.push(&mut out, term, (part.pos, tags), part.span, position + i, 1);
                }
                position += parts.len();
            } else {
                position += 1;
            }
        }
        let joined_words = matches!(compact.text, Cow::Owned(_));
        (out, joined_words)
    }

    fn push(
        &self,
        out: &mut Vec<AnalyzedToken>,
        term: String,
        (pos, tags): (&str, Tags),
        (start, end): (usize, usize),
        position: usize,
        position_length: usize,
    ) {
        if term.is_empty() {
            return;
        }
        let synonyms = self.synonyms.get(&term);
        out.push(AnalyzedToken {
            term,
            pos: match tags {
                Tags::Kept => pos.to_string(),
                Tags::Dropped => String::new(),
            },
            start,
            end,
            position,
            position_length,
        });
        for synonym in synonyms {
            out.push(AnalyzedToken {
                term: synonym.clone(),
                pos: match tags {
                    Tags::Kept => "SYN".into(),
                    Tags::Dropped => String::new(),
                },
                start,
                end,
                position,
                position_length,
            });
        }
    }

    /// The single content term `entry` analyzes to, or why it is not exactly one.
    fn single_term(&self, entry: &str) -> Result<String, String> {
        let content: Vec<Morpheme> = self
            .segment(entry, self.query_spacing())
            .into_iter()
            .filter(|m| !self.stop_tags.stops(m.pos()))
            .collect();
        match content.as_slice() {
            [one] => Ok(normalize_term(&one.surface)),
            [] => Err(format!("{entry:?} has no content word")),
            many => Err(format!(
                "{entry:?} analyzes to several words ({}); add it to the user dictionary",
                many.iter()
                    .map(|m| m.surface.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
        }
    }
}

/// Adds the tokens only the spacing-aware segmentation found to `tokens`: each takes the
/// position of the spacing-insensitive token it starts in.
fn merge_extra(
    mut tokens: Vec<AnalyzedToken>,
    mut extra: Vec<AnalyzedToken>,
) -> Vec<AnalyzedToken> {
    for token in &mut extra {
        let at = tokens.partition_point(|p| p.start <= token.start);
        token.position = at.checked_sub(1).map_or(0, |i| tokens[i].position);
        token.position_length = 1;
    }
    tokens.extend(extra);
    tokens.sort_by_key(|t| (t.position, t.start));
    tokens
}

/// Whether analysed tokens carry their part-of-speech tag.
#[derive(Debug, Clone, Copy)]
enum Tags {
    Kept,
    Dropped,
}

/// One part of a decomposed word.
struct Part<'a> {
    surface: &'a str,
    pos: &'a str,
    span: (usize, usize),
}

/// The parts of a `Compound`/`Inflect`/`Preanalysis` morpheme from ko-dic's expression
/// column (`세종/NNG/*+문화/NNG/*+회관/NNG/장소`); empty for simple morphemes.
///
/// Parts get exact offsets when their surfaces spell the word (compounds, even across a
/// removed space); otherwise (inflections such as 돼요 = 되 + 어요) every part spans the
/// whole word.
fn parts<'a>(
    text: &str,
    (start, end): (usize, usize),
    kind: &str,
    expression: &'a str,
) -> Vec<Part<'a>> {
    if !matches!(kind, "Compound" | "Inflect" | "Preanalysis") || expression == "*" {
        return Vec::new();
    }
    let mut parts: Vec<Part<'a>> = expression
        .split('+')
        .filter_map(|part| {
            let mut fields = part.rsplitn(3, '/');
            let _semantic = fields.next()?;
            let pos = fields.next()?;
            let surface = fields.next()?;
            Some(Part {
                surface,
                pos,
                span: (start, end),
            })
        })
        .collect();
    if parts.len() < 2 {
        return Vec::new();
    }
    let word = &text[start..end];
    let mut spans = Vec::with_capacity(parts.len());
    let mut at = 0;
    for part in &parts {
        at += word[at..].len() - word[at..].trim_start().len();
        if !word[at..].starts_with(part.surface) {
            return parts;
        }
        spans.push((start + at, start + at + part.surface.len()));
        at += part.surface.len();
    }
    for (part, span) in parts.iter_mut().zip(spans) {
        part.span = span;
    }
    parts
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// The union of the two segmentations as first written: spacing-aware tokens not in
    /// a set of the spacing-insensitive ones. `document_terms` finds them by a search of
    /// the start-ordered list instead.
    fn union_by_set(analyzer: &Analyzer, text: &str) -> Vec<AnalyzedToken> {
        let (tokens, joined) = analyzer.terms(text, Spacing::Ignored, Tags::Kept);
        if !joined {
            return tokens;
        }
        let (spaced, _) = analyzer.terms(text, Spacing::Kept, Tags::Kept);
        let primary: HashSet<(&str, usize, usize)> = tokens
            .iter()
            .map(|t| (t.term.as_str(), t.start, t.end))
            .collect();
        let extra: Vec<AnalyzedToken> = spaced
            .into_iter()
            .filter(|t| !primary.contains(&(t.term.as_str(), t.start, t.end)))
            .collect();
        merge_extra(tokens, extra)
    }

    #[test]
    fn document_terms_equal_the_set_union_and_untagged_only_drops_tags() {
        let analyzer = Analyzer::new(&AnalyzerConfig::default()).unwrap();
        let mut texts: Vec<String> = crate::demo::concerts(11)
            .take(600)
            .flat_map(|c| [c.title, c.description, c.venue])
            .collect();
        texts.extend(
            crate::demo::tickets(11)
                .take(300)
                .flat_map(|t| [t.subject, t.body]),
        );
        texts.push("여름 공연 안내 세종문화회관 대극장에서 만나요".into());
        let mut spaced = 0;
        for text in &texts {
            let tokens = analyzer.analyze(text);
            assert_eq!(tokens, union_by_set(&analyzer, text), "{text}");
            let untagged = analyzer.analyze_untagged(text);
            assert_eq!(tokens.len(), untagged.len(), "{text}");
            for (tagged, bare) in tokens.iter().zip(&untagged) {
                assert!(bare.pos.is_empty());
                assert_eq!(
                    (&tagged.term, tagged.start, tagged.end, tagged.position),
                    (&bare.term, bare.start, bare.end, bare.position)
                );
            }
            spaced += usize::from(Despaced::new(text).text != text.as_str());
        }
        assert!(
            spaced > 100,
            "the texts exercise the spacing-aware union ({spaced})"
        );
    }
}
