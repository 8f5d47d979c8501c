//! Reindex jobs in the catalog: start (one per kind), progress with heartbeat and
//! checkpoint, row errors, cancel requests, finish.

use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{Catalog, CatalogError, VersionState, now_ms};

/// Most row errors kept per job; the count (`failed_rows`) includes all of them.
pub const MAX_ROW_ERRORS: i64 = 10_000;

/// State of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Accepted, not started.
    Queued,
    /// Running (or left running by a crashed process: see [`Job::is_stale`]).
    Running,
    /// Finished; the version is ready (and live unless started with `swap = false`).
    Succeeded,
    /// Failed; the live index is untouched.
    Failed,
    /// Cancelled; the live index is untouched.
    Cancelled,
}

impl JobState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "succeeded" => JobState::Succeeded,
            "cancelled" => JobState::Cancelled,
            _ => JobState::Failed,
        }
    }

    /// Whether the job has ended.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Succeeded | JobState::Failed | JobState::Cancelled
        )
    }
}

impl std::str::FromStr for JobState {
    type Err = CatalogError;

    /// A state by its name, for filters.
    fn from_str(s: &str) -> Result<Self, CatalogError> {
        match s {
            "queued" | "running" | "succeeded" | "failed" | "cancelled" => Ok(Self::parse(s)),
            other => Err(CatalogError::BadState(other.to_string())),
        }
    }
}

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobAction {
    /// Builds a new version from the source.
    Reindex,
    /// Applies a file's rows to the live version.
    Import,
}

impl JobAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobAction::Reindex => "reindex",
            JobAction::Import => "import",
        }
    }
}

/// A job (a reindex or an import) as the catalog records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Job id.
    pub id: i64,
    /// The kind reindexed or imported into.
    pub kind: String,
    /// What it does.
    pub action: JobAction,
    /// An import's stored file, format and mapping (JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// State.
    pub state: JobState,
    /// Source rows read so far (indexed + failed).
    pub processed: i64,
    /// Rows skipped as invalid.
    pub failed_rows: i64,
    /// Rows in the source when the job started (estimate).
    pub total_estimate: Option<i64>,
    /// Rows per second.
    pub rate: Option<f64>,
    /// Seconds left, estimated.
    pub eta_secs: Option<f64>,
    /// Start, unix ms.
    pub started_at: i64,
    /// End, unix ms.
    pub finished_at: Option<i64>,
    /// Last sign of life of the process running it, unix ms.
    pub heartbeat_at: i64,
    /// Why it failed.
    pub error: Option<String>,
    /// The version it builds.
    pub target_version: i64,
    /// Every source row with an id up to this one is committed to the target version.
    pub checkpoint: Option<String>,
    /// change_log seq recorded before the bulk read.
    pub high_water: i64,
    /// Whether the alias moves to the new version at the end.
    pub swap: bool,
    /// Whether someone asked to cancel it.
    pub cancel_requested: bool,
    /// The attempt: 1 for the first run, more after retries.
    pub attempt: i64,
    /// A queued retry waits until then (unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_before: Option<i64>,
    /// Who asked for it: `api`, `cli`, `schedule:<name>`, `retry` (none: started directly).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// A queued job's place in the queue (1: next), when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

impl Job {
    /// A running job whose process has not reported for `stale_ms`: its process died.
    /// Progress is written every second, so a few seconds of silence is decisive.
    pub fn is_stale(&self, stale_ms: i64) -> bool {
        self.state == JobState::Running && now_ms() - self.heartbeat_at > stale_ms
    }
}

/// What a new job is.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The kind.
    pub kind: String,
    /// change_log high-water mark.
    pub high_water: i64,
    /// Rows in the source (estimate).
    pub total_estimate: Option<i64>,
    /// Swap the alias at the end.
    pub swap: bool,
}

