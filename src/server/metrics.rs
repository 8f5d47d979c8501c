//! Prometheus metrics of one server: requests and latency per route, search latency
//! per index; index sizes, job progress and sync lag are read at scrape time.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The server's metrics (a registry per server, so tests can run several).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Requests by route, method and status.
    pub requests: IntCounterVec,
    /// Request latency by route and method.
    pub latency: HistogramVec,
    /// Search latency (engine time) by index.
    pub search: HistogramVec,
    /// Live documents per index.
    pub docs: IntGaugeVec,
    /// Rows processed by the latest job of each kind.
    pub job_processed: IntGaugeVec,
    /// Change-log entries not yet applied to each live version.
    pub sync_lag: IntGaugeVec,
    /// The search result cache's counters (`hits`, `misses`, `entries`, `bytes`), read
    /// from the engine at scrape time.
    pub search_cache: IntGaugeVec,
    /// The match sets of dense query words and recurring filters (`hits`, `misses`,
    /// `sets`, `bytes`), read from the engine at scrape time.
    pub match_sets: IntGaugeVec,
}

const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
];

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("chatda_http_requests_total", "HTTP requests"),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "chatda_http_request_duration_seconds",
                "HTTP request latency",
            )
            .buckets(BUCKETS.to_vec()),
            &["route", "method"],
        )
        .expect("valid metric");
        let search = HistogramVec::new(
            HistogramOpts::new(
                "chatda_search_duration_seconds",
                "search latency in the engine",
            )
            .buckets(BUCKETS.to_vec()),
            &["index"],
        )
        .expect("valid metric");
        let docs = IntGaugeVec::new(
            Opts::new("chatda_index_docs", "live documents per index"),
            &["index"],
        )
        .expect("valid metric");
        let job_processed = IntGaugeVec::new(
            Opts::new(
                "chatda_job_processed_rows",
                "rows processed by the latest job of a kind",
            ),
            &["kind", "state"],
        )
        .expect("valid metric");
        let sync_lag = IntGaugeVec::new(
            Opts::new(
                "chatda_sync_lag_changes",
                "change-log entries not yet applied to the live version",
            ),
            &["index"],
        )
        .expect("valid metric");
        let search_cache = IntGaugeVec::new(
            Opts::new(
                "chatda_search_cache",
                "search result cache: hits and misses since start, entries and bytes held",
            ),
            &["stat"],
        )
        .expect("valid metric");
        let match_sets = IntGaugeVec::new(
            Opts::new(
                "chatda_match_sets",
                "match sets of dense query words and recurring filters: hits and misses since start, sets and bytes held",
            ),
            &["stat"],
        )
        .expect("valid metric");
        for m in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(search.clone()),
            Box::new(docs.clone()),
            Box::new(job_processed.clone()),
            Box::new(sync_lag.clone()),
            Box::new(search_cache.clone()),
            Box::new(match_sets.clone()),
        ] {
            registry.register(m).expect("unique metric names");
        }
        Metrics {
            registry,
            requests,
            latency,
            search,
            docs,
            job_processed,
            sync_lag,
            search_cache,
            match_sets,
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("encoding to a Vec cannot fail");
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
