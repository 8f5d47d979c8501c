//! Korean text helpers for search: syllable <-> jamo arithmetic, chosung
//! (initial-consonant) extraction, and 2-beolsik keyboard conversion.
//!
//! Jamo are always produced as Hangul *Compatibility* Jamo (U+3131..U+318E)
//! rather than conjoining jamo (U+1100..), because that is what users
//! actually type in queries such as "ㅇㅇㅇ" or "ㅂㅌㅅ".

/// First precomposed syllable (가).
const SYLLABLE_BASE: u32 = 0xAC00;
/// Last precomposed syllable (힣).
const SYLLABLE_LAST: u32 = 0xD7A3;
/// Syllables per initial consonant: 21 medials * 28 finals (incl. none).
const PER_INITIAL: u32 = 21 * 28;

/// The 19 initials, in Unicode syllable order.
const INITIALS: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];
/// The 21 medials, in Unicode syllable order.
const MEDIALS: [char; 21] = [
    'ㅏ', 'ㅐ', 'ㅑ', 'ㅒ', 'ㅓ', 'ㅔ', 'ㅕ', 'ㅖ', 'ㅗ', 'ㅘ', 'ㅙ', 'ㅚ', 'ㅛ', 'ㅜ', 'ㅝ', 'ㅞ',
    'ㅟ', 'ㅠ', 'ㅡ', 'ㅢ', 'ㅣ',
];
/// The 27 finals in Unicode syllable order; index 0 of the syllable
/// arithmetic ("no final") is not stored, so final index `t` is `FINALS[t - 1]`.
const FINALS: [char; 27] = [
    'ㄱ', 'ㄲ', 'ㄳ', 'ㄴ', 'ㄵ', 'ㄶ', 'ㄷ', 'ㄹ', 'ㄺ', 'ㄻ', 'ㄼ', 'ㄽ', 'ㄾ', 'ㄿ', 'ㅀ', 'ㅁ',
    'ㅂ', 'ㅄ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
];

/// Compound vowels as (first, second, compound), i.e. the two keystrokes.
const VOWEL_PAIRS: [(char, char, char); 7] = [
    ('ㅗ', 'ㅏ', 'ㅘ'),
    ('ㅗ', 'ㅐ', 'ㅙ'),
    ('ㅗ', 'ㅣ', 'ㅚ'),
    ('ㅜ', 'ㅓ', 'ㅝ'),
    ('ㅜ', 'ㅔ', 'ㅞ'),
    ('ㅜ', 'ㅣ', 'ㅟ'),
    ('ㅡ', 'ㅣ', 'ㅢ'),
];
/// Compound finals as (first, second, compound), i.e. the two keystrokes.
const FINAL_PAIRS: [(char, char, char); 11] = [
    ('ㄱ', 'ㅅ', 'ㄳ'),
    ('ㄴ', 'ㅈ', 'ㄵ'),
    ('ㄴ', 'ㅎ', 'ㄶ'),
    ('ㄹ', 'ㄱ', 'ㄺ'),
    ('ㄹ', 'ㅁ', 'ㄻ'),
    ('ㄹ', 'ㅂ', 'ㄼ'),
    ('ㄹ', 'ㅅ', 'ㄽ'),
    ('ㄹ', 'ㅌ', 'ㄾ'),
    ('ㄹ', 'ㅍ', 'ㄿ'),
    ('ㄹ', 'ㅎ', 'ㅀ'),
    ('ㅂ', 'ㅅ', 'ㅄ'),
];

/// Standard 2-beolsik layout: (key, jamo). Only Q W E R T O P have a
/// distinct shifted jamo; other uppercase keys fall back to lowercase.
const KEYMAP: [(char, char); 33] = [
    ('q', 'ㅂ'),
    ('w', 'ㅈ'),
    ('e', 'ㄷ'),
    ('r', 'ㄱ'),
    ('t', 'ㅅ'),
    ('y', 'ㅛ'),
    ('u', 'ㅕ'),
    ('i', 'ㅑ'),
    ('o', 'ㅐ'),
    ('p', 'ㅔ'),
    ('a', 'ㅁ'),
    ('s', 'ㄴ'),
    ('d', 'ㅇ'),
    ('f', 'ㄹ'),
    ('g', 'ㅎ'),
    ('h', 'ㅗ'),
    ('j', 'ㅓ'),
    ('k', 'ㅏ'),
    ('l', 'ㅣ'),
    ('z', 'ㅋ'),
    ('x', 'ㅌ'),
    ('c', 'ㅊ'),
    ('v', 'ㅍ'),
    ('b', 'ㅠ'),
    ('n', 'ㅜ'),
    ('m', 'ㅡ'),
    ('Q', 'ㅃ'),
    ('W', 'ㅉ'),
    ('E', 'ㄸ'),
    ('R', 'ㄲ'),
    ('T', 'ㅆ'),
    ('O', 'ㅒ'),
    ('P', 'ㅖ'),
];

fn is_initial(c: char) -> bool {
    INITIALS.contains(&c)
}

