//! Known-item queries from the demo corpus, one class per way people type.

use std::collections::HashMap;

use serde_json::{Map, Value as Json, json};

use crate::analysis::hangul;
use crate::demo::Concert;

/// One query with the documents that answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The class.
    pub class: &'static str,
    /// What the user typed.
    pub query: String,
    /// A filter, for the filtered class.
    pub filter: Option<Map<String, Json>>,
    /// The ids that answer the query.
    pub relevant: Vec<u64>,
}

/// Alias pairs as the bundled synonym list has them (Latin ↔ Hangul).
const ALIASES: [(&str, &str); 6] = [
    ("IU", "아이유"),
    ("BTS", "방탄소년단"),
    ("NewJeans", "뉴진스"),
    ("SEVENTEEN", "세븐틴"),
    ("NCT", "엔시티"),
    ("TXT", "투모로우바이투게더"),
];

/// Up to `per_class` queries in every class, from the live (not deleted) concerts of
/// `corpus`, deterministic for a corpus.
pub fn cases(corpus: &[Concert], per_class: usize) -> Vec<Case> {
    let live: Vec<&Concert> = corpus.iter().filter(|c| !c.deleted).collect();
    let mut by_title: HashMap<String, Vec<u64>> = HashMap::new();
    for c in &live {
        by_title.entry(norm(&c.title)).or_default().push(c.id);
    }
    let same_title = |c: &Concert| by_title[&norm(&c.title)].clone();
    let containing = |word: &str| -> Vec<u64> {
        live.iter()
            .filter(|c| norm(&c.title).contains(&norm(word)))
            .map(|c| c.id)
            .collect()
    };
    type Make<'a> =
        Box<dyn Fn(&Concert) -> Option<(String, Option<Map<String, Json>>, Vec<u64>)> + 'a>;
    let classes: Vec<(&'static str, Make<'_>)> = vec![
        (
            "exact",
            Box::new(|c| Some((c.title.clone(), None, same_title(c)))),
        ),
        (
            "spacing",
            Box::new(|c| {
                let glued: String = c.title.split_whitespace().collect();
                (glued != c.title).then(|| (glued, None, same_title(c)))
            }),
        ),
        (
            "particles",
            Box::new(|c| {
                let word = longest_hangul(&c.title)?;
                let q = format!("{}{} 공연 예매하고 싶어요", word, object_particle(&word));
                Some((q, None, containing(&word)))
            }),
        ),
        (
            "typo",
            Box::new(|c| {
                let word = longest_hangul(&c.title).filter(|w| w.chars().count() >= 3)?;
                let typo = if c.id % 2 == 0 {
                    vowel_typo(&word)?
                } else {
                    swap_syllables(&word)?
                };
                Some((c.title.replace(&word, &typo), None, same_title(c)))
            }),
        ),
        (
            "prefix",
            Box::new(|c| {
                let word = longest_hangul(&c.title).filter(|w| w.chars().count() >= 3)?;
                let chars: Vec<char> = word.chars().collect();
                let cut = chars.len() - 1;
                let head: String = chars[..cut].iter().collect();
                // Half the time the last syllable is half typed (its jamo without the final).
                let q = if c.id % 2 == 0 {
                    let (l, v, _) = hangul::decompose(chars[cut])?;
                    format!("{head}{l}{v}")
                } else {
                    head
                };
                Some((hangul::from_jamo(&q), None, containing(&word)))
            }),
        ),
        (
            "alias",
            Box::new(|c| {
                let (latin, korean) = ALIASES
                    .iter()
                    .find(|(l, k)| c.title.contains(l) || c.title.contains(k))?;
                let q = if c.title.contains(latin) {
                    c.title.replace(latin, korean)
                } else {
                    c.title.replace(korean, latin)
                };
                Some((q, None, same_title(c)))
            }),
        ),
        (
            "initials",
            Box::new(|c| {
                let word = longest_hangul(&c.title).filter(|w| w.chars().count() >= 3)?;
                Some((hangul::chosung(&word), None, containing(&word)))
            }),
        ),
        (
            "keyboard",
            Box::new(|c| {
                let word = longest_hangul(&c.title)?;
                Some((hangul::hangul_to_qwerty(&word), None, containing(&word)))
            }),
        ),
        (
            "keyword",
            Box::new(|c| {
                let word = longest_hangul(&c.title)?;
                let relevant = live
                    .iter()
                    .filter(|d| d.genre == c.genre && norm(&d.title).contains(&norm(&word)))
                    .map(|d| d.id)
                    .collect();
                Some((format!("{word} {}", c.genre), None, relevant))
            }),
        ),
        (
            "glued_latin",
            Box::new(|c| {
                let latin: Vec<&str> = c
                    .title
                    .split_whitespace()
                    .filter(|w| w.chars().all(|ch| ch.is_ascii_alphabetic()))
                    .collect();
                (latin.len() >= 2).then(|| (latin.concat().to_lowercase(), None, same_title(c)))
            }),
        ),
        (
            "filtered",
            Box::new(|c| {
                let word = longest_hangul(&c.title)?;
                let relevant = live
                    .iter()
                    .filter(|d| d.city == c.city && norm(&d.title).contains(&norm(&word)))
                    .map(|d| d.id)
                    .collect();
                let filter = json!({"city": c.city});
                Some((word, filter.as_object().cloned(), relevant))
            }),
        ),
    ];
    let mut out = Vec::new();
    for (class, make) in &classes {
        let mut taken = 0;
        // A spread over the corpus, not its first rows.
        let step = (live.len() / (per_class * 3).max(1)).max(1);
        for c in live.iter().step_by(step) {
            if taken == per_class {
                break;
            }
            if let Some((query, filter, relevant)) = make(c)
                && !relevant.is_empty()
                && !query.trim().is_empty()
            {
                out.push(Case {
                    class,
                    query,
                    filter,
                    relevant,
                });
                taken += 1;
            }
        }
    }
    out
}

