//! `chatda demo`: the quick start. Fills empty indexes with generated data, then runs a
//! few searches and an aggregation so the whole search core is visible at once.

use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::demo;
use crate::query::SearchRequest;
use crate::settings::Settings;

/// Arguments of `chatda demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Queries to run on the concerts (default: a typo, missing spaces, a prefix, initials,
    /// the wrong keyboard layout).
    pub queries: Vec<String>,
    /// Documents per kind generated into an empty index.
    #[arg(long, default_value_t = 10_000)]
    pub size: u64,
}

/// Runs `chatda demo`.
pub async fn run(args: DemoArgs, settings: &Settings) -> anyhow::Result<()> {
    let engine = super::common::engine(settings).await?;
    for kind in ["concerts", "tickets"] {
        let index = engine.index(kind)?;
        if index.num_docs() > 0 {
            continue;
        }
        let started = Instant::now();
        let progress = ProgressBar::new(args.size).with_style(
            ProgressStyle::with_template("{msg:9} {bar:30} {human_pos}/{human_len} {per_sec}")
                .expect("a valid template"),
        );
        progress.set_message(kind);
        let ids: Vec<u64> = (1..=args.size).collect();
        for chunk in ids.chunks(2_000) {
            let docs: Vec<serde_json::Value> = chunk
                .iter()
                .map(|&id| match kind {
                    "concerts" => demo::concert(42, id).to_document(),
                    _ => demo::ticket(42, id).to_document(),
                })
                .collect();
            index.upsert(&docs)?;
            progress.inc(chunk.len() as u64);
        }
        index.commit()?;
        progress.finish_and_clear();
        println!(
            "indexed {} generated {kind} into {} in {:.1} s",
            args.size,
            settings.data_dir().join("indexes").join(kind).display(),
            started.elapsed().as_secs_f64()
        );
    }
    let queries = if args.queries.is_empty() {
        ["아이우", "여름공연", "레미", "ㅂㅌㅅㄴㄷ", "dkdldb"]
            .map(String::from)
            .to_vec()
    } else {
        args.queries
    };
    for q in &queries {
        let response = engine.search(
            "concerts",
            &SearchRequest {
                limit: 3,
                ..SearchRequest::text(q.as_str())
            },
        )?;
        println!(
            "\n{q}  ({} hits, {:.1} ms)",
            response.total.value, response.took_ms
        );
        for hit in &response.hits {
            println!(
                "  {:>6}  {:.2}  {}",
                hit.id,
                hit.score,
                hit.source["title"].as_str().unwrap_or("")
            );
        }
    }
    let request: SearchRequest = serde_json::from_value(json!({
        "limit": 0,
        "filter": {"status": ["open", "pending"]},
        "aggs": {"category": {"terms": {"field": "category"}}}
    }))?;
    let response = engine.search("tickets", &request)?;
    println!(
        "\nopen and pending tickets per category ({} tickets):",
        response.total.value
    );
    if let Some(buckets) = response
        .aggregations
        .as_ref()
        .and_then(|a| a["category"]["buckets"].as_array())
    {
        for bucket in buckets {
            println!(
                "  {:>6}  {}",
                bucket["doc_count"],
                bucket["key"].as_str().unwrap_or("")
            );
        }
    }
    println!(
        "\nmore: chatda search concerts \"<query>\" [--filter JSON] [--json] (data in {})",
        settings.data_dir().display()
    );
    Ok(())
}
