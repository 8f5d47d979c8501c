//! Running a [`SearchRequest`] on one index: plan → collect → render.

mod cursor;
mod plan;
mod render;

use std::time::Instant;

use serde_json::Value as Json;
use tantivy::TantivyError;

use super::collect::{MinScore, Rank};
use super::request::{SearchRequest, SearchResponse, Total};
use super::score::DEFAULT_MIN_SCORE;
use super::{QueryError, SearchError};
use crate::index::KindIndex;
use plan::Plan;

/// Runs `request` on `index` with a fresh searcher. Blocks (CPU and mmap reads): async
/// callers should use `spawn_blocking`.
pub fn search(index: &KindIndex, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
    let started = Instant::now();
    let plan = Plan::new(index, request)?;
    let searcher = index.searcher();
    let aggs = request
        .aggs
        .as_ref()
        .map(|aggs| super::aggs::Plan::new(index, &searcher, aggs, &plan.zone))
        .transpose()?;
    let text = plan.text(index, &searcher, request);
    let (query, scored) = plan.query(index, &text, request)?;

    let collector = MinScore {
        inner: (
            Rank {
                sort: plan.sort.clone(),
                after: plan.after,
                // One more than the page, to know whether there is a next page; nothing
                // when no hit is asked for (counting and aggregating only).
                window: if request.limit == 0 {
                    0
                } else {
                    plan.window + 1
                },
            },
            aggs.as_ref().map(|plan| plan.collector(index)),
        ),
        min: if scored {
            request.min_score.unwrap_or(DEFAULT_MIN_SCORE)
        } else {
            f32::MIN
        },
    };
    let (ranking, agg_results) = searcher.search(&*query, &collector).map_err(|e| match e {
        // tantivy checks intervals, limits and sub-aggregation shapes while collecting.
        TantivyError::AggregationError(_) | TantivyError::InvalidArgument(_) if aggs.is_some() => {
            SearchError::Query(QueryError::BadAggregation {
                field: "aggs".into(),
                reason: e.to_string(),
            })
        }
        e => SearchError::Index(e),
    })?;

    let matched = (request.highlight && scored).then(|| text.into_matched());
    let hits = render::hits(
        index,
        &searcher,
        request,
        &ranking,
        scored,
        matched.as_ref(),
    )?;
    Ok(SearchResponse {
        hits,
        total: Total {
            value: ranking.total,
            relation: "eq",
        },
        took_ms: started.elapsed().as_secs_f64() * 1e3,
        aggregations: match (aggs, agg_results) {
            (Some(plan), Some(results)) => Some(plan.finish(results)?),
            _ => None,
        },
        next_cursor: render::next_cursor(&plan, request, &ranking),
    })
}

/// Runs the filter, text and aggregations of `request` without fetching hits.
pub fn aggregate(index: &KindIndex, request: &SearchRequest) -> Result<Json, SearchError> {
    if request.aggs.is_none() {
        return Err(QueryError::Invalid {
            field: "aggs".into(),
            reason: "required: which aggregations to compute".into(),
        }
        .into());
    }
    let request = SearchRequest {
        limit: 0,
        offset: 0,
        search_after: None,
        highlight: false,
        sort: Vec::new(),
        ..request.clone()
    };
    let response = search(index, &request)?;
    Ok(serde_json::json!({
        "total": response.total,
        "took_ms": response.took_ms,
        "aggregations": response.aggregations.unwrap_or(Json::Null),
    }))
}
