use std::collections::HashSet;

use super::rng::{civil_from_days, days_from_civil, format_date, format_rfc3339, weekday};
use super::text::{TYPOS, is_hangul};
use super::words::{CLASSICAL, JAZZ, MUSICAL_ACTORS, POP, VENUES};
use super::*;

const N: usize = 20_000;

#[test]
fn calendar_matches_known_dates() {
    // Day numbers cross-checked with `date -u +%s`.
    for (y, m, d, days) in [
        (1970, 1, 1, 0),
        (2000, 3, 1, 11_017),
        (2024, 1, 1, 19_723),
        (2024, 2, 29, 19_782),
        (2025, 1, 1, 20_089),
        (2025, 12, 31, 20_453),
        (2026, 12, 31, 20_818),
    ] {
        assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        assert_eq!(civil_from_days(days), (y, m, d));
    }
    assert_eq!(format_date(19_782), "2024-02-29");
    assert_eq!(format_date(19_783), "2024-03-01");
    assert_eq!(format_date(20_453 + 1), "2026-01-01");
    assert_eq!(weekday(19_782), 4, "2024-02-29 was a Thursday");
    assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_rfc3339(1_748_770_200), "2025-06-01T09:30:00Z");
    for days in 19_000..21_000 {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(days_from_civil(y, m, d), days);
    }
}

#[test]
fn same_seed_same_items_and_different_seeds_differ() {
    let a: Vec<Concert> = concerts(7).take(200).collect();
    assert_eq!(a, concerts(7).take(200).collect::<Vec<_>>());
    assert_ne!(a, concerts(8).take(200).collect::<Vec<_>>());
    let t: Vec<Ticket> = tickets(7).take(200).collect();
    assert_eq!(t, tickets(7).take(200).collect::<Vec<_>>());
    assert_ne!(t, tickets(8).take(200).collect::<Vec<_>>());
    // Per-item difference, not just somewhere in the batch.
    let differing = (1..=200)
        .filter(|&id| concert(1, id).title != concert(2, id).title)
        .count();
    assert!(differing > 150, "{differing}");
}

#[test]
fn item_n_does_not_depend_on_items_taken_before() {
    assert_eq!(concerts(3).nth(999), Some(concert(3, 1000)));
    assert_eq!(tickets(3).nth(999), Some(ticket(3, 1000)));
    let mut stream = concerts(3);
    stream.by_ref().take(10).for_each(drop);
    assert_eq!(stream.next().map(|c| c.id), Some(11));
    assert_eq!(stream.nth(5), Some(concert(3, 17)));
    let ids: Vec<u64> = tickets(9).skip(41).take(3).map(|t| t.id).collect();
    assert_eq!(ids, [42, 43, 44]);
    // Adjacent items must not be shifted copies of one random stream.
    assert_ne!(concert(3, 1).title, concert(3, 2).title);
}

#[test]
fn word_lists_are_big_enough() {
    let artists = POP.len() + CLASSICAL.len() + JAZZ.len() + MUSICAL_ACTORS.len();
    assert!(artists >= 40, "{artists}");
    assert!(VENUES.len() >= 20);
    let cities: HashSet<_> = VENUES.iter().map(|v| v.city).collect();
    assert!(cities.len() >= 8, "{cities:?}");
}

#[test]
fn concert_invariants_hold() {
    let genres: HashSet<&str> = GENRES.iter().copied().collect();
    let mut deleted = 0;
    let mut latin_artist = 0;
    let mut multi = 0;
    for c in concerts(11).take(N) {
        assert!(
            !c.title.is_empty() && !c.venue.is_empty() && !c.city.is_empty(),
            "{c:?}"
        );
        assert!(!c.description.is_empty() && !c.artists.is_empty(), "{c:?}");
        assert!(c.artists.iter().all(|a| !a.is_empty()), "{c:?}");
        assert!(genres.contains(c.genre.as_str()), "{c:?}");
        assert!(
            !c.title.contains('{') && !c.description.contains('{'),
            "{c:?}"
        );
        assert_eq!(c.start_date.len(), 10);
        assert!(c.start_date.as_str() >= "2024-01-01" && c.end_date.as_str() <= "2026-12-31");
        assert!(c.start_date <= c.end_date, "{c:?}");
        assert!(c.price_min >= 10_000 && c.price_min <= c.price_max, "{c:?}");
        assert!(c.price_min % 1000 == 0 && c.price_max % 1000 == 0, "{c:?}");
        let sentences = c.description.matches('.').count();
        assert!((1..=3).contains(&sentences), "{}", c.description);
        deleted += usize::from(c.deleted);
        latin_artist += usize::from(c.artists.iter().any(|a| a.is_ascii()));
        multi += usize::from(c.artists.len() > 1);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Concert>(&json).unwrap(), c);
    }
    let pct = deleted * 100 / N;
    assert!((1..6).contains(&pct), "deleted {pct}%");
    assert!(
        latin_artist > N / 20,
        "Latin-only artist names: {latin_artist}"
    );
    assert!(multi > N / 20, "multi-artist shows: {multi}");
}

#[test]
fn concert_dates_and_genres_spread_out() {
    let items: Vec<Concert> = concerts(5).take(N).collect();
    for year in ["2024", "2025", "2026"] {
        let n = items
            .iter()
            .filter(|c| c.start_date.starts_with(year))
            .count();
        assert!(n > N / 5, "{year}: {n}");
    }
    let seen: HashSet<&str> = items.iter().map(|c| c.genre.as_str()).collect();
    assert_eq!(seen.len(), GENRES.len());
    let longest = items
        .iter()
        .map(|c| days_between(&c.start_date, &c.end_date))
        .max();
    assert_eq!(longest, Some(59));
}

