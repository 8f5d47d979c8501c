//! The service without its HTTP front: what `chatda serve` does before it listens —
//! data directory, source migrations, demo rows for an empty source, first indexes —
//! and the follower it runs while serving.

use std::sync::Arc;

use crate::catalog::STALE_AFTER_MS;
use crate::engine::{Engine, EngineError};
use crate::pipeline::{self, PipelineError};
use crate::settings::Settings;
use crate::source::{Source, SourceError, seed_demo};

/// Errors while preparing the service.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A setting is wrong.
    #[error(transparent)]
    Config(#[from] crate::settings::SettingsError),
    /// The indexes or catalog cannot be opened.
    #[error("cannot open the data directory {dir}: {source}")]
    Engine {
        /// The directory.
        dir: String,
        /// Why.
        source: EngineError,
    },
    /// The source cannot be reached or migrated.
    #[error("source {url}: {source}")]
    Source {
        /// The URL.
        url: String,
        /// Why.
        source: SourceError,
    },
    /// Building a first index failed.
    #[error("building the {kind} index failed: {source}")]
    Reindex {
        /// The kind.
        kind: String,
        /// Why.
        source: PipelineError,
    },
}

/// In the data directory while demo seeding has not finished.
const SEEDING_MARKER: &str = "demo-seeding.unfinished";

/// Whether another process is running `job`: its heartbeat moves. A job left by a
/// process that just died looks alive until its heartbeat is stale, so watch it that
/// long rather than leave it for nobody to resume.
async fn still_running(catalog: &crate::catalog::Catalog, job: &crate::catalog::Job) -> bool {
    let deadline = job.heartbeat_at + STALE_AFTER_MS + 500;
    loop {
        match catalog.job(job.id).await {
            Ok(now) if now.state != crate::catalog::JobState::Running => return false,
            Ok(now) if now.heartbeat_at != job.heartbeat_at => return true,
            Ok(now) if now.is_stale(STALE_AFTER_MS) => return false,
            Ok(_) => {}
            Err(_) => return false,
        }
        if crate::catalog::now_ms() > deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// Opens the engine and the source, migrates the source, seeds an empty one with demo
/// rows (unless `config.no_demo`), and builds every kind whose live version has never
/// been fed from the source (or resumes a reindex a crash left behind). Logs progress.
pub async fn prepare(config: &Settings) -> Result<(Arc<Engine>, Source), ServiceError> {
    let dir = config.data_dir();
    let engine = Engine::with_config(config.engine_config()?)
        .await
        .map_err(|source| ServiceError::Engine {
            dir: dir.display().to_string(),
            source,
        })?;
    let url = config.source_url();
    let source_error = |source| ServiceError::Source {
        url: url.clone(),
        source,
    };
    let source = Source::connect(&url, config.selects())
        .await
        .map_err(source_error)?;
    source.migrate().await.map_err(source_error)?;
    let mut empty = true;
    for kind in engine.kinds() {
        empty &= source
            .count(engine.spec(&kind).map_err(|e| ServiceError::Engine {
                dir: dir.display().to_string(),
                source: e,
            })?)
            .await
            .map_err(source_error)?
            == 0;
    }
    // Seeding writes in chunks; a marker file says it has not finished, so a seeding
    // stopped half-way (the source no longer empty) is completed at the next start.
    let unfinished = dir.join(SEEDING_MARKER);
    if (empty || unfinished.exists()) && !config.no_demo {
        let (concerts, tickets) = config.demo_rows();
        tracing::info!(concerts, tickets, %url, "the source is empty: writing generated demo rows (--no-demo turns this off)");
        let io_error = |e: std::io::Error| ServiceError::Engine {
            dir: dir.display().to_string(),
            source: EngineError::Index(crate::index::IndexError::Io {
                path: unfinished.display().to_string(),
                reason: e,
            }),
        };
        std::fs::write(&unfinished, b"demo seeding started\n").map_err(io_error)?;
        seed_demo(&source, concerts, tickets, 42, |_| {})
            .await
            .map_err(source_error)?;
        std::fs::remove_file(&unfinished).map_err(io_error)?;
    }
    let options = config.reindex_options();
    let catalog = engine.catalog().expect("opened on a directory");
    for kind in engine.kinds() {
        let live = engine.live(&kind).expect("a listed kind");
        let fed = catalog
            .version(&kind, live.version)
            .await
            .ok()
            .flatten()
            .and_then(|v| v.sync_cursor)
            .is_some();
        match catalog.active_job(&kind).await.ok().flatten() {
            // A reindex running in another process: serve what is live meanwhile.
            Some(job) if still_running(catalog, &job).await => {
                tracing::info!(
                    kind,
                    job = job.id,
                    "a reindex is running elsewhere; serving the live version meanwhile"
                );
                continue;
            }
            // Left running by a crash: resume it below.
            Some(_) => {}
            None if fed => continue,
            None => {}
        }
        tracing::info!(kind, "building the index from the source");
        let mut last_log = std::time::Instant::now();
        let report = pipeline::reindex(&engine, &source, &kind, &options, |p| {
            if last_log.elapsed().as_secs() >= 2 {
                last_log = std::time::Instant::now();
                tracing::info!(kind = %kind, rows = p.processed, total = ?p.total, rate = p.rate as u64, stage = p.stage, "indexing");
            }
        })
        .await
        .map_err(|source| ServiceError::Reindex {
            kind: kind.clone(),
            source,
        })?;
        tracing::info!(
            kind,
            docs = report.docs,
            bad_rows = report.failed_rows,
            secs = report.elapsed.as_secs_f64(),
            version = report.version,
            "index ready"
        );
    }
    for warning in engine.analyzer_mismatches() {
        tracing::warn!("{warning}");
    }
    Ok((Arc::new(engine), source))
}
