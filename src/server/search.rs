//! Search routes: search, suggest, aggregate, rank_eval, analyze.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::{ApiError, ErrorBody};
use super::extract::{Body, Params, Search};
use super::openapi::shapes::RankEvalBody;
use crate::app::{RankEvalRequest, RankEvalResponse};

#[utoipa::path(post, path = "/v1/indexes/{alias}/search", tag = "search", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body(content = Object, description = "q, filter, fields, fuzzy, prefix, match, min_score, sort, limit, offset, search_after, highlight, explain, aggs, time_zone, track_total_hits, cache (see docs/searching.md)"), responses((status = 200, description = "hits, total, took_ms, aggregations, next_cursor", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn search(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    Search(request): Search,
) -> Result<Json<crate::query::SearchResponse>, ApiError> {
    let started = std::time::Instant::now();
    let response = state.app().search(&alias, request).await?;
    state
        .metrics()
        .search
        .with_label_values(&[&alias])
        .observe(started.elapsed().as_secs_f64());
    Ok(Json(response))
}

#[utoipa::path(post, path = "/v1/indexes/{alias}/aggregate", tag = "search", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body(content = Object, description = "filter, q and aggs (Elasticsearch-style aggregation JSON)"), responses((status = 200, description = "aggregations, total, took_ms", body = Object), (status = 400, description = "bad request: the error names the field", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn aggregate(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    Search(request): Search,
) -> Result<Json<Value>, ApiError> {
    // {"aggregations", "total", "took_ms"}
    Ok(Json(state.app().aggregate(&alias, request).await?))
}

/// How well searches rank rated documents (Elasticsearch's `_rank_eval`): recall,
/// precision, MRR and nDCG at `k` per search and on average.
#[utoipa::path(post, path = "/v1/indexes/{alias}/rank_eval", tag = "search", params(("alias" = String, Path, description = "index alias: concerts, tickets, or a configured kind")), request_body = RankEvalBody, responses((status = 200, description = "k, mean (recall, precision, mrr, ndcg, zero_results: a count), queries (id, recall, precision, mrr, ndcg, hits, unrated, zero_results), took_ms", body = Object), (status = 400, description = "bad request: the error names the field, e.g. requests[3].request.limit", body = ErrorBody), (status = 401, description = "missing or wrong key", body = ErrorBody), (status = 404, description = "unknown index", body = ErrorBody)))]
pub(super) async fn rank_eval(
    State(state): State<AppState>,
    Path(alias): Path<String>,
    Body(request): Body<RankEvalRequest>,
) -> Result<Json<RankEvalResponse>, ApiError> {
    Ok(Json(state.app().rank_eval(&alias, request).await?))
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
    Params(params): Params<SuggestParams>,
) -> Result<Json<Value>, ApiError> {
    let q = params.q.unwrap_or_default();
    let (suggestions, took_ms) = state
        .app()
        .suggest(&alias, &q, params.limit.unwrap_or(5))
        .await?;
    Ok(Json(
        json!({"suggestions": suggestions, "took_ms": took_ms}),
    ))
}

/// Body of analyze.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AnalyzeBody {
    /// The text (at most 10,000 characters).
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
    Body(request): Body<AnalyzeBody>,
) -> Result<Json<Value>, ApiError> {
    let tokens = state
        .app()
        .analyze(request.text, request.mode.as_deref(), request.query)
        .await?;
    Ok(Json(json!({"tokens": tokens})))
}
