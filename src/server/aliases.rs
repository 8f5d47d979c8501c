//! Indexes and aliases: the list with versions and sizes, swap, rollback.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::Body;

/// Aliases, their live version and every version with state, documents and size.
#[utoipa::path(get, path = "/v1/indexes", tag = "search", responses((status = 200, description = "aliases, live versions, documents, versions with sizes", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody)))]
pub(super) async fn list_indexes(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"indexes": state.app().indexes().await?})))
}

/// Body of swap.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SwapBody {
    /// A ready version of the alias's kind.
    version: i64,
}

#[utoipa::path(post, path = "/v1/aliases/{alias}/swap", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body = SwapBody, responses((status = 200, description = "alias, version, previous", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 409, description = "not a ready version", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn swap(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    Body(request): Body<SwapBody>,
) -> Result<Json<Value>, ApiError> {
    let previous = state.app().swap(&alias, request.version).await?;
    Ok(Json(
        json!({"alias": alias, "version": request.version, "previous": previous}),
    ))
}

#[utoipa::path(post, path = "/v1/aliases/{alias}/rollback", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), responses((status = 200, description = "alias, version", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 409, description = "no older ready version", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn rollback(
    State(state): State<AppState>,
    Path(alias): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let version = state.app().rollback(&alias).await?;
    Ok(Json(json!({"alias": alias, "version": version})))
}
