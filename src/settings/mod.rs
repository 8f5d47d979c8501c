//! One `Settings` for every command and for `serve`: command-line flags, `CHATDA_*`
//! environment variables and `chatda.toml` (keys named as the flags, with `_`), resolved
//! once. A flag beats the environment, which beats the file, which beats the default.
//! The doc comments are the `--help` text; `chatda settings` prints the resolved values
//! and where each came from.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use clap::parser::ValueSource;
use serde::{Deserialize, Serialize};

use crate::analysis::{AnalyzerConfig, ListSource, SynonymSource, UserDictionarySource};
use crate::engine::{BUILTIN_KINDS, EngineConfig};
use crate::pipeline::ReindexOptions;
use crate::schema::{KindSpec, Zone};

pub use cron::Cron;

/// Default listen address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7700";
/// The file read when `--config` is not given (if it exists).
pub const DEFAULT_FILE: &str = "chatda.toml";

/// Every setting. All optional here; the accessors apply the defaults.
#[derive(Debug, Clone, Default, Args, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Settings file (TOML, keys named as the flags with `_`) [default: ./chatda.toml if
    /// it exists].
    #[arg(long, env = "CHATDA_CONFIG", global = true)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Data directory: indexes, catalog.db, the default SQLite source [default: ./data].
    #[arg(long, env = "CHATDA_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Source database URL: sqlite://PATH or postgres://USER@HOST/DB
    /// [default: sqlite://DATA_DIR/source.db].
    #[arg(long, env = "CHATDA_SOURCE_URL", global = true)]
    pub source: Option<String>,
    /// A kind's SELECT for your own tables, as KIND=SQL (repeatable; the contract is in
    /// the `chatda::source` docs) [default: the bundled table named after the kind].
    #[arg(long, value_name = "KIND=SQL", global = true)]
    #[serde(default)]
    pub select: Vec<KindSelect>,
    /// Directory of kind specs (`*.toml`), loaded at start beside the built-in concerts
    /// and tickets; a spec named like a built-in kind replaces it.
    #[arg(long, env = "CHATDA_KINDS_DIR", global = true)]
    pub kinds_dir: Option<PathBuf>,
    /// User dictionary file (CSV) for every command that analyses text [default: the
    /// bundled dictionaries/user_dict.csv].
    #[arg(long, env = "CHATDA_USER_DICTIONARY", global = true)]
    pub user_dictionary: Option<PathBuf>,
    /// Synonym list file for every command that analyses text [default: the bundled
    /// dictionaries/synonyms.txt].
    #[arg(long, env = "CHATDA_SYNONYMS", global = true)]
    pub synonyms: Option<PathBuf>,
    /// Time zone of bare dates in requests that name none (`UTC`, `+09:00`,
    /// `Asia/Seoul`): filters, date ranges, calendar buckets [default: UTC].
    #[arg(long, env = "CHATDA_TIME_ZONE", global = true)]
    pub time_zone: Option<String>,

    /// Address to listen on [default: 127.0.0.1:7700]. A non-loopback address needs an
    /// admin key.
    #[arg(long, env = "CHATDA_LISTEN", global = true)]
    pub listen: Option<SocketAddr>,
    /// Do not seed an empty source with generated demo rows.
    #[arg(long, env = "CHATDA_NO_DEMO", global = true)]
    #[serde(default)]
    pub no_demo: bool,
    /// Demo concerts written into an empty source [default: 10000].
    #[arg(long, env = "CHATDA_DEMO_CONCERTS", global = true)]
    pub demo_concerts: Option<u64>,
    /// Demo support tickets written into an empty source [default: 10000].
    #[arg(long, env = "CHATDA_DEMO_TICKETS", global = true)]
    pub demo_tickets: Option<u64>,
    /// Bearer key for write and admin routes (documents, reindex, jobs, aliases). Without
    /// one those routes are open, which is allowed on loopback only.
    #[arg(long, env = "CHATDA_ADMIN_KEY", hide_env_values = true, global = true)]
    pub admin_key: Option<String>,
    /// Bearer key for search routes (the admin key works too); without one they are open.
    #[arg(long, env = "CHATDA_SEARCH_KEY", hide_env_values = true, global = true)]
    pub search_key: Option<String>,
    /// Largest request body in bytes [default: 10485760].
    #[arg(long, env = "CHATDA_MAX_BODY_BYTES", global = true)]
    pub max_body_bytes: Option<usize>,
    /// Largest file `POST …/import` takes, in MiB [default: 512].
    #[arg(long, env = "CHATDA_MAX_IMPORT_MB", global = true)]
    pub max_import_mb: Option<u64>,
    /// Requests running longer are answered 503 `request_timeout` [default: 30].
    #[arg(long, env = "CHATDA_REQUEST_TIMEOUT_SECS", global = true)]
    pub request_timeout_secs: Option<u64>,
    /// Open HTTP connections at most; further ones get 503 `overloaded` [default: 1024].
    #[arg(long, env = "CHATDA_MAX_CONNECTIONS", global = true)]
    pub max_connections: Option<usize>,
    /// Searches, aggregations, analyses and document loads running at once; more wait up
    /// to 5 s in arrival order, then get 503 `overloaded` [default: 3 per 2 cores, plus
    /// one: 4 on 2 cores].
    #[arg(long, env = "CHATDA_MAX_INFLIGHT", global = true)]
    pub max_inflight: Option<usize>,
    /// Memory of the search result cache in MiB: repeated requests on an unchanged
    /// index are answered from it; 0 turns it off [default: 64].
    #[arg(long, env = "CHATDA_SEARCH_CACHE_MB", global = true)]
    pub search_cache_mb: Option<u64>,
    /// Threads a search running alone splits its index segments across, so one broad
    /// query on an idle server finishes sooner; 1 searches every query on one thread
    /// [default: one per core].
    #[arg(long, env = "CHATDA_SEARCH_THREADS", global = true)]
    pub search_threads: Option<usize>,
    /// OS nice value (0–19) of the threads that analyse, index and merge a reindex, so
    /// that searches keep the cores while it runs; 19 also gives them the idle
    /// scheduling policy (they run only on cores nothing else wants); 0 runs them at
    /// normal priority [default: 19].
    #[arg(long, env = "CHATDA_INDEXING_NICE", global = true)]
    pub indexing_nice: Option<i32>,
    /// Seconds a client has to send its request headers [default: 10].
    #[arg(long, env = "CHATDA_HEADER_TIMEOUT_SECS", global = true)]
    pub header_timeout_secs: Option<u64>,
    /// Log one JSON object per line instead of human-readable lines.
    #[arg(long, env = "CHATDA_LOG_JSON", global = true)]
    #[serde(default)]
    pub log_json: bool,

    /// Older index versions kept for rollback after a swap [default: 2].
    #[arg(long, env = "CHATDA_KEEP_VERSIONS", global = true)]
    pub keep_versions: Option<usize>,
    /// Rows per source page of a reindex [default: 2000].
    #[arg(long, env = "CHATDA_BATCH_SIZE", global = true)]
    pub batch_size: Option<usize>,
    /// tantivy indexing threads of a reindex (analysis uses every core regardless)
    /// [default: 2].
    #[arg(long, env = "CHATDA_WRITER_THREADS", global = true)]
    pub writer_threads: Option<usize>,
    /// tantivy writer memory budget of a reindex, MiB [default: 256].
    #[arg(long, env = "CHATDA_WRITER_MEMORY_MB", global = true)]
    pub writer_memory_mb: Option<usize>,
    /// Rows between checkpoint commits: a job resumed after a crash redoes at most this
    /// many [default: 100000].
    #[arg(long, env = "CHATDA_CHECKPOINT_ROWS", global = true)]
    pub checkpoint_rows: Option<u64>,
    /// Attempts per source call before a job fails [default: 5].
    #[arg(long, env = "CHATDA_RETRIES", global = true)]
    pub retries: Option<usize>,
    /// Runs of a failed background reindex, the first included; the ones after wait a
    /// backoff [default: 3].
    #[arg(long, env = "CHATDA_JOB_ATTEMPTS", global = true)]
    pub job_attempts: Option<i64>,
    /// Seconds before a failed background reindex runs again; doubles per attempt
    /// [default: 30].
    #[arg(long, env = "CHATDA_JOB_RETRY_BACKOFF_SECS", global = true)]
    pub job_retry_backoff_secs: Option<u64>,
    /// An http:// URL that receives a JSON POST when a job ends (succeeded, failed,
    /// cancelled) [default: none].
    #[arg(long, env = "CHATDA_WEBHOOK_URL", global = true)]
    pub webhook_url: Option<String>,
    /// Days of finished jobs, their bad rows and schedule firings kept [default: 30].
    #[arg(long, env = "CHATDA_JOB_HISTORY_DAYS", global = true)]
    pub job_history_days: Option<u64>,
    /// When `serve` prunes the change log and old job history, as a cron expression in
    /// the time zone; `off` never [default: "0 4 * * *", 04:00 daily].
    #[arg(long, env = "CHATDA_RETENTION_CRON", global = true)]
    pub retention_cron: Option<String>,
    /// Scheduled jobs (`[[schedule]]` tables of `chatda.toml` only): `kind`, `cron`,
    /// `action` (`reindex`), optional `name`.
    #[arg(skip)]
    #[serde(default, rename = "schedule")]
    pub schedules: Vec<ScheduleSpec>,
}

