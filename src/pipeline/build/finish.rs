//! The end of a run: the writes pushed through the API on top, the final commit, the
//! version's cursors and analyzer stamp, ready; then the swap.

use super::Build;
use crate::catalog::VersionState;
use crate::pipeline::phase::{interrupted, phase_async};
use crate::pipeline::{PipelineError, apply_pushed, internal};

/// Completes the version and marks it ready; returns its document count.
pub(super) async fn version(build: &Build<'_>, cursor: i64) -> Result<u64, PipelineError> {
    let (engine, catalog, job) = (build.engine, build.catalog, build.job);
    let kind = &job.kind;
    // Writes pushed through the API are not in the source: replay them on top.
    let pushed_cursor = apply_pushed(catalog, build.source, &build.index, 0).await?;
    phase_async("final_commit", &|| engine.stopping()).await;
    interrupted(engine, job)?;
    build.index.commit()?;
    let closing = build.index.clone();
    tokio::task::spawn_blocking(move || closing.close_writer())
        .await
        .map_err(|e| internal(format!("writer shutdown panicked: {e}")))??;
    // As many segments of about equal size as a search has threads (docs/reindexing.md).
    phase_async("final_merge", &|| engine.stopping()).await;
    interrupted(engine, job)?;
    let merging = build.index.clone();
    let target = engine.search_threads();
    let nice = engine.indexing_nice();
    let segments = tokio::task::spawn_blocking(move || {
        crate::pipeline::priority::lowered(nice, || merging.merge_into(target))?
            .map_err(PipelineError::from)
    })
    .await
    .map_err(|e| internal(format!("final merge panicked: {e}")))??;
    tracing::info!(
        kind,
        version = job.target_version,
        segments,
        "version merged"
    );
    build.index.reload()?;
    let docs = build.index.num_docs();
    catalog
        .set_sync_cursor(kind, job.target_version, cursor)
        .await?;
    catalog
        .set_pushed_cursor(kind, job.target_version, pushed_cursor)
        .await?;
    engine.stamp_analyzer(kind, job.target_version)?;
    catalog
        .set_version_state(
            kind,
            job.target_version,
            VersionState::Ready,
            Some(docs as i64),
        )
        .await?;
    Ok(docs)
}

/// Serves the new version (when the job swaps) and deletes expired ones; returns them.
pub(super) async fn swap(build: &Build<'_>) -> Result<Vec<i64>, PipelineError> {
    let (engine, job) = (build.engine, build.job);
    if !job.swap {
        return Ok(Vec::new());
    }
    phase_async("swap", &|| engine.stopping()).await;
    interrupted(engine, job)?;
    engine.swap(&job.kind, job.target_version).await?;
    Ok(engine
        .delete_expired(&job.kind, build.options.keep_versions)
        .await?)
}
