//! HTTP load test: mixed query classes from N concurrent keep-alive clients against a
//! real `chatda serve` on loopback, reporting throughput, p50/p99 and errors; then the
//! same while a reindex and an alias swap run. Two mixes: *uniform*, a dozen query
//! classes in turn with the result cache bypassed (`"cache": false`: every request is
//! searched), and *Zipf*, 5,000 distinct queries from the demo catalogue (titles, artists,
//! venues) drawn with Zipf-distributed popularity (s = 1), the cache on, as real traffic
//! repeats its popular queries. A run with one client (`CHATDA_LOAD_CLIENTS=1,8`) also
//! prints the uniform list request by request (p50/p99, HTTP included): where the mix's
//! time goes.
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
//! on loopback would. `CHATDA_SEARCH_THREADS` sets the server's search threads (default
//! one per core), `CHATDA_INDEXING_NICE` the priority of the reindex it starts (default
//! 19: the idle policy); `CHATDA_LOAD_REINDEX=0` skips the runs during a reindex + swap
//! (each prints how long its reindex took: under load, then alone until it ends). Under
//! `cargo test` it runs 1 s against 300 generated rows.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chatda::settings::Settings;
use serde_json::{Value, json};

// The allocator the `chatda` binary ships with (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The uniform mix: each query class in turn, never from the cache.
fn uniform() -> Vec<Value> {
    let mut queries = vec![
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
    ];
    for q in &mut queries {
        q["cache"] = json!(false);
    }
    queries
}

/// Distinct queries people type about the catalogue, most popular first (an arbitrary
/// but fixed order), and their cumulative Zipf weights.
fn zipf_pool(size: usize) -> (Vec<Value>, Vec<f64>) {
    let mut seen = std::collections::HashSet::new();
    let mut pool = Vec::new();
    for concert in chatda::demo::concerts(7).take(50_000) {
        let mut texts = vec![concert.title.clone(), concert.venue.clone()];
        for artist in &concert.artists {
            texts.push(artist.clone());
            texts.push(format!("{artist} {}", concert.genre));
        }
        for text in texts {
            if seen.insert(text.clone()) {
                pool.push(json!({ "q": text }));
            }
        }
    }
    let mut rng = Rng(0x5eed);
    for i in (1..pool.len()).rev() {
        pool.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    pool.truncate(size);
    let mut total = 0.0;
    let cumulative = (1..=pool.len())
        .map(|rank| {
            total += 1.0 / rank as f64;
            total
        })
        .collect();
    (pool, cumulative)
}

/// xorshift64*: enough randomness to draw queries, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What the clients send.
#[derive(Clone)]
enum Mix {
    /// In turn.
    Uniform(Arc<Vec<Value>>),
    /// Drawn by Zipf weights (cumulative).
    Zipf(Arc<Vec<Value>>, Arc<Vec<f64>>),
}

impl Mix {
    /// The next request, and its place in the uniform list (`None`: drawn from the pool).
    fn pick<'a>(&'a self, i: usize, rng: &mut Rng) -> (&'a Value, Option<usize>) {
        match self {
            Mix::Uniform(queries) => (&queries[i % queries.len()], Some(i % queries.len())),
            Mix::Zipf(pool, cumulative) => {
                let u = rng.unit() * cumulative.last().copied().unwrap_or(0.0);
                let at = cumulative.partition_point(|c| *c < u);
                (&pool[at.min(pool.len() - 1)], None)
            }
        }
    }
}

struct Run {
    requests: usize,
    errors: Vec<String>,
    latencies_us: Vec<u64>,
    /// The uniform list's latencies, request by request.
    by_request: Vec<Vec<u64>>,
    secs: f64,
}

