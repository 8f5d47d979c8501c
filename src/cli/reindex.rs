//! `chatda reindex KIND`: rebuild a kind's index from the source into a new version.

use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::common::DataArgs;
use crate::pipeline::{self, ReindexOptions};

/// Arguments of `chatda reindex`.
#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// The kind to rebuild (concerts, tickets).
    pub kind: String,
    #[command(flatten)]
    data: DataArgs,
    /// Rows per source page.
    #[arg(long, default_value_t = ReindexOptions::default().batch_size)]
    pub batch_size: usize,
    /// Build and catch up the new version but leave the alias where it is
    /// (`chatda alias swap` serves it later).
    #[arg(long)]
    pub no_swap: bool,
    /// Older versions kept for rollback.
    #[arg(long, default_value_t = ReindexOptions::default().keep_versions)]
    pub keep: usize,
    /// tantivy indexing threads (analysis runs on every core regardless).
    #[arg(long, default_value_t = ReindexOptions::default().writer_threads)]
    pub writer_threads: usize,
    /// tantivy writer memory budget, MiB.
    #[arg(long, default_value_t = ReindexOptions::default().writer_memory >> 20)]
    pub writer_memory_mb: usize,
    /// Attempts per source call before the job fails.
    #[arg(long, default_value_t = ReindexOptions::default().retry_attempts)]
    pub retries: usize,
    /// Rows between checkpoint commits: a job resumed after a crash redoes at most this many.
    #[arg(long, default_value_t = ReindexOptions::default().checkpoint_rows)]
    pub checkpoint_rows: u64,
}

/// Runs `chatda reindex`; fails (exit 1) unless the job succeeds.
pub async fn run(args: ReindexArgs) -> anyhow::Result<()> {
    let engine = std::sync::Arc::new(args.data.engine().await?);
    // Ctrl-C or SIGTERM stops the job at its next step; it resumes at the next reindex.
    let stopper = {
        let engine = engine.clone();
        tokio::spawn(async move {
            super::serve::shutdown_signal().await;
            engine.stop_jobs();
        })
    };
    let source = args.data.source().await?;
    let options = ReindexOptions {
        batch_size: args.batch_size,
        swap: !args.no_swap,
        keep_versions: args.keep,
        writer_threads: args.writer_threads.max(1),
        writer_memory: args.writer_memory_mb.max(16) << 20,
        retry_attempts: args.retries.max(1),
        checkpoint_rows: args.checkpoint_rows.max(1),
        ..ReindexOptions::default()
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "{spinner} {msg:12} [{bar:30}] {pos}/{len} rows, {per_sec}, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let result = pipeline::reindex(&engine, &source, &args.kind, &options, |p| {
        if let Some(total) = p.total {
            bar.set_length(total.max(p.processed) as u64);
        }
        bar.set_position(p.processed as u64);
        bar.set_message(p.stage);
    })
    .await;
    stopper.abort();
    bar.finish_and_clear();
    let report = result?;
    let secs = report.elapsed.as_secs_f64();
    if let Some(from) = &report.resumed_from {
        println!("resumed job {} after row id {from}", report.job_id);
    }
    println!(
        "{}: version {} built with {} documents; {} bad rows skipped; {} changes caught up; {:.1} s, {:.0} docs/s",
        args.kind,
        report.version,
        report.docs,
        report.failed_rows,
        report.caught_up,
        secs,
        report.docs as f64 / secs.max(1e-3),
    );
    if report.failed_rows > 0 {
        println!("bad rows: chatda jobs show {}", report.job_id);
    }
    if report.swapped {
        println!("alias {} now serves version {}", args.kind, report.version);
    } else {
        println!(
            "alias unchanged; serve it with: chatda alias swap {} {}",
            args.kind, report.version
        );
    }
    if !report.deleted_versions.is_empty() {
        println!("deleted old versions {:?}", report.deleted_versions);
    }
    Ok(())
}
