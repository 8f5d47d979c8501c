//! Named phases of a reindex: where it logs what it starts, where a shutdown can stop it,
//! and where the crash tests stop it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::PipelineError;
use crate::catalog::Job;
use crate::engine::Engine;

/// The phase a reindex is entering: logged, and for the crash tests a place to stop.
/// With `CHATDA_FAULT_PAUSE=<phase>` in the environment the first arrival at that phase
/// waits up to 60 s (less if `stop` turns true), so a test can kill the process exactly
/// there. Phases: `read` (first page read), `load` (first page written), `checkpoint`
/// (after a checkpoint commit), `catch_up`, `final_commit`, `final_merge`, `swap`.
pub(crate) fn phase(name: &'static str, stop: &dyn Fn() -> bool) {
    tracing::debug!(phase = name, "reindex phase");
    if fault_pause(name) {
        let until = Instant::now() + FAULT_PAUSE;
        while Instant::now() < until && !stop() {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// [`phase`] for async code.
pub(crate) async fn phase_async(name: &'static str, stop: &(dyn Fn() -> bool + Sync)) {
    tracing::debug!(phase = name, "reindex phase");
    if fault_pause(name) {
        let until = Instant::now() + FAULT_PAUSE;
        while Instant::now() < until && !stop() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

const FAULT_PAUSE: Duration = Duration::from_secs(60);

fn fault_pause(name: &str) -> bool {
    static PAUSED: AtomicBool = AtomicBool::new(false);
    let paused = std::env::var("CHATDA_FAULT_PAUSE").is_ok_and(|wanted| wanted == name)
        && !PAUSED.swap(true, Ordering::SeqCst);
    if paused {
        tracing::warn!(phase = name, "CHATDA_FAULT_PAUSE: pausing the reindex");
    }
    paused
}

/// Ends a run that the engine was asked to stop (shutdown), leaving its job to resume.
pub(crate) fn interrupted(engine: &Engine, job: &Job) -> Result<(), PipelineError> {
    if engine.stopping() {
        return Err(PipelineError::Interrupted(job.id));
    }
    Ok(())
}
