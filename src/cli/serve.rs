//! `chatda serve`: the HTTP service (the quick start).

use anyhow::Context;

use crate::settings::Settings;

/// Runs `chatda serve` until SIGINT or SIGTERM.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    settings.check()?;
    let addr = settings.listen();
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (another chatda running? try --listen 127.0.0.1:7701)")
    })?;
    crate::server::serve(listener, settings, shutdown_signal()).await?;
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
