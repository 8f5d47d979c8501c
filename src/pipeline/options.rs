//! The knobs of a reindex, its progress reports and its outcome.

use std::time::Duration;

use super::PipelineError;

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
    /// Runs of a failed job, the first included: a failure short of these puts the job
    /// back in the queue after a backoff (`jobs retry` runs one more by hand). 1 (the
    /// default) for runs in the foreground, whose caller sees the failure at once; the
    /// settings give background jobs more.
    pub job_attempts: i64,
    /// Wait before the second run of a failed job; doubles per attempt.
    pub job_retry_backoff: Duration,
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
            job_attempts: 1,
            job_retry_backoff: Duration::from_secs(30),
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
