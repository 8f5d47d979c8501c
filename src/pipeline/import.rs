//! File imports into the live version: rows read by [`crate::transfer`], applied in
//! chunks, each chunk journaled (when the version is fed from the source, so a reindex
//! keeps the rows, as it keeps `documents` writes) and then committed. A bad row is
//! reported and skipped; the good rows of the file are committed whatever the bad ones.
//! As a job, each commit records the last row done as the checkpoint: a job stopped by a
//! crash or shutdown resumes after it, and a cancel stops after the chunk in hand (what
//! was committed stays).

use std::time::Instant;

use serde::Serialize;

use super::{PipelineError, internal, phase};
use crate::catalog::{Catalog, Job, JobProgress, JobState, RowError};
use crate::engine::Engine;
use crate::index::{Accepted, Ingest};
use crate::source::Source;
use crate::transfer::{RowProblem, Rows};

/// Rows per commit: what a crash can make a job redo, and how often progress shows.
pub const IMPORT_CHUNK: usize = 5_000;
/// Documents analysed together.
const ANALYSIS_BATCH: usize = 500;
/// Problems an import report lists; later ones are only counted (a job keeps as many,
/// [`crate::catalog::MAX_ROW_ERRORS`]).
pub const MAX_IMPORT_PROBLEMS: usize = 10_000;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// Rows read (good and bad; a resumed job counts from where it resumed).
    pub rows: u64,
    /// Documents added or replaced.
    pub upserted: u64,
    /// Delete lines applied (JSON lines only).
    pub deleted: u64,
    /// Rows skipped as bad.
    pub failed: u64,
    /// The first bad rows' problems, one per field at fault.
    pub errors: Vec<RowProblem>,
    /// Problems beyond the ones in `errors`.
    pub errors_omitted: u64,
    /// Rows per second.
    pub rate: f64,
}

impl ImportReport {
    fn problems(&mut self, problems: Vec<RowProblem>) {
        for problem in problems {
            if self.errors.len() < MAX_IMPORT_PROBLEMS {
                self.errors.push(problem);
            } else {
                self.errors_omitted += 1;
            }
        }
    }
}

/// A chunk of rows, applied but not committed.
struct Chunk {
    rows: u64,
    failed: u64,
    upserted: u64,
    deleted: u64,
    problems: Vec<RowProblem>,
    accepted: Vec<Accepted>,
    last_row: u64,
    done: bool,
}

/// Imports `rows` into the live version of `kind`. With a `job`, records progress, the
/// bad rows and the checkpoint in it, resumes after its checkpoint, and honours cancel
/// and shutdown; the caller finishes the job. `progress` is called after each commit.
pub async fn import(
    engine: &Engine,
    source: &Source,
    kind: &str,
    rows: Rows,
    job: Option<&Job>,
    mut progress: impl FnMut(&ImportReport) + Send,
) -> Result<ImportReport, PipelineError> {
    let live = engine.live(kind)?;
    let catalog = engine.catalog().ok();
    let fed = match catalog {
        Some(catalog) => catalog
            .version(kind, live.version)
            .await?
            .is_some_and(|v| v.sync_cursor.is_some()),
        None => false,
    };
    let resume_after: u64 = job
        .and_then(|j| j.checkpoint.as_deref())
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let started = Instant::now();
    let mut report = ImportReport::default();
    let mut rows = rows;
    loop {
        if let Some(job) = job {
            phase::interrupted(engine, job)?;
        }
        let index = live.index.clone();
        let (back, chunk) = tokio::task::spawn_blocking(move || {
            let chunk = read_chunk(&mut rows, &index, fed, resume_after);
            (rows, chunk)
        })
        .await
        .map_err(|e| internal(format!("import task panicked: {e}")))?;
        rows = back;
        let chunk = chunk?;
        if !chunk.accepted.is_empty()
            && let Some(catalog) = catalog
        {
            let position = source.high_water().await?;
            catalog.push_writes(kind, &chunk.accepted, position).await?;
        }
        let index = live.index.clone();
        tokio::task::spawn_blocking(move || index.commit())
            .await
            .map_err(|e| internal(format!("commit task panicked: {e}")))??;
        report.rows += chunk.rows;
        report.failed += chunk.failed;
        report.upserted += chunk.upserted;
        report.deleted += chunk.deleted;
        report.rate = report.rows as f64 / started.elapsed().as_secs_f64().max(1e-3);
        if let (Some(job), Some(catalog)) = (job, catalog) {
            let cancel = record(catalog, job, &report, &chunk).await?;
            if cancel && !chunk.done {
                report.problems(chunk.problems);
                return Err(PipelineError::ImportCancelled(job.id));
            }
        }
        report.problems(chunk.problems);
        progress(&report);
        if chunk.done {
            return Ok(report);
        }
    }
}

