//! Running a [`SearchRequest`] on one index: plan → collect → render.

mod cursor;
mod plan;
mod render;
mod threads;

pub use threads::SearchThreads;

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value as Json;
use tantivy::query::Query;
use tantivy::{Searcher, TantivyError};

use super::collect::{MinScore, Rank, SortBy};
use super::coverage::Floor;
use super::request::{SearchRequest, SearchResponse, Total, TrackTotal};
use super::score::DEFAULT_MIN_SCORE;
use super::sets::MatchSets;
use super::sorted::{KeyBounded, KeyFloor};
use super::{QueryError, SearchError};
use crate::index::KindIndex;
use plan::Plan;

/// Runs `request` on `index` with a fresh searcher, on the caller's thread. Blocks (CPU
/// and mmap reads): async callers should use `spawn_blocking`.
pub fn search(index: &KindIndex, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
    search_with(
        index,
        &index.searcher(),
        request,
        &SearchThreads::off(),
        &Arc::new(MatchSets::default()),
    )
}

/// [`search`] on a given searcher of `index` (one generation of it), its segments on
/// `threads` when it runs alone, the dense words' documents kept in `sets`.
pub fn search_with(
    index: &KindIndex,
    searcher: &Searcher,
    request: &SearchRequest,
    threads: &SearchThreads,
    sets: &Arc<MatchSets>,
) -> Result<SearchResponse, SearchError> {
    let started = Instant::now();
    let plan = Plan::new(index, request)?;
    let aggs = request
        .aggs
        .as_ref()
        .map(|aggs| super::aggs::Plan::new(index, searcher, aggs, &plan.zone))
        .transpose()?;
    // The lowest score that can still enter the page, raised by the collector and read
    // by the text query's tiers and partial matches.
    let floor = Floor::with_min_score(request.min_score.unwrap_or(DEFAULT_MIN_SCORE));
    let text = plan.text(index, searcher, request, &floor, sets);
    let (text_match, filter) = plan.query(index, &text, request, sets)?;
    let scored = text_match.is_some();

    // Counting may stop once the page can no longer change, unless every match must be
    // seen: an exact count asked for, aggregations, or only a count (no page).
    let count_up_to = match request.track_total_hits {
        TrackTotal::UpTo(cap) if aggs.is_none() && request.limit > 0 => Some(cap),
        _ => None,
    };
    // Sorted by a field, a capped search then reads only the documents whose sort value
    // can still enter the page.
    let key_floor = KeyFloor::default();
    let key_bounded = match plan.sort.first() {
        Some(SortBy::Field(field, order)) if count_up_to.is_some() => Some((field, *order)),
        _ => None,
    };
    let build = |text: Option<Box<dyn Query>>| {
        let query = plan::combine(text, &filter);
        match key_bounded {
            Some((field, order)) => Box::new(KeyBounded::new(
                query,
                field.clone(),
                order,
                key_floor.clone(),
            )) as Box<dyn Query>,
            None => query,
        }
    };
    let run = |query: &dyn Query| {
        let collector = MinScore {
            inner: (
                Rank {
                    sort: plan.sort.clone(),
                    after: plan.after,
                    // One more than the page, to know whether there is a next page;
                    // nothing when no hit is asked for (counting and aggregating only).
                    window: if request.limit == 0 {
                        0
                    } else {
                        plan.window + 1
                    },
                    floor: Some(floor.clone()),
                    count_up_to,
                    key_floor: key_bounded.map(|_| key_floor.clone()),
                },
                aggs.as_ref().map(|plan| plan.collector(index)),
            ),
            min: if scored {
                request.min_score.unwrap_or(DEFAULT_MIN_SCORE)
            } else {
                f32::MIN
            },
        };
        threads
            .collect(searcher, query, &collector)
            .map_err(|e| match e {
                // tantivy checks intervals, limits and sub-aggregation shapes while collecting.
                TantivyError::AggregationError(_) | TantivyError::InvalidArgument(_)
                    if aggs.is_some() =>
                {
                    SearchError::Query(QueryError::BadAggregation {
                        field: "aggs".into(),
                        reason: e.to_string(),
                    })
                }
                e => SearchError::Index(e),
            })
    };
    let (strict, relaxed) = match text_match {
        Some(m) => (Some(m.strict), m.relaxed),
        None => (None, None),
    };
    let mut query = build(strict);
    let (mut ranking, mut agg_results) = run(&*query)?;
    // "match": "most": when the documents with every word do not fill the page, the
    // relaxed query ranks them first and the partial matches after them.
    let relax = request.limit > 0 && ranking.hits.len() <= plan.window;
    if let Some(relaxed) = relaxed
        && relax
    {
        floor.reset();
        key_floor.reset();
        query = build(Some(relaxed));
        (ranking, agg_results) = run(&*query)?;
    }
    let relaxed_page = scored
        && ranking
            .hits
            .iter()
            .any(|h| h.score < super::coverage::ranked(super::coverage::TIER_ALL, 0.0));

    let matched = (request.highlight && scored).then(|| text.into_matched());
    let explain = request.explain.then_some(&*query);
    let hits = render::hits(
        index,
        searcher,
        request,
        &ranking,
        scored,
        matched.as_ref(),
        explain,
    )?;
    Ok(SearchResponse {
        hits,
        total: Total {
            value: ranking.total,
            relation: if ranking.capped { "gte" } else { "eq" },
        },
        took_ms: started.elapsed().as_secs_f64() * 1e3,
        aggregations: match (aggs, agg_results) {
            (Some(plan), Some(results)) => Some(plan.finish(results)?),
            _ => None,
        },
        next_cursor: render::next_cursor(&plan, request, &ranking),
        relaxed: relaxed_page,
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
