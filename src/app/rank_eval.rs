//! Rank evaluation (Elasticsearch's `_rank_eval`): searches run with documents a person
//! rated for each, scored per query and on average with the relevance suite's metrics
//! ([`crate::eval::metrics`]). Each search is checked as a search is, then run for its
//! first `k` hits: its own `limit`, `offset` and `search_after` are checked and replaced,
//! `highlight` is off, and `aggs` is refused (nothing here would show them).

use std::collections::HashMap;
use std::time::Instant;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value as Json;

use super::{App, AppError};
use crate::error::ErrorCode;
use crate::eval::metrics::{self, Scores};
use crate::query::SearchRequest;

/// Hits scored per query unless the request says.
pub const DEFAULT_K: usize = 10;
/// Most hits scored per query.
pub const MAX_K: usize = 100;
/// Most searches in one evaluation.
pub const MAX_RANK_EVAL_REQUESTS: usize = 500;
/// Highest rating.
pub const MAX_RATING: u8 = 3;

/// Searches with rated documents.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankEvalRequest {
    /// The searches, 1 to [`MAX_RANK_EVAL_REQUESTS`].
    pub requests: Vec<RatedRequest>,
    /// Hits scored per search, 1 to [`MAX_K`].
    #[serde(default = "default_k")]
    pub k: usize,
}

fn default_k() -> usize {
    DEFAULT_K
}

/// One search and its ratings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatedRequest {
    /// The caller's name for it, unique in the evaluation.
    pub id: String,
    /// A search body.
    pub request: SearchRequest,
    /// Rated documents; unrated hits count as not relevant.
    pub ratings: Vec<Rating>,
}

/// A document's rating for one search.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// The document.
    pub id: DocId,
    /// 0 (not relevant) to [`MAX_RATING`]; 1 and up are relevant.
    #[serde(deserialize_with = "rating")]
    pub rating: u8,
}

/// A document id as JSON has it (an integer or a string), compared as text: a rating of
/// `12` or `"12"` is for the hit whose id is `12`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocId(String);

impl DocId {
    /// The id of a hit; `None` for JSON that is no document id.
    pub fn of(id: &Json) -> Option<DocId> {
        match id {
            Json::String(s) => Some(DocId(s.clone())),
            Json::Number(n) if n.is_i64() || n.is_u64() => Some(DocId(n.to_string())),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for DocId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = Json::deserialize(deserializer)?;
        DocId::of(&id).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a document id (an integer or a string), found {id}"
            ))
        })
    }
}

fn rating<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u8, D::Error> {
    let value = Json::deserialize(deserializer)?;
    value
        .as_u64()
        .filter(|&r| r <= u64::from(MAX_RATING))
        .map(|r| r as u8)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected a rating 0 to {MAX_RATING}, found {value}"
            ))
        })
}

/// The scores of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankEvalResponse {
    /// Hits scored per search.
    pub k: usize,
    /// The means over every search, and how many found nothing.
    pub mean: MeanScores,
    /// Per search, in request order.
    pub queries: Vec<QueryScores>,
    /// Time spent, in milliseconds.
    pub took_ms: f64,
}

/// The means of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanScores {
    /// recall, precision, mrr, ndcg.
    #[serde(flatten)]
    pub scores: Scores,
    /// Searches without a single hit.
    pub zero_results: usize,
}

/// The scores of one search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryScores {
    /// The request's id.
    pub id: String,
    /// recall, precision, mrr, ndcg at `k`.
    #[serde(flatten)]
    pub scores: Scores,
    /// The ids of the first `k` hits, best first.
    pub hits: Vec<Json>,
    /// The hits among them that have no rating.
    pub unrated: Vec<Json>,
    /// Whether the search found nothing.
    pub zero_results: bool,
}

/// A search ready to run, with its ratings.
struct Run {
    id: String,
    search: SearchRequest,
    ratings: HashMap<DocId, u8>,
}

