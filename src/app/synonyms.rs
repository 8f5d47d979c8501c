//! The synonym list queries use: read it, replace it at run time.

use std::path::Path;

use serde::Serialize;

use super::{App, AppError};
use crate::analysis::MAX_SYNONYM_BYTES;

/// The synonym list in use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SynonymsView {
    /// The groups, each a list of names as written.
    pub groups: Vec<Vec<String>>,
    /// The list in its file format.
    pub text: String,
    /// Where a replaced list is kept (read again at the next start).
    pub path: String,
}

impl App {
    /// The synonym list queries are expanded with.
    pub fn synonyms(&self) -> SynonymsView {
        let list = self.engine().analyzer().synonym_list();
        SynonymsView {
            groups: list.groups().to_vec(),
            text: list.text().to_string(),
            path: self.settings().synonyms_path().display().to_string(),
        }
    }

    /// Replaces the synonym list (`text` in the list format, see
    /// `analysis::SynonymList`): every line is checked first and nothing changes when
    /// one is bad; the list is written to [`crate::settings::Settings::synonyms_path`]
    /// (so the next start reads it) before queries use it. Takes effect at once for
    /// queries; single-word groups reach the index at its next reindex.
    pub async fn replace_synonyms(&self, text: String) -> Result<SynonymsView, AppError> {
        if text.len() > MAX_SYNONYM_BYTES {
            return Err(AppError::TooLarge(format!(
                "the synonym list is {} bytes; at most {MAX_SYNONYM_BYTES}",
                text.len()
            )));
        }
        let path = self.settings().synonyms_path();
        let (_, issues) = crate::analysis::SynonymList::parse(&text, "text");
        if !issues.is_empty() {
            let reasons: Vec<String> = issues
                .iter()
                .map(|i| format!("line {}: {}", i.line, i.reason))
                .collect();
            return Err(AppError::Invalid {
                field: "text",
                reason: reasons.join("; "),
            });
        }
        let written = path.clone();
        let body = text.clone();
        tokio::task::spawn_blocking(move || write_atomically(&written, &body))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|reason| AppError::Io {
                path: path.display().to_string(),
                reason,
            })?;
        self.engine()
            .analyzer()
            .replace_synonyms(&text, &path.display().to_string())
            .map_err(|issues| AppError::Invalid {
                field: "text",
                reason: format!("{} bad lines", issues.len()),
            })?;
        tracing::info!(path = %path.display(), "synonym list replaced");
        Ok(self.synonyms())
    }
}

/// Writes `text` to `path` through a temporary file and a rename, so a crash leaves
/// the old list or the new one, never half of one.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("txt.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, path)
}
