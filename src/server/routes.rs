//! The handlers. Engine calls block on CPU or disk, so they run on
//! `spawn_blocking`; catalog calls are async.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value as Json_, json};

use super::error::ErrorBody;
use super::{ApiError, AppState, parse_json};
use crate::analysis::{Analyzer, AnalyzerConfig, DecompoundMode};
use crate::pipeline::{self, ReindexOptions};
use crate::query::SearchRequest;
use crate::schema::FieldType;

type Answer = Result<Response, ApiError>;

/// Search routes: open, or behind the search key.
pub fn search_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/indexes", get(list_indexes))
        .route("/v1/indexes/{alias}/search", post(search))
        .route("/v1/indexes/{alias}/suggest", get(suggest))
        .route("/v1/indexes/{alias}/aggregate", post(aggregate))
        .route("/v1/analyze", post(analyze))
}

/// Write and admin routes: behind the admin key.
pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/v1/indexes/{alias}/documents", post(documents))
        .route("/v1/indexes/{alias}/reindex", post(reindex))
        .route("/v1/indexes/{alias}/sync_errors", get(sync_errors))
        .route(
            "/v1/indexes/{alias}/sync_errors/retry",
            post(retry_sync_errors),
        )
        .route("/v1/jobs", get(list_jobs))
        .route("/v1/jobs/{id}", get(show_job))
        .route("/v1/jobs/{id}/cancel", post(cancel_job))
        .route("/v1/aliases/{alias}/swap", post(swap))
        .route("/v1/aliases/{alias}/rollback", post(rollback))
}

/// Health, readiness, metrics and the API description: always open.
pub fn open_routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
}

#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "the process is up", body = Object)))]
pub(super) async fn health() -> Json<Json_> {
    Json(json!({"status": "ok"}))
}

#[utoipa::path(get, path = "/openapi.json", tag = "ops", responses((status = 200, description = "this document", body = Object)))]
pub(super) async fn openapi() -> Json<Json_> {
    Json(super::openapi::document())
}

fn body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                "payload_too_large",
                "the request body is larger than the configured limit (CHATDA_MAX_BODY_BYTES)",
                None,
            )
        } else {
            ApiError::new("invalid_request", rejection.body_text(), None)
        }
    })
}

/// Runs blocking engine work off the async threads, at most
/// [`crate::settings::Settings::max_inflight`] at a time.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let permit = state.permit().await?;
    let result = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await;
    result.map_err(ApiError::internal)?
}

fn search_request(bytes: &[u8]) -> Result<SearchRequest, ApiError> {
    SearchRequest::from_json(bytes).map_err(|e| crate::engine::EngineError::Query(e).into())
}

#[utoipa::path(post, path = "/v1/indexes/{alias}/search", tag = "search", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body(content = Object, description = "q, filter, fields, fuzzy, prefix, min_score, sort, limit, offset, search_after, highlight, aggs (see the README)"), responses((status = 200, description = "hits, total, took_ms, aggregations, next_cursor", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn search(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Answer {
    let request = search_request(&body(raw)?)?;
    let engine = state.engine().clone();
    engine.spec(&alias)?;
    let started = Instant::now();
    let index = alias.clone();
    let response = blocking(&state, move || Ok(engine.search(&index, &request)?)).await?;
    state
        .metrics()
        .search
        .with_label_values(&[&alias])
        .observe(started.elapsed().as_secs_f64());
    Ok(Json(response).into_response())
}

#[utoipa::path(post, path = "/v1/indexes/{alias}/aggregate", tag = "search", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body(content = Object, description = "filter, q and aggs (Elasticsearch-style aggregation JSON)"), responses((status = 200, description = "aggregations, total, took_ms", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn aggregate(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Answer {
    let request = search_request(&body(raw)?)?;
    if request.aggs.is_none() {
        return Err(ApiError::new(
            "invalid_request",
            "aggregate needs \"aggs\"",
            Some("aggs"),
        ));
    }
    let engine = state.engine().clone();
    engine.spec(&alias)?;
    // {"aggregations", "total", "took_ms"}
    let answer = blocking(&state, move || Ok(engine.aggregate(&alias, &request)?)).await?;
    Ok(Json(answer).into_response())
}

/// Query parameters of suggest.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct SuggestParams {
    /// What the user typed so far.
    q: Option<String>,
    /// Suggestions, 1 to 20 (default 5).
    limit: Option<usize>,
}

