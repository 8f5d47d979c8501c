//! The search core end to end: an engine over generated concerts and tickets plus a few
//! hand-written shows, queried through the public API only. Expected counts are computed
//! from the generator's items, independently of the index.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use chatda::demo::{self, Concert, Ticket};
use chatda::engine::{Engine, EngineConfig};
use chatda::error::ErrorCode;
use chatda::query::{QueryError, SearchRequest, SearchResponse};
use chatda::schema::KindSpec;
use serde_json::{Value as Json, json};

const SEED: u64 = 42;
const CONCERTS: u64 = 1_500;
const TICKETS: u64 = 1_500;

struct Corpus {
    engine: Engine,
    concerts: Vec<Concert>,
    tickets: Vec<Ticket>,
}

/// Shows whose ids start after the generated ones.
fn curated() -> Vec<Json> {
    vec![
        json!({"id": 900_001, "title": "2025 여름 공연 페스티벌", "artists": ["잔나비"], "venue": "난지한강공원", "city": "서울", "genre": "페스티벌", "start_date": "2025-07-19", "price_min": 99000, "price_max": 99000}),
        json!({"id": 900_002, "title": "아이유 콘서트 HER", "artists": ["아이유", "IU"], "venue": "올림픽공원 KSPO DOME", "city": "서울", "genre": "콘서트", "start_date": "2025-09-20", "price_min": 121000, "price_max": 165000}),
        json!({"id": 900_003, "title": "취소된 아이유 앵콜 공연", "artists": ["아이유"], "genre": "콘서트", "city": "서울", "start_date": "2025-10-01", "deleted": true}),
        json!({"id": 900_004, "title": "뮤지컬 레미제라블 내한공연", "venue": "블루스퀘어", "city": "서울", "genre": "뮤지컬", "start_date": "2025-11-01"}),
    ]
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let engine = Engine::in_memory().unwrap();
        let concerts: Vec<Concert> = demo::concerts(SEED).take(CONCERTS as usize).collect();
        let tickets: Vec<Ticket> = demo::tickets(SEED).take(TICKETS as usize).collect();
        let mut docs: Vec<Json> = concerts.iter().map(Concert::to_document).collect();
        docs.extend(curated());
        let report = engine.upsert("concerts", &docs).unwrap();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        let docs: Vec<Json> = tickets.iter().map(Ticket::to_document).collect();
        let report = engine.upsert("tickets", &docs).unwrap();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        engine.commit("concerts").unwrap();
        engine.commit("tickets").unwrap();
        Corpus {
            engine,
            concerts,
            tickets,
        }
    })
}

fn search(kind: &str, request: Json) -> SearchResponse {
    let request = SearchRequest::from_json(request.to_string().as_bytes()).unwrap();
    corpus().engine.search(kind, &request).unwrap()
}

fn ids(response: &SearchResponse) -> Vec<u64> {
    response
        .hits
        .iter()
        .map(|h| h.id.as_u64().unwrap())
        .collect()
}

fn error(kind: &str, request: Json) -> QueryError {
    let request = match SearchRequest::from_json(request.to_string().as_bytes()) {
        Ok(request) => request,
        Err(e) => return e,
    };
    match corpus().engine.search(kind, &request) {
        Err(chatda::engine::EngineError::Query(e)) => e,
        other => panic!("expected a request error, got {other:?}"),
    }
}

#[test]
fn spacing_does_not_change_the_results() {
    let spaced = search("concerts", json!({"q": "여름 공연", "limit": 20}));
    let unspaced = search("concerts", json!({"q": "여름공연", "limit": 20}));
    assert!(!spaced.hits.is_empty());
    assert_eq!(ids(&spaced), ids(&unspaced));
    assert_eq!(spaced.total, unspaced.total);
    let top = unspaced.hits[0].source["title"]
        .as_str()
        .unwrap()
        .replace(' ', "");
    assert!(top.contains("여름공연"), "{top}");
    assert!(ids(&unspaced).contains(&900_001));
}

