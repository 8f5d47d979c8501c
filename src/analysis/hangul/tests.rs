use super::*;

fn all_syllables() -> impl Iterator<Item = char> {
    (SYLLABLE_BASE..=SYLLABLE_LAST).filter_map(char::from_u32)
}

/// Deterministic pseudo-random syllables (Knuth's 64-bit LCG).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(n)) as u32
    }
    fn word(&mut self) -> String {
        let len = 1 + self.next(6);
        (0..len)
            .map(|_| char::from_u32(SYLLABLE_BASE + self.next(11_172)).unwrap())
            .collect()
    }
}

#[test]
fn decompose_compose_round_trip_all_syllables() {
    assert_eq!(all_syllables().count(), 11_172);
    for s in all_syllables() {
        let (l, v, f) = decompose(s).unwrap();
        assert!(is_initial(l) && is_medial(v) && f.is_none_or(is_final));
        assert_eq!(compose(l, v, f), Some(s), "{s}");
    }
}

#[test]
fn decompose_compose_edges() {
    assert_eq!(decompose('가'), Some(('ㄱ', 'ㅏ', None)));
    assert_eq!(decompose('힣'), Some(('ㅎ', 'ㅣ', Some('ㅎ'))));
    assert_eq!(decompose('뷁'), Some(('ㅂ', 'ㅞ', Some('ㄺ'))));
    assert_eq!(decompose('ㄱ'), None);
    assert_eq!(decompose('a'), None);
    assert_eq!(compose('ㄳ', 'ㅏ', None), None);
    assert_eq!(compose('ㄱ', 'ㄱ', None), None);
    assert_eq!(compose('ㄱ', 'ㅏ', Some('ㄸ')), None);
    assert!(is_hangul_syllable('가') && is_hangul_syllable('힣'));
    assert!(!is_hangul_syllable('\u{ABFF}') && !is_hangul_syllable('\u{D7A4}'));
}

#[test]
fn jamo_round_trip_each_and_all_concatenated() {
    for s in all_syllables() {
        let j = to_jamo(&s.to_string());
        assert!(j.chars().count() == 2 || j.chars().count() == 3);
        assert_eq!(from_jamo(&j), s.to_string());
    }
    let all: String = all_syllables().collect();
    assert_eq!(from_jamo(&to_jamo(&all)), all);
}

#[test]
fn jamo_examples() {
    assert_eq!(to_jamo("과"), "ㄱㅘ");
    assert_eq!(to_jamo("값"), "ㄱㅏㅄ");
    assert_eq!(to_jamo("뷁 a1"), "ㅂㅞㄺ a1");
    assert_eq!(from_jamo("ㅇㅏㄴㄴㅕㅇ"), "안녕");
    assert_eq!(from_jamo("ㄱㅏㄳㅏ"), "갃ㅏ");
    assert_eq!(from_jamo("ㅋㅋ abc"), "ㅋㅋ abc");
}

#[test]
fn qwerty_round_trip_all_syllables() {
    for s in all_syllables() {
        let keys = hangul_to_qwerty(&s.to_string());
        assert!(keys.chars().all(|c| c.is_ascii_alphabetic()), "{s}");
        assert!((2..=5).contains(&keys.len()), "{s} -> {keys}");
        assert_eq!(qwerty_to_hangul(&keys), s.to_string(), "{keys}");
    }
}

/// Syllable-only text is never ambiguous on 2-beolsik: every syllable has
/// an explicit initial key (even silent ㅇ), so the automaton's rule
/// "a vowel steals the preceding final" always reproduces the original split.
#[test]
fn random_words_round_trip() {
    let mut rng = Lcg(42);
    for _ in 0..3000 {
        let word = rng.word();
        assert_eq!(from_jamo(&to_jamo(&word)), word);
        let keys = hangul_to_qwerty(&word);
        assert_eq!(qwerty_to_hangul(&keys), word, "{keys}");
    }
    let phrase: Vec<String> = (0..200).map(|_| rng.word()).collect();
    let phrase = phrase.join(" ");
    assert_eq!(qwerty_to_hangul(&hangul_to_qwerty(&phrase)), phrase);
    assert_eq!(from_jamo(&to_jamo(&phrase)), phrase);
}

