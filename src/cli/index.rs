//! `chatda index`: build (or add to) a kind's index from JSON lines.

use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

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
    let app = super::common::app(settings).await?;
    let input: Box<dyn Read + Send> = if args.file.as_os_str() == "-" {
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
    let bar = progress.clone();
    let report = app
        .index_lines(
            &args.kind,
            BufReader::new(input),
            args.batch_size,
            move |n| bar.set_position(n),
        )
        .await?;
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
        app.docs(&args.kind)?
    );
    Ok(())
}
