//! Term normalisation: NFKC and lowercase for everything but Hangul jamo, and Hanja to
//! their Hangul reading.

use unicode_normalization::UnicodeNormalization;

/// NFKC-normalises and lowercases `term`, leaving Hangul untouched.
///
/// NFKC would turn compatibility jamo (ㄱ, U+3131), which users type in initial-consonant
/// queries, into conjoining jamo (U+1100); so jamo and syllables bypass it.
pub fn normalize_term(term: &str) -> String {
    if term.is_ascii() {
        return term.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(term.len());
    let mut pending = String::new();
    for c in term.chars() {
        if is_hangul(c) {
            flush(&mut pending, &mut out);
            out.push(c);
        } else {
            pending.push(c);
        }
    }
    flush(&mut pending, &mut out);
    out
}

fn flush(pending: &mut String, out: &mut String) {
    if !pending.is_empty() {
        out.extend(pending.nfkc().flat_map(char::to_lowercase));
        pending.clear();
    }
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{3131}'..='\u{318E}')
}

/// Whether `text` contains a CJK ideograph (Hanja).
pub fn has_hanja(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'))
}

/// The Hangul reading ko-dic gives a Hanja token (its `reading` column), if it is one.
pub fn hanja_reading<'a>(surface: &str, reading: Option<&'a str>) -> Option<&'a str> {
    let reading = reading?;
    (has_hanja(surface) && reading != "*" && reading.chars().all(is_hangul)).then_some(reading)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_latin_and_full_width_but_keeps_jamo() {
        assert_eq!(normalize_term("BTS"), "bts");
        assert_eq!(normalize_term("ＢＴＳ"), "bts");
        assert_eq!(normalize_term("Ｃａｆé"), "café");
        assert_eq!(normalize_term("ㅇㅇㅇ"), "ㅇㅇㅇ");
        assert_eq!(normalize_term("아이유"), "아이유");
        assert_eq!(normalize_term("①"), "1");
    }

    #[test]
    fn reads_hanja_only_when_the_reading_is_hangul() {
        assert_eq!(hanja_reading("國", Some("국")), Some("국"));
        assert_eq!(hanja_reading("國", Some("*")), None);
        assert_eq!(hanja_reading("국", Some("국")), None);
        assert_eq!(hanja_reading("國", None), None);
    }
}
