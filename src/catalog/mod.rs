//! The catalog: which index versions exist, which one each alias serves, and the reindex
//! jobs. A small SQLite database in the data directory (`catalog.db`, migrations in
//! `migrations/catalog/`), shared safely by every chatda process on that directory.
//!
//! Versions live in `<data-dir>/indexes/<kind>/v0007`. An alias (named after its kind)
//! points at one `ready` version; [`Catalog::swap`] moves it in one SQLite transaction,
//! so a crash at any instant leaves it on a complete version.

mod jobs;
mod pushed;
mod queue;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::error::{Code, ErrorCode};

pub use jobs::{
    Job, JobAction, JobProgress, JobState, MAX_ROW_ERRORS, NewJob, RowError, STALE_AFTER_MS,
};
pub use pushed::{Pushed, SyncError};
pub use queue::{Attempt, Enqueued, Firing, JobFilter, Pruned};

/// Errors of the catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The caller named a version that does not exist or cannot serve.
    #[error("{0}")]
    BadVersion(String),
    /// A reindex of the kind is already running.
    #[error(
        "a reindex of {kind} is already running (job {job_id}); wait for it, or cancel it with `chatda jobs cancel {job_id}`"
    )]
    AlreadyRunning {
        /// The kind.
        kind: String,
        /// The running job.
        job_id: i64,
    },
    /// No such job.
    #[error("no job {0}; `chatda jobs list` shows the jobs")]
    UnknownJob(i64),
    /// A job state that does not exist.
    #[error("{0:?} is not a job state: queued, running, succeeded, failed, cancelled")]
    BadState(String),
    /// A job that cannot be retried (yet).
    #[error("job {job_id} cannot be retried: {reason}")]
    NotRetryable {
        /// The job.
        job_id: i64,
        /// Why.
        reason: String,
    },
    /// The database failed.
    #[error("catalog database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The migrations failed.
    #[error("catalog migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The data directory cannot be created.
    #[error("cannot create {path}: {reason}")]
    Io {
        /// The directory.
        path: String,
        /// Why.
        reason: std::io::Error,
    },
}

impl ErrorCode for CatalogError {
    fn error_code(&self) -> Code {
        match self {
            CatalogError::BadVersion(_) => Code::BadVersion,
            CatalogError::AlreadyRunning { .. } => Code::JobAlreadyRunning,
            CatalogError::UnknownJob(_) => Code::UnknownJob,
            CatalogError::NotRetryable { .. } => Code::JobNotRetryable,
            CatalogError::BadState(_) => Code::InvalidRequest,
            CatalogError::Database(_) | CatalogError::Migrate(_) => Code::CatalogError,
            CatalogError::Io { .. } => Code::Io,
        }
    }
}

/// State of an index version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionState {
    /// A reindex is filling it.
    Building,
    /// Complete; can serve.
    Ready,
    /// Its reindex failed or was cancelled; never serves.
    Failed,
    /// Removed from disk.
    Deleted,
}

impl VersionState {
    fn as_str(self) -> &'static str {
        match self {
            VersionState::Building => "building",
            VersionState::Ready => "ready",
            VersionState::Failed => "failed",
            VersionState::Deleted => "deleted",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "building" => VersionState::Building,
            "ready" => VersionState::Ready,
            "failed" => VersionState::Failed,
            _ => VersionState::Deleted,
        }
    }
}

/// One index version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    /// The kind.
    pub kind: String,
    /// Version number, increasing per kind.
    pub version: i64,
    /// State.
    pub state: VersionState,
    /// Documents at its last reindex or swap.
    pub docs: i64,
    /// Last change-log seq applied (`None`: never fed from the source).
    pub sync_cursor: Option<i64>,
    /// The job that built it.
    pub job_id: Option<i64>,
    /// Creation time, unix ms.
    pub created_at: i64,
}

/// An alias and the version it serves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alias {
    /// Alias name (= kind).
    pub alias: String,
    /// The kind.
    pub kind: String,
    /// The live version.
    pub version: i64,
    /// When it last moved, unix ms.
    pub swapped_at: i64,
}

