//! `chatda alias [list|swap KIND VERSION|rollback KIND]`.

use clap::{Args, Subcommand};

use super::common::time_of;
use crate::settings::Settings;

/// Arguments of `chatda alias`.
#[derive(Debug, Args)]
pub struct AliasArgs {
    /// What to do (default: list).
    #[command(subcommand)]
    pub action: Option<AliasAction>,
}

/// `chatda alias` actions.
#[derive(Debug, Subcommand)]
pub enum AliasAction {
    /// Aliases and every version with its state and size.
    List,
    /// Serve VERSION of KIND (a ready version).
    Swap {
        /// The kind.
        kind: String,
        /// The version number.
        version: i64,
    },
    /// Serve the newest ready version older than the live one.
    Rollback {
        /// The kind.
        kind: String,
    },
}

/// Runs `chatda alias`.
pub async fn run(args: AliasArgs, settings: &Settings) -> anyhow::Result<()> {
    let app = super::common::app(settings).await?;
    match args.action.unwrap_or(AliasAction::List) {
        AliasAction::List => {
            for index in app.indexes().await? {
                for v in &index.versions {
                    let v = &v.version;
                    println!(
                        "{:<9} v{:<4} {:<8} {:>9} docs  created {}{}",
                        v.kind,
                        v.version,
                        format!("{:?}", v.state).to_lowercase(),
                        v.docs,
                        time_of(v.created_at),
                        if v.version == index.live_version {
                            "  <- live"
                        } else {
                            ""
                        }
                    );
                }
            }
        }
        AliasAction::Swap { kind, version } => {
            let previous = app.swap(&kind, version).await?;
            println!(
                "alias {kind} now serves version {version} (was {})",
                previous.map_or("none".to_string(), |v| v.to_string())
            );
        }
        AliasAction::Rollback { kind } => {
            let version = app.rollback(&kind).await?;
            println!("alias {kind} rolled back to version {version}");
        }
    }
    Ok(())
}