/// Reads and applies up to [`IMPORT_CHUNK`] rows (not committed).
fn read_chunk(
    rows: &mut Rows,
    index: &crate::index::KindIndex,
    fed: bool,
    resume_after: u64,
) -> Result<Chunk, PipelineError> {
    let mut ingest = Ingest::new(index, ANALYSIS_BATCH).keep_accepted(fed);
    let mut chunk = Chunk {
        rows: 0,
        failed: 0,
        upserted: 0,
        deleted: 0,
        problems: Vec::new(),
        accepted: Vec::new(),
        last_row: resume_after,
        done: false,
    };
    while chunk.rows < IMPORT_CHUNK as u64 {
        let Some(row) = rows.next() else {
            chunk.done = true;
            break;
        };
        let row = row?;
        if row.number <= resume_after {
            // Committed before the job was interrupted.
            continue;
        }
        chunk.rows += 1;
        chunk.last_row = row.number;
        match row.doc {
            Ok(doc) => ingest.document(row.number, doc)?,
            Err(problems) => {
                chunk.failed += 1;
                chunk.problems.extend(problems);
            }
        }
    }
    let mut applied = ingest.finish()?;
    chunk.upserted = applied.upserted;
    chunk.deleted = applied.deleted;
    chunk.accepted = std::mem::take(&mut applied.accepted);
    // Rows validate before they get here; what the index still refuses is reported the same way.
    chunk.failed += applied.failed;
    chunk
        .problems
        .extend(applied.errors.into_iter().map(|e| RowProblem {
            row: e.line,
            id: e.id,
            field: e.field.unwrap_or_default(),
            reason: e.message,
        }));
    chunk.problems.sort_by_key(|p| p.row);
    Ok(chunk)
}

/// Records a committed chunk in the job; returns whether a cancel was asked for.
async fn record(
    catalog: &Catalog,
    job: &Job,
    report: &ImportReport,
    chunk: &Chunk,
) -> Result<bool, PipelineError> {
    let errors: Vec<RowError> = chunk
        .problems
        .iter()
        .map(|p| RowError {
            row_id: format!("row {}", p.row),
            field: p.field.clone(),
            reason: p.reason.clone(),
        })
        .collect();
    catalog.record_row_errors(job.id, &errors).await?;
    // A resumed job's snapshot holds what the runs before it did.
    let processed = job.processed + report.rows as i64;
    let progress = JobProgress {
        processed,
        failed_rows: job.failed_rows + report.failed as i64,
        rate: Some(report.rate),
        eta_secs: job
            .total_estimate
            .map(|total| ((total - processed) as f64 / report.rate.max(1.0)).max(0.0)),
        checkpoint: Some(chunk.last_row.to_string()),
    };
    Ok(catalog.report_progress(job.id, &progress).await?)
}

/// Ends an import job with its outcome.
pub async fn finish_import(
    catalog: &Catalog,
    job: &Job,
    outcome: &Result<ImportReport, PipelineError>,
) -> Result<(), PipelineError> {
    match outcome {
        Ok(_) => {
            catalog
                .finish_job(job.id, JobState::Succeeded, None)
                .await?
        }
        Err(PipelineError::Interrupted(_)) => {
            tracing::warn!(
                job = job.id,
                "import interrupted by shutdown; it resumes at the next start"
            );
            catalog.release(job.id).await?;
        }
        Err(e) => {
            let state = match e {
                PipelineError::ImportCancelled(_) => JobState::Cancelled,
                _ => JobState::Failed,
            };
            tracing::error!(job = job.id, error = %e, "import ended early; the rows committed before stay");
            catalog
                .finish_job(job.id, state, Some(&e.to_string()))
                .await?;
        }
    }
    Ok(())
}
