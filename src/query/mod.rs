//! Search requests → tantivy queries → responses.
//!
//! [`search`] runs a [`SearchRequest`] on one index: the filter (`filter.rs`) restricts the
//! candidates without scoring, the text (`text.rs`) scores them on the 0–1 scale of
//! `score.rs`, `collect.rs` ranks, counts and pages, `highlight.rs` marks matched spans and
//! `aggs/` aggregates the same matching set (Elasticsearch-style JSON, checked kind by
//! kind).

mod aggs;
mod collect;
mod coverage;
mod expand;
mod filter;
mod highlight;
mod probe;
mod request;
mod score;
mod search;
mod sets;
mod sorted;
mod terms;
mod text;
mod understand;
mod union;

use crate::error::{Code, ErrorCode};

pub use aggs::{
    MAX_AGGREGATIONS, MAX_BUCKETS, MAX_CALENDAR_BUCKETS, MAX_DEPTH, MAX_MEMORY_BYTES, MAX_RANGES,
    MAX_TERMS_SIZE, MAX_TOP_HITS,
};
pub use filter::build_filter;
pub use highlight::Span;
pub use request::{
    DEFAULT_LIMIT, DEFAULT_TRACK_TOTAL_HITS, Hit, MAX_EXPLAIN, MAX_LIMIT, MAX_QUERY_CHARS,
    MAX_SORT_KEYS, MAX_WINDOW, Order, SCORE, SearchRequest, SearchResponse, SortClause, Total,
    TrackTotal,
};
pub use score::DEFAULT_MIN_SCORE;
pub use search::{SearchThreads, aggregate, search, search_with};
pub use sets::{DENSE_SHARE, MATCH_SETS_BYTES, MatchSetStats, MatchSets};
pub use text::{Fuzzy, KeywordField, Matching, TextMatch, TextQuery, WeightedField};
pub use understand::{Group, QueryPlan, TypedWord};

