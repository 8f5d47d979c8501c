//! One concert listing from `(seed, id)`: genre first, then a fitting venue, cast, title,
//! description, run dates and prices, so every field agrees with the others.

use super::Concert;
use super::rng::{Rng, civil_from_days, days_from_civil, format_date};
use super::text::{Slots, despace, expand};
use super::words::*;

/// Separates the concert streams from the ticket streams of the same seed.
const DOMAIN: u64 = 0xC0AC_E871_0000_0001;

/// Genre names, in the order of the per-genre tables below.
pub(super) const GENRES: [&str; 9] = [
    "콘서트",
    "뮤지컬",
    "연극",
    "클래식",
    "페스티벌",
    "오페라",
    "무용",
    "재즈",
    "팬미팅",
];
const GENRE_WEIGHTS: [u32; 9] = [34, 16, 12, 10, 6, 3, 3, 6, 10];
/// Run length in days (inclusive of both ends): one-night shows up to long musical seasons.
const RUN_DAYS: [(u32, u32); 9] = [
    (1, 3),
    (20, 60),
    (7, 60),
    (1, 2),
    (1, 3),
    (3, 10),
    (2, 10),
    (1, 2),
    (1, 2),
];
/// Cheapest seat and the spread up to the dearest, in thousands of won.
const PRICES: [((u32, u32), (u32, u32)); 9] = [
    ((88, 165), (0, 99)),
    ((50, 90), (60, 120)),
    ((20, 45), (0, 35)),
    ((20, 90), (40, 250)),
    ((99, 165), (0, 120)),
    ((30, 70), (100, 250)),
    ((20, 50), (40, 110)),
    ((44, 99), (0, 77)),
    ((66, 121), (0, 44)),
];
/// Running time in minutes, for the description.
const RUNTIME: [(u32, u32); 9] = [
    (120, 180),
    (150, 180),
    (90, 120),
    (90, 120),
    (300, 480),
    (150, 200),
    (90, 120),
    (90, 120),
    (90, 150),
];
const HALLS: [&[Hall]; 9] = [
    &[Hall::Arena, Hall::Arena, Hall::Pop, Hall::Theater],
    &[Hall::Theater],
    &[Hall::Small, Hall::Small, Hall::Theater],
    &[Hall::Classical],
    &[Hall::Outdoor, Hall::Outdoor, Hall::Arena],
    &[Hall::Theater],
    &[Hall::Theater],
    &[Hall::Classical, Hall::Pop, Hall::Small],
    &[Hall::Arena, Hall::Pop],
];

const CONCERT_TITLES: &[&str] = &[
    "{y} {a} 콘서트 〈{t}〉 - {c}",
    "{y} {a} 콘서트 〈{t}〉 월드투어 - {c}",
    "{a} 단독 콘서트 〈{t}〉",
    "{a} 전국투어 콘서트 〈{t}〉 - {c}",
    "{a} 콘서트 {y}",
    "{a}콘서트 〈{t}〉",
    "{a} 연말 콘서트 〈{t}〉",
    "{y} {a} 앵콜 콘서트",
];
const FANMEETING_TITLES: &[&str] = &[
    "{y} {a} 팬미팅 〈{t}〉",
    "{a} FANMEETING 〈{t}〉",
    "{a}팬미팅 - {c}",
    "{a} 데뷔 {n}주년 팬미팅",
];
const MUSICAL_TITLES: &[&str] = &[
    "뮤지컬 〈{w}〉",
    "뮤지컬 〈{w}〉 내한공연",
    "뮤지컬 〈{w}〉 {n}주년 기념공연",
    "뮤지컬〈{w}〉 - {c}",
    "{y} 뮤지컬 〈{w}〉",
    "뮤지컬 {w}",
];
const PLAY_TITLES: &[&str] = &[
    "연극 〈{w}〉",
    "연극 〈{w}〉 - {c}",
    "{y} 연극 〈{w}〉",
    "연극〈{w}〉",
    "연극 {w} 재공연",
];
const OPERA_TITLES: &[&str] = &[
    "오페라 〈{w}〉",
    "{a} 오페라 〈{w}〉",
    "{y} 오페라 〈{w}〉 - {c}",
];
const DANCE_TITLES: &[&str] = &["발레 〈{w}〉", "{a} 〈{w}〉", "{y} {a} 〈{w}〉 - {c}"];
const CLASSICAL_TITLES: &[&str] = &["{a} {l}", "{y} {a} {l}", "{a} {l} - {c}", "{a}{l}"];
const JAZZ_TITLES: &[&str] = &[
    "{a} 재즈 콘서트",
    "{a} 라이브 - {c}",
    "{y} {a} 재즈 나이트",
    "{a}재즈콘서트",
];

