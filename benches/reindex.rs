//! End-to-end reindex throughput from SQLite, against analysis alone on the same rows.
//!
//! ```sh
//! cargo bench --bench reindex                              # 1,000,000 concerts
//! CHATDA_BENCH_ROWS=100000 cargo bench --bench reindex     # memory flatness: compare peak RSS
//! CHATDA_BENCH_KIND=tickets cargo bench --bench reindex    # 1,000,000 support tickets
//! ```
//!
//! The SQLite source is generated once per kind and size into
//! `target/bench-data/source-<N>-seed42` (concerts) or `…/tickets-<N>-seed42`.
//! Each run (1) reindexes it into a fresh data directory with the default options and
//! reports docs/s and the process's peak RSS (VmHWM) after it, then (2) streams the same
//! rows through validation + analysis only (rayon, every core) and reports docs/s of the
//! compute alone. The ratio (1)/(2) is the pipeline's efficiency. Under `cargo test` it
//! runs on 2,000 rows as a smoke test.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chatda::engine::Engine;
use chatda::pipeline::{self, ReindexOptions};
use chatda::source::{Source, decode_rows, default_url, seed_demo};
use rayon::prelude::*;

const SEED: u64 = 42;

// The allocator the `chatda` binary ships with (src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let rows: u64 = std::env::var("CHATDA_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke { 2_000 } else { 1_000_000 });
    let kind = std::env::var("CHATDA_BENCH_KIND").unwrap_or_else(|_| "concerts".into());
    assert!(
        kind == "concerts" || kind == "tickets",
        "CHATDA_BENCH_KIND must be concerts or tickets, found {kind}"
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(run(&kind, rows));
}

async fn run(kind: &str, rows: u64) {
    let name = match kind {
        "concerts" => format!("source-{rows}-seed{SEED}"),
        _ => format!("{kind}-{rows}-seed{SEED}"),
    };
    let source_dir = target().join("bench-data").join(name);
    let url = default_url(&source_dir);
    let source = Source::connect(&url, Default::default())
        .await
        .expect("source");
    if !source_dir.join("complete").exists() {
        eprintln!("generating {rows} {kind} into {url}");
        let started = Instant::now();
        source.migrate().await.expect("migrate");
        let (concerts, tickets) = if kind == "concerts" {
            (rows, 0)
        } else {
            (0, rows)
        };
        seed_demo(&source, concerts, tickets, SEED, |_| {})
            .await
            .expect("seed");
        std::fs::write(source_dir.join("complete"), "").expect("marker");
        eprintln!("  {:.0} s", started.elapsed().as_secs_f64());
    }

    let data = tempfile::tempdir_in(target()).expect("data dir");
    let engine = Engine::open(data.path()).await.expect("engine");
    let cpu_before = cpu_secs();
    let started = Instant::now();
    let report = pipeline::reindex(&engine, &source, kind, &ReindexOptions::default(), |_| {})
        .await
        .expect("reindex");
    let pipeline_secs = started.elapsed().as_secs_f64();
    let cpu_after = cpu_secs();
    let peak_rss = peak_rss_mib();
    let pipeline_rate = report.docs as f64 / pipeline_secs;

    let spec = engine.spec(kind).expect("spec").clone();
    let index = engine.index(kind).expect("index");
    let mut compute = Duration::ZERO;
    let mut after: Option<String> = None;
    let mut analyzed = 0usize;
    loop {
        let page = source
            .page(&spec, after.as_deref(), 2_000)
            .await
            .expect("page");
        let Some(last) = page.last() else { break };
        after = Some(chatda::source::decode_row(&spec, last).id);
        let t = Instant::now();
        let decoded = decode_rows(&spec, &page);
        analyzed += decoded
            .par_iter()
            .filter(|row| row.doc.as_ref().is_ok_and(|doc| index.prepare(doc).is_ok()))
            .count();
        compute += t.elapsed();
    }
    let analysis_rate = analyzed as f64 / compute.as_secs_f64();
    println!(
        "reindex {rows} {kind}: {} docs in {pipeline_secs:.1} s = {pipeline_rate:.0} docs/s, peak RSS {peak_rss:.0} MiB",
        report.docs
    );
    println!(
        "  process CPU during the reindex: user {:.1} s, sys {:.1} s",
        cpu_after.0 - cpu_before.0,
        cpu_after.1 - cpu_before.1
    );
    println!(
        "analysis only (decode + validate + analyze, {} threads): {analysis_rate:.0} docs/s; pipeline/analysis = {:.2}",
        rayon::current_num_threads(),
        pipeline_rate / analysis_rate
    );
    println!(
        "index size {:.0} MiB, {} segments",
        dir_size(data.path()) as f64 / 1048576.0,
        index
            .tantivy()
            .searchable_segment_metas()
            .map_or(0, |metas| metas.len())
    );
}

fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// User and system CPU seconds this process has used (Linux `/proc/self/stat`, in
/// clock ticks of 1/100 s); zeros elsewhere.
fn cpu_secs() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which may hold spaces) start at ") ".
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are the 14th and 15th fields, 12th and 13th after the name.
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// Peak resident set size of this process (Linux `VmHWM`), MiB; 0 elsewhere.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
