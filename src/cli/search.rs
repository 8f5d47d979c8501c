//! `chatda search`: run a query against a kind's index and print the hits.

use anyhow::Context;
use clap::Args;

use crate::query::SearchRequest;
use crate::settings::Settings;

/// Arguments of `chatda search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The document kind (`concerts`, `tickets`).
    pub kind: String,
    /// Query text (empty: browse what the filter lets through).
    pub query: String,
    /// Filters as JSON, e.g. '{"genre": ["콘서트"], "start_date": {"gte": "2025-06-01"}}'.
    #[arg(long)]
    pub filter: Option<String>,
    /// Hits to print.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Print the whole JSON response instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `chatda search`.
pub async fn run(args: SearchArgs, settings: &Settings) -> anyhow::Result<()> {
    let filter = args
        .filter
        .as_deref()
        .map(|f| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(f)
                .context("--filter must be a JSON object such as '{\"genre\": \"콘서트\"}'")
        })
        .transpose()?;
    let request = SearchRequest {
        q: args.query,
        filter,
        limit: args.limit,
        ..SearchRequest::default()
    };
    let app = super::common::app(settings).await?;
    let response = app.search(&args.kind, request).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&response)?);
        return Ok(());
    }
    let label = app
        .engine()
        .spec(&args.kind)?
        .text_fields()
        .next()
        .map(|f| f.name.clone())
        .unwrap_or_default();
    for hit in &response.hits {
        let text = hit
            .source
            .get(&label)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        println!("{}\t{:.3}\t{text}", hit.id, hit.score);
    }
    println!(
        "{} of {} hits in {:.1} ms",
        response.hits.len(),
        response.total,
        response.took_ms
    );
    Ok(())
}
