//! Writing documents out: CSV/TSV with a header row, JSON lines after a header line,
//! XLSX in constant memory (rows stream to temporary files; a sheet holds at most
//! 1,048,575 rows, then the next sheet continues). Every format says what was exported:
//! the JSON lines header, the workbook's `export` sheet, and for CSV/TSV the header the
//! caller puts beside the file.

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::{Format, TransferError};
use crate::schema::KindSpec;

/// Rows of data a worksheet holds below its header.
const SHEET_ROWS: u32 = 1_048_575;

/// What an export holds: written at the top of JSON lines, in the workbook's `export`
/// sheet, and beside CSV (a `.export.json` file from the CLI, headers over HTTP).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportHeader {
    /// The kind.
    pub kind: String,
    /// The live version read.
    pub version: i64,
    /// The query text (empty: every document the filter lets through).
    pub q: String,
    /// The filter as given.
    pub filter: Json,
    /// Documents in the export.
    pub rows: u64,
    /// The format.
    pub format: Format,
    /// When, RFC 3339 UTC.
    pub exported_at: String,
}

/// Writes documents of one kind in one format.
pub struct Exporter {
    columns: Vec<String>,
    list_separator: char,
    sink: Sink,
    written: u64,
}

enum Sink {
    Delimited(Box<csv::Writer<Box<dyn Write + Send>>>),
    Lines(Box<dyn Write + Send>),
    Workbook {
        workbook: Box<Workbook>,
        path: std::path::PathBuf,
        header: ExportHeader,
        sheet_row: u32,
    },
}

impl Exporter {
    /// CSV, TSV or JSON lines into `out`; writes the header row or line now.
    pub fn stream(
        format: Format,
        spec: &KindSpec,
        header: &ExportHeader,
        list_separator: char,
        out: Box<dyn Write + Send>,
    ) -> Result<Self, TransferError> {
        let columns = columns(spec);
        let sink = match format {
            Format::Csv | Format::Tsv => {
                let mut writer = csv::WriterBuilder::new()
                    .delimiter(if format == Format::Csv { b',' } else { b'\t' })
                    .from_writer(out);
                writer.write_record(&columns).map_err(write_error)?;
                Sink::Delimited(Box::new(writer))
            }
            Format::Jsonl => {
                let mut out = out;
                let line = serde_json::json!({ "export": header });
                writeln!(out, "{line}").map_err(write_error)?;
                Sink::Lines(out)
            }
            Format::Xlsx => {
                return Err(TransferError::Format(
                    "an XLSX export is built in a file (Exporter::workbook)".into(),
                ));
            }
        };
        Ok(Exporter {
            columns,
            list_separator,
            sink,
            written: 0,
        })
    }

    /// An XLSX workbook saved at `path` by [`Exporter::finish`]; its temporary rows go
    /// to `temp_dir`.
    pub fn workbook(
        spec: &KindSpec,
        header: &ExportHeader,
        list_separator: char,
        path: &Path,
        temp_dir: &Path,
    ) -> Result<Self, TransferError> {
        let columns = columns(spec);
        let mut workbook = Box::new(Workbook::new());
        workbook.set_tempdir(temp_dir).map_err(xlsx_error)?;
        new_sheet(&mut workbook, &columns)?;
        Ok(Exporter {
            columns,
            list_separator,
            sink: Sink::Workbook {
                workbook,
                path: path.to_path_buf(),
                header: header.clone(),
                sheet_row: 0,
            },
            written: 0,
        })
    }

