//! The fuzz targets' properties as fast property tests (the long runs are `cargo fuzz`,
//! see docs/reliability.md): generated requests, filters, aggregations, NDJSON lines and
//! text never panic, and every error they get is the caller's (a 4xx), never internal.

use std::sync::OnceLock;

use chatda::engine::{Engine, EngineError};
use chatda::error::ErrorCode;
use chatda::index::Ingest;
use chatda::query::SearchRequest;
use proptest::prelude::*;
use serde_json::{Map, Value as Json, json};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let engine = Engine::in_memory().unwrap();
        let concerts: Vec<_> = chatda::demo::concerts(3)
            .take(150)
            .map(|c| c.to_document())
            .collect();
        let tickets: Vec<_> = chatda::demo::tickets(3)
            .take(150)
            .map(|t| t.to_document())
            .collect();
        engine.upsert("concerts", &concerts).unwrap();
        engine.upsert("tickets", &tickets).unwrap();
        engine.commit("concerts").unwrap();
        engine.commit("tickets").unwrap();
        engine
    })
}

fn user_error_only<T>(result: Result<T, EngineError>, input: &Json) {
    if let Err(e) = result {
        assert!(e.is_user_error(), "internal error for {input}: {e}");
    }
}

/// Field names of both kinds, a few unknown ones, and the aggregation/filter keywords.
fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "title",
        "artists",
        "venue",
        "city",
        "genre",
        "start_date",
        "end_date",
        "price_min",
        "price_max",
        "deleted",
        "status",
        "category",
        "priority",
        "assignee",
        "created_at",
        "subject",
        "nope",
        "field",
        "size",
        "from",
        "sort",
        "ranges",
        "interval",
        "calendar_interval",
        "fixed_interval",
        "time_zone",
        "terms",
        "histogram",
        "date_histogram",
        "range",
        "stats",
        "top_hits",
        "percentiles",
        "cardinality",
        "avg",
        "aggs",
        "gte",
        "lte",
        "gt",
        "lt",
        "exists",
        "not",
        "min_doc_count",
        "percents",
        "extended_bounds",
        "order",
        "missing",
        "keyed",
    ])
    .prop_map(str::to_string)
}

fn scalar() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i64>().prop_map(Json::from),
        any::<u64>().prop_map(Json::from),
        (-1e6f64..1e6).prop_map(Json::from),
        prop::sample::select(vec![
            "2025-12-19",
            "2025-06-01T09:00:00+09:00",
            "month",
            "day",
            "week",
            "1d",
            "12h",
            "Asia/Seoul",
            "+09:00",
            "asc",
            "desc",
            "콘서트",
            "open",
            "",
            "yesterday",
        ])
        .prop_map(Json::from),
    ]
}

fn value() -> impl Strategy<Value = Json> {
    scalar().prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::btree_map(name(), inner, 0..4)
                .prop_map(|m| Json::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn object() -> impl Strategy<Value = Map<String, Json>> {
    prop::collection::btree_map(name(), value(), 0..4).prop_map(|m| m.into_iter().collect())
}

fn kind() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["concerts", "tickets"])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn aggregations_never_fail_internally(kind in kind(), aggs in object()) {
        let request = SearchRequest { aggs: Some(aggs.clone()), limit: 0, ..SearchRequest::default() };
        user_error_only(engine().aggregate(kind, &request), &Json::Object(aggs));
    }

    #[test]
    fn filters_never_fail_internally(
        kind in kind(),
        filter in object(),
        q in prop::sample::select(vec!["", "공연", "아이유 콘서트", "ㅇㅇㅇ"]),
        zone in prop::sample::select(vec![None, Some("Asia/Seoul"), Some("-05:30"), Some("Mars")]),
    ) {
        let request = SearchRequest {
            q: q.to_string(),
            filter: Some(filter.clone()),
            time_zone: zone.map(str::to_string),
            ..SearchRequest::default()
        };
        user_error_only(engine().search(kind, &request), &Json::Object(filter));
    }

    #[test]
    fn parsed_requests_never_fail_internally(kind in kind(), body in object(), extra in value()) {
        let mut body = body;
        body.insert("q".into(), extra);
        let raw = Json::Object(body).to_string();
        if let Ok(request) = SearchRequest::from_json(raw.as_bytes()) {
            user_error_only(engine().search(kind, &request), &json!(raw));
        }
    }

    #[test]
    fn every_ndjson_line_is_counted_once(lines in prop::collection::vec(value(), 0..20), junk in "[{}\"a-z0-9 :,]{0,30}") {
        let index = engine().index("tickets").unwrap();
        let mut text: Vec<String> = lines.iter().map(Json::to_string).collect();
        text.push(junk);
        let mut ingest = Ingest::new(&index, 7);
        let mut counted = 0;
        for (n, line) in text.iter().enumerate() {
            ingest.line(n as u64 + 1, line).unwrap();
            counted += u64::from(!line.trim().is_empty());
        }
        let report = ingest.finish().unwrap();
        prop_assert_eq!(report.upserted + report.deleted + report.failed, counted);
    }

    #[test]
    fn the_analyzer_takes_any_text(text in "\\PC{0,60}") {
        let analyzer = engine().analyzer();
        for token in analyzer.analyze(&text).iter().chain(&analyzer.analyze_query(&text)) {
            prop_assert!(token.start <= token.end && token.end <= text.len());
            prop_assert!(text.is_char_boundary(token.start) && text.is_char_boundary(token.end));
        }
    }
}
