//! The follower: tails the change log and applies changes to each kind's live version,
//! committing small batches, so source writes are searchable within about a second.
//!
//! Each version keeps its own cursor (the last change-log seq applied) in the catalog;
//! a version never fed from the source (an empty first version, a JSON-lines index) has
//! none and is left alone until a reindex builds one that has.
//!
//! PostgreSQL assigns `seq` before commit, so a slow transaction can make a lower seq
//! visible after a higher one: the follower does not move its cursor past a gap until the
//! gap is [`SyncOptions::gap_wait`] old (by then it was a rolled-back transaction).
//! Applying a change re-reads the row, so re-applying is harmless.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{PipelineError, apply_changes, apply_pushed, internal, reapply_pushed};
use crate::engine::Engine;
use crate::source::Source;

/// Knobs of the follower.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Pause between polls of the change log.
    pub interval: Duration,
    /// Changes read per poll.
    pub batch: usize,
    /// How long a gap in `seq` may hold the cursor back.
    pub gap_wait: Duration,
    /// Longest pause between retries while the source is down.
    pub max_backoff: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            interval: Duration::from_millis(200),
            batch: 1_000,
            gap_wait: Duration::from_secs(5),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Gaps first seen, by the first missing seq.
pub type Gaps = BTreeMap<i64, Instant>;

/// Applies the pending changes of `kind` once (one batch) to its live version and
/// commits. Returns how many changes of the kind were applied (0: nothing to do or the
/// version is not fed from the source).
pub async fn sync_once(
    engine: &Engine,
    source: &Source,
    kind: &str,
    options: &SyncOptions,
    gaps: &mut Gaps,
) -> Result<usize, PipelineError> {
    let live = engine.live(kind)?;
    let catalog = engine.catalog()?;
    let Some(cursor) = catalog
        .version(kind, live.version)
        .await?
        .and_then(|v| v.sync_cursor)
    else {
        return Ok(0);
    };
    let mut changes = source.changes_after(cursor, options.batch).await?;
    // Stop at the first gap younger than gap_wait.
    let mut expected = cursor + 1;
    let mut usable = changes.len();
    for (i, change) in changes.iter().enumerate() {
        if change.seq != expected {
            let seen = *gaps.entry(expected).or_insert_with(Instant::now);
            if seen.elapsed() < options.gap_wait {
                usable = i;
                break;
            }
        }
        expected = change.seq + 1;
    }
    gaps.retain(|&seq, _| seq > cursor + usable as i64);
    changes.truncate(usable);
    let pushed_from = catalog.pushed_cursor(kind, live.version).await?;
    let mut applied_changes = 0;
    if let Some(last) = changes.last() {
        let last_seq = last.seq;
        let applied = apply_changes(source, &live.index, &changes).await?;
        // The latest change of each row of this kind, and the rows that indexed.
        let mut latest: BTreeMap<String, i64> = BTreeMap::new();
        for c in changes.iter().filter(|c| c.kind == kind) {
            latest.insert(c.doc_id.clone(), c.seq);
        }
        let failed: BTreeSet<&str> = applied.errors.iter().map(|e| e.row_id.as_str()).collect();
        let indexed: Vec<String> = latest
            .keys()
            .filter(|id| !failed.contains(id.as_str()))
            .cloned()
            .collect();
        for e in &applied.errors {
            tracing::warn!(kind, row = %e.row_id, field = %e.field, reason = %e.reason, "sync: row skipped; kept in the sync errors");
        }
        catalog.record_sync_errors(kind, &applied.errors).await?;
        catalog.clear_sync_errors(kind, &indexed).await?;
        // Pushes older than these changes give way; newer ones go back on top.
        let changed: Vec<(String, i64)> = latest.into_iter().collect();
        catalog.drop_superseded(kind, &changed).await?;
        let ids: Vec<String> = changed.into_iter().map(|(id, _)| id).collect();
        reapply_pushed(catalog, &live.index, &ids).await?;
        commit(&live.index).await?;
        catalog
            .set_sync_cursor(kind, live.version, last_seq)
            .await?;
        applied_changes = changes.iter().filter(|c| c.kind == kind).count();
    }
    let pushed_to = apply_pushed(catalog, source, &live.index, pushed_from).await?;
    if pushed_to != pushed_from {
        commit(&live.index).await?;
        catalog
            .set_pushed_cursor(kind, live.version, pushed_to)
            .await?;
    }
    Ok(applied_changes)
}

