//! Known-item queries from the demo corpus, one class per way people type.
//!
//! Every query is made from a name a concert shows: its title, the work or tour in its
//! title's 〈brackets〉, an artist, or its venue. The documents that answer it come from the
//! corpus alone, never from an engine: the live concerts whose title, an artist or the
//! venue contains the name (lower-cased, spaces and punctuation ignored, a Latin name only
//! as a whole word), in any spelling of it the corpus shows (`아이유(IU)`) or the demo
//! catalogue's alias list gives (`demo::artist_aliases`).

use std::collections::{BTreeMap, BTreeSet, HashSet};

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

/// The ways people type a name, in report order.
#[derive(Debug, Clone, Copy)]
enum Class {
    /// The name as shown.
    Exact,
    /// Spaces between Hangul removed, or a Hangul word split (예술의전당 ↔ 예술의 전당), or
    /// both at different places.
    Spacing,
    /// A particle or ending attached (아이유의, 세종문화회관에서).
    Particles,
    /// The name in a chatty sentence (아이유 공연 알려줘).
    Conversational,
    /// One jamo of a syllable changed.
    Typo,
    /// Two adjacent syllables swapped.
    TypoSwap,
    /// The last syllable not typed yet.
    Prefix,
    /// The last syllable half typed: without its final, or its initial alone (예술의전ㄷ).
    HalfSyllable,
    /// The other script's spelling (IU ↔ 아이유).
    Alias,
    /// One word's initial consonants (ㅇㅇㅇ).
    Initials,
    /// The initial consonants of every word of a multi-word name.
    InitialsMulti,
    /// Hangul typed with the keyboard in Latin mode (dkdldb).
    Keyboard,
    /// The name and a genre or city, spaced or glued (나훈아트로트).
    Keyword,
    /// Latin words glued and lower-cased (straykids).
    GluedLatin,
    /// The name with a city filter.
    Filtered,
}

impl Class {
    const ALL: [Class; 15] = [
        Class::Exact,
        Class::Spacing,
        Class::Particles,
        Class::Conversational,
        Class::Typo,
        Class::TypoSwap,
        Class::Prefix,
        Class::HalfSyllable,
        Class::Alias,
        Class::Initials,
        Class::InitialsMulti,
        Class::Keyboard,
        Class::Keyword,
        Class::GluedLatin,
        Class::Filtered,
    ];

    fn name(self) -> &'static str {
        match self {
            Class::Exact => "exact",
            Class::Spacing => "spacing",
            Class::Particles => "particles",
            Class::Conversational => "conversational",
            Class::Typo => "typo",
            Class::TypoSwap => "typo_swap",
            Class::Prefix => "prefix",
            Class::HalfSyllable => "half_syllable",
            Class::Alias => "alias",
            Class::Initials => "initials",
            Class::InitialsMulti => "initials_multi",
            Class::Keyboard => "keyboard",
            Class::Keyword => "keyword",
            Class::GluedLatin => "glued_latin",
            Class::Filtered => "filtered",
        }
    }
}

/// Where in a concert a name comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Title,
    Artist,
    Venue,
    Work,
}

const SOURCES: [Source; 4] = [Source::Title, Source::Artist, Source::Venue, Source::Work];

/// A name a concert shows, with every spelling of it.
struct Name {
    text: String,
    source: Source,
    forms: Vec<String>,
}

/// What a class makes of a name.
struct Draft {
    query: String,
    filter: Option<Map<String, Json>>,
    /// The relevant documents contain one of these…
    forms: Vec<String>,
    /// …and have this genre or city.
    only: Only,
}

enum Only {
    Any,
    Genre(String),
    City(String),
}

/// Parts of names where people put a space (세종문화|회관, 올림픽|공원), most of them the
/// corpus's venue and company endings.
const PARTS: [&str; 31] = [
    "전당",
    "공원",
    "회관",
    "센터",
    "아트센터",
    "극장",
    "대극장",
    "홀",
    "콘서트홀",
    "돔",
    "아레나",
    "경기장",
    "운동장",
    "소년단",
    "교향악단",
    "필하모닉",
    "오케스트라",
    "오페라단",
    "발레단",
    "무용단",
    "음악당",
    "씨어터",
    "콘서트",
    "페스티벌",
    "팬미팅",
    "리사이틀",
    "서울",
    "부산",
    "인천",
    "대구",
    "대전",
];

