//! Korean analysis: the embedded mecab-ko-dic, lindera segmentation, decompounding, stop
//! tags, normalisation, user dictionary, synonyms, Hangul helpers and the tantivy
//! tokenizers built from them.
//!
//! ```
//! use chatda::analysis::{Analyzer, AnalyzerConfig};
//!
//! let analyzer = Analyzer::new(&AnalyzerConfig::default()).unwrap();
//! let terms: Vec<String> = analyzer.analyze_query("여름공연").into_iter().map(|t| t.term).collect();
//! assert_eq!(terms, ["여름", "공연"]);
//! ```

mod analyzer;
mod despace;
pub mod dictionary;
pub mod hangul;
mod lattice;
mod normalize;
mod packed;
mod pos;
mod synonyms;
mod tokenizer;
mod user_dict;
mod whole;

use std::fmt;
use std::path::PathBuf;

pub use analyzer::{AnalyzedToken, Analyzer, DecompoundMode, Fingerprint, Morpheme, Spacing};
pub use normalize::normalize_term;
pub use packed::{PackedStream, PackedTokens, unpack};
pub use pos::{DEFAULT_STOP_TAGS, StopTags};
pub use synonyms::{
    MAX_ENTRY_WORDS, MAX_GROUP_ENTRIES, MAX_SYNONYM_BYTES, MAX_SYNONYM_GROUPS, SynonymList,
    Synonyms,
};
pub use tokenizer::{KO, KO_CHOSUNG, KO_JAMO, KoreanTokenizer, TermForm, register_tokenizers};
pub use whole::{
    WHOLE_VALUE_MAX_CHARS, value_initials, whole_form, word_start_forms, word_start_initials,
};

/// The bundled user dictionary (`dictionaries/user_dict.csv`), compiled in.
pub const DEFAULT_USER_DICTIONARY: &str = include_str!("../../dictionaries/user_dict.csv");
/// The bundled synonym list (`dictionaries/synonyms.txt`), compiled in.
pub const DEFAULT_SYNONYMS: &str = include_str!("../../dictionaries/synonyms.txt");

/// Errors of the analysis layer.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The embedded dictionary could not be loaded (a broken build).
    #[error("the embedded ko-dic dictionary failed to load: {0}")]
    Dictionary(String),
    /// A configured list file could not be read.
    #[error("cannot read {path}: {reason}")]
    ReadList {
        /// The file.
        path: PathBuf,
        /// Why (kept out of the error chain: the message already says it).
        reason: std::io::Error,
    },
    /// An unknown decompound mode name.
    #[error("unknown decompound mode {0:?}: expected none, discard or mixed")]
    UnknownMode(String),
}

/// A bad line in a user dictionary or synonym list; the line is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIssue {
    /// The file (or `bundled:…` for a compiled-in list).
    pub source: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl LineIssue {
    fn new(source: &str, line: usize, reason: impl Into<String>) -> Self {
        LineIssue {
            source: source.to_string(),
            line,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for LineIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {} (line skipped)",
            self.source, self.line, self.reason
        )
    }
}

/// Where a word list comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSource {
    /// The list bundled under `dictionaries/`, compiled into the binary.
    Bundled,
    /// A file of the user's.
    File(PathBuf),
    /// No list.
    Empty,
}

impl ListSource {
    fn read_with(
        &self,
        bundled: &'static str,
        name: &str,
    ) -> Result<(String, String), AnalysisError> {
        match self {
            ListSource::Bundled => {
                Ok((bundled.to_string(), format!("bundled:dictionaries/{name}")))
            }
            ListSource::File(path) => std::fs::read_to_string(path)
                .map(|text| (text, path.display().to_string()))
                .map_err(|reason| AnalysisError::ReadList {
                    path: path.clone(),
                    reason,
                }),
            ListSource::Empty => Ok((String::new(), "none".into())),
        }
    }
}

/// A user dictionary source (see [`DEFAULT_USER_DICTIONARY`] for the format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDictionarySource(pub ListSource);

/// A synonym list source (see [`DEFAULT_SYNONYMS`] for the format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynonymSource(pub ListSource);

impl UserDictionarySource {
    fn read(&self) -> Result<(String, String), AnalysisError> {
        self.0.read_with(DEFAULT_USER_DICTIONARY, "user_dict.csv")
    }
}

impl SynonymSource {
    fn read(&self) -> Result<(String, String), AnalysisError> {
        self.0.read_with(DEFAULT_SYNONYMS, "synonyms.txt")
    }
}

/// Analyzer settings.
#[derive(Debug, Clone)]
pub struct AnalyzerConfig {
    /// How compound and inflected words are emitted (default `mixed`).
    pub mode: DecompoundMode,
    /// Make matching insensitive to spacing between Hangul words, so "여름 공연" and
    /// "여름공연" find each other (default true; see [`Analyzer::analyze`]).
    pub spacing_insensitive: bool,
    /// POS tags to drop; `None` means [`DEFAULT_STOP_TAGS`].
    pub stop_tags: Option<Vec<String>>,
    /// The user dictionary (default: the bundled `dictionaries/user_dict.csv`).
    pub user_dictionary: UserDictionarySource,
    /// The synonym list (default: the bundled `dictionaries/synonyms.txt`).
    pub synonyms: SynonymSource,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            mode: DecompoundMode::Mixed,
            spacing_insensitive: true,
            stop_tags: None,
            user_dictionary: UserDictionarySource(ListSource::Bundled),
            synonyms: SynonymSource(ListSource::Bundled),
        }
    }
}
