//! The user dictionary: words ko-dic lacks or splits wrongly (artist, venue, product
//! names).
//!
//! Format, one entry per line (UTF-8; `#` starts a comment; blank lines are ignored):
//!
//! ```text
//! surface,POS[,reading]
//! 아이유,NNP
//! 올림픽공원 KSPO DOME -> not allowed: surfaces have no whitespace
//! ```
//!
//! `POS` is `NNP` (proper noun) or `NNG` (common noun). Entries get the context ids of
//! ordinary ko-dic nouns with the same final consonant, so particles after them attach as
//! after any noun, and a cost low enough to win over any split.

use super::LineIssue;
use super::hangul;
use super::lattice::UserWord;

/// Word cost of user entries (lindera's default for simple user-dictionary rows).
const USER_WORD_COST: i16 = -10_000;

/// `(left id, right id)` of plain ko-dic nouns, by tag and by whether the word ends in a
/// final consonant (`T`) or not (`F`); the most frequent ids of each class in ko-dic.
fn context_ids(pos: &str, has_final: bool) -> Option<(u16, u16)> {
    match (pos, has_final) {
        ("NNG", true) => Some((1780, 3534)),
        ("NNG", false) => Some((1780, 3533)),
        ("NNP", true) => Some((1786, 3546)),
        ("NNP", false) => Some((1786, 3545)),
        _ => None,
    }
}

/// Parses a user dictionary. Bad lines are skipped and returned as issues.
pub fn parse(text: &str, source: &str) -> (Vec<UserWord>, Vec<LineIssue>) {
    let mut issues = Vec::new();
    let mut words = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        match parse_line(line) {
            Ok((surface, pos, reading)) => {
                if !seen.insert(surface.to_string()) {
                    issues.push(LineIssue::new(
                        source,
                        index + 1,
                        format!("duplicate entry {surface:?}"),
                    ));
                    continue;
                }
                let has_final = surface
                    .chars()
                    .last()
                    .and_then(hangul::decompose)
                    .is_some_and(|(_, _, fin)| fin.is_some());
                let (left, right) = context_ids(pos, has_final).expect("validated tag");
                let final_flag = if has_final { "T" } else { "F" };
                words.push(UserWord {
                    surface: surface.to_string(),
                    left_id: left,
                    right_id: right,
                    cost: USER_WORD_COST,
                    feature: format!("{pos},*,{final_flag},{reading},*,*,*,*"),
                });
            }
            Err(reason) => issues.push(LineIssue::new(source, index + 1, reason)),
        }
    }
    (words, issues)
}

fn parse_line(line: &str) -> Result<(&str, &str, &str), String> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let (surface, pos, reading) = match fields.as_slice() {
        [surface, pos] => (*surface, *pos, *surface),
        [surface, pos, reading] => (*surface, *pos, *reading),
        _ => {
            return Err(format!(
                "expected `surface,POS[,reading]`, found {} fields",
                fields.len()
            ));
        }
    };
    if surface.is_empty() {
        return Err("empty surface".into());
    }
    if surface.chars().any(char::is_whitespace) {
        return Err(format!(
            "surface {surface:?} contains whitespace; write it without spaces (the analyzer \
             ignores spacing between Hangul)"
        ));
    }
    if surface.contains('"') || reading.contains('"') {
        return Err("quotes are not allowed".into());
    }
    if context_ids(pos, false).is_none() {
        return Err(format!(
            "unsupported POS {pos:?}: use NNP (proper noun) or NNG (common noun)"
        ));
    }
    Ok((
        surface,
        pos,
        if reading.is_empty() { surface } else { reading },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_bad_lines_with_numbers_and_keeps_good_ones() {
        let text = "# artists\n아이유,NNP\n\n뉴진스,XX\n올림픽 홀,NNP\n아이유,NNP\n샤롯데씨어터,NNP,샤롯데씨어터\n잘못된줄\n";
        let (words, issues) = parse(text, "user_dict.csv");
        let surfaces: Vec<&str> = words.iter().map(|w| w.surface.as_str()).collect();
        assert_eq!(surfaces, ["아이유", "샤롯데씨어터"]);
        assert_eq!(words[0].feature, "NNP,*,F,아이유,*,*,*,*");
        assert_eq!((words[1].left_id, words[1].right_id), (1786, 3545));
        let lines: Vec<usize> = issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![4, 5, 6, 8]);
        assert!(
            issues[0]
                .to_string()
                .starts_with("user_dict.csv:4: unsupported POS")
        );
        assert!(issues[1].reason.contains("whitespace"));
        assert!(issues[2].reason.contains("duplicate"));
    }

    #[test]
    fn final_consonant_picks_the_context_ids() {
        let (words, _) = parse("공연장,NNG\n뉴진스,NNP\n", "x");
        assert_eq!((words[0].right_id, words[1].right_id), (3534, 3545));
        assert!(words[0].feature.contains(",T,") && words[1].feature.contains(",F,"));
    }
}
