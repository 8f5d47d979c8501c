//! `chatda index`: build (or add to) a kind's index from JSON lines.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::engine::Engine;

/// Arguments of `chatda index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The document kind (`concerts`, `tickets`).
    pub kind: String,
    /// A file of JSON documents, one per line, or `-` for standard input.
    pub file: PathBuf,
    /// Data directory holding the indexes.
    #[arg(long, env = "CHATDA_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Documents per write batch.
    #[arg(long, default_value_t = 5_000)]
    pub batch_size: usize,
}

/// Runs `chatda index`. Bad lines are reported on stderr (line, field, reason) and
/// skipped; the documents that passed are committed even when some lines failed.
pub async fn run(args: IndexArgs) -> anyhow::Result<()> {
    let engine = Engine::open(&args.data_dir)
        .await
        .with_context(|| format!("cannot open the indexes in {}", args.data_dir.display()))?;
    let index = engine.index(&args.kind)?;
    let input: Box<dyn Read> = if args.file.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(&args.file)
                .with_context(|| format!("cannot read {}", args.file.display()))?,
        )
    };
    let progress = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {human_pos} documents, {per_sec} [{elapsed}]")
            .expect("a valid template"),
    );
    let started = Instant::now();
    let batch_size = args.batch_size.max(1);
    let mut batch = Vec::with_capacity(batch_size);
    let mut batch_lines = Vec::with_capacity(batch_size);
    let (mut indexed, mut bad) = (0u64, 0u64);
    let flush = |batch: &mut Vec<serde_json::Value>, lines: &mut Vec<u64>| {
        let report = index.upsert(batch)?;
        for rejected in &report.rejected {
            for error in &rejected.errors {
                progress.suspend(|| eprintln!("line {}: {error}", lines[rejected.index]));
            }
        }
        progress.inc(batch.len() as u64);
        batch.clear();
        lines.clear();
        anyhow::Ok((report.upserted as u64, report.rejected.len() as u64))
    };
    for (i, line) in BufReader::new(input).lines().enumerate() {
        let number = i as u64 + 1;
        let line = line.with_context(|| format!("cannot read line {number}"))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(&line) {
            Ok(doc) => {
                batch.push(doc);
                batch_lines.push(number);
            }
            Err(e) => {
                bad += 1;
                progress.suspend(|| eprintln!("line {number}: not JSON: {e}"));
            }
        }
        if batch.len() == batch_size {
            let (ok, rejected) = flush(&mut batch, &mut batch_lines)?;
            (indexed, bad) = (indexed + ok, bad + rejected);
        }
    }
    let (ok, rejected) = flush(&mut batch, &mut batch_lines)?;
    (indexed, bad) = (indexed + ok, bad + rejected);
    index.commit()?;
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{}: indexed {indexed} documents, skipped {bad} bad lines, in {seconds:.1} s ({:.0} docs/s); the index holds {} documents",
        args.kind,
        indexed as f64 / seconds.max(1e-9),
        index.num_docs()
    );
    Ok(())
}