/// Sentences people type around a name.
const CHATTY: [&str; 4] = [
    "{} 콘서트 표 있어요",
    "{} 공연 보러 가고 싶다",
    "{} 공연 예매 어떻게 해요",
    "{} 공연 알려줘",
];

/// Up to `per_class` queries in every class, from the live (not deleted) concerts of
/// `corpus`, deterministic for a corpus. Names come from concerts spread over the corpus,
/// each class taking one new query per concert, its source turning from concert to
/// concert.
pub fn cases(corpus: &[Concert], per_class: usize) -> Vec<Case> {
    let corpus = Corpus::new(corpus);
    let n = corpus.live.len();
    let step = (n / (per_class * 3).max(1)).max(1);
    let mut out = Vec::new();
    for class in Class::ALL {
        let mut seen = HashSet::new();
        let mut taken = 0;
        // Every concert, in a spread order: every step-th, then the ones after them, …
        let order = (0..step).flat_map(|start| (start..n).step_by(step));
        for (visit, i) in order.enumerate() {
            if taken == per_class {
                break;
            }
            let c = corpus.live[i];
            let found = (0..SOURCES.len())
                .flat_map(|s| corpus.names(c, SOURCES[(visit + s) % SOURCES.len()]))
                .filter_map(|name| draft(class, &name, c, taken, &corpus))
                .find_map(|d| {
                    let key = format!("{}\0{:?}", d.query, d.filter);
                    if d.query.trim().is_empty() || seen.contains(&key) {
                        return None;
                    }
                    let relevant = corpus.relevant(&d.forms, &d.only);
                    (!relevant.is_empty()).then_some((key, d, relevant))
                });
            if let Some((key, d, relevant)) = found {
                seen.insert(key);
                out.push(Case {
                    class: class.name(),
                    query: d.query,
                    filter: d.filter,
                    relevant,
                });
                taken += 1;
            }
        }
    }
    out
}

