//! Request filters → non-scoring tantivy queries.
//!
//! ```json
//! {"genre": ["콘서트", "페스티벌"],                   // any of
//!  "city": "서울",                                     // equals
//!  "start_date": {"gte": "2025-06-01", "lt": "2025-09-01"}, // range: gt, gte, lt, lte
//!  "created_at": {"lte": "2025-12-19", "time_zone": "Asia/Seoul"}, // all of that day
//!  "assignee": {"exists": true},                       // has a value (false: has none)
//!  "not": {"status": "closed"},                        // none of the inner filters
//!  "deleted": false}
//! ```
//!
//! A bare date (`2025-12-19`) is a whole calendar day in the request's time zone (the
//! range's own `time_zone`, else the request's, else the engine's default): `lte` and
//! equality take in all of it, `gt` skips all of it. Timestamps with an offset are
//! instants.
//!
//! Entries are ANDed. Filters only restrict the candidate set: the result is wrapped so
//! it contributes no score. A kind with a `soft_delete` field hides documents with it set
//! unless the filter names that field.

use std::ops::Bound;

use serde_json::{Map, Value as Json};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EnableScoring, ExistsQuery, Explanation, Occur, Query,
    RangeQuery, Scorer, TermQuery, Weight,
};
use tantivy::schema::{IndexRecordOption, Term};
use tantivy::{DateTime, DocId, DocSet, Score, SeekDangerResult, SegmentReader};

use super::QueryError;
use super::terms::AnyTerm;
use crate::index::{FieldMap, IndexedField};
use time::OffsetDateTime;

use crate::schema::{DateValue, FieldType, KindSpec, Zone, parse_date};

/// The clauses of a filter, none scoring.
pub(crate) type Clauses = Vec<(Occur, Box<dyn Query>)>;

/// Builds the filter query for `filter` (a JSON object), including the soft-delete rule;
/// `None` when nothing restricts the set.
pub fn build_filter(
    spec: &KindSpec,
    fields: &FieldMap,
    filter: Option<&Map<String, Json>>,
    zone: &Zone,
) -> Result<Option<Box<dyn Query>>, QueryError> {
    Ok(filter_query(filter_clauses(
        spec, fields, filter, zone, true,
    )?))
}

/// The clauses of [`build_filter`]'s query, unscored, to be joined with a text query.
/// The soft-delete rule alone (no condition) is an exclusion sought only at the text's
/// matches, not an intersection with every live document; beside conditions it stays
/// with them (measured: excluding at the conditions' matches costs no more). `walked`:
/// no text query leads, so the filter is read in full (a browse, an aggregation).
pub(crate) fn filter_clauses(
    spec: &KindSpec,
    fields: &FieldMap,
    filter: Option<&Map<String, Json>>,
    zone: &Zone,
    walked: bool,
) -> Result<Clauses, QueryError> {
    let empty = Map::new();
    let filter = filter.unwrap_or(&empty);
    let context = Context {
        spec,
        fields,
        zone,
        walked,
    };
    let mut clauses: Clauses = Vec::new();
    for (name, condition) in filter {
        clauses.push((Occur::Must, context.clause(name, condition)?));
    }
    if let Some(flag) = &spec.soft_delete
        && !mentions(filter, flag)
    {
        let field = plain_field(spec, fields, flag)?;
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_bool(field, true),
                IndexRecordOption::Basic,
            )),
        ));
    }
    if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
        return Ok(clauses);
    }
    let all: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
    Ok(vec![(
        Occur::Must,
        Box::new(ConstScoreQuery::new(all, 0.0)),
    )])
}

/// The filter query of [`filter_clauses`] on its own (every document it keeps scores 0);
/// `None` when nothing restricts the set.
pub(crate) fn filter_query(mut clauses: Clauses) -> Option<Box<dyn Query>> {
    if clauses.is_empty() {
        return None;
    }
    if let [(Occur::Must, _)] = clauses.as_slice() {
        // The conditions, already unscored.
        return clauses.pop().map(|(_, query)| query);
    }
    clauses.push((Occur::Must, Box::new(AllQuery)));
    Some(Box::new(ConstScoreQuery::new(
        Box::new(BooleanQuery::new(clauses)),
        0.0,
    )))
}

fn mentions(filter: &Map<String, Json>, field: &str) -> bool {
    filter.iter().any(|(name, condition)| {
        name == field
            || (name == "not"
                && condition
                    .as_object()
                    .is_some_and(|inner| mentions(inner, field)))
    })
}

/// What every clause is built against.
struct Context<'a> {
    spec: &'a KindSpec,
    fields: &'a FieldMap,
    /// Bare dates are days in this zone (a range may name its own `time_zone`).
    zone: &'a Zone,
    /// See [`filter_clauses`].
    walked: bool,
}

