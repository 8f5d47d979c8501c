//! Search latency per query class on a generated concerts index (default 1M documents):
//! exact, spacing, conversational, typo, prefix, chosung, keyboard, filtered and
//! aggregation requests, single-threaded, each class a small fixed list of realistic
//! requests cycled through.
//! `exact_strict` (the exact queries with typo and prefix matching off) is diagnostic: it
//! separates the cost of matching from the cost of expanding.
//!
//! Targets: p50 < 2 ms and p99 < 10 ms for text queries; aggregations over 1M documents
//! < 50 ms. Besides criterion's estimates, a plain timing loop prints p50/p99 per class
//! to stderr.
//!
//! The index is built once into `$CARGO_TARGET_DIR/bench-data/concerts-<N>-seed42/`
//! (default `target/`) and reused while its `complete` marker exists; delete the
//! directory to rebuild. `CHATDA_BENCH_DOCS` sets N (default 1,000,000).
//!
//! Run: `cargo bench --bench query`; quick: `CHATDA_BENCH_DOCS=50000 cargo bench --bench query`;
//! `CHATDA_BENCH_EXACT_TOTALS=1` also times every text class with exact totals,
//! interleaved with the default capped ones; `CHATDA_BENCH_SEARCH_THREADS=1` searches
//! each query's segments in turn (default: side by side, one thread per core).
//! Under `cargo test` (criterion's test mode) it uses a 2,000-document index and runs each
//! request once, as a smoke test.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chatda::engine::{Engine, EngineConfig};
use chatda::query::{SearchRequest, TrackTotal};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use serde_json::{Value as Json, json};
use tantivy::IndexWriter;

// The allocator the `chatda` binary ships with (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const KIND: &str = "concerts";
const SEED: u64 = 42;
const DEFAULT_DOCS: u64 = 1_000_000;
/// Index size under `cargo test`, where the bench only has to work, not measure.
const TEST_MODE_DOCS: u64 = 2_000;
const BATCH: usize = 10_000;
const MARKER: &str = "complete";
/// Timed iterations per class in the percentile loop, after the warm-up.
const WARMUP_ITERS: usize = 20;
const TIMED_ITERS: usize = 200;

/// A query class: its name and the requests cycled through.
struct Class {
    name: &'static str,
    /// `q` (or a short label) of each request, for the report.
    labels: Vec<String>,
    requests: Vec<SearchRequest>,
    /// Aggregations: judged against the 50 ms target rather than the text targets.
    aggregation: bool,
}

fn request(json: Json) -> SearchRequest {
    SearchRequest::from_json(json.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("bad bench request {json}: {e}"))
}

fn text_class(name: &'static str, queries: &[&str]) -> Class {
    Class {
        name,
        labels: queries.iter().map(|q| q.to_string()).collect(),
        requests: queries.iter().map(|q| SearchRequest::text(*q)).collect(),
        aggregation: false,
    }
}

const EXACT: &[&str] = &["아이유 콘서트", "레미제라블", "방탄소년단", "부산 뮤지컬"];

