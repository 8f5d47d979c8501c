//! What the commands share: the application, opened as the settings say.

use anyhow::Context;

use crate::app::App;
use crate::settings::Settings;

/// Opens the application (data directory, source, kinds, analyzer files, time zone),
/// warning when an index was built with other analyzer files than these.
pub async fn app(settings: &Settings) -> anyhow::Result<App> {
    let app = App::open(settings.clone()).await.with_context(|| {
        format!(
            "cannot open the data directory {} or the source {}",
            settings.data_dir().display(),
            settings.source_url()
        )
    })?;
    for warning in app.engine().analyzer_mismatches() {
        eprintln!("warning: {warning}");
    }
    Ok(app)
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
