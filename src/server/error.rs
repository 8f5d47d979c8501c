//! The one place where errors become HTTP responses: `{"error": {"code", "message",
//! "field"}}` with a status chosen by the error's stable code. Internal errors are logged
//! with the request id and answered with a generic message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::catalog::CatalogError;
use crate::engine::EngineError;
use crate::pipeline::PipelineError;

tokio::task_local! {
    /// The id of the request being handled (set by the request middleware).
    pub static REQUEST_ID: String;
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// Stable code (`unknown_field`, `unauthorized`, …); decides the status.
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// The request field at fault, if any.
    pub field: Option<String>,
}

impl ApiError {
    /// A client error with a code, message and optional field.
    pub fn new(code: &'static str, message: impl Into<String>, field: Option<&str>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    /// An internal failure: the detail goes to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        let id = REQUEST_ID.try_with(Clone::clone).unwrap_or_default();
        tracing::error!(request_id = %id, error = %detail, "internal error");
        ApiError::new(
            "internal",
            format!("internal error; the server log has the details under request id {id}"),
            None,
        )
    }
}

/// The JSON shape of every error answer (for the OpenAPI document).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Inside [`ErrorBody`].
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `invalid_request`, `unknown_field`, `bad_filter`, `unknown_index`,
    /// `unauthorized`, `payload_too_large`, `job_already_running`, `internal`, …
    pub code: String,
    /// What is wrong and what to do.
    pub message: String,
    /// The request field at fault, if any.
    pub field: Option<String>,
}

/// HTTP status of each error code.
pub fn status_of(code: &str) -> StatusCode {
    match code {
        "unauthorized" => StatusCode::UNAUTHORIZED,
        "forbidden" => StatusCode::FORBIDDEN,
        "unknown_index" | "unknown_job" | "not_found" => StatusCode::NOT_FOUND,
        "job_already_running" | "bad_version" => StatusCode::CONFLICT,
        "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "unsupported_media_type" => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "request_timeout" | "not_ready" | "overloaded" => StatusCode::SERVICE_UNAVAILABLE,
        "internal" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            json!({"error": {"code": self.code, "message": self.message, "field": self.field}});
        (status_of(self.code), Json(body)).into_response()
    }
}

impl From<EngineError> for ApiError {
    fn from(e: EngineError) -> Self {
        if !e.is_user_error() {
            return ApiError::internal(e);
        }
        let field = match &e {
            EngineError::Query(q) => Some(q.field().to_string()).filter(|f| !f.is_empty()),
            _ => None,
        };
        ApiError {
            code: e.code(),
            message: e.to_string(),
            field,
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        EngineError::from(e).into()
    }
}

impl From<PipelineError> for ApiError {
    fn from(e: PipelineError) -> Self {
        match e {
            PipelineError::Engine(e) => e.into(),
            other if other.is_user_error() => {
                ApiError::new(other.code(), other.to_string(), other.field())
            }
            other => ApiError::internal(other),
        }
    }
}

/// Parses a JSON body; errors name the key at fault (`sort[1]`, `version`).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // serde reads a struct from a JSON array too (`[5]` as `{"version": 5}`).
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(ApiError::new(
            "invalid_request",
            "the body must be a JSON object",
            None,
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = (path != ".").then_some(path);
        ApiError {
            code: "invalid_request",
            message: format!("invalid JSON body: {}", e.inner()),
            field,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_statuses() {
        assert_eq!(status_of("unknown_field"), StatusCode::BAD_REQUEST);
        assert_eq!(status_of("unknown_index"), StatusCode::NOT_FOUND);
        assert_eq!(status_of("job_already_running"), StatusCode::CONFLICT);
        assert_eq!(status_of("internal"), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn json_errors_name_the_key() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Swap {
            version: i64,
        }
        let e = parse_json::<Swap>(br#"{"version": "seven"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("version"));
        assert_eq!(e.code, "invalid_request");
        let e = parse_json::<Swap>(b" [5]").unwrap_err();
        assert!(e.message.contains("JSON object"), "{}", e.message);
    }
}