/// A request the client must fix; every variant names the field (or request key)
/// concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The field is not in the kind's spec.
    #[error("unknown field {0:?}")]
    UnknownField(String),
    /// The field exists but cannot be filtered on (text, or not `filterable`).
    #[error("field {0:?} is not filterable")]
    NotFilterable(String),
    /// The filter's value or operator is wrong for the field.
    #[error("bad filter on {field:?}: {reason}")]
    BadFilter {
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// `fields` names a field that is neither a text field nor a searchable keyword field.
    #[error("field {0:?} is not a text field or a searchable keyword field and cannot be searched")]
    NotSearchable(String),
    /// `sort` names a field that is not `sortable`.
    #[error("field {0:?} is not sortable")]
    NotSortable(String),
    /// An aggregation names a field that is not `aggregatable`, or is malformed.
    #[error("bad aggregation on {field:?}: {reason}")]
    BadAggregation {
        /// The field or aggregation name.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A malformed request key (wrong type, out of range, bad cursor).
    #[error("{}{reason}", if field.is_empty() { String::new() } else { format!("{field}: ") })]
    Invalid {
        /// The request key (`limit`, `sort[1]`), empty for the request as a whole.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

impl QueryError {
    /// The field the error concerns.
    pub fn field(&self) -> &str {
        match self {
            QueryError::UnknownField(f)
            | QueryError::NotFilterable(f)
            | QueryError::NotSearchable(f)
            | QueryError::NotSortable(f) => f,
            QueryError::BadFilter { field, .. }
            | QueryError::BadAggregation { field, .. }
            | QueryError::Invalid { field, .. } => field,
        }
    }
}

impl ErrorCode for QueryError {
    fn error_code(&self) -> Code {
        match self {
            QueryError::UnknownField(_) => Code::UnknownField,
            QueryError::NotFilterable(_) => Code::FieldNotFilterable,
            QueryError::BadFilter { .. } => Code::BadFilter,
            QueryError::NotSearchable(_) => Code::FieldNotSearchable,
            QueryError::NotSortable(_) => Code::FieldNotSortable,
            QueryError::BadAggregation { .. } => Code::BadAggregation,
            QueryError::Invalid { .. } => Code::InvalidRequest,
        }
    }

    fn error_field(&self) -> Option<String> {
        Some(self.field().to_string()).filter(|f| !f.is_empty())
    }
}

/// Why a search failed: the request ([`QueryError`], the client's to fix) or the index
/// (internal; log it, do not show it).
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The request is wrong.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// tantivy failed.
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// Small indexes for the query modules' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use tantivy::schema::{Field, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    /// A one-segment index of one keyword field `f`: a document per list of terms.
    pub(crate) fn one_field_index(
        docs: impl IntoIterator<Item = Vec<&'static str>>,
    ) -> (Index, Field) {
        let mut builder = Schema::builder();
        let f = builder.add_text_field("f", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer(15_000_000).unwrap();
        for terms in docs {
            let mut doc = TantivyDocument::default();
            for t in terms {
                doc.add_text(f, t);
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        (index, f)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{Value, json};
    use tantivy::TantivyDocument;
    use tantivy::collector::DocSetCollector;
    use tantivy::query::AllQuery;
    use tantivy::schema::Value as _;

    use super::*;
    use crate::analysis::{Analyzer, AnalyzerConfig};
    use crate::index::KindIndex;
    use crate::schema::{KindSpec, Zone};

    fn concerts() -> KindIndex {
        let analyzer = Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap());
        let index = KindIndex::in_memory(KindSpec::builtin("concerts").unwrap(), analyzer).unwrap();
        let report = index.upsert(&[
            json!({"id": 1, "title": "여름 재즈", "genre": "재즈", "city": "서울", "start_date": "2025-07-01", "price_min": 50000, "deleted": false}),
            json!({"id": 2, "title": "여름 페스티벌", "genre": "페스티벌", "city": "부산", "start_date": "2025-08-15", "price_min": 90000}),
            json!({"id": 3, "title": "겨울 콘서트", "genre": "콘서트", "start_date": "2025-12-24", "price_min": 120000}),
            json!({"id": 4, "title": "취소된 콘서트", "genre": "콘서트", "city": "서울", "start_date": "2025-07-10", "deleted": true}),
        ]).unwrap();
        assert!(report.rejected.is_empty(), "{report:?}");
        index.commit().unwrap();
        index
    }

    fn ids(index: &KindIndex, filter: Value) -> Vec<String> {
        ids_in(index, filter, "UTC")
    }

    fn ids_in(index: &KindIndex, filter: Value, zone: &str) -> Vec<String> {
        let zone = Zone::parse(zone).unwrap();
        let query = build_filter(index.spec(), index.fields(), filter.as_object(), &zone)
            .unwrap()
            .unwrap_or_else(|| Box::new(AllQuery));
        let searcher = index.searcher();
        let mut ids: Vec<String> = searcher
            .search(&*query, &DocSetCollector)
            .unwrap()
            .into_iter()
            .map(|address| {
                let doc: TantivyDocument = searcher.doc(address).unwrap();
                doc.get_first(index.fields().id)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn filters_restrict_and_deleted_documents_stay_hidden() {
        let index = concerts();
        assert_eq!(ids(&index, json!({})), ["1", "2", "3"]);
        assert_eq!(ids(&index, json!({"deleted": true})), ["4"]);
        assert_eq!(
            ids(&index, json!({"genre": ["콘서트", "재즈"]})),
            ["1", "3"]
        );
        assert_eq!(ids(&index, json!({"genre": "콘서트"})), ["3"]);
        assert_eq!(
            ids(
                &index,
                json!({"start_date": {"gte": "2025-06-01", "lte": "2025-08-31"}})
            ),
            ["1", "2"]
        );
        assert_eq!(
            ids(
                &index,
                json!({"start_date": {"gt": "2025-07-01"}, "price_min": {"lt": 100000}})
            ),
            ["2"]
        );
        assert_eq!(ids(&index, json!({"not": {"city": "서울"}})), ["2", "3"]);
        assert_eq!(ids(&index, json!({"city": {"exists": false}})), ["3"]);
        assert_eq!(
            ids(&index, json!({"not": {"deleted": false}})),
            ["2", "3", "4"],
            "naming deleted lifts the default"
        );
    }

    #[test]
    fn a_bare_date_is_a_whole_day_in_the_time_zone() {
        let analyzer = Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap());
        let index = KindIndex::in_memory(KindSpec::builtin("concerts").unwrap(), analyzer).unwrap();
        let at = |id: u32, when: &str| json!({"id": id, "title": "공연", "start_date": when});
        let report = index
            .upsert(&[
                at(1, "2025-12-19T10:00:00+09:00"), // 01:00 UTC on the 19th
                at(2, "2025-12-19T23:30:00+09:00"), // 14:30 UTC on the 19th
                at(3, "2025-12-20T00:30:00+09:00"), // 15:30 UTC on the 19th
                at(4, "2025-12-18T23:59:00+09:00"), // 14:59 UTC on the 18th
            ])
            .unwrap();
        assert!(report.rejected.is_empty());
        index.commit().unwrap();
        let in_zone = |filter: Value, zone: &str| ids_in(&index, filter, zone);
        // lte a day takes in all of it (it used to stop at its first instant).
        assert_eq!(
            in_zone(json!({"start_date": {"lte": "2025-12-19"}}), "UTC"),
            ["1", "2", "3", "4"]
        );
        assert_eq!(
            in_zone(json!({"start_date": {"lte": "2025-12-18"}}), "UTC"),
            ["4"]
        );
        // The Korean day of the 19th.
        assert_eq!(
            in_zone(json!({"start_date": "2025-12-19"}), "Asia/Seoul"),
            ["1", "2"]
        );
        assert_eq!(
            in_zone(json!({"start_date": "2025-12-19"}), "UTC"),
            ["1", "2", "3"]
        );
        assert_eq!(
            in_zone(json!({"start_date": {"gt": "2025-12-19"}}), "+09:00"),
            ["3"]
        );
        assert_eq!(
            in_zone(json!({"start_date": {"lt": "2025-12-19"}}), "+09:00"),
            ["4"]
        );
        assert_eq!(
            in_zone(
                json!({"start_date": {"gte": "2025-12-19", "lte": "2025-12-19", "time_zone": "Asia/Seoul"}}),
                "UTC"
            ),
            ["1", "2"],
            "a range's own time_zone wins"
        );
        assert_eq!(
            in_zone(
                json!({"start_date": ["2025-12-18", "2025-12-20"]}),
                "Asia/Seoul"
            ),
            ["3", "4"]
        );

        // Per-day counts follow the zone: Korean days, keys at Korean midnight.
        let per_day = |zone: Value| {
            let request = SearchRequest::from_json(
                json!({"limit": 0, "time_zone": zone, "aggs": {"d": {"date_histogram": {"field": "start_date", "calendar_interval": "day"}}}})
                    .to_string()
                    .as_bytes(),
            )
            .unwrap();
            let aggs = search(&index, &request).unwrap().aggregations.unwrap();
            aggs["d"]["buckets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| {
                    (
                        b["key_as_string"].as_str().unwrap().to_string(),
                        b["doc_count"].as_u64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            per_day(json!("Asia/Seoul")),
            [
                ("2025-12-18T00:00:00+09:00".to_string(), 1),
                ("2025-12-19T00:00:00+09:00".to_string(), 2),
                ("2025-12-20T00:00:00+09:00".to_string(), 1)
            ]
        );
        let utc: Vec<u64> = per_day(Value::Null).into_iter().map(|(_, n)| n).collect();
        assert_eq!(utc, [1, 3]);
    }

    #[test]
    fn equal_scores_rank_by_id_whatever_the_indexing_order() {
        let analyzer = Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap());
        let index = KindIndex::in_memory(KindSpec::builtin("concerts").unwrap(), analyzer).unwrap();
        // Indexed in descending id order, so the best-ranked ties arrive last, when the
        // window is already full.
        let docs: Vec<Value> = (1..=20)
            .rev()
            .map(|id| json!({"id": id, "title": "같은 공연"}))
            .collect();
        assert!(index.upsert(&docs).unwrap().rejected.is_empty());
        index.commit().unwrap();
        let request =
            SearchRequest::from_json(r#"{"q": "같은 공연", "limit": 3}"#.as_bytes()).unwrap();
        let response = search(&index, &request).unwrap();
        let ids: Vec<&Value> = response.hits.iter().map(|hit| &hit.id).collect();
        assert_eq!(ids, [&json!(1), &json!(2), &json!(3)]);
        assert_eq!(response.total.value, 20);
    }

    #[test]
    fn bad_filters_name_the_field() {
        let index = concerts();
        let spec = index.spec();
        let fields = index.fields();
        let err = |filter: Value| {
            build_filter(spec, fields, filter.as_object(), &Zone::utc())
                .err()
                .unwrap()
        };
        assert_eq!(
            err(json!({"colour": "red"})),
            QueryError::UnknownField("colour".into())
        );
        assert_eq!(
            err(json!({"title": "여름"})).error_code(),
            Code::FieldNotFilterable
        );
        assert_eq!(err(json!({"price_min": "cheap"})).field(), "price_min");
        assert!(
            err(json!({"start_date": {"after": "2025-01-01"}}))
                .to_string()
                .contains("unknown operator")
        );
        assert!(
            err(json!({"start_date": {"gte": "yesterday"}}))
                .to_string()
                .contains("not a date")
        );
        assert_eq!(err(json!({"genre": {"gte": "a"}})).field(), "genre");
        assert!(
            err(json!({"start_date": {"lte": "2025-01-01", "time_zone": "Mars/Olympus"}}))
                .to_string()
                .contains("unknown time zone")
        );
        assert_eq!(err(json!({"not": {"colour": 1}})).field(), "colour");
    }
}
