//! Catch-up: every change logged since the job's high-water mark, until none is left.

use std::sync::atomic::Ordering;

use super::Build;
use crate::pipeline::phase::{interrupted, phase_async};
use crate::pipeline::retry::retry;
use crate::pipeline::{PipelineError, Progress, apply_changes};

/// Applies the changes; returns the change-log cursor reached and how many changes of
/// the kind were applied.
pub(super) async fn run(
    build: &Build<'_>,
    progress: &mut (impl FnMut(&Progress) + Send),
) -> Result<(i64, usize), PipelineError> {
    let (engine, job) = (build.engine, build.job);
    let mut cursor = job.high_water;
    let mut caught_up = 0;
    loop {
        interrupted(engine, job)?;
        let changes = retry(build.options, || build.source.changes_after(cursor, 1_000)).await?;
        let Some(last) = changes.last() else { break };
        phase_async("catch_up", &|| engine.stopping()).await;
        interrupted(engine, job)?;
        cursor = last.seq;
        let applied = apply_changes(build.source, &build.index, &changes).await?;
        caught_up += changes.iter().filter(|c| c.kind == job.kind).count();
        build
            .counters
            .failed
            .fetch_add(applied.errors.len() as i64, Ordering::Relaxed);
        build
            .counters
            .errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(applied.errors);
        build.report("catching up", progress).await?;
    }
    Ok((cursor, caught_up))
}
