//! The embedding API: one [`Engine`] holds the analyzer and an index per document kind.
//!
//! ```no_run
//! use chatda::engine::Engine;
//! use chatda::query::SearchRequest;
//!
//! let engine = Engine::open("./data")?;
//! engine.upsert("concerts", &[serde_json::json!({"id": 1, "title": "아이유 콘서트"})])?;
//! engine.commit("concerts")?;
//! let response = engine.search("concerts", &SearchRequest::text("아이우"))?;
//! # Ok::<(), chatda::engine::EngineError>(())
//! ```
//!
//! `Engine` is `Send + Sync`; share it in an `Arc`. Searches take a fresh searcher each
//! (one `IndexReader` per index, one `Searcher` per request). Every method blocks on CPU
//! or disk: from async code call them inside `tokio::task::spawn_blocking`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde_json::Value as Json;

use crate::analysis::{AnalysisError, Analyzer, AnalyzerConfig};
use crate::index::{BatchReport, IndexError, KindIndex};
use crate::query::{self, QueryError, SearchError, SearchRequest, SearchResponse};
use crate::schema::{KindSpec, SchemaError};

/// Built-in kinds every engine opens.
pub const BUILTIN_KINDS: [&str; 2] = ["concerts", "tickets"];

/// Errors of the engine. [`EngineError::is_user_error`] tells the client's mistakes from
/// internal failures.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No index for that kind.
    #[error("unknown index {0:?}: this engine has {1}")]
    UnknownIndex(String, String),
    /// The request is wrong.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// The analyzer's configuration (user dictionary, synonyms) is wrong.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// A kind spec is wrong.
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

impl From<SearchError> for EngineError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Query(e) => EngineError::Query(e),
            SearchError::Index(e) => EngineError::Index(IndexError::Tantivy(e)),
        }
    }
}

impl EngineError {
    /// Whether the caller caused the error (bad request, unknown index).
    pub fn is_user_error(&self) -> bool {
        matches!(self, EngineError::UnknownIndex(..) | EngineError::Query(_))
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::UnknownIndex(..) => "unknown_index",
            EngineError::Query(e) => e.code(),
            EngineError::Index(_) => "index_error",
            EngineError::Analysis(_) => "analysis_config",
            EngineError::Schema(_) => "schema_error",
        }
    }
}

/// How to open an [`Engine`].
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Where indexes live (`<data_dir>/indexes/<kind>`); `None` keeps them in memory.
    pub data_dir: Option<PathBuf>,
    /// Analyzer settings (decompounding, user dictionary, synonyms).
    pub analyzer: AnalyzerConfig,
    /// The kinds to open; default: the built-in `concerts` and `tickets`.
    pub kinds: Vec<KindSpec>,
}

impl EngineConfig {
    /// Built-in kinds and the default analyzer, stored under `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Result<Self, EngineError> {
        Ok(EngineConfig {
            data_dir: Some(data_dir.into()),
            analyzer: AnalyzerConfig::default(),
            kinds: BUILTIN_KINDS
                .iter()
                .map(|k| KindSpec::builtin(k))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Korean search over a set of document kinds.
pub struct Engine {
    analyzer: Arc<Analyzer>,
    indexes: RwLock<BTreeMap<String, Arc<KindIndex>>>,
}

impl Engine {
    /// Opens (or creates) the built-in kinds' indexes under `data_dir`.
    pub fn open(data_dir: impl AsRef<Path>) -> Result<Self, EngineError> {
        Self::with_config(EngineConfig::new(data_dir.as_ref())?)
    }

    /// Built-in kinds, held in memory (tests, examples, small embedded uses).
    pub fn in_memory() -> Result<Self, EngineError> {
        Self::with_config(EngineConfig {
            data_dir: None,
            ..EngineConfig::new(".")?
        })
    }

    /// Opens an engine as configured.
    pub fn with_config(config: EngineConfig) -> Result<Self, EngineError> {
        let analyzer = Arc::new(Analyzer::new(&config.analyzer)?);
        let mut indexes = BTreeMap::new();
        for spec in config.kinds {
            let name = spec.name.clone();
            let index = match &config.data_dir {
                Some(dir) => KindIndex::open_or_create(
                    &dir.join("indexes").join(&name),
                    spec,
                    analyzer.clone(),
                )?,
                None => KindIndex::in_memory(spec, analyzer.clone())?,
            };
            indexes.insert(name, Arc::new(index));
        }
        Ok(Engine {
            analyzer,
            indexes: RwLock::new(indexes),
        })
    }

    /// The analyzer shared by every index.
    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// Names of the open indexes.
    pub fn kinds(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    /// The index of `kind`. Holding the `Arc` keeps that index usable even if the
    /// engine later replaces it.
    pub fn index(&self, kind: &str) -> Result<Arc<KindIndex>, EngineError> {
        let indexes = self.read();
        indexes.get(kind).cloned().ok_or_else(|| {
            EngineError::UnknownIndex(
                kind.to_string(),
                indexes.keys().cloned().collect::<Vec<_>>().join(", "),
            )
        })
    }

    /// Validates and adds or replaces documents by id; invalid ones are reported, the
    /// rest applied. Visible after [`Engine::commit`].
    pub fn upsert(&self, kind: &str, docs: &[Json]) -> Result<BatchReport, EngineError> {
        Ok(self.index(kind)?.upsert(docs)?)
    }

    /// Deletes documents by id. Visible after [`Engine::commit`].
    pub fn delete(&self, kind: &str, ids: &[&str]) -> Result<(), EngineError> {
        Ok(self.index(kind)?.delete(ids)?)
    }

    /// Makes the changes to `kind` durable and searchable.
    pub fn commit(&self, kind: &str) -> Result<(), EngineError> {
        Ok(self.index(kind)?.commit()?)
    }

    /// Runs a search (see [`SearchRequest`]).
    pub fn search(
        &self,
        kind: &str,
        request: &SearchRequest,
    ) -> Result<SearchResponse, EngineError> {
        Ok(query::search(&*self.index(kind)?, request)?)
    }

    /// Runs only the filter, text and aggregations of `request` (no hits).
    pub fn aggregate(&self, kind: &str, request: &SearchRequest) -> Result<Json, EngineError> {
        Ok(query::aggregate(&*self.index(kind)?, request)?)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<KindIndex>>> {
        self.indexes
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
