//! Analytics: Elasticsearch-style aggregations over the documents a search matches.
//!
//! Requests use the JSON tantivy's aggregation module understands — `terms`,
//! `histogram`, `date_histogram`, `range`, `stats`, `extended_stats`, `min`, `max`, `avg`,
//! `sum`, `count`, `percentiles`, `cardinality`, `top_hits` — nested with `"aggs"`:
//!
//! ```json
//! {"per_genre": {"terms": {"field": "genre"},
//!                "aggs": {"per_month": {"date_histogram": {"field": "start_date",
//!                                                          "calendar_interval": "month"}}}}}
//! ```
//!
//! Two additions over tantivy:
//! - `date_histogram` accepts `calendar_interval` (`day`, `week`, `month`, `quarter`,
//!   `year`; weeks start on Monday, all in UTC). tantivy supports fixed intervals only, so
//!   calendar buckets are computed as a `range` aggregation over the index's actual date
//!   span and returned in `date_histogram` form (`key` in epoch milliseconds,
//!   `key_as_string`, `doc_count`; empty buckets included).
//! - `range` on a date field accepts dates (`"2025-06-01"`) as `from`/`to`.
//!
//! Every `field` must be `aggregatable` in the kind's spec; errors name it.

mod check;

use serde_json::{Map, Value as Json};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::AggregationResults;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::{DateTime, Searcher};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, Month, OffsetDateTime, Time};

use crate::index::KindIndex;
use crate::query::QueryError;
use crate::schema::{FieldType, KindSpec, parse_date};

pub use check::{
    MAX_AGGREGATIONS, MAX_BUCKETS, MAX_DEPTH, MAX_MEMORY_BYTES, MAX_RANGES, MAX_TERMS_SIZE,
    MAX_TOP_HITS,
};

/// Most buckets one calendar histogram may produce.
pub const MAX_CALENDAR_BUCKETS: usize = 2_000;

/// A checked aggregation request, ready to run on one searcher.
#[derive(Debug)]
pub struct Plan {
    original: Map<String, Json>,
    aggs: Aggregations,
}

impl Plan {
    /// Checks `aggs` against the kind's spec and rewrites the chatda additions into
    /// what tantivy runs. `searcher` supplies the date span for calendar intervals.
    pub fn new(
        index: &KindIndex,
        searcher: &Searcher,
        aggs: &Map<String, Json>,
    ) -> Result<Self, QueryError> {
        let rewritten = rewrite_level(
            index.spec(),
            searcher,
            aggs,
            "",
            1,
            &mut check::Budget::default(),
        )?;
        let parsed: Aggregations =
            serde_json::from_value(Json::Object(rewritten)).map_err(|e| {
                QueryError::BadAggregation {
                    field: "aggs".into(),
                    reason: e.to_string(),
                }
            })?;
        Ok(Plan {
            original: aggs.clone(),
            aggs: parsed,
        })
    }

    /// The tantivy collector computing the aggregations.
    pub fn collector(&self, index: &KindIndex) -> AggregationCollector {
        AggregationCollector::from_aggs(
            self.aggs.clone(),
            AggContextParams::new(
                AggregationLimitsGuard::new(
                    Some(check::MAX_MEMORY_BYTES),
                    Some(check::MAX_BUCKETS),
                ),
                index.tantivy().tokenizers().clone(),
            ),
        )
    }

    /// The results as JSON, calendar histograms back in `date_histogram` form.
    pub fn finish(&self, results: AggregationResults) -> Result<Json, QueryError> {
        let mut json = serde_json::to_value(results).map_err(|e| QueryError::BadAggregation {
            field: "aggs".into(),
            reason: e.to_string(),
        })?;
        if let Some(level) = json.as_object_mut() {
            reshape_level(&self.original, level);
        }
        Ok(json)
    }
}

