//! `chatda eval`: the relevance suite on generated concerts, per class.

use std::time::Instant;

use clap::Args;

use crate::engine::{Engine, EngineConfig};
use crate::eval;
use crate::settings::Settings;

/// Arguments of `chatda eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Generated concerts indexed (in memory).
    #[arg(long, default_value_t = 20_000)]
    pub docs: u64,
    /// Queries per class.
    #[arg(long, default_value_t = 50)]
    pub per_class: usize,
    /// Print JSON instead of a Markdown table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `chatda eval`: indexes generated concerts in memory with the configured analyzer
/// lists, runs every class of known-item queries, prints recall@10, MRR@10 and
/// zero-result counts per class and over all queries.
pub async fn run(args: EvalArgs, settings: &Settings) -> anyhow::Result<()> {
    let started = Instant::now();
    let config = EngineConfig {
        data_dir: None,
        ..settings.engine_config()?
    };
    let engine = Engine::with_config(config).await?;
    let corpus: Vec<_> = crate::demo::concerts(42).take(args.docs as usize).collect();
    for chunk in corpus.chunks(5_000) {
        let docs: Vec<_> = chunk.iter().map(|c| c.to_document()).collect();
        engine.upsert("concerts", &docs)?;
    }
    engine.commit("concerts")?;
    let cases = eval::cases(&corpus, args.per_class);
    let scores = eval::evaluate(&engine, &cases)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        print!("{}", eval::table(&scores));
        println!(
            "\n{} queries on {} concerts in {:.1} s",
            cases.len(),
            args.docs,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