impl Context<'_> {
    fn clause(&self, name: &str, condition: &Json) -> Result<Box<dyn Query>, QueryError> {
        if name == "not" {
            let inner = condition
                .as_object()
                .ok_or_else(|| bad("not", "expected an object of filters".into()))?;
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
            for (inner_name, inner_condition) in inner {
                clauses.push((Occur::MustNot, self.clause(inner_name, inner_condition)?));
            }
            return Ok(Box::new(BooleanQuery::new(clauses)));
        }
        let field = plain_field(self.spec, self.fields, name)?;
        let ty = self
            .spec
            .field(name)
            .map(|f| f.ty)
            .expect("plain_field checked the name");
        match condition {
            Json::Array(values) if ty == FieldType::Date => {
                let any = values
                    .iter()
                    .map(|v| Ok((Occur::Should, date_equals(field, name, v, self.zone)?)))
                    .collect::<Result<Vec<_>, QueryError>>()?;
                Ok(Box::new(BooleanQuery::new(any)))
            }
            Json::Array(values) => {
                let terms = values
                    .iter()
                    .map(|v| term(field, ty, name, v))
                    .collect::<Result<Vec<_>, _>>()?;
                // Beside a text query, a lazy union: it is checked document by document
                // against the text's matches. Walked in full, a dense union is read into a
                // bitset once (merging two dense postings lists lazily costs ~85
                // instructions a document, a bitset a few).
                let any = AnyTerm::new(field, terms, 1.0);
                Ok(Box::new(if self.walked { any.walked() } else { any }))
            }
            Json::Object(ops) if ops.contains_key("exists") => exists(name, ops),
            Json::Object(ops) => {
                if matches!(ty, FieldType::Keyword | FieldType::Bool) {
                    return Err(bad(name, "ranges apply to numbers and dates only".into()));
                }
                let (lower, upper) = if ty == FieldType::Date {
                    date_range(field, name, ops, self.zone)?
                } else {
                    number_range(field, ty, name, ops)?
                };
                Ok(Box::new(ScanCost(RangeQuery::new(lower, upper))))
            }
            scalar if ty == FieldType::Date => date_equals(field, name, scalar, self.zone),
            scalar => Ok(Box::new(TermQuery::new(
                term(field, ty, name, scalar)?,
                IndexRecordOption::Basic,
            ))),
        }
    }
}

fn exists(name: &str, ops: &Map<String, Json>) -> Result<Box<dyn Query>, QueryError> {
    let wanted = ops
        .get("exists")
        .and_then(Json::as_bool)
        .filter(|_| ops.len() == 1);
    let Some(wanted) = wanted else {
        return Err(bad(
            name,
            "`exists` takes true or false and no other operator".into(),
        ));
    };
    let exists: Box<dyn Query> = Box::new(ExistsQuery::new(name.to_string(), false));
    Ok(if wanted {
        exists
    } else {
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery)),
            (Occur::MustNot, exists),
        ]))
    })
}

type Bounds = (Bound<Term>, Bound<Term>);

fn number_range(
    field: tantivy::schema::Field,
    ty: FieldType,
    name: &str,
    ops: &Map<String, Json>,
) -> Result<Bounds, QueryError> {
    if ops.is_empty() {
        return Err(bad(name, "an empty range".into()));
    }
    let (mut lower, mut upper) = (Bound::Unbounded, Bound::Unbounded);
    for (op, value) in ops {
        let t = term(field, ty, name, value)?;
        match op.as_str() {
            "gt" => lower = Bound::Excluded(t),
            "gte" => lower = Bound::Included(t),
            "lt" => upper = Bound::Excluded(t),
            "lte" => upper = Bound::Included(t),
            other => return Err(unknown_operator(name, other)),
        }
    }
    Ok((lower, upper))
}

/// A date range; a bare date is a whole day, so `lte` and `gt` take in or skip all of
/// it. `time_zone` overrides the request's zone for this range.
fn date_range(
    field: tantivy::schema::Field,
    name: &str,
    ops: &Map<String, Json>,
    zone: &Zone,
) -> Result<Bounds, QueryError> {
    let own_zone = match ops.get("time_zone") {
        None => None,
        Some(Json::String(z)) => Some(Zone::parse(z).map_err(|reason| bad(name, reason))?),
        Some(other) => {
            return Err(bad(
                name,
                format!("time_zone must be a string, found {other}"),
            ));
        }
    };
    let zone = own_zone.as_ref().unwrap_or(zone);
    let (mut lower, mut upper) = (Bound::Unbounded, Bound::Unbounded);
    let mut any = false;
    for (op, value) in ops {
        if op == "time_zone" {
            continue;
        }
        any = true;
        let s = value
            .as_str()
            .ok_or_else(|| bad(name, format!("expected a date string, found {value}")))?;
        let date = DateValue::parse(s, zone).map_err(|reason| bad(name, reason))?;
        let at = |t: OffsetDateTime| date_term(field, t);
        match (op.as_str(), date) {
            ("gte", d) => lower = Bound::Included(at(d.start())),
            ("gt", DateValue::Day { end, .. }) => lower = Bound::Included(at(end)),
            ("gt", DateValue::Instant(t)) => lower = Bound::Excluded(at(t)),
            ("lt", d) => upper = Bound::Excluded(at(d.start())),
            ("lte", DateValue::Day { end, .. }) => upper = Bound::Excluded(at(end)),
            ("lte", DateValue::Instant(t)) => upper = Bound::Included(at(t)),
            (other, _) => return Err(unknown_operator(name, other)),
        }
    }
    if !any {
        return Err(bad(name, "an empty range".into()));
    }
    Ok((lower, upper))
}

