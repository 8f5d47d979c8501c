//! `chatda sync`: follow the source's change log until Ctrl-C.

use std::sync::Arc;

use clap::Args;

use crate::pipeline::{self, SyncOptions};
use crate::settings::Settings;

/// Arguments of `chatda sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Apply what is pending once and exit.
    #[arg(long)]
    pub once: bool,
    /// List the source rows the follower could not index, and exit.
    #[arg(long, conflicts_with_all = ["once", "retry"])]
    pub errors: bool,
    /// Read the failed rows of KIND again, index those that now pass, and exit.
    #[arg(long, value_name = "KIND")]
    pub retry: Option<String>,
}

/// Runs `chatda sync`.
pub async fn run(args: SyncArgs, settings: &Settings) -> anyhow::Result<()> {
    let engine = Arc::new(super::common::engine(settings).await?);
    let source = super::common::source(settings).await?;
    let options = SyncOptions::default();
    if args.errors {
        let errors = engine.catalog()?.sync_errors(None, i64::MAX).await?;
        for e in &errors {
            println!(
                "{} {}: {}: {} ({} attempts, last {})",
                e.kind,
                e.row_id,
                e.field,
                e.reason,
                e.attempts,
                super::common::time_of(e.last_at)
            );
        }
        println!("{} rows failing", errors.len());
        return Ok(());
    }
    if let Some(kind) = &args.retry {
        let r = pipeline::retry_sync_errors(&engine, &source, kind).await?;
        println!(
            "{kind}: retried {} rows, {} resolved, {} still failing",
            r.retried, r.resolved, r.still_failing
        );
        return Ok(());
    }
    if args.once {
        for kind in engine.kinds() {
            let mut gaps = Default::default();
            let mut total = 0;
            loop {
                let n = pipeline::sync_once(&engine, &source, &kind, &options, &mut gaps).await?;
                if n == 0 {
                    break;
                }
                total += n;
            }
            println!("{kind}: {total} changes applied");
        }
        return Ok(());
    }
    eprintln!(
        "following the change log of {}; Ctrl-C stops",
        settings.source_url()
    );
    pipeline::follow(engine, source, options, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}