fn classes() -> Vec<Class> {
    let filtered = [
        (
            "아이유 + genre any-of + date range",
            json!({"q": "아이유", "filter": {
                "genre": ["콘서트", "팬미팅"],
                "start_date": {"gte": "2025-01-01", "lt": "2026-01-01"}}}),
        ),
        (
            "뮤지컬 + genre + city + date range",
            json!({"q": "뮤지컬", "filter": {
                "genre": ["뮤지컬", "연극"], "city": "서울",
                "start_date": {"gte": "2025-06-01", "lt": "2025-09-01"}}}),
        ),
        (
            "browse: genre + date range, sort start_date",
            json!({"filter": {
                "genre": ["콘서트", "페스티벌"],
                "start_date": {"gte": "2025-06-01", "lt": "2025-09-01"}},
                "sort": [{"start_date": "asc"}]}),
        ),
    ];
    let aggregations = [
        (
            "per genre per month",
            json!({"aggs": {"per_genre": {
                "terms": {"field": "genre"},
                "aggs": {"per_month": {"date_histogram": {
                    "field": "start_date", "calendar_interval": "month"}}}}}}),
        ),
        (
            "price_min stats per city",
            json!({"aggs": {"per_city": {
                "terms": {"field": "city", "size": 20},
                "aggs": {"price": {"stats": {"field": "price_min"}}}}}}),
        ),
    ];
    let json_class = |name, aggregation, list: &[(&str, Json)]| Class {
        name,
        labels: list.iter().map(|(label, _)| label.to_string()).collect(),
        requests: list.iter().map(|(_, json)| request(json.clone())).collect(),
        aggregation,
    };
    vec![
        text_class("exact", EXACT),
        // Diagnostic: the exact queries without typo and prefix expansion, to separate
        // the cost of matching from the cost of expanding.
        Class {
            name: "exact_strict",
            labels: EXACT
                .iter()
                .map(|q| format!("{q} (fuzzy, prefix off)"))
                .collect(),
            requests: EXACT
                .iter()
                .map(|q| request(json!({"q": q, "fuzzy": "off", "prefix": false})))
                .collect(),
            aggregation: false,
        },
        text_class(
            "spacing",
            &["여름공연", "여름 공연", "아이유콘서트", "부산뮤지컬"],
        ),
        // Relaxed: a word no concert has (표), one the catalogue lacks (나훈아), and
        // more words than any one concert holds.
        text_class(
            "conversational",
            &[
                "아이유 콘서트 표 있어요",
                "나훈아 콘서트 어디서 해요",
                "레미제라블 표 구해요",
                "아이유 뮤지컬 서울 부산",
            ],
        ),
        text_class("typo", &["아이우", "레미제라불", "방탄소년딘"]),
        text_class("prefix", &["레미", "방탄소", "아이"]),
        text_class("chosung", &["ㅇㅇㅇ", "ㄹㅁㅈㄹㅂ", "ㅂㅌㅅㄴㄷ"]),
        // 아이유, 레미제라블, 방탄소년단 typed with a 2-beolsik layout left in Latin mode.
        text_class("keyboard", &["dkdldb", "fpalwpfkqmf", "qkdxksthsuseks"]),
        json_class("filtered", false, &filtered),
        json_class("aggregation", true, &aggregations),
    ]
}

/// Criterion runs benches without `--bench` under `cargo test`: one pass, no timing.
fn test_mode() -> bool {
    !std::env::args().any(|arg| arg == "--bench")
}

fn doc_count() -> u64 {
    match std::env::var("CHATDA_BENCH_DOCS") {
        Ok(value) => value
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("CHATDA_BENCH_DOCS must be a number, found {value:?}")),
        Err(_) if test_mode() => TEST_MODE_DOCS,
        Err(_) => DEFAULT_DOCS,
    }
}

fn data_dir(docs: u64) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target
        .join("bench-data")
        .join(format!("concerts-{docs}-seed{SEED}-versioned"))
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| match entry.metadata() {
                    Ok(meta) if meta.is_dir() => dir_size(&entry.path()),
                    Ok(meta) => meta.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// The cached index for `docs` documents, built first if it has no completion marker.
fn open_index(docs: u64) -> Engine {
    let dir = data_dir(docs);
    let marker = dir.join(MARKER);
    if marker.exists() {
        let note = std::fs::read_to_string(&marker).unwrap_or_default();
        eprintln!("reusing {} ({})", dir.display(), note.trim());
    } else {
        build_index(&dir, docs);
    }
    let engine = open_engine(&dir);
    let index = engine.index(KIND).expect("concerts index");
    let searcher = index.searcher();
    eprintln!(
        "index: {} live docs, {} segments, {:.1} MiB on disk ({})",
        searcher.num_docs(),
        searcher.segment_readers().len(),
        dir_size(&dir.join("indexes").join(KIND)) as f64 / (1024.0 * 1024.0),
        dir.join("indexes").join(KIND).display(),
    );
    engine
}

/// Opens the engine (async: it reads the catalog) on a runtime kept for the whole run,
/// without the result cache: the loops repeat their requests, and measure the search.
fn open_engine(dir: &Path) -> Engine {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    let runtime = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    });
    let search_threads = std::env::var("CHATDA_BENCH_SEARCH_THREADS").map_or(0, |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("CHATDA_BENCH_SEARCH_THREADS must be a number, found {v:?}"))
    });
    let config = EngineConfig {
        search_cache_bytes: 0,
        search_threads,
        ..EngineConfig::new(dir).expect("engine config")
    };
    runtime
        .block_on(Engine::with_config(config))
        .expect("open the bench index")
}

