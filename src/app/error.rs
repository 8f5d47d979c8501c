//! Errors of the application layer: the layers below, plus the checks of the requests
//! the fronts hand over.

use crate::engine::EngineError;
use crate::error::{Code, ErrorCode};
use crate::pipeline::PipelineError;
use crate::settings::SettingsError;
use crate::source::SourceError;

/// Errors of [`super::App`].
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The engine (index, catalog, request) refused or failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A reindex, sync or write failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// The settings are wrong.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The source cannot be reached or migrated.
    #[error("source {url}: {source}")]
    Source {
        /// The URL.
        url: String,
        /// Why.
        source: SourceError,
    },
    /// Building a first index failed at startup.
    #[error("building the {kind} index failed: {source}")]
    Prepare {
        /// The kind.
        kind: String,
        /// Why.
        source: PipelineError,
    },
    /// A request value is out of range.
    #[error("{field}: {reason}")]
    Invalid {
        /// The request key.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// An error in one part of a request made of several (`requests[3].request` of a
    /// rank evaluation): the part's error, its field under `at`.
    #[error("{at}: {source}")]
    Within {
        /// Where in the request (`requests[3].request`).
        at: String,
        /// The part's error.
        source: Box<AppError>,
    },
    /// A request is larger than a limit.
    #[error("{0}")]
    TooLarge(String),
    /// Too much work at once.
    #[error("{0}")]
    Overloaded(String),
    /// The catalog cannot be read.
    #[error("not ready: {0}")]
    NotReady(String),
    /// A file operation failed.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: std::io::Error,
    },
    /// A bug: a task panicked.
    #[error("internal failure: {0}")]
    Internal(String),
}

impl From<crate::catalog::CatalogError> for AppError {
    fn from(e: crate::catalog::CatalogError) -> Self {
        AppError::Engine(e.into())
    }
}

impl ErrorCode for AppError {
    fn error_code(&self) -> Code {
        match self {
            AppError::Engine(e) => e.error_code(),
            AppError::Pipeline(e) | AppError::Prepare { source: e, .. } => e.error_code(),
            AppError::Settings(_) => Code::InvalidRequest,
            AppError::Source { source, .. } => source.error_code(),
            AppError::Invalid { .. } => Code::InvalidRequest,
            AppError::Within { source, .. } => source.error_code(),
            AppError::TooLarge(_) => Code::PayloadTooLarge,
            AppError::Overloaded(_) => Code::Overloaded,
            AppError::NotReady(_) => Code::NotReady,
            AppError::Io { .. } => Code::Io,
            AppError::Internal(_) => Code::Internal,
        }
    }

    fn error_field(&self) -> Option<String> {
        match self {
            AppError::Engine(e) => e.error_field(),
            AppError::Pipeline(e) => e.error_field(),
            AppError::Invalid { field, .. } => Some(field.to_string()),
            AppError::Within { at, source } => Some(match source.error_field() {
                Some(field) => format!("{at}.{field}"),
                None => at.clone(),
            }),
            _ => None,
        }
    }
}
