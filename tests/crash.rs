//! `chatda reindex` killed (SIGKILL) or stopped (SIGTERM) at every phase — first page
//! read, first page written, a checkpoint, catch-up, the final commit, just before the
//! swap — on SQLite and PostgreSQL. Afterwards the live alias still serves the complete
//! old version; the next reindex resumes the job, and the version it swaps in holds
//! exactly one document per source row.
//!
//! `CHATDA_FAULT_PAUSE=<phase>` makes the child wait at that phase (see
//! `chatda::pipeline`), so the signal lands exactly there.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chatda::catalog::{JobState, STALE_AFTER_MS, now_ms};
use chatda::engine::Engine;
use chatda::pipeline::{self, ReindexOptions};
use chatda::source::seed_demo;
use support::Fixture;

const PHASES: [&str; 7] = [
    "read",
    "load",
    "checkpoint",
    "catch_up",
    "final_commit",
    "final_merge",
    "swap",
];
const ROWS: u64 = 1_200;

fn chatda(f: &Fixture, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chatda"));
    command
        .args(args)
        .env("CHATDA_DATA_DIR", f.dir.path())
        .env("CHATDA_SOURCE_URL", &f.url)
        // At the default idle priority a reindex waits while anything else keeps the
        // cores busy (other tests, a build): the crash runs are about what survives a
        // kill, not about priority, so they run at the normal one.
        .env("CHATDA_INDEXING_NICE", "0")
        .env("RUST_LOG", "warn");
    command
}

/// `chatda reindex concerts` in pages of 100 with a checkpoint every 300 rows, told to
/// pause at `phase` (it says so on stderr, piped).
fn paused_reindex(f: &Fixture, phase: &str) -> Command {
    let mut command = chatda(
        f,
        &[
            "reindex",
            "concerts",
            "--batch-size",
            "100",
            "--checkpoint-rows",
            "300",
        ],
    );
    command
        .env("CHATDA_FAULT_PAUSE", phase)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

async fn crash_at(f: Fixture, phase: &'static str, signal: &'static str) {
    seed_demo(&f.source, ROWS, 0, 17, |_| {}).await.unwrap();
    let quick = ReindexOptions {
        batch_size: 100,
        writer_memory: 32 << 20,
        ..ReindexOptions::default()
    };
    let first = pipeline::reindex(&f.engine, &f.source, "concerts", &quick, |_| {})
        .await
        .unwrap();

    let mut child = paused_reindex(&f, phase).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (paused_tx, paused) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("CHATDA_FAULT_PAUSE") {
                let _ = paused_tx.send(());
            }
        }
    });
    // Writes while the reindex runs: they are what the catch-up phase applies.
    let mut next_id = 100_000;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if paused.try_recv().is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "{phase}: the child never paused");
        assert!(
            child.try_wait().unwrap().is_none(),
            "{phase}: the child ended before pausing"
        );
        f.insert_concert(next_id, Some("재색인 중에 들어온 공연"))
            .await;
        next_id += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if phase == "final_commit" {
        // A long final commit must not look like a dead process: the heartbeat goes on.
        let catalog = f.engine.catalog().unwrap();
        let before = catalog.active_job("concerts").await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(STALE_AFTER_MS as u64 + 500)).await;
        let after = catalog.active_job("concerts").await.unwrap().unwrap();
        assert!(
            !after.is_stale(STALE_AFTER_MS) && after.heartbeat_at > before.heartbeat_at,
            "the job heartbeats while it waits in its final commit"
        );
    }
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(
        !exit.success(),
        "{phase}/{signal}: a stopped reindex does not report success"
    );

    // The live index is the complete old version.
    let reopened = Engine::open(f.dir.path()).await.unwrap();
    let live = reopened.live("concerts").unwrap();
    assert_eq!(live.version, first.version, "{phase}/{signal}");
    assert_eq!(live.index.num_docs(), ROWS, "{phase}/{signal}");
    drop(reopened);

    // The job is left to resume: at once after SIGTERM, once stale after SIGKILL.
    let catalog = f.engine.catalog().unwrap();
    let job = catalog
        .active_job("concerts")
        .await
        .unwrap()
        .expect("the job is left running");
    assert_eq!(job.state, JobState::Running);
    if signal == "TERM" {
        assert_eq!(job.heartbeat_at, 0, "{phase}: SIGTERM releases the job");
    } else {
        let wait = job.heartbeat_at + STALE_AFTER_MS + 200 - now_ms();
        tokio::time::sleep(Duration::from_millis(wait.max(0) as u64)).await;
    }
    let resumed = chatda(&f, &["reindex", "concerts"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&resumed.stdout);
    assert!(
        resumed.status.success(),
        "{phase}/{signal}: {stdout}{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_eq!(
        catalog.job(job.id).await.unwrap().state,
        JobState::Succeeded,
        "{phase}/{signal}: the same job finished"
    );
    let rows = f.count("concerts").await as u64;
    let reopened = Engine::open(f.dir.path()).await.unwrap();
    let live = reopened.live("concerts").unwrap();
    assert_eq!(live.version, job.target_version, "{phase}/{signal}");
    assert_eq!(
        live.index.num_docs(),
        rows,
        "{phase}/{signal}: one document per source row, none lost or doubled"
    );
}

