//! The long-running operations the command line runs in the foreground: a reindex with
//! progress, source migrations and demo rows, JSON lines into an index, one pass of the
//! follower.

use std::io::BufRead;

use super::{App, AppError};
use crate::index::{Ingest, IngestReport};
use crate::pipeline::{self, Progress, ReindexReport, SyncOptions};

impl App {
    /// Rebuilds `kind` from the source now (resuming a job a crash left), with
    /// `progress` at least every second; `swap: false` leaves the alias in place.
    /// [`App::stop`] ends it at its next step, leaving the job to resume.
    pub async fn reindex(
        &self,
        kind: &str,
        swap: bool,
        progress: impl FnMut(&Progress) + Send,
    ) -> Result<ReindexReport, AppError> {
        // In the foreground the caller sees a failure at once: no retries.
        let options = pipeline::ReindexOptions {
            swap,
            job_attempts: 1,
            ..self.settings.reindex_options()
        };
        Ok(pipeline::reindex(&self.engine, &self.source, kind, &options, progress).await?)
    }

    /// Asks running reindexes to stop at their next step (their jobs resume later).
    pub fn stop(&self) {
        self.engine.stop_jobs();
    }

    /// Creates or updates the source tables, change log and triggers.
    pub async fn migrate(&self) -> Result<(), AppError> {
        self.source
            .migrate()
            .await
            .map_err(|source| AppError::Source {
                url: self.settings.source_url(),
                source,
            })
    }

    /// Writes generated concerts and tickets (ids 1..=n) into the source.
    pub async fn seed_demo(
        &self,
        concerts: u64,
        tickets: u64,
        seed: u64,
        progress: impl FnMut(u64),
    ) -> Result<(), AppError> {
        crate::source::seed_demo(&self.source, concerts, tickets, seed, progress)
            .await
            .map_err(|source| AppError::Source {
                url: self.settings.source_url(),
                source,
            })
    }

    /// Applies JSON lines from `input` to the live version of `kind` the way `documents`
    /// does (upserts and deletes, analysed in parallel batches), without journaling them:
    /// for building an index from files. Calls `progress(lines)` as it goes; commits at
    /// the end.
    pub async fn index_lines(
        &self,
        kind: &str,
        input: impl BufRead + Send + 'static,
        batch: usize,
        mut progress: impl FnMut(u64) + Send + 'static,
    ) -> Result<IngestReport, AppError> {
        let index = self.engine.index(kind)?;
        tokio::task::spawn_blocking(move || {
            let mut ingest = Ingest::new(&index, batch);
            for (i, line) in input.lines().enumerate() {
                let number = i as u64 + 1;
                let line = line.map_err(|reason| AppError::Io {
                    path: format!("line {number}"),
                    reason,
                })?;
                ingest
                    .line(number, &line)
                    .map_err(crate::engine::EngineError::from)?;
                progress(number);
            }
            let report = ingest.finish().map_err(crate::engine::EngineError::from)?;
            index.commit().map_err(crate::engine::EngineError::from)?;
            Ok(report)
        })
        .await
        .map_err(|e| AppError::Internal(format!("indexing task panicked: {e}")))?
    }

    /// Documents in the live version of `kind`.
    pub fn docs(&self, kind: &str) -> Result<u64, AppError> {
        Ok(self.engine.live(kind)?.index.num_docs())
    }

    /// Applies every pending change of every kind once; returns the count per kind.
    pub async fn sync_once(&self) -> Result<Vec<(String, usize)>, AppError> {
        let options = SyncOptions::default();
        let mut out = Vec::new();
        for kind in self.engine.kinds() {
            let mut gaps = Default::default();
            let mut total = 0;
            loop {
                let n = pipeline::sync_once(&self.engine, &self.source, &kind, &options, &mut gaps)
                    .await?;
                if n == 0 {
                    break;
                }
                total += n;
            }
            out.push((kind, total));
        }
        Ok(out)
    }

    /// The source rows of every kind the follower could not index.
    pub async fn all_sync_errors(&self) -> Result<Vec<crate::catalog::SyncError>, AppError> {
        Ok(self.engine.catalog()?.sync_errors(None, i64::MAX).await?)
    }
}
