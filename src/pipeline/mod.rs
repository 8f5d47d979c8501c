//! The reindex pipeline and the change-log follower.
//!
//! A reindex of a kind: record the change log's high-water mark → build a new index
//! version from the source (keyset pages, read ahead by one task; rows decoded, validated
//! and analyzed in parallel on rayon; added to a tantivy writer with an explicit thread
//! count and memory budget; committed at checkpoints) → apply every change logged since
//! the mark → mark the version ready → swap the alias → delete expired versions.
//!
//! Failure rules: a bad row is recorded in the job's error report and skipped; a source
//! error is retried with exponential backoff, and when retries run out the job fails and
//! the live version is untouched (the new one is marked failed). A job left `running` by
//! a dead process (no heartbeat for [`STALE_AFTER_MS`]) is **resumed from its checkpoint**
//! by the next reindex of the kind: everything up to the checkpoint is committed in the
//! version directory, so only the rest is read again.

mod build;
mod changes;
mod error;
mod options;
mod overlay;
mod phase;
mod retry;
mod sync;

use std::time::Duration;

pub use changes::{Applied, apply_changes};
pub use error::PipelineError;
pub(crate) use error::internal;
pub use options::{MAX_BATCH_SIZE, Progress, ReindexOptions, ReindexReport};
pub use overlay::{apply_pushed, push_lines, reapply_pushed};
pub use sync::{Retried, SyncOptions, follow, retry_sync_errors, sync_once};

use crate::catalog::{CatalogError, Job, JobState, NewJob, STALE_AFTER_MS};
use crate::engine::Engine;
use crate::source::Source;
use retry::retry;

/// Rebuilds `kind` from `source` into a new version (see the module docs): [`start`]
/// then [`run_job`]. `progress` is called at least every second.
pub async fn reindex(
    engine: &Engine,
    source: &Source,
    kind: &str,
    options: &ReindexOptions,
    progress: impl FnMut(&Progress) + Send,
) -> Result<ReindexReport, PipelineError> {
    let job = start(engine, source, kind, options).await?;
    run_job(engine, source, &job, options, progress).await
}

/// Claims the job of a reindex of `kind`: a new one, or the one a dead process left
/// running (resumed from its checkpoint). Refuses if a live job of the kind runs.
pub async fn start(
    engine: &Engine,
    source: &Source,
    kind: &str,
    options: &ReindexOptions,
) -> Result<Job, PipelineError> {
    options.check()?;
    let spec = engine.spec(kind)?.clone();
    let catalog = engine.catalog()?;
    match catalog.active_job(kind).await? {
        Some(job) if job.is_stale(STALE_AFTER_MS) && catalog.take_over(&job).await? => {
            tracing::warn!(job = job.id, checkpoint = ?job.checkpoint, "resuming a reindex its process left running");
            Ok(job)
        }
        Some(job) => Err(CatalogError::AlreadyRunning {
            kind: kind.to_string(),
            job_id: job.id,
        }
        .into()),
        None => {
            let high_water = retry(options, || source.high_water()).await?;
            let total = retry(options, || source.count(&spec)).await?;
            Ok(catalog
                .start_job(&NewJob {
                    kind: kind.to_string(),
                    high_water,
                    total_estimate: Some(total),
                    swap: options.swap,
                })
                .await?)
        }
    }
}

/// Runs a job claimed by [`start`] to its end and records the outcome in the catalog.
pub async fn run_job(
    engine: &Engine,
    source: &Source,
    job: &Job,
    options: &ReindexOptions,
    mut progress: impl FnMut(&Progress) + Send,
) -> Result<ReindexReport, PipelineError> {
    let catalog = engine.catalog()?;
    let id = job.id;
    // The heartbeat goes on in every phase (a final commit and merge can take minutes):
    // a job that looks dead would be taken over by another process.
    let beating = {
        let catalog = catalog.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                if let Err(e) = catalog.heartbeat(id).await {
                    tracing::warn!(job = id, error = %e, "job heartbeat failed");
                }
            }
        })
    };
    let outcome = build::run(engine, source, job, options, &mut progress).await;
    beating.abort();
    match outcome {
        Ok(report) => {
            catalog.finish_job(id, JobState::Succeeded, None).await?;
            Ok(report)
        }
        Err(PipelineError::Interrupted(_)) => {
            tracing::warn!(
                job = id,
                "reindex interrupted by shutdown; it resumes at the next start"
            );
            catalog.release(id).await?;
            Err(PipelineError::Interrupted(id))
        }
        Err(e) => {
            let state = match e {
                PipelineError::Cancelled(_) => JobState::Cancelled,
                _ => JobState::Failed,
            };
            tracing::error!(job = id, error = %e, "reindex failed; the live index is unchanged");
            catalog.finish_job(id, state, Some(&e.to_string())).await?;
            Err(e)
        }
    }
}