/// The query `class` makes of `name` (of concert `c`), or none when the name does not
/// lend itself to it; `v` turns between the class's variants.
fn draft(class: Class, name: &Name, c: &Concert, v: usize, corpus: &Corpus) -> Option<Draft> {
    let text = name.text.as_str();
    let plain = |query: String| Draft {
        query,
        filter: None,
        forms: name.forms.clone(),
        only: Only::Any,
    };
    let named = matches!(name.source, Source::Artist | Source::Work | Source::Venue);
    let query = match class {
        Class::Exact => text.to_string(),
        Class::Spacing => {
            let query = turn(v, 3, |i| match i {
                0 => glue_hangul(text),
                1 => split_word(text),
                _ => resplit(text),
            })?;
            (query != text).then_some(query)?
        }
        Class::Particles => {
            if !named || !ends_in_hangul(text) {
                return None;
            }
            let pairs: &[(&str, &str)] = if name.source == Source::Venue {
                &[
                    ("에서", "에서"),
                    ("에", "에"),
                    ("의", "의"),
                    ("으로", "로"),
                    ("까지", "까지"),
                ]
            } else {
                &[
                    ("의", "의"),
                    ("이", "가"),
                    ("을", "를"),
                    ("은", "는"),
                    ("도", "도"),
                    ("과", "와"),
                    ("이랑", "랑"),
                ]
            };
            format!("{text}{}", particle(text, pairs[v % pairs.len()]))
        }
        Class::Conversational => {
            if !named {
                return None;
            }
            CHATTY[v % CHATTY.len()].replace("{}", text)
        }
        Class::Typo => {
            let (start, len) = longest_run(text).filter(|&(_, len)| len >= 3)?;
            let mut chars: Vec<char> = text.chars().collect();
            let i = start + len / 2;
            let typo = turn(v, 2, |k| {
                if k == 0 {
                    vowel_typo(chars[i])
                } else {
                    initial_typo(chars[i])
                }
            })?;
            chars[i] = typo;
            chars.into_iter().collect()
        }
        Class::TypoSwap => {
            let (start, len) = longest_run(text).filter(|&(_, len)| len >= 3)?;
            let mut chars: Vec<char> = text.chars().collect();
            let i = turn(v, 2, |k| {
                let i = if k == 0 { start + len - 2 } else { start };
                (chars[i] != chars[i + 1]).then_some(i)
            })?;
            chars.swap(i, i + 1);
            chars.into_iter().collect()
        }
        Class::Prefix | Class::HalfSyllable => {
            let chars: Vec<char> = text.chars().collect();
            let last_run = runs(&chars).last().copied()?;
            let syllables: usize = runs(&chars).iter().map(|r| r.1).sum();
            if last_run.0 + last_run.1 != chars.len() || last_run.1 < 2 || syllables < 3 {
                return None;
            }
            let head: String = chars[..chars.len() - 1].iter().collect();
            if matches!(class, Class::Prefix) {
                head.trim_end().to_string()
            } else {
                let (l, m, f) = hangul::decompose(chars[chars.len() - 1])?;
                let half = if v.is_multiple_of(2) && f.is_some() {
                    hangul::compose(l, m, None)?
                } else {
                    l
                };
                format!("{head}{half}")
            }
        }
        Class::Alias => return alias(name, c, corpus),
        Class::Initials => {
            if !named {
                return None;
            }
            let word = text
                .split_whitespace()
                .filter(|w| w.chars().all(hangul::is_hangul_syllable) && w.chars().count() >= 3)
                .fold("", |best, w| {
                    if w.chars().count() > best.chars().count() {
                        w
                    } else {
                        best
                    }
                });
            if word.is_empty() {
                return None;
            }
            let forms = if word == text {
                name.forms.clone()
            } else {
                vec![word.to_string()]
            };
            return Some(Draft {
                query: hangul::chosung(word),
                filter: None,
                forms,
                only: Only::Any,
            });
        }
        Class::InitialsMulti => {
            let words: Vec<&str> = text
                .split_whitespace()
                .map(|w| w.trim_matches(|ch: char| !ch.is_alphanumeric()))
                .filter(|w| !w.is_empty())
                .collect();
            let all_hangul = words
                .iter()
                .all(|w| w.chars().all(hangul::is_hangul_syllable));
            let syllables: usize = words.iter().map(|w| w.chars().count()).sum();
            if words.len() < 2 || !all_hangul || syllables < 4 {
                return None;
            }
            words
                .iter()
                .map(|w| hangul::chosung(w))
                .collect::<Vec<_>>()
                .join(" ")
        }
        Class::Keyboard => {
            let hangul_only = text
                .chars()
                .all(|ch| ch == ' ' || hangul::is_hangul_syllable(ch));
            if !named || !hangul_only {
                return None;
            }
            hangul::hangul_to_qwerty(text)
        }
        Class::Keyword => {
            if !matches!(name.source, Source::Artist | Source::Work) {
                return None;
            }
            let (value, only) = if v % 4 < 2 {
                (c.genre.as_str(), Only::Genre(c.genre.clone()))
            } else {
                (c.city.as_str(), Only::City(c.city.clone()))
            };
            if norm(text).contains(&norm(value)) {
                return None;
            }
            let sep = if v.is_multiple_of(2) { " " } else { "" };
            return Some(Draft {
                query: format!("{text}{sep}{value}"),
                filter: None,
                forms: name.forms.clone(),
                only,
            });
        }
        Class::GluedLatin => {
            let run = latin_runs(text).into_iter().next()?;
            let query: String = run
                .split_whitespace()
                .flat_map(|w| w.chars().filter(|ch| ch.is_ascii_alphanumeric()))
                .flat_map(|ch| ch.to_lowercase())
                .collect();
            // The name in any spelling answers it (Yeol Eum Son is 손열음).
            return Some(Draft {
                query,
                filter: None,
                forms: corpus.spellings(&run),
                only: Only::Any,
            });
        }
        Class::Filtered => {
            if !matches!(name.source, Source::Artist | Source::Work) {
                return None;
            }
            return Some(Draft {
                query: text.to_string(),
                filter: json!({"city": c.city}).as_object().cloned(),
                forms: name.forms.clone(),
                only: Only::City(c.city.clone()),
            });
        }
    };
    Some(plain(query))
}

/// The first of `n` variants that applies, starting at variant `v % n`.
fn turn<T>(v: usize, n: usize, variant: impl Fn(usize) -> Option<T>) -> Option<T> {
    (0..n).find_map(|i| variant((v + i) % n))
}

