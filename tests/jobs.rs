//! Jobs as a queue, against a real server and its scheduler: a reindex asked for while
//! one runs waits and then runs; a failed one is retried after its backoff, and by hand;
//! every job that ends is posted to the webhook; schedules fire (a per-second cron) and
//! are listed with their next and last runs; retention prunes the change log.

#[path = "support/server.rs"]
mod harness;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json as AxumJson;
use axum::routing::post as route_post;
use chatda::settings::ScheduleSpec;
use harness::{Server, get, post, start, wait_for_job};
use reqwest::StatusCode;
use serde_json::{Value as Json, json};
use sqlx::sqlite::SqlitePool;

const WAIT: Duration = Duration::from_secs(60);

/// A webhook receiver on a loopback port: every JSON body it got.
async fn webhook_receiver() -> (String, Arc<Mutex<Vec<Json>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        route_post(move |AxumJson(body): AxumJson<Json>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

async fn source(s: &Server) -> SqlitePool {
    let url = format!("sqlite://{}", s.dir.path().join("source.db").display());
    SqlitePool::connect(&url).await.unwrap()
}

/// Polls `GET path` until `ok` holds; returns the body.
async fn until(c: &reqwest::Client, s: &Server, path: &str, ok: impl Fn(&Json) -> bool) -> Json {
    let started = Instant::now();
    loop {
        let (status, body) = get(c, &s.url(path)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        if ok(&body) {
            return body;
        }
        assert!(started.elapsed() < WAIT, "{path} never got there: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reindex_asked_for_while_one_runs_waits_in_the_queue_and_then_runs() {
    let s = start(|c| c.demo_concerts = Some(5_000)).await;
    let c = reqwest::Client::new();
    let reindex = s.url("/v1/indexes/concerts/reindex");
    let (status, first) = post(&c, &reindex, json!({})).await;
    assert_eq!(
        (status, first["state"].as_str()),
        (StatusCode::ACCEPTED, Some("running")),
        "{first}"
    );
    let (status, second) = post(&c, &reindex, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(second["state"], "queued", "{second}");
    assert_eq!(second["position"], 1);
    // A third request joins the one already waiting; `queue: false` refuses instead.
    let (_, third) = post(&c, &reindex, json!({})).await;
    assert_eq!(third["job_id"], second["job_id"]);
    let (status, refused) = post(&c, &reindex, json!({"queue": false})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "job_already_running");

    let queued = second["job_id"].as_i64().unwrap();
    let (_, listed) = get(&c, &s.url("/v1/jobs?state=queued&kind=concerts")).await;
    assert_eq!(listed["jobs"][0]["id"], queued, "{listed}");
    assert_eq!(listed["counts"]["queued"], 1);
    assert_eq!(listed["counts"]["running"], 1);

    let first = wait_for_job(&c, &s, first["job_id"].as_i64().unwrap()).await;
    assert_eq!(first["state"], "succeeded");
    let after = wait_for_job(&c, &s, queued).await;
    assert_eq!(after["state"], "succeeded", "{after}");
    assert!(
        after["target_version"].as_i64() > first["target_version"].as_i64(),
        "the queued job built a newer version: {after}"
    );
    assert!(after["started_at"].as_i64() >= first["finished_at"].as_i64());
    let (_, counts) = get(&c, &s.url("/v1/jobs?kind=concerts")).await;
    assert_eq!(counts["counts"]["queued"], 0);
    assert_eq!(counts["counts"]["running"], 0);
    let (status, bad) = get(&c, &s.url("/v1/jobs?state=lost")).await;
    assert_eq!(
        (status, bad["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("state"))
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_reindex_is_retried_after_its_backoff_then_by_hand_and_the_webhook_hears_each_end()
{
    let (hook, heard) = webhook_receiver().await;
    let s = start(|c| {
        c.job_attempts = Some(2);
        c.job_retry_backoff_secs = Some(1);
        c.retries = Some(1);
        c.webhook_url = Some(hook.clone());
    })
    .await;
    let c = reqwest::Client::new();
    let db = source(&s).await;
    // The source loses its table: reads fail.
    sqlx::query("ALTER TABLE tickets RENAME TO tickets_away")
        .execute(&db)
        .await
        .unwrap();
    let (status, started) = post(&c, &s.url("/v1/indexes/tickets/reindex"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let id = started["job_id"].as_i64().unwrap();
    // Attempt 1 fails and the job goes back to the queue with its error; attempt 2 (after
    // the 1 s backoff) fails too, which is the last of `job_attempts`.
    let failed = until(&c, &s, &format!("/v1/jobs/{id}"), |j| {
        j["state"] == "failed"
    })
    .await;
    assert_eq!(failed["attempt"], 2, "{failed}");
    let attempts = failed["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{failed}");
    assert!(
        attempts
            .iter()
            .all(|a| a["state"] == "failed" && a["error"].is_string())
    );
    assert!(
        attempts[1]["started_at"].as_i64().unwrap()
            >= attempts[0]["finished_at"].as_i64().unwrap() + 900,
        "the second attempt waited the backoff: {attempts:?}"
    );
    let (_, live) = get(&c, &s.url("/v1/indexes")).await;
    assert!(
        live["indexes"][1]["docs"].as_u64().unwrap() > 0,
        "the live index serves on"
    );

    // The table is back: a retry by hand runs a third attempt, which succeeds.
    sqlx::query("ALTER TABLE tickets_away RENAME TO tickets")
        .execute(&db)
        .await
        .unwrap();
    let (status, retried) = post(&c, &s.url(&format!("/v1/jobs/{id}/retry")), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    assert_eq!(retried["attempt"], 3);
    let done = wait_for_job(&c, &s, id).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    let (status, again) = post(&c, &s.url(&format!("/v1/jobs/{id}/retry")), json!({})).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("job_not_retryable"))
    );

    // The webhook heard the failure and the success, once each.
    let started = Instant::now();
    let events = loop {
        let events: Vec<(String, i64)> = heard
            .lock()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["event"].as_str().unwrap().to_string(),
                    b["job"]["id"].as_i64().unwrap(),
                )
            })
            .collect();
        if events.len() >= 2 || started.elapsed() > WAIT {
            break events;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        events,
        vec![
            ("job.failed".to_string(), id),
            ("job.succeeded".to_string(), id)
        ]
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_fire_once_per_due_time_and_retention_prunes_the_change_log() {
    let s = start(|c| {
        c.schedules = vec![ScheduleSpec {
            name: Some("tickets every 2 s".into()),
            kind: "tickets".into(),
            cron: "*/2 * * * * *".into(),
            action: "reindex".into(),
        }];
        c.retention_cron = Some("* * * * * *".into());
        c.time_zone = Some("Asia/Seoul".into());
    })
    .await;
    let c = reqwest::Client::new();
    let (status, listed) = get(&c, &s.url("/v1/schedules")).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = listed["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["tickets every 2 s", "retention"]);
    assert_eq!(listed["schedules"][0]["time_zone"], "Asia/Seoul");
    assert!(listed["schedules"][0]["next_run"].is_string());

    // The schedule queues reindexes of tickets, marked with their origin.
    let jobs = until(&c, &s, "/v1/jobs?kind=tickets&state=succeeded", |b| {
        b["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["origin"] == "schedule:tickets every 2 s")
    })
    .await;
    assert!(!jobs["jobs"].as_array().unwrap().is_empty());
    let listed = until(&c, &s, "/v1/schedules", |b| {
        b["schedules"][0]["last_run"]["job_id"].is_i64()
    })
    .await;
    let last = &listed["schedules"][0]["last_run"];
    assert!(
        last["outcome"].as_str().unwrap().contains("reindex"),
        "{last}"
    );

    // A change in the source is logged, applied by the follower, then pruned.
    let db = source(&s).await;
    sqlx::query("UPDATE concerts SET title = title || ' (앵콜)' WHERE id = 1")
        .execute(&db)
        .await
        .unwrap();
    let logged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM change_log")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(logged > 0);
    let started = Instant::now();
    loop {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM change_log")
            .fetch_one(&db)
            .await
            .unwrap();
        if left < logged {
            break;
        }
        assert!(
            started.elapsed() < WAIT,
            "retention never pruned the change log"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let listed = until(&c, &s, "/v1/schedules", |b| {
        b["schedules"][1]["last_run"]["outcome"]
            .as_str()
            .is_some_and(|o| o.starts_with("removed"))
    })
    .await;
    assert_eq!(listed["schedules"][1]["action"], "retention");
    // The edit reached the index before its log entry went.
    let (_, found) = post(
        &c,
        &s.url("/v1/indexes/concerts/search"),
        json!({"q": "앵콜", "limit": 1}),
    )
    .await;
    assert_eq!(found["hits"][0]["id"], 1, "{found}");
    s.stop().await;
}
