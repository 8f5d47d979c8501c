//! Imports of files (in the foreground, or as a job from an upload) and exports of what a
//! filter and query match.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use super::{App, AppError};
use crate::catalog::{Job, JobAction};
use crate::pipeline::{self, ImportReport};
use crate::query::{SearchRequest, TrackTotal};
use crate::transfer::{ColumnMap, ExportHeader, Exporter, Format, Rows, TransferError, open_rows};

/// Hits fetched per page of an export.
const EXPORT_PAGE: usize = 1_000;
/// Directory of the data directory that holds uploads until their import job ends.
const IMPORTS_DIR: &str = "imports";
/// Directory of the data directory for the temporary files of XLSX exports.
const EXPORTS_DIR: &str = "exports";

/// How to read an import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    /// The file's format (`None`: from the file's extension).
    pub format: Option<Format>,
    /// Column renames, `column=field,column=` (empty: headers are field names).
    #[serde(default)]
    pub map: String,
    /// Separator of the values of list fields in one cell.
    #[serde(default = "default_separator")]
    pub list_separator: char,
}

fn default_separator() -> char {
    '|'
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            format: None,
            map: String::new(),
            list_separator: default_separator(),
        }
    }
}

/// What an import job keeps about its input.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredInput {
    path: PathBuf,
    #[serde(flatten)]
    options: ImportOptions,
}

/// What to export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRequest {
    /// Query text (empty: every document the filter lets through, by id).
    pub q: String,
    /// The filter, as in a search.
    pub filter: Option<Map<String, Json>>,
    /// The format.
    pub format: Format,
    /// Separator of list values in CSV/TSV/XLSX cells.
    pub list_separator: char,
}

impl Default for ExportRequest {
    fn default() -> Self {
        ExportRequest {
            q: String::new(),
            filter: None,
            format: Format::Jsonl,
            list_separator: default_separator(),
        }
    }
}

/// Where an export goes.
pub enum ExportTarget {
    /// CSV, TSV or JSON lines written as they are produced.
    Stream(Box<dyn Write + Send>),
    /// An XLSX file at this path.
    File(PathBuf),
}

impl App {
    /// Opens `path` as rows of `kind` (checking its header and the mapping now).
    fn rows(&self, kind: &str, path: &Path, options: &ImportOptions) -> Result<Rows, AppError> {
        let spec = self.engine.spec(kind)?;
        let format = match options.format {
            Some(format) => format,
            None => Format::from_path(path).ok_or_else(|| AppError::Invalid {
                field: "format",
                reason: format!(
                    "cannot tell the format of {} from its name: give one of {}",
                    path.display(),
                    Format::NAMES
                ),
            })?,
        };
        let map = ColumnMap::from_str(&options.map).map_err(|e| AppError::Invalid {
            field: "map",
            reason: e.to_string(),
        })?;
        Ok(open_rows(path, format, spec, &map, options.list_separator)
            .map_err(crate::pipeline::PipelineError::from)?)
    }

    /// Imports a file into the live version of `kind` now (the CLI's `import`), with
    /// `progress` after each commit. Rows go in the way `documents` writes do: journaled
    /// when the version is fed from the source, so a reindex keeps them.
    pub async fn import_file(
        &self,
        kind: &str,
        path: &Path,
        options: &ImportOptions,
        progress: impl FnMut(&ImportReport) + Send,
    ) -> Result<ImportReport, AppError> {
        let rows = self.rows(kind, path, options)?;
        Ok(pipeline::import(&self.engine, &self.source, kind, rows, None, progress).await?)
    }

    /// The path a new upload is written to before [`App::start_import`] takes it.
    pub fn upload_path(&self) -> Result<PathBuf, AppError> {
        let dir = self.settings.data_dir().join(IMPORTS_DIR);
        std::fs::create_dir_all(&dir).map_err(|reason| AppError::Io {
            path: dir.display().to_string(),
            reason,
        })?;
        let unique = format!(
            "upload-{}-{}.part",
            std::process::id(),
            crate::catalog::now_ms()
        );
        Ok(dir.join(unique))
    }

    /// Starts an import job of the uploaded file at `upload` (which it takes over: the
    /// file is kept until the job ends, so an interrupted job resumes). The header and
    /// mapping are checked first; a bad one is an error and no job starts.
    pub async fn start_import(
        &self,
        kind: &str,
        upload: &Path,
        options: ImportOptions,
    ) -> Result<i64, AppError> {
        let format = options.format.ok_or(AppError::Invalid {
            field: "format",
            reason: format!("required: one of {}", Format::NAMES),
        })?;
        let remove = |e| {
            let _ = std::fs::remove_file(upload);
            e
        };
        self.rows(kind, upload, &options).map_err(remove)?;
        let live = self.engine.live(kind).map_err(|e| remove(e.into()))?;
        let catalog = self.engine.catalog().map_err(|e| remove(e.into()))?;
        let path = upload.with_extension(format.extension());
        std::fs::rename(upload, &path).map_err(|reason| {
            remove(AppError::Io {
                path: path.display().to_string(),
                reason,
            })
        })?;
        let input = StoredInput { path, options };
        let input_json = serde_json::to_string(&input)
            .map_err(|e| AppError::Internal(format!("import input: {e}")))?;
        let job = catalog
            .start_import_job(kind, live.version, &input_json, None)
            .await?;
        let id = job.id;
        self.spawn_import(job);
        Ok(id)
    }

