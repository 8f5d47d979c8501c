//! File imports (uploaded, run as a job) and exports (streamed).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::io::AsyncWriteExt;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::Params;
use crate::app::{ExportRequest, Format, ImportOptions};
use crate::error::Code;

/// Query parameters of an import.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ImportParams {
    /// csv, tsv, jsonl or xlsx (default: from the content-type).
    format: Option<String>,
    /// Column renames, `공연명=title,가수=artists`; `메모=` ignores a column.
    map: Option<String>,
    /// Separator of several values of a list field in one cell (default `|`).
    list_separator: Option<char>,
}

/// Imports the file in the body as a job: 202 with the job id, whose progress and bad
/// rows (`row N`, field, reason) `GET /v1/jobs/{id}` shows.
#[utoipa::path(post, path = "/v1/indexes/{alias}/import", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind"), ImportParams), request_body(content = String, content_type = "text/csv", description = "the file: CSV, TSV, JSON lines or XLSX; the header row names the fields"), responses((status = 202, description = "job_id", body = Object), (status = 400, description = "bad format, header or mapping: the error names it", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody), (status = 413, description = "file larger than max_import_mb", body = ErrorBody)))]
pub(super) async fn import(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    Params(params): Params<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let app = state.app();
    app.engine()
        .spec(&alias)
        .map_err(crate::app::AppError::from)?;
    let format = match &params.format {
        Some(name) => format_param(name)?,
        None => headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(Format::from_media_type)
            .ok_or_else(|| {
                ApiError::new(
                    Code::InvalidRequest,
                    format!(
                        "give the file's format: ?format= one of {}, or its content-type",
                        Format::NAMES
                    ),
                    Some("format"),
                )
            })?,
    };
    let path = app.upload_path()?;
    let limit = state.settings().max_import_bytes();
    if let Err(e) = save(body, &path, limit).await {
        let _ = tokio::fs::remove_file(&path).await;
        return Err(e);
    }
    let options = ImportOptions {
        format: Some(format),
        map: params.map.unwrap_or_default(),
        list_separator: params.list_separator.unwrap_or('|'),
    };
    let id = app.start_import(&alias, &path, options).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"job_id": id}))))
}

/// The `format` parameter, or a 400 naming it.
fn format_param(name: &str) -> Result<Format, ApiError> {
    name.parse().map_err(|e: crate::transfer::TransferError| {
        ApiError::new(Code::InvalidRequest, e.to_string(), Some("format"))
    })
}

/// Streams the body into `path`, refusing past `limit` bytes.
async fn save(body: Body, path: &std::path::Path, limit: u64) -> Result<(), ApiError> {
    let io = |e: std::io::Error| ApiError::internal(Code::Io, e);
    let mut file = tokio::fs::File::create(path).await.map_err(io)?;
    let mut stream = body.into_data_stream();
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                Code::InvalidRequest,
                format!("the upload broke off: {e}"),
                None,
            )
        })?;
        written += chunk.len() as u64;
        if written > limit {
            return Err(ApiError::new(
                Code::PayloadTooLarge,
                format!(
                    "the file is larger than {} MiB (max_import_mb); split it or raise the setting",
                    limit >> 20
                ),
                None,
            ));
        }
        file.write_all(&chunk).await.map_err(io)?;
    }
    file.flush().await.map_err(io)?;
    file.sync_all().await.map_err(io)?;
    Ok(())
}

/// Query parameters of an export.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ExportParams {
    /// csv, tsv, jsonl or xlsx (default jsonl).
    format: Option<String>,
    /// Query text (default: every document the filter lets through, by id).
    q: Option<String>,
    /// A search filter as JSON: `{"genre": "뮤지컬"}`.
    filter: Option<String>,
    /// Separator of list values in one cell (default `|`).
    list_separator: Option<char>,
}

/// Every document the filter and query match, streamed (constant memory, any size).
/// `x-chatda-export-rows` holds the count; JSON lines start with a header line and XLSX
/// has an `export` sheet with the request and the count.
#[utoipa::path(get, path = "/v1/indexes/{alias}/export", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind"), ExportParams), responses((status = 200, description = "the file", body = String), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn export(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    Params(params): Params<ExportParams>,
) -> Result<Response, ApiError> {
    let format = match &params.format {
        Some(name) => format_param(name)?,
        None => Format::Jsonl,
    };
    let filter = match &params.filter {
        Some(text) => Some(
            serde_json::from_str::<Map<String, Value>>(text).map_err(|e| {
                ApiError::new(
                    Code::InvalidRequest,
                    format!("must be a JSON object, as a search's filter: {e}"),
                    Some("filter"),
                )
            })?,
        ),
        None => None,
    };
    let request = ExportRequest {
        q: params.q.unwrap_or_default(),
        filter,
        format,
        list_separator: params.list_separator.unwrap_or('|'),
    };
    let (rows, chunks) = state.app().export_stream(&alias, request).await?;
    let body = Body::from_stream(ReceiverStream::new(chunks));
    let filename = format!("{alias}-export.{}", format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (
                header::HeaderName::from_static("x-chatda-export-rows"),
                rows.to_string(),
            ),
        ],
        body,
    )
        .into_response())
}
