//! `chatda serve`: the HTTP service (the quick start).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use crate::config::Config;

/// Arguments of `chatda serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Configuration file (TOML, keys named as the flags with `_`) [default: ./chatda.toml
    /// if it exists].
    #[arg(long, env = "CHATDA_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub settings: Config,
}

impl ServeArgs {
    /// Flags and environment over the file.
    pub fn resolve(&self) -> anyhow::Result<Config> {
        let (path, required) = match &self.config {
            Some(path) => (path.clone(), true),
            None => (PathBuf::from("chatda.toml"), false),
        };
        Ok(self.settings.clone().with_file(&path, required)?)
    }
}

/// Runs `chatda serve` until SIGINT or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    config.check()?;
    let addr = config.listen();
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (another chatda running? try --listen 127.0.0.1:7701)")
    })?;
    crate::server::serve(listener, config, shutdown_signal()).await?;
    Ok(())
}

/// Resolves at the first SIGINT (Ctrl-C) or SIGTERM.
pub(super) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
