//! Files in and out: rows of CSV, TSV, JSON lines and XLSX read into JSON documents of a
//! kind (with a column mapping and per-cell type conversion from the spec), and search
//! hits written back out in the same formats. Knows specs and formats, not indexes:
//! the pipeline imports the rows, the app pages the hits.

mod format;
mod read;
mod write;

pub use format::Format;
pub use read::{ColumnMap, Row, RowProblem, Rows, open_rows};
pub use write::{ExportHeader, Exporter};

/// What can go wrong with a file as a whole (a bad row is a [`RowProblem`], not this).
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The file could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: std::io::Error,
    },
    /// The format is not one of csv, tsv, jsonl, xlsx, or cannot be told.
    #[error("{0}")]
    Format(String),
    /// The header row does not fit the kind: an unknown column, no id column.
    #[error("{0}")]
    Header(String),
    /// The column mapping is malformed or names an unknown field.
    #[error("{0}")]
    Mapping(String),
    /// A spreadsheet that cannot be opened.
    #[error("{path}: not a readable XLSX workbook: {reason}")]
    Workbook {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Writing the export failed.
    #[error("writing the export failed: {0}")]
    Write(String),
}

impl crate::error::ErrorCode for TransferError {
    fn error_code(&self) -> crate::error::Code {
        use crate::error::Code;
        match self {
            TransferError::Io { .. } | TransferError::Write(_) => Code::Io,
            TransferError::Format(_)
            | TransferError::Header(_)
            | TransferError::Mapping(_)
            | TransferError::Workbook { .. } => Code::BadFile,
        }
    }
}
