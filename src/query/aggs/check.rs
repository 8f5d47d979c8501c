//! What an aggregation request may ask for, checked before tantivy sees it.
//!
//! tantivy trusts its input: a `top_hits` of size 10¹² allocates that many slots, an
//! empty `ranges` list or a calendar interval on a number panics. So every aggregation
//! kind has a list of the keys it takes, every field is checked against the spec, and
//! every size is bounded; anything else is a `bad_aggregation` error naming the path.

use serde_json::{Map, Value as Json};

use crate::query::QueryError;
use crate::schema::{FieldType, KindSpec};

/// Most aggregations in one request, counting nested ones.
pub const MAX_AGGREGATIONS: usize = 32;
/// Deepest nesting of `aggs` inside `aggs`.
pub const MAX_DEPTH: usize = 4;
/// Largest `size` (and `segment_size`) of a `terms` aggregation.
pub const MAX_TERMS_SIZE: u64 = 10_000;
/// Largest `size` (and `from`) of a `top_hits` aggregation.
pub const MAX_TOP_HITS: u64 = 100;
/// Most ranges in one `range` aggregation.
pub const MAX_RANGES: usize = 1_000;
/// Most buckets one request may produce (tantivy enforces it while collecting).
pub const MAX_BUCKETS: u32 = 10_000;
/// Memory one request's aggregations may take (tantivy enforces it while collecting).
pub const MAX_MEMORY_BYTES: u64 = 64 * 1024 * 1024;

/// The keys each aggregation kind takes besides `field`; `None`: not a supported kind.
fn keys_of(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "terms" => &[
            "field",
            "size",
            "segment_size",
            "min_doc_count",
            "order",
            "missing",
        ],
        "histogram" => &[
            "field",
            "interval",
            "offset",
            "min_doc_count",
            "hard_bounds",
            "extended_bounds",
            "keyed",
        ],
        "date_histogram" => &[
            "field",
            "calendar_interval",
            "fixed_interval",
            "min_doc_count",
            "keyed",
            "time_zone",
        ],
        "range" => &["field", "ranges", "keyed", "time_zone"],
        "stats" | "min" | "max" | "avg" | "sum" | "value_count" => &["field", "missing"],
        "extended_stats" => &["field", "missing", "sigma"],
        "cardinality" => &["field", "missing"],
        "percentiles" => &["field", "percents", "keyed", "missing"],
        "top_hits" => &["size", "from", "sort", "docvalue_fields"],
        _ => return None,
    })
}

const SUPPORTED: &str = "terms, histogram, date_histogram, range, stats, extended_stats, min, \
                         max, avg, sum, value_count, percentiles, cardinality, top_hits";

/// Counts aggregations across one request while it is checked.
#[derive(Debug, Default)]
pub struct Budget {
    seen: usize,
}

