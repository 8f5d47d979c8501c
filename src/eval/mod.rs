//! The relevance suite: known-item queries generated from the demo corpus in the classes
//! people actually type (exact names, changed spacing, particles and endings, typos,
//! prefixes and half-typed syllables, Latin/Korean aliases, initial consonants, the wrong
//! keyboard layout, keyword words, glued Latin, text with filters), run against an
//! engine, with recall@10, MRR@10 and zero-result counts per class. `chatda eval` prints
//! the table; `tests/relevance.rs` holds the floors.

mod cases;

use std::collections::{BTreeMap, HashSet};

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
        let relevant: HashSet<u64> = case.relevant.iter().copied().collect();
        let found = ids.iter().filter(|id| relevant.contains(id)).count();
        let recall = found as f64 / relevant.len().clamp(1, K) as f64;
        let mrr = ids
            .iter()
            .position(|id| relevant.contains(id))
            .map_or(0.0, |rank| 1.0 / (rank + 1) as f64);
        if !order.contains(&case.class) {
            order.push(case.class);
        }
        let entry = sums.entry(case.class).or_default();
        entry.0 += 1;
        entry.1 += recall;
        entry.2 += mrr;
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

/// The scores as a Markdown table.
pub fn table(scores: &[ClassScore]) -> String {
    let mut out = String::from(
        "| class | queries | recall@10 | MRR@10 | zero results |\n|---|---:|---:|---:|---:|\n",
    );
    for s in scores {
        out.push_str(&format!(
            "| {} | {} | {:.2} | {:.2} | {} |\n",
            s.class, s.queries, s.recall, s.mrr, s.zero_results
        ));
    }
    out
}
