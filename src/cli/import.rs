//! `chatda import`: a CSV, TSV, JSON lines or XLSX file into a kind's live index.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::app::{Format, ImportOptions};
use crate::settings::Settings;

/// Arguments of `chatda import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The document kind (`concerts`, `tickets`).
    pub kind: String,
    /// The file: the header row (row 1) names the fields; one column is `id`.
    pub file: PathBuf,
    /// csv, tsv, jsonl or xlsx (default: from the file's extension).
    #[arg(long)]
    pub format: Option<String>,
    /// Column renames: `공연명=title,가수=artists`; `메모=` ignores a column.
    #[arg(long, default_value = "")]
    pub map: String,
    /// Separator of several values of a list field in one cell.
    #[arg(long, default_value_t = '|')]
    pub list_separator: char,
    /// Also write every bad row's problems (JSON lines: row, id, field, reason) here.
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// Runs `chatda import`: every row is converted to the field types of the kind's spec
/// and validated; bad rows are skipped and reported (row number, field, reason), good
/// ones committed every few thousand rows. Exits 0 when the file was read, bad rows or
/// not; fails when the file, its header or the mapping cannot be used (nothing written).
pub async fn run(args: ImportArgs, settings: &Settings) -> anyhow::Result<()> {
    let app = super::common::app(settings).await?;
    let format = args
        .format
        .as_deref()
        .map(str::parse::<Format>)
        .transpose()?;
    let options = ImportOptions {
        format,
        map: args.map.clone(),
        list_separator: args.list_separator,
    };
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {human_pos} rows, {per_sec} [{elapsed}] {msg}")
            .expect("a valid template"),
    );
    let started = Instant::now();
    let shown = bar.clone();
    let report = app
        .import_file(&args.kind, &args.file, &options, move |r| {
            shown.set_position(r.rows);
            shown.set_message(format!("{} bad", r.failed));
        })
        .await?;
    bar.finish_and_clear();
    for problem in report.errors.iter().take(100) {
        eprintln!("row {}: {}: {}", problem.row, problem.field, problem.reason);
    }
    let shown = report.errors.len().min(100) as u64;
    let more = report.errors.len() as u64 - shown + report.errors_omitted;
    if more > 0 {
        eprintln!("… and {more} more problems");
    }
    if let Some(path) = &args.report {
        let mut out = String::new();
        for problem in &report.errors {
            out.push_str(&serde_json::to_string(problem)?);
            out.push('\n');
        }
        std::fs::write(path, out)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{}: imported {} documents from {} rows, skipped {} bad rows, applied {} deletes, in {seconds:.1} s ({:.0} rows/s); the index holds {} documents",
        args.kind,
        report.upserted,
        report.rows,
        report.failed,
        report.deleted,
        report.rate,
        app.docs(&args.kind)?
    );
    Ok(())
}
