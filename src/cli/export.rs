//! `chatda export`: every document a filter and query match, to CSV, TSV, JSON lines or
//! XLSX.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use serde_json::{Map, Value as Json};

use crate::app::{ExportRequest, ExportTarget, Format};
use crate::settings::Settings;

/// Arguments of `chatda export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The document kind (`concerts`, `tickets`).
    pub kind: String,
    /// A search filter as JSON, e.g. `{"genre": "뮤지컬", "city": "부산"}`.
    #[arg(long)]
    pub filter: Option<String>,
    /// Query text: export what a search for it finds, best first (default: every
    /// document the filter lets through, by id).
    #[arg(long, default_value = "")]
    pub q: String,
    /// csv, tsv, jsonl or xlsx (default: from --out's extension, else jsonl).
    #[arg(long)]
    pub format: Option<String>,
    /// The file to write (default: standard output; XLSX needs a file).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Separator of several values of a list field in one cell.
    #[arg(long, default_value_t = '|')]
    pub list_separator: char,
}

/// Runs `chatda export`. CSV and TSV get a sidecar `OUT.export.json` with the request
/// and the row count; JSON lines start with that header line; XLSX has it in its
/// `export` sheet.
pub async fn run(args: ExportArgs, settings: &Settings) -> anyhow::Result<()> {
    let app = super::common::app(settings).await?;
    let format = match (&args.format, &args.out) {
        (Some(format), _) => format.parse::<Format>()?,
        (None, Some(out)) => Format::from_path(out).unwrap_or(Format::Jsonl),
        (None, None) => Format::Jsonl,
    };
    let filter = match &args.filter {
        Some(text) => Some(
            serde_json::from_str::<Map<String, Json>>(text)
                .context("--filter must be a JSON object, as a search's \"filter\"")?,
        ),
        None => None,
    };
    let request = ExportRequest {
        q: args.q.clone(),
        filter,
        format,
        list_separator: args.list_separator,
    };
    let target = match (format, &args.out) {
        (Format::Xlsx, Some(out)) => ExportTarget::File(out.clone()),
        (Format::Xlsx, None) => anyhow::bail!("an XLSX export needs --out FILE"),
        (_, Some(out)) => ExportTarget::Stream(Box::new(BufWriter::new(
            std::fs::File::create(out)
                .with_context(|| format!("cannot write {}", out.display()))?,
        ))),
        (_, None) => ExportTarget::Stream(Box::new(BufWriter::new(std::io::stdout()))),
    };
    let header = app.export(&args.kind, request, target).await?;
    if let (Format::Csv | Format::Tsv, Some(out)) = (format, &args.out) {
        let sidecar = out.with_extension(format!("{}.export.json", format.extension()));
        let mut file = std::fs::File::create(&sidecar)
            .with_context(|| format!("cannot write {}", sidecar.display()))?;
        writeln!(file, "{}", serde_json::to_string(&header)?)?;
    }
    eprintln!(
        "{}: exported {} documents (version {}) as {}",
        header.kind, header.rows, header.version, header.format
    );
    Ok(())
}
