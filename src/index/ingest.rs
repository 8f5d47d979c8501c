//! Writes from JSON lines: each line a document to upsert or `{"delete": ID}`.
//!
//! Lines are applied in order, in batches analysed in parallel; a bad line is counted
//! and reported (the first [`MAX_REPORTED_ERRORS`] of them, with line number, field and
//! reason) and the others still apply. Memory stays bounded by the batch, whatever the
//! number of lines.

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value as Json;

use super::{IndexDocument, IndexError, KindIndex};
use crate::schema::FieldError;

/// Line errors reported in full; later ones are only counted.
pub const MAX_REPORTED_ERRORS: usize = 100;

/// One bad line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineError {
    /// 1-based line number.
    pub line: u64,
    /// The document's id, when the line had one.
    pub id: Option<Json>,
    /// `invalid_json` or `invalid_document`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// The field at fault, if one is.
    pub field: Option<String>,
}

/// What a run of lines did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IngestReport {
    /// Documents added or replaced.
    pub upserted: u64,
    /// Delete lines applied (unknown ids included).
    pub deleted: u64,
    /// Bad lines skipped.
    pub failed: u64,
    /// The first bad lines.
    pub errors: Vec<LineError>,
    /// Bad lines beyond the ones in `errors`.
    pub errors_omitted: u64,
    /// The writes applied, in order, when asked for with [`Ingest::keep_accepted`]:
    /// `(id, document)`, `None` for a delete.
    #[serde(skip)]
    pub accepted: Vec<Accepted>,
}

/// An applied write: the id and the document (`None`: deleted).
pub type Accepted = (String, Option<Json>);

impl IngestReport {
    fn fail(&mut self, error: LineError) {
        self.failed += 1;
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(error);
        } else {
            self.errors_omitted += 1;
        }
    }
}

/// An analysed document with its id, or why it was refused.
type Prepared = Result<(String, IndexDocument), Vec<FieldError>>;

/// A parsed line waiting for its batch.
enum Pending {
    Upsert { line: u64, doc: Json },
    Delete(String),
}

/// Applies lines to one index; [`Ingest::finish`] flushes the last batch (it does not
/// commit: the caller decides when the writes become visible).
pub struct Ingest<'a> {
    index: &'a KindIndex,
    batch_size: usize,
    pending: Vec<Pending>,
    report: IngestReport,
    keep: bool,
}

impl<'a> Ingest<'a> {
    /// Writes into `index`, analysing `batch_size` documents at a time.
    pub fn new(index: &'a KindIndex, batch_size: usize) -> Self {
        Ingest {
            index,
            batch_size: batch_size.max(1),
            pending: Vec::new(),
            report: IngestReport::default(),
            keep: false,
        }
    }

    /// Also records every applied write in [`IngestReport::accepted`] (to journal them).
    pub fn keep_accepted(mut self, keep: bool) -> Self {
        self.keep = keep;
        self
    }

    /// The writes applied since the last call (see [`Ingest::keep_accepted`]).
    pub fn take_accepted(&mut self) -> Vec<Accepted> {
        std::mem::take(&mut self.report.accepted)
    }

    /// The report of the batches applied so far (lines still pending are not in it).
    pub fn report(&self) -> &IngestReport {
        &self.report
    }

