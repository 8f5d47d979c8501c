//! `chatda demo-data`: write generated concerts and tickets as JSON lines.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::demo;

/// Arguments of `chatda demo-data`.
#[derive(Debug, Args)]
pub struct DemoDataArgs {
    /// Number of concerts.
    #[arg(long, default_value_t = 10_000)]
    pub concerts: u64,
    /// Number of support tickets.
    #[arg(long, default_value_t = 10_000)]
    pub tickets: u64,
    /// Generator seed: the same seed always yields the same documents.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Directory for `concerts.jsonl` and `tickets.jsonl` (default: `<data-dir>/demo`).
    #[arg(long)]
    pub jsonl: Option<PathBuf>,
    /// Data directory.
    #[arg(long, env = "CHATDA_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

/// Runs `chatda demo-data`.
pub fn run(args: DemoDataArgs) -> anyhow::Result<()> {
    let dir = args.jsonl.unwrap_or_else(|| args.data_dir.join("demo"));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let concerts = dir.join("concerts.jsonl");
    write_lines(
        &concerts,
        demo::concerts(args.seed)
            .take(args.concerts as usize)
            .map(|c| c.to_document()),
    )?;
    let tickets = dir.join("tickets.jsonl");
    write_lines(
        &tickets,
        demo::tickets(args.seed)
            .take(args.tickets as usize)
            .map(|t| t.to_document()),
    )?;
    println!(
        "wrote {} concerts to {} and {} tickets to {}\nindex them with:\n  chatda index concerts {}\n  chatda index tickets {}",
        args.concerts,
        concerts.display(),
        args.tickets,
        tickets.display(),
        concerts.display(),
        tickets.display()
    );
    Ok(())
}

fn write_lines(path: &Path, docs: impl Iterator<Item = serde_json::Value>) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::new(file);
    for doc in docs {
        serde_json::to_writer(&mut out, &doc)?;
        out.write_all(b"\n")?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}
