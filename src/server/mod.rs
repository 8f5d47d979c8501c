//! The HTTP service (axum): search, suggest, aggregate, rank_eval, analyze, documents, jobs,
//! aliases, health, metrics and the OpenAPI description, under `/v1`. Handlers extract
//! their input, call the [`App`], and render; this is the only module that knows HTTP.
//!
//! [`serve`] is the whole of `chatda serve`: prepare the data (see [`App::prepare`]),
//! start the change-log follower, answer requests until `shutdown` resolves, then stop
//! accepting, finish the requests in flight, stop the running reindexes (they resume at
//! the next start) and the follower's batch, and return.

mod aliases;
mod auth;
mod console;
mod documents;
mod error;
mod extract;
mod jobs;
mod listen;
mod metrics;
mod openapi;
mod ops;
mod search;
mod synonyms;
mod transfer;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tracing::Instrument;

pub use error::{ApiError, REQUEST_ID};
pub use metrics::Metrics;

use crate::app::{App, AppError};
use crate::error::Code;
use crate::settings::{Settings, SettingsError};

/// Errors that stop the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The settings are unsafe or unreadable.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// Preparing the data failed.
    #[error(transparent)]
    App(#[from] AppError),
    /// The listener failed.
    #[error("serving HTTP failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    app: Arc<App>,
    metrics: Metrics,
    next_request: AtomicU64,
}

impl AppState {
    /// State over a prepared app.
    pub fn new(app: Arc<App>) -> Self {
        AppState {
            inner: Arc::new(Inner {
                app,
                metrics: Metrics::new(),
                next_request: AtomicU64::new(1),
            }),
        }
    }

    /// The application.
    pub fn app(&self) -> &Arc<App> {
        &self.inner.app
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        self.inner.app.settings()
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }
}

/// Prepares the data, then serves on `listener` until `shutdown` resolves (see the
/// module docs). Logs the URL and a ready-to-paste search.
pub async fn serve(
    listener: TcpListener,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    settings.check_addr(listener.local_addr()?)?;
    // Watch for the signal from the start: a stop during seeding or the first build
    // ends the process cleanly (both resume at the next start).
    tokio::pin!(shutdown);
    let app = tokio::select! {
        prepared = App::prepare(settings) => Arc::new(prepared?),
        () = &mut shutdown => {
            tracing::info!("stopped during startup; the next start resumes the preparation");
            return Ok(());
        }
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let follower = {
        let mut stop = stop_rx.clone();
        app.follow(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        })
    };
    let scheduler = {
        let mut stop = stop_rx.clone();
        tokio::spawn(app.clone().run_scheduler(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        }))
    };
    let addr = listener.local_addr()?;
    tracing::info!("listening on http://{addr}");
    tracing::info!(
        "try: curl -s http://{addr}/v1/indexes/concerts/search -H 'content-type: application/json' -d '{{\"q\": \"아이우 콘서트\", \"limit\": 3}}'"
    );
    let limits = listen::Limits {
        max_connections: app.settings().max_connections(),
        header_timeout: app.settings().header_timeout(),
        shutdown_grace: app.settings().request_timeout(),
    };
    listen::run(
        listener,
        router(AppState::new(app.clone())),
        limits,
        shutdown,
    )
    .await;
    // The scheduler first: nothing new starts while the jobs stop.
    let _ = stop_tx.send(true);
    let _ = scheduler.await;
    app.stop_jobs().await;
    let _ = follower.await;
    tracing::info!("stopped");
    Ok(())
}

/// The upload route, which gets [`IMPORT_TIMEOUT`] instead of the request timeout.
const IMPORT_ROUTE: &str = "/v1/indexes/{alias}/import";
/// Longest an import upload may take.
const IMPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);