#[test]
fn typos_initials_and_keyboard_layout_find_iu() {
    // Initials are ambiguous (임영웅 is ㅇㅇㅇ too): 아이유's show must be among the hits.
    let initials = search("concerts", json!({"q": "ㅇㅇㅇ", "limit": 1000}));
    assert!(ids(&initials).contains(&900_002), "ㅇㅇㅇ misses 아이유");
    for q in ["아이유", "아이우", "dkdldb", "아이유콘서트"] {
        let response = search("concerts", json!({"q": q, "limit": 5}));
        let top = response
            .hits
            .first()
            .unwrap_or_else(|| panic!("{q}: no hits"));
        let artists = top.source["artists"].to_string();
        let title = top.source["title"].as_str().unwrap();
        // IU is 아이유's Latin name and a bundled synonym.
        let iu = |s: &str| s.contains("아이유") || s.contains("IU");
        assert!(
            iu(&artists) || iu(title),
            "{q}: top hit {title} / {artists}"
        );
    }
}

#[test]
fn exact_matches_outrank_typos_and_scores_are_scaled() {
    let exact = search("concerts", json!({"q": "아이유", "limit": 3}));
    let typo = search("concerts", json!({"q": "아이우", "limit": 3}));
    assert!(
        exact.hits[0].score >= 0.7,
        "exact band: {}",
        exact.hits[0].score
    );
    assert!(
        typo.hits[0].score < 0.7,
        "typo band: {}",
        typo.hits[0].score
    );
    assert!(typo.hits[0].score >= 0.3);
    for hit in exact.hits.iter().chain(&typo.hits) {
        assert!((0.0..=1.0).contains(&hit.score));
    }
    let strict = search("concerts", json!({"q": "아이우", "min_score": 0.7}));
    assert!(strict.hits.is_empty(), "min_score cuts typo matches");
    assert_eq!(
        strict.total.value, 0,
        "the total counts what passes min_score"
    );
}

#[test]
fn prefixes_synonyms_and_junk() {
    let top = |q: &str| -> String {
        let response = search("concerts", json!({"q": q, "limit": 1}));
        response.hits.first().map_or(String::new(), |h| {
            format!("{} {}", h.source["title"], h.source["artists"])
        })
    };
    assert!(top("레미").contains("레미제라블"), "{}", top("레미"));
    // 방탄소년단 and BTS are synonyms in the bundled list.
    for q in ["방탄소", "BTS", "방탄소년단"] {
        let found = top(q);
        assert!(
            found.contains("방탄소년단") || found.contains("BTS"),
            "{q}: {found}"
        );
    }
    for junk in ["쀍뛝쒧", "qzxvkq", "ㅋㅍㅌㅊㅋㅍ", "zxqv 쀍뛝"] {
        let response = search("concerts", json!({"q": junk}));
        assert_eq!(response.total.value, 0, "{junk}: {:?}", ids(&response));
    }
}

#[test]
fn deleted_concerts_never_appear_unless_asked_for() {
    let deleted = corpus().concerts.iter().filter(|c| c.deleted).count() as u64;
    assert!(deleted > 0);
    let live = CONCERTS - deleted + 3; // curated: three live shows, one deleted
    let browse = search("concerts", json!({"limit": 0}));
    assert_eq!(browse.total.value, live);
    let iu = search("concerts", json!({"q": "아이유", "limit": 1000}));
    assert!(!ids(&iu).contains(&900_003));
    assert!(
        iu.hits
            .iter()
            .all(|h| h.source.get("deleted") != Some(&json!(true)))
    );
    let only_deleted = search("concerts", json!({"filter": {"deleted": true}, "limit": 0}));
    assert_eq!(only_deleted.total.value, deleted + 1);
}

#[test]
fn date_range_and_genre_filters_return_exactly_the_matching_documents() {
    let in_range = |c: &Concert| {
        c.start_date.as_str() >= "2025-06-01"
            && c.start_date.as_str() <= "2025-08-31"
            && (c.genre == "콘서트" || c.genre == "페스티벌")
            && !c.deleted
    };
    let expected: HashSet<u64> = corpus()
        .concerts
        .iter()
        .filter(|c| in_range(c))
        .map(|c| c.id)
        .chain([900_001])
        .collect();
    let response = search(
        "concerts",
        json!({"filter": {"genre": ["콘서트", "페스티벌"],
                          "start_date": {"gte": "2025-06-01", "lte": "2025-08-31"}},
               "limit": 1000}),
    );
    assert_eq!(response.total.value, expected.len() as u64);
    assert_eq!(ids(&response).into_iter().collect::<HashSet<_>>(), expected);

    let text = search(
        "concerts",
        json!({"q": "여름 공연", "filter": {"genre": "뮤지컬"}}),
    );
    assert!(text.hits.iter().all(|h| h.source["genre"] == "뮤지컬"));
}