/// Search-as-you-type: prefix, initials and keyboard layout on the kind's main text
/// fields (boost ≥ 1), no typo expansion (a half-typed word is not a typo), titles only.
#[utoipa::path(get, path = "/v1/indexes/{alias}/suggest", tag = "search", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind"), SuggestParams), responses((status = 200, description = "suggestions: id, text, score", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn suggest(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    params: Result<Query<SuggestParams>, axum::extract::rejection::QueryRejection>,
) -> Answer {
    let Query(params) =
        params.map_err(|e| ApiError::new("invalid_request", e.body_text(), None))?;
    let q = params
        .q
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| ApiError::new("invalid_request", "q is required", Some("q")))?;
    let limit = params.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::new(
            "invalid_request",
            "limit must be 1 to 20",
            Some("limit"),
        ));
    }
    let engine = state.engine().clone();
    let spec = engine.spec(&alias)?.clone();
    let fields: BTreeMap<String, f32> = spec
        .fields
        .iter()
        .filter(|f| f.ty == FieldType::Text && f.boost >= 1.0)
        .map(|f| (f.name.clone(), f.boost))
        .collect();
    let display = spec
        .text_fields()
        .max_by(|a, b| a.boost.total_cmp(&b.boost))
        .map(|f| f.name.clone())
        .unwrap_or_default();
    let request = json!({"q": q, "limit": limit, "fields": fields, "fuzzy": "off", "prefix": true});
    let request = search_request(request.to_string().as_bytes())?;
    let response = blocking(&state, move || Ok(engine.search(&alias, &request)?)).await?;
    let suggestions: Vec<Json_> = response
        .hits
        .iter()
        .map(|h| {
            let text = match &h.source[&display] {
                Json_::Array(values) => values.first().cloned().unwrap_or(Json_::Null),
                other => other.clone(),
            };
            json!({"id": h.id, "text": text, "score": h.score})
        })
        .collect();
    Ok(Json(json!({"suggestions": suggestions, "took_ms": response.took_ms})).into_response())
}

/// Body of analyze.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AnalyzeBody {
    /// The text.
    text: String,
    /// none, discard or mixed (default: the server's analyzer, mixed).
    #[serde(default)]
    mode: Option<String>,
    /// Analyze as a query (one segmentation) instead of as a document.
    #[serde(default)]
    query: bool,
}

#[utoipa::path(post, path = "/v1/analyze", tag = "search", request_body = AnalyzeBody, responses((status = 200, description = "tokens: term, pos, start, end, position", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody)))]
pub(super) async fn analyze(
    State(state): State<AppState>,
    raw: Result<Bytes, BytesRejection>,
) -> Answer {
    let request: AnalyzeBody = parse_json(&body(raw)?)?;
    let chars = request.text.chars().count();
    if chars > MAX_ANALYZE_CHARS {
        return Err(ApiError::new(
            "invalid_request",
            format!("the text is {chars} characters; analyze takes at most {MAX_ANALYZE_CHARS}"),
            Some("text"),
        ));
    }
    let default_analyzer = state.engine().analyzer().clone();
    let tokens = blocking(&state, move || {
        let analyzer = match request.mode.as_deref() {
            None => default_analyzer,
            Some(mode) => {
                let mode = mode
                    .parse::<DecompoundMode>()
                    .map_err(|e| ApiError::new("invalid_request", e.to_string(), Some("mode")))?;
                let config = AnalyzerConfig {
                    mode,
                    ..AnalyzerConfig::default()
                };
                std::sync::Arc::new(Analyzer::new(&config).map_err(ApiError::internal)?)
            }
        };
        Ok(if request.query {
            analyzer.analyze_query(&request.text)
        } else {
            analyzer.analyze(&request.text)
        })
    })
    .await?;
    Ok(Json(json!({"tokens": tokens})).into_response())
}

/// Most lines in one `documents` request.
pub const MAX_DOCUMENT_LINES: usize = 10_000;
/// Documents analysed together in a `documents` request.
const INGEST_BATCH: usize = 500;
/// Longest text `analyze` takes, in characters.
pub const MAX_ANALYZE_CHARS: usize = 10_000;

fn non_blank_lines(text: &str) -> usize {
    text.lines().filter(|l| !l.trim().is_empty()).count()
}

