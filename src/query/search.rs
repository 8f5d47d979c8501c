//! Running a [`SearchRequest`] on one index.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query};
use tantivy::schema::{Field, Value as _};
use tantivy::{TantivyDocument, TantivyError};
use time::format_description::well_known::Rfc3339;

use super::collect::{MinScore, Rank, RankKey, SortBy};
use super::request::{SCORE, SearchRequest, SearchResponse, Total};
use super::score::DEFAULT_MIN_SCORE;
use super::text::{TextQuery, WeightedField};
use super::{Hit, Order, QueryError, SearchError, build_filter};
use crate::index::{FieldMap, IndexedField, KindIndex};
use crate::schema::{FieldType, KindSpec};

/// Runs `request` on `index` with a fresh searcher. Blocks (CPU and mmap reads): async
/// callers should use `spawn_blocking`.
pub fn search(index: &KindIndex, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
    let started = Instant::now();
    request.check()?;
    let zone = request.zone()?;
    let spec = index.spec();
    let fields = searched_fields(index, request)?;
    let sort = sort_keys(spec, request)?;
    let after = request
        .search_after
        .as_deref()
        .map(|cursor| decode_cursor(cursor, &sort))
        .transpose()?;
    let searcher = index.searcher();
    let aggs = request
        .aggs
        .as_ref()
        .map(|aggs| super::aggs::Plan::new(index, &searcher, aggs, &zone))
        .transpose()?;
    let text = TextQuery::new(
        index.analyzer(),
        &searcher,
        &fields,
        request.fuzzy,
        request.prefix,
    );
    let text_query = text.build(&request.q)?;
    let scored = text_query.is_some();
    let filter = build_filter(spec, index.fields(), request.filter.as_ref(), &zone)?;
    let query = combine(text_query, filter);

    let window = request.offset + request.limit;
    let collector = MinScore {
        inner: (
            Rank {
                sort: sort.clone(),
                after,
                // One more than the page, to know whether there is a next page; nothing
                // when no hit is asked for (counting and aggregating only).
                window: if request.limit == 0 { 0 } else { window + 1 },
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
    let mut hits = Vec::with_capacity(request.limit);
    for ranked in ranking.hits.iter().skip(request.offset).take(request.limit) {
        let doc: TantivyDocument = searcher.doc(ranked.address)?;
        let (id, source) = source(spec, index.fields(), &doc);
        let highlight = matched.as_ref().map(|matched| {
            let mut out = BTreeMap::new();
            for (i, f) in spec.fields.iter().enumerate() {
                let IndexedField::Text {
                    main,
                    jamo,
                    chosung,
                    stored,
                } = index.fields().fields[i]
                else {
                    continue;
                };
                let spans: Vec<_> = doc
                    .get_all(stored)
                    .filter_map(|v| v.as_str())
                    .enumerate()
                    .flat_map(|(k, text)| {
                        matched.spans(index.analyzer(), [main, jamo, chosung], k, text)
                    })
                    .collect();
                if !spans.is_empty() {
                    out.insert(f.name.clone(), spans);
                }
            }
            out
        });
        hits.push(Hit {
            id,
            score: if scored { ranked.score } else { 0.0 },
            source,
            highlight,
        });
    }
    let next_cursor = if request.limit > 0 && ranking.hits.len() > window {
        Some(encode_cursor(&ranking.hits[window - 1].key, &sort))
    } else {
        None
    };
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
        next_cursor,
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

fn searched_fields(
    index: &KindIndex,
    request: &SearchRequest,
) -> Result<Vec<WeightedField>, QueryError> {
    let spec = index.spec();
    let Some(requested) = &request.fields else {
        return Ok(spec
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| WeightedField::of(index.fields(), i, f.boost))
            .collect());
    };
    requested
        .iter()
        .map(|(name, boost)| {
            let i = spec
                .fields
                .iter()
                .position(|f| &f.name == name)
                .ok_or_else(|| QueryError::UnknownField(name.clone()))?;
            WeightedField::of(index.fields(), i, *boost)
                .ok_or_else(|| QueryError::NotSearchable(name.clone()))
        })
        .collect()
}

fn sort_keys(spec: &KindSpec, request: &SearchRequest) -> Result<Vec<SortBy>, QueryError> {
    if request.sort.is_empty() {
        return Ok(if request.q.trim().is_empty() {
            Vec::new()
        } else {
            vec![SortBy::Score(Order::Desc)]
        });
    }
    request
        .sort
        .iter()
        .map(|clause| {
            if clause.field == SCORE {
                return Ok(SortBy::Score(clause.order));
            }
            let field = spec
                .field(&clause.field)
                .ok_or_else(|| QueryError::UnknownField(clause.field.clone()))?;
            if !field.sortable || matches!(field.ty, FieldType::Text | FieldType::Keyword) {
                return Err(QueryError::NotSortable(clause.field.clone()));
            }
            Ok(SortBy::Field(clause.field.clone(), clause.order))
        })
        .collect()
}

fn combine(text: Option<Box<dyn Query>>, filter: Option<Box<dyn Query>>) -> Box<dyn Query> {
    match (text, filter) {
        // The filter scores 0, so the text alone decides the score.
        (Some(text), Some(filter)) => Box::new(BooleanQuery::new(vec![
            (Occur::Must, filter),
            (Occur::Must, text),
        ])),
        (Some(only), None) | (None, Some(only)) => only,
        (None, None) => Box::new(AllQuery),
    }
}

/// Cursor format: `c1` + the rank key's four parts + a fingerprint of the sort keys,
/// in hex, so a cursor from a differently sorted search is refused rather than misread.
fn encode_cursor(key: &RankKey, sort: &[SortBy]) -> String {
    let mut out = String::from("c1");
    for part in key {
        out.push_str(&format!("{part:016x}"));
    }
    out.push_str(&format!("{:08x}", sort_fingerprint(sort)));
    out
}

fn decode_cursor(cursor: &str, sort: &[SortBy]) -> Result<RankKey, QueryError> {
    let invalid = |reason: &str| QueryError::Invalid {
        field: "search_after".into(),
        reason: reason.into(),
    };
    let body = cursor
        .strip_prefix("c1")
        .filter(|b| b.len() == 4 * 16 + 8 && b.is_ascii())
        .ok_or_else(|| invalid("not a cursor returned by this service (next_cursor)"))?;
    let hex = |s: &str| u64::from_str_radix(s, 16).map_err(|_| invalid("not a valid cursor"));
    let mut key: RankKey = [0; 4];
    for (i, part) in key.iter_mut().enumerate() {
        *part = hex(&body[i * 16..(i + 1) * 16])?;
    }
    if hex(&body[64..])? != u64::from(sort_fingerprint(sort)) {
        return Err(invalid(
            "the cursor comes from a search with a different sort; keep `sort` unchanged while paging",
        ));
    }
    Ok(key)
}

fn sort_fingerprint(sort: &[SortBy]) -> u32 {
    let digest = Sha256::digest(format!("{sort:?}").as_bytes());
    u32::from_be_bytes(
        digest[..4]
            .try_into()
            .expect("a SHA-256 digest has 32 bytes"),
    )
}

/// The document's id and stored fields as JSON.
pub(crate) fn source(
    spec: &KindSpec,
    fields: &FieldMap,
    doc: &TantivyDocument,
) -> (Json, Map<String, Json>) {
    let id_text = doc
        .get_first(fields.id)
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let id = match (fields.integer_ids, id_text.parse::<u64>()) {
        (true, Ok(n)) => Json::from(n),
        _ => Json::from(id_text),
    };
    let mut source = Map::new();
    for (i, f) in spec.fields.iter().enumerate() {
        if !f.stored {
            continue;
        }
        let field: Field = match fields.fields[i] {
            IndexedField::Text { stored, .. } => stored,
            IndexedField::Plain(field) => field,
        };
        let values: Vec<Json> = doc
            .get_all(field)
            .filter_map(|v| {
                Some(match f.ty {
                    FieldType::Text | FieldType::Keyword => Json::from(v.as_str()?),
                    FieldType::Integer => Json::from(v.as_i64()?),
                    FieldType::Float => Json::from(v.as_f64()?),
                    FieldType::Bool => Json::from(v.as_bool()?),
                    FieldType::Date => {
                        Json::from(v.as_datetime()?.into_utc().format(&Rfc3339).ok()?)
                    }
                })
            })
            .collect();
        if values.is_empty() {
            continue;
        }
        source.insert(
            f.name.clone(),
            if f.list {
                Json::Array(values)
            } else {
                values.into_iter().next().unwrap_or(Json::Null)
            },
        );
    }
    (id, source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_sorts() {
        let sort = vec![SortBy::Score(Order::Desc)];
        let key = [1, u64::MAX, 0, 42];
        let cursor = encode_cursor(&key, &sort);
        assert_eq!(decode_cursor(&cursor, &sort).unwrap(), key);
        let other = vec![SortBy::Field("start_date".into(), Order::Asc)];
        assert_eq!(
            decode_cursor(&cursor, &other).unwrap_err().field(),
            "search_after"
        );
        assert!(decode_cursor("garbage", &sort).is_err());
        assert!(decode_cursor(&format!("{}zz", &cursor[..cursor.len() - 2]), &sort).is_err());
    }
}
