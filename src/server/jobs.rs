//! Reindex jobs and the follower's sync errors.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{JobId, OptionalBody, Params};
use crate::app::{JobFilter, JobState};
use crate::error::Code;

/// Body of reindex (optional).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReindexBody {
    /// Move the alias to the new version at the end (default true).
    #[serde(default)]
    swap: Option<bool>,
    /// Rows per source page, 1 to 50,000 (default 2000; a queued job uses the setting).
    #[serde(default)]
    batch_size: Option<usize>,
    /// Wait in the queue when a reindex of the kind runs (default true); false answers
    /// 409 `job_already_running` instead.
    #[serde(default)]
    queue: Option<bool>,
}

/// Starts a reindex in the background, or queues it behind the running one: 202 with
/// the job id, its state and, when queued, its place in the queue.
#[utoipa::path(post, path = "/v1/indexes/{alias}/reindex", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body(content = ReindexBody, description = "optional"), responses((status = 202, description = "job_id, state (running or queued), position when queued", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 409, description = "a reindex of the kind is running and queue is false", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn reindex(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    OptionalBody(request): OptionalBody<ReindexBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let job = state
        .app()
        .start_reindex(
            &alias,
            request.swap,
            request.batch_size,
            request.queue.unwrap_or(true),
        )
        .await?;
    let mut body = json!({"job_id": job.id, "state": job.state});
    if let Some(position) = job.position {
        body["position"] = json!(position);
    }
    Ok((StatusCode::ACCEPTED, Json(body)))
}

/// Query parameters of the job list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ListParams {
    /// How many jobs (default 50, at most 1000).
    limit: Option<i64>,
    /// Only jobs in this state: queued, running, succeeded, failed, cancelled.
    state: Option<String>,
    /// Only jobs of this kind.
    kind: Option<String>,
}

#[utoipa::path(get, path = "/v1/jobs", tag = "admin", params(ListParams), responses((status = 200, description = "jobs (newest first) and counts per state", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody)))]
pub(super) async fn list_jobs(
    State(state): State<AppState>,
    Params(params): Params<ListParams>,
) -> Result<Json<crate::app::JobList>, ApiError> {
    let job_state = params
        .state
        .as_deref()
        .map(str::parse::<JobState>)
        .transpose()
        .map_err(|e| ApiError::new(Code::InvalidRequest, e.to_string(), Some("state")))?;
    let filter = JobFilter {
        state: job_state,
        kind: params.kind,
    };
    Ok(Json(
        state
            .app()
            .jobs(&filter, params.limit.unwrap_or(50))
            .await?,
    ))
}

#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "admin", params(("id" = i64, Path, description = "job id")), responses((status = 200, description = "the job (action, state, attempt, processed, failed_rows, rate, eta_secs, error, position when queued), row_errors, attempts", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "no such job", body = ErrorBody)))]
pub(super) async fn show_job(
    State(state): State<AppState>,
    JobId(id): JobId,
) -> Result<Json<crate::app::JobDetail>, ApiError> {
    Ok(Json(state.app().job(id).await?))
}

/// Runs a failed or cancelled reindex again: it is queued as its next attempt.
#[utoipa::path(post, path = "/v1/jobs/{id}/retry", tag = "admin", params(("id" = i64, Path, description = "job id")), responses((status = 200, description = "the job, queued or running", body = Object), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "no such job", body = ErrorBody), (status = 409, description = "not failed or cancelled, an import, or another reindex waits", body = ErrorBody)))]
pub(super) async fn retry_job(
    State(state): State<AppState>,
    JobId(id): JobId,
) -> Result<Json<crate::app::Job>, ApiError> {
    Ok(Json(state.app().retry_job(id).await?))
}

/// Scheduled jobs with their next and last firing.
#[utoipa::path(get, path = "/v1/schedules", tag = "admin", responses((status = 200, description = "schedules: name, kind, action, cron, time_zone, next_run, last_run", body = Object), (status = 401, description = "missing or wrong key", body = ErrorBody)))]
pub(super) async fn schedules(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"schedules": state.app().schedules().await?})))
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
