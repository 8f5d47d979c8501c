//! The SQL reindex pipeline end to end on SQLite and PostgreSQL: reindex, bad rows,
//! swap, rollback, refusal of a second reindex, the follower, writes during a reindex,
//! and source outages.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chatda::catalog::{JobState, NewJob, VersionState};
use chatda::engine::EngineError;
use chatda::pipeline::{self, PipelineError, ReindexOptions, SyncOptions};
use chatda::query::SearchRequest;
use chatda::source::{Backend, seed_demo};
use support::{Fixture, title_of};

fn quick() -> ReindexOptions {
    ReindexOptions {
        batch_size: 50,
        checkpoint_rows: 100,
        writer_memory: 32 << 20,
        retry_delay: Duration::from_millis(50),
        ..ReindexOptions::default()
    }
}

async fn reindex_swap_rollback_and_sync(f: Fixture) {
    seed_demo(&f.source, 200, 20, 7, |_| {}).await.unwrap();
    // Bad rows: a required title missing, an over-long title, and (SQLite only, where
    // dates are text) a date that is not one.
    f.insert_concert(10_001, None).await;
    let long = "가".repeat(chatda::schema::DEFAULT_MAX_TEXT_BYTES / 3 + 1);
    f.insert_concert(10_002, Some(&long)).await;
    let mut bad = 2;
    if f.backend() == Backend::Sqlite {
        f.exec("INSERT INTO concerts (id, title, start_date) VALUES (10003, '날짜 오류 공연', '2025-13-45')")
            .await;
        bad += 1;
    }
    let before = f.engine.live("concerts").unwrap().version;

    let report = pipeline::reindex(&f.engine, &f.source, "concerts", &quick(), |_| {})
        .await
        .unwrap();
    assert_eq!(report.docs, 200, "every good row indexed");
    assert_eq!(report.failed_rows, bad);
    assert!(report.swapped);
    let live = f.engine.live("concerts").unwrap();
    assert_eq!(live.version, report.version);
    assert_ne!(live.version, before);
    let catalog = f.engine.catalog().unwrap();
    let errors = catalog.row_errors(report.job_id, 10).await.unwrap();
    let fields: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.row_id.as_str(), e.field.as_str()))
        .collect();
    assert!(fields.contains(&("10001", "title")), "{errors:?}");
    assert!(fields.contains(&("10002", "title")), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.reason.contains("longer than")),
        "{errors:?}"
    );
    if f.backend() == Backend::Sqlite {
        assert!(fields.contains(&("10003", "start_date")), "{errors:?}");
    }
    let job = catalog.job(report.job_id).await.unwrap();
    assert_eq!(job.state, JobState::Succeeded);
    assert_eq!(job.processed, 200 + bad);

    // What the demo generator put in is findable.
    let first = chatda::demo::concert(7, 1);
    let hits = f
        .engine
        .search("concerts", &SearchRequest::text(&first.title))
        .unwrap();
    assert!(hits.total.value > 0);

    // A second reindex while one runs is refused, naming the running job.
    let running = catalog
        .start_job(&NewJob {
            kind: "concerts".into(),
            high_water: 0,
            total_estimate: None,
            swap: true,
        })
        .await
        .unwrap();
    let refused = pipeline::reindex(&f.engine, &f.source, "concerts", &quick(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, PipelineError::Engine(EngineError::Catalog(chatda::catalog::CatalogError::AlreadyRunning { job_id, .. })) if *job_id == running.id),
        "{refused}"
    );
    assert!(refused.to_string().contains("already running"), "{refused}");
    catalog
        .finish_job(running.id, JobState::Cancelled, None)
        .await
        .unwrap();

    // Incremental sync: insert, update, delete, then one sync pass.
    f.insert_concert(20_001, Some("새봄 재즈 페스티벌")).await;
    f.exec("UPDATE concerts SET title = '제목이 바뀐 공연' WHERE id = 2")
        .await;
    f.exec("DELETE FROM concerts WHERE id = 3").await;
    f.exec("UPDATE concerts SET title = '고쳐진 제목' WHERE id = 10001")
        .await;
    let mut gaps = Default::default();
    let mut applied = 0;
    loop {
        let n = pipeline::sync_once(
            &f.engine,
            &f.source,
            "concerts",
            &SyncOptions::default(),
            &mut gaps,
        )
        .await
        .unwrap();
        if n == 0 {
            break;
        }
        applied += n;
    }
    assert_eq!(applied, 4);
    let engine = &f.engine;
    assert_eq!(
        title_of(engine, "20001").as_deref(),
        Some("새봄 재즈 페스티벌")
    );
    assert_eq!(title_of(engine, "2").as_deref(), Some("제목이 바뀐 공연"));
    assert_eq!(title_of(engine, "3"), None);
    assert_eq!(title_of(engine, "10001").as_deref(), Some("고쳐진 제목"));

    // The follower: a write becomes searchable while it runs.
    let engine = Arc::new(f.engine);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let follower = tokio::spawn(pipeline::follow(
        engine.clone(),
        f.source.clone(),
        SyncOptions::default(),
        async {
            let _ = stop_rx.await;
        },
    ));
    let written = Instant::now();
    let source = f.source.clone();
    sqlx::query(
        "INSERT INTO concerts (id, title, genre) VALUES (20002, '한여름밤의 꿈 뮤지컬', '뮤지컬')",
    )
    .execute(source.pool())
    .await
    .unwrap();
    let mut seen = None;
    while written.elapsed() < Duration::from_secs(10) {
        if title_of(&engine, "20002").is_some() {
            seen = Some(written.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let latency = seen.expect("the follower applied the insert within 10 s");
    eprintln!("sync latency: {latency:?}");
    stop_tx.send(()).unwrap();
    follower.await.unwrap();

    // Reindex again, then roll back to the first reindex's version.
    let second = pipeline::reindex(&engine, &source, "concerts", &quick(), |_| {})
        .await
        .unwrap();
    // 200 seeded + 20001 + 20002 + the fixed 10001 - the deleted 3.
    assert_eq!(second.docs, 202);
    let rolled = engine.rollback("concerts").await.unwrap();
    assert_eq!(rolled, report.version);
    assert_eq!(engine.live("concerts").unwrap().version, report.version);
    let catalog = engine.catalog().unwrap();
    assert_eq!(
        catalog.alias("concerts").await.unwrap().unwrap().version,
        report.version
    );
    // The rolled-back-to version still has the follower's writes.
    assert!(title_of(&engine, "20002").is_some());
    let v = catalog
        .version("concerts", second.version)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.state, VersionState::Ready, "kept for a roll-forward");
}

#[tokio::test]
async fn sqlite_reindex_swap_rollback_and_sync() {
    reindex_swap_rollback_and_sync(support::sqlite().await).await;
}

#[tokio::test]
async fn postgres_reindex_swap_rollback_and_sync() {
    support::on_postgres("basic", reindex_swap_rollback_and_sync).await;
}

/// Inserts, updates and deletes rows while a reindex loads; the swapped version must
/// reflect every write made before the catch-up started.
async fn writes_during_reindex_are_caught_up(f: Fixture) {
    use sqlx::Row;
    use std::sync::atomic::{AtomicBool, Ordering};
    seed_demo(&f.source, 1_500, 0, 11, |_| {}).await.unwrap();
    let loading_done = Arc::new(AtomicBool::new(false));
    let job_started = Arc::new(AtomicBool::new(false));
    let writer = {
        let source = f.source.clone();
        let loading_done = loading_done.clone();
        let job_started = job_started.clone();
        tokio::spawn(async move {
            let mut during = 0;
            let mut late = Vec::new();
            let mut i = 0i64;
            while !loading_done.load(Ordering::SeqCst) {
                i += 1;
                let (id, sql) = match i % 3 {
                    0 => (
                        50_000 + i,
                        format!(
                            "INSERT INTO concerts (id, title, genre) VALUES ({}, '신규 공연 {i}', '콘서트')",
                            50_000 + i
                        ),
                    ),
                    1 => {
                        let id = (i * 7) % 1_400 + 1;
                        (
                            id,
                            format!(
                                "UPDATE concerts SET title = '갱신된 공연 {i}' WHERE id = {id}"
                            ),
                        )
                    }
                    _ => (
                        1_500 - i,
                        format!("DELETE FROM concerts WHERE id = {}", 1_500 - i),
                    ),
                };
                let running = job_started.load(Ordering::SeqCst);
                sqlx::query(&sql).execute(source.pool()).await.unwrap();
                if loading_done.load(Ordering::SeqCst) {
                    late.push(id.to_string()); // may or may not be in the catch-up
                } else if running {
                    during += 1;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            (during, late)
        })
    };
    let options = ReindexOptions {
        batch_size: 25,
        ..quick()
    };
    let report = pipeline::reindex(&f.engine, &f.source, "concerts", &options, |p| {
        job_started.store(true, Ordering::SeqCst);
        if p.stage != "loading" {
            loading_done.store(true, Ordering::SeqCst);
        }
    })
    .await
    .unwrap();
    let (during, late) = writer.await.unwrap();
    assert!(
        during >= 3,
        "only {during} writes landed while the reindex ran"
    );
    assert!(
        report.caught_up > 0,
        "the catch-up applied the writes made during the load"
    );

    let rows = sqlx::query("SELECT id, title FROM concerts")
        .fetch_all(f.source.pool())
        .await
        .unwrap();
    let mut in_source = std::collections::BTreeSet::new();
    for row in &rows {
        let id: i64 = row.try_get("id").unwrap();
        let title: String = row.try_get("title").unwrap();
        in_source.insert(id.to_string());
        if late.contains(&id.to_string()) {
            continue;
        }
        assert_eq!(
            title_of(&f.engine, &id.to_string()),
            Some(title),
            "row {id}"
        );
    }
    for id in 1..=1_500 {
        let id = id.to_string();
        if !in_source.contains(&id) && !late.contains(&id) {
            assert_eq!(title_of(&f.engine, &id), None, "deleted row {id} is gone");
        }
    }
    if late.is_empty() {
        assert_eq!(
            f.engine.index("concerts").unwrap().num_docs(),
            rows.len() as u64
        );
    }
}

#[tokio::test]
async fn sqlite_writes_during_reindex_are_caught_up() {
    writes_during_reindex_are_caught_up(support::sqlite().await).await;
}

#[tokio::test]
async fn postgres_writes_during_reindex_are_caught_up() {
    support::on_postgres("writes", writes_during_reindex_are_caught_up).await;
}

/// Waits until the kind's job has read some rows.
async fn wait_for_progress(f: &Fixture, kind: &str) -> i64 {
    let catalog = f.engine.catalog().unwrap();
    for _ in 0..2_000 {
        if let Some(job) = catalog.active_job(kind).await.unwrap()
            && job.processed > 0
        {
            return job.id;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the reindex never reported progress");
}

#[tokio::test]
async fn postgres_outage_mid_job_is_retried() {
    support::on_postgres("outage", |f| async move {
        let schema = f.schema.clone().unwrap();
        seed_demo(&f.source, 1_500, 0, 5, |_| {}).await.unwrap();
        let admin = chatda::source::Source::connect(&support::pg_base_url(), Default::default())
            .await
            .unwrap();
        let options = ReindexOptions {
            batch_size: 25,
            ..quick()
        };
        let (result, killed) = tokio::join!(
            pipeline::reindex(&f.engine, &f.source, "concerts", &options, |_| {}),
            async {
                wait_for_progress(&f, "concerts").await;
                // Kill the job's connections while a query runs on them (idle ones the pool
                // would just replace), twice: the interrupted page must be retried.
                let mut killed = 0;
                for _ in 0..20_000 {
                    use sqlx::Row;
                    let row = sqlx::query(&format!(
                        "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
                         WHERE application_name = '{schema}' AND state = 'active'"
                    ))
                    .fetch_one(admin.pool())
                    .await
                    .unwrap();
                    killed += row.try_get::<i64, _>("n").unwrap();
                    if killed >= 2 {
                        break;
                    }
                }
                killed
            }
        );
        assert!(killed > 0, "no source connection was killed");
        let report = result.expect("the job survives killed connections");
        assert_eq!(report.docs, 1_500);
    })
    .await;
}

#[tokio::test]
async fn postgres_source_gone_fails_cleanly_and_keeps_the_live_index() {
    support::on_postgres("gone", |f| async move {
        let schema = f.schema.clone().unwrap();
        seed_demo(&f.source, 1_500, 0, 5, |_| {}).await.unwrap();
        let first = pipeline::reindex(&f.engine, &f.source, "concerts", &quick(), |_| {})
            .await
            .unwrap();
        let admin = chatda::source::Source::connect(&support::pg_base_url(), Default::default())
            .await
            .unwrap();
        let options = ReindexOptions {
            batch_size: 25,
            retry_attempts: 2,
            ..quick()
        };
        let (result, _) = tokio::join!(
            pipeline::reindex(&f.engine, &f.source, "concerts", &options, |_| {}),
            async {
                let job = wait_for_progress(&f, "concerts").await;
                sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                    .execute(admin.pool())
                    .await
                    .unwrap();
                job
            }
        );
        let error = result.expect_err("the source's tables are gone");
        assert!(matches!(error, PipelineError::Source(_)), "{error}");
        let catalog = f.engine.catalog().unwrap();
        let job = catalog.jobs(1).await.unwrap().remove(0);
        assert_eq!(job.state, JobState::Failed);
        assert!(
            job.error.as_deref().unwrap_or_default().contains("source"),
            "{job:?}"
        );
        let version = catalog
            .version("concerts", job.target_version)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(version.state, VersionState::Failed);
        let live = f.engine.live("concerts").unwrap();
        assert_eq!(live.version, first.version, "the alias did not move");
        assert_eq!(
            live.index.num_docs(),
            1_500,
            "the live version kept every document"
        );
        assert!(
            catalog.swap("concerts", job.target_version).await.is_err(),
            "a failed version cannot serve"
        );
    })
    .await;
}

fn chatda(data_dir: &std::path::Path, url: &str, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_chatda"));
    command
        .args(args)
        .env("CHATDA_DATA_DIR", data_dir)
        .env("CHATDA_SOURCE_URL", url);
    command
}

/// SIGKILL a `chatda reindex` mid-run: the alias keeps serving the old version with all
/// its documents; a reindex right away is refused (the job looks alive); once the job
/// is stale, the next reindex resumes it from its checkpoint and succeeds.
#[tokio::test]
async fn sqlite_killed_reindex_leaves_the_live_index_and_resumes() {
    let f = support::sqlite().await;
    seed_demo(&f.source, 2_000, 0, 3, |_| {}).await.unwrap();
    let first = pipeline::reindex(&f.engine, &f.source, "concerts", &quick(), |_| {})
        .await
        .unwrap();
    assert_eq!(first.docs, 2_000);
    f.insert_concert(30_001, Some("재개 후에만 보이는 공연"))
        .await;

    let mut child = chatda(
        f.dir.path(),
        &f.url,
        &[
            "reindex",
            "concerts",
            "--batch-size",
            "20",
            "--checkpoint-rows",
            "100",
        ],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let catalog = f.engine.catalog().unwrap();
    let mut job = None;
    for _ in 0..6_000 {
        if let Some(j) = catalog.active_job("concerts").await.unwrap()
            && j.checkpoint.is_some()
        {
            job = Some(j);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let job = job.expect("the child reached a checkpoint");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let killed_at = catalog.job(job.id).await.unwrap();
    assert_eq!(killed_at.state, JobState::Running, "nobody finished it");

    // The live index is untouched, in this process and in a fresh one.
    let reopened = chatda::engine::Engine::open(f.dir.path()).await.unwrap();
    let live = reopened.live("concerts").unwrap();
    assert_eq!(live.version, first.version);
    assert_eq!(live.index.num_docs(), 2_000);
    assert_eq!(f.engine.live("concerts").unwrap().version, first.version);

    let refused = chatda(f.dir.path(), &f.url, &["reindex", "concerts"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("already running"), "{stderr}");

    // Wait out the heartbeat, then resume.
    let stale_at = killed_at.heartbeat_at + chatda::catalog::STALE_AFTER_MS + 200;
    let wait = (stale_at - chatda::catalog::now_ms()).max(0) as u64;
    tokio::time::sleep(Duration::from_millis(wait)).await;
    let resumed = chatda(f.dir.path(), &f.url, &["reindex", "concerts"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&resumed.stdout);
    assert!(
        resumed.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(
        stdout.contains(&format!("resumed job {}", job.id)),
        "{stdout}"
    );
    assert!(stdout.contains("2001 documents"), "{stdout}");
    let done = catalog.job(job.id).await.unwrap();
    assert_eq!(done.state, JobState::Succeeded);
    let reopened = chatda::engine::Engine::open(f.dir.path()).await.unwrap();
    let live = reopened.live("concerts").unwrap();
    assert_eq!(live.version, job.target_version);
    assert_eq!(
        live.index.num_docs(),
        2_001,
        "no row lost or doubled by the resume"
    );
    assert!(title_of(&reopened, "30001").is_some());
}

#[tokio::test]
async fn sqlite_cancelled_reindex_leaves_the_live_index() {
    let f = support::sqlite().await;
    seed_demo(&f.source, 1_500, 0, 9, |_| {}).await.unwrap();
    let before = f.engine.live("concerts").unwrap().version;
    let options = ReindexOptions {
        batch_size: 10,
        ..quick()
    };
    let (result, job_id) = tokio::join!(
        pipeline::reindex(&f.engine, &f.source, "concerts", &options, |_| {}),
        async {
            let id = wait_for_progress(&f, "concerts").await;
            f.engine
                .catalog()
                .unwrap()
                .request_cancel(id)
                .await
                .unwrap();
            id
        }
    );
    let error = result.unwrap_err();
    assert!(
        matches!(error, PipelineError::Cancelled(id) if id == job_id),
        "{error}"
    );
    let catalog = f.engine.catalog().unwrap();
    let job = catalog.job(job_id).await.unwrap();
    assert_eq!(job.state, JobState::Cancelled);
    assert!(job.processed < 1_500, "stopped before the end");
    assert_eq!(f.engine.live("concerts").unwrap().version, before);
    let version = catalog
        .version("concerts", job.target_version)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(version.state, VersionState::Failed);
}

/// A custom SELECT (the contract of `chatda::source`) maps other column names; one that
/// returns NULL ids fails the job with a message instead of silently stopping the walk.
#[tokio::test]
async fn sqlite_custom_select_and_unreadable_ids() {
    let f = support::sqlite().await;
    f.exec("CREATE TABLE shows (show_id INTEGER PRIMARY KEY, name TEXT, kind TEXT)")
        .await;
    f.exec("INSERT INTO shows VALUES (1, '레미제라블 내한공연', '뮤지컬'), (2, '지킬 앤 하이드', '뮤지컬')").await;
    let with_select = |sql: &str| {
        let selects = [("concerts".to_string(), sql.to_string())].into();
        chatda::source::Source::connect(&f.url, selects)
    };
    let custom = with_select("SELECT show_id AS id, name AS title, kind AS genre FROM shows")
        .await
        .unwrap();
    let report = pipeline::reindex(&f.engine, &custom, "concerts", &quick(), |_| {})
        .await
        .unwrap();
    assert_eq!(report.docs, 2);
    assert_eq!(title_of(&f.engine, "2").as_deref(), Some("지킬 앤 하이드"));

    let broken = with_select("SELECT NULL AS id, name AS title FROM shows")
        .await
        .unwrap();
    let error = pipeline::reindex(&f.engine, &broken, "concerts", &quick(), |_| {})
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("NULL or unreadable id"),
        "{error}"
    );
    assert_eq!(f.engine.live("concerts").unwrap().version, report.version);
}

/// Writes pushed through the API survive reindexes (new id, update, delete), until the
/// source changes the same row afterwards; rows the follower cannot index are kept as
/// sync errors and retried once fixed.
async fn pushed_writes_survive_reindexes_and_failed_rows_are_kept(f: Fixture) {
    seed_demo(&f.source, 100, 0, 5, |_| {}).await.unwrap();
    pipeline::reindex(&f.engine, &f.source, "concerts", &quick(), |_| {})
        .await
        .unwrap();
    let lines = [
        r#"{"id": 90001, "title": "API로 넣은 공연"}"#,
        r#"{"id": 3, "title": "API로 바꾼 제목"}"#,
        r#"{"delete": 4}"#,
        r#"{"id": 5, "price_min": "free"}"#,
    ]
    .join("\n");
    let report = pipeline::push_lines(&f.engine, &f.source, "concerts", lines, 100)
        .await
        .unwrap();
    assert_eq!((report.upserted, report.deleted, report.failed), (2, 1, 1));
    assert_eq!(
        title_of(&f.engine, "90001").as_deref(),
        Some("API로 넣은 공연")
    );

    for round in 0..2 {
        let done = pipeline::reindex(&f.engine, &f.source, "concerts", &quick(), |_| {})
            .await
            .unwrap();
        assert!(done.swapped);
        assert_eq!(
            title_of(&f.engine, "90001").as_deref(),
            Some("API로 넣은 공연"),
            "round {round}: a pushed document is not in the source, yet survives"
        );
        assert_eq!(title_of(&f.engine, "3").as_deref(), Some("API로 바꾼 제목"));
        assert_eq!(
            title_of(&f.engine, "4"),
            None,
            "a pushed delete survives too"
        );
    }

    // The source changes row 3 after the push: the source wins, now and at reindexes.
    f.exec("UPDATE concerts SET title = '원본에서 고친 제목' WHERE id = 3")
        .await;
    let options = SyncOptions::default();
    let mut gaps = Default::default();
    while pipeline::sync_once(&f.engine, &f.source, "concerts", &options, &mut gaps)
        .await
        .unwrap()
        > 0
    {}
    assert_eq!(
        title_of(&f.engine, "3").as_deref(),
        Some("원본에서 고친 제목")
    );
    pipeline::reindex(&f.engine, &f.source, "concerts", &quick(), |_| {})
        .await
        .unwrap();
    assert_eq!(
        title_of(&f.engine, "3").as_deref(),
        Some("원본에서 고친 제목")
    );
    assert_eq!(
        title_of(&f.engine, "90001").as_deref(),
        Some("API로 넣은 공연")
    );

    // A row the follower cannot index is kept with its reason, then retried once fixed.
    f.exec("UPDATE concerts SET title = NULL WHERE id = 6")
        .await;
    while pipeline::sync_once(&f.engine, &f.source, "concerts", &options, &mut gaps)
        .await
        .unwrap()
        > 0
    {}
    let catalog = f.engine.catalog().unwrap();
    let errors = catalog.sync_errors(Some("concerts"), 100).await.unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].row_id.as_str(), errors[0].field.as_str()),
        ("6", "title")
    );
    let still = pipeline::retry_sync_errors(&f.engine, &f.source, "concerts")
        .await
        .unwrap();
    assert_eq!((still.retried, still.still_failing), (1, 1));
    // Fixed in the source: a retry indexes it without waiting for the follower.
    f.exec("UPDATE concerts SET title = '복구된 공연' WHERE id = 6")
        .await;
    let fixed = pipeline::retry_sync_errors(&f.engine, &f.source, "concerts")
        .await
        .unwrap();
    assert_eq!((fixed.retried, fixed.resolved), (1, 1));
    assert!(
        catalog
            .sync_errors(Some("concerts"), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(title_of(&f.engine, "6").as_deref(), Some("복구된 공연"));
}

#[tokio::test]
async fn sqlite_pushed_writes_survive_reindexes_and_failed_rows_are_kept() {
    pushed_writes_survive_reindexes_and_failed_rows_are_kept(support::sqlite().await).await;
}

#[tokio::test]
async fn postgres_pushed_writes_survive_reindexes_and_failed_rows_are_kept() {
    support::on_postgres(
        "pushed",
        pushed_writes_survive_reindexes_and_failed_rows_are_kept,
    )
    .await;
}
