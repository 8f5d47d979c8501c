//! Applying change-log entries to an index: the reindex catch-up and the follower share
//! this. Each change re-reads the row's *current* state, so applying a change twice (or
//! out of order) converges to the source: a row that is gone is deleted.

use std::collections::BTreeMap;

use super::PipelineError;
use crate::catalog::RowError;
use crate::index::KindIndex;
use crate::source::{Change, Source, decode_row};

/// What applying a batch of changes did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Documents added or replaced.
    pub upserted: usize,
    /// Documents deleted.
    pub deleted: usize,
    /// Rows that could not be indexed (their old document, if any, is removed).
    pub errors: Vec<RowError>,
}

/// Applies `changes` (any kinds; those of other kinds are ignored) to `index`: reads
/// the current rows, upserts them, deletes ids whose rows are gone. Does not commit.
pub async fn apply_changes(
    source: &Source,
    index: &KindIndex,
    changes: &[Change],
) -> Result<Applied, PipelineError> {
    let spec = index.spec();
    // Last op per id wins; the row is re-read anyway.
    let mut latest: BTreeMap<&str, bool> = BTreeMap::new();
    for c in changes.iter().filter(|c| c.kind == spec.name) {
        latest.insert(&c.doc_id, c.deleted);
    }
    if latest.is_empty() {
        return Ok(Applied::default());
    }
    let ids: Vec<String> = latest
        .iter()
        .filter(|(_, deleted)| !**deleted)
        .map(|(id, _)| id.to_string())
        .collect();
    let rows = source.rows_by_id(spec, &ids).await?;
    let mut applied = Applied::default();
    let mut docs = Vec::with_capacity(rows.len());
    let mut found = std::collections::BTreeSet::new();
    for row in &rows {
        let decoded = decode_row(spec, row);
        found.insert(decoded.id.clone());
        match decoded.doc {
            Ok(doc) => docs.push((decoded.id, doc)),
            Err(e) => applied.errors.push(e),
        }
    }
    let gone: Vec<&str> = latest
        .keys()
        .copied()
        .filter(|id| !found.contains(*id) || applied.errors.iter().any(|e| e.row_id == *id))
        .collect();
    let json: Vec<serde_json::Value> = docs.iter().map(|(_, d)| d.clone()).collect();
    let report = index.upsert(&json)?;
    for rejected in &report.rejected {
        let id = &docs[rejected.index].0;
        for e in &rejected.errors {
            applied.errors.push(RowError {
                row_id: id.clone(),
                field: e.field.clone(),
                reason: e.reason.clone(),
            });
        }
    }
    let mut to_delete: Vec<&str> = gone;
    for rejected in &report.rejected {
        to_delete.push(&docs[rejected.index].0);
    }
    index.delete(&to_delete)?;
    applied.upserted = report.upserted;
    applied.deleted = to_delete.len();
    Ok(applied)
}
