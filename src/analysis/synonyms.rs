//! The synonym list: groups of equivalent words (`BTS, 방탄소년단`).
//!
//! Format, one group per line (UTF-8; `#` starts a comment; blank lines are ignored):
//!
//! ```text
//! BTS, 방탄소년단
//! 레미제라블, les misérables
//! ```
//!
//! Every entry must analyze to a single content word (add multi-word names to the user
//! dictionary first). When the analyzer emits a word of a group, it also emits the other
//! words of the group at the same position, so either spelling finds the other.

use std::collections::HashMap;

use super::{AnalysisError, LineIssue};

/// Parsed synonym groups, keyed by normalised term.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    others: HashMap<String, Vec<String>>,
}

impl Synonyms {
    /// Parses a synonym list; `term_of` turns an entry into its single normalised term or
    /// explains why it cannot. Bad lines and entries are skipped and returned as issues.
    pub fn parse(
        text: &str,
        source: &str,
        mut term_of: impl FnMut(&str) -> Result<String, String>,
    ) -> Result<(Synonyms, Vec<LineIssue>), AnalysisError> {
        let mut synonyms = Synonyms::default();
        let mut issues = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            if line.contains("=>") {
                issues.push(LineIssue::new(source, index + 1, "one-way rules (`=>`) are not supported; list equivalent words separated by commas"));
                continue;
            }
            let mut group: Vec<String> = Vec::new();
            for entry in line.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                match term_of(entry) {
                    Ok(term) if !group.contains(&term) => group.push(term),
                    Ok(_) => {}
                    Err(reason) => issues.push(LineIssue::new(source, index + 1, reason)),
                }
            }
            if group.len() < 2 {
                issues.push(LineIssue::new(
                    source,
                    index + 1,
                    "a group needs at least two different words",
                ));
                continue;
            }
            for term in &group {
                let others = synonyms.others.entry(term.clone()).or_default();
                for other in &group {
                    if other != term && !others.contains(other) {
                        others.push(other.clone());
                    }
                }
            }
        }
        Ok((synonyms, issues))
    }

    /// The other words of every group containing `term`.
    pub fn get(&self, term: &str) -> &[String] {
        self.others.get(term).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Number of distinct words with synonyms.
    pub fn len(&self) -> usize {
        self.others.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.others.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(entry: &str) -> Result<String, String> {
        if entry.contains(' ') {
            Err(format!("{entry:?} is several words"))
        } else {
            Ok(entry.to_lowercase())
        }
    }

    #[test]
    fn groups_are_symmetric_and_bad_lines_are_reported() {
        let text = "BTS, 방탄소년단\n# comment\n\nA => B\n아이유, IU, 이지은\n혼자\n레미 제라블, 레미제라블\n";
        let (syn, issues) = Synonyms::parse(text, "synonyms.txt", lower).unwrap();
        assert_eq!(syn.get("bts"), ["방탄소년단"]);
        assert_eq!(syn.get("방탄소년단"), ["bts"]);
        assert_eq!(syn.get("iu"), ["아이유", "이지은"]);
        assert!(syn.get("없음").is_empty());
        let lines: Vec<usize> = issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![4, 6, 7, 7]);
        assert_eq!(issues[0].source, "synonyms.txt");
    }
}