impl Budget {
    /// Counts one more aggregation at `depth` (1 for the top level).
    pub fn take(&mut self, path: &str, depth: usize) -> Result<(), QueryError> {
        self.seen += 1;
        if self.seen > MAX_AGGREGATIONS {
            return Err(bad(
                path,
                format!("at most {MAX_AGGREGATIONS} aggregations per request"),
            ));
        }
        if depth > MAX_DEPTH {
            return Err(bad(
                path,
                format!("aggregations nest at most {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }
}

/// Checks one aggregation body of `kind` at `path`; returns the type of its `field`
/// (`None` for `top_hits`, which has none).
pub fn body(
    spec: &KindSpec,
    kind: &str,
    body: &Json,
    path: &str,
) -> Result<Option<FieldType>, QueryError> {
    let allowed = keys_of(kind).ok_or_else(|| {
        bad(
            path,
            format!("unsupported aggregation {kind:?}; supported: {SUPPORTED}"),
        )
    })?;
    let body = body
        .as_object()
        .ok_or_else(|| bad(path, format!("the body of {kind:?} must be an object")))?;
    if let Some(key) = body.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(bad(
            &format!("{path}.{key}"),
            format!(
                "{kind} takes {}; {key:?} is not one of them",
                allowed.join(", ")
            ),
        ));
    }
    if kind == "top_hits" {
        top_hits(spec, body, path)?;
        return Ok(None);
    }
    let name = body.get("field").and_then(Json::as_str).ok_or_else(|| {
        bad(
            &format!("{path}.field"),
            format!("{kind} needs a \"field\": one of {}", aggregatable(spec)),
        )
    })?;
    let ty = field(spec, name)?;
    let at = |key: &str| format!("{path}.{key}");
    match kind {
        "terms" => {
            for key in ["size", "segment_size"] {
                bounded_int(body, key, 1, MAX_TERMS_SIZE, &at(key))?;
            }
        }
        "histogram" => {
            let interval = body.get("interval").and_then(Json::as_f64);
            let interval = interval
                .filter(|i| i.is_finite() && *i > 0.0)
                .ok_or_else(|| bad(&at("interval"), "must be a positive number".into()))?;
            for key in ["hard_bounds", "extended_bounds"] {
                if let Some(bounds) = body.get(key) {
                    let (min, max) = (
                        bounds.get("min").and_then(Json::as_f64),
                        bounds.get("max").and_then(Json::as_f64),
                    );
                    let (Some(min), Some(max)) = (min, max) else {
                        return Err(bad(&at(key), "needs numeric min and max".into()));
                    };
                    if !(min <= max && (max - min) / interval <= f64::from(MAX_BUCKETS)) {
                        return Err(bad(
                            &at(key),
                            format!(
                                "min ≤ max, and at most {MAX_BUCKETS} buckets of interval {interval}"
                            ),
                        ));
                    }
                }
            }
        }
        "date_histogram" => {
            if ty != FieldType::Date {
                return Err(bad(
                    &at("field"),
                    format!("date_histogram needs a date field; {name:?} is {ty:?}"),
                ));
            }
            let calendar = body.get("calendar_interval");
            let fixed = body.get("fixed_interval");
            if calendar.is_some() == fixed.is_some() {
                return Err(bad(
                    path,
                    "give exactly one of calendar_interval (day, week, month, quarter, year) \
                     and fixed_interval (e.g. \"12h\")"
                        .into(),
                ));
            }
            if fixed.is_some_and(|f| !f.is_string()) {
                return Err(bad(
                    &at("fixed_interval"),
                    "must be a string such as \"12h\"".into(),
                ));
            }
        }
        "range" => {
            let ranges = body.get("ranges").and_then(Json::as_array);
            let ranges = ranges
                .filter(|r| (1..=MAX_RANGES).contains(&r.len()))
                .ok_or_else(|| {
                    bad(
                        &at("ranges"),
                        format!("must be a list of 1 to {MAX_RANGES} {{\"from\", \"to\"}} objects"),
                    )
                })?;
            for (i, range) in ranges.iter().enumerate() {
                let here = format!("{path}.ranges[{i}]");
                let range = range
                    .as_object()
                    .ok_or_else(|| bad(&here, "expected {\"from\", \"to\", \"key\"}".into()))?;
                if let Some(key) = range
                    .keys()
                    .find(|k| !["from", "to", "key"].contains(&k.as_str()))
                {
                    return Err(bad(
                        &format!("{here}.{key}"),
                        "a range takes from, to and key".into(),
                    ));
                }
                for bound in ["from", "to"] {
                    match range.get(bound) {
                        None | Some(Json::Number(_)) => {}
                        Some(Json::String(_)) if ty == FieldType::Date => {}
                        Some(_) => {
                            return Err(bad(
                                &format!("{here}.{bound}"),
                                "must be a number (or a date on a date field)".into(),
                            ));
                        }
                    }
                }
            }
            if body.contains_key("time_zone") && ty != FieldType::Date {
                return Err(bad(
                    &at("time_zone"),
                    "only date ranges take a time zone".into(),
                ));
            }
        }
        "percentiles" => {
            if let Some(percents) = body.get("percents") {
                let ok = percents.as_array().is_some_and(|list| {
                    (1..=100).contains(&list.len())
                        && list
                            .iter()
                            .all(|p| p.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)))
                });
                if !ok {
                    return Err(bad(
                        &at("percents"),
                        "must be a list of 1 to 100 numbers between 0 and 100".into(),
                    ));
                }
            }
        }
        "extended_stats" => {
            if let Some(sigma) = body.get("sigma")
                && !sigma.as_f64().is_some_and(|s| s.is_finite() && s >= 0.0)
            {
                return Err(bad(&at("sigma"), "must be a non-negative number".into()));
            }
        }
        _ => {}
    }
    Ok(Some(ty))
}

fn top_hits(spec: &KindSpec, body: &Map<String, Json>, path: &str) -> Result<(), QueryError> {
    let at = |key: &str| format!("{path}.{key}");
    if !body.contains_key("size") {
        return Err(bad(
            &at("size"),
            format!("top_hits needs a size, 1 to {MAX_TOP_HITS}"),
        ));
    }
    bounded_int(body, "size", 1, MAX_TOP_HITS, &at("size"))?;
    bounded_int(body, "from", 0, MAX_TOP_HITS, &at("from"))?;
    if let Some(sort) = body.get("sort") {
        let list = sort.as_array().filter(|l| l.len() <= 3).ok_or_else(|| {
            bad(
                &at("sort"),
                "a list of at most 3 {\"field\": \"asc\"|\"desc\"}".into(),
            )
        })?;
        for (i, key) in list.iter().enumerate() {
            let here = format!("{path}.sort[{i}]");
            let entry = key
                .as_object()
                .filter(|o| o.len() == 1)
                .ok_or_else(|| bad(&here, "expected {\"field\": \"asc\"|\"desc\"}".into()))?;
            let (name, order) = entry.iter().next().expect("one entry");
            if !matches!(order.as_str(), Some("asc" | "desc")) {
                return Err(bad(&here, "the order is \"asc\" or \"desc\"".into()));
            }
            field(spec, name)?;
        }
    }
    if let Some(fields) = body.get("docvalue_fields") {
        let list = fields
            .as_array()
            .ok_or_else(|| bad(&at("docvalue_fields"), "a list of field names".into()))?;
        for (i, name) in list.iter().enumerate() {
            let here = format!("{path}.docvalue_fields[{i}]");
            let name = name
                .as_str()
                .ok_or_else(|| bad(&here, "a field name".into()))?;
            field(spec, name)?;
        }
    }
    Ok(())
}

/// The type of an aggregatable field, or an error naming it and listing the ones there
/// are.
fn field(spec: &KindSpec, name: &str) -> Result<FieldType, QueryError> {
    let field = spec
        .field(name)
        .ok_or_else(|| QueryError::UnknownField(name.to_string()))?;
    if !field.aggregatable || field.ty == FieldType::Text {
        return Err(bad(
            name,
            format!(
                "{name:?} is not aggregatable; the aggregatable fields of {} are {}",
                spec.name,
                aggregatable(spec)
            ),
        ));
    }
    Ok(field.ty)
}

fn aggregatable(spec: &KindSpec) -> String {
    spec.fields
        .iter()
        .filter(|f| f.aggregatable && f.ty != FieldType::Text)
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// An optional integer key within `lo..=hi`.
fn bounded_int(
    body: &Map<String, Json>,
    key: &str,
    lo: u64,
    hi: u64,
    path: &str,
) -> Result<(), QueryError> {
    match body.get(key) {
        None => Ok(()),
        Some(v) if v.as_u64().is_some_and(|n| (lo..=hi).contains(&n)) => Ok(()),
        Some(v) => Err(bad(
            path,
            format!("must be an integer from {lo} to {hi}, found {v}"),
        )),
    }
}

fn bad(path: &str, reason: String) -> QueryError {
    QueryError::BadAggregation {
        field: path.to_string(),
        reason,
    }
}