fn is_medial(c: char) -> bool {
    MEDIALS.contains(&c)
}

fn is_final(c: char) -> bool {
    FINALS.contains(&c)
}

fn combine(table: &[(char, char, char)], a: char, b: char) -> Option<char> {
    table
        .iter()
        .find(|&&(x, y, _)| x == a && y == b)
        .map(|&(_, _, c)| c)
}

fn split(table: &[(char, char, char)], c: char) -> Option<(char, char)> {
    table
        .iter()
        .find(|&&(_, _, z)| z == c)
        .map(|&(a, b, _)| (a, b))
}

/// True for precomposed Hangul syllables (가..힣).
pub fn is_hangul_syllable(c: char) -> bool {
    (SYLLABLE_BASE..=SYLLABLE_LAST).contains(&(c as u32))
}

/// True for Hangul Compatibility Jamo (ㄱ..ㆎ), the form users type alone.
fn is_compat_jamo(c: char) -> bool {
    ('\u{3131}'..='\u{318E}').contains(&c)
}

/// True for the modern compatibility consonants ㄱ..ㅎ (incl. clusters like ㄳ).
fn is_compat_consonant(c: char) -> bool {
    ('ㄱ'..='ㅎ').contains(&c)
}

/// True if `text` has any syllable or compatibility jamo, so callers can
/// decide whether Korean-specific matching is worth running.
pub fn contains_hangul(text: &str) -> bool {
    text.chars()
        .any(|c| is_hangul_syllable(c) || is_compat_jamo(c))
}

/// Splits a syllable into (initial, medial, final) compatibility jamo;
/// `None` for anything that is not a precomposed syllable.
pub fn decompose(c: char) -> Option<(char, char, Option<char>)> {
    if !is_hangul_syllable(c) {
        return None;
    }
    let idx = c as u32 - SYLLABLE_BASE;
    let l = (idx / PER_INITIAL) as usize;
    let v = (idx % PER_INITIAL / 28) as usize;
    let t = (idx % 28) as usize;
    let final_ = (t > 0).then(|| FINALS[t - 1]);
    Some((INITIALS[l], MEDIALS[v], final_))
}

/// Inverse of [`decompose`]; `None` if a jamo cannot take that position
/// (e.g. ㄳ as initial or ㄸ as final).
pub fn compose(initial: char, medial: char, final_: Option<char>) -> Option<char> {
    let l = INITIALS.iter().position(|&x| x == initial)? as u32;
    let v = MEDIALS.iter().position(|&x| x == medial)? as u32;
    let t = match final_ {
        None => 0,
        Some(f) => FINALS.iter().position(|&x| x == f)? as u32 + 1,
    };
    char::from_u32(SYLLABLE_BASE + l * PER_INITIAL + v * 28 + t)
}

/// Replaces every syllable by its jamo. Compound medials/finals stay one
/// char, so one wrong vowel in a word costs one edit in fuzzy matching.
pub fn to_jamo(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        match decompose(c) {
            Some((l, v, f)) => {
                out.push(l);
                out.push(v);
                out.extend(f);
            }
            None => out.push(c),
        }
    }
    out
}

/// Greedily re-composes compatibility jamo into syllables. A consonant after
/// initial+medial is taken as final unless a medial follows it (then it starts
/// the next syllable), which exactly inverts [`to_jamo`] on syllable text.
/// Loose jamo next to syllables may merge ("가" + "ㄴ" -> "간"), by design.
pub fn from_jamo(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let v = chars.get(i + 1).copied();
        let Some(v) = v.filter(|&v| is_initial(c) && is_medial(v)) else {
            out.push(c);
            i += 1;
            continue;
        };
        i += 2;
        let mut final_ = None;
        if let Some(&f) = chars.get(i).filter(|&&f| is_final(f)) {
            let medial_follows = chars.get(i + 1).is_some_and(|&n| is_medial(n));
            // A cluster like ㄳ can never start a syllable, so it stays a final.
            if !medial_follows || !is_initial(f) {
                final_ = Some(f);
                i += 1;
            }
        }
        // All three were checked against the tables, so compose succeeds.
        out.extend(compose(c, v, final_));
    }
    out
}

/// Initial consonant of every syllable ("아이유" -> "ㅇㅇㅇ") for chosung
/// search. Loose consonants are kept (users mix them in); everything else,
/// including loose vowels, spaces and Latin, is dropped.
pub fn chosung(text: &str) -> String {
    text.chars()
        .filter_map(|c| match decompose(c) {
            Some((l, _, _)) => Some(l),
            None => is_compat_consonant(c).then_some(c),
        })
        .collect()
}

/// True if `text` (ignoring whitespace) is non-empty and only initial-capable
/// consonants (ㄱ..ㅎ incl. ㄲㄸㅃㅆㅉ). Clusters such as ㄳ are rejected:
/// they never start a syllable, so they can never match [`chosung`] output.
pub fn is_chosung_query(text: &str) -> bool {
    let mut letters = text.chars().filter(|c| !c.is_whitespace()).peekable();
    letters.peek().is_some() && letters.all(is_initial)
}

