//! The search request and response, as JSON.
//!
//! ```json
//! {"q": "여름공연", "filter": {"genre": ["콘서트"], "deleted": false},
//!  "fields": {"title": 2.0, "artists": 1.0}, "fuzzy": "auto", "prefix": true, "match": "most",
//!  "min_score": 0.3, "sort": [{"start_date": "asc"}], "limit": 10, "offset": 0,
//!  "search_after": null, "highlight": true, "aggs": {}}
//! ```
//!
//! Every key is optional. Unknown keys are rejected, so a typo (`"filters"`) is an error
//! rather than a silently ignored condition.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value as Json};

use super::QueryError;
use super::text::{Fuzzy, Matching};
use crate::schema::Zone;

/// Default number of hits per page.
pub const DEFAULT_LIMIT: usize = 10;
/// Largest page.
pub const MAX_LIMIT: usize = 1_000;
/// Deepest hit reachable with `offset` (`offset + limit`); deeper pages use
/// `search_after`, whose cost does not grow with depth.
pub const MAX_WINDOW: usize = 10_000;
/// Longest accepted query text, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Most sort keys per request.
pub const MAX_SORT_KEYS: usize = 3;
/// Most hits a page with `explain` holds.
pub const MAX_EXPLAIN: usize = 100;
/// Default of `track_total_hits`: documents counted exactly before the count may stop.
pub const DEFAULT_TRACK_TOTAL_HITS: u64 = 10_000;

/// A search: text, filters, ranking, paging, highlights and aggregations.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchRequest {
    /// Query text; empty means "match everything the filter lets through" (browse).
    pub q: String,
    /// Filters (see `filter.rs`); they restrict candidates and never score.
    pub filter: Option<Map<String, Json>>,
    /// Text fields to search and their boosts; default: every text field with its
    /// spec boost.
    pub fields: Option<BTreeMap<String, f32>>,
    /// Typo tolerance: `"auto"` (default), `"off"`, `true`/`false`, or an edit
    /// distance 0–2 in jamo. Words common in the index are never typo-matched (see
    /// `text.rs`).
    #[serde(deserialize_with = "fuzzy_from_json")]
    pub fuzzy: Fuzzy,
    /// Whether the last query word also matches as a prefix (search as you type).
    pub prefix: bool,
    /// Which documents a query of several words matches: `"most"` (default: documents
    /// with every word first, then — when fewer than a page have them all — documents
    /// with most words), `"all"` or `"any"`. Verbs, adjectives and endings are never
    /// required (see `understand.rs`).
    #[serde(rename = "match")]
    pub matching: Matching,
    /// Hits scoring below this are dropped (scores run 0–1, see `score.rs`);
    /// default [`super::DEFAULT_MIN_SCORE`]. Ignored when `q` is empty.
    pub min_score: Option<f32>,
    /// Sort keys, e.g. `[{"start_date": "asc"}, "_score"]`; default: by score, or by id
    /// when `q` is empty. Ties are broken by id, so paging is stable.
    pub sort: Vec<SortClause>,
    /// Hits per page (default 10, at most [`MAX_LIMIT`]).
    pub limit: usize,
    /// Hits to skip (`offset + limit` at most [`MAX_WINDOW`]).
    pub offset: usize,
    /// The `next_cursor` of the previous page: continue after its last hit.
    pub search_after: Option<String>,
    /// Return the matched spans of stored text fields.
    pub highlight: bool,
    /// Return, per hit, why it scored what it did: the tree of the raw score's parts
    /// (at most [`MAX_EXPLAIN`] hits per page).
    pub explain: bool,
    /// Aggregations over every matching document (Elasticsearch-style JSON; see the README's Analytics).
    pub aggs: Option<Map<String, Json>>,
    /// Time zone of bare dates in filters and of calendar buckets: `UTC`, `+09:00`,
    /// `Asia/Seoul`; default: the engine's (`time_zone` in the settings, UTC unless set).
    pub time_zone: Option<String>,
    /// How far `total` is counted exactly: `true` (every match), or a number `n`
    /// (default [`DEFAULT_TRACK_TOTAL_HITS`]; `false` is 0). Past `n` matches, a search
    /// may skip documents that can no longer reach the page (by score or by its sort
    /// field), and
    /// `total` is then `{"value": n, "relation": "gte"}` (like Elasticsearch's option of
    /// the same name). Aggregations always see every match.
    #[serde(deserialize_with = "track_total_from_json")]
    pub track_total_hits: TrackTotal,
    /// Whether the answer may come from (and go to) the result cache (default true; like
    /// Elasticsearch's `request_cache`). The cache never serves an answer from an older
    /// index state; `false` is for measuring the search itself.
    pub cache: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            filter: None,
            fields: None,
            fuzzy: Fuzzy::Auto,
            prefix: true,
            matching: Matching::Most,
            min_score: None,
            sort: Vec::new(),
            limit: DEFAULT_LIMIT,
            offset: 0,
            search_after: None,
            highlight: false,
            explain: false,
            aggs: None,
            time_zone: None,
            track_total_hits: TrackTotal::UpTo(DEFAULT_TRACK_TOTAL_HITS),
            cache: true,
        }
    }
}

