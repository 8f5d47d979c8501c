//! The scheduler `serve` runs: every second it starts what the job queue can start,
//! fires the `[[schedule]]` entries that came due (a reindex goes through the queue like
//! a requested one) and the retention pass. A firing is claimed in the catalog first, so
//! several processes on one data directory never run it twice. Firings missed while no
//! process ran are not made up: the next one comes at its time.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use super::{App, AppError};
use crate::catalog::{Firing, JobState, Pruned};
use crate::pipeline;
use crate::settings::Cron;

/// The retention pass's schedule name.
const RETENTION: &str = "retention";

/// A schedule as `GET /v1/schedules` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleView {
    /// Its name.
    pub name: String,
    /// The kind (none for retention).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `reindex` or `retention`.
    pub action: String,
    /// The cron expression.
    pub cron: String,
    /// The time zone it runs in.
    pub time_zone: String,
    /// The next firing, RFC 3339.
    pub next_run: Option<String>,
    /// The latest firing, with the state of the job it queued.
    pub last_run: Option<LastRun>,
}

/// The latest firing of a schedule.
#[derive(Debug, Clone, Serialize)]
pub struct LastRun {
    /// When it was due, RFC 3339.
    pub due_at: String,
    /// The job it queued.
    pub job_id: Option<i64>,
    /// That job's state now.
    pub job_state: Option<JobState>,
    /// What it did.
    pub outcome: Option<String>,
}

/// What a retention pass removed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RetentionReport {
    /// Change-log entries every kept version had applied.
    pub change_log: u64,
    /// Finished jobs and firings older than the kept history.
    #[serde(flatten)]
    pub history: Pruned,
}

/// A schedule with its parsed expression.
struct Planned {
    name: String,
    kind: Option<String>,
    action: &'static str,
    cron: Cron,
}

impl App {
    /// Checks that every schedule names a known kind (the expressions were checked with
    /// the settings).
    pub(super) fn check_schedules(&self) -> Result<(), AppError> {
        for schedule in &self.settings.schedules {
            self.engine
                .spec(&schedule.kind)
                .map_err(|e| AppError::Invalid {
                    field: "schedule",
                    reason: format!("schedule {:?}: {e}", schedule.name()),
                })?;
        }
        Ok(())
    }

    fn planned(&self) -> Vec<Planned> {
        let mut out: Vec<Planned> = self
            .settings
            .schedules
            .iter()
            .filter_map(|s| {
                Some(Planned {
                    name: s.name(),
                    kind: Some(s.kind.clone()),
                    action: "reindex",
                    cron: s.cron.parse().ok()?,
                })
            })
            .collect();
        if let Some(cron) = self.settings.retention_cron().and_then(|c| c.parse().ok()) {
            out.push(Planned {
                name: RETENTION.into(),
                kind: None,
                action: RETENTION,
                cron,
            });
        }
        out
    }

    /// Every schedule with its next and last firing.
    pub async fn schedules(&self) -> Result<Vec<ScheduleView>, AppError> {
        let catalog = self.engine.catalog()?;
        let zone = self.settings.zone()?;
        let now = Timestamp::now();
        let mut out = Vec::new();
        for planned in self.planned() {
            let last_run = match catalog.last_firing(&planned.name).await? {
                Some(Firing {
                    due_at,
                    job_id,
                    outcome,
                    ..
                }) => Some(LastRun {
                    due_at: rfc3339(due_at),
                    job_state: match job_id {
                        Some(id) => catalog.job(id).await.ok().map(|j| j.state),
                        None => None,
                    },
                    job_id,
                    outcome,
                }),
                None => None,
            };
            out.push(ScheduleView {
                next_run: planned
                    .cron
                    .next_after(now, zone.tz())
                    .map(|t| t.to_string()),
                name: planned.name,
                kind: planned.kind,
                action: planned.action.to_string(),
                cron: planned.cron.text().to_string(),
                time_zone: zone.name().to_string(),
                last_run,
            });
        }
        Ok(out)
    }

    /// Removes what nobody needs any more: change-log entries every kept version and
    /// running reindex has applied, and finished jobs (with their bad rows) and firings
    /// older than `job_history_days`.
    pub async fn prune(&self) -> Result<RetentionReport, AppError> {
        let change_log = pipeline::prune_change_log(&self.engine, &self.source).await?;
        let before = Timestamp::now().as_millisecond()
            - i64::try_from(self.settings.job_history().as_millis()).unwrap_or(i64::MAX);
        let history = self.engine.catalog()?.prune_history(before).await?;
        Ok(RetentionReport {
            change_log,
            history,
        })
    }

    /// Runs the scheduler until `shutdown` resolves (see the module docs).
    pub async fn run_scheduler(self: Arc<Self>, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        let Ok(zone) = self.settings.zone() else {
            return;
        };
        let planned = self.planned();
        let start = Timestamp::now();
        let mut next: Vec<Option<Timestamp>> = planned
            .iter()
            .map(|p| p.cron.next_after(start, zone.tz()))
            .collect();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = tick.tick() => {}
            }
            if let Err(e) = self.dispatch().await {
                tracing::warn!(error = %e, "starting queued jobs failed; retrying in a second");
            }
            let now = Timestamp::now();
            for (planned, due) in planned.iter().zip(next.iter_mut()) {
                let Some(at) = *due else { continue };
                if at > now {
                    continue;
                }
                *due = planned.cron.next_after(now, zone.tz());
                if let Err(e) = self.fire(planned, at.as_millisecond()).await {
                    tracing::error!(schedule = %planned.name, error = %e, "a scheduled run failed");
                }
            }
        }
    }

    async fn fire(&self, planned: &Planned, due_at: i64) -> Result<(), AppError> {
        let catalog = self.engine.catalog()?;
        if !catalog.claim_firing(&planned.name, due_at).await? {
            return Ok(()); // Another process runs this firing.
        }
        let (job_id, outcome) = match (planned.action, &planned.kind) {
            ("reindex", Some(kind)) => {
                let origin = format!("schedule:{}", planned.name);
                let swap = self.settings.reindex_options().swap;
                let queued = catalog.enqueue_reindex(kind, swap, &origin).await?;
                let outcome = if queued.created {
                    "queued a reindex"
                } else {
                    "joined the reindex already waiting"
                };
                (Some(queued.job.id), outcome.to_string())
            }
            _ => {
                let report = self.prune().await?;
                (
                    None,
                    format!(
                        "removed {} change-log entries, {} finished jobs, {} firings",
                        report.change_log, report.history.jobs, report.history.schedule_runs
                    ),
                )
            }
        };
        tracing::info!(schedule = %planned.name, job = ?job_id, %outcome, "schedule fired");
        catalog
            .record_firing(&planned.name, due_at, job_id, &outcome)
            .await?;
        if job_id.is_some() {
            self.dispatch().await?;
        }
        Ok(())
    }
}

fn rfc3339(ms: i64) -> String {
    Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
}