    /// Takes line `number` (1-based); blank lines are skipped.
    pub fn line(&mut self, number: u64, text: &str) -> Result<(), IndexError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        let doc: Json = match serde_json::from_str(text) {
            Ok(doc) => doc,
            Err(e) => {
                self.report.fail(LineError {
                    line: number,
                    id: None,
                    code: "invalid_json",
                    message: format!("not JSON: {e}"),
                    field: None,
                });
                return Ok(());
            }
        };
        self.document(number, doc)
    }

    /// Takes a parsed line `number`: a document to upsert or `{"delete": ID}`.
    pub fn document(&mut self, number: u64, doc: Json) -> Result<(), IndexError> {
        let delete = doc
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("delete"));
        match delete {
            Some(Json::String(id)) => self.pending.push(Pending::Delete(id.clone())),
            Some(Json::Number(n)) if n.is_u64() || n.is_i64() => {
                self.pending.push(Pending::Delete(n.to_string()));
            }
            Some(_) => self.report.fail(LineError {
                line: number,
                id: None,
                code: "invalid_document",
                message: "delete needs a string or integer id".into(),
                field: Some("delete".into()),
            }),
            None => self.pending.push(Pending::Upsert { line: number, doc }),
        }
        if self.pending.len() >= self.batch_size {
            self.flush()?;
        }
        Ok(())
    }

    /// Applies what is pending and returns the report.
    pub fn finish(mut self) -> Result<IngestReport, IndexError> {
        self.flush()?;
        Ok(self.report)
    }

    /// Applies the pending lines now.
    pub fn flush(&mut self) -> Result<(), IndexError> {
        let pending = std::mem::take(&mut self.pending);
        let index = self.index;
        let prepared: Vec<Option<Prepared>> = pending
            .par_iter()
            .map(|p| match p {
                Pending::Upsert { doc, .. } => Some(index.prepare(doc)),
                Pending::Delete(_) => None,
            })
            .collect();
        for (item, prepared) in pending.into_iter().zip(prepared) {
            match (item, prepared) {
                (Pending::Delete(id), _) => {
                    index.delete(&[&id])?;
                    self.report.deleted += 1;
                    if self.keep {
                        self.report.accepted.push((id, None));
                    }
                }
                (Pending::Upsert { doc: json, .. }, Some(Ok((id, doc)))) => {
                    index.add_prepared([(id.as_str(), doc)], true)?;
                    self.report.upserted += 1;
                    if self.keep {
                        self.report.accepted.push((id, Some(json)));
                    }
                }
                (Pending::Upsert { line, doc }, Some(Err(errors))) => {
                    let message: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    self.report.fail(LineError {
                        line,
                        id: doc.get("id").cloned(),
                        code: "invalid_document",
                        message: message.join("; "),
                        field: errors.first().map(|e| e.field.clone()),
                    });
                }
                (Pending::Upsert { .. }, None) => unreachable!("every upsert is prepared"),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Analyzer, AnalyzerConfig};
    use crate::schema::KindSpec;

    fn index() -> KindIndex {
        let analyzer = std::sync::Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap());
        KindIndex::in_memory(KindSpec::builtin("concerts").unwrap(), analyzer).unwrap()
    }

    #[test]
    fn lines_apply_in_order_and_bad_lines_are_reported_not_kept() {
        let index = index();
        let mut ingest = Ingest::new(&index, 2);
        let lines = [
            r#"{"id": 1, "title": "첫 공연"}"#,
            r#"{"delete": 1}"#,
            r#"{"id": 1, "title": "다시 넣은 공연"}"#,
            "{oops",
            r#"{"id": 2, "title": "가격 오류", "price_min": "free"}"#,
            "",
            r#"{"delete": [1]}"#,
        ];
        for (i, line) in lines.iter().enumerate() {
            ingest.line(i as u64 + 1, line).unwrap();
        }
        let report = ingest.finish().unwrap();
        index.commit().unwrap();
        assert_eq!((report.upserted, report.deleted, report.failed), (2, 1, 3));
        let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [4, 5, 7]);
        assert_eq!(report.errors[1].field.as_deref(), Some("price_min"));
        assert_eq!(
            index.num_docs(),
            1,
            "the delete came between the two upserts"
        );

        let mut ingest = Ingest::new(&index, 500);
        for n in 0..(MAX_REPORTED_ERRORS as u64 + 50) {
            ingest.line(n + 1, "1").unwrap();
        }
        let report = ingest.finish().unwrap();
        assert_eq!(report.failed, MAX_REPORTED_ERRORS as u64 + 50);
        assert_eq!(report.errors.len(), MAX_REPORTED_ERRORS);
        assert_eq!(report.errors_omitted, 50);
    }
}