/// A `[[schedule]]` table of `chatda.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    /// Unique name (default: `ACTION KIND`).
    #[serde(default)]
    pub name: Option<String>,
    /// The kind it acts on.
    pub kind: String,
    /// Cron expression: 5 fields (minute hour day month weekday) or 6 (seconds first),
    /// in the settings' time zone.
    pub cron: String,
    /// What it does: `reindex` (queued like a requested one).
    pub action: String,
}

impl ScheduleSpec {
    /// Its name: the given one, or `ACTION KIND`.
    pub fn name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("{} {}", self.action, self.kind))
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Env,
    /// The settings file.
    File(PathBuf),
    /// The built-in default.
    Default,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Flag => f.write_str("flag"),
            Origin::Env => f.write_str("environment"),
            Origin::File(path) => write!(f, "{}", path.display()),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// `KIND=SQL`: the SELECT that reads a kind from the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KindSelect {
    /// The kind.
    pub kind: String,
    /// The SELECT.
    pub sql: String,
}

impl std::str::FromStr for KindSelect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, sql) = s.split_once('=').ok_or_else(|| {
            format!("{s:?}: expected KIND=SQL, e.g. concerts=SELECT id, name AS title FROM shows")
        })?;
        let (kind, sql) = (kind.trim(), sql.trim());
        if kind.is_empty() || !sql.to_ascii_lowercase().starts_with("select") {
            return Err(format!("{s:?}: expected KIND=SELECT …"));
        }
        Ok(KindSelect {
            kind: kind.to_string(),
            sql: sql.trim_end_matches(';').to_string(),
        })
    }
}

