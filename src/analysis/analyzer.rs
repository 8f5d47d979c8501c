//! The Korean analyzer: lindera segmentation over ko-dic, decompounding, stop tags,
//! normalisation and synonyms.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::str::FromStr;

use lindera::dictionary::UserDictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera_dictionary::viterbi::Lattice;
use serde::{Deserialize, Serialize};

use super::despace::Despaced;
use super::normalize::{hanja_reading, normalize_term};
use super::pos::StopTags;
use super::synonyms::Synonyms;
use super::{AnalysisError, AnalyzerConfig, LineIssue, dictionary, user_dict};

/// MeCab's `max-grouping-size`: no unknown word grows past this many characters. Without
/// a cap, a long run of unknown Hangul makes the lattice quadratic.
const MAX_UNKNOWN_GROUPING: usize = 24;

/// How compound and inflected words (ko-dic `Compound`, `Inflect`, `Preanalysis` entries)
/// are emitted, as in Elasticsearch's Nori.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DecompoundMode {
    /// Keep the word whole: "세종문화회관".
    None,
    /// Replace the word by its parts: "세종", "문화", "회관".
    Discard,
    /// Keep the word and its parts. The default: it matches both spellings, so it has the
    /// best recall (measured in the README).
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
    segmenter: Segmenter,
    mode: DecompoundMode,
    spacing_insensitive: bool,
    stop_tags: StopTags,
    synonyms: Synonyms,
    issues: Vec<LineIssue>,
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

thread_local! {
    /// One Viterbi lattice per thread, reused across calls to avoid reallocating it.
    static LATTICE: RefCell<Lattice> = RefCell::new(Lattice::default());
}

impl Analyzer {
    /// Builds an analyzer. Bad lines in the user dictionary or synonym list are skipped
    /// and reported by [`Analyzer::issues`] (and logged); unreadable files are errors.
    pub fn new(config: &AnalyzerConfig) -> Result<Self, AnalysisError> {
        let dictionary = dictionary::ko_dic()?;
        let (user_text, user_source) = config.user_dictionary.read()?;
        let (user_dictionary, mut issues) =
            user_dict::build(&user_text, &user_source, &dictionary.metadata)?;
        let mut analyzer = Analyzer {
            segmenter: segmenter(dictionary, user_dictionary),
            mode: config.mode,
            spacing_insensitive: config.spacing_insensitive,
            stop_tags: config
                .stop_tags
                .as_ref()
                .map(|tags| StopTags::new(tags.iter().map(String::as_str)))
                .unwrap_or_default(),
            synonyms: Synonyms::default(),
            issues: Vec::new(),
        };
        let (synonym_text, synonym_source) = config.synonyms.read()?;
        let (synonyms, synonym_issues) =
            Synonyms::parse(&synonym_text, &synonym_source, |entry| {
                analyzer.single_term(entry)
            })?;
        analyzer.synonyms = synonyms;
        issues.extend(synonym_issues);
        for issue in &issues {
            tracing::warn!("{issue}");
        }
        analyzer.issues = issues;
        Ok(analyzer)
    }

    /// The bad lines skipped while loading the user dictionary and synonym list.
    pub fn issues(&self) -> &[LineIssue] {
        &self.issues
    }

    /// The decompound mode in use.
    pub fn mode(&self) -> DecompoundMode {
        self.mode
    }

    /// Segments `text` into morphemes without filtering or normalising anything
    /// (for `chatda analyze --all` and the golden tests against mecab-ko).
    pub fn morphemes(&self, text: &str) -> Result<Vec<Morpheme>, AnalysisError> {
        let compact = if self.spacing_insensitive {
            Despaced::new(text)
        } else {
            Despaced::unchanged(text)
        };
        let mut out = Vec::new();
        LATTICE.with_borrow_mut(|lattice| {
            let tokens = self
                .segmenter
                .segment_with_lattice(Cow::Borrowed(&compact.text), lattice)
                .map_err(|e| AnalysisError::Segmentation(e.to_string()))?;
            for mut token in tokens {
                let (start, end) = (compact.start(token.byte_start), compact.end(token.byte_end));
                out.push(Morpheme {
                    surface: token.surface.to_string(),
                    feature: token.details().join(","),
                    start,
                    end,
                });
            }
            Ok::<_, AnalysisError>(())
        })?;
        Ok(out)
    }

    /// Analyzes `text` into index/query terms: segmentation, decompounding per the mode,
    /// stop tags, normalisation (NFKC, lowercase, Hanja reading) and synonyms.
    pub fn analyze(&self, text: &str) -> Result<Vec<AnalyzedToken>, AnalysisError> {
        let mut out = Vec::new();
        let mut position = 0;
        for morpheme in self.morphemes(text)? {
            let parts = parts(text, &morpheme);
            let emit_whole = parts.is_empty() || self.mode != DecompoundMode::Discard;
            let emit_parts = !parts.is_empty() && self.mode != DecompoundMode::None;
            if emit_whole {
                let reading = morpheme.feature.split(',').nth(3);
                let term = match hanja_reading(&morpheme.surface, reading) {
                    Some(reading) => reading.to_string(),
                    None => normalize_term(&morpheme.surface),
                };
                let span = if emit_parts { parts.len() } else { 1 };
                self.push(
                    &mut out,
                    term,
                    morpheme.pos(),
                    (morpheme.start, morpheme.end),
                    position,
                    span,
                );
            }
            if emit_parts {
                for (i, part) in parts.iter().enumerate() {
                    let term = normalize_term(part.surface);
                    self.push(&mut out, term, part.pos, part.span, position + i, 1);
                }
                position += parts.len();
            } else {
                position += 1;
            }
        }
        Ok(out)
    }

    fn push(
        &self,
        out: &mut Vec<AnalyzedToken>,
        term: String,
        pos: &str,
        (start, end): (usize, usize),
        position: usize,
        position_length: usize,
    ) {
        if self.stop_tags.stops(pos) || term.is_empty() {
            return;
        }
        let synonyms = self.synonyms.get(&term);
        out.push(AnalyzedToken {
            term,
            pos: pos.to_string(),
            start,
            end,
            position,
            position_length,
        });
        for synonym in synonyms {
            out.push(AnalyzedToken {
                term: synonym.clone(),
                pos: "SYN".into(),
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
            .morphemes(entry)
            .map_err(|e| e.to_string())?
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

fn segmenter(
    dictionary: lindera::dictionary::Dictionary,
    user: Option<UserDictionary>,
) -> Segmenter {
    Segmenter::new(Mode::Normal, dictionary, user).max_grouping_len(Some(MAX_UNKNOWN_GROUPING))
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
fn parts<'a>(text: &str, morpheme: &'a Morpheme) -> Vec<Part<'a>> {
    let mut columns = morpheme.feature.split(',');
    let kind = columns.nth(4).unwrap_or("*");
    let expression = columns.nth(2).unwrap_or("*");
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
                span: (morpheme.start, morpheme.end),
            })
        })
        .collect();
    if parts.len() < 2 {
        return Vec::new();
    }
    let word = &text[morpheme.start..morpheme.end];
    let mut spans = Vec::with_capacity(parts.len());
    let mut at = 0;
    for part in &parts {
        at += word[at..].len() - word[at..].trim_start().len();
        if !word[at..].starts_with(part.surface) {
            return parts;
        }
        spans.push((
            morpheme.start + at,
            morpheme.start + at + part.surface.len(),
        ));
        at += part.surface.len();
    }
    for (part, span) in parts.iter_mut().zip(spans) {
        part.span = span;
    }
    parts
}