#[test]
fn cursor_pagination_visits_every_hit_exactly_once() {
    for request in [
        json!({"q": "콘서트", "limit": 37}),
        json!({"sort": [{"start_date": "desc"}], "limit": 101}),
        json!({"q": "서울", "sort": [{"price_min": "asc"}, "_score"], "limit": 50}),
    ] {
        let first = search("concerts", request.clone());
        let total = first.total.value;
        assert!(total > 37, "{request}: only {total}");
        let mut seen = HashSet::new();
        let mut page = first;
        let mut previous_dates: Option<String> = None;
        loop {
            for hit in &page.hits {
                assert!(
                    seen.insert(hit.id.as_u64().unwrap()),
                    "{request}: {} twice",
                    hit.id
                );
                if request["sort"][0]["start_date"] == "desc" {
                    let date = hit.source["start_date"].as_str().unwrap().to_string();
                    if let Some(prev) = &previous_dates {
                        assert!(*prev >= date, "{prev} then {date}");
                    }
                    previous_dates = Some(date);
                }
            }
            let Some(cursor) = page.next_cursor.clone() else {
                break;
            };
            let mut next = request.clone();
            next["search_after"] = json!(cursor);
            page = search("concerts", next);
            assert_eq!(
                page.total.value, total,
                "the total does not depend on the page"
            );
        }
        assert_eq!(seen.len() as u64, total, "{request}");
    }
    let offset = search("concerts", json!({"q": "콘서트", "offset": 37, "limit": 5}));
    let cursor_page = {
        let first = search("concerts", json!({"q": "콘서트", "limit": 37}));
        search(
            "concerts",
            json!({"q": "콘서트", "limit": 5, "search_after": first.next_cursor}),
        )
    };
    assert_eq!(ids(&offset), ids(&cursor_page), "offset and cursor agree");
}

#[test]
fn sorting_and_browsing() {
    let cheap = search(
        "concerts",
        json!({"sort": [{"price_min": "asc"}], "limit": 20, "filter": {"city": "부산"}}),
    );
    let prices: Vec<i64> = cheap
        .hits
        .iter()
        .map(|h| h.source["price_min"].as_i64().unwrap())
        .collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    let expected_min = corpus()
        .concerts
        .iter()
        .filter(|c| c.city == "부산" && !c.deleted)
        .map(|c| i64::from(c.price_min))
        .min()
        .unwrap();
    assert_eq!(prices[0], expected_min);
    assert!(
        cheap.hits.iter().all(|h| h.score == 0.0),
        "browsing does not score"
    );

    let browse = search("tickets", json!({"limit": 3}));
    assert_eq!(ids(&browse), [1, 2, 3], "browse order is by id");
}

#[test]
fn highlights_point_at_the_matched_korean_text() {
    let response = search(
        "concerts",
        json!({"q": "여름공연", "highlight": true, "filter": {"genre": "페스티벌"}, "limit": 50}),
    );
    let hit = response
        .hits
        .iter()
        .find(|h| h.id == json!(900_001))
        .expect("the curated show");
    let spans = &hit.highlight.as_ref().unwrap()["title"];
    let title: Vec<char> = hit.source["title"].as_str().unwrap().chars().collect();
    let marked: Vec<String> = spans
        .iter()
        .map(|s| title[s.start..s.end].iter().collect())
        .collect();
    assert_eq!(marked, ["여름", "공연"]);
    assert!(spans.iter().all(|s| marked.contains(&s.text)));

    let typo = search(
        "concerts",
        json!({"q": "아이우", "highlight": true, "limit": 1}),
    );
    let hit = &typo.hits[0];
    let all: Vec<&str> = hit
        .highlight
        .as_ref()
        .unwrap()
        .values()
        .flatten()
        .map(|s| s.text.as_str())
        .collect();
    assert!(!all.is_empty(), "typo matches are highlighted too");
    assert!(
        all.iter()
            .all(|t| *t == "아이유" || t.eq_ignore_ascii_case("iu")),
        "아이유 or its synonym IU: {all:?}"
    );
}

