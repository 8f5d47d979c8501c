//! SQL sources (sqlx): the tables the reindex pipeline reads and the change log the
//! follower tails. SQLite (`sqlite://path`, the embedded default) and PostgreSQL
//! (`postgres://…`) share one code path through sqlx's `Any` driver; only the bundled
//! migrations and the default SELECTs differ.
//!
//! # The SELECT contract
//! Each kind is read with a SELECT (default: [`default_select`], the bundled table named
//! after the kind). A custom SELECT must return a column `id` (the primary key: integer
//! or text, unique, what keyset pagination orders by) and one column per spec field,
//! named as the field. Column types: integers, floats, booleans (or 0/1), text; dates as
//! `YYYY-MM-DD` or RFC 3339 text; list fields as a JSON array in text (a plain string is a
//! one-element list). Extra columns are ignored; a missing column is a NULL. chatda wraps
//! the SELECT (`SELECT * FROM (<select>) AS src WHERE src.id > $1 ORDER BY src.id LIMIT
//! $2`), so it must not end in a semicolon, ORDER BY or LIMIT.

mod decode;
mod seed;

use std::collections::BTreeMap;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

pub use decode::{SourceRow, decode_row};
pub use seed::seed_demo;

use crate::error::{Code, ErrorCode};
use crate::schema::{FieldType, IdType, KindSpec};

/// Errors of a source.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The URL is not a supported database.
    #[error("unsupported source URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    BadUrl(String),
    /// The database failed or is unreachable (retryable).
    #[error("source database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A row's primary key cannot be read, so keyset pagination cannot go on.
    #[error(
        "{kind}: a row after id {after:?} has a NULL or unreadable id; the SELECT must return a non-NULL integer or text id"
    )]
    BadKey {
        /// The kind.
        kind: String,
        /// The last good id.
        after: Option<String>,
    },
    /// Applying the source migrations failed.
    #[error("source migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The SQLite file's directory cannot be created.
    #[error("cannot create {path}: {reason}")]
    Io {
        /// The directory.
        path: String,
        /// Why.
        reason: std::io::Error,
    },
}

impl ErrorCode for SourceError {
    fn error_code(&self) -> Code {
        match self {
            SourceError::Io { .. } => Code::Io,
            _ => Code::SourceError,
        }
    }
}

impl SourceError {
    /// Whether retrying may help: connection and I/O failures, timeouts, a busy SQLite
    /// file, PostgreSQL shutting down. A bad SELECT or a missing table is not transient.
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Database(sqlx::Error::Database(e)) => {
                let code = e.code().unwrap_or_default();
                // PostgreSQL: 08 connection exception, 57 operator intervention (admin
                // shutdown), 53 insufficient resources, 40 serialization; SQLite: 5 busy, 6 locked.
                ["08", "57", "53", "40"].iter().any(|c| code.starts_with(c))
                    || code == "5"
                    || code == "6"
            }
            SourceError::Database(
                sqlx::Error::Io(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Protocol(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed,
            ) => true,
            _ => false,
        }
    }
}

/// Which database a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Position in the log.
    pub seq: i64,
    /// The kind (table) changed.
    pub kind: String,
    /// The changed row's id.
    pub doc_id: String,
    /// Whether the row was deleted (else inserted or updated).
    pub deleted: bool,
}

/// A connected source database.
#[derive(Debug, Clone)]
pub struct Source {
    pool: AnyPool,
    backend: Backend,
    selects: BTreeMap<String, String>,
}

