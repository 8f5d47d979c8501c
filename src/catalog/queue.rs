//! The job queue: reindexes asked for while one runs wait as `queued` (one per kind),
//! start when the kind is free, and failed ones come back for another attempt after a
//! backoff. Also the schedule firings and the pruning of old history. Every decision that
//! two processes could race on is one transaction here.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;

use super::jobs::job_of;
use super::{Catalog, CatalogError, Job, JobState, VersionState, now_ms};

/// Whether a reindex request started a new queued job or joined the one waiting.
#[derive(Debug, Clone)]
pub struct Enqueued {
    /// The queued job (a new one, or the one already waiting for the kind).
    pub job: Job,
    /// Whether this request created it.
    pub created: bool,
}

/// Which jobs to list.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Only jobs in this state.
    pub state: Option<JobState>,
    /// Only jobs of this kind.
    pub kind: Option<String>,
}

/// One attempt of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// 1 for the first run.
    pub attempt: i64,
    /// The version it built.
    pub target_version: i64,
    /// Start, unix ms.
    pub started_at: i64,
    /// End, unix ms.
    pub finished_at: Option<i64>,
    /// How it ended (`running` while it runs).
    pub state: String,
    /// Why it failed.
    pub error: Option<String>,
}

/// What a prune removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// Finished jobs older than the kept history (with their bad rows and attempts).
    pub jobs: u64,
    /// Schedule firings older than the kept history.
    pub schedule_runs: u64,
}

/// A schedule firing as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Firing {
    /// When it was due, unix ms.
    pub due_at: i64,
    /// When it ran, unix ms.
    pub ran_at: i64,
    /// The job it queued, if it queued one.
    pub job_id: Option<i64>,
    /// What it did, in words.
    pub outcome: Option<String>,
}

impl Catalog {
    /// Queues a reindex of `kind` (it starts with [`Catalog::claim_queued`]). When one
    /// is already waiting for the kind, returns that one: a second request for the same
    /// rebuild would build the same thing.
    pub async fn enqueue_reindex(
        &self,
        kind: &str,
        swap: bool,
        origin: &str,
    ) -> Result<Enqueued, CatalogError> {
        let mut tx = self.write_tx().await?;
        let waiting = sqlx::query(
            "SELECT * FROM jobs WHERE kind = ? AND state = 'queued' AND action = 'reindex'",
        )
        .bind(kind)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = waiting {
            return Ok(Enqueued {
                job: job_of(&row),
                created: false,
            });
        }
        let now = now_ms();
        let id = sqlx::query(
            "INSERT INTO jobs (kind, state, started_at, heartbeat_at, target_version, high_water, swap, origin)
             VALUES (?, 'queued', ?, ?, 0, 0, ?, ?)",
        )
        .bind(kind)
        .bind(now)
        .bind(now)
        .bind(swap)
        .bind(origin)
        .execute(&mut *tx)
        .await?
        .last_insert_rowid();
        tx.commit().await?;
        Ok(Enqueued {
            job: self.job(id).await?,
            created: true,
        })
    }

