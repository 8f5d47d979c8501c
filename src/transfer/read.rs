//! Reading a file into documents of a kind. Tabular formats map their header row to the
//! kind's fields (with an optional column mapping) and convert each cell to the field's
//! type; a row that does not convert or validate comes back as its problems, one per
//! field, and the reader goes on. Rows are numbered as a spreadsheet shows them: the
//! header is row 1 (CSV/TSV blank lines are skipped and not counted); JSON lines by line.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::{Format, TransferError};
use crate::schema::{FieldSpec, FieldType, IdType, KindSpec};

/// Which column feeds which field: `column=field`, or `column=` to ignore a column.
/// Columns not named keep their header as the field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    renames: BTreeMap<String, Option<String>>,
}

impl ColumnMap {
    /// The field a column feeds (`None`: ignored).
    fn target<'a>(&'a self, column: &'a str) -> Option<&'a str> {
        match self.renames.get(column) {
            Some(target) => target.as_deref(),
            None => Some(column),
        }
    }

    /// Whether no column is renamed.
    pub fn is_empty(&self) -> bool {
        self.renames.is_empty()
    }
}

impl FromStr for ColumnMap {
    type Err = TransferError;

    /// `공연명=title,가수=artists,메모=` (commas separate entries).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut renames = BTreeMap::new();
        for entry in s.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let Some((column, field)) = entry.split_once('=') else {
                return Err(TransferError::Mapping(format!(
                    "mapping entry {entry:?} needs the form column=field (or column= to ignore it)"
                )));
            };
            let (column, field) = (column.trim(), field.trim());
            if column.is_empty() {
                return Err(TransferError::Mapping(format!(
                    "mapping entry {entry:?} names no column"
                )));
            }
            let target = (!field.is_empty()).then(|| field.to_string());
            if renames.insert(column.to_string(), target).is_some() {
                return Err(TransferError::Mapping(format!(
                    "column {column:?} is mapped twice"
                )));
            }
        }
        Ok(ColumnMap { renames })
    }
}

/// A row that cannot be imported, one entry per field at fault.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowProblem {
    /// The row as a spreadsheet numbers it (the header is row 1), or the JSON line.
    pub row: u64,
    /// The row's id, when it had a readable one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Json>,
    /// The field (empty for the row as a whole).
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

/// One row read: a document that validated, or its problems.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row number (see [`RowProblem::row`]).
    pub number: u64,
    /// The document, or why it is skipped.
    pub doc: Result<Json, Vec<RowProblem>>,
}

/// The rows of a file, in order. Each item is a row, or an error that ends the file
/// (it cannot be read any further).
pub struct Rows {
    inner: Box<dyn Iterator<Item = Result<Row, TransferError>> + Send>,
}