async fn load(base: &str, clients: usize, secs: u64, mix: &Mix) -> Run {
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
            let mix = mix.clone();
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::<(Option<usize>, u64)>::new(), Vec::new());
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (n as u64 + 1));
                let mut i = n;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let t = Instant::now();
                    let (request, place) = mix.pick(i, &mut rng);
                    match client.post(&url).json(request).send().await {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            latencies.push((place, t.elapsed().as_micros() as u64));
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
        by_request: Vec::new(),
        secs: 0.0,
    };
    for task in tasks {
        let (latencies, errors) = task.await.expect("client task");
        for (place, us) in latencies {
            run.latencies_us.push(us);
            if let Some(k) = place {
                if run.by_request.len() <= k {
                    run.by_request.resize(k + 1, Vec::new());
                }
                run.by_request[k].push(us);
            }
        }
        run.errors.extend(errors);
    }
    run.by_request.iter_mut().for_each(|l| l.sort_unstable());
    run.secs = started.elapsed().as_secs_f64();
    run.requests = run.latencies_us.len() + run.errors.len();
    run.latencies_us.sort_unstable();
    run
}

/// The `p` quantile of sorted latencies, in ms.
fn quantile(sorted_us: &[u64], p: f64) -> f64 {
    sorted_us
        .get(((sorted_us.len() as f64 * p) as usize).min(sorted_us.len().saturating_sub(1)))
        .map_or(0.0, |us| *us as f64 / 1000.0)
}

fn report(label: &str, run: &Run) {
    println!(
        "{label:<34} {:>7.0} searches/s  p50 {:>6.2} ms  p99 {:>7.2} ms  {} errors ({} requests)",
        run.requests as f64 / run.secs,
        quantile(&run.latencies_us, 0.50),
        quantile(&run.latencies_us, 0.99),
        run.errors.len(),
        run.requests
    );
    for e in run.errors.iter().take(3) {
        println!("    error: {e}");
    }
}

/// A single client's uniform run, request by request: what each costs, HTTP included
/// (with one client nothing else runs beside it).
fn report_by_request(run: &Run, queries: &[Value]) {
    for (query, latencies) in queries.iter().zip(&run.by_request) {
        let mut shown = query.clone();
        if let Some(q) = shown.as_object_mut() {
            q.remove("cache");
        }
        println!(
            "    p50 {:>6.2} ms  p99 {:>6.2} ms  {shown}",
            quantile(latencies, 0.50),
            quantile(latencies, 0.99)
        );
    }
}

/// The server's search cache hits and misses so far.
async fn cache_counts(base: &str) -> (u64, u64) {
    let text = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("metrics request")
        .text()
        .await
        .expect("metrics");
    let read = |stat: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("chatda_search_cache{{stat=\"{stat}\"}} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (read("hits"), read("misses"))
}

async fn reindex_and_swap(base: &str) {
    let started = Instant::now();
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
                println!(
                    "    reindex job {id}: {state:?}, {} rows in {:.0} s",
                    job["processed"],
                    started.elapsed().as_secs_f64()
                );
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
    let uniform_list = Arc::new(uniform());
    let uniform = Mix::Uniform(uniform_list.clone());
    let (pool, cumulative) = zipf_pool(if smoke { 200 } else { 5_000 });
    let zipf = Mix::Zipf(Arc::new(pool), Arc::new(cumulative));
    for &n in &clients {
        let run = load(&base, n, secs, &uniform).await;
        report(&format!("{n} clients, uniform, cache off"), &run);
        if n == 1 {
            report_by_request(&run, &uniform_list);
        }
        let before = cache_counts(&base).await;
        let run = load(&base, n, secs, &zipf).await;
        report(&format!("{n} clients, Zipf, cache on"), &run);
        let after = cache_counts(&base).await;
        let (hits, misses) = (after.0 - before.0, after.1 - before.1);
        println!(
            "    cache: {hits} hits, {misses} misses ({:.0}% hits)",
            100.0 * hits as f64 / (hits + misses).max(1) as f64
        );
    }
    let during_reindex = env::<u8>("CHATDA_LOAD_REINDEX").is_none_or(|on| on != 0);
    for &n in clients.iter().filter(|_| during_reindex) {
        let during = {
            let base = base.clone();
            tokio::spawn(async move { reindex_and_swap(&base).await })
        };
        let run = load(&base, n, secs, &uniform).await;
        report(&format!("{n} clients, uniform, reindex + swap"), &run);
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
        search_threads: env("CHATDA_SEARCH_THREADS"),
        indexing_nice: env("CHATDA_INDEXING_NICE"),
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