impl SearchRequest {
    /// A request for `q` with every other setting at its default.
    pub fn text(q: impl Into<String>) -> Self {
        SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        }
    }

    /// Parses a JSON request; errors name the offending key (`sort[0]`, `limit`).
    pub fn from_json(json: &[u8]) -> Result<Self, QueryError> {
        // serde reads a struct from a JSON array too; a request is an object.
        if json.trim_ascii_start().first() != Some(&b'{') {
            return Err(QueryError::Invalid {
                field: String::new(),
                reason: "the request must be a JSON object".into(),
            });
        }
        let mut de = serde_json::Deserializer::from_slice(json);
        let request: SearchRequest =
            serde_path_to_error::deserialize(&mut de).map_err(|e| QueryError::Invalid {
                field: json_path(e.path()),
                reason: e.inner().to_string(),
            })?;
        de.end().map_err(|e| QueryError::Invalid {
            field: String::new(),
            reason: e.to_string(),
        })?;
        Ok(request)
    }

    /// The request's time zone, or UTC.
    pub fn zone(&self) -> Result<Zone, QueryError> {
        self.time_zone.as_deref().map_or(Ok(Zone::utc()), |z| {
            Zone::parse(z).map_err(|reason| QueryError::Invalid {
                field: "time_zone".into(),
                reason,
            })
        })
    }

    /// Checks the limits that do not depend on the kind.
    pub fn check(&self) -> Result<(), QueryError> {
        let invalid = |field: &str, reason: String| {
            Err(QueryError::Invalid {
                field: field.into(),
                reason,
            })
        };
        let chars = self.q.chars().count();
        if chars > MAX_QUERY_CHARS {
            return invalid(
                "q",
                format!("the query is {chars} characters; at most {MAX_QUERY_CHARS} are allowed"),
            );
        }
        if self.limit > MAX_LIMIT {
            return invalid("limit", format!("at most {MAX_LIMIT} hits per page"));
        }
        if self.explain && self.limit > MAX_EXPLAIN {
            return invalid(
                "explain",
                format!("explains at most {MAX_EXPLAIN} hits per page; lower limit"),
            );
        }
        if self.offset.saturating_add(self.limit) > MAX_WINDOW {
            return invalid(
                "offset",
                format!(
                    "offset + limit must be at most {MAX_WINDOW}; page deeper with search_after"
                ),
            );
        }
        if self.search_after.is_some() && self.offset > 0 {
            return invalid(
                "search_after",
                "cannot be combined with offset: the cursor already says where to continue".into(),
            );
        }
        if let Some(min) = self.min_score
            && !(0.0..=1.0).contains(&min)
        {
            return invalid("min_score", format!("must be between 0 and 1, found {min}"));
        }
        if let Some(zone) = &self.time_zone {
            Zone::parse(zone).map_err(|reason| QueryError::Invalid {
                field: "time_zone".into(),
                reason,
            })?;
        }
        if self.sort.len() > MAX_SORT_KEYS {
            return invalid("sort", format!("at most {MAX_SORT_KEYS} sort keys"));
        }
        if let Some(fields) = &self.fields {
            for (name, boost) in fields {
                if !(boost.is_finite() && *boost > 0.0) {
                    return invalid(
                        &format!("fields.{name}"),
                        format!("a boost must be a positive number, found {boost}"),
                    );
                }
            }
        }
        Ok(())
    }
}

