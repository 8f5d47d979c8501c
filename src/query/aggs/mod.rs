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
//!   `year`; weeks start on Monday) and `time_zone` (`"+09:00"`, `"Asia/Seoul"`; default:
//!   the request's). tantivy supports fixed UTC intervals only, so calendar buckets are
//!   computed as a `range` aggregation over the index's actual date span, starting at
//!   local midnights, and returned in `date_histogram` form (`key` in epoch
//!   milliseconds, `key_as_string` with the zone's offset, `doc_count`; empty buckets
//!   included).
//! - `range` on a date field accepts dates (`"2025-06-01"`, a local midnight in the
//!   range's `time_zone` or the request's) as `from`/`to`.
//!
//! Every aggregation kind has a fixed list of keys, every `field` must be `aggregatable`
//! in the kind's spec, and every size is bounded (see [`check`]); errors name the path.

mod calendar;
mod check;
mod rewrite;

use std::collections::HashSet;

use serde_json::{Map, Value as Json};
use tantivy::Searcher;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::AggregationResults;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};

use crate::index::KindIndex;
use crate::query::QueryError;
use crate::schema::Zone;

pub use calendar::MAX_CALENDAR_BUCKETS;
pub use check::{
    MAX_AGGREGATIONS, MAX_BUCKETS, MAX_DEPTH, MAX_MEMORY_BYTES, MAX_RANGES, MAX_TERMS_SIZE,
    MAX_TOP_HITS,
};

/// A checked aggregation request, ready to run on one searcher.
#[derive(Debug)]
pub struct Plan {
    /// Paths (`per_genre.per_month`) of the calendar histograms run as ranges.
    calendar: HashSet<String>,
    aggs: Aggregations,
}

impl Plan {
    /// Checks `aggs` against the kind's spec and rewrites the chatda additions into
    /// what tantivy runs. `searcher` supplies the date span for calendar intervals;
    /// `zone` is the request's time zone.
    pub fn new(
        index: &KindIndex,
        searcher: &Searcher,
        aggs: &Map<String, Json>,
        zone: &Zone,
    ) -> Result<Self, QueryError> {
        let (rewritten, calendar) =
            rewrite::Rewriter::new(index.spec(), searcher, zone).run(aggs)?;
        let parsed: Aggregations =
            serde_json::from_value(Json::Object(rewritten)).map_err(|e| {
                QueryError::BadAggregation {
                    field: "aggs".into(),
                    reason: e.to_string(),
                }
            })?;
        Ok(Plan {
            calendar,
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
            self.reshape(level, "");
        }
        Ok(json)
    }

    /// Walks the results, turning the range buckets of calendar histograms into
    /// `date_histogram` buckets.
    fn reshape(&self, results: &mut Map<String, Json>, path: &str) {
        for (name, result) in results.iter_mut() {
            let here = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            let Some(buckets) = result.get_mut("buckets") else {
                continue;
            };
            if self.calendar.contains(&here)
                && let Some(list) = buckets.as_array_mut()
            {
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
            let each: Vec<&mut Json> = match buckets {
                Json::Array(list) => list.iter_mut().collect(),
                Json::Object(map) => map.values_mut().collect(),
                _ => Vec::new(),
            };
            for bucket in each {
                if let Some(b) = bucket.as_object_mut() {
                    // Sub-aggregation results sit beside doc_count and key.
                    self.reshape(b, &here);
                }
            }
        }
    }
}
