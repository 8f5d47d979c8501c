//! Writes: NDJSON documents.

use axum::Json;
use axum::extract::{Path, State};

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::Text;
use crate::app::IngestReport;

/// NDJSON bulk writes: each line is a document to upsert, or `{"delete": ID}`, at most
/// 10,000 lines. Bad lines are counted and the first 100 reported; they do not stop the
/// others. Accepted writes are journaled, so a later reindex keeps them.
#[utoipa::path(post, path = "/v1/indexes/{alias}/documents", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body(content = String, content_type = "text/plain", description = "one JSON document per line to upsert, or {\"delete\": ID}"), responses((status = 200, description = "upserted, deleted, failed, errors (the first 100 bad lines: line, id, code, message, field), errors_omitted", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody), (status = 413, description = "body too large", body = ErrorBody)))]
pub(super) async fn documents(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    Text(body): Text,
) -> Result<Json<IngestReport>, ApiError> {
    Ok(Json(state.app().ingest(&alias, body).await?))
}
