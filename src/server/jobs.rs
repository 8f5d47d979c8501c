//! Reindex jobs and the follower's sync errors.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{JobId, OptionalBody, Params};

/// Body of reindex (optional).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReindexBody {
    /// Move the alias to the new version at the end (default true).
    #[serde(default)]
    swap: Option<bool>,
    /// Rows per source page, 1 to 50,000 (default 2000).
    #[serde(default)]
    batch_size: Option<usize>,
}

/// Starts a reindex in the background: 202 with the job id.
#[utoipa::path(post, path = "/v1/indexes/{alias}/reindex", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body(content = ReindexBody, description = "optional"), responses((status = 202, description = "job_id", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 409, description = "a reindex of the kind is running", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn reindex(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    OptionalBody(request): OptionalBody<ReindexBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id = state
        .app()
        .start_reindex(&alias, request.swap, request.batch_size)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"job_id": id}))))
}

/// Query parameters of the job list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ListParams {
    /// How many jobs (default 50, at most 1000).
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/v1/jobs", tag = "admin", params(ListParams), responses((status = 200, description = "jobs, newest first", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody)))]
pub(super) async fn list_jobs(
    State(state): State<AppState>,
    Params(params): Params<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let jobs = state.app().jobs(params.limit.unwrap_or(50)).await?;
    Ok(Json(json!({"jobs": jobs})))
}

#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "admin", params(("id" = i64, Path, description = "job id")), responses((status = 200, description = "state, processed, failed_rows, rate, eta_secs, error, row_errors", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "no such job", body = ErrorBody)))]
pub(super) async fn show_job(
    State(state): State<AppState>,
    JobId(id): JobId,
) -> Result<Json<Value>, ApiError> {
    let (job, errors) = state.app().job(id).await?;
    let mut out = serde_json::to_value(&job)
        .map_err(|e| ApiError::internal(crate::error::Code::Internal, e))?;
    out["row_errors"] = json!(errors);
    Ok(Json(out))
}

#[utoipa::path(post, path = "/v1/jobs/{id}/cancel", tag = "admin", params(("id" = i64, Path, description = "job id")), responses((status = 200, description = "the job; a running one stops within a second", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "no such job", body = ErrorBody)))]
pub(super) async fn cancel_job(
    State(state): State<AppState>,
    JobId(id): JobId,
) -> Result<Json<crate::app::Job>, ApiError> {
    Ok(Json(state.app().cancel_job(id).await?))
}

/// Source rows the follower could not index, oldest first (at most 1,000).
#[utoipa::path(get, path = "/v1/indexes/{alias}/sync_errors", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), responses((status = 200, description = "errors: kind, row_id, field, reason, first_at, last_at, attempts", body = Object), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn sync_errors(
    State(state): State<AppState>,
    Path(alias): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let errors = state.app().sync_errors(&alias).await?;
    Ok(Json(json!({"errors": errors})))
}

/// Reads the failed rows again and indexes those that now pass.
#[utoipa::path(post, path = "/v1/indexes/{alias}/sync_errors/retry", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), responses((status = 200, description = "retried, resolved, still_failing", body = Object), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn retry_sync_errors(
    State(state): State<AppState>,
    Path(alias): Path<String>,
) -> Result<Json<crate::app::Retried>, ApiError> {
    Ok(Json(state.app().retry_sync_errors(&alias).await?))
}