async fn every_phase(backend: &'static str, signal: &'static str) {
    let mut runs = tokio::task::JoinSet::new();
    for phase in PHASES {
        let fixture = match backend {
            "sqlite" => support::sqlite().await,
            _ => match support::postgres(&format!("crash_{phase}")).await {
                Some(f) => f,
                None => return,
            },
        };
        runs.spawn(async move {
            let schema = fixture.schema.clone();
            crash_at(fixture, phase, signal).await;
            if let Some(schema) = schema {
                support::drop_schema(&schema).await;
            }
        });
    }
    while let Some(run) = runs.join_next().await {
        run.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sigkill_at_every_phase() {
    every_phase("sqlite", "KILL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sigterm_at_every_phase() {
    every_phase("sqlite", "TERM").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sigkill_at_every_phase() {
    every_phase("postgres", "KILL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sigterm_at_every_phase() {
    every_phase("postgres", "TERM").await;
}

/// The nice value and scheduling policy of each of `pid`'s threads whose name starts
/// with one of `prefixes`.
fn thread_priorities(pid: u32, prefixes: &[&str]) -> Vec<(String, i64, i64)> {
    let mut found = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).unwrap() {
        let Ok(stat) = std::fs::read_to_string(task.unwrap().path().join("stat")) else {
            continue; // the thread ended
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let name = &stat[open + 1..close];
        // After the name: state is field 3 of stat(5); nice is 19, policy 41.
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        if prefixes.iter().any(|p| name.starts_with(p)) {
            found.push((
                name.to_string(),
                fields[16].parse().unwrap(),
                fields[38].parse().unwrap(),
            ));
        }
    }
    found
}

/// tantivy makes its indexing threads again at every commit, from the committing
/// thread: after a checkpoint they, like the analysis threads, still run lowered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reindex_stays_lowered_after_a_checkpoint() {
    for (nice, policy) in [(7, 0 /* SCHED_OTHER */), (19, 5 /* SCHED_IDLE */)] {
        let f = support::sqlite().await;
        seed_demo(&f.source, ROWS, 0, 17, |_| {}).await.unwrap();
        let mut child = paused_reindex(&f, "checkpoint")
            .env("CHATDA_INDEXING_NICE", nice.to_string())
            .spawn()
            .unwrap();
        let mut said = Vec::new();
        let mut paused = false;
        for line in BufReader::new(child.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            paused = line.contains("CHATDA_FAULT_PAUSE");
            said.push(line);
            if paused {
                break;
            }
        }
        assert!(paused, "the child never paused at a checkpoint: {said:?}");
        // A thread takes its name once it first runs; at idle priority on a busy
        // machine that can take a while (until then it bears its creator's name,
        // `chatda-index`, which is checked too).
        let started = std::time::Instant::now();
        let threads = loop {
            let threads = thread_priorities(
                child.id(),
                &["thrd-tantivy", "chatda-analyse", "chatda-index"],
            );
            let named = threads
                .iter()
                .any(|(name, ..)| name.starts_with("thrd-tantivy"));
            if named || started.elapsed() > std::time::Duration::from_secs(45) {
                break threads;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            threads
                .iter()
                .any(|(name, ..)| name.starts_with("thrd-tantivy")),
            "tantivy's indexing threads run after the checkpoint: {threads:?}"
        );
        assert!(
            threads
                .iter()
                .any(|(name, ..)| name.starts_with("chatda-analyse")),
            "{threads:?}"
        );
        for (name, thread_nice, thread_policy) in &threads {
            assert_eq!(
                (*thread_nice, *thread_policy),
                (nice, policy),
                "{name} at nice {nice}: {threads:?}"
            );
        }
    }
}
