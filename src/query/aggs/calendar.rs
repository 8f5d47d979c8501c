//! Calendar buckets (day, week, month, quarter, year) in a time zone, as the ranges
//! tantivy runs in place of a `date_histogram` with a `calendar_interval`.

use serde_json::Value as Json;
use tantivy::{DateTime, Searcher};
use time::{Date, Duration, Month};

use crate::schema::Zone;

/// Most buckets one calendar histogram may produce.
pub const MAX_CALENDAR_BUCKETS: usize = 2_000;

/// A calendar interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarStep {
    /// Local days.
    Day,
    /// Weeks starting on Monday.
    Week,
    /// 1 (month), 3 (quarter) or 12 (year) months.
    Months(u8),
}

impl CalendarStep {
    /// `day`, `week`, `month`, `quarter`, `year` (or `1d`, `1w`, `1M`, `1q`, `1y`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "day" | "1d" => CalendarStep::Day,
            "week" | "1w" => CalendarStep::Week,
            "month" | "1M" => CalendarStep::Months(1),
            "quarter" | "1q" => CalendarStep::Months(3),
            "year" | "1y" => CalendarStep::Months(12),
            _ => return None,
        })
    }

    /// The first day of the bucket holding `date`.
    fn floor(self, date: Date) -> Date {
        match self {
            CalendarStep::Day => date,
            CalendarStep::Week => {
                date - Duration::days(i64::from(date.weekday().number_days_from_monday()))
            }
            CalendarStep::Months(n) => {
                let month0 = (date.month() as u8 - 1) / n * n;
                Date::from_calendar_date(
                    date.year(),
                    Month::try_from(month0 + 1).expect("month in 1..=12"),
                    1,
                )
                .expect("first of a month is a date")
            }
        }
    }

    /// The first day of the next bucket.
    fn next(self, start: Date) -> Date {
        match self {
            CalendarStep::Day => start + Duration::days(1),
            CalendarStep::Week => start + Duration::weeks(1),
            CalendarStep::Months(n) => {
                let month0 = start.month() as u8 - 1 + n;
                let year = start.year() + i32::from(month0 / 12);
                let month = Month::try_from(month0 % 12 + 1).expect("month in 1..=12");
                Date::from_calendar_date(year, month, 1).expect("first of a month is a date")
            }
        }
    }
}

/// Buckets covering every value of `field` in the index, as tantivy range JSON
/// (`key`: the local start in RFC 3339, `from`/`to` in epoch nanoseconds).
pub fn ranges(
    searcher: &Searcher,
    field: &str,
    step: CalendarStep,
    zone: &Zone,
) -> Result<Vec<Json>, String> {
    let mut span: Option<(DateTime, DateTime)> = None;
    for segment in searcher.segment_readers() {
        let column = segment
            .fast_fields()
            .column_opt::<DateTime>(field)
            .map_err(|e| e.to_string())?;
        if let Some(column) = column.filter(|c| c.num_docs() > 0 && c.values.num_vals() > 0) {
            let (lo, hi) = (column.min_value(), column.max_value());
            span = Some(match span {
                Some((a, b)) => (a.min(lo), b.max(hi)),
                None => (lo, hi),
            });
        }
    }
    let Some((lo, hi)) = span else {
        return Ok(Vec::new());
    };
    let hi = hi.into_utc();
    let mut ranges = Vec::new();
    let mut day = step.floor(zone.date_of(lo.into_utc()));
    loop {
        let start = zone.start_of(day);
        if start > hi {
            break;
        }
        if ranges.len() == MAX_CALENDAR_BUCKETS {
            return Err(format!(
                "more than {MAX_CALENDAR_BUCKETS} buckets; use a longer calendar_interval or a filter"
            ));
        }
        let next = step.next(day);
        ranges.push(serde_json::json!({
            "key": zone.format(start),
            "from": start.unix_timestamp_nanos() as i64,
            "to": zone.start_of(next).unix_timestamp_nanos() as i64,
        }));
        day = next;
    }
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn calendar_steps_floor_and_advance() {
        let d = date!(2025 - 08 - 14);
        assert_eq!(CalendarStep::Months(1).floor(d), date!(2025 - 08 - 01));
        assert_eq!(CalendarStep::Months(3).floor(d), date!(2025 - 07 - 01));
        assert_eq!(
            CalendarStep::Months(12).next(date!(2025 - 01 - 01)),
            date!(2026 - 01 - 01)
        );
        assert_eq!(
            CalendarStep::Months(1).next(date!(2025 - 12 - 01)),
            date!(2026 - 01 - 01)
        );
        assert_eq!(
            CalendarStep::Week.floor(d),
            date!(2025 - 08 - 11),
            "a Monday"
        );
        assert_eq!(CalendarStep::Day.next(d), date!(2025 - 08 - 15));
    }
}
