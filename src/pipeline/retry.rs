//! Retrying source calls.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

use super::ReindexOptions;
use crate::source::SourceError;

/// Runs a source call, retrying transient failures with exponential backoff.
pub(crate) async fn retry<T, F, Fut>(options: &ReindexOptions, call: F) -> Result<T, SourceError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, SourceError>>,
{
    call.retry(
        ExponentialBuilder::default()
            .with_min_delay(options.retry_delay)
            .with_max_delay(Duration::from_secs(10))
            .with_max_times(options.retry_attempts.saturating_sub(1)),
    )
    .when(SourceError::is_transient)
    .notify(|e, delay| tracing::warn!(error = %e, ?delay, "source call failed; retrying"))
    .await
}
