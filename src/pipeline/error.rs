//! Errors of a reindex or sync, and their codes.

use crate::catalog::CatalogError;
use crate::engine::EngineError;
use crate::error::{Code, ErrorCode};
use crate::index::IndexError;
use crate::source::SourceError;

/// Errors of a reindex or sync.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Unknown kind, catalog refusal (already running, …), index failure.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The source failed (after retries).
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The job was cancelled.
    #[error("job {0} was cancelled; the live index is unchanged")]
    Cancelled(i64),
    /// An import job was cancelled.
    #[error("import job {0} was cancelled; the rows committed before the cancel stay")]
    ImportCancelled(i64),
    /// An import file cannot be read (any further).
    #[error(transparent)]
    Import(#[from] crate::transfer::TransferError),
    /// The process is shutting down; the job resumes at the next start.
    #[error("job {0} was interrupted by a shutdown; it resumes at the next start")]
    Interrupted(i64),
    /// A bug: a task of the job panicked.
    #[error("internal failure: {0}")]
    Internal(String),
    /// An option is out of range.
    #[error("{field}: {reason}")]
    InvalidOption {
        /// The option.
        field: &'static str,
        /// The allowed range.
        reason: String,
    },
}

impl From<CatalogError> for PipelineError {
    fn from(e: CatalogError) -> Self {
        PipelineError::Engine(e.into())
    }
}

impl From<IndexError> for PipelineError {
    fn from(e: IndexError) -> Self {
        PipelineError::Engine(e.into())
    }
}

impl ErrorCode for PipelineError {
    fn error_code(&self) -> Code {
        match self {
            PipelineError::Engine(e) => e.error_code(),
            PipelineError::Source(e) => e.error_code(),
            PipelineError::Cancelled(_) | PipelineError::ImportCancelled(_) => Code::JobCancelled,
            PipelineError::Import(e) => e.error_code(),
            PipelineError::Interrupted(_) => Code::JobInterrupted,
            PipelineError::InvalidOption { .. } => Code::InvalidRequest,
            PipelineError::Internal(_) => Code::Internal,
        }
    }

    fn error_field(&self) -> Option<String> {
        match self {
            PipelineError::InvalidOption { field, .. } => Some(field.to_string()),
            PipelineError::Engine(e) => e.error_field(),
            _ => None,
        }
    }
}

/// An internal failure (a panicked task) as a pipeline error.
pub(crate) fn internal(message: String) -> PipelineError {
    PipelineError::Internal(message)
}
