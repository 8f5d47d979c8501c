//! The service's configuration: one struct for command-line flags, `CHATDA_*`
//! environment variables and the optional `chatda.toml` (keys named as the fields).
//! Precedence: flag, then environment, then file, then the default. The doc comments
//! are the `--help` text; the README's table lists the same.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;

/// Default listen address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7700";

/// Configuration of `chatda serve`. Every field is optional here; the accessors apply
/// the defaults.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to listen on [default: 127.0.0.1:7700]. A non-loopback address needs an
    /// admin key.
    #[arg(long, env = "CHATDA_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// Data directory: indexes, catalog.db, the default SQLite source [default: ./data].
    #[arg(long, env = "CHATDA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Source database URL [default: sqlite://<data-dir>/source.db].
    #[arg(long = "source", env = "CHATDA_SOURCE_URL")]
    #[serde(rename = "source")]
    pub source_url: Option<String>,
    /// Do not seed an empty source with generated demo rows.
    #[arg(long, env = "CHATDA_NO_DEMO")]
    #[serde(default)]
    pub no_demo: bool,
    /// Demo concerts written into an empty source [default: 10000].
    #[arg(long, env = "CHATDA_DEMO_CONCERTS")]
    pub demo_concerts: Option<u64>,
    /// Demo support tickets written into an empty source [default: 10000].
    #[arg(long, env = "CHATDA_DEMO_TICKETS")]
    pub demo_tickets: Option<u64>,
    /// Bearer key for write and admin routes (documents, reindex, jobs, aliases). Without
    /// one those routes are open, which is allowed on loopback only.
    #[arg(long, env = "CHATDA_ADMIN_KEY", hide_env_values = true)]
    pub admin_key: Option<String>,
    /// Bearer key for search routes (the admin key works too); without one they are open.
    #[arg(long, env = "CHATDA_SEARCH_KEY", hide_env_values = true)]
    pub search_key: Option<String>,
    /// Largest request body in bytes [default: 10485760].
    #[arg(long, env = "CHATDA_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Requests running longer are answered 503 `request_timeout` [default: 30].
    #[arg(long, env = "CHATDA_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
    /// Open HTTP connections at most; further ones get 503 `overloaded` [default: 1024].
    #[arg(long, env = "CHATDA_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Searches, aggregations, analyses and document loads running at once; more wait up
    /// to 5 s, then get 503 `overloaded` [default: 4 per core].
    #[arg(long, env = "CHATDA_MAX_INFLIGHT")]
    pub max_inflight: Option<usize>,
    /// Seconds a client has to send its request headers [default: 10].
    #[arg(long, env = "CHATDA_HEADER_TIMEOUT_SECS")]
    pub header_timeout_secs: Option<u64>,
    /// Time zone of bare dates in requests that name none (`UTC`, `+09:00`,
    /// `Asia/Seoul`): filters, date ranges, calendar buckets [default: UTC].
    #[arg(long, env = "CHATDA_TIME_ZONE")]
    pub time_zone: Option<String>,
    /// Log one JSON object per line instead of human-readable lines.
    #[arg(long, env = "CHATDA_LOG_JSON")]
    #[serde(default)]
    pub log_json: bool,
    /// Older index versions kept for rollback [default: 2].
    #[arg(long, env = "CHATDA_KEEP_VERSIONS")]
    pub keep_versions: Option<usize>,
    /// A kind's SELECT for your own tables, as KIND=SQL (repeatable; the contract is in
    /// the `chatda::source` docs) [default: the bundled table named after the kind].
    #[arg(long = "select", value_name = "KIND=SQL")]
    #[serde(default)]
    pub select: Vec<KindSelect>,
}

/// `KIND=SQL`: the SELECT that reads a kind from the source.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
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

/// The SELECT overrides as the map [`crate::source::Source::connect`] takes.
pub fn selects(list: &[KindSelect]) -> std::collections::BTreeMap<String, String> {
    list.iter()
        .map(|s| (s.kind.clone(), s.sql.clone()))
        .collect()
}

/// Errors reading the configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: std::io::Error,
    },
    /// The file is not valid configuration.
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