fn build_index(dir: &Path, docs: u64) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).expect("remove the incomplete bench index");
    }
    std::fs::create_dir_all(dir).expect("create the bench index directory");
    eprintln!("building {docs} concerts into {}", dir.display());
    let started = Instant::now();
    {
        let engine = open_engine(dir);
        let mut batch = Vec::with_capacity(BATCH);
        let mut done = 0u64;
        let mut last_report = 0u64;
        for concert in chatda::demo::concerts(SEED).take(docs as usize) {
            batch.push(concert.to_document());
            if batch.len() == BATCH {
                done += upsert(&engine, &batch);
                batch.clear();
                if done - last_report >= 100_000 {
                    last_report = done;
                    let secs = started.elapsed().as_secs_f64();
                    eprintln!(
                        "  {done} docs in {secs:.0} s ({:.0} docs/s)",
                        done as f64 / secs
                    );
                }
            }
        }
        done += upsert(&engine, &batch);
        engine.commit(KIND).expect("commit");
        assert_eq!(engine.index(KIND).expect("index").num_docs(), done);
    }
    let indexed = started.elapsed().as_secs_f64();
    // The engine's writer abandons merges in flight when dropped; let the default merge
    // policy finish its work, as it would on a long-running server.
    let settle = Instant::now();
    {
        let engine = open_engine(dir);
        let index = engine.index(KIND).expect("index");
        let mut writer: IndexWriter = index.tantivy().writer(50_000_000).expect("writer");
        writer.commit().expect("commit to start merges");
        writer.wait_merging_threads().expect("merges");
    }
    let settled = settle.elapsed().as_secs_f64();
    let note = format!(
        "{docs} docs indexed in {indexed:.1} s = {:.0} docs/s, merges settled in {settled:.1} s",
        docs as f64 / indexed
    );
    eprintln!("built: {note}");
    std::fs::write(dir.join(MARKER), format!("{note}\n")).expect("write the marker");
}

fn upsert(engine: &Engine, batch: &[Json]) -> u64 {
    let report = engine.upsert(KIND, batch).expect("upsert");
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    report.upserted as u64
}