#[test]
fn tickets_per_status_per_day() {
    let response = search(
        "tickets",
        json!({"limit": 0, "aggs": {"status": {"terms": {"field": "status"},
            "aggs": {"per_day": {"date_histogram": {"field": "created_at", "fixed_interval": "1d"}}}}}}),
    );
    let aggs = response.aggregations.unwrap();
    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    for t in &corpus().tickets {
        *expected
            .entry((t.status.clone(), t.created_at[..10].to_string()))
            .or_default() += 1;
    }
    let mut found: BTreeMap<(String, String), u64> = BTreeMap::new();
    for status in aggs["status"]["buckets"].as_array().unwrap() {
        for day in status["per_day"]["buckets"].as_array().unwrap() {
            let count = day["doc_count"].as_u64().unwrap();
            if count > 0 {
                let date = day["key_as_string"].as_str().unwrap()[..10].to_string();
                found.insert((status["key"].as_str().unwrap().to_string(), date), count);
            }
        }
    }
    assert_eq!(found, expected);
}

#[test]
fn open_tickets_per_category_and_priority() {
    let response = search(
        "tickets",
        json!({"limit": 0, "filter": {"status": "open"},
               "aggs": {"category": {"terms": {"field": "category", "size": 100},
                        "aggs": {"priority": {"terms": {"field": "priority"}}}}}}),
    );
    let mut expected: BTreeMap<(String, u64), u64> = BTreeMap::new();
    for t in corpus().tickets.iter().filter(|t| t.status == "open") {
        *expected
            .entry((t.category.clone(), u64::from(t.priority)))
            .or_default() += 1;
    }
    let aggs = response.aggregations.unwrap();
    let mut found = BTreeMap::new();
    for category in aggs["category"]["buckets"].as_array().unwrap() {
        for priority in category["priority"]["buckets"].as_array().unwrap() {
            found.insert(
                (
                    category["key"].as_str().unwrap().to_string(),
                    priority["key"].as_f64().unwrap() as u64,
                ),
                priority["doc_count"].as_u64().unwrap(),
            );
        }
    }
    assert_eq!(found, expected);
    assert_eq!(response.total.value, expected.values().sum::<u64>());
}

#[test]
fn concerts_per_genre_per_month() {
    let response = search(
        "concerts",
        json!({"limit": 0, "filter": {"start_date": {"lt": "2026-01-01"}},
               "aggs": {"genre": {"terms": {"field": "genre", "size": 50},
                        "aggs": {"month": {"date_histogram": {"field": "start_date", "calendar_interval": "month"}}}}}}),
    );
    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    for c in corpus()
        .concerts
        .iter()
        .filter(|c| !c.deleted && c.start_date.as_str() < "2026-01-01")
    {
        *expected
            .entry((c.genre.clone(), c.start_date[..7].to_string()))
            .or_default() += 1;
    }
    for doc in curated() {
        if doc.get("deleted") != Some(&json!(true)) {
            let date = doc["start_date"].as_str().unwrap();
            *expected
                .entry((
                    doc["genre"].as_str().unwrap().to_string(),
                    date[..7].to_string(),
                ))
                .or_default() += 1;
        }
    }
    let aggs = response.aggregations.unwrap();
    let mut found = BTreeMap::new();
    for genre in aggs["genre"]["buckets"].as_array().unwrap() {
        for month in genre["month"]["buckets"].as_array().unwrap() {
            let label = month["key_as_string"].as_str().unwrap();
            assert!(
                label.ends_with("-01T00:00:00Z"),
                "month buckets start on the 1st: {label}"
            );
            let count = month["doc_count"].as_u64().unwrap();
            if count > 0 {
                found.insert(
                    (
                        genre["key"].as_str().unwrap().to_string(),
                        label[..7].to_string(),
                    ),
                    count,
                );
            }
        }
    }
    assert_eq!(found, expected);
}