/// Description openers per genre (in `GENRES` order), then lines that fit any show.
const DESCRIPTIONS: [&[&str]; 9] = [
    &[
        "{a:이} {y}년 {c}에서 단독 콘서트를 엽니다.",
        "{a:은} 이번 공연에서 신곡과 대표곡을 함께 들려줄 예정입니다.",
        "〈{t}〉 투어의 {c} 공연이 {v}에서 열립니다.",
        "{a:과} 함께하는 {s}밤의 무대를 놓치지 마세요.",
    ],
    &[
        "{q:은} 전 세계 관객을 사로잡은 화제작입니다.",
        "{b:이} 출연하는 이번 시즌은 {v}에서 막을 올립니다.",
        "웅장한 넘버와 화려한 무대가 돋보이는 {q:이} {c:을} 찾습니다.",
    ],
    &[
        "{q:은} 고전을 현대적으로 재해석한 작품입니다.",
        "{b:이} 무대에 올라 깊이 있는 연기를 선보입니다.",
        "소극장 특유의 생생한 호흡을 느낄 수 있는 {q}입니다.",
    ],
    &[
        "{a:이} {y}년 {c} 관객과 만납니다.",
        "이번 무대에서는 {k:과} {j}의 작품을 연주합니다.",
        "{v}에서 {a}의 깊어진 음악 세계를 만나보세요.",
    ],
    &[
        "{b} 등 국내외 아티스트가 라인업에 이름을 올렸습니다.",
        "{s}밤을 수놓을 음악 축제가 {c}에서 열립니다.",
        "돗자리와 간단한 먹거리를 준비해 오시면 더 즐겁습니다.",
    ],
    &[
        "{q:은} 세대를 넘어 사랑받는 오페라 명작입니다.",
        "{a:이} 선보이는 정통 무대로, 자막이 함께 제공됩니다.",
    ],
    &[
        "{a:이} 선보이는 {q:은} {s} 시즌 대표 레퍼토리입니다.",
        "섬세한 군무와 화려한 무대 의상이 볼거리입니다.",
    ],
    &[
        "{a:이} 트리오 편성으로 {c:을} 찾습니다.",
        "깊은 밤에 어울리는 재즈 선율을 만나보세요.",
        "{a:과} 함께하는 {s}밤의 재즈 라이브입니다.",
    ],
    &[
        "{a:이} 팬들과 특별한 시간을 보냅니다.",
        "토크와 게임, 미니 라이브가 준비되어 있습니다.",
    ],
];
const DESCRIPTION_ANY: &[&str] = &[
    "러닝타임은 약 {r}분이며 인터미션은 없습니다.",
    "공연 시작 후에는 입장이 제한될 수 있습니다.",
    "1인 최대 4매까지 예매할 수 있습니다.",
    "자세한 내용은 공지사항을 확인해 주세요.",
    "공연 당일 현장 판매는 진행하지 않습니다.",
    "만 7세 이상 관람 가능합니다.",
    "{v:은} 대중교통 이용을 권장합니다.",
];

/// Up to six distinct performers without a heap allocation.
struct Cast {
    members: [&'static Artist; 6],
    len: usize,
}

impl Cast {
    fn new(first: &'static Artist) -> Self {
        Cast {
            members: [first; 6],
            len: 1,
        }
    }

    /// Adds up to `n` more performers from `pool`, skipping repeats (a bounded number of
    /// tries, so a small pool just yields a shorter cast).
    fn add_from(&mut self, rng: &mut Rng, pool: &'static [Artist], n: usize) {
        let want = (self.len + n).min(self.members.len());
        for _ in 0..n * 4 {
            if self.len == want {
                return;
            }
            let pick = rng.pick(pool);
            if !self.members().iter().any(|m| std::ptr::eq(*m, pick)) {
                self.members[self.len] = pick;
                self.len += 1;
            }
        }
    }

