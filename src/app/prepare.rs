//! What the service does before it answers: open the data directory and the source,
//! migrate the source, seed an empty one with demo rows, build the first indexes.

use crate::catalog::STALE_AFTER_MS;
use crate::engine::Engine;
use crate::pipeline;
use crate::pipeline::ReindexOptions;
use crate::settings::Settings;
use crate::source::{Source, seed_demo};

use super::AppError;

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

/// Opens the engine and the source as the settings say.
pub(super) async fn open(settings: &Settings) -> Result<(Engine, Source), AppError> {
    let engine = Engine::with_config(settings.engine_config()?).await?;
    let url = settings.source_url();
    let source = Source::connect(&url, settings.selects())
        .await
        .map_err(|source| AppError::Source { url, source })?;
    Ok((engine, source))
}

/// Migrates the source, seeds an empty one with demo rows (unless `no_demo`), and builds
/// every kind whose live version has never been fed from the source (or resumes a
/// reindex a crash left behind). Logs progress.
pub(super) async fn prepare(
    settings: &Settings,
    engine: &Engine,
    source: &Source,
) -> Result<(), AppError> {
    let dir = settings.data_dir();
    let url = settings.source_url();
    let source_error = |source| AppError::Source {
        url: url.clone(),
        source,
    };
    source.migrate().await.map_err(source_error)?;
    let mut empty = true;
    for kind in engine.kinds() {
        empty &= source
            .count(engine.spec(&kind)?)
            .await
            .map_err(source_error)?
            == 0;
    }
    // Seeding writes in chunks; a marker file says it has not finished, so a seeding
    // stopped half-way (the source no longer empty) is completed at the next start.
    let unfinished = dir.join(SEEDING_MARKER);
    if (empty || unfinished.exists()) && !settings.no_demo {
        let (concerts, tickets) = settings.demo_rows();
        tracing::info!(concerts, tickets, %url, "the source is empty: writing generated demo rows (--no-demo turns this off)");
        let io_error = |reason: std::io::Error| AppError::Io {
            path: unfinished.display().to_string(),
            reason,
        };
        std::fs::write(&unfinished, b"demo seeding started\n").map_err(io_error)?;
        seed_demo(source, concerts, tickets, 42, |_| {})
            .await
            .map_err(source_error)?;
        std::fs::remove_file(&unfinished).map_err(io_error)?;
    }
    // A failed first build stops the start: no retries.
    let options = ReindexOptions {
        job_attempts: 1,
        ..settings.reindex_options()
    };
    let catalog = engine.catalog()?;
    for kind in engine.kinds() {
        let live = engine.live(&kind)?;
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
        let report = pipeline::reindex(engine, source, &kind, &options, |p| {
            if last_log.elapsed().as_secs() >= 2 {
                last_log = std::time::Instant::now();
                tracing::info!(kind = %kind, rows = p.processed, total = ?p.total, rate = p.rate as u64, stage = p.stage, "indexing");
            }
        })
        .await
        .map_err(|source| AppError::Prepare {
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
    Ok(())
}