impl RankEvalRequest {
    /// Checks the bounds, the ids and every search (errors name `requests[i]…`), and
    /// makes each search one page of `k`.
    fn runs(self) -> Result<Vec<Run>, AppError> {
        let invalid = |field, reason: String| AppError::Invalid { field, reason };
        if self.requests.is_empty() {
            return Err(invalid("requests", "at least one request".into()));
        }
        if self.requests.len() > MAX_RANK_EVAL_REQUESTS {
            return Err(invalid(
                "requests",
                format!(
                    "{} requests; at most {MAX_RANK_EVAL_REQUESTS} per evaluation",
                    self.requests.len()
                ),
            ));
        }
        if !(1..=MAX_K).contains(&self.k) {
            return Err(invalid("k", format!("must be 1 to {MAX_K}")));
        }
        let within = |at: String, e: AppError| AppError::Within {
            at,
            source: Box::new(e),
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut runs = Vec::with_capacity(self.requests.len());
        for (i, rated) in self.requests.into_iter().enumerate() {
            if let Some(first) = seen.insert(rated.id.clone(), i) {
                let reason = format!("{:?} is the id of requests[{first}] too", rated.id);
                return Err(within(format!("requests[{i}]"), invalid("id", reason)));
            }
            let mut ratings = HashMap::with_capacity(rated.ratings.len());
            for (j, r) in rated.ratings.into_iter().enumerate() {
                if ratings.insert(r.id, r.rating).is_some() {
                    let reason = "the document is rated twice".to_string();
                    let at = format!("requests[{i}].ratings[{j}]");
                    return Err(within(at, invalid("id", reason)));
                }
            }
            let at = format!("requests[{i}].request");
            let mut search = rated.request;
            search
                .check()
                .map_err(|e| within(at.clone(), AppError::Engine(e.into())))?;
            if search.aggs.is_some() {
                let reason = "rank_eval scores hits; leave aggregations out".to_string();
                return Err(within(at, invalid("aggs", reason)));
            }
            search.limit = self.k;
            search.offset = 0;
            search.search_after = None;
            search.highlight = false;
            runs.push(Run {
                id: rated.id,
                search,
                ratings,
            });
        }
        Ok(runs)
    }
}

impl App {
    /// Runs the searches of `request` on `kind` and scores their first `k` hits against
    /// the ratings. The first search the engine refuses (a filter on an unknown field…)
    /// fails the evaluation, its error's field under `requests[i].request`.
    pub async fn rank_eval(
        &self,
        kind: &str,
        request: RankEvalRequest,
    ) -> Result<RankEvalResponse, AppError> {
        let started = Instant::now();
        let k = request.k;
        let runs = request.runs()?;
        self.engine.spec(kind)?;
        let engine = self.engine.clone();
        let kind = kind.to_string();
        // One place among the work allowed at once for the whole evaluation: it is one
        // request, however many searches it holds.
        let queries = self
            .blocking(move || {
                runs.into_iter()
                    .enumerate()
                    .map(|(i, run)| {
                        let response = engine.search(&kind, &run.search).map_err(|e| {
                            let e = AppError::Engine(e);
                            if e.is_user_error() {
                                AppError::Within {
                                    at: format!("requests[{i}].request"),
                                    source: Box::new(e),
                                }
                            } else {
                                e
                            }
                        })?;
                        let ranked: Vec<DocId> = response
                            .hits
                            .iter()
                            .filter_map(|h| DocId::of(&h.id))
                            .collect();
                        let unrated = response
                            .hits
                            .iter()
                            .filter(|h| {
                                DocId::of(&h.id).is_none_or(|id| !run.ratings.contains_key(&id))
                            })
                            .map(|h| h.id.clone())
                            .collect();
                        Ok(QueryScores {
                            id: run.id,
                            scores: metrics::score(&ranked, &run.ratings, k),
                            hits: response.hits.into_iter().map(|h| h.id).collect(),
                            unrated,
                            zero_results: response.total.value == 0,
                        })
                    })
                    .collect::<Result<Vec<_>, AppError>>()
            })
            .await?;
        let scores: Vec<Scores> = queries.iter().map(|q| q.scores).collect();
        Ok(RankEvalResponse {
            k,
            mean: MeanScores {
                scores: metrics::mean(&scores),
                zero_results: queries.iter().filter(|q| q.zero_results).count(),
            },
            queries,
            took_ms: started.elapsed().as_secs_f64() * 1e3,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<RankEvalRequest, String> {
        let mut de = serde_json::Deserializer::from_str(json);
        serde_path_to_error::deserialize(&mut de).map_err(|e| e.path().to_string())
    }

    fn field(json: &str) -> String {
        let request = parse(json).unwrap();
        match request.runs() {
            Err(e) => e.error_field().unwrap_or_default(),
            Ok(_) => panic!("{json} passed"),
        }
    }

    #[test]
    fn ids_compare_as_the_hit_has_them() {
        let request = parse(
            r#"{"requests": [{"id": "q", "request": {"q": "x", "limit": 500, "offset": 7},
                "ratings": [{"id": 12, "rating": 1}, {"id": "abc", "rating": 3}]}], "k": 5}"#,
        )
        .unwrap();
        let runs = request.runs().unwrap();
        let ratings = &runs[0].ratings;
        assert_eq!(
            ratings.get(&DocId::of(&Json::from("12")).unwrap()),
            Some(&1)
        );
        assert_eq!(ratings.get(&DocId::of(&Json::from(12)).unwrap()), Some(&1));
        assert_eq!(
            ratings.get(&DocId::of(&Json::from("abc")).unwrap()),
            Some(&3)
        );
        // The request's own page is replaced by the first k hits.
        assert_eq!((runs[0].search.limit, runs[0].search.offset), (5, 0));
    }

