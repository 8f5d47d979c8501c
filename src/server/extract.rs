//! Extractors whose rejections are already API errors (axum's error-handling example):
//! a handler receives its input parsed and checked, or the client gets a 4xx naming the
//! field.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::{ApiError, parse_json};
use crate::error::Code;
use crate::query::SearchRequest;

/// The body as bytes, within the configured limit.
async fn bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    Code::PayloadTooLarge,
                    "the request body is larger than the configured limit (CHATDA_MAX_BODY_BYTES)",
                    None,
                )
            } else {
                ApiError::new(Code::InvalidRequest, rejection.body_text(), None)
            }
        })
}

/// A JSON object body.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        Ok(Body(parse_json(&bytes(request, state).await?)?))
    }
}

/// A JSON object body that may be empty (then the default).
pub struct OptionalBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let body = bytes(request, state).await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalBody(T::default()));
        }
        Ok(OptionalBody(parse_json(&body)?))
    }
}

/// A search request body.
pub struct Search(pub SearchRequest);

impl<S: Send + Sync> FromRequest<S> for Search {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let body = bytes(request, state).await?;
        Ok(Search(SearchRequest::from_json(&body)?))
    }
}

/// A UTF-8 text body (NDJSON).
pub struct Text(pub String);

impl<S: Send + Sync> FromRequest<S> for Text {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let body = bytes(request, state).await?;
        String::from_utf8(body.to_vec()).map(Text).map_err(|e| {
            ApiError::new(
                Code::InvalidRequest,
                format!("the body is not UTF-8: {e}"),
                None,
            )
        })
    }
}

/// Query-string parameters.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Params(q.0))
            .map_err(|e| ApiError::new(Code::InvalidRequest, e.body_text(), None))
    }
}

/// A numeric path id (a job).
pub struct JobId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for JobId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| ApiError::new(Code::InvalidRequest, e.body_text(), Some("id")))?;
        raw.parse().map(JobId).map_err(|_| {
            ApiError::new(
                Code::InvalidRequest,
                format!("{raw:?} is not a job id"),
                Some("id"),
            )
        })
    }
}
