//! The loader: decodes and analyses each page in parallel (rayon), hands the documents
//! to the writer, and commits at checkpoints, all at the reindex's lowered priority.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use rayon::prelude::*;
use tokio::task::JoinHandle;

use super::Build;
use super::progress::Counters;
use super::read::Pages;
use crate::catalog::RowError;
use crate::index::{IndexDocument, KindIndex};
use crate::pipeline::PipelineError;
use crate::pipeline::phase::phase;
use crate::schema::KindSpec;
use crate::source::{SourceRow, decode_row};

/// Starts loading `pages` into the job's version.
pub(super) fn spawn(build: &Build<'_>, pages: Pages) -> JoinHandle<Result<(), PipelineError>> {
    let index = build.index.clone();
    let loader = Loader {
        // A resumed job may re-read rows committed after its last recorded checkpoint
        // (the process can die between a commit and the catalog write): whenever the
        // version already holds documents, replace by id.
        replace: build.job.checkpoint.is_some() || index.num_docs() > 0,
        index,
        spec: build.spec.clone(),
        counters: build.counters.clone(),
        checkpoint_rows: build.options.checkpoint_rows.max(1) as i64,
        nice: build.engine.indexing_nice(),
    };
    // The whole loop runs lowered, not only its analysis: tantivy starts its indexing
    // threads again at every commit, from the thread that commits.
    tokio::task::spawn_blocking(move || {
        crate::pipeline::priority::lowered(loader.nice, move || loader.run(pages))?
    })
}

/// What the load loop needs.
struct Loader {
    index: Arc<KindIndex>,
    spec: KindSpec,
    counters: Arc<Counters>,
    checkpoint_rows: i64,
    replace: bool,
    nice: i32,
}

impl Loader {
    /// Decodes and analyses each page on a pool at `nice`, writes it, commits at
    /// checkpoints.
    fn run(self, mut pages: Pages) -> Result<(), PipelineError> {
        let Loader {
            index,
            spec,
            counters,
            checkpoint_rows,
            replace,
            nice,
        } = self;
        let pool = crate::pipeline::priority::analysis_pool(nice)?;
        let stop = || counters.cancel.load(Ordering::Relaxed);
        let mut since_commit = 0i64;
        loop {
            let rows = match pages.blocking_recv() {
                Some(Some(rows)) => rows,
                Some(None) => break,
                // The reader is gone without reaching the end: keep only what the
                // checkpoints committed (dropping the writer discards the rest).
                None => return Ok(()),
            };
            if stop() {
                return Ok(());
            }
            let (page, prepared): (Vec<SourceRow>, Vec<Prepared>) = pool.install(|| {
                rows.par_iter()
                    .map(|row| {
                        let row = decode_row(&spec, row);
                        let prepared = prepare(&index, &row);
                        (row, prepared)
                    })
                    .unzip()
            });
            let last_id = page.last().map(|r| r.id.clone());
            let mut bad = Vec::new();
            let mut docs = Vec::with_capacity(page.len());
            for (row, prepared) in page.iter().zip(prepared) {
                match prepared {
                    Ok(doc) => docs.push((row.id.as_str(), doc)),
                    Err(errors) => bad.push(errors),
                }
            }
            index.add_prepared(docs, replace)?;
            phase("load", &stop);
            counters
                .processed
                .fetch_add(page.len() as i64, Ordering::Relaxed);
            counters
                .failed
                .fetch_add(bad.len() as i64, Ordering::Relaxed);
            if !bad.is_empty() {
                let mut errors = counters.errors.lock().unwrap_or_else(|p| p.into_inner());
                errors.extend(bad.into_iter().flatten());
            }
            since_commit += page.len() as i64;
            if since_commit >= checkpoint_rows {
                index.commit()?;
                since_commit = 0;
                *counters
                    .checkpoint
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = last_id;
                phase("checkpoint", &stop);
            }
        }
        index.commit()?;
        Ok(())
    }
}

/// A row analysed for the writer, or why it cannot be indexed.
type Prepared = Result<IndexDocument, Vec<RowError>>;

fn prepare(index: &KindIndex, row: &SourceRow) -> Prepared {
    match &row.doc {
        Ok(doc) => index.prepare(doc).map(|(_, doc)| doc).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| RowError {
                    row_id: row.id.clone(),
                    field: e.field,
                    reason: e.reason,
                })
                .collect()
        }),
        Err(e) => Err(vec![e.clone()]),
    }
}
