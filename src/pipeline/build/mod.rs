//! One run of a reindex job, as a list of stages: open the target version, bulk-load it
//! from the source (a reader task and a loader thread, watched by the progress monitor),
//! catch up the changes logged since the job's high-water mark, finish the version
//! (pushed writes, final commit, cursors, ready) and swap it in.

mod catch_up;
mod finish;
mod load;
mod progress;
mod read;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::phase::interrupted;
use super::{PipelineError, Progress, ReindexOptions, ReindexReport, internal};
use crate::catalog::{Catalog, Job};
use crate::engine::Engine;
use crate::index::KindIndex;
use crate::schema::KindSpec;
use crate::source::Source;

use progress::Counters;

/// What the stages of one run share.
struct Build<'a> {
    engine: &'a Engine,
    catalog: &'a Catalog,
    source: &'a Source,
    job: &'a Job,
    options: &'a ReindexOptions,
    spec: KindSpec,
    index: Arc<KindIndex>,
    counters: Arc<Counters>,
    started: Instant,
    /// Rows already done when this run started (a resumed job).
    base: i64,
}

impl Build<'_> {
    /// Writes progress to the catalog and the caller; returns whether cancel was asked.
    async fn report(
        &self,
        stage: &'static str,
        progress: &mut (impl FnMut(&Progress) + Send),
    ) -> Result<bool, PipelineError> {
        progress::report(self, stage, progress).await
    }
}

/// Runs `job` to its end (see the module docs).
pub(super) async fn run(
    engine: &Engine,
    source: &Source,
    job: &Job,
    options: &ReindexOptions,
    progress: &mut (impl FnMut(&Progress) + Send),
) -> Result<ReindexReport, PipelineError> {
    let index = Arc::new(engine.open_version(&job.kind, job.target_version)?);
    // tantivy's indexing and merge threads are made here: lowered, they inherit it.
    super::priority::lowered(engine.indexing_nice(), || {
        index.configure_writer(options.writer_threads, options.writer_memory)
    })??;
    let counters = Arc::new(Counters::default());
    let base = index.num_docs() as i64 + job.failed_rows;
    counters.processed.store(base, Ordering::Relaxed);
    counters.failed.store(job.failed_rows, Ordering::Relaxed);
    let build = Build {
        engine,
        catalog: engine.catalog()?,
        source,
        job,
        options,
        spec: engine.spec(&job.kind)?.clone(),
        index,
        counters,
        started: Instant::now(),
        base,
    };

    let (pages, reader) = read::spawn(&build);
    let loader = load::spawn(&build, pages);
    let loaded = progress::watch(&build, loader, progress).await;
    let read = reader.await;
    build.report("loaded", progress).await?;
    loaded.map_err(|e| internal(format!("loader thread panicked: {e}")))??;
    read.map_err(|e| internal(format!("reader task panicked: {e}")))??;
    interrupted(engine, job)?;
    if build.counters.cancel.load(Ordering::Relaxed) {
        return Err(PipelineError::Cancelled(job.id));
    }

    let (cursor, caught_up) = catch_up::run(&build, progress).await?;
    let docs = finish::version(&build, cursor).await?;
    build.report("swapping", progress).await?;
    let deleted_versions = finish::swap(&build).await?;
    Ok(ReindexReport {
        job_id: job.id,
        version: job.target_version,
        docs,
        failed_rows: build.counters.failed.load(Ordering::Relaxed),
        caught_up,
        resumed_from: job.checkpoint.clone(),
        swapped: job.swap,
        deleted_versions,
        elapsed: build.started.elapsed(),
    })
}
