//! Rendering the ranked hits: stored fields, highlights, the next cursor.

use std::collections::BTreeMap;

use tantivy::query::Query;
use tantivy::schema::Value as _;
use tantivy::{Searcher, TantivyDocument};

use super::cursor;
use super::plan::Plan;
use crate::index::{IndexedField, KindIndex};
use crate::query::collect::Ranking;
use crate::query::highlight::MatchedTerms;
use crate::query::{Hit, SearchRequest};

/// The page of hits, with highlights when `matched` is given.
pub(super) fn hits(
    index: &KindIndex,
    searcher: &Searcher,
    request: &SearchRequest,
    ranking: &Ranking,
    scored: bool,
    matched: Option<&MatchedTerms>,
    explain: Option<&dyn Query>,
) -> tantivy::Result<Vec<Hit>> {
    let spec = index.spec();
    let mut hits = Vec::with_capacity(request.limit);
    for ranked in ranking.hits.iter().skip(request.offset).take(request.limit) {
        let doc: TantivyDocument = searcher.doc(ranked.address)?;
        let (id, source) = index.source(&doc);
        let highlight = matched.map(|matched| {
            let mut out = BTreeMap::new();
            for (i, f) in spec.fields.iter().enumerate() {
                let IndexedField::Text {
                    main,
                    jamo,
                    chosung,
                    stored,
                    ..
                } = index.fields().fields[i]
                else {
                    continue;
                };
                let spans: Vec<_> = doc
                    .get_all(stored)
                    .filter_map(|v| v.as_str())
                    .enumerate()
                    .flat_map(|(k, text)| {
                        matched.spans(index.analyzer(), (main, jamo, chosung), k, text)
                    })
                    .collect();
                if !spans.is_empty() {
                    out.insert(f.name.clone(), spans);
                }
            }
            out
        });
        let explain = match explain {
            Some(query) => Some(
                serde_json::to_value(query.explain(searcher, ranked.address)?).unwrap_or_default(),
            ),
            None => None,
        };
        hits.push(Hit {
            id,
            score: if scored {
                crate::query::coverage::shown(ranked.score)
            } else {
                0.0
            },
            source,
            highlight,
            explain,
        });
    }
    Ok(hits)
}

/// The cursor after the page, when there is a next page.
pub(super) fn next_cursor(
    plan: &Plan,
    request: &SearchRequest,
    ranking: &Ranking,
) -> Option<String> {
    (request.limit > 0 && ranking.hits.len() > plan.window)
        .then(|| cursor::encode(&ranking.hits[plan.window - 1].key, &plan.sort))
}