    /// Writes one document (`id` and its stored fields).
    pub fn write(&mut self, id: &Json, source: &Map<String, Json>) -> Result<(), TransferError> {
        let separator = self.list_separator;
        match &mut self.sink {
            Sink::Delimited(writer) => {
                let record = self.columns.iter().map(|c| {
                    let value = if c == "id" { Some(id) } else { source.get(c) };
                    value.map(|v| cell_text(v, separator)).unwrap_or_default()
                });
                writer.write_record(record).map_err(write_error)?;
            }
            Sink::Lines(out) => {
                let mut doc = Map::with_capacity(source.len() + 1);
                doc.insert("id".into(), id.clone());
                for column in self.columns.iter().skip(1) {
                    if let Some(value) = source.get(column) {
                        doc.insert(column.clone(), value.clone());
                    }
                }
                serde_json::to_writer(&mut *out, &doc).map_err(write_error)?;
                out.write_all(b"\n").map_err(write_error)?;
            }
            Sink::Workbook {
                workbook,
                sheet_row,
                ..
            } => {
                if *sheet_row == SHEET_ROWS {
                    new_sheet(workbook, &self.columns)?;
                    *sheet_row = 0;
                }
                *sheet_row += 1;
                let row = *sheet_row;
                let index = workbook.worksheets().len() - 1;
                let sheet = workbook.worksheet_from_index(index).map_err(xlsx_error)?;
                for (col, column) in self.columns.iter().enumerate() {
                    let value = if column == "id" {
                        Some(id)
                    } else {
                        source.get(column)
                    };
                    if let Some(value) = value {
                        write_cell(sheet, row, col as u16, value, separator)?;
                    }
                }
            }
        }
        self.written += 1;
        Ok(())
    }

    /// Flushes the stream, or saves the workbook (with its `export` sheet).
    pub fn finish(self) -> Result<u64, TransferError> {
        match self.sink {
            Sink::Delimited(mut writer) => writer.flush().map_err(write_error)?,
            Sink::Lines(mut out) => out.flush().map_err(write_error)?,
            Sink::Workbook {
                mut workbook,
                path,
                mut header,
                ..
            } => {
                header.rows = self.written;
                let sheet = workbook
                    .add_worksheet_with_constant_memory()
                    .map_err(xlsx_error)?;
                sheet.set_name("export").map_err(xlsx_error)?;
                let meta = serde_json::to_value(&header).map_err(write_error)?;
                if let Json::Object(meta) = meta {
                    for (row, (key, value)) in meta.iter().enumerate() {
                        sheet.write_string(row as u32, 0, key).map_err(xlsx_error)?;
                        let text = match value {
                            Json::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        sheet
                            .write_string(row as u32, 1, text)
                            .map_err(xlsx_error)?;
                    }
                }
                workbook.save(&path).map_err(xlsx_error)?;
            }
        }
        Ok(self.written)
    }
}

fn columns(spec: &KindSpec) -> Vec<String> {
    std::iter::once("id".to_string())
        .chain(
            spec.fields
                .iter()
                .filter(|f| f.stored)
                .map(|f| f.name.clone()),
        )
        .collect()
}

fn new_sheet(workbook: &mut Workbook, columns: &[String]) -> Result<(), TransferError> {
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(xlsx_error)?;
    for (col, name) in columns.iter().enumerate() {
        sheet
            .write_string(0, col as u16, name)
            .map_err(xlsx_error)?;
    }
    Ok(())
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: &Json,
    separator: char,
) -> Result<(), TransferError> {
    match value {
        Json::Null => Ok(()),
        Json::Bool(b) => sheet.write_boolean(row, col, *b).map(drop),
        // Whole numbers past 2^53 would lose digits as an Excel number: keep them as text.
        Json::Number(n) if n.as_f64().is_some_and(|f| f.abs() < 9e15) => sheet
            .write_number(row, col, n.as_f64().unwrap_or_default())
            .map(drop),
        other => sheet
            .write_string(row, col, cell_text(other, separator))
            .map(drop),
    }
    .map_err(xlsx_error)
}

/// A value as one cell of text: lists joined with the separator.
fn cell_text(value: &Json, separator: char) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Array(values) => values
            .iter()
            .map(|v| cell_text(v, separator))
            .collect::<Vec<_>>()
            .join(&separator.to_string()),
        other => other.to_string(),
    }
}

fn write_error(e: impl std::fmt::Display) -> TransferError {
    TransferError::Write(e.to_string())
}

fn xlsx_error(e: XlsxError) -> TransferError {
    TransferError::Write(e.to_string())
}