#[test]
fn price_stats_per_city() {
    let response = search(
        "concerts",
        json!({"limit": 0, "aggs": {"city": {"terms": {"field": "city", "size": 50},
                                      "aggs": {"price": {"stats": {"field": "price_min"}}}}}}),
    );
    let aggs = response.aggregations.unwrap();
    let buckets = aggs["city"]["buckets"].as_array().unwrap();
    assert!(buckets.len() > 3);
    for bucket in buckets {
        let city = bucket["key"].as_str().unwrap();
        let mut prices: Vec<f64> = corpus()
            .concerts
            .iter()
            .filter(|c| c.city == city && !c.deleted)
            .map(|c| f64::from(c.price_min))
            .collect();
        prices.extend(
            curated()
                .iter()
                .filter(|d| d["city"] == city && d.get("deleted").is_none())
                .filter_map(|d| d["price_min"].as_f64()),
        );
        let stats = &bucket["price"];
        assert_eq!(
            stats["count"].as_u64().unwrap(),
            prices.len() as u64,
            "{city}"
        );
        let min = prices.iter().cloned().fold(f64::MAX, f64::min);
        let max = prices.iter().cloned().fold(f64::MIN, f64::max);
        assert_eq!(stats["min"].as_f64().unwrap(), min, "{city}");
        assert_eq!(stats["max"].as_f64().unwrap(), max, "{city}");
    }
}