impl Config {
    /// Fills what flags and environment left unset from `path` (a `chatda.toml`; a
    /// missing file is fine unless `required`).
    pub fn with_file(self, path: &Path, required: bool) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(self),
            Err(reason) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    reason,
                });
            }
        };
        let file: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(Config {
            listen: self.listen.or(file.listen),
            data_dir: self.data_dir.or(file.data_dir),
            source_url: self.source_url.or(file.source_url),
            no_demo: self.no_demo || file.no_demo,
            demo_concerts: self.demo_concerts.or(file.demo_concerts),
            demo_tickets: self.demo_tickets.or(file.demo_tickets),
            admin_key: self.admin_key.or(file.admin_key),
            search_key: self.search_key.or(file.search_key),
            max_body_bytes: self.max_body_bytes.or(file.max_body_bytes),
            request_timeout_secs: self.request_timeout_secs.or(file.request_timeout_secs),
            max_connections: self.max_connections.or(file.max_connections),
            max_inflight: self.max_inflight.or(file.max_inflight),
            time_zone: self.time_zone.or(file.time_zone),
            header_timeout_secs: self.header_timeout_secs.or(file.header_timeout_secs),
            log_json: self.log_json || file.log_json,
            keep_versions: self.keep_versions.or(file.keep_versions),
            select: if self.select.is_empty() {
                file.select
            } else {
                self.select
            },
        })
    }

    /// Refuses the configured listen address if it is public and there is no admin key,
    /// and an unknown time zone.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.zone()?;
        self.check_addr(self.listen())
    }

    /// The default time zone.
    pub fn zone(&self) -> Result<crate::schema::Zone, ConfigError> {
        self.time_zone
            .as_deref()
            .map_or(Ok(crate::schema::Zone::utc()), |z| {
                crate::schema::Zone::parse(z).map_err(|reason| ConfigError::Invalid {
                    key: "time_zone",
                    reason,
                })
            })
    }

    /// Refuses `addr` if it is public and there is no admin key.
    pub fn check_addr(&self, addr: SocketAddr) -> Result<(), ConfigError> {
        if !addr.ip().is_loopback() && self.admin_key().is_none() {
            return Err(ConfigError::Unsafe(format!(
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
        self.source_url
            .clone()
            .unwrap_or_else(|| crate::source::default_url(&self.data_dir()))
    }

    /// Demo rows for an empty source: (concerts, tickets).
    pub fn demo_rows(&self) -> (u64, u64) {
        (
            self.demo_concerts.unwrap_or(10_000),
            self.demo_tickets.unwrap_or(10_000),
        )
    }

    /// Admin key, if set (empty counts as unset).
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

    /// Request timeout.
    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.request_timeout_secs.unwrap_or(30))
    }

    /// Open connections at most.
    pub fn max_connections(&self) -> usize {
        self.max_connections.unwrap_or(1024).max(1)
    }

    /// Engine work running at once.
    pub fn max_inflight(&self) -> usize {
        self.max_inflight
            .unwrap_or_else(|| {
                4 * std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
            })
            .max(1)
    }

    /// Time allowed for a request's headers.
    pub fn header_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.header_timeout_secs.unwrap_or(10).max(1))
    }

    /// Versions kept for rollback.
    pub fn keep_versions(&self) -> usize {
        self.keep_versions.unwrap_or(2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_defaults_fill_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chatda.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\nsource = \"postgres://x@y/z\"\nadmin_key = \"file\"\nselect = [\"concerts=SELECT id, name AS title FROM shows;\"]\n",
        )
        .unwrap();
        let flags = Config {
            admin_key: Some("flag".into()),
            ..Config::default()
        };
        let merged = flags.with_file(&path, true).unwrap();
        assert_eq!(merged.listen().port(), 9000);
        assert_eq!(merged.source_url(), "postgres://x@y/z");
        assert_eq!(merged.admin_key(), Some("flag"));
        assert_eq!(merged.keep_versions(), 2);
        assert_eq!(
            selects(&merged.select)["concerts"],
            "SELECT id, name AS title FROM shows"
        );
        assert!("concerts".parse::<KindSelect>().is_err());
        assert!("concerts=DROP TABLE x".parse::<KindSelect>().is_err());
        assert!(
            Config::default()
                .with_file(&dir.path().join("none.toml"), false)
                .is_ok()
        );
        assert!(
            Config::default()
                .with_file(&dir.path().join("none.toml"), true)
                .is_err()
        );
        std::fs::write(&path, "listn = \"x\"\n").unwrap();
        let bad = Config::default().with_file(&path, true).unwrap_err();
        assert!(bad.to_string().contains("listn"), "{bad}");
    }

    #[test]
    fn public_address_needs_an_admin_key() {
        let public = Config {
            listen: Some("0.0.0.0:7700".parse().unwrap()),
            ..Config::default()
        };
        assert!(
            public
                .check()
                .unwrap_err()
                .to_string()
                .contains("CHATDA_ADMIN_KEY")
        );
        let keyed = Config {
            admin_key: Some("k".into()),
            ..public
        };
        assert!(keyed.check().is_ok());
        assert!(Config::default().check().is_ok());
    }
}
