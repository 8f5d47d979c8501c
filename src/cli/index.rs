//! `chatda index`: build (or add to) a kind's index from JSON lines.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::index::Ingest;
use crate::settings::Settings;

/// Arguments of `chatda index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The document kind (`concerts`, `tickets`).
    pub kind: String,
    /// A file of JSON documents, one per line, or `-` for standard input.
    pub file: PathBuf,
    /// Documents analysed together (in parallel) per write batch.
    #[arg(long, default_value_t = 2_000)]
    pub batch_size: usize,
}

/// Runs `chatda index`: the same line handling as `POST …/documents` (upserts and
/// `{"delete": ID}` lines, analysed in parallel). Bad lines are skipped and the first
/// hundred reported on stderr (line, field, reason); the rest is committed.
pub async fn run(args: IndexArgs, settings: &Settings) -> anyhow::Result<()> {
    let engine = super::common::engine(settings).await?;
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
        ProgressStyle::with_template("{spinner} {human_pos} lines, {per_sec} [{elapsed}]")
            .expect("a valid template"),
    );
    let started = Instant::now();
    let mut ingest = Ingest::new(&index, args.batch_size);
    for (i, line) in BufReader::new(input).lines().enumerate() {
        let number = i as u64 + 1;
        let line = line.with_context(|| format!("cannot read line {number}"))?;
        ingest.line(number, &line)?;
        progress.inc(1);
    }
    let report = ingest.finish()?;
    index.commit()?;
    progress.finish_and_clear();
    for error in &report.errors {
        eprintln!("line {}: {}", error.line, error.message);
    }
    if report.errors_omitted > 0 {
        eprintln!("… and {} more bad lines", report.errors_omitted);
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{}: indexed {} documents, skipped {} bad lines, applied {} deletes, in {seconds:.1} s ({:.0} docs/s); the index holds {} documents",
        args.kind,
        report.upserted,
        report.failed,
        report.deleted,
        report.upserted as f64 / seconds.max(1e-9),
        index.num_docs()
    );
    Ok(())
}