fn json_path(path: &serde_path_to_error::Path) -> String {
    let path = path.to_string();
    if path == "." { String::new() } else { path }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

/// One sort key: `"field"` (ascending), `"_score"` (descending) or `{"field": "asc"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortClause {
    /// A sortable field, or `_score`.
    pub field: String,
    /// Direction.
    pub order: Order,
}

/// The name that sorts by relevance.
pub const SCORE: &str = "_score";

impl<'de> Deserialize<'de> for SortClause {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            Keyed(BTreeMap<String, Order>),
        }
        match Raw::deserialize(deserializer).map_err(|_| {
            serde::de::Error::custom(
                "expected \"field\", \"_score\" or {\"field\": \"asc\"|\"desc\"}",
            )
        })? {
            Raw::Name(field) => {
                let order = if field == SCORE {
                    Order::Desc
                } else {
                    Order::Asc
                };
                Ok(SortClause { field, order })
            }
            Raw::Keyed(map) if map.len() == 1 => {
                let (field, order) = map.into_iter().next().expect("one entry");
                Ok(SortClause { field, order })
            }
            Raw::Keyed(_) => Err(serde::de::Error::custom(
                "a sort key object names exactly one field",
            )),
        }
    }
}

/// How far the total is counted exactly (see [`SearchRequest::track_total_hits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackTotal {
    /// Every match is counted.
    Exact,
    /// Counting may stop past this many matches.
    UpTo(u64),
}

fn track_total_from_json<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<TrackTotal, D::Error> {
    match Json::deserialize(deserializer)? {
        Json::Bool(true) => Ok(TrackTotal::Exact),
        Json::Bool(false) => Ok(TrackTotal::UpTo(0)),
        Json::Number(n) if n.as_u64().is_some() => Ok(TrackTotal::UpTo(n.as_u64().unwrap_or(0))),
        other => Err(serde::de::Error::custom(format!(
            "expected true, false or a count of documents, found {other}"
        ))),
    }
}

fn fuzzy_from_json<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Fuzzy, D::Error> {
    match Json::deserialize(deserializer)? {
        Json::Bool(true) => Ok(Fuzzy::Auto),
        Json::Bool(false) => Ok(Fuzzy::Off),
        Json::String(s) if s == "auto" => Ok(Fuzzy::Auto),
        Json::String(s) if s == "off" => Ok(Fuzzy::Off),
        Json::Number(n) if n.as_u64().is_some_and(|d| d <= 2) => {
            Ok(Fuzzy::Distance(n.as_u64().unwrap_or(0) as u8))
        }
        other => Err(serde::de::Error::custom(format!(
            "expected \"auto\", \"off\", true, false or 0–2, found {other}"
        ))),
    }
}

/// One hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// The document id (a number for integer-id kinds).
    pub id: Json,
    /// Relevance, 0–1 (0 when `q` is empty).
    pub score: f32,
    /// The stored fields.
    pub source: Map<String, Json>,
    /// Matched spans per text field, when requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<BTreeMap<String, Vec<super::highlight::Span>>>,
    /// Why it scored what it did (`value`, `description`, `details`), when requested:
    /// the raw score, before it is scaled to 0–1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Json>,
}

/// How many documents matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Total {
    /// The count.
    pub value: u64,
    /// `"eq"`: exact; `"gte"`: at least `value` (counting stopped at the request's
    /// `track_total_hits`).
    pub relation: &'static str,
}

