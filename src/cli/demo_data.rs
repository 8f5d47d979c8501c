//! `chatda demo-data`: write generated concerts and tickets into the source database
//! (migrating it first), or as JSON lines with `--jsonl DIR`.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use indicatif::{ProgressBar, ProgressStyle};

use crate::demo;
use crate::settings::Settings;

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
    /// Write `concerts.jsonl` and `tickets.jsonl` into this directory instead of the source.
    #[arg(long)]
    pub jsonl: Option<PathBuf>,
}

/// Runs `chatda demo-data`.
pub async fn run(args: DemoDataArgs, settings: &Settings) -> anyhow::Result<()> {
    let Some(dir) = args.jsonl else {
        let app = super::common::app(settings).await?;
        app.migrate()
            .await
            .with_context(|| format!("cannot migrate {}", settings.source_url()))?;
        let bar = ProgressBar::new(args.concerts + args.tickets).with_style(
            ProgressStyle::with_template(
                "{spinner} writing rows [{bar:30}] {pos}/{len}, {per_sec}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        app.seed_demo(args.concerts, args.tickets, args.seed, |n| {
            bar.set_position(n)
        })
        .await
        .with_context(|| format!("cannot write demo rows to {}", settings.source_url()))?;
        bar.finish_and_clear();
        println!(
            "wrote {} concerts and {} tickets to {}\nindex them with:\n  chatda reindex concerts\n  chatda reindex tickets",
            args.concerts,
            args.tickets,
            settings.source_url()
        );
        return Ok(());
    };
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
