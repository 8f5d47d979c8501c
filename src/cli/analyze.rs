//! `chatda analyze`: print the tokens of a text, like Elasticsearch's `_analyze`.

use clap::Args;

use crate::analysis::{Analyzer, AnalyzerConfig, DecompoundMode, Spacing};
use crate::settings::Settings;

/// Arguments of `chatda analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// How compound and inflected words are emitted.
    #[arg(long, default_value = "mixed", value_parser = ["none", "discard", "mixed"])]
    pub mode: String,
    /// Analyze as a query (one segmentation) instead of as a document (see the README).
    #[arg(long)]
    pub query: bool,
    /// Print JSON (one array of tokens) instead of tab-separated lines.
    #[arg(long)]
    pub json: bool,
    /// Print raw morphemes with their full ko-dic features, before any filtering.
    #[arg(long)]
    pub all: bool,
    /// Print the query plan a search builds from the text: its typed words, the analyzed
    /// words inside each, which are required, their stems and whole forms (JSON).
    #[arg(long, conflicts_with_all = ["all", "query"])]
    pub plan: bool,
    /// Keep spacing significant (do not join words separated by spaces).
    #[arg(long)]
    pub keep_spacing: bool,
    /// Text to analyze.
    pub text: String,
}

/// Runs `chatda analyze`.
pub fn run(args: AnalyzeArgs, settings: &Settings) -> anyhow::Result<()> {
    // The same user dictionary and synonyms as every other command (global settings).
    let config = AnalyzerConfig {
        mode: args.mode.parse::<DecompoundMode>()?,
        spacing_insensitive: !args.keep_spacing,
        ..settings.analyzer()
    };
    // Bad lines in the lists are logged as warnings by the analyzer.
    let analyzer = Analyzer::new(&config)?;
    if args.all {
        let spacing = if args.keep_spacing {
            Spacing::Kept
        } else {
            Spacing::Ignored
        };
        let morphemes = analyzer.segment(&args.text, spacing);
        if args.json {
            println!("{}", serde_json::to_string_pretty(&morphemes)?);
        } else {
            for m in morphemes {
                println!("{}\t{}\t{}\t{}", m.surface, m.feature, m.start, m.end);
            }
        }
        return Ok(());
    }
    if args.plan {
        let plan = crate::query::QueryPlan::new(&analyzer, &args.text);
        println!("{}", serde_json::to_string_pretty(&plan)?);
        return Ok(());
    }
    let tokens = if args.query {
        analyzer.analyze_query(&args.text)
    } else {
        analyzer.analyze(&args.text)
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&tokens)?);
    } else {
        for t in tokens {
            println!("{}\t{}\t{}\t{}", t.term, t.pos, t.start, t.end);
        }
    }
    Ok(())
}
