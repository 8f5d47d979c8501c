//! Time zones for dates written without one.
//!
//! A request's bare date (`"2025-12-19"`) means that calendar day in the request's time
//! zone: from its local midnight up to (not including) the next one, so `lte` a day
//! covers all of it (Elasticsearch's rounding rule). Calendar histogram buckets start at
//! local midnights. Timestamps with an offset are instants and need no zone.

use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

use super::parse_date;

/// A time zone: `UTC`, a fixed offset (`+09:00`) or an IANA name (`Asia/Seoul`).
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

impl Zone {
    /// UTC.
    pub fn utc() -> Self {
        Zone {
            name: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }

    /// Parses `UTC`/`Z`, an offset (`+09:00`, `+0900`, `+09`, `-05:30`) or an IANA time
    /// zone name (`Asia/Seoul`).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let tz = if s.eq_ignore_ascii_case("utc") || s == "Z" {
            TimeZone::UTC
        } else if let Some(seconds) = offset_seconds(s) {
            let offset = Offset::from_seconds(seconds).map_err(|e| format!("{s:?}: {e}"))?;
            TimeZone::fixed(offset)
        } else {
            TimeZone::get(s).map_err(|_| {
                format!(
                    "unknown time zone {s:?}: use UTC, an offset such as \"+09:00\" or a name such as \"Asia/Seoul\""
                )
            })?
        };
        Ok(Zone {
            name: s.to_string(),
            tz,
        })
    }

    /// The name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The jiff time zone.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// Whether this is UTC (or a zero offset).
    pub fn is_utc(&self) -> bool {
        self.tz == TimeZone::UTC || self.tz == TimeZone::fixed(Offset::UTC)
    }

    /// The instant of the local midnight starting `date` (the first instant of the day
    /// where a daylight-saving change skips midnight).
    pub fn start_of(&self, date: Date) -> OffsetDateTime {
        let civil =
            jiff::civil::Date::new(date.year() as i16, date.month() as i8, date.day() as i8);
        let nanos = civil
            .and_then(|d| d.to_zoned_datetime(self.tz.clone()))
            .and_then(|z| z.start_of_day())
            .map(|z| z.timestamp().as_nanosecond());
        match nanos {
            Ok(nanos) => OffsetDateTime::from_unix_timestamp_nanos(nanos)
                .unwrap_or_else(|_| date.midnight().assume_utc()),
            // Outside jiff's range (years beyond ±9999): fall back to UTC.
            Err(_) => date.midnight().assume_utc(),
        }
    }

    /// The same instant with this zone's offset at that instant.
    pub fn local(&self, t: OffsetDateTime) -> OffsetDateTime {
        let offset = Timestamp::from_nanosecond(t.unix_timestamp_nanos())
            .map(|ts| self.tz.to_offset(ts).seconds())
            .unwrap_or(0);
        UtcOffset::from_whole_seconds(offset).map_or(t, |o| t.to_offset(o))
    }

    /// The local calendar date of an instant.
    pub fn date_of(&self, t: OffsetDateTime) -> Date {
        self.local(t).date()
    }

    /// An instant as RFC 3339 with this zone's offset.
    pub fn format(&self, t: OffsetDateTime) -> String {
        self.local(t)
            .format(&Rfc3339)
            .unwrap_or_else(|_| t.to_string())
    }
}

/// `+09:00`, `+0900`, `+09`, `-05:30` → seconds east of UTC.
fn offset_seconds(s: &str) -> Option<i32> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    (hours <= 18 && minutes < 60).then_some(sign * (hours * 3600 + minutes * 60))
}

/// A date in a request: an instant (a timestamp), or a whole local day (a bare date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateValue {
    /// A timestamp with an offset.
    Instant(OffsetDateTime),
    /// `[start, end)`: a calendar day in the request's zone.
    Day {
        /// Local midnight.
        start: OffsetDateTime,
        /// The next local midnight.
        end: OffsetDateTime,
    },
}

impl DateValue {
    /// Parses a date string of a request, bare dates taken in `zone`.
    pub fn parse(s: &str, zone: &Zone) -> Result<Self, String> {
        let t = parse_date(s)?;
        if s.len() > 10 {
            return Ok(DateValue::Instant(t));
        }
        let day = t.date();
        let next = day
            .next_day()
            .ok_or_else(|| format!("{s:?} is the last representable day"))?;
        Ok(DateValue::Day {
            start: zone.start_of(day),
            end: zone.start_of(next),
        })
    }

    /// The first instant it covers.
    pub fn start(self) -> OffsetDateTime {
        match self {
            DateValue::Instant(t) | DateValue::Day { start: t, .. } => t,
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn zones_parse_and_days_start_at_local_midnight() {
        for name in ["+09:00", "+0900", "+09", "Asia/Seoul"] {
            let seoul = Zone::parse(name).unwrap();
            assert_eq!(
                seoul.start_of(date!(2025 - 12 - 19)),
                datetime!(2025-12-18 15:00 UTC),
                "{name}"
            );
            assert_eq!(
                seoul.date_of(datetime!(2025-12-18 15:30 UTC)),
                date!(2025 - 12 - 19)
            );
        }
        assert!(Zone::parse("UTC").unwrap().is_utc());
        assert!(
            Zone::parse("Mars/Olympus")
                .unwrap_err()
                .contains("unknown time zone")
        );
        assert!(Zone::parse("+25:00").is_err());
        // Daylight saving: New York's midnight moves between -05:00 and -04:00.
        let ny = Zone::parse("America/New_York").unwrap();
        assert_eq!(
            ny.start_of(date!(2025 - 01 - 15)),
            datetime!(2025-01-15 5:00 UTC)
        );
        assert_eq!(
            ny.start_of(date!(2025 - 07 - 15)),
            datetime!(2025-07-15 4:00 UTC)
        );
        assert_eq!(
            ny.format(datetime!(2025-07-15 4:00 UTC)),
            "2025-07-15T00:00:00-04:00"
        );
    }

    #[test]
    fn a_bare_date_is_a_whole_local_day() {
        let seoul = Zone::parse("Asia/Seoul").unwrap();
        assert_eq!(
            DateValue::parse("2025-12-19", &seoul).unwrap(),
            DateValue::Day {
                start: datetime!(2025-12-18 15:00 UTC),
                end: datetime!(2025-12-19 15:00 UTC),
            }
        );
        assert_eq!(
            DateValue::parse("2025-12-19T10:00:00+09:00", &seoul).unwrap(),
            DateValue::Instant(datetime!(2025-12-19 1:00 UTC))
        );
    }
}
