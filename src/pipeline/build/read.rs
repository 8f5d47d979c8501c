//! The reader: keyset pages from the source, one page read ahead (a bounded channel, so
//! memory stays flat whatever the table size).

use std::sync::atomic::Ordering;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Build;
use crate::pipeline::phase::phase_async;
use crate::pipeline::retry::retry;
use crate::source::{SourceError, decode_row};
use sqlx::any::AnyRow;

/// Pages of rows as read (the loader decodes them, on its lowered threads); `None`
/// marks the end of the source. A channel closed without it means
/// the reader died (a failure, or the process shutting down), and the partial load must
/// not be committed.
pub(super) type Pages = mpsc::Receiver<Option<Vec<AnyRow>>>;

/// Starts reading after the job's checkpoint.
pub(super) fn spawn(build: &Build<'_>) -> (Pages, JoinHandle<Result<(), SourceError>>) {
    let (pages_tx, pages_rx) = mpsc::channel::<Option<Vec<AnyRow>>>(2);
    let source = build.source.clone();
    let spec = build.spec.clone();
    let options = build.options.clone();
    let counters = build.counters.clone();
    let mut after = build.job.checkpoint.clone();
    let task = tokio::spawn(async move {
        loop {
            if counters.cancel.load(Ordering::Relaxed) {
                return Ok(());
            }
            let rows = retry(&options, || {
                source.page(&spec, after.as_deref(), options.batch_size)
            })
            .await?;
            if rows.is_empty() {
                let _ = pages_tx.send(None).await;
                return Ok(());
            }
            phase_async("read", &|| counters.cancel.load(Ordering::Relaxed)).await;
            // An unreadable last id would restart or end the keyset walk silently.
            match rows
                .last()
                .map(|r| decode_row(&spec, r).id)
                .filter(|id| !id.is_empty())
            {
                Some(id) => after = Some(id),
                None => {
                    return Err(SourceError::BadKey {
                        kind: spec.name.clone(),
                        after,
                    });
                }
            }
            if pages_tx.send(Some(rows)).await.is_err() {
                return Ok(()); // the loader stopped (failed or cancelled)
            }
        }
    });
    (pages_rx, task)
}
