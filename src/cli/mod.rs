//! The `chatda` command line. `src/main.rs` calls [`run`]; each subcommand is a thin
//! wrapper over the library.

mod analyze;
mod dict;

use clap::{Parser, Subcommand};

/// chatda (찾다): Korean-first search and analytics indexing.
#[derive(Debug, Parser)]
#[command(name = "chatda", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the tokens the Korean analyzer makes of TEXT (like Elasticsearch `_analyze`).
    Analyze(analyze::AnalyzeArgs),
    /// Dictionary maintenance.
    #[command(subcommand)]
    Dict(dict::DictCommand),
}

/// Parses the process arguments and runs the chosen command.
pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Dict(cmd) => dict::run(cmd),
    }
}
