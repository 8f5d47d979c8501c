//! Retention of the source's change log: entries every kept version and every running
//! reindex has applied are needed by nobody and are deleted. The pushed-writes journal
//! decides whether a push still stands by looking for later source changes of the same
//! row, so the pushes those entries supersede are dropped first: pruning must never
//! make a superseded push look current.

use super::PipelineError;
use crate::engine::Engine;
use crate::source::Source;

/// Journal entries read per page.
const PAGE: i64 = 1_000;

/// Deletes the change-log entries up to the lowest position any kept version or running
/// reindex has applied; returns how many (0 when some version has no position yet).
pub async fn prune_change_log(engine: &Engine, source: &Source) -> Result<u64, PipelineError> {
    let catalog = engine.catalog()?;
    let Some(floor) = catalog.change_log_floor().await? else {
        return Ok(0);
    };
    for kind in engine.kinds() {
        let mut cursor = 0;
        loop {
            let entries = catalog.pushed_after(&kind, cursor, PAGE).await?;
            let Some(last) = entries.last() else {
                break;
            };
            cursor = last.seq;
            let ids: Vec<String> = entries.iter().map(|e| e.doc_id.clone()).collect();
            let changed = source.latest_changes(&kind, &ids).await?;
            catalog.drop_superseded(&kind, &changed).await?;
        }
    }
    Ok(source.prune_change_log(floor).await?)
}