/// Appends the 2-beolsik keystrokes for one compatibility jamo; returns
/// false (appending nothing) if it is not typeable on the keyboard.
fn push_keys(out: &mut String, jamo: char) -> bool {
    if let Some((a, b)) = split(&VOWEL_PAIRS, jamo).or_else(|| split(&FINAL_PAIRS, jamo)) {
        return push_keys(out, a) && push_keys(out, b);
    }
    match KEYMAP.iter().find(|&&(_, j)| j == jamo) {
        Some(&(k, _)) => {
            out.push(k);
            true
        }
        None => false,
    }
}

/// Converts Hangul to the keys typed on a 2-beolsik keyboard ("아이유" ->
/// "dkdldb"), so Korean can be matched against text typed in English mode.
/// Shifted jamo become uppercase; non-Hangul chars are copied unchanged.
pub fn hangul_to_qwerty(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        match decompose(c) {
            Some((l, v, f)) => {
                for j in [Some(l), Some(v), f].into_iter().flatten() {
                    push_keys(&mut out, j);
                }
            }
            None => {
                if !push_keys(&mut out, c) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// The jamo a key produces; uppercase without a shifted jamo acts as lowercase.
fn key_to_jamo(key: char) -> Option<char> {
    let lookup = |k: char| KEYMAP.iter().find(|&&(x, _)| x == k).map(|&(_, j)| j);
    lookup(key).or_else(|| lookup(key.to_ascii_lowercase()))
}

/// State of the 2-beolsik input automaton: the syllable being composed.
#[derive(Default)]
struct Composer {
    out: String,
    cho: Option<char>,
    jung: Option<char>,
    jong: Option<char>,
}

impl Composer {
    /// Emits the pending syllable (or lone jamo) and resets the state.
    fn flush(&mut self) {
        match (self.cho.take(), self.jung.take(), self.jong.take()) {
            (Some(l), Some(v), f) => {
                // `cho` only ever holds single-key consonants, all valid initials.
                self.out.extend(compose(l, v, f));
            }
            (l, v, _) => self.out.extend(l.into_iter().chain(v)),
        }
    }

    fn consonant(&mut self, c: char) {
        match (self.cho, self.jung, self.jong) {
            (Some(_), Some(_), None) if is_final(c) => self.jong = Some(c),
            (Some(_), Some(_), Some(f)) if combine(&FINAL_PAIRS, f, c).is_some() => {
                self.jong = combine(&FINAL_PAIRS, f, c);
            }
            _ => {
                self.flush();
                self.cho = Some(c);
            }
        }
    }

    fn vowel(&mut self, v: char) {
        match (self.cho, self.jung, self.jong) {
            (_, None, _) => self.jung = Some(v),
            (_, Some(prev), None) if combine(&VOWEL_PAIRS, prev, v).is_some() => {
                self.jung = combine(&VOWEL_PAIRS, prev, v);
            }
            // A vowel after a final steals it (or a cluster's second half)
            // as the next initial: 안 + ㅕ -> 아녀, 읽 + ㅓ -> 일거.
            (_, Some(_), Some(f)) => {
                let (keep, moved) = match split(&FINAL_PAIRS, f) {
                    Some((a, b)) => (Some(a), b),
                    None => (None, f),
                };
                self.jong = keep;
                self.flush();
                self.cho = Some(moved);
                self.jung = Some(v);
            }
            _ => {
                self.flush();
                self.jung = Some(v);
            }
        }
    }
}

/// Runs the standard 2-beolsik input automaton over keys typed in English
/// mode ("dkssud" -> "안녕", "dlfrdj" -> "읽어"). Non-letters pass through
/// and end the current syllable; lone consonants/vowels stay compatibility jamo.
pub fn qwerty_to_hangul(text: &str) -> String {
    let mut st = Composer::default();
    for c in text.chars() {
        match key_to_jamo(c) {
            Some(j) if is_medial(j) => st.vowel(j),
            Some(j) => st.consonant(j),
            None => {
                st.flush();
                st.out.push(c);
            }
        }
    }
    st.flush();
    st.out
}

/// Heuristic for "Korean typed with the keyboard in English mode": only ASCII
/// letters and spaces, at least 2 letters, and every word converts to complete
/// syllables with no lone jamo left over. Limits: short English words that
/// alternate consonant/vowel keys still pass ("dog" -> "앻", "an" -> "무"),
/// and real Korean with a lone jamo ("ㅋㅋ" typed "zz") fails; callers should
/// confirm with e.g. a dictionary or hit counts before rewriting a query.
pub fn looks_like_wrong_layout(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_ascii_alphabetic()).count();
    letters >= 2
        && text.chars().all(|c| c.is_ascii_alphabetic() || c == ' ')
        && text
            .split(' ')
            .filter(|w| !w.is_empty())
            .all(|w| qwerty_to_hangul(w).chars().all(is_hangul_syllable))
}

#[cfg(test)]
mod tests;
