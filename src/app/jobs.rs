//! Background jobs: reindexes requested over HTTP or by a schedule go through the
//! queue (one running and one waiting per kind), failed ones come back after a backoff,
//! and every job that ends is announced to the webhook.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::{App, AppError};
use crate::catalog::{Attempt, CatalogError, Job, JobFilter, JobState, RowError, STALE_AFTER_MS};
use crate::pipeline::{self, ReindexOptions};
use crate::settings::Settings;

/// Most jobs one list returns.
const MAX_LIST: i64 = 1_000;
/// How long the webhook's receiver has to answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// A page of jobs with the count per state.
#[derive(Debug, Clone, Serialize)]
pub struct JobList {
    /// Newest first.
    pub jobs: Vec<Job>,
    /// Jobs per state (of the kind, when the list is of one kind).
    pub counts: BTreeMap<String, i64>,
}

/// A job with its first bad rows and its attempts.
#[derive(Debug, Clone, Serialize)]
pub struct JobDetail {
    /// The job.
    #[serde(flatten)]
    pub job: Job,
    /// The first 1,000 bad rows.
    pub row_errors: Vec<RowError>,
    /// Every run of it.
    pub attempts: Vec<Attempt>,
}

impl App {
    /// Asks for a reindex of `kind` in the background. It starts now when the kind is
    /// free; otherwise it waits in the queue (joining the reindex already waiting, if
    /// any) unless `queue` is false, which refuses with `job_already_running`.
    /// `batch_size` applies when it starts now; a queued job reads pages of the
    /// configured size.
    pub async fn start_reindex(
        &self,
        kind: &str,
        swap: Option<bool>,
        batch_size: Option<usize>,
        queue: bool,
    ) -> Result<Job, AppError> {
        self.engine.spec(kind)?;
        let defaults = self.settings.reindex_options();
        let options = ReindexOptions {
            swap: swap.unwrap_or(defaults.swap),
            batch_size: batch_size.unwrap_or(defaults.batch_size),
            ..defaults
        };
        options.check()?;
        let catalog = self.engine.catalog()?;
        if !queue
            && let Some(running) = catalog.active_job(kind).await?
            && !running.is_stale(STALE_AFTER_MS)
        {
            return Err(CatalogError::AlreadyRunning {
                kind: kind.to_string(),
                job_id: running.id,
            }
            .into());
        }
        let enqueued = catalog.enqueue_reindex(kind, options.swap, "api").await?;
        self.dispatch_kind(kind, &options).await?;
        self.with_position(catalog.job(enqueued.job.id).await?)
            .await
    }

    /// Starts what can start: per kind, a reindex a dead process left running, else the
    /// queued one once the kind is free and its backoff is over. `serve` calls this
    /// every second; the catalog makes sure one process starts each job.
    pub async fn dispatch(&self) -> Result<usize, AppError> {
        let options = self.settings.reindex_options();
        let mut started = 0;
        for kind in self.engine.kinds() {
            started += usize::from(self.dispatch_kind(&kind, &options).await?);
        }
        Ok(started)
    }

    async fn dispatch_kind(&self, kind: &str, options: &ReindexOptions) -> Result<bool, AppError> {
        match pipeline::start_queued(&self.engine, &self.source, kind, options).await? {
            pipeline::Claimed::Nothing => Ok(false),
            pipeline::Claimed::Run(job) => {
                self.spawn_reindex(*job, options.clone());
                Ok(true)
            }
            pipeline::Claimed::Failed(id) => {
                if let Some(webhook) = &self.webhook {
                    webhook.job_ended(self.engine.catalog()?, id).await;
                }
                Ok(false)
            }
        }
    }

    fn spawn_reindex(&self, job: Job, options: ReindexOptions) {
        let engine = self.engine.clone();
        let source = self.source.clone();
        let webhook = self.webhook.clone();
        let task = tokio::spawn(async move {
            // The outcome is in the catalog (jobs); failures are logged there.
            let _ = pipeline::run_job(&engine, &source, &job, &options, |_| {}).await;
            if let (Some(webhook), Ok(catalog)) = (webhook, engine.catalog()) {
                webhook.job_ended(catalog, job.id).await;
            }
        });
        self.track(task);
    }

