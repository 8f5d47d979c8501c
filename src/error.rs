//! Error codes: every failure a caller can see has one stable code, which decides its
//! HTTP status and whether it is the caller's to fix or an internal failure. Each layer's
//! error type maps itself to a [`Code`] through [`ErrorCode`]; the HTTP server renders the
//! code and, for internal ones, nothing but the request id (meilisearch's pattern).

use serde::Serialize;

/// A stable error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// A malformed request key, body or parameter.
    InvalidRequest,
    /// A field that is not in the kind's spec.
    UnknownField,
    /// A field that cannot be filtered on.
    FieldNotFilterable,
    /// A filter whose value or operator is wrong for its field.
    BadFilter,
    /// `fields` names a field that is not a text field.
    FieldNotSearchable,
    /// `sort` names a field that is not sortable.
    FieldNotSortable,
    /// A malformed or unsupported aggregation.
    BadAggregation,
    /// An import file whose format, header or column mapping is wrong.
    BadFile,
    /// No index of that name.
    UnknownIndex,
    /// No job of that id.
    UnknownJob,
    /// No such route.
    NotFound,
    /// The route exists, not with this method.
    MethodNotAllowed,
    /// A missing or wrong key.
    Unauthorized,
    /// The body or the number of lines is over the limit.
    PayloadTooLarge,
    /// A reindex of the kind is already running.
    JobAlreadyRunning,
    /// The job has not ended, or cannot run again.
    JobNotRetryable,
    /// A version that does not exist or cannot serve.
    BadVersion,
    /// The job was cancelled.
    JobCancelled,
    /// Versions and jobs need an engine on a data directory.
    NoCatalog,
    /// Too many connections or requests at once; retry shortly.
    Overloaded,
    /// The request took longer than the request timeout.
    RequestTimeout,
    /// The service is starting or cannot reach its catalog.
    NotReady,
    /// The job was stopped by a shutdown; it resumes at the next start.
    JobInterrupted,
    /// An index (tantivy, disk) failed.
    IndexError,
    /// The source database failed (after retries).
    SourceError,
    /// The catalog database failed.
    CatalogError,
    /// The analyzer's lists cannot be read.
    AnalysisConfig,
    /// A kind spec is invalid.
    SchemaError,
    /// A file or directory operation failed.
    Io,
    /// A bug: a task panicked, an invariant broke.
    Internal,
}

impl Code {
    /// The stable string (`unknown_field`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidRequest => "invalid_request",
            Code::UnknownField => "unknown_field",
            Code::FieldNotFilterable => "field_not_filterable",
            Code::BadFilter => "bad_filter",
            Code::FieldNotSearchable => "field_not_searchable",
            Code::FieldNotSortable => "field_not_sortable",
            Code::BadAggregation => "bad_aggregation",
            Code::BadFile => "bad_file",
            Code::UnknownIndex => "unknown_index",
            Code::UnknownJob => "unknown_job",
            Code::NotFound => "not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::Unauthorized => "unauthorized",
            Code::PayloadTooLarge => "payload_too_large",
            Code::JobAlreadyRunning => "job_already_running",
            Code::JobNotRetryable => "job_not_retryable",
            Code::BadVersion => "bad_version",
            Code::JobCancelled => "job_cancelled",
            Code::NoCatalog => "no_catalog",
            Code::Overloaded => "overloaded",
            Code::RequestTimeout => "request_timeout",
            Code::NotReady => "not_ready",
            Code::JobInterrupted => "job_interrupted",
            Code::IndexError => "index_error",
            Code::SourceError => "source_error",
            Code::CatalogError => "catalog_error",
            Code::AnalysisConfig => "analysis_config",
            Code::SchemaError => "schema_error",
            Code::Io => "io_error",
            Code::Internal => "internal",
        }
    }

    /// The HTTP status.
    pub fn status(self) -> u16 {
        match self {
            Code::InvalidRequest
            | Code::UnknownField
            | Code::FieldNotFilterable
            | Code::BadFilter
            | Code::FieldNotSearchable
            | Code::FieldNotSortable
            | Code::BadAggregation
            | Code::BadFile
            | Code::JobCancelled
            | Code::NoCatalog => 400,
            Code::Unauthorized => 401,
            Code::UnknownIndex | Code::UnknownJob | Code::NotFound => 404,
            Code::MethodNotAllowed => 405,
            Code::JobAlreadyRunning | Code::JobNotRetryable | Code::BadVersion => 409,
            Code::PayloadTooLarge => 413,
            Code::Overloaded | Code::RequestTimeout | Code::NotReady | Code::JobInterrupted => 503,
            Code::IndexError
            | Code::SourceError
            | Code::CatalogError
            | Code::AnalysisConfig
            | Code::SchemaError
            | Code::Io
            | Code::Internal => 500,
        }
    }

    /// Whether this is a failure of the service rather than the caller's to fix.
    pub fn is_internal(self) -> bool {
        self.status() == 500
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error that knows its [`Code`].
pub trait ErrorCode {
    /// The code.
    fn error_code(&self) -> Code;

    /// Whether the caller caused it.
    fn is_user_error(&self) -> bool {
        !self.error_code().is_internal()
    }

    /// The request key or field at fault, if the error names one.
    fn error_field(&self) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_strings_with_statuses() {
        assert_eq!(Code::UnknownField.as_str(), "unknown_field");
        assert_eq!(Code::UnknownIndex.status(), 404);
        assert_eq!(Code::JobAlreadyRunning.status(), 409);
        assert_eq!(Code::MethodNotAllowed.status(), 405);
        assert!(Code::CatalogError.is_internal() && !Code::BadFilter.is_internal());
        assert_eq!(
            serde_json::to_value(Code::FieldNotSortable).unwrap(),
            "field_not_sortable"
        );
    }
}