    /// Starts the queued reindex of `kind` when no reindex of the kind runs and its
    /// backoff is over: the job becomes `running` with a new `building` target version
    /// and a new attempt. `None` when there is nothing to start.
    pub async fn claim_queued(
        &self,
        kind: &str,
        high_water: i64,
        total_estimate: Option<i64>,
    ) -> Result<Option<Job>, CatalogError> {
        let mut tx = self.write_tx().await?;
        let now = now_ms();
        let queued: Option<(i64, i64)> = sqlx::query_as(
            "SELECT id, attempt FROM jobs WHERE kind = ? AND state = 'queued' AND action = 'reindex'
               AND (not_before IS NULL OR not_before <= ?)
               AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.kind = jobs.kind AND r.state = 'running' AND r.action = 'reindex')",
        )
        .bind(kind)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id, attempt)) = queued else {
            return Ok(None);
        };
        let version = next_version(&mut tx, kind).await?;
        sqlx::query(
            "UPDATE jobs SET state = 'running', target_version = ?, high_water = ?, total_estimate = ?,
                 started_at = ?, heartbeat_at = ?, finished_at = NULL, checkpoint = NULL, processed = 0,
                 failed_rows = 0, rate = NULL, eta_secs = NULL, cancel_requested = 0, not_before = NULL
             WHERE id = ?",
        )
        .bind(version)
        .bind(high_water)
        .bind(total_estimate)
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        begin_attempt(&mut tx, kind, version, id, attempt, now).await?;
        tx.commit().await?;
        Ok(Some(self.job(id).await?))
    }

    /// Puts a failed reindex back in the queue for attempt `attempt + 1`, not before
    /// `not_before` (unix ms): its target version is marked failed and the attempt
    /// recorded. Returns `false` (and changes nothing) when another reindex of the kind
    /// is already waiting: that one will rebuild anyway.
    pub async fn requeue(
        &self,
        job: &Job,
        error: &str,
        not_before: i64,
    ) -> Result<bool, CatalogError> {
        let mut tx = self.write_tx().await?;
        if waiting_reindex(&mut tx, &job.kind).await?.is_some() {
            return Ok(false);
        }
        let now = now_ms();
        end_attempt(&mut tx, job.id, job.attempt, "failed", Some(error), now).await?;
        sqlx::query(
            "UPDATE jobs SET state = 'queued', attempt = attempt + 1, not_before = ?, error = ?,
                 eta_secs = NULL, cancel_requested = 0
             WHERE id = ? AND state = 'running'",
        )
        .bind(not_before)
        .bind(error)
        .bind(job.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.set_version_state(&job.kind, job.target_version, VersionState::Failed, None)
            .await?;
        Ok(true)
    }

    /// Queues a failed or cancelled reindex again, now, as its next attempt (`jobs
    /// retry`). A job that has not ended, or an import (its upload is gone once it
    /// ended: upload the file again), is refused.
    pub async fn retry_job(&self, id: i64) -> Result<Job, CatalogError> {
        let job = self.job(id).await?;
        if job.action != super::JobAction::Reindex {
            return Err(CatalogError::NotRetryable {
                job_id: id,
                reason: "an import ends with its upload removed; import the file again".into(),
            });
        }
        if !matches!(job.state, JobState::Failed | JobState::Cancelled) {
            return Err(CatalogError::NotRetryable {
                job_id: id,
                reason: format!(
                    "it is {}; only failed or cancelled jobs are retried",
                    job.state.as_str()
                ),
            });
        }
        let mut tx = self.write_tx().await?;
        if let Some(other) = waiting_reindex(&mut tx, &job.kind).await? {
            return Err(CatalogError::NotRetryable {
                job_id: id,
                reason: format!("job {other} already waits to reindex {}", job.kind),
            });
        }
        sqlx::query(
            "UPDATE jobs SET state = 'queued', attempt = attempt + 1, not_before = NULL, error = NULL,
                 finished_at = NULL, origin = 'retry'
             WHERE id = ?",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.job(id).await
    }

    /// Whether the queued reindex of `kind` could start now (its backoff is over).
    pub async fn claimable(&self, kind: &str) -> Result<bool, CatalogError> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM jobs WHERE kind = ? AND state = 'queued' AND action = 'reindex'
               AND (not_before IS NULL OR not_before <= ?)",
        )
        .bind(kind)
        .bind(now_ms())
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// Kinds with a reindex waiting in the queue.
    pub async fn queued_kinds(&self) -> Result<Vec<String>, CatalogError> {
        Ok(sqlx::query_scalar(
            "SELECT kind FROM jobs WHERE state = 'queued' AND action = 'reindex' ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Jobs waiting ahead of queued job `id`, plus one (its place in the queue).
    pub async fn queue_position(&self, id: i64) -> Result<i64, CatalogError> {
        let ahead: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND id < ?")
                .bind(id)
                .fetch_one(self.pool())
                .await?;
        Ok(ahead + 1)
    }

    /// The newest `limit` jobs that pass `filter`, newest first.
    pub async fn jobs_where(
        &self,
        filter: &JobFilter,
        limit: i64,
    ) -> Result<Vec<Job>, CatalogError> {
        let rows = sqlx::query(
            "SELECT * FROM jobs WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR kind = ?2)
             ORDER BY id DESC LIMIT ?3",
        )
        .bind(filter.state.map(JobState::as_str))
        .bind(&filter.kind)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(job_of).collect())
    }

    /// Jobs per state (every state, zeros included), optionally of one kind.
    pub async fn job_counts(
        &self,
        kind: Option<&str>,
    ) -> Result<BTreeMap<String, i64>, CatalogError> {
        let mut counts: BTreeMap<String, i64> = [
            JobState::Queued,
            JobState::Running,
            JobState::Succeeded,
            JobState::Failed,
            JobState::Cancelled,
        ]
        .into_iter()
        .map(|s| (s.as_str().to_string(), 0))
        .collect();
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n FROM jobs WHERE ?1 IS NULL OR kind = ?1 GROUP BY state",
        )
        .bind(kind)
        .fetch_all(self.pool())
        .await?;
        for row in rows {
            counts.insert(row.get("state"), row.get("n"));
        }
        Ok(counts)
    }

    /// A job's attempts, first first.
    pub async fn attempts(&self, id: i64) -> Result<Vec<Attempt>, CatalogError> {
        let rows = sqlx::query("SELECT * FROM job_attempts WHERE job_id = ? ORDER BY attempt")
            .bind(id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| Attempt {
                attempt: r.get("attempt"),
                target_version: r.get("target_version"),
                started_at: r.get("started_at"),
                finished_at: r.get("finished_at"),
                state: r.get("state"),
                error: r.get("error"),
            })
            .collect())
    }

    /// Claims the firing of schedule `name` due at `due_at`: `true` for the one process
    /// whose claim lands, which then runs it.
    pub async fn claim_firing(&self, name: &str, due_at: i64) -> Result<bool, CatalogError> {
        let done = sqlx::query(
            "INSERT OR IGNORE INTO schedule_runs (name, due_at, ran_at) VALUES (?, ?, ?)",
        )
        .bind(name)
        .bind(due_at)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records what a claimed firing did.
    pub async fn record_firing(
        &self,
        name: &str,
        due_at: i64,
        job_id: Option<i64>,
        outcome: &str,
    ) -> Result<(), CatalogError> {
        sqlx::query(
            "UPDATE schedule_runs SET job_id = ?, outcome = ? WHERE name = ? AND due_at = ?",
        )
        .bind(job_id)
        .bind(outcome)
        .bind(name)
        .bind(due_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The latest firing of schedule `name`.
    pub async fn last_firing(&self, name: &str) -> Result<Option<Firing>, CatalogError> {
        let row =
            sqlx::query("SELECT * FROM schedule_runs WHERE name = ? ORDER BY due_at DESC LIMIT 1")
                .bind(name)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|r| Firing {
            due_at: r.get("due_at"),
            ran_at: r.get("ran_at"),
            job_id: r.get("job_id"),
            outcome: r.get("outcome"),
        }))
    }

    /// Removes finished jobs (with their bad rows and attempts) and schedule firings that
    /// ended before `before` (unix ms). Jobs still named by a version are kept.
    pub async fn prune_history(&self, before: i64) -> Result<Pruned, CatalogError> {
        let mut tx = self.write_tx().await?;
        let old = "SELECT id FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled')
                   AND finished_at < ?1
                   AND id NOT IN (SELECT job_id FROM versions WHERE job_id IS NOT NULL AND state != 'deleted')";
        sqlx::query(&format!("DELETE FROM job_errors WHERE job_id IN ({old})"))
            .bind(before)
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!("DELETE FROM job_attempts WHERE job_id IN ({old})"))
            .bind(before)
            .execute(&mut *tx)
            .await?;
        let jobs = sqlx::query(&format!("DELETE FROM jobs WHERE id IN ({old})"))
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let schedule_runs = sqlx::query("DELETE FROM schedule_runs WHERE ran_at < ?")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(Pruned {
            jobs,
            schedule_runs,
        })
    }

    /// The change-log position every kept version and every running reindex has
    /// applied: entries up to it are needed by nobody. `None` while some version or job
    /// has not recorded one.
    pub async fn change_log_floor(&self) -> Result<Option<i64>, CatalogError> {
        let floor: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(seq) FROM (
                 SELECT sync_cursor AS seq FROM versions WHERE state = 'ready' AND sync_cursor IS NOT NULL
                 UNION ALL
                 SELECT high_water AS seq FROM jobs WHERE state = 'running' AND action = 'reindex'
             )",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(floor)
    }
}