    /// Keeps a background task so a shutdown can wait for it.
    pub(super) fn track(&self, task: tokio::task::JoinHandle<()>) {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.retain(|t| !t.is_finished());
        jobs.push(task);
    }

    /// The latest jobs that pass `filter`, newest first, with the count per state.
    pub async fn jobs(&self, filter: &JobFilter, limit: i64) -> Result<JobList, AppError> {
        if let Some(kind) = &filter.kind {
            self.engine.spec(kind)?;
        }
        let catalog = self.engine.catalog()?;
        let mut jobs = Vec::new();
        for job in catalog.jobs_where(filter, limit.clamp(1, MAX_LIST)).await? {
            jobs.push(self.with_position(job).await?);
        }
        let counts = catalog.job_counts(filter.kind.as_deref()).await?;
        Ok(JobList { jobs, counts })
    }

    /// One job with its first 1,000 bad rows and its attempts.
    pub async fn job(&self, id: i64) -> Result<JobDetail, AppError> {
        let catalog = self.engine.catalog()?;
        let job = self.with_position(catalog.job(id).await?).await?;
        Ok(JobDetail {
            row_errors: catalog.row_errors(id, 1_000).await?,
            attempts: catalog.attempts(id).await?,
            job,
        })
    }

    /// Asks a job to stop: a running one within a second, a queued one at once.
    pub async fn cancel_job(&self, id: i64) -> Result<Job, AppError> {
        let catalog = self.engine.catalog()?;
        let before = catalog.job(id).await?;
        let job = catalog.request_cancel(id).await?;
        if before.state == JobState::Queued
            && job.state == JobState::Cancelled
            && let Some(webhook) = &self.webhook
        {
            webhook.job_ended(catalog, id).await;
        }
        Ok(job)
    }

    /// Runs a failed or cancelled reindex again as its next attempt (queued; it starts
    /// when the kind is free).
    pub async fn retry_job(&self, id: i64) -> Result<Job, AppError> {
        let catalog = self.engine.catalog()?;
        let job = catalog.retry_job(id).await?;
        let options = self.settings.reindex_options();
        self.dispatch_kind(&job.kind, &options).await?;
        self.with_position(catalog.job(id).await?).await
    }

    async fn with_position(&self, mut job: Job) -> Result<Job, AppError> {
        if job.state == JobState::Queued {
            job.position = Some(self.engine.catalog()?.queue_position(job.id).await?);
        }
        Ok(job)
    }
}

/// The webhook: a JSON POST per job that ends.
#[derive(Clone)]
pub(super) struct Webhook {
    url: String,
    client: reqwest::Client,
}

impl Webhook {
    pub(super) fn new(settings: &Settings) -> Option<Self> {
        let url = settings.webhook_url.clone().filter(|u| !u.is_empty())?;
        let client = reqwest::Client::builder()
            .timeout(WEBHOOK_TIMEOUT)
            .build()
            .ok()?;
        Some(Webhook { url, client })
    }

    /// Posts `{"event": "job.<state>", "job": …}` for job `id` if it has ended. A failed
    /// delivery is logged, never retried: the job's state is in the catalog either way.
    pub(super) async fn job_ended(&self, catalog: &crate::catalog::Catalog, id: i64) {
        let Ok(job) = catalog.job(id).await else {
            return;
        };
        if !job.state.is_final() {
            return;
        }
        let body = serde_json::json!({
            "event": format!("job.{}", job.state.as_str()),
            "job": job,
        });
        match self.client.post(&self.url).json(&body).send().await {
            Ok(r) if r.status().is_success() => {
                tracing::info!(job = id, status = r.status().as_u16(), "webhook delivered");
            }
            Ok(r) => {
                tracing::warn!(job = id, status = r.status().as_u16(), url = %self.url, "the webhook's receiver refused the notification");
            }
            Err(e) => {
                tracing::warn!(job = id, error = %e, url = %self.url, "the webhook could not be delivered");
            }
        }
    }
}