#[test]
fn qwerty_named_examples() {
    let pairs = [
        ("아이유", "dkdldb"),
        ("안녕", "dkssud"),
        ("읽어", "dlfrdj"),
        ("방탄소년단", "qkdxksthsuseks"),
        ("뷁", "qnpfr"),
        ("값", "rkqt"),
        ("과", "rhk"),
        ("까똬", "RkEhk"),
        ("얘예", "dOdP"),
    ];
    for (hangul, keys) in pairs {
        assert_eq!(hangul_to_qwerty(hangul), keys);
        assert_eq!(qwerty_to_hangul(keys), hangul);
    }
    assert_eq!(hangul_to_qwerty("ㅃㅉㄸㄲㅆㅒㅖ ㄳ ㅘ"), "QWERTOP rt hk");
    assert_eq!(hangul_to_qwerty("BTS 아, ㆍ"), "BTS dk, ㆍ");
}

#[test]
fn qwerty_automaton_rules() {
    assert_eq!(qwerty_to_hangul("rkssk"), "간나");
    assert_eq!(qwerty_to_hangul("dlfrj"), "일거");
    assert_eq!(qwerty_to_hangul("DKDLDB"), "아이유");
    assert_eq!(qwerty_to_hangul("A"), "ㅁ");
    assert_eq!(qwerty_to_hangul("rk1rk"), "가1가");
    assert_eq!(qwerty_to_hangul("dks dud"), "안 영");
    assert_eq!(qwerty_to_hangul("r"), "ㄱ");
    assert_eq!(qwerty_to_hangul("rkk"), "가ㅏ");
    assert_eq!(qwerty_to_hangul("hk"), "ㅘ");
    assert_eq!(qwerty_to_hangul("zzz"), "ㅋㅋㅋ");
    assert_eq!(qwerty_to_hangul("bb"), "ㅠㅠ");
    assert_eq!(qwerty_to_hangul("rkEk"), "가따");
    assert_eq!(qwerty_to_hangul("dkfrh"), "알고");
}

#[test]
fn chosung_extraction_and_queries() {
    assert_eq!(chosung("아이유"), "ㅇㅇㅇ");
    assert_eq!(chosung("방탄소년단"), "ㅂㅌㅅㄴㄷ");
    assert_eq!(chosung("BTS 방탄 소년단! 2024"), "ㅂㅌㅅㄴㄷ");
    assert_eq!(chosung("ㄱ나 ㅏ다ㄳ"), "ㄱㄴㄷㄳ");
    assert_eq!(chosung("hello"), "");
    assert!(is_chosung_query("ㅇㅇㅇ"));
    assert!(is_chosung_query(" ㅂ ㅌ ㅅ "));
    assert!(is_chosung_query("ㄲㄸㅃㅆㅉ"));
    assert!(!is_chosung_query(""));
    assert!(!is_chosung_query("   "));
    assert!(!is_chosung_query("ㅇㅏ"));
    assert!(!is_chosung_query("아이유"));
    assert!(!is_chosung_query("ㅇa"));
    assert!(!is_chosung_query("ㄳ"));
}

#[test]
fn hangul_detection() {
    assert!(contains_hangul("a가"));
    assert!(contains_hangul("ㅋㅋ"));
    assert!(contains_hangul("ㆎ"));
    assert!(!contains_hangul("abc 123"));
    assert!(!contains_hangul(""));
}

#[test]
fn wrong_layout_heuristic() {
    for yes in ["dkdldb", "qkdxksthsusdks", "dkssud gktpdy", "DKDLDB", "dog"] {
        assert!(looks_like_wrong_layout(yes), "{yes}");
    }
    for no in [
        "hello",
        "bts",
        "iu",
        "concert",
        "d",
        "dkdl1",
        "dk-dl",
        "",
        "zz",
        "아이유",
    ] {
        assert!(!looks_like_wrong_layout(no), "{no}");
    }
}