fn rewrite_level(
    spec: &KindSpec,
    searcher: &Searcher,
    level: &Map<String, Json>,
    path: &str,
    depth: usize,
    budget: &mut check::Budget,
) -> Result<Map<String, Json>, QueryError> {
    let mut out = Map::new();
    for (name, def) in level {
        let here = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        budget.take(&here, depth)?;
        let bad = |reason: String| QueryError::BadAggregation {
            field: here.clone(),
            reason,
        };
        let def = def.as_object().ok_or_else(|| {
            bad(
                "an aggregation must be an object such as {\"terms\": {\"field\": \"genre\"}}"
                    .into(),
            )
        })?;
        let kinds = def.keys().filter(|k| *k != "aggs").count();
        if kinds != 1 {
            return Err(bad(format!(
                "an aggregation has exactly one kind (and optionally \"aggs\"), found {kinds}"
            )));
        }
        let mut new_def = Map::new();
        for (kind, body) in def {
            if kind == "aggs" {
                let sub = body
                    .as_object()
                    .ok_or_else(|| bad("`aggs` must be an object of aggregations".into()))?;
                new_def.insert(
                    kind.clone(),
                    Json::Object(rewrite_level(
                        spec,
                        searcher,
                        sub,
                        &here,
                        depth + 1,
                        budget,
                    )?),
                );
                continue;
            }
            let field_type = check::body(spec, kind, body, &here)?;
            let mut body = body.clone();
            let field_name = body.get("field").and_then(Json::as_str).map(str::to_string);
            if kind == "date_histogram"
                && let Some(interval) = body.get("calendar_interval").and_then(Json::as_str)
            {
                let field = field_name.clone().unwrap_or_default();
                let interval = interval.to_string();
                if matches!(interval.as_str(), "day" | "1d") {
                    let map = body.as_object_mut().expect("checked object");
                    map.remove("calendar_interval");
                    map.insert("fixed_interval".into(), "1d".into());
                } else {
                    let step = CalendarStep::parse(&interval).ok_or_else(|| {
                        bad(format!(
                            "calendar_interval {interval:?}: use day, week, month, quarter or year"
                        ))
                    })?;
                    let ranges = calendar_ranges(searcher, &field, step).map_err(bad)?;
                    let ranges = if ranges.is_empty() {
                        // No dates in the index: one range nothing falls in (tantivy
                        // refuses an empty list), dropped again by `reshape_level`.
                        vec![serde_json::json!({"to": i64::MIN})]
                    } else {
                        ranges
                    };
                    new_def.insert(
                        "range".into(),
                        serde_json::json!({"field": field, "ranges": ranges, "keyed": false}),
                    );
                    continue;
                }
            }
            if kind == "range" && field_type == Some(FieldType::Date) {
                dates_to_nanos(&mut body).map_err(bad)?;
            }
            new_def.insert(kind.clone(), body);
        }
        out.insert(name.clone(), Json::Object(new_def));
    }
    Ok(out)
}

fn dates_to_nanos(body: &mut Json) -> Result<(), String> {
    let Some(ranges) = body.get_mut("ranges").and_then(Json::as_array_mut) else {
        return Ok(());
    };
    for range in ranges {
        for bound in ["from", "to"] {
            if let Some(Json::String(s)) = range.get(bound) {
                let t = parse_date(s).map_err(|reason| format!("{bound}: {reason}"))?;
                range[bound] = Json::from(t.unix_timestamp_nanos() as i64);
            }
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum CalendarStep {
    Week,
    Months(u8),
}

impl CalendarStep {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "week" | "1w" => CalendarStep::Week,
            "month" | "1M" => CalendarStep::Months(1),
            "quarter" | "1q" => CalendarStep::Months(3),
            "year" | "1y" => CalendarStep::Months(12),
            _ => return None,
        })
    }

    fn floor(self, t: OffsetDateTime) -> OffsetDateTime {
        let date = t.date();
        let start = match self {
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
        };
        start.with_time(Time::MIDNIGHT).assume_utc()
    }

    fn next(self, t: OffsetDateTime) -> OffsetDateTime {
        match self {
            CalendarStep::Week => t + Duration::weeks(1),
            CalendarStep::Months(n) => {
                let month0 = t.month() as u8 - 1 + n;
                let year = t.year() + i32::from(month0 / 12);
                let month = Month::try_from(month0 % 12 + 1).expect("month in 1..=12");
                Date::from_calendar_date(year, month, 1)
                    .expect("first of a month is a date")
                    .with_time(Time::MIDNIGHT)
                    .assume_utc()
            }
        }
    }
}

