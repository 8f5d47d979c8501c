//! Progress: counters shared with the loader thread, reports to the catalog (rows, bad
//! rows, rate, ETA, checkpoint) and the caller, and the watch that turns a cancel request
//! or a shutdown into a stop.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use tokio::task::{JoinError, JoinHandle};

use super::Build;
use crate::catalog::{JobProgress, RowError};
use crate::pipeline::{PipelineError, Progress};

/// Shared between the loader thread and the async side.
#[derive(Default)]
pub(super) struct Counters {
    pub(super) processed: AtomicI64,
    pub(super) failed: AtomicI64,
    pub(super) errors: Mutex<Vec<RowError>>,
    pub(super) checkpoint: Mutex<Option<String>>,
    pub(super) cancel: AtomicBool,
}

/// Reports every half second until the loader ends; a cancel request or a shutdown
/// tells the reader and the loader to stop.
pub(super) async fn watch(
    build: &Build<'_>,
    mut loader: JoinHandle<Result<(), PipelineError>>,
    progress: &mut (impl FnMut(&Progress) + Send),
) -> Result<Result<(), PipelineError>, JoinError> {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            done = &mut loader => return done,
            _ = tick.tick() => {
                let cancel = match report(build, "loading", progress).await {
                    Ok(cancel) => cancel,
                    Err(e) => return Ok(Err(e)),
                };
                if cancel || build.engine.stopping() {
                    build.counters.cancel.store(true, Ordering::Relaxed);
                }
            }
        }
    }
}

/// Writes progress to the catalog (and the callback); returns whether cancel was asked.
pub(super) async fn report(
    build: &Build<'_>,
    stage: &'static str,
    progress: &mut (impl FnMut(&Progress) + Send),
) -> Result<bool, PipelineError> {
    let counters = &build.counters;
    let job = build.job;
    let errors = std::mem::take(&mut *counters.errors.lock().unwrap_or_else(|p| p.into_inner()));
    build.catalog.record_row_errors(job.id, &errors).await?;
    let processed = counters.processed.load(Ordering::Relaxed);
    let failed_rows = counters.failed.load(Ordering::Relaxed);
    let secs = build.started.elapsed().as_secs_f64().max(1e-3);
    let rate = (processed - build.base) as f64 / secs;
    let eta = job
        .total_estimate
        .filter(|_| rate > 0.0)
        .map(|total| ((total - processed).max(0)) as f64 / rate);
    let checkpoint = counters
        .checkpoint
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    let cancel = build
        .catalog
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
