//! Highlights: which spans of a stored text value the query matched.
//!
//! The value is analyzed again exactly as at indexing time, and a token is a match when
//! the query used its term: the exact term, its jamo form (typo and prefix expansions)
//! or its initial consonants. Offsets come from the analyzer, which maps them back
//! through normalisation and removed spaces, so they point at the original text.

use std::collections::HashSet;

use serde::Serialize;
use tantivy::schema::{Field, Term};

use crate::analysis::{Analyzer, hangul};

/// A matched span of a text value. Offsets count Unicode scalar values (characters),
/// not bytes, so clients can slice the string directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Index of the value in a list field (0 for single-valued fields).
    pub value: usize,
    /// First character of the match.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The matched text.
    pub text: String,
}

/// The terms a query matched with, per tantivy field form.
#[derive(Debug, Default)]
pub struct MatchedTerms {
    terms: HashSet<Term>,
}

impl MatchedTerms {
    /// Records terms the query can match.
    pub fn extend(&mut self, terms: impl IntoIterator<Item = Term>) {
        self.terms.extend(terms);
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The matched spans of `text` (value `value` of a field whose forms are
    /// `main`/`jamo`/`chosung`), merged where they overlap.
    pub fn spans(
        &self,
        analyzer: &Analyzer,
        (main, jamo, chosung): (Field, Field, Option<Field>),
        value: usize,
        text: &str,
    ) -> Vec<Span> {
        let mut ranges: Vec<(usize, usize)> = analyzer
            .analyze(text)
            .into_iter()
            .filter(|t| {
                self.terms.contains(&Term::from_field_text(main, &t.term))
                    || self
                        .terms
                        .contains(&Term::from_field_text(jamo, &hangul::to_jamo(&t.term)))
                    || chosung.is_some_and(|chosung| {
                        hangul::contains_hangul(&t.term)
                            && self.terms.contains(&Term::from_field_text(
                                chosung,
                                &hangul::chosung(&t.term),
                            ))
                    })
            })
            .map(|t| (t.start, t.end))
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
            .into_iter()
            .map(|(start, end)| Span {
                value,
                start: text[..start].chars().count(),
                end: text[..end].chars().count(),
                text: text[start..end].to_string(),
            })
            .collect()
    }
}