impl std::fmt::Display for Total {
    /// `1234`, or `at least 10000` when counting stopped.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.relation == "gte" {
            write!(f, "at least {}", self.value)
        } else {
            write!(f, "{}", self.value)
        }
    }
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResponse {
    /// The page of hits, best first.
    pub hits: Vec<Hit>,
    /// Documents matching the filter, the text and `min_score` (all pages).
    pub total: Total,
    /// Time spent, in milliseconds.
    pub took_ms: f64,
    /// Aggregation results, when requested.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregations: Option<Json>,
    /// Pass as `search_after` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// True when fewer than a page of documents matched every query word and documents
    /// matching only some words follow them (`"match": "most"`); `total` then counts
    /// those too.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub relaxed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_request_and_names_bad_keys() {
        let request = SearchRequest::from_json(
            r#"{"q": "여름공연", "filter": {"genre": ["콘서트"]}, "fields": {"title": 2.0},
                "fuzzy": 1, "prefix": false, "min_score": 0.3,
                "sort": [{"start_date": "asc"}, "_score", "price_min"], "limit": 5,
                "highlight": true, "aggs": {"g": {"terms": {"field": "genre"}}}}"#
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(request.fuzzy, Fuzzy::Distance(1));
        assert!(!request.prefix);
        assert_eq!(
            request.sort,
            [
                SortClause {
                    field: "start_date".into(),
                    order: Order::Asc
                },
                SortClause {
                    field: SCORE.into(),
                    order: Order::Desc
                },
                SortClause {
                    field: "price_min".into(),
                    order: Order::Asc
                },
            ]
        );
        assert_eq!(
            SearchRequest::from_json(b"{}").unwrap(),
            SearchRequest::default()
        );

        let field = |json: &str| match SearchRequest::from_json(json.as_bytes()) {
            Err(QueryError::Invalid { field, .. }) => field,
            other => panic!("{json}: {other:?}"),
        };
        assert_eq!(field(r#"{"limit": "ten"}"#), "limit");
        assert_eq!(field(r#"{"filters": {}}"#), "filters");
        assert_eq!(field(r#"{"fuzzy": 3}"#), "fuzzy");
        assert_eq!(field(r#"{"track_total_hits": -1}"#), "track_total_hits");
        assert_eq!(field(r#"{"track_total_hits": "all"}"#), "track_total_hits");
        let track = |json: &str| {
            SearchRequest::from_json(json.as_bytes())
                .unwrap()
                .track_total_hits
        };
        assert_eq!(track(r#"{"track_total_hits": true}"#), TrackTotal::Exact);
        assert_eq!(track(r#"{"track_total_hits": false}"#), TrackTotal::UpTo(0));
        assert_eq!(track(r#"{"track_total_hits": 500}"#), TrackTotal::UpTo(500));
        assert_eq!(field(r#"{"sort": ["a", {"b": "up"}]}"#), "sort[1]");
        assert_eq!(field(r#"{"q": 1"#), "q");
        assert!(SearchRequest::from_json(br#"["q", {}]"#).is_err());
    }

    #[test]
    fn a_capped_total_reads_as_a_lower_bound() {
        let total = |value, relation| Total { value, relation }.to_string();
        assert_eq!(total(1234, "eq"), "1234");
        assert_eq!(total(10_000, "gte"), "at least 10000");
    }

    #[test]
    fn limits_are_checked() {
        let bad = |request: SearchRequest| request.check().unwrap_err().field().to_string();
        assert_eq!(
            bad(SearchRequest {
                limit: 5_000,
                ..Default::default()
            }),
            "limit"
        );
        assert_eq!(
            bad(SearchRequest {
                offset: 9_995,
                ..Default::default()
            }),
            "offset"
        );
        assert_eq!(bad(SearchRequest::text("가".repeat(501))), "q");
        for offset in [usize::MAX, usize::MAX - 5] {
            assert_eq!(
                bad(SearchRequest {
                    offset,
                    ..Default::default()
                }),
                "offset",
                "offset + limit must not wrap around"
            );
        }
        assert_eq!(
            bad(SearchRequest {
                min_score: Some(2.0),
                ..Default::default()
            }),
            "min_score"
        );
        assert!(SearchRequest::text("가".repeat(500)).check().is_ok());
    }
}
