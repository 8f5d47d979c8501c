//! Checks an aggregation request level by level and rewrites chatda's additions
//! (calendar intervals, time zones, dates as range bounds) into what tantivy runs.

use std::collections::HashSet;

use serde_json::{Map, Value as Json};
use tantivy::Searcher;

use super::calendar::{self, CalendarStep};
use super::check;
use crate::query::QueryError;
use crate::schema::{DateValue, FieldType, KindSpec, Zone};

/// One request's rewrite.
pub struct Rewriter<'a> {
    spec: &'a KindSpec,
    searcher: &'a Searcher,
    zone: &'a Zone,
    budget: check::Budget,
    calendar: HashSet<String>,
}

impl<'a> Rewriter<'a> {
    /// Rewrites against `spec`, the date span of `searcher`, bare dates in `zone`.
    pub fn new(spec: &'a KindSpec, searcher: &'a Searcher, zone: &'a Zone) -> Self {
        Rewriter {
            spec,
            searcher,
            zone,
            budget: check::Budget::default(),
            calendar: HashSet::new(),
        }
    }

    /// The tantivy request and the paths of the calendar histograms in it.
    pub fn run(
        mut self,
        aggs: &Map<String, Json>,
    ) -> Result<(Map<String, Json>, HashSet<String>), QueryError> {
        let out = self.level(aggs, "", 1)?;
        Ok((out, self.calendar))
    }

    fn level(
        &mut self,
        level: &Map<String, Json>,
        path: &str,
        depth: usize,
    ) -> Result<Map<String, Json>, QueryError> {
        let mut out = Map::new();
        for (name, def) in level {
            let here = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            self.budget.take(&here, depth)?;
            let def = def.as_object().ok_or_else(|| {
                bad(
                    &here,
                    "an aggregation must be an object such as {\"terms\": {\"field\": \"genre\"}}",
                )
            })?;
            let kinds = def.keys().filter(|k| *k != "aggs").count();
            if kinds != 1 {
                return Err(bad(
                    &here,
                    &format!(
                        "an aggregation has exactly one kind (and optionally \"aggs\"), found {kinds}"
                    ),
                ));
            }
            let mut new_def = Map::new();
            for (kind, body) in def {
                if kind == "aggs" {
                    let sub = body
                        .as_object()
                        .ok_or_else(|| bad(&here, "`aggs` must be an object of aggregations"))?;
                    let sub = self.level(sub, &here, depth + 1)?;
                    new_def.insert(kind.clone(), Json::Object(sub));
                    continue;
                }
                let field_type = check::body(self.spec, kind, body, &here)?;
                let (kind, body) = self.rewrite(kind, body, field_type, &here)?;
                new_def.insert(kind, body);
            }
            out.insert(name.clone(), Json::Object(new_def));
        }
        Ok(out)
    }

    /// One checked aggregation body → what tantivy runs.
    fn rewrite(
        &mut self,
        kind: &str,
        body: &Json,
        field_type: Option<FieldType>,
        here: &str,
    ) -> Result<(String, Json), QueryError> {
        let mut body = body.clone();
        let map = body.as_object_mut().expect("check::body checked an object");
        let zone = match map.remove("time_zone") {
            Some(Json::String(z)) => {
                Zone::parse(&z).map_err(|r| bad(&format!("{here}.time_zone"), &r))?
            }
            Some(other) => {
                return Err(bad(
                    &format!("{here}.time_zone"),
                    &format!("must be a string such as \"Asia/Seoul\", found {other}"),
                ));
            }
            None => self.zone.clone(),
        };
        if kind == "date_histogram"
            && let Some(interval) = map.get("calendar_interval").and_then(Json::as_str)
        {
            let field = map
                .get("field")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string();
            let step = CalendarStep::parse(interval).ok_or_else(|| {
                bad(
                    here,
                    &format!(
                        "calendar_interval {interval:?}: use day, week, month, quarter or year"
                    ),
                )
            })?;
            if step == CalendarStep::Day && zone.is_utc() {
                // UTC days are fixed 24-hour buckets: tantivy's own histogram, unbounded span.
                map.remove("calendar_interval");
                map.insert("fixed_interval".into(), "1d".into());
                return Ok((kind.to_string(), body));
            }
            let ranges =
                calendar::ranges(self.searcher, &field, step, &zone).map_err(|r| bad(here, &r))?;
            // No dates in the index: one range nothing falls in (tantivy refuses an empty
            // list), dropped again when the results are reshaped.
            let ranges = if ranges.is_empty() {
                vec![serde_json::json!({"to": i64::MIN})]
            } else {
                ranges
            };
            self.calendar.insert(here.to_string());
            return Ok((
                "range".into(),
                serde_json::json!({"field": field, "ranges": ranges, "keyed": false}),
            ));
        }
        if kind == "range" && field_type == Some(FieldType::Date) {
            dates_to_nanos(&mut body, &zone).map_err(|r| bad(here, &r))?;
        }
        Ok((kind.to_string(), body))
    }
}

/// Date strings as range bounds: epoch nanoseconds, bare dates at local midnight.
fn dates_to_nanos(body: &mut Json, zone: &Zone) -> Result<(), String> {
    let Some(ranges) = body.get_mut("ranges").and_then(Json::as_array_mut) else {
        return Ok(());
    };
    for range in ranges {
        for bound in ["from", "to"] {
            if let Some(Json::String(s)) = range.get(bound) {
                let t = DateValue::parse(s, zone)
                    .map_err(|reason| format!("{bound}: {reason}"))?
                    .start();
                range[bound] = Json::from(t.unix_timestamp_nanos() as i64);
            }
        }
    }
    Ok(())
}

fn bad(path: &str, reason: &str) -> QueryError {
    QueryError::BadAggregation {
        field: path.to_string(),
        reason: reason.to_string(),
    }
}
