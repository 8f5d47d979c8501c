//! Sentence assembly shared by both generators: `{slot}` templates with Korean particles
//! chosen by the final consonant, the missing spaces and one-jamo typos real users produce
//! (the very inputs a Korean analyzer must cope with, hence worth generating on purpose).

use super::rng::Rng;

/// Values for the one-letter template slots `{a}` … `{z}`: what to print, and how it reads
/// in Hangul (so `IU` takes `가` like `아이유`, not a guess from a Latin letter).
pub(super) struct Slots<'a>([(&'a str, &'a str); 26]);

impl<'a> Slots<'a> {
    pub(super) fn new() -> Self {
        Slots([("", ""); 26])
    }

    /// A slot that reads as written.
    pub(super) fn set(&mut self, key: u8, value: &'a str) {
        self.0[usize::from(key - b'a')] = (value, value);
    }

    /// A slot whose particle follows `reading` rather than the printed `value`.
    pub(super) fn set_read(&mut self, key: u8, value: &'a str, reading: &'a str) {
        self.0[usize::from(key - b'a')] = (value, reading);
    }
}

/// Appends `template` with each `{k}` or `{k:josa}` replaced from `slots`; `josa` names the
/// particle pair by its after-consonant form: `이` (이/가), `은` (은/는), `을` (을/를),
/// `과` (과/와), `이에요` (이에요/예요) or `으로` (으로/로).
pub(super) fn expand(out: &mut String, template: &str, slots: &Slots<'_>) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("unclosed template slot");
        let spec = &rest[open + 1..close];
        let (key, josa) = spec.split_once(':').unwrap_or((spec, ""));
        let index = usize::from(key.as_bytes()[0] - b'a');
        let (value, reading) = slots.0[index];
        debug_assert!(
            !value.is_empty(),
            "template slot {{{key}}} not set in {template}"
        );
        out.push_str(value);
        if !josa.is_empty() {
            out.push_str(particle(reading, josa));
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
}

/// Hangul syllable block U+AC00..=U+D7A3.
pub(super) fn is_hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// The particle form that follows `word`, by the final consonant (받침) of its last
/// Hangul syllable; words without one (digits, Latin) take the after-vowel form.
fn particle(word: &str, josa: &str) -> &'static str {
    let coda = word
        .chars()
        .rev()
        .find(|&c| is_hangul(c))
        .map_or(0, |c| (c as u32 - 0xAC00) % 28);
    let (after_consonant, after_vowel) = match josa {
        "이" => ("이", "가"),
        "은" => ("은", "는"),
        "을" => ("을", "를"),
        "과" => ("과", "와"),
        "이에요" => ("이에요", "예요"),
        // ㄹ (coda 8) behaves like a vowel before 로.
        "으로" => {
            return if coda == 0 || coda == 8 {
                "로"
            } else {
                "으로"
            };
        }
        other => panic!("unknown particle {other}"),
    };
    if coda == 0 {
        after_vowel
    } else {
        after_consonant
    }
}

/// Drops each space that sits between two Hangul syllables with probability
/// `per_mille / 1000` (1000 glues them all: `여름 공연` → `여름공연`); Latin and digits keep
/// their spaces, as people rarely glue those.
pub(super) fn despace(s: &str, rng: &mut Rng, per_mille: u32) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' '
            && is_hangul(prev)
            && chars.peek().is_some_and(|&n| is_hangul(n))
            && (per_mille >= 1000 || rng.chance(per_mille))
        {
            continue;
        }
        out.push(c);
        prev = c;
    }
    out
}

/// Correct form → a typo users really type: one-jamo slips and the classic 돼/되, 됐/됬,
/// 결제/결재 confusions. The typo forms never occur in the templates, so tests can count them.
pub(super) const TYPOS: &[(&str, &str)] = &[
    ("환불", "환뷸"),
    ("로그인", "로그잉"),
    ("안돼요", "안되요"),
    ("됐어요", "됬어요"),
    ("결제", "결재"),
    ("예매", "예메"),
    ("취소", "취쇼"),
    ("좌석", "좌셕"),
    ("티켓", "티켙"),
    ("확인", "확잉"),
    ("가능한가요", "가능한가여"),
    ("비밀번호", "비밀번허"),
];

/// Replaces the first occurrence of one applicable correct form (scanning from a random
/// entry so every typo gets used); returns whether anything changed.
pub(super) fn add_typo(s: &mut String, rng: &mut Rng) -> bool {
    let start = rng.below(TYPOS.len());
    for i in 0..TYPOS.len() {
        let (right, wrong) = TYPOS[(start + i) % TYPOS.len()];
        if let Some(at) = s.find(right) {
            s.replace_range(at..at + right.len(), wrong);
            return true;
        }
    }
    false
}