impl Source {
    /// Connects to `url`. A SQLite file is created if missing. `selects` overrides the
    /// SELECT of some kinds (see the module docs); the rest use [`default_select`].
    pub async fn connect(
        url: &str,
        selects: BTreeMap<String, String>,
    ) -> Result<Self, SourceError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            let url = if url.contains('?') {
                url.to_string()
            } else {
                format!("{url}?mode=rwc")
            };
            if let Some(path) = url
                .strip_prefix("sqlite://")
                .and_then(|p| p.split('?').next())
                && let Some(parent) = std::path::Path::new(path).parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|reason| SourceError::Io {
                    path: parent.display().to_string(),
                    reason,
                })?;
            }
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(SourceError::BadUrl(url.to_string()));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(&url)
            .await?;
        if backend == Backend::Sqlite {
            // Readers (the reindex) and the application's writers must not block each other.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        Ok(Source {
            pool,
            backend,
            selects,
        })
    }

    /// The database kind.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool (tests and embedders writing rows).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the bundled source migrations (tables, change log, triggers).
    pub async fn migrate(&self) -> Result<(), SourceError> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// The SELECT that reads `spec`'s rows.
    pub fn select(&self, spec: &KindSpec) -> String {
        self.selects
            .get(&spec.name)
            .cloned()
            .unwrap_or_else(|| default_select(spec, self.backend))
    }

    /// Rows of `spec` with id after `after` (from the start when `None`), in id order.
    pub async fn page(
        &self,
        spec: &KindSpec,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AnyRow>, SourceError> {
        let select = self.select(spec);
        let rows = match after {
            None => {
                let sql = format!("SELECT * FROM ({select}) AS src ORDER BY src.id LIMIT $1");
                sqlx::query(&sql)
                    .bind(limit as i64)
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(after) => {
                let sql = format!(
                    "SELECT * FROM ({select}) AS src WHERE src.id > $1 ORDER BY src.id LIMIT $2"
                );
                let query = sqlx::query(&sql);
                let query = match (spec.id, after.parse::<i64>()) {
                    (IdType::Integer, Ok(n)) => query.bind(n),
                    _ => query.bind(after.to_string()),
                };
                query.bind(limit as i64).fetch_all(&self.pool).await?
            }
        };
        Ok(rows)
    }

    /// The current rows of `ids` (missing ids were deleted).
    pub async fn rows_by_id(
        &self,
        spec: &KindSpec,
        ids: &[String],
    ) -> Result<Vec<AnyRow>, SourceError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT * FROM ({}) AS src WHERE src.id IN ({})",
                self.select(spec),
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = match (spec.id, id.parse::<i64>()) {
                    (IdType::Integer, Ok(n)) => query.bind(n),
                    _ => query.bind(id.clone()),
                };
            }
            out.extend(query.fetch_all(&self.pool).await?);
        }
        Ok(out)
    }

    /// The latest change-log seq of each of `ids` of `kind` that the log mentions.
    pub async fn latest_changes(
        &self,
        kind: &str,
        ids: &[String],
    ) -> Result<Vec<(String, i64)>, SourceError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> =
                (2..=chunk.len() + 1).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT doc_id, MAX(seq) AS seq FROM change_log WHERE kind = $1 AND doc_id IN ({}) GROUP BY doc_id",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql).bind(kind.to_string());
            for id in chunk {
                query = query.bind(id.clone());
            }
            for row in query.fetch_all(&self.pool).await? {
                out.push((row.try_get("doc_id")?, row.try_get("seq")?));
            }
        }
        Ok(out)
    }

    /// Number of rows the SELECT of `spec` returns.
    pub async fn count(&self, spec: &KindSpec) -> Result<i64, SourceError> {
        let sql = format!("SELECT COUNT(*) AS n FROM ({}) AS src", self.select(spec));
        let row = sqlx::query(&sql).fetch_one(&self.pool).await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// The change log's last seq (0 when empty): the high-water mark of a reindex.
    pub async fn high_water(&self) -> Result<i64, SourceError> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS n FROM change_log")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    /// Deletes the change-log entries up to `seq` (retention: nobody needs them any
    /// more); returns how many.
    pub async fn prune_change_log(&self, seq: i64) -> Result<u64, SourceError> {
        let done = sqlx::query("DELETE FROM change_log WHERE seq <= $1")
            .bind(seq)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Up to `limit` changes after `seq`, in order.
    pub async fn changes_after(&self, seq: i64, limit: usize) -> Result<Vec<Change>, SourceError> {
        let rows = sqlx::query(
            "SELECT seq, kind, doc_id, op FROM change_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(seq)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Change {
                    seq: r.try_get("seq")?,
                    kind: r.try_get("kind")?,
                    doc_id: r.try_get("doc_id")?,
                    deleted: r.try_get::<String, _>("op")? == "delete",
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(SourceError::from)
    }
}

/// The SELECT of the bundled table named after `spec`'s kind, one column per field.
/// PostgreSQL columns whose types sqlx's `Any` driver cannot carry are converted to text
/// (dates to ISO 8601, lists to JSON).
pub fn default_select(spec: &KindSpec, backend: Backend) -> String {
    let mut columns = vec!["id".to_string()];
    for f in &spec.fields {
        let name = &f.name;
        columns.push(match backend {
            Backend::Sqlite => name.clone(),
            Backend::Postgres if f.list => format!("to_json({name})::text AS {name}"),
            Backend::Postgres if f.ty == FieldType::Date => {
                format!("to_json({name}) #>> '{{}}' AS {name}")
            }
            Backend::Postgres if f.ty == FieldType::Float => format!("{name}::float8 AS {name}"),
            Backend::Postgres => name.clone(),
        });
    }
    format!("SELECT {} FROM {}", columns.join(", "), spec.name)
}

/// Reads `CHATDA_SOURCE_URL`-style defaults: `sqlite://<data-dir>/source.db`.
pub fn default_url(data_dir: &std::path::Path) -> String {
    format!("sqlite://{}", data_dir.join("source.db").display())
}

/// The rows of a page decoded against `spec`: the valid documents and the bad rows.
pub fn decode_rows(spec: &KindSpec, rows: &[AnyRow]) -> Vec<SourceRow> {
    rows.iter().map(|r| decode_row(spec, r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_select_converts_dates_and_lists() {
        let spec = KindSpec::builtin("concerts").unwrap();
        let sql = default_select(&spec, Backend::Postgres);
        assert!(
            sql.starts_with("SELECT id, title, to_json(artists)::text AS artists"),
            "{sql}"
        );
        assert!(
            sql.contains("to_json(start_date) #>> '{}' AS start_date"),
            "{sql}"
        );
        assert!(sql.ends_with("FROM concerts"));
        let sqlite = default_select(&spec, Backend::Sqlite);
        assert!(sqlite.contains(", start_date, "), "{sqlite}");
    }
}