fn days_between(start: &str, end: &str) -> i64 {
    let parse = |s: &str| {
        let p: Vec<u32> = s.split('-').map(|x| x.parse().unwrap()).collect();
        days_from_civil(p[0] as i32, p[1], p[2])
    };
    parse(end) - parse(start)
}

#[test]
fn titles_mix_spaced_and_unspaced_hangul() {
    // `아이유 콘서트` vs `아이유콘서트`: a Hangul syllable right before a show word, or a
    // space between two Hangul syllables.
    let glued = |t: &str| {
        ["콘서트", "팬미팅", "리사이틀"].iter().any(|w| {
            t.match_indices(w)
                .any(|(i, _)| t[..i].chars().next_back().is_some_and(is_hangul))
        })
    };
    let spaced = |t: &str| {
        let c: Vec<char> = t.chars().collect();
        c.windows(3)
            .any(|w| is_hangul(w[0]) && w[1] == ' ' && is_hangul(w[2]))
    };
    let titles: Vec<String> = concerts(21).take(N).map(|c| c.title).collect();
    let glued_n = titles.iter().filter(|t| glued(t)).count();
    let spaced_n = titles.iter().filter(|t| spaced(t)).count();
    assert!(glued_n > N / 20, "glued {glued_n}");
    assert!(spaced_n > N / 2, "spaced {spaced_n}");
    assert!(titles.iter().any(|t| t.contains("아이유콘서트")));
    assert!(titles.iter().any(|t| t.contains("아이유 콘서트")));
}

#[test]
fn ticket_invariants_hold() {
    let categories: HashSet<&str> = TICKET_CATEGORIES.iter().copied().collect();
    let mut status_counts = [0usize; 4];
    let mut unassigned_open = 0;
    let mut priorities = [0usize; 5];
    for t in tickets(13).take(N) {
        assert!(!t.subject.is_empty() && !t.body.is_empty(), "{t:?}");
        assert!(!t.subject.contains('{') && !t.body.contains('{'), "{t:?}");
        assert!(categories.contains(t.category.as_str()), "{t:?}");
        let s = TICKET_STATUSES
            .iter()
            .position(|s| *s == t.status)
            .expect("known status");
        status_counts[s] += 1;
        assert!((1..=4).contains(&t.priority), "{t:?}");
        priorities[usize::from(t.priority)] += 1;
        if t.assignee.is_empty() {
            assert_eq!(t.status, "open", "{t:?}");
            unassigned_open += 1;
        }
        assert_eq!(t.created_at.len(), 20);
        assert!(
            t.created_at.starts_with("2025-") && t.created_at.ends_with('Z'),
            "{t:?}"
        );
        assert!(t.updated_at >= t.created_at, "{t:?}");
        let sentences = t.body.matches(['.', '!', '?', '~']).count();
        assert!(sentences <= 8, "{}", t.body);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Ticket>(&json).unwrap(), t);
    }
    for (count, expected) in status_counts.iter().zip([30, 20, 35, 15]) {
        let pct = (count * 100) as f64 / N as f64;
        assert!((pct - expected as f64).abs() <= 5.0, "{status_counts:?}");
    }
    let open_pct = unassigned_open * 100 / status_counts[0];
    assert!((5..=15).contains(&open_pct), "unassigned open {open_pct}%");
    assert!(priorities[2] + priorities[3] > N * 6 / 10, "{priorities:?}");
}

#[test]
fn tickets_follow_office_hours_in_korea() {
    let items: Vec<Ticket> = tickets(17).take(N).collect();
    // 09:00–18:00 KST is 00:00–09:00 UTC.
    let office = items
        .iter()
        .filter(|t| &t.created_at[11..13] < "09")
        .count();
    assert!(office > N * 55 / 100, "office-hour tickets {office}");
    let weekend = items
        .iter()
        .filter(|t| {
            let (y, m, d) = (
                &t.created_at[0..4],
                &t.created_at[5..7],
                &t.created_at[8..10],
            );
            let days = days_from_civil(y.parse().unwrap(), m.parse().unwrap(), d.parse().unwrap());
            matches!(weekday(days), 0 | 6)
        })
        .count();
    assert!(weekend < N * 2 / 7, "weekend tickets {weekend}");
}

#[test]
fn ticket_text_is_noisy_and_matches_category() {
    let items: Vec<Ticket> = tickets(19).take(N).collect();
    let typo = items
        .iter()
        .filter(|t| TYPOS.iter().any(|(_, bad)| t.body.contains(bad)))
        .count();
    assert!(typo > N / 20, "bodies with a typo: {typo}");
    let glued = |s: &str| {
        let c: Vec<char> = s.chars().collect();
        !c.windows(3)
            .any(|w| is_hangul(w[0]) && w[1] == ' ' && is_hangul(w[2]))
    };
    let unspaced = items
        .iter()
        .filter(|t| t.body.contains(' ') && glued(&t.body))
        .count();
    assert!(unspaced > N / 50, "bodies without spaces: {unspaced}");
    let mentions = items.iter().filter(|t| t.body.contains("콘서트")).count();
    assert!(mentions > N / 50, "bodies naming a concert: {mentions}");
    for t in items.iter().filter(|t| t.category == "환불") {
        let text = format!("{} {}", t.subject, t.body);
        assert!(text.contains("환불") || text.contains("환뷸"), "{t:?}");
    }
    for form in [
        "로그인이안돼요",
        "환불해주세요",
        "qr코드가 안떠요",
        "예매취소하고싶어요",
    ] {
        assert!(
            items
                .iter()
                .any(|t| t.subject.contains(form) || t.body.contains(form)),
            "{form}"
        );
    }
}