    #[test]
    fn bad_parts_are_named() {
        let ok = r#"{"id": "a", "request": {}, "ratings": []}"#;
        // Types and unknown keys, while parsing.
        assert_eq!(
            parse(r#"{"requests": [{"id": "a", "request": {"limit": "ten"}, "ratings": []}]}"#)
                .unwrap_err(),
            "requests[0].request.limit"
        );
        assert_eq!(parse(r#"{"requests": [], "kk": 3}"#).unwrap_err(), "kk");
        assert_eq!(
            parse(
                r#"{"requests": [{"id": "a", "request": {}, "ratings": [{"id": 1, "rating": 4}]}]}"#
            )
            .unwrap_err(),
            "requests[0].ratings[0].rating"
        );
        assert_eq!(
            parse(r#"{"requests": [{"id": "a", "request": {}, "ratings": [{"id": 1.5, "rating": 1}]}]}"#)
                .unwrap_err(),
            "requests[0].ratings[0].id"
        );
        // Bounds and checks, after.
        assert_eq!(field(r#"{"requests": []}"#), "requests");
        assert_eq!(field(&format!(r#"{{"requests": [{ok}], "k": 0}}"#)), "k");
        assert_eq!(field(&format!(r#"{{"requests": [{ok}], "k": 101}}"#)), "k");
        assert_eq!(
            field(&format!(r#"{{"requests": [{ok}, {ok}]}}"#)),
            "requests[1].id"
        );
        assert_eq!(
            field(
                r#"{"requests": [{"id": "a", "request": {}, "ratings": [{"id": 1, "rating": 1}, {"id": "1", "rating": 2}]}]}"#
            ),
            "requests[0].ratings[1].id"
        );
        assert_eq!(
            field(&format!(
                r#"{{"requests": [{ok}, {{"id": "b", "request": {{"limit": 5000}}, "ratings": []}}]}}"#
            )),
            "requests[1].request.limit"
        );
        assert_eq!(
            field(
                r#"{"requests": [{"id": "a", "request": {"aggs": {"g": {"terms": {"field": "genre"}}}}, "ratings": []}]}"#
            ),
            "requests[0].request.aggs"
        );
        let many: Vec<String> = (0..=MAX_RANK_EVAL_REQUESTS)
            .map(|i| ok.replace("\"a\"", &format!("\"{i}\"")))
            .collect();
        assert_eq!(
            field(&format!(r#"{{"requests": [{}]}}"#, many.join(","))),
            "requests"
        );
    }
}
