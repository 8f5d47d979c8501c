//! Seeded, realistic Korean demo data: concert listings for a ticketing platform and the
//! support tickets its customers file.
//!
//! Tests, benchmarks and demos need corpora from 10k to 1M documents that look like the
//! real thing (Hangul and Latin artist names, missing spaces, typos, particles) without
//! shipping data files. Everything here is:
//!
//! - deterministic: the same seed yields the same items on every platform;
//! - random access: item `id` depends only on `(seed, id)` ([`concert`], [`ticket`]), so
//!   ranges can be generated in parallel and [`Iterator::nth`] skips in O(1);
//! - streaming: [`concerts`] and [`tickets`] are infinite iterators that build one item at
//!   a time.
//!
//! ```
//! let first: Vec<_> = chatda::demo::concerts(42).take(3).collect();
//! assert_eq!(first[2], chatda::demo::concert(42, 3));
//! ```

use std::iter::FusedIterator;

use serde::{Deserialize, Serialize};

mod concert;
mod rng;
mod text;
mod ticket;
mod words;

#[cfg(test)]
mod tests;

/// A show listing: what users search for on a ticketing site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concert {
    /// 1-based position in the stream; stable for a given seed.
    pub id: u64,
    /// Display title, e.g. `2025 아이유 콘서트 〈HEREH〉 - 서울` (sometimes unspaced).
    pub title: String,
    /// Performers, lead first, in Hangul, Latin or both (`아이유`, `IU`, `아이유(IU)`).
    pub artists: Vec<String>,
    /// Venue name, e.g. `올림픽공원 KSPO DOME`.
    pub venue: String,
    /// The venue's city, e.g. `서울`.
    pub city: String,
    /// One of [`GENRES`].
    pub genre: String,
    /// One to three Korean sentences, occasionally with missing spaces.
    pub description: String,
    /// First performance, `YYYY-MM-DD`, within 2024-01-01..=2026-12-31.
    pub start_date: String,
    /// Last performance, `YYYY-MM-DD`; 0 to 59 days after `start_date`.
    pub end_date: String,
    /// Cheapest seat in KRW, a multiple of 1,000.
    pub price_min: u32,
    /// Dearest seat in KRW, a multiple of 1,000, at least `price_min`.
    pub price_max: u32,
    /// Soft-deleted listing (about 3%), so filters on it have something to exclude.
    pub deleted: bool,
}

/// A customer-support ticket: colloquial, noisy text, the hard case for Korean search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// 1-based position in the stream; stable for a given seed.
    pub id: u64,
    /// Short subject line, e.g. `아이유 콘서트 티켓 환불 문의`.
    pub subject: String,
    /// One to four sentences; may name a show or venue, drop spaces or carry a typo.
    pub body: String,
    /// One of [`TICKET_CATEGORIES`], consistent with the text.
    pub category: String,
    /// One of [`TICKET_STATUSES`].
    pub status: String,
    /// 1 (low) to 4 (urgent), mostly 2 or 3.
    pub priority: u8,
    /// Agent name, or empty for some open tickets still in the queue.
    pub assignee: String,
    /// Creation time, RFC 3339 UTC (e.g. `2025-06-01T09:30:00Z`), within 2025.
    pub created_at: String,
    /// Last update, RFC 3339 UTC, never before `created_at`.
    pub updated_at: String,
}

/// Every value [`Concert::genre`] takes, for facets and filters.
pub const GENRES: &[&str] = &concert::GENRES;
/// Every value [`Ticket::category`] takes.
pub const TICKET_CATEGORIES: &[&str] = &ticket::CATEGORIES;
/// Every value [`Ticket::status`] takes.
pub const TICKET_STATUSES: &[&str] = &ticket::STATUSES;

/// Concert `id` of the stream for `seed`, computed directly (no need to generate the
/// items before it), so callers can split a large corpus into parallel ranges.
pub fn concert(seed: u64, id: u64) -> Concert {
    concert::generate(seed, id)
}

/// Ticket `id` of the stream for `seed`, computed directly like [`concert`].
pub fn ticket(seed: u64, id: u64) -> Ticket {
    ticket::generate(seed, id)
}

/// The Hangul and Latin names of the demo catalogue's artists that have both (`("아이유",
/// "IU")`): the catalogue's own alias list, from which the relevance suite judges which
/// spellings answer a query, whatever synonym list the engine is given.
pub fn artist_aliases() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    let classical = words::CLASSICAL.iter().map(|(artist, _)| artist);
    for artist in words::POP
        .iter()
        .chain(classical)
        .chain(words::JAZZ)
        .chain(words::MUSICAL_ACTORS)
        .chain(words::PLAY_ACTORS)
        .chain(words::OPERA_COMPANIES)
        .chain(words::OPERA_SINGERS)
        .chain(words::DANCE_COMPANIES)
        .chain(words::DANCERS)
    {
        if !artist.latin.is_empty() && !out.contains(&(artist.ko, artist.latin)) {
            out.push((artist.ko, artist.latin));
        }
    }
    out
}

/// The infinite concert stream for `seed`, ids 1, 2, 3, …; take as many as needed.
pub fn concerts(seed: u64) -> impl Iterator<Item = Concert> {
    Stream {
        seed,
        next_id: 1,
        make: concert,
    }
}

/// The infinite ticket stream for `seed`, ids 1, 2, 3, …
pub fn tickets(seed: u64) -> impl Iterator<Item = Ticket> {
    Stream {
        seed,
        next_id: 1,
        make: ticket,
    }
}

impl Concert {
    /// The document to index (the `concerts` kind's JSON).
    pub fn to_document(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a concert serializes")
    }
}

impl Ticket {
    /// The document to index (the `tickets` kind's JSON); an unassigned ticket has no
    /// `assignee` rather than an empty one, so `{"assignee": {"exists": false}}` finds it.
    pub fn to_document(&self) -> serde_json::Value {
        let mut doc = serde_json::to_value(self).expect("a ticket serializes");
        if self.assignee.is_empty()
            && let Some(map) = doc.as_object_mut()
        {
            map.remove("assignee");
        }
        doc
    }
}

/// Items `next_id..` of one seed. Hand-written rather than `(1..).map(..)` so that `nth`
/// and `skip` jump ahead without building the skipped items.
struct Stream<T> {
    seed: u64,
    next_id: u64,
    make: fn(u64, u64) -> T,
}

impl<T> Iterator for Stream<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let id = self.next_id;
        self.next_id = id.checked_add(1)?;
        Some((self.make)(self.seed, id))
    }

    fn nth(&mut self, n: usize) -> Option<T> {
        self.next_id = self.next_id.checked_add(n as u64)?;
        self.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::MAX, None)
    }
}

impl<T> FusedIterator for Stream<T> {}
