//! Planning a search: which fields, which sort, where a cursor continues, and the tantivy
//! query (text and filter) — before anything is collected.

use std::sync::Arc;

use tantivy::Searcher;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query};

use super::cursor;
use crate::index::IndexedField;
use crate::index::KindIndex;
use crate::query::collect::{RankKey, SortBy};
use crate::query::coverage::Floor;
use crate::query::filter::{Clauses, filter_clauses, filter_query};
use crate::query::probe::Kept;
use crate::query::request::SCORE;
use crate::query::sets::MatchSets;
use crate::query::text::{KeywordField, TextMatch, TextQuery, WeightedField};
use crate::query::{Order, QueryError, SearchError, SearchRequest};
use crate::schema::{FieldType, KindSpec, Zone};

/// The filter of a request: its clauses, none scoring (empty: nothing restricts).
pub(super) type Filter = Clauses;

/// A checked request, ready to run.
pub(super) struct Plan {
    pub(super) zone: Zone,
    pub(super) fields: Vec<WeightedField>,
    pub(super) keywords: Vec<KeywordField>,
    pub(super) sort: Vec<SortBy>,
    pub(super) after: Option<RankKey>,
    /// Hits to rank: the page and the ones before it.
    pub(super) window: usize,
}

impl Plan {
    /// Checks `request` against the limits and `index`'s spec.
    pub(super) fn new(index: &KindIndex, request: &SearchRequest) -> Result<Self, QueryError> {
        request.check()?;
        let sort = sort_keys(index.spec(), request)?;
        let after = request
            .search_after
            .as_deref()
            .map(|c| cursor::decode(c, &sort))
            .transpose()?;
        let (fields, keywords) = searched_fields(index, request)?;
        Ok(Plan {
            zone: request.zone()?,
            fields,
            keywords,
            sort,
            after,
            window: request.offset + request.limit,
        })
    }

    /// The text matcher over the searched fields.
    pub(super) fn text<'a>(
        &'a self,
        index: &'a KindIndex,
        searcher: &'a Searcher,
        request: &SearchRequest,
        floor: &Floor,
        sets: &Arc<MatchSets>,
    ) -> TextQuery<'a> {
        TextQuery::new(
            index.analyzer(),
            searcher,
            &self.fields,
            &self.keywords,
            request.fuzzy,
            request.prefix,
        )
        .with_floor(floor.clone())
        .with_sets(sets.clone())
    }

    /// The text query (strict and relaxed, `None` without text) and the filter. Beside
    /// a text, the filter's conditions — and the exclusion of soft-deleted documents,
    /// which every request without a filter of its own has — are checked at the text's
    /// matches: once they recur, through their kept set (see `probe.rs`).
    pub(super) fn query(
        &self,
        index: &KindIndex,
        text: &TextQuery<'_>,
        request: &SearchRequest,
        sets: &Arc<MatchSets>,
    ) -> Result<(Option<TextMatch>, Filter), SearchError> {
        let text_match = text.build(&request.q, request.matching)?;
        let mut filter = filter_clauses(
            index.spec(),
            index.fields(),
            request.filter.as_ref(),
            &self.zone,
            text_match.is_none(),
        )?;
        if text_match.is_some() && sets.enabled() {
            for (occur, query) in &mut filter {
                if matches!(occur, Occur::Must | Occur::MustNot) {
                    let conditions = std::mem::replace(query, Box::new(AllQuery));
                    *query = Box::new(Kept::filter(conditions, sets.clone()));
                }
            }
        }
        Ok((text_match, filter))
    }
}

/// The text fields and searchable keyword fields a request searches, with their boosts.
fn searched_fields(
    index: &KindIndex,
    request: &SearchRequest,
) -> Result<(Vec<WeightedField>, Vec<KeywordField>), QueryError> {
    let spec = index.spec();
    let mut fields = Vec::new();
    let mut keywords = Vec::new();
    let mut add = |i: usize, boost: f32| -> bool {
        if let Some(field) = WeightedField::of(index.fields(), i, boost) {
            fields.push(field);
            return true;
        }
        let f = &spec.fields[i];
        if f.ty == FieldType::Keyword
            && f.searchable
            && let IndexedField::Plain(field) = index.fields().fields[i]
        {
            keywords.push(KeywordField { field, boost });
            return true;
        }
        false
    };
    match &request.fields {
        None => {
            for (i, f) in spec.fields.iter().enumerate() {
                add(i, f.boost);
            }
        }
        Some(requested) => {
            for (name, boost) in requested {
                let i = spec
                    .fields
                    .iter()
                    .position(|f| &f.name == name)
                    .ok_or_else(|| QueryError::UnknownField(name.clone()))?;
                if !add(i, *boost) {
                    return Err(QueryError::NotSearchable(name.clone()));
                }
            }
        }
    }
    Ok((fields, keywords))
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

/// The filter (no score) and the text (the score) in one query.
pub(super) fn combine(text: Option<Box<dyn Query>>, filter: &Filter) -> Box<dyn Query> {
    let clauses = || filter.iter().map(|(occur, q)| (*occur, q.box_clone()));
    match text {
        // The filter scores 0, so the text alone decides the score.
        Some(text) if !filter.is_empty() => Box::new(BooleanQuery::new(
            std::iter::once((Occur::Must, text))
                .chain(clauses())
                .collect(),
        )),
        Some(text) => text,
        None => filter_query(clauses().collect()).unwrap_or_else(|| Box::new(AllQuery)),
    }
}
