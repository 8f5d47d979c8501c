//! The embedding API: one [`Engine`] holds the analyzer and an index per document kind.
//!
//! ```no_run
//! use chatda::engine::Engine;
//! use chatda::query::SearchRequest;
//!
//! # async fn run() -> Result<(), chatda::engine::EngineError> {
//! let engine = Engine::open("./data").await?;
//! engine.upsert("concerts", &[serde_json::json!({"id": 1, "title": "아이유 콘서트"})])?;
//! engine.commit("concerts")?;
//! let response = engine.search("concerts", &SearchRequest::text("아이우"))?;
//! # Ok(()) }
//! ```
//!
//! `Engine` is `Send + Sync`; share it in an `Arc`. Searches take a fresh searcher each
//! (one `IndexReader` per index, one `Searcher` per request). The `async` methods talk to
//! the catalog; every other method blocks on CPU or disk: from async code call them
//! inside `tokio::task::spawn_blocking`.

mod cache;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use serde_json::Value as Json;

use crate::analysis::{AnalysisError, Analyzer, AnalyzerConfig, Fingerprint};
use crate::catalog::{Catalog, CatalogError, VersionState};
use crate::error::{Code, ErrorCode};
use crate::index::{BatchReport, IndexError, KindIndex};
use crate::query::{
    self, MatchSets, QueryError, SearchError, SearchRequest, SearchResponse, SearchThreads,
};
use crate::schema::{KindSpec, SchemaError, Zone};
use cache::{CacheKey, SearchCache};
pub use cache::{CacheStats, DEFAULT_SEARCH_CACHE_BYTES};

/// The file in a version's directory naming the analyzer lists that built it.
pub const ANALYZER_STAMP: &str = "analyzer.json";

/// Built-in kinds every engine opens.
pub const BUILTIN_KINDS: [&str; 2] = ["concerts", "tickets"];

/// Errors of the engine; [`ErrorCode`] tells the client's mistakes from internal failures.
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
    /// The catalog refused or failed.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// Versions, aliases and jobs need an engine opened on a data directory.
    #[error("this engine is in memory: versions, aliases and reindex need a data directory")]
    NoCatalog,
}

impl From<SearchError> for EngineError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Query(e) => EngineError::Query(e),
            SearchError::Index(e) => EngineError::Index(IndexError::Tantivy(e)),
        }
    }
}

impl ErrorCode for EngineError {
    fn error_code(&self) -> Code {
        match self {
            EngineError::UnknownIndex(..) => Code::UnknownIndex,
            EngineError::Query(e) => e.error_code(),
            EngineError::Index(e) => e.error_code(),
            EngineError::Analysis(_) => Code::AnalysisConfig,
            EngineError::Schema(_) => Code::SchemaError,
            EngineError::Catalog(e) => e.error_code(),
            EngineError::NoCatalog => Code::NoCatalog,
        }
    }

    fn error_field(&self) -> Option<String> {
        match self {
            EngineError::Query(e) => e.error_field(),
            _ => None,
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
    /// Time zone of bare dates in requests that name none; default UTC.
    pub time_zone: Zone,
    /// Memory bound of the search result cache in bytes (0: no cache).
    pub search_cache_bytes: u64,
    /// Threads a search running alone splits its segments across (0: one per core;
    /// 1: none).
    pub search_threads: usize,
    /// OS nice value of a reindex's analysis, indexing and merge threads (0: the
    /// caller's priority; 19: also the idle scheduling policy), so that searches keep
    /// the cores (see `pipeline/priority.rs`).
    pub indexing_nice: i32,
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
            time_zone: Zone::utc(),
            search_cache_bytes: DEFAULT_SEARCH_CACHE_BYTES,
            search_threads: 0,
            indexing_nice: 0,
        })
    }
}

/// The serving version of one kind.
#[derive(Clone)]
pub struct Live {
    /// Version number in the catalog (0 for in-memory indexes).
    pub version: i64,
    /// The index.
    pub index: Arc<KindIndex>,
}

/// Korean search over a set of document kinds.
pub struct Engine {
    analyzer: Arc<Analyzer>,
    specs: BTreeMap<String, KindSpec>,
    catalog: Option<Catalog>,
    live: RwLock<BTreeMap<String, Live>>,
    /// Versions swapped out, kept weakly: a version's files are deleted only once no
    /// searcher (no `Arc`) holds it any more.
    retired: Mutex<Vec<(String, i64, Weak<KindIndex>)>>,
    /// Set at shutdown: running reindexes stop and leave their job to be resumed.
    stopping: AtomicBool,
    /// For requests that name no time zone.
    time_zone: Zone,
    cache: SearchCache,
    threads: SearchThreads,
    /// The documents of dense query words per segment, shared by every index's searches.
    sets: Arc<MatchSets>,
    /// See [`EngineConfig::indexing_nice`].
    indexing_nice: i32,
}