/// The reindex of `kind` waiting in the queue, if any.
async fn waiting_reindex(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    kind: &str,
) -> Result<Option<i64>, CatalogError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM jobs WHERE kind = ? AND state = 'queued' AND action = 'reindex'",
    )
    .bind(kind)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The next version number of `kind`.
pub(super) async fn next_version(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    kind: &str,
) -> Result<i64, CatalogError> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE kind = ?")
            .bind(kind)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Records attempt `attempt` of job `id` building `version` of `kind`: the `building`
/// version and the attempt's row.
pub(super) async fn begin_attempt(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    kind: &str,
    version: i64,
    id: i64,
    attempt: i64,
    now: i64,
) -> Result<(), CatalogError> {
    sqlx::query(
        "INSERT INTO versions (kind, version, state, job_id, created_at) VALUES (?, ?, 'building', ?, ?)",
    )
    .bind(kind)
    .bind(version)
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT OR REPLACE INTO job_attempts (job_id, attempt, target_version, started_at, state)
         VALUES (?, ?, ?, ?, 'running')",
    )
    .bind(id)
    .bind(attempt)
    .bind(version)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Closes the record of an attempt.
pub(super) async fn end_attempt(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    id: i64,
    attempt: i64,
    state: &str,
    error: Option<&str>,
    at: i64,
) -> Result<(), CatalogError> {
    sqlx::query(
        "UPDATE job_attempts SET state = ?, error = ?, finished_at = ? WHERE job_id = ? AND attempt = ?",
    )
    .bind(state)
    .bind(error)
    .bind(at)
    .bind(id)
    .bind(attempt)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
