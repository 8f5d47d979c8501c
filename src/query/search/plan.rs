//! Planning a search: which fields, which sort, where a cursor continues, and the tantivy
//! query (text and filter) — before anything is collected.

use tantivy::Searcher;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query};

use super::cursor;
use crate::index::KindIndex;
use crate::query::collect::{RankKey, SortBy};
use crate::query::request::SCORE;
use crate::query::text::{TextQuery, WeightedField};
use crate::query::{Order, QueryError, SearchError, SearchRequest, build_filter};
use crate::schema::{FieldType, KindSpec, Zone};

/// A checked request, ready to run.
pub(super) struct Plan {
    pub(super) zone: Zone,
    pub(super) fields: Vec<WeightedField>,
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
        Ok(Plan {
            zone: request.zone()?,
            fields: searched_fields(index, request)?,
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
    ) -> TextQuery<'a> {
        TextQuery::new(
            index.analyzer(),
            searcher,
            &self.fields,
            request.fuzzy,
            request.prefix,
        )
    }

    /// The whole query: the filter (no score) and the text (the score); whether it scores.
    pub(super) fn query(
        &self,
        index: &KindIndex,
        text: &TextQuery<'_>,
        request: &SearchRequest,
    ) -> Result<(Box<dyn Query>, bool), SearchError> {
        let text_query = text.build(&request.q)?;
        let scored = text_query.is_some();
        let filter = build_filter(
            index.spec(),
            index.fields(),
            request.filter.as_ref(),
            &self.zone,
        )?;
        Ok((combine(text_query, filter), scored))
    }
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