impl Engine {
    /// Opens (or creates) the built-in kinds' indexes under `data_dir`: each kind's
    /// alias names its live version in `<data_dir>/catalog.db`; a kind without one gets
    /// an empty version 1.
    pub async fn open(data_dir: impl AsRef<Path>) -> Result<Self, EngineError> {
        Self::with_config(EngineConfig::new(data_dir.as_ref())?).await
    }

    /// Built-in kinds, held in memory (tests, examples, small embedded uses). No
    /// catalog: versions, swap and reindex need [`Engine::open`].
    pub fn in_memory() -> Result<Self, EngineError> {
        Self::in_memory_with(EngineConfig::new(".")?)
    }

    fn in_memory_with(config: EngineConfig) -> Result<Self, EngineError> {
        let analyzer = Arc::new(Analyzer::new(&config.analyzer)?);
        let mut live = BTreeMap::new();
        let mut specs = BTreeMap::new();
        for spec in config.kinds {
            let index = KindIndex::in_memory(spec.clone(), analyzer.clone())?;
            live.insert(
                spec.name.clone(),
                Live {
                    version: 0,
                    index: Arc::new(index),
                },
            );
            specs.insert(spec.name.clone(), spec);
        }
        let mut engine = Self::assemble(
            analyzer,
            specs,
            None,
            live,
            config.time_zone,
            config.search_cache_bytes,
            config.search_threads,
        );
        engine.indexing_nice = config.indexing_nice;
        Ok(engine)
    }

    /// Opens an engine as configured (in memory when `config.data_dir` is `None`).
    pub async fn with_config(config: EngineConfig) -> Result<Self, EngineError> {
        let Some(data_dir) = config.data_dir.clone() else {
            return Self::in_memory_with(config);
        };
        let analyzer = Arc::new(Analyzer::new(&config.analyzer)?);
        let catalog = Catalog::open(&data_dir).await?;
        let mut live = BTreeMap::new();
        let mut specs = BTreeMap::new();
        for spec in config.kinds {
            let version = match catalog.alias(&spec.name).await? {
                Some(alias) => alias.version,
                None => {
                    let v = catalog
                        .create_version(&spec.name, VersionState::Ready, None)
                        .await?;
                    catalog.swap(&spec.name, v).await?;
                    v
                }
            };
            let dir = catalog.version_dir(&spec.name, version);
            let index = KindIndex::open_or_create(&dir, spec.clone(), analyzer.clone())?;
            let stamp = dir.join(ANALYZER_STAMP);
            if index.num_docs() == 0 && !stamp.exists() {
                let json = serde_json::to_vec_pretty(analyzer.fingerprint())
                    .expect("a fingerprint serializes");
                std::fs::write(&stamp, json).map_err(|reason| IndexError::Io {
                    path: stamp.display().to_string(),
                    reason,
                })?;
            }
            live.insert(
                spec.name.clone(),
                Live {
                    version,
                    index: Arc::new(index),
                },
            );
            specs.insert(spec.name.clone(), spec);
        }
        let mut engine = Self::assemble(
            analyzer,
            specs,
            Some(catalog),
            live,
            config.time_zone,
            config.search_cache_bytes,
            config.search_threads,
        );
        engine.indexing_nice = config.indexing_nice;
        Ok(engine)
    }

    fn assemble(
        analyzer: Arc<Analyzer>,
        specs: BTreeMap<String, KindSpec>,
        catalog: Option<Catalog>,
        live: BTreeMap<String, Live>,
        time_zone: Zone,
        search_cache_bytes: u64,
        search_threads: usize,
    ) -> Self {
        Engine {
            analyzer,
            specs,
            catalog,
            live: RwLock::new(live),
            retired: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
            time_zone,
            cache: SearchCache::new(search_cache_bytes),
            threads: SearchThreads::new(search_threads),
            sets: Arc::new(MatchSets::default()),
            indexing_nice: 0,
        }
    }

