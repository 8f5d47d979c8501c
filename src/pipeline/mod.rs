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
mod import;
mod options;
mod overlay;
mod phase;
mod priority;
mod retention;
mod retry;
mod sync;

use std::time::Duration;

pub use changes::{Applied, apply_changes};
pub use error::PipelineError;
pub(crate) use error::internal;
pub use import::{IMPORT_CHUNK, ImportReport, MAX_IMPORT_PROBLEMS, finish_import, import};
pub use options::{MAX_BATCH_SIZE, Progress, ReindexOptions, ReindexReport};
pub use overlay::{apply_pushed, push_lines, reapply_pushed};
pub use retention::prune_change_log;
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

/// Claims the next reindex of `kind` for a background run: the job a dead process left
/// running (resumed from its checkpoint), else the queued one once the kind is free and
/// its backoff is over. `None` when there is nothing to run (or a live process runs it).
pub async fn start_queued(
    engine: &Engine,
    source: &Source,
    kind: &str,
    options: &ReindexOptions,
) -> Result<Claimed, PipelineError> {
    let spec = engine.spec(kind)?.clone();
    let catalog = engine.catalog()?;
    if let Some(job) = catalog.active_job(kind).await? {
        if job.is_stale(STALE_AFTER_MS) && catalog.take_over(&job).await? {
            tracing::warn!(job = job.id, checkpoint = ?job.checkpoint, "resuming a reindex its process left running");
            return Ok(Claimed::Run(Box::new(job)));
        }
        return Ok(Claimed::Nothing);
    }
    // Cheap first: counting the source is not.
    if !catalog.claimable(kind).await? {
        return Ok(Claimed::Nothing);
    }
    let marks = async {
        let high_water = retry(options, || source.high_water()).await?;
        let total = retry(options, || source.count(&spec)).await?;
        Ok::<_, PipelineError>((high_water, total))
    };
    match marks.await {
        Ok((high_water, total)) => Ok(
            match catalog.claim_queued(kind, high_water, Some(total)).await? {
                Some(job) => Claimed::Run(Box::new(job)),
                None => Claimed::Nothing,
            },
        ),
        // The source cannot even be counted: that is this attempt's failure.
        Err(e) => match catalog.claim_queued(kind, 0, None).await? {
            Some(job) => {
                end_failed(catalog, &job, options, e).await?;
                Ok(Claimed::Failed(job.id))
            }
            None => Ok(Claimed::Nothing),
        },
    }
}

/// What [`start_queued`] did.
#[derive(Debug)]
pub enum Claimed {
    /// Nothing to start.
    Nothing,
    /// A job to run with [`run_job`].
    Run(Box<Job>),
    /// A job whose attempt failed at the start (the source could not be read): it is
    /// queued again for its next attempt, or failed for good.
    Failed(i64),
}

/// Records a failed attempt: back to the queue after the backoff while attempts remain,
/// else the job fails.
async fn end_failed(
    catalog: &crate::catalog::Catalog,
    job: &Job,
    options: &ReindexOptions,
    e: PipelineError,
) -> Result<PipelineError, PipelineError> {
    let message = e.to_string();
    if job.attempt < options.job_attempts {
        let factor = 1u32 << (job.attempt - 1).clamp(0, 16);
        let wait = options.job_retry_backoff.saturating_mul(factor);
        let not_before = crate::catalog::now_ms() + wait.as_millis() as i64;
        if catalog.requeue(job, &message, not_before).await? {
            tracing::error!(job = job.id, attempt = job.attempt, retry_in_secs = wait.as_secs_f64(), error = %e, "reindex failed; the live index is unchanged; it runs again after the backoff");
            return Ok(e);
        }
    }
    tracing::error!(job = job.id, error = %e, "reindex failed; the live index is unchanged");
    catalog
        .finish_job(job.id, JobState::Failed, Some(&message))
        .await?;
    Ok(e)
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
        Err(PipelineError::Cancelled(_)) => {
            tracing::warn!(job = id, "reindex cancelled; the live index is unchanged");
            catalog
                .finish_job(id, JobState::Cancelled, Some("cancelled"))
                .await?;
            Err(PipelineError::Cancelled(id))
        }
        Err(e) => Err(end_failed(catalog, job, options, e).await?),
    }
}