/// An artist in the other script's spelling; or a title with its artist so respelled.
fn alias(name: &Name, c: &Concert, corpus: &Corpus) -> Option<Draft> {
    let other = |text: &str, forms: &[String]| {
        forms
            .iter()
            .find(|f| is_latin(f) != is_latin(text))
            .cloned()
    };
    match name.source {
        Source::Artist => Some(Draft {
            query: other(&name.text, &name.forms)?,
            filter: None,
            forms: name.forms.clone(),
            only: Only::Any,
        }),
        Source::Title => c.artists.iter().find_map(|artist| {
            let respelled = other(artist, &corpus.spellings(artist))?;
            (!artist.contains('(') && name.text.contains(artist.as_str())).then(|| {
                let retitled = |to: &str| name.text.replacen(artist.as_str(), to, 1);
                let (ko, latin) = if is_latin(artist) {
                    (&respelled, artist)
                } else {
                    (artist, &respelled)
                };
                // The same show, its artist shown in either spelling or both.
                let both = retitled(&format!("{ko}({latin})"));
                let query = retitled(&respelled);
                Draft {
                    forms: vec![name.text.clone(), query.clone(), both],
                    query,
                    filter: None,
                    only: Only::Any,
                }
            })
        }),
        Source::Venue | Source::Work => None,
    }
}

/// The corpus as the classes need it.
struct Corpus<'a> {
    live: Vec<&'a Concert>,
    /// Per live concert: its title, venue and each artist, normalised.
    haystacks: Vec<Vec<String>>,
    /// A normalised spelling → every spelling of that name.
    aliases: BTreeMap<String, BTreeSet<String>>,
}

impl<'a> Corpus<'a> {
    fn new(corpus: &'a [Concert]) -> Self {
        let live: Vec<&Concert> = corpus.iter().filter(|c| !c.deleted).collect();
        let haystacks = live
            .iter()
            .map(|c| {
                let mut fields = vec![norm(&c.title), norm(&c.venue)];
                fields.extend(c.artists.iter().map(|a| norm(a)));
                fields
            })
            .collect();
        let mut aliases: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        // The catalogue's own aliases, not the engine's synonym list: the suite judges
        // any engine and any list against the same relevant documents.
        let synonyms = crate::demo::artist_aliases()
            .into_iter()
            .map(|(ko, latin)| vec![ko.to_string(), latin.to_string()]);
        let shown = live
            .iter()
            .flat_map(|c| &c.artists)
            .map(|a| Self::spellings_in(a))
            .filter(|forms| forms.len() == 2);
        for group in synonyms.chain(shown) {
            let scripts: BTreeSet<bool> = group.iter().map(|w| is_latin(w)).collect();
            if scripts.len() < 2 {
                continue;
            }
            for form in &group {
                aliases
                    .entry(norm(form))
                    .or_default()
                    .extend(group.iter().cloned());
            }
        }
        Corpus {
            live,
            haystacks,
            aliases,
        }
    }

    /// The names `c` shows from `source`, each with its spellings; names too short to
    /// be told apart from parts of other words (넬, 카이 in 스카이돔) are left out.
    fn names(&self, c: &Concert, source: Source) -> Vec<Name> {
        let texts: Vec<String> = match source {
            Source::Title => vec![c.title.clone()],
            Source::Venue => vec![c.venue.clone()],
            Source::Work => c
                .title
                .split_once('〈')
                .and_then(|(_, rest)| rest.split_once('〉'))
                .map(|(work, _)| work.trim().to_string())
                .into_iter()
                .collect(),
            Source::Artist => c
                .artists
                .iter()
                .flat_map(|a| Self::spellings_in(a))
                .collect(),
        };
        texts
            .into_iter()
            .filter(|t| distinctive(t))
            .map(|text| Name {
                forms: self.spellings(&text),
                text,
                source,
            })
            .collect()
    }

    /// Every spelling of `name` (itself when it has no other).
    fn spellings(&self, name: &str) -> Vec<String> {
        self.aliases.get(&norm(name)).map_or_else(
            || vec![name.to_string()],
            |group| group.iter().cloned().collect(),
        )
    }

    /// The spellings an artist is shown with: `아이유(IU)` is `아이유` and `IU`.
    fn spellings_in(artist: &str) -> Vec<String> {
        match artist
            .strip_suffix(')')
            .and_then(|rest| rest.split_once('('))
        {
            Some((ko, latin)) => vec![ko.trim().to_string(), latin.trim().to_string()],
            None => vec![artist.to_string()],
        }
    }

