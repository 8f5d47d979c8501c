//! `chatda migrate`: apply the source migrations.

use anyhow::Context;
use clap::Args;

use super::common::DataArgs;

/// Arguments of `chatda migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    data: DataArgs,
}

/// Runs `chatda migrate`.
pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let source = args.data.source().await?;
    source
        .migrate()
        .await
        .with_context(|| format!("cannot migrate {}", args.data.url()))?;
    println!("source {} is up to date", args.data.url());
    Ok(())
}
