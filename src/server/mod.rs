//! The HTTP service (axum): search, suggest, aggregate, analyze, documents, jobs,
//! aliases, health, metrics and the OpenAPI description, under `/v1`.
//!
//! [`serve`] is the whole of `chatda serve`: prepare the data (see [`crate::service`]),
//! start the change-log follower, answer requests until `shutdown` resolves, then stop
//! accepting, finish the requests in flight and the follower's batch, and return.

mod error;
mod listen;
mod metrics;
mod openapi;
mod routes;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tracing::Instrument;

pub use error::{ApiError, REQUEST_ID, parse_json, status_of};
pub use metrics::Metrics;

use crate::engine::Engine;
use crate::pipeline::{self, SyncOptions};
use crate::service::{self, ServiceError};
use crate::settings::Settings;
use crate::source::Source;

/// Longest wait for a place among the engine work running at once.
pub const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Errors that stop the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The configuration is unsafe or unreadable.
    #[error(transparent)]
    Config(#[from] crate::settings::SettingsError),
    /// Preparing the data failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
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
    engine: Arc<Engine>,
    source: Source,
    config: Settings,
    metrics: Metrics,
    next_request: AtomicU64,
    /// Engine work running at once (search, aggregate, analyze, documents).
    inflight: Arc<tokio::sync::Semaphore>,
    /// Reindexes started over HTTP, stopped and awaited at shutdown.
    jobs: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl AppState {
    /// State over a prepared engine and source.
    pub fn new(engine: Arc<Engine>, source: Source, config: Settings) -> Self {
        AppState {
            inner: Arc::new(Inner {
                inflight: Arc::new(tokio::sync::Semaphore::new(config.max_inflight())),
                engine,
                source,
                config,
                metrics: Metrics::new(),
                next_request: AtomicU64::new(1),
                jobs: std::sync::Mutex::new(Vec::new()),
            }),
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.inner.engine
    }

    /// The source.
    pub fn source(&self) -> &Source {
        &self.inner.source
    }

    /// The configuration.
    pub fn config(&self) -> &Settings {
        &self.inner.config
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// A place among the engine work running at once; waits up to
    /// [`QUEUE_WAIT`], then answers 503 `overloaded`. Bounds CPU and memory whatever the
    /// number of clients, and keeps work whose request timed out from piling up.
    async fn permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        let waiting = self.inner.inflight.clone().acquire_owned();
        match tokio::time::timeout(QUEUE_WAIT, waiting).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::new(
                "overloaded",
                format!(
                    "the server is busy ({} requests running); retry shortly",
                    self.config().max_inflight()
                ),
                None,
            )),
        }
    }

    /// Keeps a background job's task, to stop and await it at shutdown.
    fn track_job(&self, task: tokio::task::JoinHandle<()>) {
        let mut jobs = self.inner.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.retain(|t| !t.is_finished());
        jobs.push(task);
    }

    /// Stops the running jobs (they resume at the next start) and waits for them.
    async fn stop_jobs(&self) {
        self.engine().stop_jobs();
        let jobs = std::mem::take(&mut *self.inner.jobs.lock().unwrap_or_else(|p| p.into_inner()));
        for job in jobs {
            let _ = job.await;
        }
    }
}

/// Prepares the data, then serves on `listener` until `shutdown` resolves (see the
/// module docs). Logs the URL and a ready-to-paste search.
pub async fn serve(
    listener: TcpListener,
    config: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    config.check_addr(listener.local_addr()?)?;
    // Watch for the signal from the start: a stop during seeding or the first build
    // ends the process cleanly (both resume at the next start).
    tokio::pin!(shutdown);
    let (engine, source) = tokio::select! {
        prepared = service::prepare(&config) => prepared?,
        () = &mut shutdown => {
            tracing::info!("stopped during startup; the next start resumes the preparation");
            return Ok(());
        }
    };
    let state = AppState::new(engine.clone(), source.clone(), config);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let follower = {
        let mut stop = stop_rx.clone();
        tokio::spawn(pipeline::follow(
            engine,
            source,
            SyncOptions::default(),
            async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            },
        ))
    };
    let addr = listener.local_addr()?;
    tracing::info!("listening on http://{addr}");
    tracing::info!(
        "try: curl -s http://{addr}/v1/indexes/concerts/search -H 'content-type: application/json' -d '{{\"q\": \"아이우 콘서트\", \"limit\": 3}}'"
    );
    let limits = listen::Limits {
        max_connections: state.config().max_connections(),
        header_timeout: state.config().header_timeout(),
        shutdown_grace: state.config().request_timeout(),
    };
    listen::run(listener, router(state.clone()), limits, shutdown).await;
    state.stop_jobs().await;
    let _ = stop_tx.send(true);
    let _ = follower.await;
    tracing::info!("stopped");
    Ok(())
}

/// The router with every route, auth, limits and the request middleware.
pub fn router(state: AppState) -> Router {
    let search = routes::search_routes().route_layer(middleware::from_fn_with_state(
        state.clone(),
        require_search_key,
    ));
    let admin = routes::admin_routes().route_layer(middleware::from_fn_with_state(
        state.clone(),
        require_admin_key,
    ));
    Router::new()
        .merge(search)
        .merge(admin)
        .merge(routes::open_routes())
        .fallback(|| async {
            ApiError::new(
                "not_found",
                "no such route; GET /openapi.json lists them",
                None,
            )
        })
        .layer(DefaultBodyLimit::max(state.config().max_body_bytes()))
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}

/// Request id, timeout, one log line and metrics per request.
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
    let timeout = state.config().request_timeout();
    let handled = REQUEST_ID.scope(
        id.clone(),
        async move {
            match tokio::time::timeout(timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => ApiError::new(
                    "request_timeout",
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
    tracing::info!(request_id = %id, %method, %path, status, ms = secs * 1e3, "request");
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// The bearer token of a request, if any (the scheme name is case-insensitive, RFC 7235).
fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_start())
}

/// Constant-time comparison (the length of the key is not secret).
fn same_key(given: Option<&str>, key: &str) -> bool {
    given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(key.as_bytes())))
}

async fn require_admin_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(key) = state.config().admin_key()
        && !same_key(bearer(&request), key)
    {
        return unauthorized("an admin key (Authorization: Bearer …) is required for this route");
    }
    next.run(request).await
}

async fn require_search_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(key) = state.config().search_key() {
        let given = bearer(&request);
        let admin = state.config().admin_key();
        if !same_key(given, key) && !admin.is_some_and(|a| same_key(given, a)) {
            return unauthorized("a search key (Authorization: Bearer …) is required");
        }
    }
    next.run(request).await
}

fn unauthorized(message: &str) -> Response {
    let mut response = ApiError::new("unauthorized", message, None).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}
