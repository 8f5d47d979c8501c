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

mod changes;
mod overlay;
mod sync;

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use rayon::prelude::*;
use tokio::sync::mpsc;

pub use changes::{Applied, apply_changes};
pub use overlay::{apply_pushed, push_lines, reapply_pushed};
pub use sync::{Retried, SyncOptions, follow, retry_sync_errors, sync_once};

use crate::catalog::{
    CatalogError, Job, JobProgress, JobState, NewJob, RowError, STALE_AFTER_MS, VersionState,
};
use crate::engine::{Engine, EngineError};
use crate::error::{Code, ErrorCode};
use crate::index::IndexError;
use crate::source::{Source, SourceError, SourceRow, decode_rows};

/// Errors of a reindex or sync.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Unknown kind, catalog refusal (already running, …), index failure.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The source failed (after retries).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The job was cancelled.
    #[error("job {0} was cancelled; the live index is unchanged")]
    Cancelled(i64),
    /// The process is shutting down; the job resumes at the next start.
    #[error("job {0} was interrupted by a shutdown; it resumes at the next start")]
    Interrupted(i64),
    /// A bug: a task of the job panicked.
    #[error("internal failure: {0}")]
    Internal(String),
    /// An option is out of range.
    #[error("{field}: {reason}")]
    InvalidOption {
        /// The option.
        field: &'static str,
        /// The allowed range.
        reason: String,
    },
}

impl From<CatalogError> for PipelineError {
    fn from(e: CatalogError) -> Self {
        PipelineError::Engine(e.into())
    }
}

impl From<IndexError> for PipelineError {
    fn from(e: IndexError) -> Self {
        PipelineError::Engine(e.into())
    }
}

impl ErrorCode for PipelineError {
    fn error_code(&self) -> Code {
        match self {
            PipelineError::Engine(e) => e.error_code(),
            PipelineError::Source(e) => e.error_code(),
            PipelineError::Cancelled(_) => Code::JobCancelled,
            PipelineError::Interrupted(_) => Code::JobInterrupted,
            PipelineError::InvalidOption { .. } => Code::InvalidRequest,
            PipelineError::Internal(_) => Code::Internal,
        }
    }

    fn error_field(&self) -> Option<String> {
        match self {
            PipelineError::InvalidOption { field, .. } => Some(field.to_string()),
            PipelineError::Engine(e) => e.error_field(),
            _ => None,
        }
    }
}

/// Largest `batch_size` (rows per source page): a page is held in memory whole.
pub const MAX_BATCH_SIZE: usize = 50_000;

/// Knobs of a reindex.
#[derive(Debug, Clone)]
pub struct ReindexOptions {
    /// Rows per source page.
    pub batch_size: usize,
    /// tantivy indexing threads.
    pub writer_threads: usize,
    /// tantivy writer memory budget in bytes (shared by its threads).
    pub writer_memory: usize,
    /// Attempts per source call before the job fails.
    pub retry_attempts: usize,
    /// First retry delay; doubles per attempt up to 10 s.
    pub retry_delay: Duration,
    /// Rows between checkpoint commits (what a resumed job does not redo).
    pub checkpoint_rows: u64,
    /// Move the alias to the new version at the end.
    pub swap: bool,
    /// Older ready versions kept for rollback after a swap.
    pub keep_versions: usize,
}

impl ReindexOptions {
    /// Checks the options a caller sets.
    pub fn check(&self) -> Result<(), PipelineError> {
        if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size) {
            return Err(PipelineError::InvalidOption {
                field: "batch_size",
                reason: format!("must be 1 to {MAX_BATCH_SIZE}, found {}", self.batch_size),
            });
        }
        Ok(())
    }
}

impl Default for ReindexOptions {
    fn default() -> Self {
        ReindexOptions {
            batch_size: 2_000,
            writer_threads: 2,
            writer_memory: 256 << 20,
            retry_attempts: 5,
            retry_delay: Duration::from_millis(200),
            checkpoint_rows: 100_000,
            swap: true,
            keep_versions: 2,
        }
    }
}

/// A snapshot of a running reindex, for progress bars.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// The job.
    pub job_id: i64,
    /// Rows read.
    pub processed: i64,
    /// Rows skipped as invalid.
    pub failed_rows: i64,
    /// Rows in the source (estimate).
    pub total: Option<i64>,
    /// Rows per second since the start.
    pub rate: f64,
    /// What the job is doing: `loading`, `loaded` (bulk load done; reported once, before
    /// the catch-up starts), `catching up`, `swapping`.
    pub stage: &'static str,
}