/// Handle on the catalog database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Catalog {
    pool: SqlitePool,
    data_dir: PathBuf,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Catalog {
    /// Opens (creating and migrating) `<data_dir>/catalog.db`.
    pub async fn open(data_dir: &Path) -> Result<Self, CatalogError> {
        std::fs::create_dir_all(data_dir).map_err(|reason| CatalogError::Io {
            path: data_dir.display().to_string(),
            reason,
        })?;
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(data_dir.join("catalog.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // The alias row is the one thing that must survive a power cut as written.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/catalog").run(&pool).await?;
        Ok(Catalog {
            pool,
            data_dir: data_dir.to_path_buf(),
        })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// A transaction that takes the write lock up front. A deferred one that reads and
    /// then writes fails with "database is locked" when another process wrote in between
    /// (SQLite cannot upgrade a stale snapshot); an immediate one waits its turn.
    pub(crate) async fn write_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Directory of a version: `<data-dir>/indexes/<kind>/v0007`.
    pub fn version_dir(&self, kind: &str, version: i64) -> PathBuf {
        self.data_dir
            .join("indexes")
            .join(kind)
            .join(format!("v{version:04}"))
    }

    /// Bytes on disk of a version's files.
    pub fn version_size(&self, kind: &str, version: i64) -> u64 {
        std::fs::read_dir(self.version_dir(kind, version))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum()
    }

    /// Registers a new version of `kind` in state `state` and returns its number.
    pub async fn create_version(
        &self,
        kind: &str,
        state: VersionState,
        job_id: Option<i64>,
    ) -> Result<i64, CatalogError> {
        let mut tx = self.write_tx().await?;
        let next: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE kind = ?")
                .bind(kind)
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO versions (kind, version, state, job_id, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(kind)
        .bind(next)
        .bind(state.as_str())
        .bind(job_id)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    /// Sets a version's state and document count.
    pub async fn set_version_state(
        &self,
        kind: &str,
        version: i64,
        state: VersionState,
        docs: Option<i64>,
    ) -> Result<(), CatalogError> {
        sqlx::query(
            "UPDATE versions SET state = ?, docs = COALESCE(?, docs) WHERE kind = ? AND version = ?",
        )
        .bind(state.as_str())
        .bind(docs)
        .bind(kind)
        .bind(version)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that `version` has applied every change up to `seq`.
    pub async fn set_sync_cursor(
        &self,
        kind: &str,
        version: i64,
        seq: i64,
    ) -> Result<(), CatalogError> {
        sqlx::query("UPDATE versions SET sync_cursor = ? WHERE kind = ? AND version = ?")
            .bind(seq)
            .bind(kind)
            .bind(version)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// One version.
    pub async fn version(&self, kind: &str, version: i64) -> Result<Option<Version>, CatalogError> {
        let row = sqlx::query("SELECT * FROM versions WHERE kind = ? AND version = ?")
            .bind(kind)
            .bind(version)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| version_of(&r)))
    }

    /// Every version of `kind` (all kinds when `None`), oldest first.
    pub async fn versions(&self, kind: Option<&str>) -> Result<Vec<Version>, CatalogError> {
        let rows = sqlx::query(
            "SELECT * FROM versions WHERE ?1 IS NULL OR kind = ?1 ORDER BY kind, version",
        )
        .bind(kind)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(version_of).collect())
    }

    /// The alias of `kind`, if set.
    pub async fn alias(&self, kind: &str) -> Result<Option<Alias>, CatalogError> {
        let row = sqlx::query("SELECT * FROM aliases WHERE alias = ?")
            .bind(kind)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| alias_of(&r)))
    }

    /// Every alias.
    pub async fn aliases(&self) -> Result<Vec<Alias>, CatalogError> {
        let rows = sqlx::query("SELECT * FROM aliases ORDER BY alias")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(alias_of).collect())
    }

    /// Points the alias of `kind` at `version` (which must be `ready`), atomically.
    /// Returns the version it served before.
    pub async fn swap(&self, kind: &str, version: i64) -> Result<Option<i64>, CatalogError> {
        let mut tx = self.write_tx().await?;
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM versions WHERE kind = ? AND version = ?")
                .bind(kind)
                .bind(version)
                .fetch_optional(&mut *tx)
                .await?;
        servable(kind, version, state.as_deref())?;
        let previous: Option<i64> =
            sqlx::query_scalar("SELECT version FROM aliases WHERE alias = ?")
                .bind(kind)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO aliases (alias, kind, version, swapped_at) VALUES (?1, ?1, ?2, ?3)
             ON CONFLICT (alias) DO UPDATE SET version = ?2, swapped_at = ?3",
        )
        .bind(kind)
        .bind(version)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(previous)
    }

    /// Checks that `version` of `kind` exists and is ready, without changing anything.
    pub async fn check_servable(&self, kind: &str, version: i64) -> Result<(), CatalogError> {
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM versions WHERE kind = ? AND version = ?")
                .bind(kind)
                .bind(version)
                .fetch_optional(&self.pool)
                .await?;
        servable(kind, version, state.as_deref())
    }

    /// The newest `ready` version older than the live one that a reindex built: what
    /// [`Catalog::swap`] goes back to on rollback.
    pub async fn rollback_target(&self, kind: &str) -> Result<i64, CatalogError> {
        let live = self.alias(kind).await?.map(|a| a.version).ok_or_else(|| {
            CatalogError::BadVersion(format!(
                "{kind} has no alias yet; run `chatda reindex {kind}`"
            ))
        })?;
        sqlx::query_scalar::<_, Option<i64>>(
            // Only versions a reindex built: the placeholder an engine opens on a fresh
            // data directory is ready but empty, not something to go back to.
            "SELECT MAX(version) FROM versions
             WHERE kind = ? AND version < ? AND state = 'ready' AND job_id IS NOT NULL",
        )
        .bind(kind)
        .bind(live)
        .fetch_one(&self.pool)
        .await?
        .ok_or_else(|| {
            CatalogError::BadVersion(format!(
                "{kind} has no complete version older than the live v{live} to roll back to \
                 (only versions built by a reindex count)"
            ))
        })
    }

    /// Versions of `kind` beyond the live one and the `keep` newest ready ones before
    /// it: candidates for deletion (oldest first). Building versions are never listed.
    pub async fn expired_versions(
        &self,
        kind: &str,
        keep: usize,
    ) -> Result<Vec<i64>, CatalogError> {
        let live = self.alias(kind).await?.map(|a| a.version);
        let versions = self.versions(Some(kind)).await?;
        let mut kept = 0;
        let mut expired = Vec::new();
        for v in versions.iter().rev() {
            if Some(v.version) == live || v.state == VersionState::Deleted {
                continue;
            }
            if v.state == VersionState::Building {
                continue;
            }
            if v.state == VersionState::Ready && kept < keep && live.is_some_and(|l| v.version < l)
            {
                kept += 1;
                continue;
            }
            // Ready versions newer than the live one (built with --no-swap) are kept.
            if v.state == VersionState::Ready && live.is_some_and(|l| v.version > l) {
                continue;
            }
            expired.push(v.version);
        }
        expired.reverse();
        Ok(expired)
    }

    /// The pool, for the job functions.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

fn version_of(r: &sqlx::sqlite::SqliteRow) -> Version {
    Version {
        kind: r.get("kind"),
        version: r.get("version"),
        state: VersionState::parse(r.get::<&str, _>("state")),
        docs: r.get("docs"),
        sync_cursor: r.get("sync_cursor"),
        job_id: r.get("job_id"),
        created_at: r.get("created_at"),
    }
}

fn alias_of(r: &sqlx::sqlite::SqliteRow) -> Alias {
    Alias {
        alias: r.get("alias"),
        kind: r.get("kind"),
        version: r.get("version"),
        swapped_at: r.get("swapped_at"),
    }
}

/// Only a ready version can serve.
fn servable(kind: &str, version: i64, state: Option<&str>) -> Result<(), CatalogError> {
    match state.map(VersionState::parse) {
        Some(VersionState::Ready) => Ok(()),
        Some(other) => Err(CatalogError::BadVersion(format!(
            "version {version} of {kind} is {}, only a ready version can serve; `chatda alias list` shows the versions",
            other.as_str()
        ))),
        None => Err(CatalogError::BadVersion(format!(
            "{kind} has no version {version}; `chatda alias list` shows the versions"
        ))),
    }
}

#[cfg(test)]
mod tests;