    fn members(&self) -> &[&'static Artist] {
        &self.members[..self.len]
    }
}

/// How a name is printed: mostly Hangul, sometimes Latin, sometimes both (`아이유(IU)`),
/// the forms a search for either spelling must find.
fn display(rng: &mut Rng, artist: &Artist) -> String {
    if artist.latin.is_empty() {
        return artist.ko.to_owned();
    }
    match rng.below(20) {
        0..=11 => artist.ko.to_owned(),
        12..=16 => artist.latin.to_owned(),
        _ => format!("{}({})", artist.ko, artist.latin),
    }
}

fn pick_venue(rng: &mut Rng, halls: &[Hall]) -> &'static Venue {
    let hall = *rng.pick(halls);
    loop {
        let venue = rng.pick(VENUES);
        if venue.hall == hall {
            return venue;
        }
    }
}

fn season(month: u32) -> &'static str {
    match month {
        3..=5 => "봄",
        6..=8 => "여름",
        9..=11 => "가을",
        _ => "겨울",
    }
}

/// Concert `id` of stream `seed`; see [`super::concert`].
pub(super) fn generate(seed: u64, id: u64) -> Concert {
    let mut rng = Rng::for_item(seed, DOMAIN, id);
    let g = rng.weighted(&GENRE_WEIGHTS);

    let (run_lo, run_hi) = RUN_DAYS[g];
    let run = i64::from(rng.range(run_lo, run_hi));
    let first = days_from_civil(2024, 1, 1);
    let last = days_from_civil(2026, 12, 31);
    let start = first + rng.below((last - first - run + 2) as usize) as i64;
    let end = start + run - 1;
    let (year, month, _) = civil_from_days(start);
    let venue = pick_venue(&mut rng, HALLS[g]);

    // Cast and the title templates that go with it; `label` only matters for classical.
    let mut label = "";
    let mut work = "";
    let mut signature = "";
    let (cast, titles): (Cast, &[&str]) = match GENRES[g] {
        "콘서트" | "팬미팅" => {
            let mut cast = Cast::new(rng.pick(POP));
            if GENRES[g] == "팬미팅" {
                (cast, FANMEETING_TITLES)
            } else if rng.chance(80) {
                cast.add_from(&mut rng, POP, 1);
                (
                    cast,
                    &["{a} X {b} 합동 콘서트", "{y} {a} & {b} 콘서트 - {c}"][..],
                )
            } else {
                if rng.chance(500) {
                    signature = cast.members[0].signature;
                }
                (cast, CONCERT_TITLES)
            }
        }
        "뮤지컬" | "연극" => {
            let musical = GENRES[g] == "뮤지컬";
            let pool = if musical { MUSICAL_ACTORS } else { PLAY_ACTORS };
            work = rng.word(if musical { MUSICALS } else { PLAYS });
            let mut cast = Cast::new(rng.pick(pool));
            let more = rng.below(3);
            cast.add_from(&mut rng, pool, more);
            (cast, if musical { MUSICAL_TITLES } else { PLAY_TITLES })
        }
        "오페라" | "무용" => {
            let opera = GENRES[g] == "오페라";
            let (companies, soloists) = if opera {
                (OPERA_COMPANIES, OPERA_SINGERS)
            } else {
                (DANCE_COMPANIES, DANCERS)
            };
            work = rng.word(if opera { OPERAS } else { BALLETS });
            let mut cast = Cast::new(rng.pick(companies));
            let more = rng.below(3);
            cast.add_from(&mut rng, soloists, more);
            (cast, if opera { OPERA_TITLES } else { DANCE_TITLES })
        }
        "클래식" => {
            let (lead, lead_label) = rng.pick(CLASSICAL);
            let (other, other_label) = rng.pick(CLASSICAL);
            let mut cast = Cast::new(lead);
            label = lead_label;
            let soloist = |l: &str| l.ends_with("리사이틀");
            if !std::ptr::eq(lead, other) && rng.chance(250) {
                cast.members[1] = other;
                cast.len = 2;
                match (soloist(lead_label), soloist(other_label)) {
                    (false, true) => (cast, &["{a} {l} with {b}"][..]),
                    (true, true) => (cast, &["{a} & {b} 듀오 리사이틀"][..]),
                    _ => (cast, &["{y} {a} & {b} 갈라 콘서트"][..]),
                }
            } else {
                (cast, CLASSICAL_TITLES)
            }
        }
        "재즈" => (Cast::new(rng.pick(JAZZ)), JAZZ_TITLES),
        _ => {
            let jazz = rng.chance(400);
            let pool = if jazz { JAZZ } else { POP };
            let mut cast = Cast::new(rng.pick(pool));
            let more = rng.range(2, 5) as usize;
            cast.add_from(&mut rng, pool, more);
            (cast, if jazz { FESTIVALS_JAZZ } else { FESTIVALS_POP })
        }
    };

    let artists: Vec<String> = cast
        .members()
        .iter()
        .map(|m| display(&mut rng, m))
        .collect();
    let lead = cast.members()[0];
    let joined = artists.join(", ");
    let last_reading = cast.members()[cast.len - 1].ko;
    let year_s = year.to_string();
    let number = rng.range(2, 30).to_string();
    let runtime = (rng.range(RUNTIME[g].0 / 10, RUNTIME[g].1 / 10) * 10).to_string();
    let quoted = format!("〈{work}〉");
    let (k, j) = (rng.word(COMPOSERS), rng.word(COMPOSERS));
    let second = artists.get(1).map_or("", String::as_str);
    let second_reading = cast.members().get(1).map_or("", |m| m.ko);

    let mut slots = Slots::new();
    slots.set_read(b'a', &artists[0], lead.ko);
    slots.set_read(b'b', second, second_reading);
    slots.set(b'c', venue.city);
    slots.set(b'l', label);
    slots.set(b'n', &number);
    slots.set(b's', season(month));
    slots.set(b't', rng.word(TOURS));
    slots.set(b'w', work);
    slots.set(b'y', &year_s);

    let mut title = String::with_capacity(64);
    let template = if signature.is_empty() {
        rng.word(titles)
    } else {
        signature
    };
    expand(&mut title, template, &slots);
    let title = match rng.below(10) {
        0 => despace(&title, &mut rng, 1000),
        1 => despace(&title, &mut rng, 400),
        _ => title,
    };

    // Descriptions: copy writers use the Hangul name (and its particle); `{b}` is now the
    // whole line-up and `{q}` the bracketed work.
    slots.set(b'a', lead.ko);
    slots.set_read(b'b', &joined, last_reading);
    slots.set_read(b'q', &quoted, work);
    slots.set(b'v', venue.name);
    slots.set(b'k', k);
    slots.set(b'j', j);
    slots.set(b'r', &runtime);
    let mut description = String::with_capacity(256);
    let openers = DESCRIPTIONS[g];
    let choices = openers.len() + DESCRIPTION_ANY.len();
    // Bit i set: line i (openers first, then the boilerplate any show carries) is used.
    let mut used = 0u32;
    for n in 0..=rng.below(3) {
        let pick = if n == 0 {
            rng.below(openers.len())
        } else {
            rng.below(choices)
        };
        if used & (1 << pick) != 0 {
            continue;
        }
        used |= 1 << pick;
        if n > 0 {
            description.push(' ');
        }
        let line = openers
            .get(pick)
            .unwrap_or_else(|| &DESCRIPTION_ANY[pick - openers.len()]);
        expand(&mut description, line, &slots);
    }
    if rng.chance(300) {
        description = despace(&description, &mut rng, 150);
    }

    let ((min_lo, min_hi), (spread_lo, spread_hi)) = PRICES[g];
    // Touring orchestras charge far more than anything else on the list.
    let (min_lo, min_hi, spread_hi) = if label == "내한공연" {
        (60, 150, 400)
    } else {
        (min_lo, min_hi, spread_hi)
    };
    let price_min = rng.range(min_lo, min_hi) * 1000;
    let spread = if rng.chance(200) {
        0
    } else {
        rng.range(spread_lo, spread_hi) * 1000
    };
    let deleted = rng.chance(30);

    Concert {
        id,
        title,
        artists,
        venue: venue.name.to_owned(),
        city: venue.city.to_owned(),
        genre: GENRES[g].to_owned(),
        description,
        start_date: format_date(start),
        end_date: format_date(end),
        price_min,
        price_max: price_min + spread,
        deleted,
    }
}