/// The router with every route, auth, limits and the request middleware.
pub fn router(state: AppState) -> Router {
    let search = Router::new()
        .route("/v1/indexes", get(aliases::list_indexes))
        .route("/v1/indexes/{alias}/search", post(search::search))
        .route("/v1/indexes/{alias}/suggest", get(search::suggest))
        .route("/v1/indexes/{alias}/aggregate", post(search::aggregate))
        .route("/v1/indexes/{alias}/rank_eval", post(search::rank_eval))
        .route("/v1/analyze", post(search::analyze))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_search_key,
        ));
    let admin = Router::new()
        .route("/v1/indexes/{alias}/documents", post(documents::documents))
        .route("/v1/indexes/{alias}/reindex", post(jobs::reindex))
        .route(IMPORT_ROUTE, post(transfer::import))
        .route("/v1/indexes/{alias}/export", get(transfer::export))
        .route("/v1/indexes/{alias}/sync_errors", get(jobs::sync_errors))
        .route(
            "/v1/indexes/{alias}/sync_errors/retry",
            post(jobs::retry_sync_errors),
        )
        .route(
            "/v1/synonyms",
            get(synonyms::get_synonyms).put(synonyms::put_synonyms),
        )
        .route("/v1/jobs", get(jobs::list_jobs))
        .route("/v1/jobs/{id}", get(jobs::show_job))
        .route("/v1/jobs/{id}/cancel", post(jobs::cancel_job))
        .route("/v1/jobs/{id}/retry", post(jobs::retry_job))
        .route("/v1/schedules", get(jobs::schedules))
        .route("/v1/aliases/{alias}/swap", post(aliases::swap))
        .route("/v1/aliases/{alias}/rollback", post(aliases::rollback))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_admin_key,
        ));
    let open = Router::new()
        .route("/", get(console::index))
        .route("/console/app.js", get(console::script))
        .route("/console/style.css", get(console::style))
        .route("/healthz", get(ops::health))
        .route("/readyz", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(openapi::openapi));
    Router::new()
        .merge(search)
        .merge(admin)
        .merge(open)
        .fallback(|| async {
            ApiError::new(
                Code::NotFound,
                "no such route; GET /openapi.json lists them",
                None,
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                Code::MethodNotAllowed,
                "this route does not take that method; GET /openapi.json lists them",
                None,
            )
        })
        .layer(DefaultBodyLimit::max(state.settings().max_body_bytes()))
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}

/// Request id, timeout, one log line (with the detail of an internal error) and metrics
/// per request.
async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = format!(
        "{:x}-{}",
        std::process::id(),
        state.inner.next_request.fetch_add(1, Ordering::Relaxed)
    );
    // A label per known method only: clients choose the method, and every new label
    // value is a new series kept forever.
    let method = match request.method().as_str() {
        m @ ("GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" | "PATCH") => m,
        _ => "other",
    }
    .to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let path = request.uri().path().to_string();
    let span = tracing::info_span!("request", request_id = %id);
    // An upload's time depends on the client's network, not on the work: imports get an
    // hour (their size is bounded by max_import_mb).
    let timeout = if route == IMPORT_ROUTE {
        state.settings().request_timeout().max(IMPORT_TIMEOUT)
    } else {
        state.settings().request_timeout()
    };
    let handled = REQUEST_ID.scope(
        id.clone(),
        async move {
            match tokio::time::timeout(timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => ApiError::new(
                    Code::RequestTimeout,
                    format!("the request took longer than {} s", timeout.as_secs()),
                    None,
                )
                .into_response(),
            }
        }
        .instrument(span),
    );
    let mut response = handled.await;
    let status = response.status().as_u16();
    let secs = started.elapsed().as_secs_f64();
    let metrics = state.metrics();
    metrics
        .requests
        .with_label_values(&[&route, &method, &status.to_string()])
        .inc();
    metrics
        .latency
        .with_label_values(&[&route, &method])
        .observe(secs);
    if let Some(internal) = response.extensions().get::<error::InternalDetail>() {
        tracing::error!(request_id = %id, code = %internal.code, error = %internal.detail, %method, %path, "internal error");
    }
    tracing::info!(request_id = %id, %method, %path, status, ms = secs * 1e3, "request");
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