    /// Resumes the import jobs a dead or stopped process left running.
    pub async fn resume_imports(&self) -> Result<usize, AppError> {
        let catalog = self.engine.catalog()?;
        let mut resumed = 0;
        for job in catalog.stale_imports().await? {
            if catalog.take_over(&job).await? {
                tracing::warn!(job = job.id, checkpoint = ?job.checkpoint, "resuming an import its process left running");
                self.spawn_import(job);
                resumed += 1;
            }
        }
        Ok(resumed)
    }

    fn spawn_import(&self, job: Job) {
        debug_assert_eq!(job.action, JobAction::Import);
        let engine = self.engine.clone();
        let source = self.source.clone();
        let webhook = self.webhook.clone();
        let app_rows = self.import_rows_of(&job);
        let task = tokio::spawn(async move {
            let Ok(catalog) = engine.catalog() else {
                return;
            };
            let beating = {
                let catalog = catalog.clone();
                let id = job.id;
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
                    loop {
                        tick.tick().await;
                        let _ = catalog.heartbeat(id).await;
                    }
                })
            };
            let outcome = match app_rows {
                Ok((rows, _)) => {
                    pipeline::import(&engine, &source, &job.kind, rows, Some(&job), |_| {}).await
                }
                Err(e) => Err(e),
            };
            beating.abort();
            if let Err(e) = pipeline::finish_import(catalog, &job, &outcome).await {
                tracing::error!(job = job.id, error = %e, "recording the end of an import failed");
            }
            if !matches!(outcome, Err(pipeline::PipelineError::Interrupted(_)))
                && let Some(path) = stored_path(&job)
            {
                let _ = std::fs::remove_file(path);
            }
            if let Some(webhook) = webhook {
                webhook.job_ended(catalog, job.id).await;
            }
        });
        self.track(task);
    }

    fn import_rows_of(&self, job: &Job) -> Result<(Rows, PathBuf), pipeline::PipelineError> {
        let input: StoredInput = job
            .input
            .as_deref()
            .and_then(|i| serde_json::from_str(i).ok())
            .ok_or_else(|| pipeline::internal(format!("import job {} has no input", job.id)))?;
        let rows = self
            .rows(&job.kind, &input.path, &input.options)
            .map_err(|e| pipeline::internal(e.to_string()))?;
        Ok((rows, input.path))
    }

    /// Writes every document of `kind` that `request` matches to `target`, a page at a
    /// time (constant memory whatever the count); returns the header it wrote.
    pub async fn export(
        &self,
        kind: &str,
        request: ExportRequest,
        target: ExportTarget,
    ) -> Result<ExportHeader, AppError> {
        let spec = self.engine.spec(kind)?.clone();
        let live = self.engine.live(kind)?;
        let mut search = SearchRequest {
            q: request.q.clone(),
            filter: request.filter.clone(),
            limit: EXPORT_PAGE,
            // The header records how many rows follow.
            track_total_hits: TrackTotal::Exact,
            cache: false,
            ..SearchRequest::default()
        };
        let first = self.search(kind, search.clone()).await?;
        let header = ExportHeader {
            kind: kind.to_string(),
            version: live.version,
            q: request.q.clone(),
            filter: request.filter.clone().map_or(Json::Null, Json::Object),
            rows: first.total.value,
            format: request.format,
            exported_at: now_rfc3339(),
        };
        let separator = request.list_separator;
        let temp = self.settings.data_dir().join(EXPORTS_DIR);
        let (format, opening) = (request.format, header.clone());
        // Writers may block (a slow client): every write runs on a blocking thread.
        let exporter = tokio::task::spawn_blocking(move || match target {
            ExportTarget::Stream(out) => Exporter::stream(format, &spec, &opening, separator, out),
            ExportTarget::File(path) => {
                std::fs::create_dir_all(&temp).map_err(|reason| TransferError::Io {
                    path: temp.display().to_string(),
                    reason,
                })?;
                Exporter::workbook(&spec, &opening, separator, &path, &temp)
            }
        })
        .await
        .map_err(|e| AppError::Internal(format!("export task panicked: {e}")))?
        .map_err(pipeline::PipelineError::from)?;
        let mut exporter = Some(exporter);
        let paged = self
            .export_pages(kind, &mut search, first, &mut exporter)
            .await;
        let exporter = exporter.expect("the exporter is back after each page");
        // Dropping a writer may flush into a blocking sink: never on the async side.
        let written = tokio::task::spawn_blocking(move || match paged {
            Ok(()) => exporter.finish().map_err(pipeline::PipelineError::from),
            Err(e) => {
                drop(exporter);
                Err(e)
            }
        })
        .await
        .map_err(|e| AppError::Internal(format!("export task panicked: {e}")))??;
        Ok(ExportHeader {
            rows: written,
            ..header
        })
    }

    /// Writes the hits of `page` and every page after it; the exporter is in `slot`
    /// again when this returns, whatever the outcome.
    async fn export_pages(
        &self,
        kind: &str,
        search: &mut SearchRequest,
        first: crate::query::SearchResponse,
        slot: &mut Option<Exporter>,
    ) -> Result<(), pipeline::PipelineError> {
        let mut page = first;
        loop {
            let hits = std::mem::take(&mut page.hits);
            let mut writing = slot.take().expect("the exporter is in its slot");
            let (writing, wrote) = tokio::task::spawn_blocking(move || {
                let wrote = hits
                    .iter()
                    .try_for_each(|hit| writing.write(&hit.id, &hit.source));
                (writing, wrote)
            })
            .await
            .map_err(|e| pipeline::internal(format!("export task panicked: {e}")))?;
            *slot = Some(writing);
            wrote?;
            let Some(cursor) = page.next_cursor.take() else {
                return Ok(());
            };
            search.search_after = Some(cursor);
            page = self
                .search(kind, search.clone())
                .await
                .map_err(|e| pipeline::internal(format!("an export page failed: {e}")))?;
            if page.hits.is_empty() {
                return Ok(());
            }
        }
    }

    /// Starts an export whose bytes arrive on the returned channel (for a response
    /// body), after checking the request: a bad filter is an error here, before any byte.
    /// Returns the number of documents it will hold. A failure half-way ends the stream
    /// with an error; a receiver that goes away stops the export.
    pub async fn export_stream(
        self: &Arc<Self>,
        kind: &str,
        request: ExportRequest,
    ) -> Result<(u64, ExportChunks), AppError> {
        let probe = SearchRequest {
            q: request.q.clone(),
            filter: request.filter.clone(),
            limit: 0,
            cache: false,
            ..SearchRequest::default()
        };
        let rows = self.search(kind, probe).await?.total.value;
        let (tx, rx) = tokio::sync::mpsc::channel(STREAM_CHUNKS);
        let app = self.clone();
        let kind = kind.to_string();
        tokio::spawn(async move {
            let failed = tx.clone();
            let outcome = if request.format == Format::Xlsx {
                app.export_workbook(&kind, request, tx).await
            } else {
                let sink = ChannelWriter::new(tx);
                app.export(&kind, request, ExportTarget::Stream(Box::new(sink)))
                    .await
                    .map(drop)
            };
            if let Err(e) = outcome {
                tracing::error!(kind, error = %e, "export failed half-way");
                let _ = failed
                    .send(Err(std::io::Error::other(
                        "the export failed; see the server log",
                    )))
                    .await;
            }
        });
        Ok((rows, rx))
    }

    /// An XLSX export built in a temporary file, then sent and removed.
    async fn export_workbook(
        &self,
        kind: &str,
        request: ExportRequest,
        tx: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
    ) -> Result<(), AppError> {
        let path = self.settings.data_dir().join(EXPORTS_DIR).join(format!(
            "export-{}-{}.xlsx",
            std::process::id(),
            crate::catalog::now_ms()
        ));
        let built = self
            .export(kind, request, ExportTarget::File(path.clone()))
            .await;
        let sent = match built {
            Ok(_) => {
                let file = path.clone();
                tokio::task::spawn_blocking(move || {
                    let mut sink = ChannelWriter::new(tx);
                    let mut input = std::fs::File::open(&file)?;
                    std::io::copy(&mut input, &mut sink)?;
                    sink.flush()
                })
                .await
                .map_err(|e| AppError::Internal(format!("export task panicked: {e}")))?
                .map_err(|reason| AppError::Io {
                    path: path.display().to_string(),
                    reason,
                })
            }
            Err(e) => Err(e),
        };
        let _ = std::fs::remove_file(&path);
        sent
    }
}

/// Chunks of an export in flight: bytes, or the error that ended it.
pub type ExportChunks = tokio::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>;

/// Chunks buffered between the export and a slow client (each up to 64 KiB).
const STREAM_CHUNKS: usize = 8;
const CHUNK_BYTES: usize = 64 * 1024;

/// A `Write` that hands 64 KiB chunks to a channel, waiting while it is full (so memory
/// stays bounded whatever the client's speed). Only for blocking threads.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn new(tx: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>) -> Self {
        ChannelWriter {
            tx,
            buf: Vec::with_capacity(CHUNK_BYTES),
        }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

fn stored_path(job: &Job) -> Option<PathBuf> {
    let input: StoredInput = serde_json::from_str(job.input.as_deref()?).ok()?;
    Some(input.path)
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
