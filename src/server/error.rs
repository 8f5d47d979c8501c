//! The one place where errors become HTTP responses: `{"error": {"code", "message",
//! "field"}}` with the status of the error's [`Code`]. Internal errors answer a generic
//! message with the request id; their detail travels in the response's extensions to
//! the request middleware, which logs it.

use std::fmt::Display;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::{Code, ErrorCode};

tokio::task_local! {
    /// The id of the request being handled (set by the request middleware).
    pub static REQUEST_ID: String;
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// Stable code; decides the status.
    pub code: Code,
    /// Human-readable message.
    pub message: String,
    /// The request field at fault, if any.
    pub field: Option<String>,
    /// For internal errors: what to log.
    detail: Option<String>,
}

/// The detail of an internal error, handed from the response to the request middleware.
#[derive(Debug, Clone)]
pub struct InternalDetail {
    /// The code.
    pub code: Code,
    /// What failed.
    pub detail: String,
}

impl ApiError {
    /// A client error with a code, message and optional field.
    pub fn new(code: Code, message: impl Into<String>, field: Option<&str>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: field.map(str::to_string),
            detail: None,
        }
    }

    /// An internal failure: the detail goes to the log, not to the client.
    pub fn internal(code: Code, detail: impl Display) -> Self {
        let id = REQUEST_ID.try_with(Clone::clone).unwrap_or_default();
        ApiError {
            code,
            message: format!(
                "internal error; the server log has the details under request id {id}"
            ),
            field: None,
            detail: Some(detail.to_string()),
        }
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
    /// `unauthorized`, `payload_too_large`, `job_already_running`, `overloaded`,
    /// `internal`, …
    pub code: String,
    /// What is wrong and what to do.
    pub message: String,
    /// The request field at fault, if any.
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        // Internal codes are one to the client; the precise one is logged.
        let shown = if self.code.is_internal() {
            Code::Internal
        } else {
            self.code
        };
        let body = json!({"error": {"code": shown, "message": self.message, "field": self.field}});
        let mut response = (status, Json(body)).into_response();
        if let Some(detail) = self.detail {
            response.extensions_mut().insert(InternalDetail {
                code: self.code,
                detail,
            });
        }
        response
    }
}

impl<E: ErrorCode + Display> From<E> for ApiError {
    fn from(e: E) -> Self {
        let code = e.error_code();
        if code.is_internal() {
            ApiError::internal(code, e)
        } else {
            ApiError {
                code,
                message: e.to_string(),
                field: e.error_field(),
                detail: None,
            }
        }
    }
}

/// Parses a JSON object body; errors name the key at fault (`sort[1]`, `version`).
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // serde reads a struct from a JSON array too (`[5]` as `{"version": 5}`).
    if body.trim_ascii_start().first() != Some(&b'{') {
        return Err(ApiError::new(
            Code::InvalidRequest,
            "the body must be a JSON object",
            None,
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = (path != ".").then_some(path);
        ApiError {
            code: Code::InvalidRequest,
            message: format!("invalid JSON body: {}", e.inner()),
            field,
            detail: None,
        }
    })?;
    // Anything after the object (`{"version": 1}xyz`) is a malformed body, not noise.
    de.end().map_err(|e| {
        ApiError::new(
            Code::InvalidRequest,
            format!("invalid JSON body: {e}"),
            None,
        )
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_detail() {
        let response = ApiError::internal(Code::CatalogError, "disk on fire").into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let detail = response.extensions().get::<InternalDetail>().unwrap();
        assert_eq!(
            (detail.code, detail.detail.as_str()),
            (Code::CatalogError, "disk on fire")
        );
        let response = ApiError::new(Code::UnknownIndex, "no", None).into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.extensions().get::<InternalDetail>().is_none());
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
        assert_eq!(e.code, Code::InvalidRequest);
        let e = parse_json::<Swap>(b" [5]").unwrap_err();
        assert!(e.message.contains("JSON object"), "{}", e.message);
        let e = parse_json::<Swap>(br#"{"version": 1}xyz"#).unwrap_err();
        assert!(e.message.contains("trailing"), "{}", e.message);
        assert!(parse_json::<Swap>(b"{\"version\": 1}\n").is_ok());
    }
}
