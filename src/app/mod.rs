//! The application layer: one [`App`] owns the engine, the source and the settings and
//! offers every operation the fronts need. HTTP handlers and CLI commands extract their
//! input, call `App`, and render what it returns; neither reaches into the catalog, the
//! source or the indexes. Engine work runs on blocking threads, at most
//! [`Settings::max_inflight`] at a time.

mod batch;
mod error;
mod jobs;
mod prepare;
pub mod rank_eval;
mod schedule;
mod synonyms;
mod transfer;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value as Json;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

pub use error::AppError;
pub use jobs::{JobDetail, JobList};
pub use rank_eval::{RankEvalRequest, RankEvalResponse};
pub use schedule::{RetentionReport, ScheduleView};
pub use synonyms::SynonymsView;
pub use transfer::{ExportRequest, ExportTarget, ImportOptions};

// The types the fronts render.
pub use crate::catalog::{Attempt, Job, JobFilter, JobState, RowError, SyncError, Version};
pub use crate::index::IngestReport;
pub use crate::pipeline::{ImportReport, Progress, ReindexReport, Retried};
pub use crate::transfer::{ExportHeader, Format, RowProblem};

use crate::analysis::{AnalyzedToken, Analyzer, AnalyzerConfig, DecompoundMode};
use crate::engine::Engine;
use crate::pipeline::{self, SyncOptions};
use crate::query::{SearchRequest, SearchResponse};
use crate::schema::FieldType;
use crate::settings::Settings;
use crate::source::Source;

/// Longest wait for a place among the engine work running at once.
pub const QUEUE_WAIT: Duration = Duration::from_secs(5);
/// Most lines in one write request.
pub const MAX_DOCUMENT_LINES: usize = 10_000;
/// Longest text `analyze` takes, in characters.
pub const MAX_ANALYZE_CHARS: usize = 10_000;
/// Documents analysed together in a write request.
const INGEST_BATCH: usize = 500;

/// The service: engine, source, settings, and the reindexes it runs.
pub struct App {
    engine: Arc<Engine>,
    source: Source,
    settings: Settings,
    inflight: Arc<Semaphore>,
    jobs: Mutex<Vec<JoinHandle<()>>>,
    webhook: Option<jobs::Webhook>,
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The document id.
    pub id: Json,
    /// Its main text (the text field with the highest boost).
    pub text: Json,
    /// Relevance, 0–1.
    pub score: f32,
}

/// An index alias with its versions.
#[derive(Debug, Clone, Serialize)]
pub struct IndexStatus {
    /// The alias (= kind).
    pub alias: String,
    /// The version it serves.
    pub live_version: i64,
    /// Documents in the live version.
    pub docs: u64,
    /// Every version, with its size on disk.
    pub versions: Vec<VersionStatus>,
    /// Analyzer lists that differ from the ones the live version was built with.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub analyzer_mismatches: Vec<String>,
}

/// A version with its size.
#[derive(Debug, Clone, Serialize)]
pub struct VersionStatus {
    /// The catalog's record.
    #[serde(flatten)]
    pub version: Version,
    /// Bytes on disk.
    pub size_bytes: u64,
}

/// Per-kind numbers for metrics.
#[derive(Debug, Clone)]
pub struct KindStats {
    /// The kind.
    pub kind: String,
    /// Live documents.
    pub docs: u64,
    /// Change-log entries not yet applied to the live version.
    pub sync_lag: Option<i64>,
}

impl App {
    /// Opens the engine and the source as the settings say (no seeding, no building):
    /// what the CLI commands work with.
    pub async fn open(settings: Settings) -> Result<Self, AppError> {
        let (engine, source) = prepare::open(&settings).await?;
        Ok(Self::assemble(engine, source, settings))
    }

    /// Opens, migrates the source, seeds an empty one with demo rows and builds the first
    /// indexes (resuming a reindex a crash left): what `serve` does before it listens.
    pub async fn prepare(settings: Settings) -> Result<Self, AppError> {
        let (engine, source) = prepare::open(&settings).await?;
        prepare::prepare(&settings, &engine, &source).await?;
        let app = Self::assemble(engine, source, settings);
        app.check_schedules()?;
        let resumed = app.resume_imports().await?;
        if resumed > 0 {
            tracing::info!(resumed, "resumed interrupted imports");
        }
        Ok(app)
    }

    fn assemble(engine: Engine, source: Source, settings: Settings) -> Self {
        App {
            engine: Arc::new(engine),
            inflight: Arc::new(Semaphore::new(settings.max_inflight())),
            source,
            webhook: jobs::Webhook::new(&settings),
            settings,
            jobs: Mutex::new(Vec::new()),
        }
    }