/// NDJSON bulk writes: each line is a document to upsert, or `{"delete": ID}`. Bad lines
/// are counted and the first 100 reported; they do not stop the others. One commit at
/// the end.
#[utoipa::path(post, path = "/v1/indexes/{alias}/documents", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body(content = String, content_type = "application/x-ndjson", description = "one JSON document per line to upsert, or {\"delete\": ID}"), responses((status = 200, description = "upserted, deleted, failed, errors (the first 100 bad lines: line, id, code, message, field), errors_omitted", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody), (status = 413, description = "body too large", body = ErrorBody)))]
pub(super) async fn documents(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Answer {
    let bytes = body(raw)?;
    let engine = state.engine().clone();
    engine.spec(&alias)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        ApiError::new(
            "invalid_request",
            format!("the body is not UTF-8: {e}"),
            None,
        )
    })?;
    let lines = non_blank_lines(text);
    if lines > MAX_DOCUMENT_LINES {
        return Err(ApiError::new(
            "payload_too_large",
            format!(
                "{lines} lines; at most {MAX_DOCUMENT_LINES} per request: send larger loads in several requests or run a reindex"
            ),
            None,
        ));
    }
    let text = text.to_string();
    let _permit = state.permit().await?;
    let result = pipeline::push_lines(&engine, state.source(), &alias, text, INGEST_BATCH).await?;
    Ok(Json(result).into_response())
}

/// Body of reindex (optional).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReindexBody {
    /// Move the alias to the new version at the end (default true).
    #[serde(default)]
    swap: Option<bool>,
    /// Rows per source page (default 2000).
    #[serde(default)]
    batch_size: Option<usize>,
}

/// Starts a reindex in the background: 202 with the job id.
#[utoipa::path(post, path = "/v1/indexes/{alias}/reindex", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body(content = ReindexBody, description = "optional"), responses((status = 202, description = "job_id", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 409, description = "a reindex of the kind is running", body = ErrorBody)))]
pub(super) async fn reindex(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Answer {
    let bytes = body(raw)?;
    let request: ReindexBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        ReindexBody::default()
    } else {
        parse_json(&bytes)?
    };
    let defaults = ReindexOptions::default();
    let options = ReindexOptions {
        swap: request.swap.unwrap_or(true),
        batch_size: request.batch_size.unwrap_or(defaults.batch_size),
        keep_versions: state.config().keep_versions(),
        ..defaults
    };
    state.engine().spec(&alias)?;
    let job = pipeline::start(state.engine(), state.source(), &alias, &options).await?;
    let id = job.id;
    let engine = state.engine().clone();
    let source = state.source().clone();
    state.track_job(tokio::spawn(async move {
        // The outcome is in the catalog (GET /v1/jobs/{id}); failures are logged there.
        let _ = pipeline::run_job(&engine, &source, &job, &options, |_| {}).await;
    }));
    Ok((StatusCode::ACCEPTED, Json(json!({"job_id": id}))).into_response())
}

/// Source rows the follower could not index, oldest first (at most 1,000).
#[utoipa::path(get, path = "/v1/indexes/{alias}/sync_errors", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), responses((status = 200, description = "errors: kind, row_id, field, reason, first_at, last_at, attempts", body = Object), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn sync_errors(
    State(state): State<AppState>,
    Path(alias): Path<String>,
) -> Answer {
    state.engine().spec(&alias)?;
    let errors = state
        .engine()
        .catalog()?
        .sync_errors(Some(&alias), 1_000)
        .await?;
    Ok(Json(json!({"errors": errors})).into_response())
}

/// Reads the failed rows again and indexes those that now pass.
#[utoipa::path(post, path = "/v1/indexes/{alias}/sync_errors/retry", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), responses((status = 200, description = "retried, resolved, still_failing", body = Object), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn retry_sync_errors(
    State(state): State<AppState>,
    Path(alias): Path<String>,
) -> Answer {
    state.engine().spec(&alias)?;
    let retried = pipeline::retry_sync_errors(state.engine(), state.source(), &alias).await?;
    Ok(Json(retried).into_response())
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
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Answer {
    let Query(params) =
        params.map_err(|e| ApiError::new("invalid_request", e.body_text(), None))?;
    let jobs = state
        .engine()
        .catalog()?
        .jobs(params.limit.unwrap_or(50).clamp(1, 1_000))
        .await?;
    Ok(Json(json!({"jobs": jobs})).into_response())
}

fn job_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::new(
            "invalid_request",
            format!("{raw:?} is not a job id"),
            Some("id"),
        )
    })
}

