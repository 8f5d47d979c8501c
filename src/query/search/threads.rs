//! Searching the segments of one query side by side.
//!
//! A search that runs alone in the process splits its segments across the search
//! threads, so one broad query on an idle server finishes sooner. When other searches
//! run too the cores are already busy: splitting would add hand-offs, not speed, so each
//! search then walks its segments in turn on its own thread.

use std::sync::atomic::{AtomicUsize, Ordering};

use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::{Executor, Searcher};

/// The search threads of an engine, and how many searches it is running.
pub struct SearchThreads {
    executor: Option<Executor>,
    threads: usize,
    in_flight: AtomicUsize,
}

impl SearchThreads {
    /// `threads` search threads; 0: one per core; 1: none (every search on its caller's
    /// thread).
    pub fn new(threads: usize) -> Self {
        let threads = match threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let executor = (threads > 1)
            .then(|| Executor::multi_thread(threads, "chatda-search-"))
            .and_then(|made| {
                made.inspect_err(|e| {
                    tracing::warn!(error = %e, "no search threads: segments are searched in turn")
                })
                .ok()
            });
        SearchThreads {
            threads: if executor.is_some() { threads } else { 1 },
            executor,
            in_flight: AtomicUsize::new(0),
        }
    }

    /// How many threads one search can use: the segments a search can take side by side.
    pub fn count(&self) -> usize {
        self.threads
    }

    /// Every search on its caller's thread.
    pub fn off() -> Self {
        SearchThreads::new(1)
    }

    /// Runs `collector` over every segment of `searcher` (see the module documentation).
    pub(super) fn collect<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        let scoring = if collector.requires_scoring() {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        let alone = self.in_flight.fetch_add(1, Ordering::Relaxed) == 0;
        let _running = Running(&self.in_flight);
        let executor = match &self.executor {
            Some(threads) if alone && searcher.segment_readers().len() > 1 => threads,
            _ => &Executor::SingleThread,
        };
        searcher.search_with_executor(query, collector, executor, scoring)
    }
}

impl std::fmt::Debug for SearchThreads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchThreads")
            .field("parallel", &self.executor.is_some())
            .finish()
    }
}

/// Leaves the count of running searches when dropped.
struct Running<'a>(&'a AtomicUsize);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