/// Equality with a date: a bare date matches its whole day, a timestamp that instant.
fn date_equals(
    field: tantivy::schema::Field,
    name: &str,
    value: &Json,
    zone: &Zone,
) -> Result<Box<dyn Query>, QueryError> {
    let s = value
        .as_str()
        .ok_or_else(|| bad(name, format!("expected a date string, found {value}")))?;
    Ok(
        match DateValue::parse(s, zone).map_err(|reason| bad(name, reason))? {
            DateValue::Instant(t) => Box::new(TermQuery::new(
                date_term(field, t),
                IndexRecordOption::Basic,
            )),
            DateValue::Day { start, end } => Box::new(ScanCost(RangeQuery::new(
                Bound::Included(date_term(field, start)),
                Bound::Excluded(date_term(field, end)),
            ))),
        },
    )
}

fn date_term(field: tantivy::schema::Field, t: OffsetDateTime) -> Term {
    Term::from_field_date(field, DateTime::from_timestamp_secs(t.unix_timestamp()))
}

fn unknown_operator(name: &str, op: &str) -> QueryError {
    bad(
        name,
        format!("unknown operator {op:?}: use gt, gte, lt, lte, exists (and time_zone on dates)"),
    )
}

fn plain_field(
    spec: &KindSpec,
    fields: &FieldMap,
    name: &str,
) -> Result<tantivy::schema::Field, QueryError> {
    let index = spec
        .fields
        .iter()
        .position(|f| f.name == name)
        .ok_or_else(|| QueryError::UnknownField(name.to_string()))?;
    match fields.fields[index] {
        IndexedField::Plain(field) if spec.fields[index].filterable => Ok(field),
        _ => Err(QueryError::NotFilterable(name.to_string())),
    }
}

fn term(
    field: tantivy::schema::Field,
    ty: FieldType,
    name: &str,
    value: &Json,
) -> Result<Term, QueryError> {
    let wrong = |what: &str| bad(name, format!("expected {what}, found {value}"));
    Ok(match ty {
        FieldType::Keyword => {
            Term::from_field_text(field, value.as_str().ok_or_else(|| wrong("a string"))?)
        }
        FieldType::Integer => {
            Term::from_field_i64(field, value.as_i64().ok_or_else(|| wrong("an integer"))?)
        }
        FieldType::Float => {
            Term::from_field_f64(field, value.as_f64().ok_or_else(|| wrong("a number"))?)
        }
        FieldType::Bool => Term::from_field_bool(
            field,
            value.as_bool().ok_or_else(|| wrong("true or false"))?,
        ),
        FieldType::Date => {
            let s = value.as_str().ok_or_else(|| wrong("a date string"))?;
            date_term(field, parse_date(s).map_err(|reason| bad(name, reason))?)
        }
        FieldType::Text => return Err(QueryError::NotFilterable(name.to_string())),
    })
}

fn bad(field: &str, reason: String) -> QueryError {
    QueryError::BadFilter {
        field: field.to_string(),
        reason,
    }
}

/// A range filter whose reported cost reflects how it runs: tantivy reads a range over a
/// fast field by scanning the column in vectorized blocks, yet reports 0.8 × the
/// segment's documents as the cost of driving it, so an intersection prefers to drive
/// with almost any other clause (a genre matching 40% of the shows) and then checks the
/// range one document at a time. Scanning a column costs about an eighth of reading the
/// same number of postings, so that is the cost reported here. Only which clause drives
/// an intersection changes, never what matches.
#[derive(Debug, Clone)]
struct ScanCost<Q>(Q);

/// How much cheaper scanning a fast field is than decoding postings, per document.
const SCAN_DISCOUNT: u64 = 8;

impl<Q: Query + Clone> Query for ScanCost<Q> {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ScanCostWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        self.0.query_terms(visitor)
    }
}

struct ScanCostWeight(Box<dyn Weight>);

impl Weight for ScanCostWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(ScanCostScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.0.count(reader)
    }
}

struct ScanCostScorer(Box<dyn Scorer>);

impl DocSet for ScanCostScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        self.0.seek_danger(target)
    }

    fn fill_buffer(&mut self, buffer: &mut [DocId; tantivy::COLLECT_BLOCK_BUFFER_LEN]) -> usize {
        self.0.fill_buffer(buffer)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost() / SCAN_DISCOUNT
    }
}

impl Scorer for ScanCostScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
