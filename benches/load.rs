//! HTTP load test: mixed query classes from N concurrent keep-alive clients against a
//! real `chatda serve` on loopback, reporting throughput, p50/p99 and errors; then the
//! same while a reindex and an alias swap run.
//!
//! ```sh
//! cargo bench --bench load                         # 1M concerts, 8 and 64 clients, 60 s each
//! CHATDA_LOAD_SECS=10 CHATDA_LOAD_CLIENTS=8 cargo bench --bench load
//! CHATDA_LOAD_URL=http://127.0.0.1:7700 cargo bench --bench load   # an already running server
//! ```
//!
//! Without `CHATDA_LOAD_URL` it serves `target/bench-data/serve-<N>/` in-process, with the
//! source of `benches/reindex.rs` (`CHATDA_BENCH_ROWS`, default 1,000,000; generated and
//! indexed once, then cached). Client and server share the machine's cores, as `wrk`
//! on loopback would. Under `cargo test` it runs 1 s against 300 generated rows.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chatda::settings::Settings;
use serde_json::{Value, json};

fn queries() -> Vec<Value> {
    vec![
        json!({"q": "아이유 콘서트"}),
        json!({"q": "레미제라블"}),
        json!({"q": "여름공연"}),
        json!({"q": "아이유콘서트"}),
        json!({"q": "아이우"}),
        json!({"q": "레미제라불"}),
        json!({"q": "레미"}),
        json!({"q": "방탄소"}),
        json!({"q": "ㄹㅁㅈㄹㅂ"}),
        json!({"q": "dkdldb"}),
        json!({"q": "뮤지컬", "filter": {"city": "서울", "start_date": {"gte": "2025-01-01"}}}),
        json!({"q": "", "filter": {"genre": ["콘서트", "페스티벌"]}, "sort": [{"start_date": "desc"}]}),
    ]
}

struct Run {
    requests: usize,
    errors: Vec<String>,
    latencies_us: Vec<u64>,
    secs: f64,
}

async fn load(base: &str, clients: usize, secs: u64) -> Run {
    let url = format!("{base}/v1/indexes/concerts/search");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .expect("http client");
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|n| {
            let (client, url, stop) = (client.clone(), url.clone(), stop.clone());
            let queries = queries();
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), Vec::new());
                let mut i = n;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let t = Instant::now();
                    match client
                        .post(&url)
                        .json(&queries[i % queries.len()])
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            latencies.push(t.elapsed().as_micros() as u64);
                        }
                        Ok(r) => errors.push(format!(
                            "{} {}",
                            r.status(),
                            r.text().await.unwrap_or_default()
                        )),
                        Err(e) => errors.push(e.to_string()),
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut run = Run {
        requests: 0,
        errors: Vec::new(),
        latencies_us: Vec::new(),
        secs: 0.0,
    };
    for task in tasks {
        let (latencies, errors) = task.await.expect("client task");
        run.latencies_us.extend(latencies);
        run.errors.extend(errors);
    }
    run.secs = started.elapsed().as_secs_f64();
    run.requests = run.latencies_us.len() + run.errors.len();
    run.latencies_us.sort_unstable();
    run
}

fn report(label: &str, run: &Run) {
    let pct = |p: f64| {
        run.latencies_us
            .get(
                ((run.latencies_us.len() as f64 * p) as usize)
                    .min(run.latencies_us.len().saturating_sub(1)),
            )
            .map_or(0.0, |us| *us as f64 / 1000.0)
    };
    println!(
        "{label:<34} {:>7.0} searches/s  p50 {:>6.2} ms  p99 {:>7.2} ms  {} errors ({} requests)",
        run.requests as f64 / run.secs,
        pct(0.50),
        pct(0.99),
        run.errors.len(),
        run.requests
    );
    for e in run.errors.iter().take(3) {
        println!("    error: {e}");
    }
}

async fn reindex_and_swap(base: &str) {
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{base}/v1/indexes/concerts/reindex"))
        .send()
        .await
        .expect("reindex request");
    let job: Value = r.json().await.expect("job");
    let id = job["job_id"].as_i64().expect("job id");
    loop {
        let job: Value = client
            .get(format!("{base}/v1/jobs/{id}"))
            .send()
            .await
            .expect("job request")
            .json()
            .await
            .expect("job");
        match job["state"].as_str() {
            Some("running") | Some("queued") => {
                tokio::time::sleep(Duration::from_millis(500)).await
            }
            state => {
                println!("    reindex job {id}: {state:?}, {} rows", job["processed"]);
                return;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let secs: u64 = env("CHATDA_LOAD_SECS").unwrap_or(if smoke { 1 } else { 60 });
    let clients: Vec<usize> = std::env::var("CHATDA_LOAD_CLIENTS")
        .ok()
        .map(|v| v.split(',').filter_map(|c| c.trim().parse().ok()).collect())
        .unwrap_or_else(|| if smoke { vec![2] } else { vec![8, 64] });
    let (base, server) = match std::env::var("CHATDA_LOAD_URL") {
        Ok(url) => (url, None),
        Err(_) => {
            let (base, stop, handle) = start_server(smoke).await;
            (base, Some((stop, handle)))
        }
    };
    println!("load against {base}, {secs} s per run");
    for &n in &clients {
        report(&format!("{n} clients"), &load(&base, n, secs).await);
    }
    for &n in &clients {
        let during = {
            let base = base.clone();
            tokio::spawn(async move { reindex_and_swap(&base).await })
        };
        let run = load(&base, n, secs).await;
        report(&format!("{n} clients, reindex + swap running"), &run);
        during.await.expect("reindex task");
    }
    if let Some((stop, handle)) = server {
        let _ = stop.send(());
        handle.await.expect("server task").expect("server");
    }
}

type ServerHandle = tokio::task::JoinHandle<Result<(), chatda::server::ServerError>>;

async fn start_server(smoke: bool) -> (String, tokio::sync::oneshot::Sender<()>, ServerHandle) {
    let rows: u64 = env("CHATDA_BENCH_ROWS").unwrap_or(if smoke { 300 } else { 1_000_000 });
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let data_dir = target.join("bench-data").join(format!("serve-{rows}"));
    let source_db = target
        .join("bench-data")
        .join(format!("source-{rows}-seed42"))
        .join("source.db");
    let source_url = if smoke || !source_db.exists() {
        None // the server seeds `rows` demo rows into its own SQLite source
    } else {
        Some(format!("sqlite://{}", source_db.display()))
    };
    let config = Settings {
        data_dir: Some(data_dir),
        source: source_url,
        demo_concerts: Some(rows),
        demo_tickets: Some(if smoke { 100 } else { 10_000 }),
        request_timeout_secs: Some(60),
        ..Settings::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(chatda::server::serve(listener, config, async {
        let _ = stopped.await;
    }));
    eprintln!("preparing the server (first run: generates and indexes the data)…");
    let client = reqwest::Client::new();
    loop {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            break;
        }
        assert!(!handle.is_finished(), "the server stopped while preparing");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (base, stop, handle)
}

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok()?.parse().ok()
}
