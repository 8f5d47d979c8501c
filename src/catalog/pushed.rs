//! The journal of writes pushed through the API, and the follower's dead letters.

use serde::Serialize;
use sqlx::Row;

use super::{Catalog, CatalogError, RowError, now_ms};

/// One journaled write.
#[derive(Debug, Clone, PartialEq)]
pub struct Pushed {
    /// Position in the journal.
    pub seq: i64,
    /// The document's id.
    pub doc_id: String,
    /// The document, or `None` for a delete.
    pub body: Option<serde_json::Value>,
}

/// A source row the follower could not index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncError {
    /// The kind.
    pub kind: String,
    /// The row's id.
    pub row_id: String,
    /// The field at fault.
    pub field: String,
    /// Why.
    pub reason: String,
    /// First failure, unix ms.
    pub first_at: i64,
    /// Latest failure, unix ms.
    pub last_at: i64,
    /// Failures so far.
    pub attempts: i64,
}

impl Catalog {
    /// Journals writes of `kind` (`None`: a delete), each replacing the earlier entry of
    /// its id, in one transaction; `source_seq` is the source's change-log position now.
    /// Returns the last seq.
    pub async fn push_writes(
        &self,
        kind: &str,
        writes: &[(String, Option<serde_json::Value>)],
        source_seq: i64,
    ) -> Result<i64, CatalogError> {
        let mut tx = self.write_tx().await?;
        let now = now_ms();
        let mut last = 0;
        for (id, body) in writes {
            sqlx::query("DELETE FROM pushed WHERE kind = ? AND doc_id = ?")
                .bind(kind)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let body = body.as_ref().map(serde_json::Value::to_string);
            last = sqlx::query(
                "INSERT INTO pushed (kind, doc_id, body, source_seq, at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(kind)
            .bind(id)
            .bind(body)
            .bind(source_seq)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .last_insert_rowid();
        }
        tx.commit().await?;
        Ok(last)
    }

    /// Journaled writes of `kind` after `seq`, oldest first.
    pub async fn pushed_after(
        &self,
        kind: &str,
        seq: i64,
        limit: i64,
    ) -> Result<Vec<Pushed>, CatalogError> {
        let rows = sqlx::query(
            "SELECT seq, doc_id, body FROM pushed WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(kind)
        .bind(seq)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(pushed_of).collect())
    }

    /// The journaled writes of `kind` for `ids`, oldest first.
    pub async fn pushed_for(
        &self,
        kind: &str,
        ids: &[String],
    ) -> Result<Vec<Pushed>, CatalogError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT seq, doc_id, body FROM pushed WHERE kind = ? AND doc_id IN ({placeholders}) ORDER BY seq"
            );
            let mut query = sqlx::query(&sql).bind(kind);
            for id in chunk {
                query = query.bind(id);
            }
            out.extend(query.fetch_all(self.pool()).await?.iter().map(pushed_of));
        }
        Ok(out)
    }

    /// Forgets pushed writes the source changed after them: `changed` holds each row's
    /// latest change-log seq. The source wins from then on.
    pub async fn drop_superseded(
        &self,
        kind: &str,
        changed: &[(String, i64)],
    ) -> Result<(), CatalogError> {
        if changed.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for (id, seq) in changed {
            sqlx::query("DELETE FROM pushed WHERE kind = ? AND doc_id = ? AND source_seq < ?")
                .bind(kind)
                .bind(id)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records the last pushed seq applied to a version.
    pub async fn set_pushed_cursor(
        &self,
        kind: &str,
        version: i64,
        seq: i64,
    ) -> Result<(), CatalogError> {
        sqlx::query("UPDATE versions SET pushed_cursor = ? WHERE kind = ? AND version = ?")
            .bind(seq)
            .bind(kind)
            .bind(version)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The last pushed seq applied to a version (0: none).
    pub async fn pushed_cursor(&self, kind: &str, version: i64) -> Result<i64, CatalogError> {
        let seq: Option<Option<i64>> =
            sqlx::query_scalar("SELECT pushed_cursor FROM versions WHERE kind = ? AND version = ?")
                .bind(kind)
                .bind(version)
                .fetch_optional(self.pool())
                .await?;
        Ok(seq.flatten().unwrap_or(0))
    }

    /// Keeps rows the follower could not index (one entry per row, counting attempts).
    pub async fn record_sync_errors(
        &self,
        kind: &str,
        errors: &[RowError],
    ) -> Result<(), CatalogError> {
        if errors.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        let now = now_ms();
        for e in errors {
            sqlx::query(
                "INSERT INTO sync_errors (kind, row_id, field, reason, first_at, last_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (kind, row_id) DO UPDATE
                 SET field = ?3, reason = ?4, last_at = ?5, attempts = attempts + 1",
            )
            .bind(kind)
            .bind(&e.row_id)
            .bind(&e.field)
            .bind(&e.reason)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets dead letters of rows that now index (or are gone).
    pub async fn clear_sync_errors(&self, kind: &str, ids: &[String]) -> Result<(), CatalogError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for id in ids {
            sqlx::query("DELETE FROM sync_errors WHERE kind = ? AND row_id = ?")
                .bind(kind)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The dead letters of `kind` (all kinds when `None`), oldest first.
    pub async fn sync_errors(
        &self,
        kind: Option<&str>,
        limit: i64,
    ) -> Result<Vec<SyncError>, CatalogError> {
        let rows = sqlx::query(
            "SELECT * FROM sync_errors WHERE ?1 IS NULL OR kind = ?1 ORDER BY first_at, row_id LIMIT ?2",
        )
        .bind(kind)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| SyncError {
                kind: r.get("kind"),
                row_id: r.get("row_id"),
                field: r.get("field"),
                reason: r.get("reason"),
                first_at: r.get("first_at"),
                last_at: r.get("last_at"),
                attempts: r.get("attempts"),
            })
            .collect())
    }
}

fn pushed_of(r: &sqlx::sqlite::SqliteRow) -> Pushed {
    Pushed {
        seq: r.get("seq"),
        doc_id: r.get("doc_id"),
        body: r
            .get::<Option<String>, _>("body")
            .and_then(|b| serde_json::from_str(&b).ok()),
    }
}