#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "admin", params(("id" = i64, Path, description = "job id")), responses((status = 200, description = "state, processed, failed_rows, rate, eta_secs, error, row_errors", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "no such job", body = ErrorBody)))]
pub(super) async fn show_job(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let id = job_id(&id)?;
    let catalog = state.engine().catalog()?;
    let job = catalog.job(id).await?;
    let errors = catalog.row_errors(id, 1_000).await?;
    let mut out = serde_json::to_value(&job).map_err(ApiError::internal)?;
    out["row_errors"] = serde_json::to_value(errors).map_err(ApiError::internal)?;
    Ok(Json(out).into_response())
}

#[utoipa::path(post, path = "/v1/jobs/{id}/cancel", tag = "admin", params(("id" = i64, Path, description = "job id")), responses((status = 200, description = "the job; a running one stops within a second", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "no such job", body = ErrorBody)))]
pub(super) async fn cancel_job(State(state): State<AppState>, Path(id): Path<String>) -> Answer {
    let id = job_id(&id)?;
    let job = state.engine().catalog()?.request_cancel(id).await?;
    Ok(Json(job).into_response())
}

/// Body of swap.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SwapBody {
    /// A ready version of the alias's kind.
    version: i64,
}

#[utoipa::path(post, path = "/v1/aliases/{alias}/swap", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body = SwapBody, responses((status = 200, description = "alias, version, previous", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 409, description = "not a ready version", body = ErrorBody)))]
pub(super) async fn swap(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    raw: Result<Bytes, BytesRejection>,
) -> Answer {
    let request: SwapBody = parse_json(&body(raw)?)?;
    state.engine().spec(&alias)?;
    let previous = state.engine().swap(&alias, request.version).await?;
    Ok(
        Json(json!({"alias": alias, "version": request.version, "previous": previous}))
            .into_response(),
    )
}

#[utoipa::path(post, path = "/v1/aliases/{alias}/rollback", tag = "admin", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), responses((status = 200, description = "alias, version", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 409, description = "no older ready version", body = ErrorBody)))]
pub(super) async fn rollback(State(state): State<AppState>, Path(alias): Path<String>) -> Answer {
    let version = state.engine().rollback(&alias).await?;
    Ok(Json(json!({"alias": alias, "version": version})).into_response())
}

/// Aliases, their live version and every version with state, documents and size.
#[utoipa::path(get, path = "/v1/indexes", tag = "search", responses((status = 200, description = "aliases, live versions, documents, versions with sizes", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody)))]
pub(super) async fn list_indexes(State(state): State<AppState>) -> Answer {
    let engine = state.engine();
    let catalog = engine.catalog()?;
    let versions = catalog.versions(None).await?;
    let mut out = Vec::new();
    for kind in engine.kinds() {
        let live = engine.live(&kind)?;
        let list: Vec<Json_> = versions
            .iter()
            .filter(|v| v.kind == kind)
            .map(|v| {
                let mut value = serde_json::to_value(v).unwrap_or_default();
                value["size_bytes"] = json!(dir_size(&catalog.version_dir(&kind, v.version)));
                value
            })
            .collect();
        out.push(json!({"alias": kind, "live_version": live.version, "docs": live.index.num_docs(), "versions": list}));
    }
    Ok(Json(json!({"indexes": out})).into_response())
}

fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, description = "indexes open", body = Object), (status = 503, description = "not ready", body = ErrorBody)))]
pub(super) async fn ready(State(state): State<AppState>) -> Answer {
    let engine = state.engine();
    for kind in engine.kinds() {
        engine.live(&kind)?;
    }
    if engine.catalog()?.aliases().await.is_err() {
        return Err(ApiError::new(
            "not_ready",
            "the catalog is unreachable",
            None,
        ));
    }
    Ok(Json(json!({"status": "ready", "indexes": engine.kinds()})).into_response())
}

#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub(super) async fn metrics(State(state): State<AppState>) -> Answer {
    let engine = state.engine();
    let metrics = state.metrics();
    let catalog = engine.catalog()?;
    let high_water = state.source().high_water().await.ok();
    for kind in engine.kinds() {
        let live = engine.live(&kind)?;
        metrics
            .docs
            .with_label_values(&[&kind])
            .set(live.index.num_docs() as i64);
        if let (Some(high), Ok(Some(version))) =
            (high_water, catalog.version(&kind, live.version).await)
            && let Some(cursor) = version.sync_cursor
        {
            metrics
                .sync_lag
                .with_label_values(&[&kind])
                .set((high - cursor).max(0));
        }
    }
    metrics.job_processed.reset();
    for job in catalog.jobs(20).await?.iter().rev() {
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