/// Calendar buckets covering every value of `field` in the index.
fn calendar_ranges(
    searcher: &Searcher,
    field: &str,
    step: CalendarStep,
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
    let (lo, hi) = (lo.into_utc(), hi.into_utc());
    let mut ranges = Vec::new();
    let mut start = step.floor(lo);
    while start <= hi {
        if ranges.len() == MAX_CALENDAR_BUCKETS {
            return Err(format!(
                "more than {MAX_CALENDAR_BUCKETS} buckets; use a longer calendar_interval or a filter"
            ));
        }
        let end = step.next(start);
        ranges.push(serde_json::json!({
            "key": start.format(&Rfc3339).map_err(|e| e.to_string())?,
            "from": start.unix_timestamp_nanos() as i64,
            "to": end.unix_timestamp_nanos() as i64,
        }));
        start = end;
    }
    Ok(ranges)
}

/// Walks the original request and the results side by side, turning the range results
/// of calendar histograms into `date_histogram` buckets.
fn reshape_level(request: &Map<String, Json>, results: &mut Map<String, Json>) {
    for (name, def) in request {
        let Some(result) = results.get_mut(name) else {
            continue;
        };
        let calendar = def
            .get("date_histogram")
            .and_then(|h| h.get("calendar_interval"))
            .and_then(Json::as_str)
            .is_some_and(|i| !matches!(i, "day" | "1d"));
        let sub = def.get("aggs").and_then(Json::as_object);
        let Some(buckets) = result.get_mut("buckets") else {
            continue;
        };
        if calendar && let Some(list) = buckets.as_array_mut() {
            list.retain(|b| b.get("from").is_some() && b.get("to").is_some());
            for bucket in list.iter_mut() {
                let Some(b) = bucket.as_object_mut() else {
                    continue;
                };
                let from_ms = b.get("from").and_then(Json::as_f64).unwrap_or(0.0) / 1e6;
                let key = b.remove("key").unwrap_or(Json::Null);
                for k in ["from", "to", "from_as_string", "to_as_string"] {
                    b.remove(k);
                }
                b.insert("key_as_string".into(), key);
                b.insert("key".into(), Json::from(from_ms));
            }
        }
        if let Some(sub) = sub {
            let each: Vec<&mut Json> = match buckets {
                Json::Array(list) => list.iter_mut().collect(),
                Json::Object(map) => map.values_mut().collect(),
                _ => Vec::new(),
            };
            for bucket in each {
                if let Some(b) = bucket.as_object_mut() {
                    reshape_level(sub, b);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn calendar_steps_floor_and_advance() {
        let t = datetime!(2025-08-14 13:00 UTC);
        assert_eq!(
            CalendarStep::Months(1).floor(t),
            datetime!(2025-08-01 0:00 UTC)
        );
        assert_eq!(
            CalendarStep::Months(3).floor(t),
            datetime!(2025-07-01 0:00 UTC)
        );
        assert_eq!(
            CalendarStep::Months(12).next(datetime!(2025-01-01 0:00 UTC)),
            datetime!(2026-01-01 0:00 UTC)
        );
        assert_eq!(
            CalendarStep::Months(1).next(datetime!(2025-12-01 0:00 UTC)),
            datetime!(2026-01-01 0:00 UTC)
        );
        assert_eq!(
            CalendarStep::Week.floor(t),
            datetime!(2025-08-11 0:00 UTC),
            "a Monday"
        );
    }
}