    /// The live concerts whose title, venue or an artist contains one of `forms` and
    /// that pass `only`.
    fn relevant(&self, forms: &[String], only: &Only) -> Vec<u64> {
        let needles: Vec<String> = forms.iter().map(|f| norm(f)).collect();
        self.live
            .iter()
            .zip(&self.haystacks)
            .filter(|(c, _)| match only {
                Only::Any => true,
                Only::Genre(g) => &c.genre == g,
                Only::City(city) => &c.city == city,
            })
            .filter(|(_, fields)| {
                fields
                    .iter()
                    .any(|f| needles.iter().any(|n| contains_name(f, n)))
            })
            .map(|(c, _)| c.id)
            .collect()
    }
}

/// Lower-case, punctuation read as a space, spaces dropped except between two Latin
/// letters or digits (so `NCT DREAM` stays two words, `아이유 콘서트` = `아이유콘서트` and
/// `뮤지컬 〈캣츠〉` = `뮤지컬 캣츠`): how names are compared.
fn norm(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for ch in text.chars().flat_map(char::to_lowercase) {
        if !ch.is_alphanumeric() {
            space = true;
            continue;
        }
        let latin = |c: char| c.is_ascii_alphanumeric();
        if space && latin(ch) && out.chars().next_back().is_some_and(latin) {
            out.push(' ');
        }
        space = false;
        out.push(ch);
    }
    out
}

/// Whether `hay` holds `name`, a Latin name only as a whole word (IVE is not in FIVE).
fn contains_name(hay: &str, name: &str) -> bool {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let first = name.chars().next();
    let last = name.chars().next_back();
    hay.match_indices(name).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + name.len()..].chars().next();
        let glued_before = latin(first) && latin(before);
        let glued_after = latin(last) && latin(after);
        !(glued_before || glued_after)
    })
}

/// Names of three Hangul syllables or more, or Latin ones of two letters or more.
fn distinctive(text: &str) -> bool {
    let syllables = text
        .chars()
        .filter(|&c| hangul::is_hangul_syllable(c))
        .count();
    if syllables > 0 {
        syllables >= 3
    } else {
        text.chars().filter(char::is_ascii_alphanumeric).count() >= 2
    }
}

/// Written without Hangul.
fn is_latin(text: &str) -> bool {
    !text.chars().any(hangul::is_hangul_syllable)
}

fn ends_in_hangul(text: &str) -> bool {
    text.chars()
        .next_back()
        .is_some_and(hangul::is_hangul_syllable)
}

/// The runs of Hangul syllables of `chars`: (start, length).
fn runs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        if !hangul::is_hangul_syllable(c) {
            continue;
        }
        match out.last_mut() {
            Some((start, len)) if *start + *len == i => *len += 1,
            _ => out.push((i, 1)),
        }
    }
    out
}

/// The first longest run of Hangul syllables of `text`, in characters.
fn longest_run(text: &str) -> Option<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    runs(&chars).into_iter().fold(None, |best, r| match best {
        Some((_, len)) if len >= r.1 => best,
        _ => Some(r),
    })
}

/// The spaces between two Hangul syllables removed (as the corpus's unspaced titles
/// are).
fn glue_hangul(text: &str) -> Option<String> {
    let (glued, removed) = glue(text);
    (!removed.is_empty()).then_some(glued)
}

/// `text` without its spaces between Hangul syllables, and where they were in the result.
fn glue(text: &str) -> (String, Vec<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let hangul_at = |j: usize| chars.get(j).is_some_and(|&c| hangul::is_hangul_syllable(c));
    let mut glued = String::with_capacity(text.len());
    let mut removed = Vec::new();
    let mut kept = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' && i > 0 && hangul_at(i - 1) && hangul_at(i + 1) {
            removed.push(kept);
        } else {
            glued.push(c);
            kept += 1;
        }
    }
    (glued, removed)
}

/// The longest Hangul word of four syllables or more split where people split it; a
/// one-word name without a known part (블루스퀘어) in the middle.
fn split_word(text: &str) -> Option<String> {
    split_longest(text, &[], !text.contains(' '))
}

/// Glued, then split at another place than the spaces it had (예술의전당 콘서트홀 →
/// 예술의 전당콘서트홀).
fn resplit(text: &str) -> Option<String> {
    let (glued, removed) = glue(text);
    if removed.is_empty() {
        return None;
    }
    split_longest(&glued, &removed, false)
}