/// Every class's first request must find something: fast-but-empty is not a result.
/// Returns every request's total, per class.
fn sanity_check(engine: &Engine, classes: &[Class]) -> Vec<Vec<u64>> {
    classes
        .iter()
        .map(|class| {
            let mut totals = Vec::new();
            for (i, (label, request)) in class.labels.iter().zip(&class.requests).enumerate() {
                let response = engine.search(KIND, request).expect("search");
                let total = response.total.value;
                if i == 0 {
                    assert!(
                        total > 0 && !response.hits.is_empty(),
                        "{}: first request {label:?} found nothing",
                        class.name
                    );
                    if class.aggregation {
                        assert!(response.aggregations.is_some(), "{}: no aggs", class.name);
                    }
                } else if total == 0 {
                    eprintln!("warning: {}: {label:?} found nothing", class.name);
                }
                totals.push(total);
            }
            totals
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e3
}

/// The same requests counting every match (`"track_total_hits": true`), for
/// `CHATDA_BENCH_EXACT_TOTALS=1`: timed interleaved with the default (capped) ones.
fn exact_totals(class: &Class) -> Vec<SearchRequest> {
    class
        .requests
        .iter()
        .map(|r| SearchRequest {
            track_total_hits: TrackTotal::Exact,
            ..r.clone()
        })
        .collect()
}

/// Plain single-threaded timing loop: p50/p99 per class, and p50 per request. With
/// `CHATDA_BENCH_EXACT_TOTALS=1`, each text class is also timed with exact totals, the
/// two interleaved request by request, and printed as `<class>=exact`.
fn percentiles(engine: &Engine, classes: &[Class], totals: &[Vec<u64>]) {
    let compare = std::env::var("CHATDA_BENCH_EXACT_TOTALS").is_ok_and(|v| v == "1");
    eprintln!(
        "\n{:<13} {:>8} {:>8} {:>8}  {:>22}  target",
        "class", "p50_ms", "p99_ms", "max_ms", "hits_total_first_query"
    );
    let mut per_request = Vec::new();
    for (class, totals) in classes.iter().zip(totals) {
        let n = class.requests.len();
        let twin = (compare && !class.aggregation).then(|| exact_totals(class));
        for i in 0..WARMUP_ITERS {
            black_box(engine.search(KIND, &class.requests[i % n]).expect("search"));
        }
        let mut all = Vec::with_capacity(TIMED_ITERS);
        let mut twin_times = Vec::with_capacity(TIMED_ITERS);
        let mut by_request = vec![Vec::new(); n];
        for i in 0..TIMED_ITERS {
            let started = Instant::now();
            black_box(engine.search(KIND, &class.requests[i % n]).expect("search"));
            let took = started.elapsed();
            all.push(took);
            by_request[i % n].push(took);
            if let Some(twin) = &twin {
                let started = Instant::now();
                black_box(engine.search(KIND, &twin[i % n]).expect("search"));
                twin_times.push(started.elapsed());
            }
        }
        if !twin_times.is_empty() {
            twin_times.sort();
            eprintln!(
                "{:<13} {:>8.3} {:>8.3} {:>8.3}",
                format!("{}=exact", class.name),
                percentile(&twin_times, 0.50),
                percentile(&twin_times, 0.99),
                twin_times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
            );
        }
        all.sort();
        let (p50, p99) = (percentile(&all, 0.50), percentile(&all, 0.99));
        let met = if class.aggregation {
            p99 < 50.0
        } else {
            p50 < 2.0 && p99 < 10.0
        };
        let target = if class.aggregation {
            "< 50 ms"
        } else {
            "p50 < 2, p99 < 10"
        };
        eprintln!(
            "{:<13} {p50:>8.3} {p99:>8.3} {:>8.3}  {:>22}  {target}: {}",
            class.name,
            all.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
            totals[0],
            if met { "ok" } else { "MISSED" }
        );
        for ((label, mut times), total) in class.labels.iter().zip(by_request).zip(totals) {
            times.sort();
            per_request.push((class.name, label, percentile(&times, 0.5), *total));
        }
    }
    eprintln!("\nper request:  p50_ms  hits_total  request");
    for (class, label, p50, total) in per_request {
        eprintln!("  {class:<13} {p50:>8.3} {total:>10}  {label}");
    }
    eprintln!();
}

fn bench(c: &mut Criterion) {
    let docs = doc_count();
    let engine = open_index(docs);
    let classes = classes();
    let totals = sanity_check(&engine, &classes);
    if !test_mode() {
        percentiles(&engine, &classes, &totals);
    }

    let mut group = c.benchmark_group("query");
    // Requests take milliseconds to tens of milliseconds: flat sampling (the same
    // iteration count per sample) keeps 20 samples within a few seconds.
    group.sample_size(20);
    group.sampling_mode(SamplingMode::Flat);
    for class in &classes {
        group.measurement_time(Duration::from_secs(if class.aggregation { 6 } else { 3 }));
        let mut next = 0;
        group.bench_function(class.name, |b| {
            b.iter(|| {
                let request = &class.requests[next % class.requests.len()];
                next += 1;
                engine
                    .search(KIND, black_box(request))
                    .expect("search")
                    .total
                    .value
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