/// A progress report.
#[derive(Debug, Clone, Default)]
pub struct JobProgress {
    /// Rows read.
    pub processed: i64,
    /// Rows skipped as invalid.
    pub failed_rows: i64,
    /// Rows per second.
    pub rate: Option<f64>,
    /// Seconds left.
    pub eta_secs: Option<f64>,
    /// New checkpoint, if one was committed.
    pub checkpoint: Option<String>,
}

/// A source row that could not be indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The row's id.
    pub row_id: String,
    /// The field at fault.
    pub field: String,
    /// Why.
    pub reason: String,
}

impl Catalog {
    /// Creates a `running` job and its `building` target version, atomically; refuses
    /// when a job of the kind is active.
    pub async fn start_job(&self, new: &NewJob) -> Result<Job, CatalogError> {
        let mut tx = self.write_tx().await?;
        let active: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM jobs WHERE kind = ? AND state = 'running' AND action = 'reindex'",
        )
        .bind(&new.kind)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(job_id) = active {
            return Err(CatalogError::AlreadyRunning {
                kind: new.kind.clone(),
                job_id,
            });
        }
        let version = super::queue::next_version(&mut tx, &new.kind).await?;
        let now = now_ms();
        let inserted = sqlx::query(
            "INSERT INTO jobs (kind, state, total_estimate, started_at, heartbeat_at, target_version, high_water, swap)
             VALUES (?, 'running', ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.kind)
        .bind(new.total_estimate)
        .bind(now)
        .bind(now)
        .bind(version)
        .bind(new.high_water)
        .bind(new.swap)
        .execute(&mut *tx)
        .await;
        let id = match inserted {
            Ok(done) => done.last_insert_rowid(),
            // Another process won the race between our check and insert.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(CatalogError::AlreadyRunning {
                    kind: new.kind.clone(),
                    job_id: 0,
                });
            }
            Err(e) => return Err(e.into()),
        };
        super::queue::begin_attempt(&mut tx, &new.kind, version, id, 1, now).await?;
        tx.commit().await?;
        self.job(id).await
    }

    /// The running reindex of `kind`, if any.
    pub async fn active_job(&self, kind: &str) -> Result<Option<Job>, CatalogError> {
        let row = sqlx::query(
            "SELECT * FROM jobs WHERE kind = ? AND state = 'running' AND action = 'reindex'",
        )
        .bind(kind)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(job_of))
    }

    /// Claims a stale job for this process (compare-and-set on its heartbeat, so two
    /// processes cannot both resume it). Returns whether this process won.
    pub async fn take_over(&self, job: &Job) -> Result<bool, CatalogError> {
        let done = sqlx::query(
            "UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND state = 'running' AND heartbeat_at = ?",
        )
        .bind(now_ms())
        .bind(job.id)
        .bind(job.heartbeat_at)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Says the job's process is alive, whatever phase it is in.
    pub async fn heartbeat(&self, id: i64) -> Result<(), CatalogError> {
        sqlx::query("UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND state = 'running'")
            .bind(now_ms())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Lets go of a running job this process stops on purpose (shutdown): it stays
    /// `running` with its checkpoint, and looks stale at once, so the next start (of
    /// any process) resumes it without waiting out the heartbeat.
    pub async fn release(&self, id: i64) -> Result<(), CatalogError> {
        sqlx::query("UPDATE jobs SET heartbeat_at = 0 WHERE id = ? AND state = 'running'")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records progress (and the heartbeat); returns whether a cancel was requested.
    pub async fn report_progress(&self, id: i64, p: &JobProgress) -> Result<bool, CatalogError> {
        let cancel: Option<bool> = sqlx::query_scalar(
            "UPDATE jobs SET processed = ?, failed_rows = ?, rate = ?, eta_secs = ?,
                 checkpoint = COALESCE(?, checkpoint), heartbeat_at = ?
             WHERE id = ? RETURNING cancel_requested",
        )
        .bind(p.processed)
        .bind(p.failed_rows)
        .bind(p.rate)
        .bind(p.eta_secs)
        .bind(&p.checkpoint)
        .bind(now_ms())
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(cancel.unwrap_or(false))
    }

    /// Adds row errors to a job's report (up to [`MAX_ROW_ERRORS`] kept).
    pub async fn record_row_errors(
        &self,
        id: i64,
        errors: &[RowError],
    ) -> Result<(), CatalogError> {
        if errors.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM job_errors WHERE job_id = ?")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        for e in errors.iter().take((MAX_ROW_ERRORS - kept).max(0) as usize) {
            // A resumed job re-reads rows after its checkpoint: the same error again.
            sqlx::query("INSERT OR IGNORE INTO job_errors (job_id, row_id, field, reason) VALUES (?, ?, ?, ?)")
                .bind(id)
                .bind(&e.row_id)
                .bind(&e.field)
                .bind(&e.reason)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A job's row errors, by row id.
    pub async fn row_errors(&self, id: i64, limit: i64) -> Result<Vec<RowError>, CatalogError> {
        let rows = sqlx::query(
            "SELECT row_id, field, reason FROM job_errors WHERE job_id = ? ORDER BY rowid LIMIT ?",
        )
        .bind(id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| RowError {
                row_id: r.get("row_id"),
                field: r.get("field"),
                reason: r.get("reason"),
            })
            .collect())
    }

    /// Ends a job. A job that did not succeed marks its target version failed.
    pub async fn finish_job(
        &self,
        id: i64,
        state: JobState,
        error: Option<&str>,
    ) -> Result<(), CatalogError> {
        let job = self.job(id).await?;
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE jobs SET state = ?, error = ?, finished_at = ?, eta_secs = NULL WHERE id = ?",
        )
        .bind(state.as_str())
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        super::queue::end_attempt(&mut tx, id, job.attempt, state.as_str(), error, now).await?;
        tx.commit().await?;
        if state != JobState::Succeeded && job.action == JobAction::Reindex {
            self.set_version_state(&job.kind, job.target_version, VersionState::Failed, None)
                .await?;
        }
        Ok(())
    }

    /// Asks a job to stop. A running job notices within a second; a job whose process
    /// died is cancelled on the spot.
    pub async fn request_cancel(&self, id: i64) -> Result<Job, CatalogError> {
        let job = self.job(id).await?;
        if job.state.is_final() {
            return Ok(job);
        }
        if job.state == JobState::Queued || job.is_stale(STALE_AFTER_MS) {
            self.finish_job(id, JobState::Cancelled, Some("cancelled"))
                .await?;
        } else {
            sqlx::query("UPDATE jobs SET cancel_requested = 1 WHERE id = ?")
                .bind(id)
                .execute(self.pool())
                .await?;
        }
        self.job(id).await
    }

    /// Creates a `running` import job into `version` of `kind` (the live one); `input`
    /// says where its file is and how to read it.
    pub async fn start_import_job(
        &self,
        kind: &str,
        version: i64,
        input: &str,
        total_estimate: Option<i64>,
    ) -> Result<Job, CatalogError> {
        let now = now_ms();
        let done = sqlx::query(
            "INSERT INTO jobs (kind, action, input, state, total_estimate, started_at, heartbeat_at, target_version, high_water, swap)
             VALUES (?, 'import', ?, 'running', ?, ?, ?, ?, 0, 0)",
        )
        .bind(kind)
        .bind(input)
        .bind(total_estimate)
        .bind(now)
        .bind(now)
        .bind(version)
        .execute(self.pool())
        .await?;
        self.job(done.last_insert_rowid()).await
    }

    /// Import jobs left running by a dead or stopped process (no heartbeat for
    /// [`STALE_AFTER_MS`]), oldest first.
    pub async fn stale_imports(&self) -> Result<Vec<Job>, CatalogError> {
        let rows = sqlx::query(
            "SELECT * FROM jobs WHERE action = 'import' AND state = 'running' AND heartbeat_at < ? ORDER BY id",
        )
        .bind(now_ms() - STALE_AFTER_MS)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(job_of).collect())
    }

    /// One job.
    pub async fn job(&self, id: i64) -> Result<Job, CatalogError> {
        let row = sqlx::query("SELECT * FROM jobs WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(job_of).ok_or(CatalogError::UnknownJob(id))
    }

    /// The newest `limit` jobs, newest first.
    pub async fn jobs(&self, limit: i64) -> Result<Vec<Job>, CatalogError> {
        let rows = sqlx::query("SELECT * FROM jobs ORDER BY id DESC LIMIT ?")
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(job_of).collect())
    }
}