impl Iterator for Rows {
    type Item = Result<Row, TransferError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

/// Opens `path` as rows of `spec`'s documents. Tabular files check their header first:
/// a column that is neither a field nor mapped, a missing id column or a field fed by
/// two columns is an error before any row is read. `list_separator` splits cells of list
/// fields.
pub fn open_rows(
    path: &Path,
    format: Format,
    spec: &KindSpec,
    map: &ColumnMap,
    list_separator: char,
) -> Result<Rows, TransferError> {
    let io = |reason| TransferError::Io {
        path: path.display().to_string(),
        reason,
    };
    let context = Context {
        spec: spec.clone(),
        list_separator,
    };
    let inner: Box<dyn Iterator<Item = Result<Row, TransferError>> + Send> = match format {
        Format::Csv | Format::Tsv => {
            let delimiter = if format == Format::Csv { b',' } else { b'\t' };
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .from_reader(BufReader::new(File::open(path).map_err(io)?));
            let header: Vec<String> = reader
                .headers()
                .map_err(|e| csv_error(path, e))?
                .iter()
                .map(str::to_string)
                .collect();
            let columns = resolve_columns(&header, spec, map)?;
            let path = path.display().to_string();
            Box::new(
                reader
                    .into_records()
                    .enumerate()
                    .filter_map(move |(i, record)| {
                        // Rows as a spreadsheet numbers them: the header is row 1, a
                        // value with line breaks stays one row.
                        let number = i as u64 + 2;
                        let record = match record {
                            Ok(record) => record,
                            Err(e) => return Some(Err(csv_record_error(&path, number, e))),
                        };
                        if record.iter().all(|cell| cell.trim().is_empty()) {
                            return None;
                        }
                        let cells = record.iter().map(|cell| Cell::Text(cell.to_string()));
                        Some(Ok(context.row(number, &columns, cells)))
                    }),
            )
        }
        Format::Jsonl => {
            let file = BufReader::new(File::open(path).map_err(io)?);
            let map = map.clone();
            let path = path.display().to_string();
            Box::new(file.lines().enumerate().filter_map(move |(i, line)| {
                let number = i as u64 + 1;
                let line = match line {
                    Ok(line) => line,
                    Err(reason) => {
                        return Some(Err(TransferError::Io {
                            path: format!("{path}, line {number}"),
                            reason,
                        }));
                    }
                };
                if line.trim().is_empty() {
                    return None;
                }
                let doc = match serde_json::from_str::<Json>(&line) {
                    Ok(doc) => doc,
                    Err(e) => {
                        return Some(Ok(Row::problem(number, None, "", format!("not JSON: {e}"))));
                    }
                };
                // The header line an export writes first is not a document.
                if number == 1 && is_export_header(&doc) {
                    return None;
                }
                Some(Ok(context.json_row(number, doc, &map)))
            }))
        }
        Format::Xlsx => {
            let mut workbook: Xlsx<_> = Xlsx::new(BufReader::new(File::open(path).map_err(io)?))
                .map_err(|e| TransferError::Workbook {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
            let range = workbook
                .worksheet_range_at(0)
                .ok_or_else(|| TransferError::Workbook {
                    path: path.display().to_string(),
                    reason: "it has no worksheet".into(),
                })?
                .map_err(|e| TransferError::Workbook {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
            let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
            let width = range.width();
            let mut rows = range.rows().enumerate();
            let header: Vec<String> = match rows.next() {
                Some((_, cells)) => cells.iter().map(|c| c.to_string()).collect(),
                None => Vec::new(),
            };
            let columns = resolve_columns(&header, spec, map)?;
            let rows: Vec<(u64, Vec<Data>)> = rows
                .map(|(i, cells)| (first_row + i as u64 + 1, cells.to_vec()))
                .collect();
            drop(workbook);
            Box::new(rows.into_iter().filter_map(move |(number, cells)| {
                if cells.iter().all(|c| matches!(c, Data::Empty)) {
                    return None;
                }
                debug_assert!(cells.len() <= width);
                let cells = cells.into_iter().map(Cell::Sheet);
                Some(Ok(context.row(number, &columns, cells)))
            }))
        }
    };
    Ok(Rows { inner })
}

/// Whether a JSON line is the header an export writes (`{"export": {...}}`).
fn is_export_header(doc: &Json) -> bool {
    doc.as_object()
        .is_some_and(|o| o.len() == 1 && o.get("export").is_some_and(Json::is_object))
}

fn csv_error(path: &Path, e: csv::Error) -> TransferError {
    TransferError::Format(format!("{}: not readable as CSV: {e}", path.display()))
}

fn csv_record_error(path: &str, row: u64, e: csv::Error) -> TransferError {
    TransferError::Format(format!("{path}: row {row} is not readable: {e}"))
}

/// What each column feeds.
#[derive(Debug, Clone)]
enum Column {
    Id,
    Field(usize),
    Ignored,
}

/// Maps the header to the spec's fields, refusing what would silently lose data.
fn resolve_columns(
    header: &[String],
    spec: &KindSpec,
    map: &ColumnMap,
) -> Result<Vec<Column>, TransferError> {
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(TransferError::Header(
            "the file has no header row: the first row names the fields".into(),
        ));
    }
    for (column, target) in &map.renames {
        if !header.contains(column) {
            return Err(TransferError::Mapping(format!(
                "the mapping names column {column:?}, which the header does not have (columns: {})",
                header.join(", ")
            )));
        }
        if let Some(field) = target
            && field != "id"
            && spec.field(field).is_none()
        {
            return Err(TransferError::Mapping(format!(
                "the mapping sends column {column:?} to {field:?}, which is not a field of {} (fields: id, {})",
                spec.name,
                field_names(spec)
            )));
        }
    }
    let mut seen = BTreeSet::new();
    let mut columns = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        let column = match map.target(name) {
            None => Column::Ignored,
            Some("") => Column::Ignored,
            Some("id") => Column::Id,
            Some(field) => match spec.fields.iter().position(|f| f.name == field) {
                Some(index) => Column::Field(index),
                None => {
                    return Err(TransferError::Header(format!(
                        "column {} ({name:?}) is not a field of {} (fields: id, {}); map it with \"{name}=FIELD\" or ignore it with \"{name}=\"",
                        i + 1,
                        spec.name,
                        field_names(spec)
                    )));
                }
            },
        };
        if let Some(target) = map.target(name).filter(|t| !t.is_empty())
            && !seen.insert(target.to_string())
        {
            return Err(TransferError::Header(format!(
                "two columns feed {target:?}; map or ignore one of them"
            )));
        }
        columns.push(column);
    }
    if !columns.iter().any(|c| matches!(c, Column::Id)) {
        return Err(TransferError::Header(format!(
            "no id column: one column must be named id (or mapped to it, \"COLUMN=id\"); columns: {}",
            header.join(", ")
        )));
    }
    Ok(columns)
}

fn field_names(spec: &KindSpec) -> String {
    spec.fields
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A cell as read.
enum Cell {
    Text(String),
    Sheet(Data),
}

/// What converting a file's rows needs.
struct Context {
    spec: KindSpec,
    list_separator: char,
}

impl Row {
    fn problem(number: u64, id: Option<Json>, field: &str, reason: String) -> Row {
        Row {
            number,
            doc: Err(vec![RowProblem {
                row: number,
                id,
                field: field.to_string(),
                reason,
            }]),
        }
    }
}

impl Context {
    /// A tabular row: converts every cell, then validates the document.
    fn row(&self, number: u64, columns: &[Column], cells: impl Iterator<Item = Cell>) -> Row {
        let mut doc = Map::new();
        let mut problems = Vec::new();
        for (column, cell) in columns.iter().zip(cells) {
            let (name, converted) = match column {
                Column::Ignored => continue,
                Column::Id => ("id", self.id_value(cell)),
                Column::Field(index) => {
                    let field = &self.spec.fields[*index];
                    (field.name.as_str(), self.field_value(field, cell))
                }
            };
            match converted {
                Ok(Some(value)) => {
                    doc.insert(name.to_string(), value);
                }
                Ok(None) => {}
                Err(reason) => problems.push((name.to_string(), reason)),
            }
        }
        let id = doc.get("id").cloned();
        if !problems.is_empty() {
            return Row {
                number,
                doc: Err(problems
                    .into_iter()
                    .map(|(field, reason)| RowProblem {
                        row: number,
                        id: id.clone(),
                        field,
                        reason,
                    })
                    .collect()),
            };
        }
        self.validated(number, Json::Object(doc))
    }

    /// A JSON line: renames keys as mapped, then validates (deletes pass through).
    fn json_row(&self, number: u64, doc: Json, map: &ColumnMap) -> Row {
        let Json::Object(object) = doc else {
            return Row::problem(number, None, "", "a line must be a JSON object".into());
        };
        let is_delete = object.len() == 1 && object.contains_key("delete");
        let object: Map<String, Json> = if map.is_empty() || is_delete {
            object
        } else {
            object
                .into_iter()
                .filter_map(|(k, v)| {
                    let target = map.target(&k)?.to_string();
                    (!target.is_empty()).then_some((target, v))
                })
                .collect()
        };
        if is_delete {
            return Row {
                number,
                doc: Ok(Json::Object(object)),
            };
        }
        self.validated(number, Json::Object(object))
    }

    fn validated(&self, number: u64, doc: Json) -> Row {
        match self.spec.validate(&doc) {
            Ok(_) => Row {
                number,
                doc: Ok(doc),
            },
            Err(errors) => {
                let id = doc.get("id").cloned();
                Row {
                    number,
                    doc: Err(errors
                        .into_iter()
                        .map(|e| RowProblem {
                            row: number,
                            id: id.clone(),
                            field: e.field,
                            reason: e.reason,
                        })
                        .collect()),
                }
            }
        }
    }

    fn id_value(&self, cell: Cell) -> Result<Option<Json>, String> {
        let text = match cell {
            Cell::Text(text) => text,
            Cell::Sheet(Data::Int(n)) => n.to_string(),
            Cell::Sheet(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 9e15 => {
                (f as i64).to_string()
            }
            Cell::Sheet(data) => sheet_text(data)?,
        };
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        match self.spec.id {
            IdType::Integer => text
                .parse::<u64>()
                .map(|n| Some(Json::from(n)))
                .map_err(|_| format!("expected a non-negative integer id, found {text:?}")),
            IdType::String => Ok(Some(Json::String(text.to_string()))),
        }
    }

    fn field_value(&self, field: &FieldSpec, cell: Cell) -> Result<Option<Json>, String> {
        let text = match cell {
            Cell::Text(text) => text,
            Cell::Sheet(data) => match (field.ty, data) {
                (_, Data::Empty) => return Ok(None),
                (FieldType::Integer, Data::Int(n)) => return Ok(Some(n.into())),
                (FieldType::Integer, Data::Float(f)) if f.fract() == 0.0 && f.abs() < 9e15 => {
                    return Ok(Some((f as i64).into()));
                }
                (FieldType::Float, Data::Int(n)) => return Ok(Some((n as f64).into())),
                (FieldType::Float, Data::Float(f)) => return Ok(Some(f.into())),
                (FieldType::Bool, Data::Bool(b)) => return Ok(Some(b.into())),
                (FieldType::Date, Data::DateTime(d)) => {
                    return excel_date(d.as_f64()).map(|d| Some(Json::String(d)));
                }
                (_, data) => sheet_text(data)?,
            },
        };
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if field.list {
            let values: Result<Vec<Json>, String> = text
                .split(self.list_separator)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| scalar(field.ty, v))
                .collect();
            return values.map(|v| Some(Json::Array(v)));
        }
        scalar(field.ty, text).map(Some)
    }
}

/// A cell's text as a spreadsheet shows it (numbers without a trailing `.0`).
fn sheet_text(data: Data) -> Result<String, String> {
    match data {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Ok(s),
        Data::Int(n) => Ok(n.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => Ok((f as i64).to_string()),
        Data::Float(f) => Ok(f.to_string()),
        Data::Bool(b) => Ok(b.to_string()),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::Error(e) => Err(format!("the cell holds the error {e}")),
        Data::Empty => Ok(String::new()),
    }
}

/// An Excel serial date (days since 1899-12-30, the fraction the time of day) as
/// `YYYY-MM-DD`, or RFC 3339 UTC when it has a time.
fn excel_date(serial: f64) -> Result<String, String> {
    use time::macros::{date, format_description};
    let bad = || format!("{serial} is not a date Excel can hold");
    if !(0.0..2_958_466.0).contains(&serial) {
        return Err(bad());
    }
    let days = serial.trunc() as i64;
    let millis = ((serial - serial.trunc()) * 86_400_000.0).round() as i64;
    let day = date!(1899 - 12 - 30)
        .checked_add(time::Duration::days(days))
        .ok_or_else(bad)?;
    if millis == 0 {
        return day
            .format(format_description!("[year]-[month]-[day]"))
            .map_err(|e| e.to_string());
    }
    let at = day.midnight().assume_utc() + time::Duration::milliseconds(millis);
    at.format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| e.to_string())
}

/// One value of a field's type from text.
fn scalar(ty: FieldType, text: &str) -> Result<Json, String> {
    match ty {
        FieldType::Text | FieldType::Keyword | FieldType::Date => Ok(Json::String(text.into())),
        FieldType::Integer => text
            .parse::<i64>()
            .map(Json::from)
            .map_err(|_| format!("expected an integer, found {text:?}")),
        FieldType::Float => text
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Json::from)
            .ok_or_else(|| format!("expected a number, found {text:?}")),
        FieldType::Bool => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" => Ok(Json::Bool(true)),
            "false" | "0" | "no" | "n" => Ok(Json::Bool(false)),
            _ => Err(format!("expected true or false, found {text:?}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_become_dates() {
        assert_eq!(excel_date(45658.0).unwrap(), "2025-01-01");
        assert_eq!(excel_date(45658.5).unwrap(), "2025-01-01T12:00:00Z");
        assert!(excel_date(-1.0).is_err());
    }

    #[test]
    fn mappings_parse_and_refuse_malformed_entries() {
        let map: ColumnMap = "공연명=title, 메모=".parse().unwrap();
        assert_eq!(map.target("공연명"), Some("title"));
        assert_eq!(map.target("메모"), None);
        assert_eq!(map.target("venue"), Some("venue"));
        assert!("title".parse::<ColumnMap>().is_err());
        assert!("a=b,a=c".parse::<ColumnMap>().is_err());
    }

    #[test]
    fn cells_convert_to_the_field_type() {
        assert_eq!(scalar(FieldType::Integer, "42").unwrap(), Json::from(42));
        assert!(scalar(FieldType::Integer, "4.2").is_err());
        assert_eq!(scalar(FieldType::Bool, "Yes").unwrap(), Json::Bool(true));
        assert!(scalar(FieldType::Float, "NaN").is_err());
    }
}