/// What a finished reindex did.
#[derive(Debug, Clone)]
pub struct ReindexReport {
    /// The job.
    pub job_id: i64,
    /// The version built.
    pub version: i64,
    /// Documents in the new version.
    pub docs: u64,
    /// Rows skipped as invalid.
    pub failed_rows: i64,
    /// Changes applied after the bulk load.
    pub caught_up: usize,
    /// Where a resumed job continued from.
    pub resumed_from: Option<String>,
    /// Whether the alias now serves the new version.
    pub swapped: bool,
    /// Versions deleted afterwards.
    pub deleted_versions: Vec<i64>,
    /// Wall time.
    pub elapsed: Duration,
}

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
    let outcome = run(engine, source, job, options, &mut progress).await;
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

/// Shared between the loader thread and the async side.
#[derive(Default)]
struct Counters {
    processed: AtomicI64,
    failed: AtomicI64,
    errors: Mutex<Vec<RowError>>,
    checkpoint: Mutex<Option<String>>,
    cancel: AtomicBool,
}

async fn run(
    engine: &Engine,
    source: &Source,
    job: &Job,
    options: &ReindexOptions,
    progress: &mut (impl FnMut(&Progress) + Send),
) -> Result<ReindexReport, PipelineError> {
    let started = Instant::now();
    let catalog = engine.catalog()?;
    let kind = job.kind.clone();
    let spec = engine.spec(&kind)?.clone();
    let index = Arc::new(engine.open_version(&kind, job.target_version)?);
    index.configure_writer(options.writer_threads, options.writer_memory)?;
    let resumed_from = job.checkpoint.clone();
    let counters = Arc::new(Counters::default());
    counters
        .processed
        .store(index.num_docs() as i64 + job.failed_rows, Ordering::Relaxed);
    counters.failed.store(job.failed_rows, Ordering::Relaxed);
    let base = counters.processed.load(Ordering::Relaxed);

    // Reader: keyset pages, one page read ahead (bounded channel = flat memory). `None`
    // marks the end of the source: a channel closed without it means the reader died
    // (failure, or the process shutting down), and the partial load must not be committed.
    let (pages_tx, mut pages_rx) = mpsc::channel::<Option<Vec<SourceRow>>>(2);
    let reader = {
        let source = source.clone();
        let spec = spec.clone();
        let options = options.clone();
        let counters = counters.clone();
        let mut after = resumed_from.clone();
        tokio::spawn(async move {
            loop {
                if counters.cancel.load(Ordering::Relaxed) {
                    return Ok::<(), SourceError>(());
                }
                let rows = retry(&options, || {
                    source.page(&spec, after.as_deref(), options.batch_size)
                })
                .await?;
                if rows.is_empty() {
                    let _ = pages_tx.send(None).await;
                    return Ok(());
                }
                phase_async("read", &|| counters.cancel.load(Ordering::Relaxed)).await;
                let decoded = decode_rows(&spec, &rows);
                // An unreadable last id would restart or end the keyset walk silently.
                match decoded
                    .last()
                    .map(|r| r.id.clone())
                    .filter(|id| !id.is_empty())
                {
                    Some(id) => after = Some(id),
                    None => {
                        return Err(SourceError::BadKey {
                            kind: spec.name.clone(),
                            after,
                        });
                    }
                }
                if pages_tx.send(Some(decoded)).await.is_err() {
                    return Ok(()); // the loader stopped (failed or cancelled)
                }
            }
        })
    };

    // Loader: parallel analysis, then the writer; commits at checkpoints.
    let loader = {
        let index = index.clone();
        let counters = counters.clone();
        let checkpoint_rows = options.checkpoint_rows.max(1) as i64;
        // A resumed job may re-read rows committed after its last recorded checkpoint
        // (the process can die between a commit and the catalog write): whenever the
        // version already holds documents, replace by id.
        let replace = resumed_from.is_some() || index.num_docs() > 0;
        tokio::task::spawn_blocking(move || -> Result<(), PipelineError> {
            let mut since_commit = 0i64;
            loop {
                let page = match pages_rx.blocking_recv() {
                    Some(Some(page)) => page,
                    Some(None) => break,
                    // The reader is gone without reaching the end: keep only what the
                    // checkpoints committed (dropping the writer discards the rest).
                    None => return Ok(()),
                };
                if counters.cancel.load(Ordering::Relaxed) {
                    return Ok(());
                }
                let last_id = page.last().map(|r| r.id.clone());
                let prepared: Vec<Result<tantivy::TantivyDocument, Vec<RowError>>> = page
                    .par_iter()
                    .map(|row| match &row.doc {
                        Ok(doc) => index.prepare(doc).map(|(_, doc)| doc).map_err(|errors| {
                            errors
                                .into_iter()
                                .map(|e| RowError {
                                    row_id: row.id.clone(),
                                    field: e.field,
                                    reason: e.reason,
                                })
                                .collect()
                        }),
                        Err(e) => Err(vec![e.clone()]),
                    })
                    .collect();
                let mut bad = Vec::new();
                let mut docs = Vec::with_capacity(page.len());
                for (row, prepared) in page.iter().zip(prepared) {
                    match prepared {
                        Ok(doc) => docs.push((row.id.as_str(), doc)),
                        Err(errors) => bad.push(errors),
                    }
                }
                index.add_prepared(docs, replace)?;
                phase("load", &|| counters.cancel.load(Ordering::Relaxed));
                counters
                    .processed
                    .fetch_add(page.len() as i64, Ordering::Relaxed);
                counters
                    .failed
                    .fetch_add(bad.len() as i64, Ordering::Relaxed);
                if !bad.is_empty() {
                    let mut errors = counters.errors.lock().unwrap_or_else(|p| p.into_inner());
                    errors.extend(bad.into_iter().flatten());
                }
                since_commit += page.len() as i64;
                if since_commit >= checkpoint_rows {
                    index.commit()?;
                    since_commit = 0;
                    *counters
                        .checkpoint
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = last_id;
                    phase("checkpoint", &|| counters.cancel.load(Ordering::Relaxed));
                }
            }
            index.commit()?;
            Ok(())
        })
    };

    // Monitor: progress to the caller and the catalog every second; cancel requests.
    let mut loader = loader;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let loaded = loop {
        tokio::select! {
            done = &mut loader => break done,
            _ = tick.tick() => {
                let cancel = report(catalog, job, &counters, started, base, "loading", progress).await?;
                if cancel || engine.stopping() {
                    counters.cancel.store(true, Ordering::Relaxed);
                }
            }
        }
    };
    let read = reader.await;
    report(catalog, job, &counters, started, base, "loaded", progress).await?;
    loaded.map_err(|e| internal(format!("loader thread panicked: {e}")))??;
    match read {
        Ok(result) => result?,
        Err(e) => return Err(internal(format!("reader task panicked: {e}"))),
    }
    interrupted(engine, job)?;
    if counters.cancel.load(Ordering::Relaxed) {
        return Err(PipelineError::Cancelled(job.id));
    }

    // Catch-up: every change since the high-water mark, until none is left.
    let mut cursor = job.high_water;
    let mut caught_up = 0;
    loop {
        interrupted(engine, job)?;
        let changes = retry(options, || source.changes_after(cursor, 1_000)).await?;
        let Some(last) = changes.last() else { break };
        phase_async("catch_up", &|| engine.stopping()).await;
        interrupted(engine, job)?;
        cursor = last.seq;
        let applied = apply_changes(source, &index, &changes).await?;
        caught_up += changes.iter().filter(|c| c.kind == kind).count();
        counters
            .failed
            .fetch_add(applied.errors.len() as i64, Ordering::Relaxed);
        counters
            .errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(applied.errors);
        report(
            catalog,
            job,
            &counters,
            started,
            base,
            "catching up",
            progress,
        )
        .await?;
    }
    // Writes pushed through the API are not in the source: replay them on top.
    let pushed_cursor = apply_pushed(catalog, source, &index, 0).await?;
    phase_async("final_commit", &|| engine.stopping()).await;
    interrupted(engine, job)?;
    index.commit()?;
    let closing = index.clone();
    tokio::task::spawn_blocking(move || closing.close_writer())
        .await
        .map_err(|e| internal(format!("writer shutdown panicked: {e}")))??;
    index.reload()?;
    let docs = index.num_docs();
    drop(index);
    catalog
        .set_sync_cursor(&kind, job.target_version, cursor)
        .await?;
    catalog
        .set_pushed_cursor(&kind, job.target_version, pushed_cursor)
        .await?;
    engine.stamp_analyzer(&kind, job.target_version)?;
    catalog
        .set_version_state(
            &kind,
            job.target_version,
            VersionState::Ready,
            Some(docs as i64),
        )
        .await?;
    report(catalog, job, &counters, started, base, "swapping", progress).await?;

    let mut deleted_versions = Vec::new();
    if job.swap {
        phase_async("swap", &|| engine.stopping()).await;
        interrupted(engine, job)?;
        engine.swap(&kind, job.target_version).await?;
        deleted_versions = engine.delete_expired(&kind, options.keep_versions).await?;
    }
    Ok(ReindexReport {
        job_id: job.id,
        version: job.target_version,
        docs,
        failed_rows: counters.failed.load(Ordering::Relaxed),
        caught_up,
        resumed_from,
        swapped: job.swap,
        deleted_versions,
        elapsed: started.elapsed(),
    })
}