/// What a retry of the dead letters did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Retried {
    /// Rows tried again.
    pub retried: usize,
    /// Rows that indexed (or are gone from the source) and left the list.
    pub resolved: usize,
    /// Rows that still fail (kept, with the new reason).
    pub still_failing: usize,
}

/// Reads the rows in `kind`'s sync errors again and indexes those that now pass.
pub async fn retry_sync_errors(
    engine: &Engine,
    source: &Source,
    kind: &str,
) -> Result<Retried, PipelineError> {
    let live = engine.live(kind)?;
    let catalog = engine.catalog()?;
    let errors = catalog.sync_errors(Some(kind), i64::MAX).await?;
    if errors.is_empty() {
        return Ok(Retried::default());
    }
    let changes: Vec<crate::source::Change> = errors
        .iter()
        .map(|e| crate::source::Change {
            seq: 0,
            kind: kind.to_string(),
            doc_id: e.row_id.clone(),
            deleted: false,
        })
        .collect();
    let applied = apply_changes(source, &live.index, &changes).await?;
    let failed: BTreeSet<&str> = applied.errors.iter().map(|e| e.row_id.as_str()).collect();
    let resolved: Vec<String> = errors
        .iter()
        .map(|e| e.row_id.clone())
        .filter(|id| !failed.contains(id.as_str()))
        .collect();
    catalog.record_sync_errors(kind, &applied.errors).await?;
    catalog.clear_sync_errors(kind, &resolved).await?;
    commit(&live.index).await?;
    Ok(Retried {
        retried: errors.len(),
        resolved: resolved.len(),
        still_failing: failed.len(),
    })
}

async fn commit(index: &Arc<crate::index::KindIndex>) -> Result<(), PipelineError> {
    let index = index.clone();
    tokio::task::spawn_blocking(move || index.commit())
        .await
        .map_err(|e| internal(format!("commit task panicked: {e}")))??;
    Ok(())
}

/// Follows the change log for every kind until `shutdown` resolves, switching to a new
/// live version when another process swaps an alias. Source outages are
/// logged and retried with exponential backoff (up to `max_backoff`); the cursor is in
/// the catalog, so a restart resumes where it stopped.
pub async fn follow(
    engine: Arc<Engine>,
    source: Source,
    options: SyncOptions,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut gaps: BTreeMap<String, Gaps> = BTreeMap::new();
    let mut backoff = options.interval;
    loop {
        let mut failed = false;
        let mut busy = false;
        // A reindex in another process may have moved an alias: follow the live version.
        match engine.refresh().await {
            Ok(moved) if !moved.is_empty() => tracing::info!(?moved, "now serving new versions"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read the aliases"),
        }
        for kind in engine.kinds() {
            match sync_once(
                &engine,
                &source,
                &kind,
                &options,
                gaps.entry(kind.clone()).or_default(),
            )
            .await
            {
                Ok(n) => busy |= n > 0,
                Err(e) => {
                    failed = true;
                    tracing::warn!(kind, error = %e, retry_in = ?backoff, "sync failed; will retry");
                }
            }
        }
        let pause = if failed {
            backoff = (backoff * 2).min(options.max_backoff);
            backoff
        } else {
            backoff = options.interval;
            // A full batch means more is waiting: go again at once.
            if busy {
                Duration::ZERO
            } else {
                options.interval
            }
        };
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(pause) => {}
        }
    }
}