/// A running job silent for this long belongs to a dead process (progress is written
/// every second).
pub const STALE_AFTER_MS: i64 = 5_000;

pub(super) fn job_of(r: &SqliteRow) -> Job {
    Job {
        id: r.get("id"),
        kind: r.get("kind"),
        action: match r.get::<&str, _>("action") {
            "import" => JobAction::Import,
            _ => JobAction::Reindex,
        },
        input: r.get("input"),
        state: JobState::parse(r.get::<&str, _>("state")),
        processed: r.get("processed"),
        failed_rows: r.get("failed_rows"),
        total_estimate: r.get("total_estimate"),
        rate: r.get("rate"),
        eta_secs: r.get("eta_secs"),
        started_at: r.get("started_at"),
        finished_at: r.get("finished_at"),
        heartbeat_at: r.get("heartbeat_at"),
        error: r.get("error"),
        target_version: r.get("target_version"),
        checkpoint: r.get("checkpoint"),
        high_water: r.get("high_water"),
        swap: r.get("swap"),
        cancel_requested: r.get("cancel_requested"),
        attempt: r.get("attempt"),
        not_before: r.get("not_before"),
        origin: r.get("origin"),
        position: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_active_job_per_kind_and_cancel() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::open(dir.path()).await.unwrap();
        let new = NewJob {
            kind: "concerts".into(),
            high_water: 7,
            total_estimate: Some(100),
            swap: true,
        };
        let job = catalog.start_job(&new).await.unwrap();
        assert_eq!(job.state, JobState::Running);
        assert_eq!(job.high_water, 7);
        let version = catalog
            .version("concerts", job.target_version)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(version.state, VersionState::Building);
        let second = catalog.start_job(&new).await.unwrap_err();
        assert!(matches!(second, CatalogError::AlreadyRunning { job_id, .. } if job_id == job.id));
        let tickets = catalog
            .start_job(&NewJob {
                kind: "tickets".into(),
                ..new.clone()
            })
            .await
            .unwrap();
        assert_ne!(tickets.id, job.id);

        let progress = JobProgress {
            processed: 50,
            checkpoint: Some("50".into()),
            ..Default::default()
        };
        assert!(!catalog.report_progress(job.id, &progress).await.unwrap());
        catalog.request_cancel(job.id).await.unwrap();
        assert!(catalog.report_progress(job.id, &progress).await.unwrap());
        catalog
            .finish_job(job.id, JobState::Cancelled, None)
            .await
            .unwrap();
        let version = catalog
            .version("concerts", job.target_version)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(version.state, VersionState::Failed);
        assert_eq!(
            catalog.job(job.id).await.unwrap().checkpoint.as_deref(),
            Some("50")
        );
        assert!(
            catalog.start_job(&new).await.is_ok(),
            "a finished job frees the kind"
        );

        let errors = vec![RowError {
            row_id: "3".into(),
            field: "title".into(),
            reason: "required".into(),
        }];
        catalog
            .record_row_errors(tickets.id, &errors)
            .await
            .unwrap();
        catalog
            .record_row_errors(tickets.id, &errors)
            .await
            .unwrap();
        assert_eq!(catalog.row_errors(tickets.id, 10).await.unwrap(), errors);
    }
}
