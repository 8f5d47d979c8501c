//! The HTTP service against a real listener: every route, auth on and off, bad input,
//! swaps under search load, graceful shutdown. Each server prepares its own data
//! directory with a small generated SQLite source, as `chatda serve` does.

#[path = "support/server.rs"]
mod harness;

use std::time::Duration;

use chatda::server;
use chatda::settings::Settings;
use harness::{get, index_status, post, start, wait_for_job};
use reqwest::StatusCode;
use serde_json::{Value as Json, json};
use tokio::net::TcpListener;

#[tokio::test]
async fn every_route_works() {
    let s = start(|_| {}).await;
    let c = reqwest::Client::new();

    let (status, body) = get(&c, &s.url("/healthz")).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );

    // Search: a generated show is found by its title with a typo-free query.
    let first = chatda::demo::concert(42, 1);
    let (status, body) = post(
        &c,
        &s.url("/v1/indexes/concerts/search"),
        json!({"q": first.title, "limit": 3, "highlight": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["total"]["value"].as_u64().unwrap() >= 1);
    assert_eq!(body["total"]["relation"], "eq");
    assert!(
        body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == json!(1)),
        "{body}"
    );
    assert!(body["took_ms"].is_number());

    // Suggest: the first two syllables of a title word.
    let word: String = first
        .title
        .split_whitespace()
        .find(|w| w.chars().count() >= 3 && w.chars().all(|c| ('가'..='힣').contains(&c)))
        .unwrap_or("콘서트")
        .chars()
        .take(2)
        .collect();
    let (status, body) = get(
        &c,
        &s.url(&format!("/v1/indexes/concerts/suggest?q={word}&limit=5")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let suggestions = body["suggestions"].as_array().unwrap();
    assert!(!suggestions.is_empty() && suggestions.len() <= 5, "{body}");
    assert!(suggestions[0]["text"].is_string(), "{body}");

    // Aggregate: tickets per status add up to the tickets.
    let (status, body) = post(
        &c,
        &s.url("/v1/indexes/tickets/aggregate"),
        json!({"aggs": {"by_status": {"terms": {"field": "status"}}}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let buckets = body["aggregations"]["by_status"]["buckets"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let counted: u64 = buckets
        .iter()
        .map(|b| b["doc_count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 200);

    // Analyze.
    let (status, body) = post(
        &c,
        &s.url("/v1/analyze"),
        json!({"text": "여름공연을 봤다"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let terms: Vec<&str> = body["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect();
    assert!(
        terms.contains(&"여름") && terms.contains(&"공연"),
        "{terms:?}"
    );

    // Documents: NDJSON with a good line, a broken line, an invalid document, a delete.
    let ndjson = "{\"id\": 70001, \"title\": \"HTTP로 넣은 재즈 공연\", \"genre\": \"콘서트\"}\n{oops\n{\"id\": 70002, \"title\": \"가격 오류\", \"price_min\": \"free\"}\n{\"delete\": 2}\n";
    let r = c
        .post(s.url("/v1/indexes/concerts/documents"))
        .header("content-type", "application/x-ndjson")
        .body(ndjson)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Json = r.json().await.unwrap();
    assert_eq!(
        (
            body["upserted"].as_u64(),
            body["deleted"].as_u64(),
            body["failed"].as_u64()
        ),
        (Some(1), Some(1), Some(2)),
        "{body}"
    );
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors[0]["line"], 2);
    assert_eq!(errors[0]["code"], "invalid_json");
    assert_eq!(errors[1]["line"], 3);
    assert_eq!(errors[1]["field"], "price_min");
    let (_, found) = post(
        &c,
        &s.url("/v1/indexes/concerts/search"),
        json!({"q": "재즈 공연 HTTP"}),
    )
    .await;
    assert_eq!(found["hits"][0]["id"], json!(70001), "{found}");

    // Indexes, reindex, jobs, swap, rollback.
    let concerts = index_status(&c, &s, "concerts").await;
    let first_version = concerts["live_version"].as_i64().unwrap();
    assert!(
        concerts["versions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["size_bytes"].as_u64().unwrap() > 0)
    );

    let r = c
        .post(s.url("/v1/indexes/concerts/reindex"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job_id = r.json::<Json>().await.unwrap()["job_id"].as_i64().unwrap();
    let job = wait_for_job(&c, &s, job_id).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    let (_, jobs) = get(&c, &s.url("/v1/jobs")).await;
    assert!(
        jobs["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["id"] == json!(job_id))
    );
    let (_, body) = get(&c, &s.url("/v1/indexes")).await;
    let live = body["indexes"][0]["live_version"].as_i64().unwrap();
    assert_eq!(live, job["target_version"].as_i64().unwrap());
    // The reindex read the source, then replayed the writes pushed over HTTP: the pushed
    // document is still found (it used to vanish at the swap).
    let (_, found) = post(
        &c,
        &s.url("/v1/indexes/concerts/search"),
        json!({"q": "재즈 공연 HTTP", "min_score": 0.7}),
    )
    .await;
    assert_eq!(found["hits"][0]["id"], json!(70001), "{found}");

    let (status, body) = post(&c, &s.url("/v1/aliases/concerts/rollback"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"].as_i64(), Some(first_version));
    let (status, body) = post(
        &c,
        &s.url("/v1/aliases/concerts/swap"),
        json!({"version": live}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["previous"].as_i64(), Some(first_version));

    // Metrics and the API description.
    let text = c
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("chatda_http_requests_total{method=\"POST\",route=\"/v1/indexes/{alias}/search\",status=\"200\"}"), "{text}");
    assert!(
        text.contains("chatda_index_docs{index=\"tickets\"} 200"),
        "{text}"
    );
    assert!(text.contains("chatda_search_duration_seconds_bucket"));
    assert!(text.contains("chatda_sync_lag_changes"));
    // The searches above missed the cache at least once each.
    let misses = text
        .lines()
        .find_map(|l| l.strip_prefix("chatda_search_cache{stat=\"misses\"} "))
        .and_then(|v| v.trim().parse::<u64>().ok());
    assert!(misses.is_some_and(|m| m > 0), "{text}");
    for stat in ["hits", "misses", "sets", "bytes"] {
        assert!(
            text.contains(&format!("chatda_match_sets{{stat=\"{stat}\"}} ")),
            "{text}"
        );
    }
    let (status, api) = get(&c, &s.url("/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/v1/indexes/{alias}/search",
        "/v1/indexes/{alias}/suggest",
        "/v1/jobs/{id}",
        "/v1/aliases/{alias}/swap",
        "/metrics",
    ] {
        assert!(api["paths"].get(path).is_some(), "openapi lacks {path}");
    }
    s.stop().await;
}

#[tokio::test]
async fn bad_input_gets_a_4xx_naming_the_field() {
    let s = start(|_| {}).await;
    let c = reqwest::Client::new();
    let search = s.url("/v1/indexes/concerts/search");
    let raw = |body: &'static str| {
        let c = c.clone();
        let url = search.clone();
        async move {
            let r = c
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let status = r.status();
            (status, r.json::<Json>().await.unwrap())
        }
    };
    let cases: Vec<(&str, StatusCode, &str, Option<&str>)> = vec![
        ("{\"q\": ", StatusCode::BAD_REQUEST, "invalid_request", None),
        (
            "{\"q\": \"a\", \"colour\": 1}",
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Some("colour"),
        ),
        (
            "{\"limit\": \"ten\"}",
            StatusCode::BAD_REQUEST,
            "invalid_request",
            Some("limit"),
        ),
        (
            "{\"filter\": {\"nope\": 1}}",
            StatusCode::BAD_REQUEST,
            "unknown_field",
            Some("nope"),
        ),
        (
            "{\"filter\": {\"price_min\": {\"about\": 3}}}",
            StatusCode::BAD_REQUEST,
            "bad_filter",
            Some("price_min"),
        ),
        (
            "{\"sort\": [{\"title\": \"asc\"}]}",
            StatusCode::BAD_REQUEST,
            "field_not_sortable",
            Some("title"),
        ),
    ];
    for (body, status, code, field) in cases {
        let (got, answer) = raw(body).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
        if let Some(field) = field {
            assert!(
                answer["error"]["field"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(field),
                "{body}: {answer}"
            );
        }
        assert!(answer["error"]["message"].as_str().unwrap().len() > 5);
    }
    let long = "가".repeat(600);
    let (status, body) = post(&c, &search, json!({"q": long})).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("q")),
        "{body}"
    );
    let (status, body) = post(&c, &s.url("/v1/indexes/nope/search"), json!({"q": "a"})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown_index"))
    );
    let big = json!({"q": "가".repeat(50_000)});
    let (status, body) = post(&c, &search, big).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")),
        "{body}"
    );
    let (status, body) = get(&c, &s.url("/v1/indexes/concerts/suggest")).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("q"))
    );
    let (status, body) = get(&c, &s.url("/v1/jobs/seven")).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("id"))
    );
    let (status, _) = get(&c, &s.url("/v1/jobs/999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = post(
        &c,
        &s.url("/v1/aliases/concerts/swap"),
        json!({"version": "x"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("version"))
    );
    let (status, body) = post(
        &c,
        &s.url("/v1/aliases/concerts/swap"),
        json!({"version": 99}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("bad_version"))
    );
    let (status, body) = post(
        &c,
        &s.url("/v1/indexes/concerts/aggregate"),
        json!({"aggs": {"x": {"terms": {"field": "title"}}}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = post(
        &c,
        &s.url("/v1/analyze"),
        json!({"text": "a", "mode": "bogus"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("mode"))
    );
    let (status, body) = get(&c, &s.url("/v2/nothing")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let r = c.delete(&search).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Json = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed", "{body}");
    s.stop().await;
}

/// Hostile inputs found by an outside battery: each once crashed, aborted or
/// exhausted the server; each must now be a 4xx naming what is wrong.
#[tokio::test]
async fn hostile_inputs_get_a_4xx_and_the_server_survives() {
    let s = start(|c| c.max_body_bytes = Some(2_000_000)).await;
    let c = reqwest::Client::new();
    let aggregate = s.url("/v1/indexes/concerts/aggregate");
    let search = s.url("/v1/indexes/concerts/search");
    let cases: Vec<(&str, Json, &str, &str)> = vec![
        // Aborted the process: a 64 TB allocation.
        (
            &aggregate,
            json!({"aggs": {"x": {"top_hits": {"size": 1_000_000_000_000u64, "sort": [{"price_min": "desc"}]}}}}),
            "bad_aggregation",
            "x.size",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"top_hits": {"size": 1u64 << 62}}}}),
            "bad_aggregation",
            "x.size",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"top_hits": {"size": 3, "sort": [{"title": "desc"}]}}}}),
            "bad_aggregation",
            "title",
        ),
        (
            &aggregate,
            json!({"aggs": {"g": {"terms": {"field": "genre"}, "aggs": {"x": {"top_hits": {"size": 100_000}}}}}}),
            "bad_aggregation",
            "g.x.size",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"composite": {"sources": []}}}}),
            "bad_aggregation",
            "x",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"multi_terms": {"terms": [{"field": "title"}]}}}}),
            "bad_aggregation",
            "x",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"filter": {"query_string": "*"}}}}),
            "bad_aggregation",
            "x",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"range": {"field": "price_min", "ranges": []}}}}),
            "bad_aggregation",
            "x.ranges",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"date_histogram": {"field": "price_min", "calendar_interval": "month"}}}}),
            "bad_aggregation",
            "x.field",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"terms": {"field": "description"}}}}),
            "bad_aggregation",
            "description",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"date_histogram": {"field": "start_date", "calendar_interval": "month", "timezone": "+09:00"}}}}),
            "bad_aggregation",
            "x.timezone",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"terms": {"field": "genre", "size": 4_000_000_000u64}}}}),
            "bad_aggregation",
            "x.size",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"histogram": {"field": "price_min", "interval": 0}}}}),
            "bad_aggregation",
            "x.interval",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"histogram": {"field": "price_min", "interval": 1, "extended_bounds": {"min": 0, "max": 1e12}}}}}),
            "bad_aggregation",
            "x.extended_bounds",
        ),
        (
            &aggregate,
            json!({"aggs": {"x": {"terms": {"field": "genre"}, "avg": {"field": "price_min"}}}}),
            "bad_aggregation",
            "x",
        ),
        // Panicked (overflow) or slipped past the window check.
        (
            &search,
            json!({"offset": u64::MAX, "limit": 1}),
            "invalid_request",
            "offset",
        ),
        (
            &search,
            json!({"offset": u64::MAX - 5, "limit": 10}),
            "invalid_request",
            "offset",
        ),
    ];
    for (url, body, code, field) in cases {
        let (status, answer) = post(&c, url, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{body}: {answer}");
    }
    // Deeply nested aggregations are refused, not recursed into.
    let mut deep = json!({"terms": {"field": "genre"}});
    for _ in 0..8 {
        deep = json!({"terms": {"field": "genre"}, "aggs": {"inner": deep}});
    }
    let (status, answer) = post(&c, &aggregate, json!({"aggs": {"outer": deep}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");

    // Aggregations that are fine still work, the empty calendar case included.
    let (status, answer) = post(
        &c,
        &aggregate,
        json!({"filter": {"price_min": {"gte": 0}}, "aggs": {"top": {"top_hits": {"size": 2, "sort": [{"price_min": "desc"}]}}, "m": {"date_histogram": {"field": "start_date", "calendar_interval": "month"}}}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        !answer["aggregations"]["m"]["buckets"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // analyze: bounded text.
    let (status, answer) = post(
        &c,
        &s.url("/v1/analyze"),
        json!({"text": "가".repeat(20_000)}),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("text")),
        "{answer}"
    );

    // documents: a million tiny lines are refused up front; bad lines are counted, and
    // only the first hundred are reported.
    let flood = "1\n".repeat(1_000_000);
    let r = c
        .post(s.url("/v1/indexes/concerts/documents"))
        .body(flood)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let lines = "1\n".repeat(5_000);
    let r = c
        .post(s.url("/v1/indexes/concerts/documents"))
        .body(lines)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let answer: Json = r.json().await.unwrap();
    assert_eq!(answer["failed"], 5_000, "{answer}");
    assert_eq!(answer["errors"].as_array().unwrap().len(), 100);
    assert_eq!(answer["errors_omitted"], 4_900);

    // reindex: batch_size is bounded.
    let (status, answer) = post(
        &c,
        &s.url("/v1/indexes/concerts/reindex"),
        json!({"batch_size": u64::MAX}),
    )
    .await;
    assert_eq!(
        (status, answer["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("batch_size")),
        "{answer}"
    );

    // Swapping to versions that do not exist creates nothing on disk.
    for version in [999, -5] {
        let (status, _) = post(
            &c,
            &s.url("/v1/aliases/concerts/swap"),
            json!({"version": version}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
    }
    let dirs: Vec<String> = std::fs::read_dir(s.dir.path().join("indexes/concerts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !dirs.iter().any(|d| d.contains("999") || d.contains('-')),
        "{dirs:?}"
    );

    // A fresh install has nothing complete to roll back to: refused, the live index stays.
    let (status, answer) = post(&c, &s.url("/v1/aliases/concerts/rollback"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let (_, found) = post(&c, &search, json!({"limit": 0})).await;
    assert!(found["total"]["value"].as_u64().unwrap() > 0, "{found}");

    // Unknown methods share one metrics label.
    for method in ["FOO", "BAR", "BAZ"] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        c.request(m, s.url("/healthz")).send().await.unwrap();
    }
    let metrics = c
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!metrics.contains("FOO") && metrics.contains("method=\"other\""));

    // Still serving.
    let (status, _) = get(&c, &s.url("/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    s.stop().await;
}

/// Slow or half-open clients: connections over the cap get a 503, a client that never
/// finishes its headers is cut off, and none of them holds up shutdown.
#[tokio::test]
async fn slow_clients_cannot_hold_the_server() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = start(|c| {
        c.max_connections = Some(3);
        c.header_timeout_secs = Some(1);
    })
    .await;
    let addr = s.base.trim_start_matches("http://").to_string();
    let mut slow = Vec::new();
    for _ in 0..3 {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        slow.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut over = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut answer = String::new();
    over.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 503") && answer.contains("overloaded"),
        "{answer}"
    );

    // The header deadline closes the slow ones and frees their places.
    for stream in &mut slow {
        let mut rest = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "a client without headers was not cut off");
    }
    let c = reqwest::Client::new();
    let (status, _) = get(&c, &s.url("/healthz")).await;
    assert_eq!(status, StatusCode::OK);

    // A half-open client does not keep shutdown waiting.
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"POST /v1/indexes/concerts/search HTTP/1.1\r\n")
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), s.stop())
        .await
        .expect("shutdown finished with a half-open connection");
}

#[tokio::test]
async fn keys_guard_search_and_admin_routes() {
    let s = start(|c| {
        c.admin_key = Some("admin-secret".into());
        c.search_key = Some("search-secret".into());
    })
    .await;
    let c = reqwest::Client::new();
    let search = s.url("/v1/indexes/concerts/search");
    let docs = s.url("/v1/indexes/concerts/documents");
    let line = "{\"delete\": 1}\n";
    // (what, request, key, expected status)
    let cases = [
        (
            "search, no key",
            c.post(&search).json(&json!({})),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "search, wrong key",
            c.post(&search).json(&json!({})),
            Some("wrong"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "search, search key",
            c.post(&search).json(&json!({})),
            Some("search-secret"),
            StatusCode::OK,
        ),
        (
            "search, admin key",
            c.post(&search).json(&json!({})),
            Some("admin-secret"),
            StatusCode::OK,
        ),
        (
            "rank_eval, no key",
            c.post(s.url("/v1/indexes/concerts/rank_eval"))
                .json(&json!({"requests": [{"id": "a", "request": {}, "ratings": []}]})),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "rank_eval, search key",
            c.post(s.url("/v1/indexes/concerts/rank_eval"))
                .json(&json!({"requests": [{"id": "a", "request": {}, "ratings": []}]})),
            Some("search-secret"),
            StatusCode::OK,
        ),
        (
            "documents, search key",
            c.post(&docs).body(line),
            Some("search-secret"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "documents, admin key",
            c.post(&docs).body(line),
            Some("admin-secret"),
            StatusCode::OK,
        ),
        (
            "jobs, no key",
            c.get(s.url("/v1/jobs")),
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "healthz, no key",
            c.get(s.url("/healthz")),
            None,
            StatusCode::OK,
        ),
        (
            "metrics, no key",
            c.get(s.url("/metrics")),
            None,
            StatusCode::OK,
        ),
    ];
    for (what, request, key, expected) in cases {
        let request = match key {
            Some(key) => request.bearer_auth(key),
            None => request,
        };
        assert_eq!(request.send().await.unwrap().status(), expected, "{what}");
    }
    // The scheme name is case-insensitive (RFC 7235).
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let r = c
            .post(&search)
            .header("authorization", format!("{scheme} search-secret"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{scheme}");
    }
    s.stop().await;

    // Without keys, everything is open (on loopback).
    let open = start(|_| {}).await;
    assert_eq!(
        c.get(open.url("/v1/jobs")).send().await.unwrap().status(),
        StatusCode::OK
    );
    open.stop().await;

    // A public address without an admin key does not start.
    let listener = TcpListener::bind("0.0.0.0:0").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = Settings {
        data_dir: Some(dir.path().to_path_buf()),
        ..Settings::default()
    };
    let refused = server::serve(listener, config, async {}).await.unwrap_err();
    assert!(
        refused.to_string().contains("CHATDA_ADMIN_KEY"),
        "{refused}"
    );
}

#[tokio::test]
async fn swaps_under_search_load_fail_no_search() {
    // At normal priority: four clients keep the cores busy, and an idle-priority
    // reindex would wait for them (on a busy machine, past the job's deadline).
    let s = start(|c| c.indexing_nice = Some(0)).await;
    let c = reqwest::Client::new();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for n in 0..4 {
        let c = c.clone();
        let url = s.url("/v1/indexes/concerts/search");
        let stop = stop.clone();
        clients.push(tokio::spawn(async move {
            let (mut ok, mut failed) = (0u32, Vec::new());
            let queries = ["아이우", "여름공연", "레미", "ㅂㅌㅅㄴㄷ", "dkdldb"];
            let mut i = n;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                i += 1;
                let r = c
                    .post(&url)
                    .json(&json!({"q": queries[i % queries.len()]}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == StatusCode::OK => ok += 1,
                    Ok(r) => failed.push(format!(
                        "{} {}",
                        r.status(),
                        r.text().await.unwrap_or_default()
                    )),
                    Err(e) => failed.push(e.to_string()),
                }
            }
            (ok, failed)
        }));
    }
    for _ in 0..2 {
        let r = c
            .post(s.url("/v1/indexes/concerts/reindex"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
        let id = r.json::<Json>().await.unwrap()["job_id"].as_i64().unwrap();
        assert_eq!(wait_for_job(&c, &s, id).await["state"], "succeeded");
        let (status, _) = post(&c, &s.url("/v1/aliases/concerts/rollback"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for client in clients {
        let (ok, failed) = client.await.unwrap();
        assert!(failed.is_empty(), "{failed:?}");
        total += ok;
    }
    assert!(total > 20, "only {total} searches ran during the swaps");
    s.stop().await;
}

#[tokio::test]
async fn graceful_shutdown_finishes_requests_in_flight() {
    let s = start(|_| {}).await;
    let c = reqwest::Client::new();
    let url = s.url("/v1/indexes/concerts/search");
    let requests: Vec<_> = (0..16)
        .map(|_| {
            let c = c.clone();
            let url = url.clone();
            tokio::spawn(async move { c.post(url).json(&json!({"q": "여름 공연 페스티벌", "aggs": {"g": {"terms": {"field": "genre"}}}})).send().await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let base = s.base.clone();
    s.stop().await; // returns once the server has drained
    for r in requests {
        match r.await.unwrap() {
            Ok(r) => assert_eq!(r.status(), StatusCode::OK),
            // Sent after the listener closed: refused, never a broken answer.
            Err(e) => assert!(e.is_connect() || e.is_request(), "{e}"),
        }
    }
    assert!(
        c.get(format!("{base}/healthz")).send().await.is_err(),
        "still accepting after shutdown"
    );
}

#[tokio::test]
async fn synonyms_are_replaced_at_run_time_and_kept() {
    let s = start(|_| {}).await;
    let client = reqwest::Client::new();
    let (status, list) = get(&client, &s.url("/v1/synonyms")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert!(list["groups"].as_array().unwrap().len() >= 2, "{list}");
    let doc = r#"{"id": 990001, "title": "발레 호두까기 인형", "venue": "예술의전당 오페라극장"}"#;
    let r = client
        .post(s.url("/v1/indexes/concerts/documents"))
        .body(format!("{doc}\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let found = |hits: &Json| {
        hits["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"] == 990001)
    };
    let search = s.url("/v1/indexes/concerts/search");
    let (_, before) = post(&client, &search, json!({"q": "The Nutcracker"})).await;
    assert!(!found(&before), "{before}");

    let put = |body: Json| {
        let client = client.clone();
        let url = s.url("/v1/synonyms");
        async move {
            let r = client.put(url).json(&body).send().await.unwrap();
            let status = r.status();
            (status, r.json::<Json>().await.unwrap())
        }
    };
    let (status, replaced) =
        put(json!({"groups": [["The Nutcracker", "호두까기 인형"], ["BTS", "방탄소년단"]]})).await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    let (_, after) = post(&client, &search, json!({"q": "The Nutcracker"})).await;
    assert!(found(&after), "{after}");
    let kept = std::fs::read_to_string(replaced["path"].as_str().unwrap()).unwrap();
    assert!(kept.contains("The Nutcracker, 호두까기 인형"), "{kept}");

    // Bad lines are named and change nothing.
    let (status, error) = put(json!({"text": "a => b\nok, fine\nsolo\n"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["error"]["field"], "text");
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("line 1") && message.contains("line 3"),
        "{message}"
    );
    let (status, error) = put(json!({"groups": [["a, b", "c"]]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("groups[0][0]")
    );
    let (status, _) = put(json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, still) = post(&client, &search, json!({"q": "The Nutcracker"})).await;
    assert!(found(&still), "{still}");
    s.stop().await;
}

#[tokio::test]
async fn rank_eval_scores_rated_searches() {
    let s = start(|_| {}).await;
    let c = reqwest::Client::new();
    // Three shows a made-up word finds, and only them; sorted by price they rank 1, 2, 3.
    let ndjson: String = [(80001, 1_000), (80002, 2_000), (80003, 3_000)]
        .iter()
        .map(|(id, price)| {
            let doc = json!({"id": id, "title": "쿼크돌기 특별 공연", "genre": "콘서트",
                             "city": "서울", "price_min": price, "price_max": price});
            format!("{doc}\n")
        })
        .collect();
    let r = c
        .post(s.url("/v1/indexes/concerts/documents"))
        .body(ndjson)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Json>().await.unwrap()["upserted"], 3);

    let url = s.url("/v1/indexes/concerts/rank_eval");
    let sorted = json!({"id": "sorted",
        // The request's own page is replaced by the first k = 2 hits.
        "request": {"q": "쿼크돌기", "sort": [{"price_min": "asc"}], "limit": 50, "offset": 3},
        "ratings": [{"id": 80002, "rating": 3}, {"id": "80003", "rating": 1}, {"id": 80009, "rating": 2}]});
    let nothing = json!({"id": "nothing",
        "request": {"q": "쿼크돌기", "filter": {"city": "제주"}},
        "ratings": [{"id": 80001, "rating": 1}]});
    let (status, body) = post(&c, &url, json!({"k": 2, "requests": [sorted, nothing]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let close = |v: &Json, expected: f64| (v.as_f64().unwrap() - expected).abs() < 1e-4;
    let first = &body["queries"][0];
    assert_eq!(first["id"], "sorted");
    assert_eq!(first["hits"], json!([80001, 80002]), "{body}");
    assert_eq!(first["unrated"], json!([80001]));
    assert_eq!(first["zero_results"], false);
    // 80002 (rated 3) is second of two: recall 1/min(3 relevant, 2), precision 1/2, MRR 1/2;
    // nDCG = (7 / log2 3) / (7 / log2 2 + 3 / log2 3).
    let ndcg = (7.0 / 3f64.log2()) / (7.0 + 3.0 / 3f64.log2());
    for (key, expected) in [
        ("recall", 0.5),
        ("precision", 0.5),
        ("mrr", 0.5),
        ("ndcg", ndcg),
    ] {
        assert!(close(&first[key], expected), "{key}: {body}");
        assert!(
            close(&body["mean"][key], expected / 2.0),
            "mean {key}: {body}"
        );
    }
    let second = &body["queries"][1];
    assert_eq!(
        (&second["hits"], &second["zero_results"], &second["recall"]),
        (&json!([]), &json!(true), &json!(0.0)),
        "{body}"
    );
    assert_eq!(body["mean"]["zero_results"], 1);
    assert_eq!(body["k"], 2);

    // A bad search is named by its place; so are unknown keys and bounds.
    let ok = json!({"id": "a", "request": {}, "ratings": []});
    for (request, code, field) in [
        (
            json!({"requests": [ok, {"id": "b", "request": {"limit": "ten"}, "ratings": []}]}),
            "invalid_request",
            "requests[1].request.limit",
        ),
        (
            json!({"requests": [ok, {"id": "b", "request": {"limit": 5000}, "ratings": []}]}),
            "invalid_request",
            "requests[1].request.limit",
        ),
        (
            json!({"requests": [{"id": "a", "request": {"filter": {"nope": 1}}, "ratings": []}]}),
            "unknown_field",
            "requests[0].request.nope",
        ),
        (
            json!({"requests": [{"id": "a", "request": {}, "ratings": [{"id": 1, "grade": 2}]}]}),
            "invalid_request",
            "requests[0].ratings[0].grade",
        ),
        (json!({"requests": [ok], "k": 101}), "invalid_request", "k"),
    ] {
        let (status, answer) = post(&c, &url, request.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{request}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{request}: {answer}");
        assert_eq!(answer["error"]["field"], field, "{request}: {answer}");
    }
    let (status, _) = post(
        &c,
        &s.url("/v1/indexes/nowhere/rank_eval"),
        json!({"requests": [ok]}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, api) = get(&c, &s.url("/openapi.json")).await;
    assert!(api["paths"]["/v1/indexes/{alias}/rank_eval"]["post"].is_object());
    s.stop().await;
}

#[tokio::test]
async fn files_import_as_jobs_and_export_as_streams() {
    let s = start(|c| c.max_import_mb = Some(1)).await;
    let c = reqwest::Client::new();
    // A CSV upload: two good rows, one bad (row 3: priority out of range).
    let csv = "id,subject,status,priority,created_at\n\
        800001,좌석 업그레이드 문의,open,2,2026-02-01\n\
        800002,환불 지연,open,7,2026-02-02\n\
        800003,\"예매 취소, 환불 요청\",pending,1,2026-02-03\n";
    let r = c
        .post(s.url("/v1/indexes/tickets/import"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let id = r.json::<Json>().await.unwrap()["job_id"].as_i64().unwrap();
    let job = wait_for_job(&c, &s, id).await;
    assert_eq!(job["state"], "succeeded", "{job}");
    assert_eq!(job["action"], "import");
    assert_eq!(
        (job["processed"].as_i64(), job["failed_rows"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        job["row_errors"],
        json!([{"row_id": "row 3", "field": "priority", "reason": "7 is above the maximum 4"}]),
        "{job}"
    );
    let (_, found) = post(
        &c,
        &s.url("/v1/indexes/tickets/search"),
        json!({"q": "좌석 업그레이드", "limit": 1}),
    )
    .await;
    assert_eq!(found["hits"][0]["id"], 800001, "{found}");

    // A bad header is refused at once, naming the column; no job starts.
    let r = c
        .post(s.url("/v1/indexes/tickets/import?format=csv"))
        .body("id,제목\n1,x\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Json = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_file", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("\"제목\"")
    );
    // No format and no content-type: 400 naming `format`.
    let r = c
        .post(s.url("/v1/indexes/tickets/import"))
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Json>().await.unwrap()["error"]["field"], "format");
    // Over max_import_mb (1 MiB here): 413.
    let big = format!("id,subject\n{}", "1,x\n".repeat(300_000));
    let r = c
        .post(s.url("/v1/indexes/tickets/import?format=csv"))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Export: the count in a header, a JSON lines header line, then one line per hit.
    // filter={"status": ["open", "pending"]}
    let r = c
        .get(s.url("/v1/indexes/tickets/export?format=jsonl&filter=%7B%22status%22%3A%20%5B%22open%22%2C%20%22pending%22%5D%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let rows: usize = r.headers()["x-chatda-export-rows"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let text = r.text().await.unwrap();
    let mut lines = text.lines();
    let header: Json = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["export"]["rows"], rows);
    let docs: Vec<Json> = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.len(), rows);
    assert!(
        docs.iter()
            .all(|d| ["open", "pending"].contains(&d["status"].as_str().unwrap()))
    );
    assert!(docs.iter().any(|d| d["id"] == 800003));
    let (_, counted) = post(
        &c,
        &s.url("/v1/indexes/tickets/search"),
        json!({"filter": {"status": ["open", "pending"]}, "limit": 0}),
    )
    .await;
    assert_eq!(counted["total"]["value"], rows);
    // CSV and XLSX come whole too.
    let r = c
        .get(s.url("/v1/indexes/tickets/export?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv_out = r.text().await.unwrap();
    assert!(
        csv_out.starts_with(
            "id,subject,body,category,status,priority,assignee,created_at,updated_at\n"
        )
    );
    let records = csv::Reader::from_reader(csv_out.as_bytes())
        .records()
        .count();
    assert_eq!(
        records, 202,
        "the 200 demo tickets and the 2 good imported rows"
    );
    let r = c
        .get(s.url("/v1/indexes/tickets/export?format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an XLSX is a zip");
    // A bad filter is a 400 before any byte.
    let (status, body) = get(&c, &s.url("/v1/indexes/tickets/export?filter=%7B")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["field"], "filter");
    let (status, body) = get(
        &c,
        &s.url("/v1/indexes/tickets/export?filter=%7B%22nope%22%3A1%7D"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    s.stop().await;
}
