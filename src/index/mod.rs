//! One tantivy index per document kind: create or open it on disk, upsert and delete
//! documents by id in batches, commit, and hand out searchers.
//!
//! Thread-safe (`&self` everywhere; the writer sits behind a mutex and is opened on the
//! first write). The calls that touch the writer or disk block — `upsert`, `delete`, `commit`, `open_or_create` — so async
//! callers should run them on `tokio::task::spawn_blocking`; `searcher` is cheap.

mod document;
mod fields;
mod ingest;
mod memo;
mod source;

use std::path::Path;
use std::sync::{Arc, Mutex};

use tantivy::directory::MmapDirectory;
use tantivy::index::SegmentId;
use tantivy::merge_policy::NoMergePolicy;
use tantivy::schema::Term;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher};

pub use document::{FieldValue, IndexDocument};
pub use fields::{
    CHOSUNG_SUFFIX, FieldMap, IndexedField, JAMO_SUFFIX, TIEBREAK_FIELD, tiebreak_key,
};
pub use ingest::{Accepted, Ingest, IngestReport, LineError, MAX_REPORTED_ERRORS};
pub use memo::{AnalysisMemo, MEMO_BYTES, MEMO_MAX_CHARS};

use crate::analysis::{Analyzer, register_tokenizers};
use crate::error::{Code, ErrorCode};
use crate::schema::{FieldError, KindSpec};

impl ErrorCode for IndexError {
    fn error_code(&self) -> Code {
        match self {
            IndexError::Io { .. } => Code::Io,
            _ => Code::IndexError,
        }
    }
}

/// Memory budget of an index writer (tantivy splits it across its threads).
pub const DEFAULT_WRITER_MEMORY: usize = 100_000_000;

/// Errors of the index layer. All are internal (disk, tantivy) except
/// [`IndexError::SchemaMismatch`], which means the directory holds another kind's index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The directory's index was built from a different spec.
    #[error(
        "{path} holds an index with a different schema than kind {kind}; reindex into a new directory"
    )]
    SchemaMismatch {
        /// The index directory.
        path: String,
        /// The kind.
        kind: String,
    },
    /// Creating the directory failed.
    #[error("cannot create {path}: {reason}")]
    Io {
        /// The directory.
        path: String,
        /// Why.
        reason: std::io::Error,
    },
    /// tantivy failed.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Opening the directory failed.
    #[error("cannot open index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
}

/// A document of a batch that was rejected, with its position in the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 0-based position in the batch.
    pub index: usize,
    /// Every problem found.
    pub errors: Vec<FieldError>,
}

/// What an upsert batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Documents added or replaced.
    pub upserted: usize,
    /// Documents rejected by validation (the rest of the batch still applies).
    pub rejected: Vec<Rejected>,
}

/// The index of one document kind.
pub struct KindIndex {
    spec: KindSpec,
    analyzer: Arc<Analyzer>,
    fields: FieldMap,
    /// Analysis of repeated short values, reused (see `memo.rs`).
    memo: AnalysisMemo,
    index: Index,
    reader: IndexReader,
    /// Created on the first write, so read-only users (a `chatda search` next to a
    /// running server) do not take the index's writer lock.
    writer: Mutex<Option<IndexWriter<IndexDocument>>>,
}

impl KindIndex {
    /// Opens the index in `dir`, creating it (and the directory) if there is none.
    pub fn open_or_create(
        dir: &Path,
        spec: KindSpec,
        analyzer: Arc<Analyzer>,
    ) -> Result<Self, IndexError> {
        std::fs::create_dir_all(dir).map_err(|reason| IndexError::Io {
            path: dir.display().to_string(),
            reason,
        })?;
        let fields = FieldMap::new(&spec);
        let index = Index::open_or_create(MmapDirectory::open(dir)?, fields.schema.clone())
            .map_err(|e| match e {
                tantivy::TantivyError::SchemaError(_) => IndexError::SchemaMismatch {
                    path: dir.display().to_string(),
                    kind: spec.name.clone(),
                },
                other => IndexError::Tantivy(other),
            })?;
        Self::from_index(index, spec, fields, analyzer)
    }