#[test]
fn aggregate_only_and_text_matched_aggregations() {
    let request = SearchRequest::from_json(
        json!({"q": "아이유", "aggs": {"genre": {"terms": {"field": "genre"}}}})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let result = corpus().engine.aggregate("concerts", &request).unwrap();
    let total = result["total"]["value"].as_u64().unwrap();
    let summed: u64 = result["aggregations"]["genre"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["doc_count"].as_u64().unwrap())
        .sum();
    assert!(total > 0);
    assert_eq!(
        summed, total,
        "aggregations see exactly the text-matched set"
    );
}

#[test]
fn bad_requests_name_the_field() {
    assert_eq!(
        error("concerts", json!({"filter": {"colour": "red"}})).field(),
        "colour"
    );
    assert_eq!(
        error("concerts", json!({"sort": [{"title": "asc"}]}))
            .error_code()
            .as_str(),
        "field_not_sortable"
    );
    assert_eq!(
        error("concerts", json!({"fields": {"price_min": 1.0}}))
            .error_code()
            .as_str(),
        "field_not_searchable"
    );
    assert_eq!(error("concerts", json!({"limit": -1})).field(), "limit");
    assert_eq!(
        error("concerts", json!({"search_after": "nope"})).field(),
        "search_after"
    );
    let agg = error(
        "concerts",
        json!({"aggs": {"t": {"terms": {"field": "title"}}}}),
    );
    assert_eq!(
        (agg.error_code().as_str(), agg.field()),
        ("bad_aggregation", "title")
    );
    let agg = error(
        "concerts",
        json!({"aggs": {"t": {"terms": {"field": "nope"}}}}),
    );
    assert_eq!(agg.field(), "nope");
    let agg = error(
        "concerts",
        json!({"aggs": {"m": {"date_histogram": {"field": "start_date", "calendar_interval": "fortnight"}}}}),
    );
    assert_eq!(agg.field(), "m");
    let unknown = corpus()
        .engine
        .search("venues", &SearchRequest::default())
        .unwrap_err();
    assert_eq!(unknown.error_code().as_str(), "unknown_index");
}

#[tokio::test]
async fn a_third_kind_needs_only_a_spec() {
    let spec = KindSpec::from_toml(
        r#"
name = "venues"
id = "string"
[[fields]]
name = "name"
type = "text"
boost = 2.0
required = true
[[fields]]
name = "seats"
type = "integer"
filterable = true
sortable = true
aggregatable = true
"#,
        "venues.toml",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = EngineConfig::new(dir.path()).unwrap();
    config.kinds.push(spec);
    let engine = Engine::with_config(config.clone()).await.unwrap();
    let report = engine
        .upsert(
            "venues",
            &[
                json!({"id": "kspo", "name": "올림픽공원 KSPO DOME", "seats": 15000}),
                json!({"id": "bsq", "name": "블루스퀘어 신한카드홀", "seats": 1766}),
                json!({"id": "bad", "name": "좌석 수 오류", "seats": "many"}),
            ],
        )
        .unwrap();
    assert_eq!(report.upserted, 2);
    assert_eq!(report.rejected[0].errors[0].field, "seats");
    engine.commit("venues").unwrap();
    drop(engine);

    let reopened = Engine::with_config(config).await.unwrap();
    let response = reopened
        .search("venues", &SearchRequest::text("올림픽 공원"))
        .unwrap();
    assert_eq!(response.hits[0].id, json!("kspo"));
    let big = reopened
        .search(
            "venues",
            &SearchRequest::from_json(br#"{"filter": {"seats": {"gt": 10000}}}"#).unwrap(),
        )
        .unwrap();
    assert_eq!(big.total.value, 1);
}

/// `initials = false` (the built-in specs' prose fields) writes no initials for a field and
/// searches none there; turning it on or off keeps the schema, so an index built either
/// way opens under the other spec.
#[tokio::test]
async fn initials_are_matched_only_in_fields_that_index_them() {
    let spec = |body_initials: bool| {
        KindSpec::from_toml(
            &format!(
                r#"
name = "notes"
id = "string"
[[fields]]
name = "title"
type = "text"
[[fields]]
name = "body"
type = "text"
whole_value = false
initials = {body_initials}
"#
            ),
            "notes.toml",
        )
        .unwrap()
    };
    let ids = |engine: &Engine, q: &str| -> Vec<Json> {
        let request =
            // Every word must match: no partial matches fill the page.
            SearchRequest::from_json(json!({"q": q, "match": "all", "cache": false}).to_string().as_bytes())
                .unwrap();
        let response = engine.search("notes", &request).unwrap();
        let mut ids: Vec<Json> = response.hits.into_iter().map(|h| h.id).collect();
        ids.sort_by_key(|id| id.to_string());
        ids
    };
    let docs = [
        json!({"id": "title", "title": "가을 음악회", "body": "야외 무대"}),
        json!({"id": "body", "title": "재즈 나이트", "body": "가을 밤의 재즈"}),
    ];
    for body_initials in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        let mut config = EngineConfig::new(dir.path()).unwrap();
        config.kinds.push(spec(body_initials));
        let engine = Engine::with_config(config).await.unwrap();
        assert_eq!(engine.upsert("notes", &docs).unwrap().upserted, 2);
        engine.commit("notes").unwrap();
        let expected = if body_initials {
            vec![json!("body"), json!("title")]
        } else {
            vec![json!("title")]
        };
        assert_eq!(
            ids(&engine, "ㄱㅇ"),
            expected,
            "body initials {body_initials}"
        );
        // Words still match in the field either way.
        assert_eq!(ids(&engine, "가을 재즈"), vec![json!("body")]);
        drop(engine);

        let mut other = EngineConfig::new(dir.path()).unwrap();
        other.kinds.push(spec(!body_initials));
        let reopened = Engine::with_config(other).await.unwrap();
        assert_eq!(ids(&reopened, "음악회"), vec![json!("title")]);
    }
}

/// The ranking collector tells the text query which score a hit needs to enter the page,
/// and documents below it skip the ranking tiers' checks: a short page must still be the
/// head of a long one, tier for tier, and pages must tile it.
#[test]
fn short_pages_are_the_head_of_long_ones() {
    for q in [
        "아이유 콘서트",
        "여름 공연",
        "서울 뮤지컬",
        "부산 콘서트 공연",
        "아이유",
    ] {
        let long = search("concerts", json!({"q": q, "limit": 200, "cache": false}));
        assert!(long.hits.len() > 20, "{q}: {}", long.hits.len());
        let head: Vec<(u64, f32)> = long
            .hits
            .iter()
            .take(3)
            .map(|h| (h.id.as_u64().unwrap(), h.score))
            .collect();
        let short = search("concerts", json!({"q": q, "limit": 3, "cache": false}));
        let short: Vec<(u64, f32)> = short
            .hits
            .iter()
            .map(|h| (h.id.as_u64().unwrap(), h.score))
            .collect();
        assert_eq!(short, head, "{q}");
        let mut tiled = Vec::new();
        for offset in (0..20).step_by(5) {
            let page = search(
                "concerts",
                json!({"q": q, "limit": 5, "offset": offset, "cache": false}),
            );
            tiled.extend(ids(&page));
        }
        assert_eq!(tiled, ids(&long)[..20], "{q}");
    }
}

#[test]
fn explain_gives_every_hit_the_tree_of_its_score() {
    for q in [
        "아이유 콘서트",
        "아이우",
        "ㅇㅇㅇ",
        "레미제라블 부산",
        "여름공연",
    ] {
        let response = search(
            "concerts",
            json!({"q": q, "limit": 20, "explain": true, "filter": {"deleted": false}}),
        );
        assert!(!response.hits.is_empty(), "{q}");
        for hit in &response.hits {
            let explain = hit
                .explain
                .as_ref()
                .unwrap_or_else(|| panic!("{q}: no explain"));
            let value = explain["value"].as_f64().unwrap();
            assert!(value > 0.0, "{q}: {explain}");
            assert!(
                explain["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty())
            );
            assert!(
                explain["details"].as_array().is_some_and(|d| !d.is_empty()),
                "{q}: {explain}"
            );
        }
    }
    let plain = search("concerts", json!({"q": "아이유", "limit": 5}));
    assert!(plain.hits.iter().all(|h| h.explain.is_none()));
    let e = error(
        "concerts",
        json!({"q": "아이유", "limit": 101, "explain": true}),
    );
    assert!(e.to_string().contains("explain"), "{e}");
}

#[test]
fn capped_totals_keep_the_page_and_say_gte() {
    let cap = 40;
    let mut capped_some = false;
    // One-word queries of constant scores (prefix, initials, typos, the other keyboard
    // layout) skip the alternatives and the ties that cannot enter the page; relaxed
    // queries (no concert has 표) the documents whose words cannot.
    for q in [
        "콘서트",
        "서울 콘서트",
        "콘서트 서울",
        "여름 공연",
        "콘서트 표 있어요",
        "서울 콘서트 표",
        "아이유",
        "뮤지컬 공연",
        "서울",
        "뮤지컬",
        "아이",
        "ㅇㅇㅇ",
        "ㅅㅇ",
        "아이우",
        "dkdldb",
        "레미",
    ] {
        for (offset, limit) in [(0, 10), (25, 10), (0, 30)] {
            let request = |track: Json| json!({"q": q, "offset": offset, "limit": limit, "track_total_hits": track});
            let exact = search("concerts", request(json!(true)));
            let capped = search("concerts", request(json!(cap)));
            assert_eq!(exact.total.relation, "eq");
            let scores = |r: &SearchResponse| -> Vec<(u64, String)> {
                r.hits
                    .iter()
                    .map(|h| (h.id.as_u64().unwrap(), format!("{:.5}", h.score)))
                    .collect()
            };
            assert_eq!(scores(&capped), scores(&exact), "{q} {offset}+{limit}");
            // Segments share their counts in batches: a total just past the cap may
            // still be counted exactly.
            if capped.total.relation == "gte" {
                assert_eq!(capped.total.value, cap, "{q}");
                assert!(exact.total.value >= cap, "{q}");
                capped_some = true;
            } else {
                assert_eq!(capped.total, exact.total, "{q}");
            }
        }
    }
    assert!(capped_some, "no query matched more than {cap} documents");

    // Cursor pages under a cap visit the same hits as exact ones.
    let walk = |track: Json| {
        let mut seen = Vec::new();
        let mut request = json!({"q": "서울 콘서트", "limit": 15, "track_total_hits": track});
        for _ in 0..4 {
            let page = search("concerts", request.clone());
            seen.extend(ids(&page));
            let Some(cursor) = page.next_cursor else {
                break;
            };
            request["search_after"] = json!(cursor);
        }
        seen
    };
    assert_eq!(walk(json!(5)), walk(json!(true)));

    // With aggregations, or counting only: always exact.
    for request in [
        json!({"q": "콘서트", "aggs": {"g": {"terms": {"field": "genre"}}}, "track_total_hits": 5}),
        json!({"q": "콘서트", "limit": 0, "track_total_hits": 5}),
    ] {
        let response = search("concerts", request.clone());
        assert_eq!(response.total.relation, "eq", "{request}");
        assert!(response.total.value > 5, "{request}");
    }
    let exact_default = search("concerts", json!({"q": "콘서트"}));
    assert_eq!(
        exact_default.total.relation, "eq",
        "fewer than 10,000 matches are counted exactly by default"
    );
}

#[test]
fn capped_field_sorts_keep_every_page() {
    // Past the cap a field-sorted search reads only the documents whose sort value can
    // still enter the page (`query/sorted.rs`): its pages must be those of an exact count,
    // ties on the sort value included (many concerts share a date or a price).
    let mut capped_some = false;
    for base in [
        json!({"q": "", "sort": [{"start_date": "desc"}]}),
        json!({"q": "", "sort": [{"start_date": "asc"}], "filter": {"genre": ["콘서트", "페스티벌"]}}),
        json!({"q": "", "sort": [{"price_min": "asc"}, {"start_date": "desc"}]}),
        json!({"q": "", "sort": [{"price_max": "desc"}]}),
        json!({"q": "콘서트", "sort": [{"start_date": "asc"}]}),
        json!({"q": "서울 콘서트", "sort": [{"price_min": "desc"}, {"_score": "desc"}]}),
        json!({"q": "뮤지컬", "sort": [{"end_date": "desc"}], "filter": {"city": "서울"}}),
    ] {
        let walk = |track: Json| {
            let mut request = base.clone();
            request["limit"] = json!(12);
            request["track_total_hits"] = track;
            let mut pages = Vec::new();
            for _ in 0..5 {
                let page = search("concerts", request.clone());
                pages.push((ids(&page), page.total));
                let Some(cursor) = page.next_cursor else {
                    break;
                };
                request["search_after"] = json!(cursor);
            }
            pages
        };
        let exact = walk(json!(true));
        let capped = walk(json!(30));
        assert!(exact.len() > 1, "{base}: one page only");
        for ((exact_ids, exact_total), (capped_ids, capped_total)) in exact.iter().zip(&capped) {
            assert_eq!(capped_ids, exact_ids, "{base}");
            assert_eq!(exact_total.relation, "eq", "{base}");
            if capped_total.relation == "gte" {
                assert_eq!(capped_total.value, 30, "{base}");
                assert!(exact_total.value >= 30, "{base}");
                capped_some = true;
            } else {
                assert_eq!(capped_total, exact_total, "{base}");
            }
        }
        assert_eq!(capped.len(), exact.len(), "{base}");
        // An offset page too.
        let mut request = base.clone();
        request["offset"] = json!(17);
        request["limit"] = json!(9);
        request["track_total_hits"] = json!(true);
        let exact = search("concerts", request.clone());
        request["track_total_hits"] = json!(30);
        assert_eq!(
            ids(&search("concerts", request)),
            ids(&exact),
            "{base} offset"
        );
    }
    assert!(
        capped_some,
        "no field-sorted search matched more than the cap"
    );
}

#[test]
fn segments_searched_side_by_side_give_the_same_answer() {
    let index = corpus().engine.index("concerts").unwrap();
    let segments = index.searcher().segment_readers().len();
    assert!(segments > 1, "one segment: nothing to split");
    for q in [
        "콘서트",
        "서울 콘서트",
        "아이유",
        "여름공연",
        "ㅇㅇㅇ",
        "레미제라불",
        "나훈아 공연 보러 가고 싶다",
    ] {
        for track in [json!(true), json!(20)] {
            let json = json!({"q": q, "limit": 20, "track_total_hits": track});
            let request = SearchRequest::from_json(json.to_string().as_bytes()).unwrap();
            // The engine splits a search running alone across its threads (one per
            // core); `query::search` walks the segments in turn.
            let threaded = corpus().engine.search("concerts", &request).unwrap();
            let single = chatda::query::search(&index, &request).unwrap();
            let page = |r: &SearchResponse| -> Vec<(u64, String)> {
                r.hits
                    .iter()
                    .map(|h| (h.id.as_u64().unwrap(), format!("{:.5}", h.score)))
                    .collect()
            };
            assert_eq!(
                page(&threaded),
                page(&single),
                "{json} ({segments} segments)"
            );
            assert_eq!(threaded.total, single.total, "{json}");
        }
    }
}
