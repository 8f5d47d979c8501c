//! Cron expressions (croner) evaluated in the settings' time zone. croner searches any
//! type that can tell its wall clock and resolve one back; [`ZonedTime`] gives it jiff's
//! zoned times, so schedules follow the same time zones as the rest of chatda
//! (daylight-saving gaps skipped, repeated hours run once).

use std::cmp::Ordering;
use std::str::FromStr;

use croner::errors::CronError;
use croner::parser::{CronParser, Seconds};
use croner::{CivilDate, CivilDateTime, CivilTime, CronDateTime, Resolution, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp, ZonedDateTime as Zoned};

/// A parsed cron expression: 5 fields (minute hour day month weekday) or 6 (seconds
/// first).
#[derive(Debug, Clone)]
pub struct Cron {
    text: String,
    cron: croner::Cron,
}

impl FromStr for Cron {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(s.trim())
            .map_err(|e| format!("{s:?} is not a cron expression: {e}"))?;
        Ok(Cron {
            text: s.trim().to_string(),
            cron,
        })
    }
}

impl Cron {
    /// The expression as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The first time strictly after `after` that matches, in `tz`.
    pub fn next_after(&self, after: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let start = ZonedTime(after.to_zoned_datetime(tz.clone()));
        self.cron
            .find_next_occurrence(&start, false)
            .ok()
            .map(|z| z.0.timestamp())
    }
}

/// A jiff zoned time as croner sees it.
#[derive(Debug, Clone)]
struct ZonedTime(Zoned);

impl CronDateTime for ZonedTime {
    fn to_civil(&self) -> CivilDateTime {
        let d = self.0.datetime();
        CivilDateTime::new(
            CivilDate::from_parts_unchecked(i32::from(d.year()), d.month() as u32, d.day() as u32),
            CivilTime::from_parts_unchecked(d.hour() as u32, d.minute() as u32, d.second() as u32),
        )
    }

    fn civil_weekday(&self) -> Weekday {
        Weekday::from_days_from_sunday(self.0.weekday().to_sunday_zero_offset() as u32)
    }

    fn resolve_civil(&self, civil: CivilDateTime) -> Result<Resolution<Self>, CronError> {
        let year = i16::try_from(civil.year()).map_err(|_| CronError::InvalidDate)?;
        let wall = jiff::civil::DateTime::new(
            year,
            civil.month() as i8,
            civil.day() as i8,
            civil.hour() as i8,
            civil.minute() as i8,
            civil.second() as i8,
            0,
        )
        .map_err(|_| CronError::InvalidDate)?;
        let ambiguous = self.0.time_zone().to_ambiguous_zoned_datetime(wall);
        Ok(match ambiguous.offset() {
            AmbiguousOffset::Unambiguous { .. } => Resolution::Single(ZonedTime(
                ambiguous
                    .unambiguous()
                    .map_err(|_| CronError::InvalidTime)?,
            )),
            AmbiguousOffset::Fold { .. } => Resolution::Ambiguous(
                ZonedTime(
                    ambiguous
                        .clone()
                        .earlier()
                        .map_err(|_| CronError::InvalidTime)?,
                ),
                ZonedTime(ambiguous.later().map_err(|_| CronError::InvalidTime)?),
            ),
            AmbiguousOffset::Gap { .. } => Resolution::Gap,
        })
    }

    fn checked_add_seconds(&self, seconds: i64) -> Option<Self> {
        self.0
            .checked_add(SignedDuration::from_secs(seconds))
            .ok()
            .map(ZonedTime)
    }

    fn cmp_instant(&self, other: &Self) -> Ordering {
        self.0.timestamp().cmp(&other.0.timestamp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_runs_follow_the_time_zone() {
        let seoul = TimeZone::get("Asia/Seoul").unwrap();
        let daily: Cron = "0 3 * * *".parse().unwrap();
        // 2026-11-30 12:00 UTC is 21:00 in Seoul: the next 03:00 there is 18:00 UTC.
        let now: Timestamp = "2026-11-30T12:00:00Z".parse().unwrap();
        let next = daily.next_after(now, &seoul).unwrap();
        assert_eq!(next.to_string(), "2026-11-30T18:00:00Z");
        let every_second: Cron = "* * * * * *".parse().unwrap();
        let next = every_second.next_after(now, &TimeZone::UTC).unwrap();
        assert_eq!(next.to_string(), "2026-11-30T12:00:01Z");
        assert!("61 * * * *".parse::<Cron>().is_err());
        assert!("soon".parse::<Cron>().is_err());
    }
}