impl TryFrom<String> for KindSelect {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<KindSelect> for String {
    fn from(s: KindSelect) -> String {
        format!("{}={}", s.kind, s.sql)
    }
}

/// Errors resolving the settings.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file cannot be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: std::io::Error,
    },
    /// The file is not valid settings.
    #[error("{path}: {reason}")]
    Parse {
        /// The file.
        path: String,
        /// What is wrong (names the key).
        reason: String,
    },
    /// The combination is unsafe.
    #[error("{0}")]
    Unsafe(String),
    /// A value is not valid.
    #[error("{key}: {reason}")]
    Invalid {
        /// The setting.
        key: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl Settings {
    /// Flags and environment (`self`, with clap's record of which came from where) over
    /// the settings file (`--config`, or `./chatda.toml` if it exists). Returns the
    /// merged settings and the origin of every key.
    pub fn resolve(
        self,
        matches: Option<&clap::ArgMatches>,
    ) -> Result<(Settings, BTreeMap<String, Origin>), SettingsError> {
        let (path, required) = match &self.config {
            Some(path) => (path.clone(), true),
            None => (PathBuf::from(DEFAULT_FILE), false),
        };
        let file = Self::read_file(&path, required)?;
        let given = serde_json::to_value(&self).expect("settings serialize");
        let from_file = file
            .as_ref()
            .map(|f| serde_json::to_value(f).expect("settings serialize"));
        let mut merged = from_file.clone().unwrap_or_else(|| given.clone());
        let mut origins = BTreeMap::new();
        for (key, value) in given.as_object().expect("an object") {
            let set = !(value.is_null()
                || value == &serde_json::json!(false)
                || value == &serde_json::json!([]));
            let in_file = from_file.as_ref().is_some_and(|f| {
                let v = &f[key];
                !(v.is_null() || v == &serde_json::json!(false) || v == &serde_json::json!([]))
            });
            let origin = if set {
                merged[key] = value.clone();
                match matches.and_then(|m| m.value_source(key)) {
                    Some(ValueSource::EnvVariable) => Origin::Env,
                    _ => Origin::Flag,
                }
            } else if in_file {
                Origin::File(path.clone())
            } else {
                Origin::Default
            };
            origins.insert(key.clone(), origin);
        }
        let mut settings: Settings =
            serde_json::from_value(merged).map_err(|e| SettingsError::Parse {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        settings.config = self.config;
        settings.check_values()?;
        Ok((settings, origins))
    }

    /// Fills what flags and environment left unset from `path`.
    pub fn with_file(self, path: &Path, required: bool) -> Result<Self, SettingsError> {
        let flags = Settings {
            config: Some(path.to_path_buf()),
            ..self
        };
        if !required && !path.exists() {
            return Ok(Settings {
                config: None,
                ..flags
            });
        }
        Ok(flags.resolve(None)?.0)
    }

    fn read_file(path: &Path, required: bool) -> Result<Option<Settings>, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(None),
            Err(reason) => {
                return Err(SettingsError::Read {
                    path: path.display().to_string(),
                    reason,
                });
            }
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e| SettingsError::Parse {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
    }

    /// The values that can be wrong on their own.
    fn check_values(&self) -> Result<(), SettingsError> {
        self.zone()?;
        if let Some(cron) = self.retention_cron()
            && let Err(reason) = cron.parse::<Cron>()
        {
            return Err(SettingsError::Invalid {
                key: "retention_cron",
                reason,
            });
        }
        if let Some(url) = &self.webhook_url
            && !url.starts_with("http://")
        {
            return Err(SettingsError::Invalid {
                key: "webhook_url",
                reason: format!(
                    "{url:?}: only http:// URLs (this build has no TLS client); point it at a relay on your network"
                ),
            });
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, schedule) in self.schedules.iter().enumerate() {
            if schedule.action != "reindex" {
                return Err(SettingsError::Invalid {
                    key: "schedule",
                    reason: format!(
                        "schedule {} ({:?}): action {:?} is not one of: reindex",
                        i + 1,
                        schedule.name(),
                        schedule.action
                    ),
                });
            }
            if let Err(reason) = schedule.cron.parse::<Cron>() {
                return Err(SettingsError::Invalid {
                    key: "schedule",
                    reason: format!("schedule {} ({:?}): {reason}", i + 1, schedule.name()),
                });
            }
            if !names.insert(schedule.name()) {
                return Err(SettingsError::Invalid {
                    key: "schedule",
                    reason: format!(
                        "two schedules are named {:?}; give one a name",
                        schedule.name()
                    ),
                });
            }
        }
        if let Some(size) = self.batch_size
            && !(1..=crate::pipeline::MAX_BATCH_SIZE).contains(&size)
        {
            return Err(SettingsError::Invalid {
                key: "batch_size",
                reason: format!("must be 1 to {}", crate::pipeline::MAX_BATCH_SIZE),
            });
        }
        Ok(())
    }

    /// Refuses a public listen address without an admin key.
    pub fn check(&self) -> Result<(), SettingsError> {
        self.check_values()?;
        self.check_addr(self.listen())
    }

    /// Refuses `addr` if it is public and there is no admin key.
    pub fn check_addr(&self, addr: SocketAddr) -> Result<(), SettingsError> {
        if !addr.ip().is_loopback() && self.admin_key().is_none() {
            return Err(SettingsError::Unsafe(format!(
                "refusing to listen on {addr} without an admin key: set CHATDA_ADMIN_KEY (or --admin-key), or listen on 127.0.0.1"
            )));
        }
        Ok(())
    }

    /// Listen address.
    pub fn listen(&self) -> SocketAddr {
        self.listen
            .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default address"))
    }

    /// Data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("./data"))
    }

    /// Source URL.
    pub fn source_url(&self) -> String {
        self.source
            .clone()
            .unwrap_or_else(|| crate::source::default_url(&self.data_dir()))
    }

    /// The SELECT overrides, by kind.
    pub fn selects(&self) -> BTreeMap<String, String> {
        self.select
            .iter()
            .map(|s| (s.kind.clone(), s.sql.clone()))
            .collect()
    }

    /// The default time zone.
    pub fn zone(&self) -> Result<Zone, SettingsError> {
        self.time_zone.as_deref().map_or(Ok(Zone::utc()), |z| {
            Zone::parse(z).map_err(|reason| SettingsError::Invalid {
                key: "time_zone",
                reason,
            })
        })
    }

    /// Where a synonym list replaced at run time is written: the configured `synonyms`
    /// file, else `synonyms.txt` in the data directory (read at start when present).
    pub fn synonyms_path(&self) -> PathBuf {
        self.synonyms
            .clone()
            .unwrap_or_else(|| self.data_dir().join("synonyms.txt"))
    }

    /// The analyzer as configured (user dictionary and synonyms).
    pub fn analyzer(&self) -> AnalyzerConfig {
        AnalyzerConfig {
            user_dictionary: UserDictionarySource(
                self.user_dictionary
                    .clone()
                    .map_or(ListSource::Bundled, ListSource::File),
            ),
            synonyms: SynonymSource(match &self.synonyms {
                Some(path) => ListSource::File(path.clone()),
                // A list replaced at run time (`PUT /v1/synonyms`) without a configured
                // file is kept in the data directory.
                None if self.synonyms_path().is_file() => ListSource::File(self.synonyms_path()),
                None => ListSource::Bundled,
            }),
            ..AnalyzerConfig::default()
        }
    }

    /// The kinds: the built-in ones, then the specs of `kinds_dir` (replacing a built-in
    /// kind of the same name).
    pub fn kinds(&self) -> Result<Vec<KindSpec>, SettingsError> {
        let invalid = |reason: String| SettingsError::Invalid {
            key: "kinds_dir",
            reason,
        };
        let mut kinds: Vec<KindSpec> = BUILTIN_KINDS
            .iter()
            .map(|k| KindSpec::builtin(k).expect("built-in specs parse"))
            .collect();
        let Some(dir) = &self.kinds_dir else {
            return Ok(kinds);
        };
        let entries =
            std::fs::read_dir(dir).map_err(|e| invalid(format!("{}: {e}", dir.display())))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| invalid(format!("{}: {e}", path.display())))?;
            let spec = KindSpec::from_toml(&text, &path.display().to_string())
                .map_err(|e| invalid(e.to_string()))?;
            kinds.retain(|k| k.name != spec.name);
            kinds.push(spec);
        }
        Ok(kinds)
    }

    /// How to open the engine.
    pub fn engine_config(&self) -> Result<EngineConfig, SettingsError> {
        Ok(EngineConfig {
            data_dir: Some(self.data_dir()),
            analyzer: self.analyzer(),
            kinds: self.kinds()?,
            time_zone: self.zone()?,
            search_cache_bytes: self.search_cache_bytes(),
            search_threads: self.search_threads(),
            indexing_nice: self.indexing_nice(),
        })
    }

    /// Nice value of a reindex's threads (see [`Settings::indexing_nice`]), 0–19.
    pub fn indexing_nice(&self) -> i32 {
        self.indexing_nice.unwrap_or(19).clamp(0, 19)
    }

    /// Search threads (see [`Settings::search_threads`]); 0: one per core.
    pub fn search_threads(&self) -> usize {
        self.search_threads.unwrap_or(0)
    }

    /// Memory bound of the search result cache, in bytes (0: off).
    pub fn search_cache_bytes(&self) -> u64 {
        self.search_cache_mb
            .map_or(crate::engine::DEFAULT_SEARCH_CACHE_BYTES, |mb| {
                mb.saturating_mul(1024 * 1024)
            })
    }

    /// The reindex knobs.
    pub fn reindex_options(&self) -> ReindexOptions {
        let d = ReindexOptions::default();
        ReindexOptions {
            batch_size: self.batch_size.unwrap_or(d.batch_size),
            writer_threads: self.writer_threads.unwrap_or(d.writer_threads).max(1),
            writer_memory: self
                .writer_memory_mb
                .map_or(d.writer_memory, |mb| mb.max(16) << 20),
            checkpoint_rows: self.checkpoint_rows.unwrap_or(d.checkpoint_rows).max(1),
            retry_attempts: self.retries.unwrap_or(d.retry_attempts).max(1),
            job_attempts: self.job_attempts.unwrap_or(3).max(1),
            job_retry_backoff: self
                .job_retry_backoff_secs
                .map_or(d.job_retry_backoff, Duration::from_secs),
            keep_versions: self.keep_versions(),
            ..d
        }
    }

    /// Demo rows for an empty source: (concerts, tickets).
    pub fn demo_rows(&self) -> (u64, u64) {
        (
            self.demo_concerts.unwrap_or(10_000),
            self.demo_tickets.unwrap_or(10_000),
        )
    }

    /// Admin key, if set.
    pub fn admin_key(&self) -> Option<&str> {
        self.admin_key.as_deref().filter(|k| !k.is_empty())
    }

    /// Search key, if set.
    pub fn search_key(&self) -> Option<&str> {
        self.search_key.as_deref().filter(|k| !k.is_empty())
    }

    /// Body size limit.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes.unwrap_or(10 << 20)
    }

    /// Largest import upload, in bytes.
    pub fn max_import_bytes(&self) -> u64 {
        self.max_import_mb
            .unwrap_or(512)
            .saturating_mul(1024 * 1024)
    }

    /// Days of job history kept.
    pub fn job_history(&self) -> Duration {
        Duration::from_secs(self.job_history_days.unwrap_or(30).saturating_mul(86_400))
    }

    /// The retention schedule, `None` when turned off.
    pub fn retention_cron(&self) -> Option<String> {
        match self.retention_cron.as_deref().map(str::trim) {
            Some("off") | Some("") => None,
            Some(cron) => Some(cron.to_string()),
            None => Some("0 4 * * *".to_string()),
        }
    }

    /// Request timeout.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs.unwrap_or(30))
    }

    /// Open connections at most.
    pub fn max_connections(&self) -> usize {
        self.max_connections.unwrap_or(1024).max(1)
    }

    /// Engine work running at once.
    pub fn max_inflight(&self) -> usize {
        // Enough to keep every core busy while a request's own I/O and hand-offs run,
        // few enough that a costly search is not slowed by sharing its core with many
        // others: queued requests wait their turn instead (the tail latency of a loaded
        // server, see docs/measurements.md). Elasticsearch sizes its search pool alike.
        self.max_inflight
            .unwrap_or_else(|| {
                let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
                cores * 3 / 2 + 1
            })
            .max(1)
    }

    /// Time allowed for a request's headers.
    pub fn header_timeout(&self) -> Duration {
        Duration::from_secs(self.header_timeout_secs.unwrap_or(10).max(1))
    }

    /// Versions kept for rollback.
    pub fn keep_versions(&self) -> usize {
        self.keep_versions.unwrap_or(2)
    }
}

mod cron;
mod show;
#[cfg(test)]
mod tests;
