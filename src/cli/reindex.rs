//! `chatda reindex KIND`: rebuild a kind's index from the source into a new version.

use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::settings::Settings;

/// Arguments of `chatda reindex`.
#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// The kind to rebuild (concerts, tickets).
    pub kind: String,
    /// Build and catch up the new version but leave the alias where it is
    /// (`chatda alias swap` serves it later).
    #[arg(long)]
    pub no_swap: bool,
}

/// Runs `chatda reindex`; fails (exit 1) unless the job succeeds.
pub async fn run(args: ReindexArgs, settings: &Settings) -> anyhow::Result<()> {
    let app = std::sync::Arc::new(super::common::app(settings).await?);
    // Ctrl-C or SIGTERM stops the job at its next step; it resumes at the next reindex.
    let stopper = {
        let app = app.clone();
        tokio::spawn(async move {
            super::serve::shutdown_signal().await;
            app.stop();
        })
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "{spinner} {msg:12} [{bar:30}] {pos}/{len} rows, {per_sec}, ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let result = app
        .reindex(&args.kind, !args.no_swap, |p| {
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