/// `text` with its longest Hangul run (four syllables or more) split once, never at
/// `avoid` nor inside one of [`PARTS`]: before the longest part the run has (the latest
/// of equals) that leaves two syllables before it, else, if `middle`, in the middle.
fn split_longest(text: &str, avoid: &[usize], middle: bool) -> Option<String> {
    let mut chars: Vec<char> = text.chars().collect();
    let (start, len) = longest_run(text).filter(|&(_, len)| len >= 4)?;
    let run = &chars[start..start + len];
    // The parts the run holds: (start, length).
    let parts: Vec<(usize, usize)> = (0..len)
        .flat_map(|p| {
            PARTS.iter().filter_map(move |part| {
                let part: Vec<char> = part.chars().collect();
                run[p..].starts_with(&part).then_some((p, part.len()))
            })
        })
        .collect();
    let allowed =
        |p: usize| !avoid.contains(&(start + p)) && !parts.iter().any(|&(s, n)| s < p && p < s + n);
    let before_part = parts
        .iter()
        .filter(|&&(p, _)| p >= 2 && allowed(p))
        .fold(None, |best: Option<(usize, usize)>, &(p, n)| match best {
            Some((_, longest)) if longest > n => best,
            _ => Some((p, n)),
        })
        .map(|(p, _)| p);
    let p = before_part.or_else(|| (middle && allowed(len / 2)).then_some(len / 2))?;
    chars.insert(start + p, ' ');
    Some(chars.into_iter().collect())
}

/// The runs of two Latin words or more in `text`, within its bracketed or dashed parts
/// and between the words that join two acts in a title (`IU X BTS`, `… with Sumi Jo`).
fn latin_runs(text: &str) -> Vec<String> {
    let word = |w: &str| {
        !["X", "with", "in"].contains(&w)
            && w.chars().any(|c| c.is_ascii_alphabetic())
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let mut out = Vec::new();
    for part in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ' ')) {
        let mut run: Vec<&str> = Vec::new();
        for w in part.split_whitespace().chain([""]) {
            if word(w) {
                run.push(w);
            } else {
                if run.len() >= 2 {
                    out.push(run.join(" "));
                }
                run.clear();
            }
        }
    }
    out
}

/// The form of a particle pair (after a final consonant, after a vowel) that follows
/// `word`; 으로 takes 로 after ㄹ too.
fn particle<'p>(word: &str, (after_final, after_vowel): (&'p str, &'p str)) -> &'p str {
    match word.chars().last().and_then(hangul::decompose) {
        Some((_, _, Some('ㄹ'))) if after_final == "으로" => after_vowel,
        Some((_, _, Some(_))) => after_final,
        _ => after_vowel,
    }
}

/// One vowel changed (ㅏ↔ㅓ, ㅗ↔ㅜ, ㅣ↔ㅡ, others → ㅐ).
fn vowel_typo(syllable: char) -> Option<char> {
    let (l, v, f) = hangul::decompose(syllable)?;
    let swapped = match v {
        'ㅏ' => 'ㅓ',
        'ㅓ' => 'ㅏ',
        'ㅗ' => 'ㅜ',
        'ㅜ' => 'ㅗ',
        'ㅣ' => 'ㅡ',
        'ㅡ' => 'ㅣ',
        'ㅐ' => 'ㅔ',
        _ => 'ㅐ',
    };
    hangul::compose(l, swapped, f)
}

