//! Operations: health, readiness, metrics.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::error::{ApiError, ErrorBody};

#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "the process is up", body = Object)))]
pub(super) async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, description = "indexes open", body = Object), (status = 503, description = "not ready", body = ErrorBody)))]
pub(super) async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let kinds = state.app().ready().await?;
    Ok(Json(json!({"status": "ready", "indexes": kinds})))
}

#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub(super) async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let metrics = state.metrics();
    let (kinds, jobs) = state.app().stats().await?;
    for kind in kinds {
        metrics
            .docs
            .with_label_values(&[&kind.kind])
            .set(kind.docs as i64);
        if let Some(lag) = kind.sync_lag {
            metrics.sync_lag.with_label_values(&[&kind.kind]).set(lag);
        }
    }
    let engine = state.app().engine();
    let cache = engine.cache_stats();
    set_stats(
        &metrics.search_cache,
        [
            ("hits", cache.hits),
            ("misses", cache.misses),
            ("entries", cache.entries),
            ("bytes", cache.bytes),
        ],
    );
    let sets = engine.match_set_stats();
    set_stats(
        &metrics.match_sets,
        [
            ("hits", sets.hits),
            ("misses", sets.misses),
            ("sets", sets.sets),
            ("bytes", sets.bytes),
        ],
    );
    metrics.job_processed.reset();
    for job in jobs.iter().rev() {
        metrics
            .job_processed
            .with_label_values(&[&job.kind, job.state.as_str()])
            .set(job.processed);
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.render(),
    )
        .into_response())
}

/// Sets a gauge labelled by `stat` to each counter of an engine cache.
fn set_stats<const N: usize>(gauge: &prometheus::IntGaugeVec, stats: [(&str, u64); N]) {
    for (stat, value) in stats {
        gauge
            .with_label_values(&[stat])
            .set(i64::try_from(value).unwrap_or(i64::MAX));
    }
}
