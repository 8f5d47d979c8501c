//! `chatda migrate`: apply the source migrations.

use anyhow::Context;
use clap::Args;

use crate::settings::Settings;

/// Arguments of `chatda migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {}

/// Runs `chatda migrate`.
pub async fn run(_args: MigrateArgs, settings: &Settings) -> anyhow::Result<()> {
    super::common::app(settings)
        .await?
        .migrate()
        .await
        .with_context(|| format!("cannot migrate {}", settings.source_url()))?;
    println!("source {} is up to date", settings.source_url());
    Ok(())
}
