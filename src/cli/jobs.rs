//! `chatda jobs [list|show ID|cancel ID]`.

use clap::{Args, Subcommand};

use super::common::time_of;
use crate::app::Job;
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
    /// The latest jobs, newest first.
    List {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// One job with its bad rows.
    Show {
        /// Job id.
        id: i64,
    },
    /// Ask a running job to stop (honoured within a second).
    Cancel {
        /// Job id.
        id: i64,
    },
}

/// Runs `chatda jobs`.
pub async fn run(args: JobsArgs, settings: &Settings) -> anyhow::Result<()> {
    let app = super::common::app(settings).await?;
    match args.action.unwrap_or(JobsAction::List { limit: 20 }) {
        JobsAction::List { limit } => {
            let jobs = app.jobs(limit).await?;
            if jobs.is_empty() {
                println!("no jobs yet; start one with: chatda reindex concerts");
            }
            for job in jobs {
                println!("{}", line(&job));
            }
        }
        JobsAction::Show { id } => {
            let (job, errors) = app.job(id).await?;
            println!("{}", serde_json::to_string_pretty(&job)?);
            if !errors.is_empty() {
                println!("bad rows (first {}):", errors.len());
                for e in errors {
                    println!("  row {}: {}: {}", e.row_id, e.field, e.reason);
                }
            }
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
        "job {:>4}  {:<8} {:<10} v{:<4} {:>9} rows  {:>6} bad  started {}{}",
        job.id,
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