    /// Asks the reindexes this engine runs to stop at their next step without finishing:
    /// their jobs keep their checkpoints and resume at the next start. For shutdown.
    pub fn stop_jobs(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// How many threads one search can use (the `search_threads` setting, resolved): a
    /// reindex merges its version into as many segments, so that a search running alone
    /// gives each thread one.
    pub fn search_threads(&self) -> usize {
        self.threads.count()
    }

    /// The nice value of a reindex's threads (see [`EngineConfig::indexing_nice`]).
    pub fn indexing_nice(&self) -> i32 {
        self.indexing_nice
    }

    /// Whether [`Engine::stop_jobs`] was called.
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// The catalog (versions, aliases, jobs); `Err` for in-memory engines.
    pub fn catalog(&self) -> Result<&Catalog, EngineError> {
        self.catalog.as_ref().ok_or(EngineError::NoCatalog)
    }

    /// The spec of `kind`.
    pub fn spec(&self, kind: &str) -> Result<&KindSpec, EngineError> {
        self.specs.get(kind).ok_or_else(|| self.unknown(kind))
    }

    /// Opens version `version` of `kind` from disk (creating it empty if missing). Blocks.
    pub fn open_version(&self, kind: &str, version: i64) -> Result<KindIndex, EngineError> {
        let dir = self.catalog()?.version_dir(kind, version);
        Ok(KindIndex::open_or_create(
            &dir,
            self.spec(kind)?.clone(),
            self.analyzer.clone(),
        )?)
    }

    /// Points `kind`'s alias at `version` (a `ready` one) and serves it: searches already
    /// running finish on the version they started on, the next ones see the new one.
    /// Returns the version served before.
    pub async fn swap(&self, kind: &str, version: i64) -> Result<Option<i64>, EngineError> {
        self.spec(kind)?;
        // Before opening: opening a version that does not exist would create its directory.
        self.catalog()?.check_servable(kind, version).await?;
        let index = Arc::new(self.open_version(kind, version)?);
        let previous = self.catalog()?.swap(kind, version).await?;
        self.install(kind, version, index);
        Ok(previous)
    }

    /// Serves the newest ready version older than the live one. Returns it.
    pub async fn rollback(&self, kind: &str) -> Result<i64, EngineError> {
        self.spec(kind)?;
        let target = self.catalog()?.rollback_target(kind).await?;
        self.swap(kind, target).await?;
        Ok(target)
    }

    /// Serves whatever the catalog's aliases name now: picks up swaps made by another
    /// process (a `chatda reindex` next to a server). Returns the kinds that moved.
    pub async fn refresh(&self) -> Result<Vec<String>, EngineError> {
        let mut moved = Vec::new();
        for alias in self.catalog()?.aliases().await? {
            let current = self.read().get(&alias.kind).map(|l| l.version);
            if current.is_some() && current != Some(alias.version) {
                let index = Arc::new(self.open_version(&alias.kind, alias.version)?);
                self.install(&alias.kind, alias.version, index);
                moved.push(alias.kind);
            }
        }
        Ok(moved)
    }

    /// Deletes the versions of `kind` beyond the live one and the `keep` newest older
    /// ready ones, skipping any a searcher of this process still holds. Returns the
    /// versions deleted.
    pub async fn delete_expired(&self, kind: &str, keep: usize) -> Result<Vec<i64>, EngineError> {
        let catalog = self.catalog()?;
        let mut deleted = Vec::new();
        for version in catalog.expired_versions(kind, keep).await? {
            let in_use = {
                let mut retired = self.retired.lock().unwrap_or_else(|p| p.into_inner());
                retired.retain(|(_, _, weak)| weak.strong_count() > 0);
                retired.iter().any(|(k, v, _)| k == kind && *v == version)
            };
            if in_use {
                continue;
            }
            let dir = catalog.version_dir(kind, version);
            if dir.exists() {
                std::fs::remove_dir_all(&dir).map_err(|reason| IndexError::Io {
                    path: dir.display().to_string(),
                    reason,
                })?;
            }
            catalog
                .set_version_state(kind, version, VersionState::Deleted, None)
                .await?;
            deleted.push(version);
        }
        Ok(deleted)
    }

    /// Replaces the live index of `kind` in memory (no catalog change).
    fn install(&self, kind: &str, version: i64, index: Arc<KindIndex>) {
        let old = self
            .live
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(kind.to_string(), Live { version, index });
        // A reopened version's searchers count their generations from the start again.
        self.cache.forget(kind);
        if let Some(old) = old {
            self.retired
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((kind.to_string(), old.version, Arc::downgrade(&old.index)));
        }
    }

    /// The live version of `kind`.
    pub fn live(&self, kind: &str) -> Result<Live, EngineError> {
        self.read()
            .get(kind)
            .cloned()
            .ok_or_else(|| self.unknown(kind))
    }

    fn unknown(&self, kind: &str) -> EngineError {
        EngineError::UnknownIndex(
            kind.to_string(),
            self.specs.keys().cloned().collect::<Vec<_>>().join(", "),
        )
    }

    /// The analyzer shared by every index.
    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// Names of the open indexes.
    pub fn kinds(&self) -> Vec<String> {
        self.specs.keys().cloned().collect()
    }

    /// The index of `kind`. Holding the `Arc` keeps that index usable even if the
    /// engine later replaces it.
    pub fn index(&self, kind: &str) -> Result<Arc<KindIndex>, EngineError> {
        Ok(self.live(kind)?.index)
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

    /// Runs a search (see [`SearchRequest`]), or answers it from the result cache when
    /// the same request ran on the same index state (see `cache.rs`).
    pub fn search(
        &self,
        kind: &str,
        request: &SearchRequest,
    ) -> Result<SearchResponse, EngineError> {
        let started = std::time::Instant::now();
        let live = self.live(kind)?;
        let request = self.zoned(request);
        let searcher = live.index.searcher();
        if !self.cache.enabled() || !request.cache {
            return Ok(query::search_with(
                &live.index,
                &searcher,
                &request,
                &self.threads,
                &self.sets,
            )?);
        }
        let key = CacheKey {
            kind: kind.to_string(),
            version: live.version,
            generation: searcher.generation().generation_id(),
            synonyms: self.analyzer.synonyms_generation(),
            request: format!("{:?}", &*request),
        };
        if let Some(kept) = self.cache.get(&key) {
            let mut response = SearchResponse::clone(&kept);
            response.took_ms = started.elapsed().as_secs_f64() * 1e3;
            return Ok(response);
        }
        let response =
            query::search_with(&live.index, &searcher, &request, &self.threads, &self.sets)?;
        self.cache.put(key, response.clone());
        Ok(response)
    }

    /// The search cache's counters.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// The match sets' counters (see `query::MatchSets`).
    pub fn match_set_stats(&self) -> query::MatchSetStats {
        self.sets.stats()
    }

    /// Runs only the filter, text and aggregations of `request` (no hits).
    pub fn aggregate(&self, kind: &str, request: &SearchRequest) -> Result<Json, EngineError> {
        let index = self.index(kind)?;
        Ok(query::aggregate(&index, &self.zoned(request))?)
    }

    /// Records in a version's directory which analyzer lists built it.
    pub fn stamp_analyzer(&self, kind: &str, version: i64) -> Result<(), EngineError> {
        let path = self
            .catalog()?
            .version_dir(kind, version)
            .join(ANALYZER_STAMP);
        let json = serde_json::to_vec_pretty(self.analyzer.fingerprint())
            .expect("a fingerprint serializes");
        std::fs::write(&path, json).map_err(|reason| IndexError::Io {
            path: path.display().to_string(),
            reason,
        })?;
        Ok(())
    }

    /// Live versions built with other analyzer lists (user dictionary, synonyms) than
    /// this engine's, one message each: their documents and these queries are analysed
    /// differently until a reindex.
    pub fn analyzer_mismatches(&self) -> Vec<String> {
        let Ok(catalog) = self.catalog() else {
            return Vec::new();
        };
        let ours = self.analyzer.fingerprint();
        let mut out = Vec::new();
        for (kind, live) in self.read().iter() {
            let path = catalog.version_dir(kind, live.version).join(ANALYZER_STAMP);
            let Some(theirs) = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Fingerprint>(&b).ok())
            else {
                continue;
            };
            let short = |sha: &str| sha.chars().take(12).collect::<String>();
            let lists = [
                (
                    "user dictionary",
                    (&theirs.user_dictionary, &theirs.user_dictionary_sha256),
                    (&ours.user_dictionary, &ours.user_dictionary_sha256),
                ),
                (
                    "synonyms",
                    (&theirs.synonyms, &theirs.synonyms_sha256),
                    (&ours.synonyms, &ours.synonyms_sha256),
                ),
            ];
            for (list, (built, built_sha), (running, running_sha)) in lists {
                if built_sha != running_sha {
                    out.push(format!(
                        "{kind} v{} was built with the {list} {built} ({}), this process uses {running} ({}); reindex {kind} to apply it",
                        live.version,
                        short(built_sha),
                        short(running_sha)
                    ));
                }
            }
        }
        out
    }

    /// The engine's time zone for a request that names none.
    fn zoned<'r>(&self, request: &'r SearchRequest) -> std::borrow::Cow<'r, SearchRequest> {
        if request.time_zone.is_some() || self.time_zone.is_utc() {
            return std::borrow::Cow::Borrowed(request);
        }
        std::borrow::Cow::Owned(SearchRequest {
            time_zone: Some(self.time_zone.name().to_string()),
            ..request.clone()
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Live>> {
        self.live
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
