//! What the commands share: the engine and the source, opened as the settings say.

use anyhow::Context;

use crate::engine::Engine;
use crate::settings::Settings;
use crate::source::Source;

/// Opens the engine as the settings say (data directory, kinds, analyzer files, time
/// zone), warning when an index was built with other analyzer files.
pub async fn engine(settings: &Settings) -> anyhow::Result<Engine> {
    let config = settings.engine_config()?;
    let engine = Engine::with_config(config).await.with_context(|| {
        format!(
            "cannot open the indexes in {}",
            settings.data_dir().display()
        )
    })?;
    for warning in engine.analyzer_mismatches() {
        eprintln!("warning: {warning}");
    }
    Ok(engine)
}

/// Connects to the source.
pub async fn source(settings: &Settings) -> anyhow::Result<Source> {
    let url = settings.source_url();
    Source::connect(&url, settings.selects())
        .await
        .with_context(|| format!("cannot connect to the source {url}"))
}

/// Formats unix milliseconds as an RFC 3339 UTC time.
pub fn time_of(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}
