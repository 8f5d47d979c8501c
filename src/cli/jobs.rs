//! `chatda jobs [list|show ID|cancel ID|retry ID]`.

use clap::{Args, Subcommand};

use super::common::time_of;
use crate::app::{Job, JobFilter, JobState};
use crate::settings::Settings;

/// Arguments of `chatda jobs`.
#[derive(Debug, Args)]
pub struct JobsArgs {
    /// What to do (default: list).
    #[command(subcommand)]
    pub action: Option<JobsAction>,
}

/// `chatda jobs` actions.
#[derive(Debug, Subcommand)]
pub enum JobsAction {
    /// The latest jobs, newest first, and the count per state.
    List {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
        /// Only jobs in this state: queued, running, succeeded, failed, cancelled.
        #[arg(long)]
        state: Option<String>,
        /// Only jobs of this kind.
        #[arg(long)]
        kind: Option<String>,
    },
    /// One job with its bad rows.
    Show {
        /// Job id.
        id: i64,
    },
    /// Ask a running job to stop (honoured within a second); a queued one is dropped.
    Cancel {
        /// Job id.
        id: i64,
    },
    /// Run a failed or cancelled reindex again (queued; a running `serve` starts it when
    /// the kind is free).
    Retry {
        /// Job id.
        id: i64,
    },
}

/// Runs `chatda jobs`.
pub async fn run(args: JobsArgs, settings: &Settings) -> anyhow::Result<()> {
    let app = super::common::app(settings).await?;
    let default = JobsAction::List {
        limit: 20,
        state: None,
        kind: None,
    };
    match args.action.unwrap_or(default) {
        JobsAction::List { limit, state, kind } => {
            let state = state.as_deref().map(str::parse::<JobState>).transpose()?;
            let list = app.jobs(&JobFilter { state, kind }, limit).await?;
            if list.jobs.is_empty() {
                println!("no jobs; start one with: chatda reindex concerts");
            }
            for job in &list.jobs {
                println!("{}", line(job));
            }
            let counts: Vec<String> = list
                .counts
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect();
            println!("{}", counts.join(" · "));
        }
        JobsAction::Show { id } => {
            let detail = app.job(id).await?;
            println!("{}", serde_json::to_string_pretty(&detail.job)?);
            for a in &detail.attempts {
                println!(
                    "attempt {}: v{} {} started {}{}",
                    a.attempt,
                    a.target_version,
                    a.state,
                    time_of(a.started_at),
                    a.error
                        .as_deref()
                        .map(|e| format!("  error: {e}"))
                        .unwrap_or_default()
                );
            }
            if !detail.row_errors.is_empty() {
                println!("bad rows (first {}):", detail.row_errors.len());
                for e in detail.row_errors {
                    println!("  {}: {}: {}", e.row_id, e.field, e.reason);
                }
            }
        }
        JobsAction::Retry { id } => {
            let job = app.retry_job(id).await?;
            println!("{}", line(&job));
        }
        JobsAction::Cancel { id } => {
            let job = app.cancel_job(id).await?;
            println!("{}", line(&job));
        }
    }
    Ok(())
}

fn line(job: &Job) -> String {
    format!(
        "job {:>4}  {:<7} {:<8} {:<10} v{:<4} {:>9} rows  {:>6} bad  started {}{}",
        job.id,
        job.action.as_str(),
        job.kind,
        job.state.as_str(),
        job.target_version,
        job.processed,
        job.failed_rows,
        time_of(job.started_at),
        job.error
            .as_deref()
            .map(|e| format!("  error: {e}"))
            .unwrap_or_default()
    )
}