    /// An index held in memory (tests, small embedded uses).
    pub fn in_memory(spec: KindSpec, analyzer: Arc<Analyzer>) -> Result<Self, IndexError> {
        let fields = FieldMap::new(&spec);
        let index = Index::create_in_ram(fields.schema.clone());
        Self::from_index(index, spec, fields, analyzer)
    }

    fn from_index(
        index: Index,
        spec: KindSpec,
        fields: FieldMap,
        analyzer: Arc<Analyzer>,
    ) -> Result<Self, IndexError> {
        register_tokenizers(index.tokenizers(), analyzer.clone());
        // Reloaded explicitly after each commit, so a commit is visible to the next
        // searcher at once rather than after a polling delay.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(KindIndex {
            spec,
            analyzer,
            fields,
            memo: AnalysisMemo::default(),
            index,
            reader,
            writer: Mutex::new(None),
        })
    }

    /// The kind's spec.
    pub fn spec(&self) -> &KindSpec {
        &self.spec
    }

    /// The analyzer documents are indexed with (queries must use the same one).
    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// The tantivy field handles.
    pub fn fields(&self) -> &FieldMap {
        &self.fields
    }

    /// The tantivy index.
    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    /// Validates and adds or replaces (by id) a batch of JSON documents. Invalid
    /// documents are reported and skipped. Not visible to searches until [`Self::commit`].
    pub fn upsert(&self, docs: &[serde_json::Value]) -> Result<BatchReport, IndexError> {
        let mut report = BatchReport::default();
        let mut guard = self.writer()?;
        let writer = guard.as_mut().expect("writer() opened it");
        for (index, doc) in docs.iter().enumerate() {
            match self.spec.validate(doc) {
                Ok(valid) => {
                    writer.delete_term(Term::from_field_text(self.fields.id, &valid.id));
                    // add_document only fails when the writer is gone (a bug), not per document.
                    if writer
                        .add_document(self.fields.document(&valid, &self.analyzer, &self.memo))
                        .is_ok()
                    {
                        report.upserted += 1;
                    }
                }
                Err(errors) => report.rejected.push(Rejected { index, errors }),
            }
        }
        Ok(report)
    }

    /// Validates `doc` and builds its tantivy document, analysis included: the CPU-heavy
    /// half of indexing, safe to run on many threads at once (bulk loads do, with rayon).
    /// Returns the document's id with it.
    pub fn prepare(
        &self,
        doc: &serde_json::Value,
    ) -> Result<(String, IndexDocument), Vec<FieldError>> {
        let valid = self.spec.validate(doc)?;
        let document = self.fields.document(&valid, &self.analyzer, &self.memo);
        Ok((valid.id, document))
    }

    /// Adds prepared documents `(id, document)`. With `replace`, earlier documents of the
    /// same id are deleted first (an upsert); without, the caller guarantees the ids are
    /// new (a bulk load into a new version, where the deletes would be wasted work).
    pub fn add_prepared<'a>(
        &self,
        docs: impl IntoIterator<Item = (&'a str, IndexDocument)>,
        replace: bool,
    ) -> Result<usize, IndexError> {
        let guard = self.writer()?;
        let writer = guard.as_ref().expect("writer() opened it");
        let mut added = 0;
        for (id, doc) in docs {
            if replace {
                writer.delete_term(Term::from_field_text(self.fields.id, id));
            }
            writer.add_document(doc)?;
            added += 1;
        }
        Ok(added)
    }

    /// Opens the writer for a bulk load: `threads` indexing threads sharing `memory`
    /// bytes (replacing the default one of the first write), and no merges until
    /// [`Self::merge_into`] at the end, so each document is merged once rather than at
    /// every level of the merge policy while the load competes for the same cores.
    /// Call before writing.
    pub fn configure_writer(&self, threads: usize, memory: usize) -> Result<(), IndexError> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        *guard = None; // releases the directory lock before taking it again
        let writer = self.index.writer_with_num_threads(threads.max(1), memory)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        *guard = Some(writer);
        Ok(())
    }

    /// Drops the writer after its background merges finish, releasing the directory's
    /// writer lock (so another `KindIndex` on the same directory can write).
    pub fn close_writer(&self) -> Result<(), IndexError> {
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        // The memo served the bulk load; a serving index gets few writes.
        self.memo.clear();
        if let Some(writer) = writer {
            writer.wait_merging_threads()?;
        }
        Ok(())
    }

    /// Merges the committed segments into at most `target` segments of about equal size
    /// (largest first into the smallest group), waits for the merges and closes the
    /// writer. The end of a bulk load: the merge policy leaves a few large and several
    /// small segments, and every segment costs each search its own term lookups, while
    /// a search running alone gives each search thread one segment. Returns the number
    /// of segments after.
    pub fn merge_into(&self, target: usize) -> Result<usize, IndexError> {
        let target = target.max(1);
        // Sizes and ids only: a segment's meta held anywhere keeps its files from the
        // garbage collection below.
        let mut segments: Vec<(u32, SegmentId)> = self
            .index
            .searchable_segment_metas()?
            .iter()
            .map(|meta| (meta.num_docs(), meta.id()))
            .collect();
        if segments.len() > target {
            segments.sort_by_key(|&(docs, _)| std::cmp::Reverse(docs));
            let mut groups = vec![(0u64, Vec::new()); target];
            for (docs, id) in segments {
                let smallest = groups
                    .iter_mut()
                    .min_by_key(|(total, _)| *total)
                    .expect("target ≥ 1");
                smallest.0 += u64::from(docs);
                smallest.1.push(id);
            }
            let mut guard = self.writer()?;
            let writer = guard.as_mut().expect("writer() opened it");
            let merges: Vec<_> = groups
                .into_iter()
                .filter(|(_, ids)| ids.len() > 1)
                .map(|(_, ids)| writer.merge(&ids))
                .collect();
            for merge in merges {
                merge.wait()?;
            }
            // The merged segments' files go now, not at the next commit (the reader holds
            // them until it moves on to the new segments).
            self.reader.reload()?;
            writer.garbage_collect_files().wait()?;
        }
        self.close_writer()?;
        self.reader.reload()?;
        Ok(self.index.searchable_segment_metas()?.len())
    }

    /// The writer, opened on first use.
    fn writer(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, Option<IndexWriter<IndexDocument>>>, IndexError> {
        let mut guard = self
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            *guard = Some(self.index.writer(DEFAULT_WRITER_MEMORY)?);
        }
        Ok(guard)
    }

    /// Deletes documents by id (unknown ids are ignored). Visible after [`Self::commit`].
    pub fn delete(&self, ids: &[&str]) -> Result<(), IndexError> {
        let guard = self.writer()?;
        let writer = guard.as_ref().expect("writer() opened it");
        for id in ids {
            writer.delete_term(Term::from_field_text(self.fields.id, id));
        }
        Ok(())
    }

    /// Makes every change so far durable and visible to new searchers.
    pub fn commit(&self) -> Result<(), IndexError> {
        self.writer()?
            .as_mut()
            .expect("writer() opened it")
            .commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Picks up commits made by another process (or another `KindIndex` on the same
    /// directory).
    pub fn reload(&self) -> Result<(), IndexError> {
        Ok(self.reader.reload()?)
    }

    /// A searcher over the last commit: take one per request.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Number of live documents in the last commit.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{QueryParser, TermQuery};
    use tantivy::schema::IndexRecordOption;

    use super::*;
    use crate::analysis::AnalyzerConfig;

    fn analyzer() -> Arc<Analyzer> {
        Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap())
    }

    #[test]
    fn merge_into_balances_the_segments_and_keeps_every_document() {
        let dir = tempfile::tempdir().unwrap();
        let spec = KindSpec::builtin("concerts").unwrap();
        let index = KindIndex::open_or_create(dir.path(), spec, analyzer()).unwrap();
        // One indexing thread, no merges: one segment per commit.
        index.configure_writer(1, 15_000_000).unwrap();
        let mut id = 0;
        // Segments of 40, 40, 8, 8, 6 and 6 documents (one commit each), one deleted.
        for size in [40, 40, 8, 8, 6, 6] {
            let docs: Vec<_> = (0..size)
                .map(|_| {
                    id += 1;
                    json!({"id": id, "title": format!("공연 {id}")})
                })
                .collect();
            index.upsert(&docs).unwrap();
            index.commit().unwrap();
        }
        index.delete(&["3"]).unwrap();
        index.commit().unwrap();
        index.close_writer().unwrap();
        let sizes = |index: &KindIndex| {
            let mut sizes: Vec<u32> = index
                .tantivy()
                .searchable_segment_metas()
                .unwrap()
                .iter()
                .map(|m| m.num_docs())
                .collect();
            sizes.sort_unstable();
            sizes
        };
        assert_eq!(sizes(&index), [6, 6, 8, 8, 39, 40]);
        let files = || std::fs::read_dir(dir.path()).unwrap().count();
        let before = files();
        assert_eq!(index.merge_into(2).unwrap(), 2);
        assert!(files() < before, "the merged segments' files are deleted");
        assert_eq!(
            sizes(&index),
            [53, 54],
            "largest first into the smaller group"
        );
        assert_eq!(index.num_docs(), 107);
        assert_eq!(
            index.merge_into(4).unwrap(),
            2,
            "fewer segments than asked: kept"
        );
        assert_eq!(index.merge_into(0).unwrap(), 1, "zero means one");
        assert_eq!(index.num_docs(), 107);
        let searcher = index.searcher();
        let query = TermQuery::new(
            Term::from_field_text(index.fields().id, "107"),
            IndexRecordOption::Basic,
        );
        assert_eq!(searcher.search(&query, &Count).unwrap(), 1);
    }

    #[test]
    fn upsert_replace_delete_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let spec = KindSpec::builtin("concerts").unwrap();
        let index = KindIndex::open_or_create(dir.path(), spec.clone(), analyzer()).unwrap();
        let report = index.upsert(&[
            json!({"id": 1, "title": "2025 여름 공연", "genre": "콘서트", "start_date": "2025-07-01"}),
            json!({"id": 2, "title": "뮤지컬 레미제라블", "genre": "뮤지컬"}),
            json!({"id": 3, "genre": "연극"}),
            json!({"id": 1, "title": "2025 여름 공연 (추가 회차)", "genre": "콘서트"}),
        ]).unwrap();
        assert_eq!(report.upserted, 3);
        assert_eq!(report.rejected.len(), 1);
        assert_eq!(report.rejected[0].index, 2);
        assert_eq!(report.rejected[0].errors[0].field, "title");
        assert_eq!(index.num_docs(), 0, "nothing visible before commit");
        index.commit().unwrap();
        assert_eq!(index.num_docs(), 2, "id 1 was replaced, not duplicated");

        let searcher = index.searcher();
        let title = match index.fields().fields[0] {
            IndexedField::Text { main, .. } => main,
            other => panic!("{other:?}"),
        };
        let query = QueryParser::for_index(index.tantivy(), vec![title])
            .parse_query("여름공연")
            .unwrap();
        let hits = searcher
            .search(&query, &TopDocs::with_limit(5).order_by_score())
            .unwrap();
        assert_eq!(hits.len(), 1);
        let genre = match index.fields().fields[4] {
            IndexedField::Plain(f) => f,
            other => panic!("{other:?}"),
        };
        let musicals = TermQuery::new(
            Term::from_field_text(genre, "뮤지컬"),
            IndexRecordOption::Basic,
        );
        assert_eq!(searcher.search(&musicals, &Count).unwrap(), 1);

        index.delete(&["2", "404"]).unwrap();
        index.commit().unwrap();
        assert_eq!(index.num_docs(), 1);
        drop(index);

        let reopened = KindIndex::open_or_create(dir.path(), spec, analyzer()).unwrap();
        assert_eq!(
            reopened.num_docs(),
            1,
            "committed documents survive a reopen"
        );
        let other = KindIndex::open_or_create(
            dir.path(),
            KindSpec::builtin("tickets").unwrap(),
            analyzer(),
        );
        assert!(
            matches!(other, Err(IndexError::SchemaMismatch { .. })),
            "a tickets spec must not open a concerts index"
        );
    }
}
