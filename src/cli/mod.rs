//! The `chatda` command line. `src/main.rs` calls [`run`]; each subcommand is a thin
//! wrapper over the library.

mod alias;
mod analyze;
mod common;
mod demo;
mod demo_data;
mod dict;
mod eval;
mod export;
mod import;
mod index;
mod jobs;
mod migrate;
mod reindex;
mod search;
mod serve;
mod sync;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::settings::Settings;

/// chatda (찾다): Korean-first search and analytics indexing.
#[derive(Debug, Parser)]
#[command(name = "chatda", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Settings shared by every command (flags, `CHATDA_*` environment, `chatda.toml`).
    #[command(flatten)]
    pub settings: Settings,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the tokens the Korean analyzer makes of TEXT (like Elasticsearch `_analyze`).
    Analyze(analyze::AnalyzeArgs),
    /// Run the search HTTP service (seeds, indexes and follows the source on the way).
    Serve,
    /// Print the resolved settings and where each value came from.
    Settings,
    /// Fill empty indexes with generated data, then search and aggregate (no server).
    Demo(demo::DemoArgs),
    /// Build (or add to) a kind's index from JSON lines; bad lines are reported and skipped.
    Index(index::IndexArgs),
    /// Import a CSV, TSV, JSON lines or XLSX file into a kind's live index; bad rows are
    /// reported (row, field, reason) and skipped.
    Import(import::ImportArgs),
    /// Export what a filter and query match, as CSV, TSV, JSON lines or XLSX.
    Export(export::ExportArgs),
    /// Search a kind's index and print the ranked hits.
    Search(search::SearchArgs),
    /// Write generated Korean concerts and support tickets into the source (or JSON lines).
    DemoData(demo_data::DemoDataArgs),
    /// Create or update the source tables, change log and triggers.
    Migrate(migrate::MigrateArgs),
    /// Rebuild a kind's index from the source into a new version, then swap it in.
    Reindex(reindex::ReindexArgs),
    /// List, show or cancel reindex jobs.
    Jobs(jobs::JobsArgs),
    /// List aliases and versions, swap an alias, roll back.
    Alias(alias::AliasArgs),
    /// Follow the source's change log and keep the live indexes up to date.
    Sync(sync::SyncArgs),
    /// The relevance suite: recall@10, MRR@10 and zero results per query class.
    Eval(eval::EvalArgs),
    /// Dictionary maintenance.
    #[command(subcommand)]
    Dict(dict::DictCommand),
}

/// Parses the process arguments and runs the chosen command. Logs go to stderr;
/// `RUST_LOG` sets the level (default `warn`).
pub fn run() -> anyhow::Result<()> {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches)?;
    // Global flags given after the subcommand are recorded in its matches.
    let sub = matches.subcommand().map_or(&matches, |(_, m)| m);
    let (settings, origins) = cli.settings.resolve(Some(sub))?;
    // The server logs requests at info; the other commands only warnings.
    let level = if matches!(cli.command, Command::Serve) {
        "info"
    } else {
        "warn"
    };
    let json = settings.log_json;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    if json {
        logs.json().init();
    } else {
        logs.init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let settings = &settings;
        match cli.command {
            Command::Serve => serve::run(settings.clone()).await,
            Command::Settings => {
                for (key, value) in settings.shown() {
                    println!("{key} = {value}\t({})", origins[&key]);
                }
                Ok(())
            }
            Command::Analyze(args) => analyze::run(args, settings),
            Command::Demo(args) => demo::run(args, settings).await,
            Command::Index(args) => index::run(args, settings).await,
            Command::Import(args) => import::run(args, settings).await,
            Command::Export(args) => export::run(args, settings).await,
            Command::Search(args) => search::run(args, settings).await,
            Command::DemoData(args) => demo_data::run(args, settings).await,
            Command::Migrate(args) => migrate::run(args, settings).await,
            Command::Reindex(args) => reindex::run(args, settings).await,
            Command::Jobs(args) => jobs::run(args, settings).await,
            Command::Alias(args) => alias::run(args, settings).await,
            Command::Sync(args) => sync::run(args, settings).await,
            Command::Eval(args) => eval::run(args, settings).await,
            Command::Dict(cmd) => dict::run(cmd),
        }
    })
}
