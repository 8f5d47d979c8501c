//! Arguments shared by the commands that touch the data directory and the source.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::config::{KindSelect, selects};
use crate::engine::{Engine, EngineConfig};
use crate::schema::Zone;
use crate::source::{Source, default_url};

/// `--data-dir` and `--source`.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Data directory: indexes, catalog.db and (by default) the SQLite source.
    #[arg(long, env = "CHATDA_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Source database URL: sqlite://PATH or postgres://USER@HOST/DB
    /// [default: sqlite://<data-dir>/source.db]
    #[arg(long = "source", env = "CHATDA_SOURCE_URL", global = true)]
    pub source_url: Option<String>,
    /// A kind's SELECT for your own tables, as KIND=SQL (repeatable).
    #[arg(long = "select", value_name = "KIND=SQL", global = true)]
    pub select: Vec<KindSelect>,
    /// Time zone of bare dates in requests that name none [default: UTC].
    #[arg(long, env = "CHATDA_TIME_ZONE", global = true)]
    pub time_zone: Option<String>,
}

impl DataArgs {
    /// The source URL, defaulted.
    pub fn url(&self) -> String {
        self.source_url
            .clone()
            .unwrap_or_else(|| default_url(&self.data_dir))
    }

    /// Connects to the source.
    pub async fn source(&self) -> anyhow::Result<Source> {
        let url = self.url();
        Source::connect(&url, selects(&self.select))
            .await
            .with_context(|| format!("cannot connect to the source {url}"))
    }

    /// Opens the engine on the data directory.
    pub async fn engine(&self) -> anyhow::Result<Engine> {
        let mut config = EngineConfig::new(&self.data_dir)?;
        if let Some(zone) = &self.time_zone {
            config.time_zone =
                Zone::parse(zone).map_err(|e| anyhow::anyhow!("--time-zone: {e}"))?;
        }
        Engine::with_config(config)
            .await
            .with_context(|| format!("cannot open the indexes in {}", self.data_dir.display()))
    }
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
