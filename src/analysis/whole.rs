//! Whole-value forms of short, name-like field values ("지킬 앤 하이드", "Golden Hour"):
//! how a query matches a whole name whatever its spacing and segmentation.
//!
//! Per-token matching fails on names in three ways: a typo or an unfinished last
//! syllable changes how the name segments ("예술의전ㄷ"), the initials of a multi-word
//! name span several tokens ("ㅈㅋㅇㅎㅇㄷ"), and a glued or re-spaced query lines up
//! with no token. The whole value, with spaces and punctuation removed, lines up with the
//! whole query in all three cases.

use super::{hangul, normalize_term};

/// Values longer than this many characters are prose, not names: they get no whole-value
/// forms (which bounds the index growth).
pub const WHOLE_VALUE_MAX_CHARS: usize = 64;

/// Letters and digits only, lower-cased and normalised, in jamo ("Golden Hour!" →
/// "goldenhour", "예술의 전당" → "ㅇㅖㅅㅜㄹㅇㅢㅈㅓㄴㄷㅏㅇ"). Queries and values are
/// compared in this form: a prefix of it is a half-typed name, a jamo edit is a typo.
pub fn whole_form(text: &str) -> String {
    let compact: String = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    hangul::to_jamo(&normalize_term(&compact))
}

/// The initial consonants of a whole value ("지킬 앤 하이드" → ㅈㅋㅇㅎㅇㄷ), so initials
/// match a multi-word name (each word's own initials are its terms' chosung forms).
/// Nothing for fewer than two consonants.
pub fn value_initials(text: &str) -> Vec<String> {
    let initials: String = text.split_whitespace().map(hangul::chosung).collect();
    if initials.chars().count() >= 2 {
        vec![initials]
    } else {
        Vec::new()
    }
}

/// The whole-value forms of a value from the start of each word after the first
/// ("연극 햄릿 재공연" → 햄릿재공연, 재공연, in jamo): a half-typed word matches the
/// continuation of the name from where the user started typing, whatever the name's
/// segmentation ("재공" → 재공연, which the analyzer reads as 재 + 공연).
pub fn word_start_forms(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    for k in 1..words.len() {
        let form = whole_form(&words[k..].concat());
        if form.chars().count() >= 2 && !out.contains(&form) {
            out.push(form);
        }
    }
    out
}

/// The initials of a value from the start of each word after the first ("지킬 앤 하이드"
/// → ㅇㅎㅇㄷ, ㅎㅇㄷ): initials match a multi-word name from any of its words.
pub fn word_start_initials(text: &str) -> Vec<String> {
    let words: Vec<String> = text.split_whitespace().map(hangul::chosung).collect();
    let mut out: Vec<String> = Vec::new();
    for k in 1..words.len() {
        let initials: String = words[k..].concat();
        if initials.chars().count() >= 2 && !out.contains(&initials) {
            out.push(initials);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_form_drops_spaces_punctuation_and_case() {
        assert_eq!(whole_form("Golden Hour!"), "goldenhour");
        assert_eq!(
            whole_form("지킬 앤 하이드"),
            hangul::to_jamo("지킬앤하이드")
        );
        assert_eq!(whole_form("예술의 전당"), whole_form("예술의전당"));
    }

    #[test]
    fn word_starts_skip_the_whole_value() {
        assert_eq!(
            word_start_forms("연극 햄릿 재공연"),
            [whole_form("햄릿재공연"), whole_form("재공연")]
        );
        assert!(word_start_forms("세종문화회관").is_empty());
    }

    #[test]
    fn initials_of_the_whole_value() {
        assert_eq!(value_initials("지킬 앤 하이드"), ["ㅈㅋㅇㅎㅇㄷ"]);
        assert_eq!(
            word_start_initials("지킬 앤 하이드"),
            ["ㅇㅎㅇㄷ", "ㅎㅇㄷ"]
        );
        assert_eq!(value_initials("세종문화회관"), ["ㅅㅈㅁㅎㅎㄱ"]);
        assert!(value_initials("Golden Hour").is_empty());
    }
}