/// Lower-case, no spaces: how titles are compared.
fn norm(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The longest all-Hangul word of `text` (two syllables at least).
fn longest_hangul(text: &str) -> Option<String> {
    text.split(|c: char| !hangul::is_hangul_syllable(c))
        .filter(|w| w.chars().count() >= 2)
        .max_by_key(|w| w.chars().count())
        .map(str::to_string)
}

/// 을 after a final consonant, 를 after a vowel.
fn object_particle(word: &str) -> &'static str {
    match word.chars().last().and_then(hangul::decompose) {
        Some((_, _, Some(_))) => "을",
        _ => "를",
    }
}

/// One jamo changed: the vowel of the middle syllable (ㅏ↔ㅓ, ㅗ↔ㅜ, ㅣ↔ㅡ, others → ㅐ).
fn vowel_typo(word: &str) -> Option<String> {
    let mut chars: Vec<char> = word.chars().collect();
    let i = chars.len() / 2;
    let (l, v, f) = hangul::decompose(chars[i])?;
    let swapped = match v {
        'ㅏ' => 'ㅓ',
        'ㅓ' => 'ㅏ',
        'ㅗ' => 'ㅜ',
        'ㅜ' => 'ㅗ',
        'ㅣ' => 'ㅡ',
        'ㅡ' => 'ㅣ',
        _ => 'ㅐ',
    };
    chars[i] = hangul::compose(l, swapped, f)?;
    Some(chars.into_iter().collect())
}

/// Two adjacent syllables swapped (김연아 → 김아연).
fn swap_syllables(word: &str) -> Option<String> {
    let mut chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    (n >= 3 && chars[n - 1] != chars[n - 2]).then(|| {
        chars.swap(n - 1, n - 2);
        chars.into_iter().collect()
    })
}
