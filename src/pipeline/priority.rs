//! Indexing yields the cores to searches: the threads that decode, analyse, index and
//! merge a reindex's rows run at a lower OS scheduling priority (a higher nice value, the
//! `indexing_nice` setting; at the lowest, 19, Linux's idle policy `SCHED_IDLE` too), so a
//! search arriving while a reindex runs takes a core at once instead of sharing it.
//! Nothing is lost when the machine is idle: a lowered thread still gets every cycle no
//! search wants.
//!
//! On Linux the nice value and the policy belong to a thread and threads inherit their
//! creator's, so the work runs on threads made for it: tantivy's indexing threads (made
//! again at every commit, by the committing thread) and merge threads are created from
//! one of them. A thread cannot get its priority back without privileges, so no pooled
//! thread is ever lowered.

use crate::pipeline::{PipelineError, internal};

/// Runs `work` on a thread of its own at nice `nice` (≤ 0: here, unchanged); threads it
/// creates inherit the priority. `Err` when no thread could be started (the work has not
/// run).
pub(crate) fn lowered<T: Send>(
    nice: i32,
    work: impl FnOnce() -> T + Send,
) -> Result<T, PipelineError> {
    if nice <= 0 {
        return Ok(work());
    }
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("chatda-index".into())
            .spawn_scoped(scope, move || {
                lower_this_thread(nice);
                work()
            })
            .map_err(|e| internal(format!("could not start an indexing thread: {e}")))?;
        Ok(thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    })
}

/// A pool for the parallel analysis of a load, its threads at nice `nice`.
pub(crate) fn analysis_pool(nice: i32) -> Result<rayon::ThreadPool, PipelineError> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("chatda-analyse-{i}"))
        .start_handler(move |_| lower_this_thread(nice))
        .build()
        .map_err(|e| internal(format!("could not start the analysis threads: {e}")))
}

/// The nice value at which a reindex's threads also take the idle scheduling policy.
const IDLE_NICE: i32 = 19;

/// Lowers the calling thread's scheduling priority to nice `nice`, if it is not that
/// low already, and at [`IDLE_NICE`] to `SCHED_IDLE`: a normal thread waking on the
/// same core then preempts it at once, where a nice-19 thread would still get its
/// share. No-op for ≤ 0, and off Linux, where the nice value is the whole process's.
fn lower_this_thread(nice: i32) {
    #[cfg(target_os = "linux")]
    if nice > 0 {
        // SAFETY: getpriority and setpriority only read their arguments; `who` 0 is the
        // calling thread on Linux (the nice value is per thread there).
        let lowered = unsafe {
            libc::getpriority(libc::PRIO_PROCESS, 0) >= nice
                || libc::setpriority(libc::PRIO_PROCESS, 0, nice) == 0
        };
        if !lowered {
            tracing::debug!(nice, "could not lower the indexing thread's priority");
        }
        if nice >= IDLE_NICE {
            let param = libc::sched_param { sched_priority: 0 };
            // SAFETY: `param` is a valid sched_param; pid 0 is the calling thread.
            if unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } != 0 {
                tracing::debug!("could not give the indexing thread the idle policy");
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The calling thread's nice value.
    fn nice_here() -> i32 {
        // SAFETY: as above; errno is not needed, nice values here are ≥ 0.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }

    #[test]
    fn work_and_its_threads_run_lowered_and_the_caller_is_untouched() {
        let before = nice_here();
        let (inside, child) = lowered(7, || {
            let child = std::thread::spawn(nice_here).join().unwrap();
            (nice_here(), child)
        })
        .unwrap();
        assert_eq!((inside, child), (before.max(7), before.max(7)));
        assert_eq!(nice_here(), before);
        let pool = analysis_pool(5).unwrap();
        assert_eq!(pool.install(nice_here), before.max(5));
        assert_eq!(lowered(0, nice_here).unwrap(), before);
    }

    #[test]
    fn the_lowest_priority_is_the_idle_policy() {
        // SAFETY: sched_getscheduler only reads; pid 0 is the calling thread.
        let policy = || unsafe { libc::sched_getscheduler(0) };
        let outside = policy();
        assert_eq!(lowered(IDLE_NICE, policy).unwrap(), libc::SCHED_IDLE);
        assert_eq!(lowered(IDLE_NICE - 1, policy).unwrap(), outside);
        assert_eq!(policy(), outside, "the caller keeps its policy");
        let pool = analysis_pool(IDLE_NICE).unwrap();
        assert_eq!(pool.install(policy), libc::SCHED_IDLE);
    }
}