    /// The engine (for embedding; the fronts use the operations below).
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Searches `kind`.
    pub async fn search(
        &self,
        kind: &str,
        request: SearchRequest,
    ) -> Result<SearchResponse, AppError> {
        self.engine.spec(kind)?;
        let engine = self.engine.clone();
        let kind = kind.to_string();
        self.blocking(move || Ok(engine.search(&kind, &request)?))
            .await
    }

    /// Search-as-you-type: prefix, initials and keyboard layout on the kind's main text
    /// fields (boost ≥ 1), no typo expansion (a half-typed word is not a typo).
    pub async fn suggest(
        &self,
        kind: &str,
        q: &str,
        limit: usize,
    ) -> Result<(Vec<Suggestion>, f64), AppError> {
        if q.trim().is_empty() {
            return Err(AppError::Invalid {
                field: "q",
                reason: "required".into(),
            });
        }
        if !(1..=20).contains(&limit) {
            return Err(AppError::Invalid {
                field: "limit",
                reason: "must be 1 to 20".into(),
            });
        }
        let spec = self.engine.spec(kind)?;
        let fields: BTreeMap<String, f32> = spec
            .fields
            .iter()
            .filter(|f| f.ty == FieldType::Text && f.boost >= 1.0)
            .map(|f| (f.name.clone(), f.boost))
            .collect();
        let display = spec
            .text_fields()
            .max_by(|a, b| a.boost.total_cmp(&b.boost))
            .map(|f| f.name.clone())
            .unwrap_or_default();
        let request = SearchRequest {
            q: q.to_string(),
            limit,
            fields: Some(fields),
            fuzzy: crate::query::Fuzzy::Off,
            prefix: true,
            // Suggestions complete what was typed: every word, no partial matches.
            matching: crate::query::Matching::All,
            ..SearchRequest::default()
        };
        let response = self.search(kind, request).await?;
        let suggestions = response
            .hits
            .iter()
            .map(|h| Suggestion {
                id: h.id.clone(),
                text: match h.source.get(&display) {
                    Some(Json::Array(values)) => values.first().cloned().unwrap_or(Json::Null),
                    Some(other) => other.clone(),
                    None => Json::Null,
                },
                score: h.score,
            })
            .collect();
        Ok((suggestions, response.took_ms))
    }

    /// Aggregations over what the request's filter and text match.
    pub async fn aggregate(&self, kind: &str, request: SearchRequest) -> Result<Json, AppError> {
        if request.aggs.is_none() {
            return Err(AppError::Invalid {
                field: "aggs",
                reason: "aggregate needs \"aggs\"".into(),
            });
        }
        self.engine.spec(kind)?;
        let engine = self.engine.clone();
        let kind = kind.to_string();
        self.blocking(move || Ok(engine.aggregate(&kind, &request)?))
            .await
    }

    /// The tokens of `text`, with the engine's analyzer or in another decompound `mode`;
    /// as a query (one segmentation) when `query`.
    pub async fn analyze(
        &self,
        text: String,
        mode: Option<&str>,
        query: bool,
    ) -> Result<Vec<AnalyzedToken>, AppError> {
        let chars = text.chars().count();
        if chars > MAX_ANALYZE_CHARS {
            return Err(AppError::Invalid {
                field: "text",
                reason: format!(
                    "the text is {chars} characters; analyze takes at most {MAX_ANALYZE_CHARS}"
                ),
            });
        }
        let mode = mode
            .map(|m| {
                m.parse::<DecompoundMode>().map_err(|e| AppError::Invalid {
                    field: "mode",
                    reason: e.to_string(),
                })
            })
            .transpose()?;
        let analyzer = self.engine.analyzer().clone();
        let config = AnalyzerConfig {
            mode: mode.unwrap_or(DecompoundMode::Mixed),
            ..self.settings.analyzer()
        };
        self.blocking(move || {
            let analyzer = match mode {
                None => analyzer,
                Some(_) => {
                    Arc::new(Analyzer::new(&config).map_err(crate::engine::EngineError::from)?)
                }
            };
            Ok(if query {
                analyzer.analyze_query(&text)
            } else {
                analyzer.analyze(&text)
            })
        })
        .await
    }

    /// Applies NDJSON lines (documents to upsert, `{"delete": ID}`) to the live version of
    /// `kind`, journaling them so a reindex keeps them (see [`pipeline::push_lines`]).
    pub async fn ingest(&self, kind: &str, lines: String) -> Result<IngestReport, AppError> {
        self.engine.spec(kind)?;
        let count = lines.lines().filter(|l| !l.trim().is_empty()).count();
        if count > MAX_DOCUMENT_LINES {
            return Err(AppError::TooLarge(format!(
                "{count} lines; at most {MAX_DOCUMENT_LINES} per request: send larger loads in several requests or run a reindex"
            )));
        }
        let _permit = self.permit().await?;
        Ok(pipeline::push_lines(&self.engine, &self.source, kind, lines, INGEST_BATCH).await?)
    }

