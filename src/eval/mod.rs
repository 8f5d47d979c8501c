//! The relevance suite: known-item queries generated from the demo corpus's titles,
//! artists and venues in the classes people actually type (exact names, changed spacing,
//! particles, conversational sentences, typos and swapped syllables, prefixes and
//! half-typed syllables, Latin/Korean aliases, initial consonants of a word or a whole
//! name, the wrong keyboard layout, a name with a genre or city, glued Latin, text with
//! filters), run against an engine, with recall@10, MRR@10 and zero-result counts per
//! class. `chatda eval` prints the table; `tests/relevance.rs` holds the floors.
//! [`metrics`] scores one ranking; the `rank_eval` route uses it too.

mod cases;
pub mod metrics;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

pub use cases::{Case, cases};

use crate::engine::{Engine, EngineError};
use crate::query::SearchRequest;

/// Hits looked at per query.
pub const K: usize = 10;

/// The scores of one class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassScore {
    /// The class (`exact`, `typo`, …).
    pub class: &'static str,
    /// Queries run.
    pub queries: usize,
    /// Mean recall of the first page: the relevant documents among the first 10 hits,
    /// over the relevant ones (at most 10).
    pub recall: f64,
    /// Mean reciprocal rank of the first relevant hit (0 when none is in the first 10).
    pub mrr: f64,
    /// Queries with no hit at all.
    pub zero_results: usize,
}

/// Runs `cases` against the concerts of `engine`; one score per class, in the order the
/// classes first appear.
pub fn evaluate(engine: &Engine, cases: &[Case]) -> Result<Vec<ClassScore>, EngineError> {
    let mut order: Vec<&'static str> = Vec::new();
    let mut sums: BTreeMap<&'static str, (usize, f64, f64, usize)> = BTreeMap::new();
    for case in cases {
        let request = SearchRequest {
            q: case.query.clone(),
            filter: case.filter.clone(),
            limit: K,
            ..SearchRequest::default()
        };
        let response = engine.search("concerts", &request)?;
        let ids: Vec<u64> = response.hits.iter().filter_map(|h| h.id.as_u64()).collect();
        let ratings: HashMap<u64, u8> = case.relevant.iter().map(|&id| (id, 1)).collect();
        let scores = metrics::score(&ids, &ratings, K);
        if !order.contains(&case.class) {
            order.push(case.class);
        }
        let entry = sums.entry(case.class).or_default();
        entry.0 += 1;
        entry.1 += scores.recall;
        entry.2 += scores.mrr;
        entry.3 += usize::from(response.total.value == 0);
    }
    Ok(order
        .into_iter()
        .map(|class| {
            let (n, recall, mrr, zero) = sums[class];
            ClassScore {
                class,
                queries: n,
                recall: recall / n as f64,
                mrr: mrr / n as f64,
                zero_results: zero,
            }
        })
        .collect())
}

/// The scores as a Markdown table, with an `overall` row over every query.
pub fn table(scores: &[ClassScore]) -> String {
    let mut out = String::from(
        "| class | queries | recall@10 | MRR@10 | zero results |\n|---|---:|---:|---:|---:|\n",
    );
    let row = |s: &ClassScore| {
        format!(
            "| {} | {} | {:.2} | {:.2} | {} |\n",
            s.class, s.queries, s.recall, s.mrr, s.zero_results
        )
    };
    for s in scores {
        out.push_str(&row(s));
    }
    out.push_str(&row(&overall(scores)));
    out
}

/// Every query's scores together: means weighted by each class's queries.
pub fn overall(scores: &[ClassScore]) -> ClassScore {
    let queries: usize = scores.iter().map(|s| s.queries).sum();
    let mean = |f: fn(&ClassScore) -> f64| {
        let sum: f64 = scores.iter().map(|s| f(s) * s.queries as f64).sum();
        if queries == 0 {
            0.0
        } else {
            sum / queries as f64
        }
    };
    ClassScore {
        class: "overall",
        queries,
        recall: mean(|s| s.recall),
        mrr: mean(|s| s.mrr),
        zero_results: scores.iter().map(|s| s.zero_results).sum(),
    }
}
