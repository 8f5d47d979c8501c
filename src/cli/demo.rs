//! `chatda demo`: the quick start. Fills empty indexes with generated data, then runs a
//! few searches and an aggregation so the whole search core is visible at once.

use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

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
    // The same path as `chatda serve`: demo rows into the source, indexes built from it.
    let app = super::common::app(settings).await?;
    app.migrate().await?;
    for kind in ["concerts", "tickets"] {
        if app.docs(kind)? > 0 {
            continue;
        }
        let started = Instant::now();
        if kind == "concerts" {
            app.seed_demo(args.size, args.size, 42, |_| {}).await?;
        }
        let progress = ProgressBar::new(args.size).with_style(
            ProgressStyle::with_template("{msg:9} {bar:30} {human_pos}/{human_len} {per_sec}")
                .expect("a valid template"),
        );
        progress.set_message(kind);
        let report = app
            .reindex(kind, true, |p| progress.set_position(p.processed as u64))
            .await?;
        progress.finish_and_clear();
        println!(
            "indexed {} generated {kind} into {} in {:.1} s",
            report.docs,
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
        let response = app
            .search(
                "concerts",
                SearchRequest {
                    limit: 3,
                    ..SearchRequest::text(q.as_str())
                },
            )
            .await?;
        println!(
            "\n{q}  ({} hits, {:.1} ms)",
            response.total, response.took_ms
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
    let response = app.search("tickets", request).await?;
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
