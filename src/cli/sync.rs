//! `chatda sync`: follow the source's change log until Ctrl-C.

use clap::Args;

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
    let app = super::common::app(settings).await?;
    if args.errors {
        let errors = app.all_sync_errors().await?;
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
        let r = app.retry_sync_errors(kind).await?;
        println!(
            "{kind}: retried {} rows, {} resolved, {} still failing",
            r.retried, r.resolved, r.still_failing
        );
        return Ok(());
    }
    if args.once {
        for (kind, total) in app.sync_once().await? {
            println!("{kind}: {total} changes applied");
        }
        return Ok(());
    }
    eprintln!(
        "following the change log of {}; Ctrl-C stops",
        settings.source_url()
    );
    let _ = app
        .follow(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    Ok(())
}
