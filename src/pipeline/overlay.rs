//! Writes pushed through the API (`documents`, `chatda index`) are an overlay on the
//! source: journaled in the catalog, applied to the live version at once, and replayed
//! into every version a reindex builds, so a reindex never loses them. A push stands
//! until its id is pushed again or the source changes that row afterwards (a change-log
//! entry newer than the push), from when on the source wins.

use std::collections::BTreeMap;

use super::{PipelineError, internal};
use crate::catalog::{Catalog, Pushed};
use crate::engine::Engine;
use crate::index::{Ingest, IngestReport, KindIndex};
use crate::source::Source;

/// Journal entries read per step.
const PAGE: i64 = 500;

/// Applies NDJSON `lines` to the live version of `kind` (see [`Ingest`]), journals the
/// accepted writes when that version is fed from the source, and commits. A write is
/// journaled before it is committed, so once this returns it survives any crash and
/// any later reindex.
pub async fn push_lines(
    engine: &Engine,
    source: &Source,
    kind: &str,
    lines: String,
    batch: usize,
) -> Result<IngestReport, PipelineError> {
    let live = engine.live(kind)?;
    let catalog = engine.catalog()?;
    let fed = catalog
        .version(kind, live.version)
        .await?
        .is_some_and(|v| v.sync_cursor.is_some());
    let index = live.index.clone();
    let (report, accepted) = tokio::task::spawn_blocking(move || {
        let mut ingest = Ingest::new(&index, batch).keep_accepted(fed);
        for (n, line) in lines.lines().enumerate() {
            ingest.line(n as u64 + 1, line)?;
        }
        let mut report = ingest.finish()?;
        let accepted = std::mem::take(&mut report.accepted);
        Ok::<_, crate::index::IndexError>((report, accepted))
    })
    .await
    .map_err(|e| internal(format!("ingest task panicked: {e}")))??;
    if !accepted.is_empty() {
        let position = source.high_water().await?;
        catalog.push_writes(kind, &accepted, position).await?;
    }
    let index = live.index.clone();
    tokio::task::spawn_blocking(move || index.commit())
        .await
        .map_err(|e| internal(format!("commit task panicked: {e}")))??;
    Ok(report)
}

/// Applies the journaled writes of `index`'s kind after `after` (not committed), first
/// forgetting those the source has changed since. Returns the new cursor.
pub async fn apply_pushed(
    catalog: &Catalog,
    source: &Source,
    index: &KindIndex,
    after: i64,
) -> Result<i64, PipelineError> {
    let kind = index.spec().name.clone();
    let mut cursor = after;
    loop {
        let entries = catalog.pushed_after(&kind, cursor, PAGE).await?;
        let Some(last) = entries.last() else {
            return Ok(cursor);
        };
        cursor = last.seq;
        let entries = without_superseded(catalog, source, &kind, entries).await?;
        apply(index, &entries)?;
    }
}

/// Applies again the journaled writes of `ids` (which the follower just overwrote with
/// source rows older than the pushes). Not committed.
pub async fn reapply_pushed(
    catalog: &Catalog,
    index: &KindIndex,
    ids: &[String],
) -> Result<(), PipelineError> {
    let entries = catalog.pushed_for(&index.spec().name, ids).await?;
    apply(index, &entries)
}

async fn without_superseded(
    catalog: &Catalog,
    source: &Source,
    kind: &str,
    entries: Vec<Pushed>,
) -> Result<Vec<Pushed>, PipelineError> {
    let ids: Vec<String> = entries.iter().map(|e| e.doc_id.clone()).collect();
    let changed = source.latest_changes(kind, &ids).await?;
    catalog.drop_superseded(kind, &changed).await?;
    let changed: BTreeMap<String, i64> = changed.into_iter().collect();
    // What survived the drop is still in the journal; re-read rather than re-derive.
    let kept = catalog
        .pushed_for(kind, &changed.keys().cloned().collect::<Vec<_>>())
        .await?;
    Ok(entries
        .into_iter()
        .filter(|e| !changed.contains_key(&e.doc_id) || kept.iter().any(|k| k.seq == e.seq))
        .collect())
}

fn apply(index: &KindIndex, entries: &[Pushed]) -> Result<(), PipelineError> {
    for entry in entries {
        match &entry.body {
            Some(doc) => {
                let report = index.upsert(std::slice::from_ref(doc))?;
                for rejected in &report.rejected {
                    // Valid when pushed; the spec changed since.
                    tracing::warn!(kind = %index.spec().name, id = %entry.doc_id, errors = ?rejected.errors, "a pushed document no longer validates; skipped");
                }
            }
            None => index.delete(&[&entry.doc_id])?,
        }
    }
    Ok(())
}
