//! The synonym list: groups of equivalent names (`BTS, 방탄소년단`, `The Nutcracker,
//! 호두까기 인형`).
//!
//! Format, one group per line (UTF-8; `#` starts a comment; blank lines are ignored):
//!
//! ```text
//! BTS, 방탄소년단
//! 레미제라블, Les Misérables
//! The Nutcracker, 호두까기 인형, 호두까기
//! ```
//!
//! An entry may be several words. The list is applied at query time ([`SynonymList`]):
//! when the words of a query, spacing and case aside, spell an entry, the other entries of
//! its group also match them, so a list changed at run time takes effect at once. Groups
//! whose entries include at least two single words are also applied when indexing
//! ([`Synonyms`]: the analyzer emits the other single words at the same position), as
//! before; that part changes with the next reindex.

use std::collections::HashMap;

use super::{LineIssue, whole_form};

/// Most groups in a list.
pub const MAX_SYNONYM_GROUPS: usize = 10_000;
/// Most entries in a group.
pub const MAX_GROUP_ENTRIES: usize = 32;
/// Most words in an entry (longer runs of query words are not looked up).
pub const MAX_ENTRY_WORDS: usize = 4;
/// Longest accepted list, in bytes.
pub const MAX_SYNONYM_BYTES: usize = 1 << 20;

/// The synonym list as parsed, for query time.
#[derive(Debug, Clone, Default)]
pub struct SynonymList {
    text: String,
    groups: Vec<Vec<String>>,
    /// Group indexes by the whole-value form of each entry.
    by_form: HashMap<String, Vec<usize>>,
}

impl SynonymList {
    /// Parses a list; bad lines are skipped and returned as issues naming `source` and
    /// the line.
    pub fn parse(text: &str, source: &str) -> (SynonymList, Vec<LineIssue>) {
        let mut list = SynonymList {
            text: text.to_string(),
            ..SynonymList::default()
        };
        let mut issues = Vec::new();
        let issue = |line: usize, reason: &str| LineIssue {
            source: source.to_string(),
            line,
            reason: reason.to_string(),
        };
        if text.len() > MAX_SYNONYM_BYTES {
            issues.push(issue(
                0,
                &format!(
                    "the list is {} bytes; at most {MAX_SYNONYM_BYTES}",
                    text.len()
                ),
            ));
            return (list, issues);
        }
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            if content.contains("=>") {
                issues.push(issue(line, "one-way rules (`=>`) are not supported; list equivalent names separated by commas"));
                continue;
            }
            if list.groups.len() == MAX_SYNONYM_GROUPS {
                issues.push(issue(
                    line,
                    &format!("more than {MAX_SYNONYM_GROUPS} groups"),
                ));
                continue;
            }
            let mut group: Vec<String> = Vec::new();
            let mut forms: Vec<String> = Vec::new();
            let mut bad = false;
            for entry in content.split(',').map(str::trim) {
                let form = whole_form(entry);
                if form.is_empty() {
                    issues.push(issue(
                        line,
                        "an empty entry (two commas in a row, or only punctuation)",
                    ));
                    bad = true;
                    break;
                }
                if entry.split_whitespace().count() > MAX_ENTRY_WORDS {
                    issues.push(issue(
                        line,
                        &format!("{entry:?} has more than {MAX_ENTRY_WORDS} words"),
                    ));
                    bad = true;
                    break;
                }
                if !forms.contains(&form) {
                    forms.push(form);
                    group.push(entry.to_string());
                }
            }
            if bad {
                continue;
            }
            if group.len() < 2 {
                issues.push(issue(line, "a group needs at least two different names"));
                continue;
            }
            if group.len() > MAX_GROUP_ENTRIES {
                issues.push(issue(
                    line,
                    &format!("more than {MAX_GROUP_ENTRIES} names in a group"),
                ));
                continue;
            }
            let id = list.groups.len();
            for form in forms {
                list.by_form.entry(form).or_default().push(id);
            }
            list.groups.push(group);
        }
        (list, issues)
    }

    /// The list as it was given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The groups, each a list of entries as written.
    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether the list has no group.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The other entries of every group with an entry whose whole-value form is `form`.
    pub fn others(&self, form: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for &id in self.by_form.get(form).map(Vec::as_slice).unwrap_or(&[]) {
            for entry in &self.groups[id] {
                if whole_form(entry) != form && !out.contains(&entry.as_str()) {
                    out.push(entry);
                }
            }
        }
        out
    }
}

/// The index-time part of the list: single-word synonyms, keyed by normalised term.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    others: HashMap<String, Vec<String>>,
}

impl Synonyms {
    /// The single-word entries of `list`'s groups; `term_of` turns an entry into its
    /// single normalised term, or fails for an entry of several words.
    pub fn from_list(
        list: &SynonymList,
        mut term_of: impl FnMut(&str) -> Result<String, String>,
    ) -> Synonyms {
        let mut synonyms = Synonyms::default();
        for group in list.groups() {
            let mut terms: Vec<String> = Vec::new();
            for entry in group {
                if let Ok(term) = term_of(entry)
                    && !terms.contains(&term)
                {
                    terms.push(term);
                }
            }
            if terms.len() < 2 {
                continue;
            }
            for term in &terms {
                let others = synonyms.others.entry(term.clone()).or_default();
                for other in &terms {
                    if other != term && !others.contains(other) {
                        others.push(other.clone());
                    }
                }
            }
        }
        synonyms
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
        let text = "BTS, 방탄소년단\n# comment\n\nA => B\n아이유, IU, 이지은\n혼자\n레미 제라블, 레미제라블\nThe Nutcracker, 호두까기 인형\n a,, b\n";
        let (list, issues) = SynonymList::parse(text, "synonyms.txt");
        let lines: Vec<usize> = issues.iter().map(|i| i.line).collect();
        // 4: one-way rule; 6: one name; 7: the same name spaced twice; 9: empty entry.
        assert_eq!(lines, vec![4, 6, 7, 9], "{issues:?}");
        assert_eq!(issues[0].source, "synonyms.txt");
        assert_eq!(list.len(), 3);
        assert_eq!(
            list.others(&whole_form("the nutcracker")),
            ["호두까기 인형"]
        );
        assert_eq!(list.others(&whole_form("호두까기인형")), ["The Nutcracker"]);
        assert_eq!(list.others(&whole_form("iu")), ["아이유", "이지은"]);

        let syn = Synonyms::from_list(&list, lower);
        assert_eq!(syn.get("bts"), ["방탄소년단"]);
        assert_eq!(syn.get("방탄소년단"), ["bts"]);
        assert_eq!(syn.get("iu"), ["아이유", "이지은"]);
        assert!(
            syn.get("the nutcracker").is_empty(),
            "several words: query time only"
        );
        assert!(syn.get("없음").is_empty());
    }
}