/// The phase a reindex is entering: logged, and for the crash tests a place to stop.
/// With `CHATDA_FAULT_PAUSE=<phase>` in the environment the first arrival at that phase
/// waits up to 60 s (less if `stop` turns true), so a test can kill the process exactly
/// there. Phases: `read` (first page read), `load` (first page written), `checkpoint`
/// (after a checkpoint commit), `final_commit`, `catch_up`, `swap`.
pub(crate) fn phase(name: &'static str, stop: &dyn Fn() -> bool) {
    tracing::debug!(phase = name, "reindex phase");
    if fault_pause(name) {
        let until = Instant::now() + FAULT_PAUSE;
        while Instant::now() < until && !stop() {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// [`phase`] for async code.
pub(crate) async fn phase_async(name: &'static str, stop: &(dyn Fn() -> bool + Sync)) {
    tracing::debug!(phase = name, "reindex phase");
    if fault_pause(name) {
        let until = Instant::now() + FAULT_PAUSE;
        while Instant::now() < until && !stop() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

const FAULT_PAUSE: Duration = Duration::from_secs(60);

fn fault_pause(name: &str) -> bool {
    static PAUSED: AtomicBool = AtomicBool::new(false);
    let paused = std::env::var("CHATDA_FAULT_PAUSE").is_ok_and(|wanted| wanted == name)
        && !PAUSED.swap(true, Ordering::SeqCst);
    if paused {
        tracing::warn!(phase = name, "CHATDA_FAULT_PAUSE: pausing the reindex");
    }
    paused
}

/// Ends a run that the engine was asked to stop (shutdown), leaving its job to resume.
fn interrupted(engine: &Engine, job: &Job) -> Result<(), PipelineError> {
    if engine.stopping() {
        return Err(PipelineError::Interrupted(job.id));
    }
    Ok(())
}

/// An internal failure (a panicked task) as a pipeline error.
pub(crate) fn internal(message: String) -> PipelineError {
    PipelineError::Internal(message)
}

/// Writes progress to the catalog (and the callback); returns whether cancel was asked.
async fn report(
    catalog: &crate::catalog::Catalog,
    job: &Job,
    counters: &Counters,
    started: Instant,
    base: i64,
    stage: &'static str,
    progress: &mut (impl FnMut(&Progress) + Send),
) -> Result<bool, PipelineError> {
    let errors = std::mem::take(&mut *counters.errors.lock().unwrap_or_else(|p| p.into_inner()));
    catalog.record_row_errors(job.id, &errors).await?;
    let processed = counters.processed.load(Ordering::Relaxed);
    let failed_rows = counters.failed.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64().max(1e-3);
    let rate = (processed - base) as f64 / secs;
    let eta = job
        .total_estimate
        .filter(|_| rate > 0.0)
        .map(|total| ((total - processed).max(0)) as f64 / rate);
    let checkpoint = counters
        .checkpoint
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let cancel = catalog
        .report_progress(
            job.id,
            &JobProgress {
                processed,
                failed_rows,
                rate: Some(rate),
                eta_secs: eta,
                checkpoint,
            },
        )
        .await?;
    progress(&Progress {
        job_id: job.id,
        processed,
        failed_rows,
        total: job.total_estimate,
        rate,
        stage,
    });
    Ok(cancel)
}

/// Runs a source call, retrying transient failures with exponential backoff.
pub(crate) async fn retry<T, F, Fut>(options: &ReindexOptions, call: F) -> Result<T, SourceError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, SourceError>>,
{
    call.retry(
        ExponentialBuilder::default()
            .with_min_delay(options.retry_delay)
            .with_max_delay(Duration::from_secs(10))
            .with_max_times(options.retry_attempts.saturating_sub(1)),
    )
    .when(SourceError::is_transient)
    .notify(|e, delay| tracing::warn!(error = %e, ?delay, "source call failed; retrying"))
    .await
}