    /// Serves `version` of `kind`; returns the version served before.
    pub async fn swap(&self, kind: &str, version: i64) -> Result<Option<i64>, AppError> {
        Ok(self.engine.swap(kind, version).await?)
    }

    /// Serves the newest complete version older than the live one; returns it.
    pub async fn rollback(&self, kind: &str) -> Result<i64, AppError> {
        Ok(self.engine.rollback(kind).await?)
    }

    /// Every alias with its live version, documents and versions (with sizes).
    pub async fn indexes(&self) -> Result<Vec<IndexStatus>, AppError> {
        let catalog = self.engine.catalog()?;
        let versions = catalog.versions(None).await?;
        let mismatches = self.engine.analyzer_mismatches();
        let mut out = Vec::new();
        for kind in self.engine.kinds() {
            let live = self.engine.live(&kind)?;
            out.push(IndexStatus {
                live_version: live.version,
                docs: live.index.num_docs(),
                versions: versions
                    .iter()
                    .filter(|v| v.kind == kind)
                    .map(|v| VersionStatus {
                        size_bytes: catalog.version_size(&kind, v.version),
                        version: v.clone(),
                    })
                    .collect(),
                analyzer_mismatches: mismatches
                    .iter()
                    .filter(|m| m.starts_with(&format!("{kind} ")))
                    .cloned()
                    .collect(),
                alias: kind,
            });
        }
        Ok(out)
    }

    /// The source rows of `kind` the follower could not index.
    pub async fn sync_errors(&self, kind: &str) -> Result<Vec<SyncError>, AppError> {
        self.engine.spec(kind)?;
        Ok(self
            .engine
            .catalog()?
            .sync_errors(Some(kind), 1_000)
            .await?)
    }

    /// Reads those rows again and indexes the ones that now pass.
    pub async fn retry_sync_errors(&self, kind: &str) -> Result<Retried, AppError> {
        self.engine.spec(kind)?;
        Ok(pipeline::retry_sync_errors(&self.engine, &self.source, kind).await?)
    }

    /// Whether every index is open and the catalog answers.
    pub async fn ready(&self) -> Result<Vec<String>, AppError> {
        let kinds = self.engine.kinds();
        for kind in &kinds {
            self.engine.live(kind)?;
        }
        self.engine
            .catalog()?
            .aliases()
            .await
            .map_err(|_| AppError::NotReady("the catalog is unreachable".into()))?;
        Ok(kinds)
    }

    /// Live documents and sync lag per kind, and the latest jobs (for metrics).
    pub async fn stats(&self) -> Result<(Vec<KindStats>, Vec<Job>), AppError> {
        let catalog = self.engine.catalog()?;
        let high_water = self.source.high_water().await.ok();
        let mut kinds = Vec::new();
        for kind in self.engine.kinds() {
            let live = self.engine.live(&kind)?;
            let cursor = catalog
                .version(&kind, live.version)
                .await?
                .and_then(|v| v.sync_cursor);
            kinds.push(KindStats {
                docs: live.index.num_docs(),
                sync_lag: high_water.zip(cursor).map(|(h, c)| (h - c).max(0)),
                kind,
            });
        }
        Ok((kinds, catalog.jobs(20).await?))
    }

    /// Follows the source's change log until `shutdown` resolves.
    pub fn follow(&self, shutdown: impl Future<Output = ()> + Send + 'static) -> JoinHandle<()> {
        tokio::spawn(pipeline::follow(
            self.engine.clone(),
            self.source.clone(),
            SyncOptions::default(),
            shutdown,
        ))
    }

    /// Stops the reindexes this app runs at their next step (their jobs resume at the
    /// next start) and waits for them.
    pub async fn stop_jobs(&self) {
        self.engine.stop_jobs();
        let jobs = std::mem::take(&mut *self.jobs.lock().unwrap_or_else(|p| p.into_inner()));
        for job in jobs {
            let _ = job.await;
        }
    }

    /// Runs engine work on a blocking thread, holding a place among the work allowed at
    /// once: CPU and memory stay bounded whatever the number of clients, and work whose
    /// request timed out cannot pile up.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = self.permit().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| AppError::Internal(format!("engine task panicked: {e}")))?
    }

    async fn permit(&self) -> Result<OwnedSemaphorePermit, AppError> {
        let waiting = self.inflight.clone().acquire_owned();
        match tokio::time::timeout(QUEUE_WAIT, waiting).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::Overloaded(format!(
                "the server is busy ({} requests running); retry shortly",
                self.settings.max_inflight()
            ))),
        }
    }
}
