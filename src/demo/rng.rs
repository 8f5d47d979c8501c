//! The generator's only sources of randomness and time: a SplitMix64 stream per item and a
//! proleptic Gregorian calendar, both hand-written so the demo data needs no extra crates
//! and stays bit-for-bit stable across platforms and dependency upgrades.

use std::fmt::Write as _;

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function: a bijective 64-bit mixer, also used to derive item seeds.
pub(super) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A SplitMix64 stream: tiny, fast and good enough for test data (not for cryptography).
pub(super) struct Rng(u64);

impl Rng {
    /// The stream for item `id` of one generator (`domain` keeps concerts and tickets apart).
    ///
    /// Hashing (rather than offsetting) the id matters: SplitMix64 walks its state by a
    /// constant, so `seed + id * GOLDEN` would make item N+1 replay item N shifted by one.
    pub(super) fn for_item(seed: u64, domain: u64, id: u64) -> Self {
        Rng(mix64(mix64(seed ^ domain) ^ id.wrapping_mul(GOLDEN)))
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix64(self.0)
    }

    /// Uniform in `0..n` by multiply-shift (bias below 2^-32 for the small `n` used here).
    pub(super) fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo) as usize + 1) as u32
    }

    /// True with probability `per_mille / 1000`.
    pub(super) fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < per_mille as usize
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of `words`; `pick` would infer `T = str` where a `&str` is expected.
    pub(super) fn word(&mut self, words: &[&'static str]) -> &'static str {
        words[self.below(words.len())]
    }

    /// An index drawn with the given relative weights.
    pub(super) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut roll = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if roll < w {
                return i;
            }
            roll -= w;
        }
        weights.len() - 1
    }
}

/// Days since 1970-01-01 for a civil date (Howard Hinnant's `days_from_civil`).
pub(super) fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day count since 1970-01-01.
pub(super) fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

/// Day of week, 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
pub(super) fn weekday(days: i64) -> u32 {
    (days + 4).rem_euclid(7) as u32
}

/// `YYYY-MM-DD`.
pub(super) fn format_date(days: i64) -> String {
    let mut s = String::with_capacity(10);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(s, "{y:04}-{m:02}-{d:02}");
    s
}

/// RFC 3339 in UTC with second precision, e.g. `2025-06-01T09:30:00Z`.
pub(super) fn format_rfc3339(unix_secs: i64) -> String {
    let mut s = String::with_capacity(20);
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (secs / 3600, secs / 60 % 60, secs % 60);
    let _ = write!(s, "{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z");
    s
}