/// The initial consonant changed to its neighbour in sound or on the keyboard.
fn initial_typo(syllable: char) -> Option<char> {
    let (l, v, f) = hangul::decompose(syllable)?;
    let pairs = [
        ('ㄱ', 'ㅋ'),
        ('ㄷ', 'ㅌ'),
        ('ㅂ', 'ㅍ'),
        ('ㅈ', 'ㅊ'),
        ('ㅅ', 'ㅆ'),
        ('ㄴ', 'ㄹ'),
        ('ㅇ', 'ㅎ'),
        ('ㅁ', 'ㄴ'),
        ('ㄲ', 'ㄱ'),
        ('ㄸ', 'ㄷ'),
        ('ㅃ', 'ㅂ'),
        ('ㅉ', 'ㅈ'),
    ];
    let changed = pairs.iter().find_map(|&(a, b)| {
        if l == a {
            Some(b)
        } else {
            (l == b).then_some(a)
        }
    })?;
    hangul::compose(changed, v, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_spaces_and_latin_as_words() {
        assert_eq!(norm("NCT  DREAM 콘서트"), "nct dream콘서트");
        assert_eq!(
            norm("뮤지컬 〈지킬 앤 하이드〉 - 서울"),
            norm("뮤지컬 지킬앤하이드 서울")
        );
        assert_eq!(norm("아이유(IU)"), "아이유iu");
        assert_eq!(norm("아이유 콘서트 2025"), "아이유콘서트2025");
        assert!(contains_name(&norm("2025 IVE 콘서트"), "ive"));
        assert!(!contains_name(&norm("FIVE 콘서트"), "ive"));
        assert!(contains_name(&norm("아이유콘서트"), &norm("아이유 콘서트")));
    }

    #[test]
    fn spacing_splits_where_people_split() {
        assert_eq!(split_word("세종문화회관").as_deref(), Some("세종문화 회관"));
        assert_eq!(split_word("예술의전당").as_deref(), Some("예술의 전당"));
        assert_eq!(split_word("방탄소년단").as_deref(), Some("방탄 소년단"));
        assert_eq!(split_word("아이유"), None);
        assert_eq!(
            glue_hangul("예술의전당 콘서트홀").as_deref(),
            Some("예술의전당콘서트홀")
        );
        assert_eq!(glue_hangul("올림픽공원 KSPO DOME"), None);
        assert_eq!(
            resplit("예술의전당 콘서트홀").as_deref(),
            Some("예술의 전당콘서트홀")
        );
        assert_eq!(split_word("블루스퀘어").as_deref(), Some("블루 스퀘어"));
        // Never inside a known part, never in the middle of a word of a longer name.
        assert_eq!(resplit("LG아트센터 서울"), None);
        assert_eq!(split_word("인천 봄 뮤직 페스티벌"), None);
    }

    #[test]
    fn typed_forms() {
        assert_eq!(particle("아이유", ("을", "를")), "를");
        assert_eq!(particle("세종문화회관", ("으로", "로")), "으로");
        assert_eq!(particle("롤링홀", ("으로", "로")), "로");
        assert_eq!(vowel_typo('이'), Some('으'));
        assert_eq!(initial_typo('전'), Some('천'));
        assert_eq!(
            latin_runs("2025 IU 〈THE GOLDEN HOUR〉 - 서울"),
            ["THE GOLDEN HOUR"]
        );
        assert_eq!(latin_runs("Stray Kids"), ["Stray Kids"]);
        assert_eq!(latin_runs("IU X Stray Kids 합동 콘서트"), ["Stray Kids"]);
        assert!(latin_runs("IU 콘서트 〈HEREH〉").is_empty());
    }

    #[test]
    fn every_class_has_queries_with_honest_answers() {
        let corpus: Vec<Concert> = crate::demo::concerts(42).take(3_000).collect();
        let cases = cases(&corpus, 20);
        for class in Class::ALL {
            let n = cases.iter().filter(|c| c.class == class.name()).count();
            assert!(n >= 10, "{}: {n} queries", class.name());
        }
        // A half-typed name is the name's prefix with its last syllable cut short.
        let half = cases.iter().find(|c| c.class == "half_syllable").unwrap();
        let last = half.query.chars().next_back().unwrap();
        assert!(
            hangul::decompose(last).is_none_or(|(_, _, f)| f.is_none()),
            "{half:?}"
        );
        // Answers contain the name: an exact query's relevant titles, artists or venues.
        let by_id: BTreeMap<u64, &Concert> = corpus.iter().map(|c| (c.id, c)).collect();
        let spelled = Corpus::new(&corpus);
        for case in cases.iter().filter(|c| c.class == "exact") {
            let needles: Vec<String> = spelled
                .spellings(&case.query)
                .iter()
                .map(|f| norm(f))
                .collect();
            for id in &case.relevant {
                let c = by_id[id];
                assert!(!c.deleted);
                let mut fields = vec![norm(&c.title), norm(&c.venue)];
                fields.extend(c.artists.iter().map(|a| norm(a)));
                assert!(
                    fields
                        .iter()
                        .any(|f| needles.iter().any(|n| contains_name(f, n))),
                    "{case:?} {c:?}"
                );
            }
        }
        assert_eq!(cases, super::cases(&corpus, 20), "deterministic");
    }
}
