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
    let Some(f) = support::postgres("basic").await else {
        return;
    };
    let schema = f.schema.clone().unwrap();
    reindex_swap_rollback_and_sync(f).await;
    support::drop_schema(&schema).await;
}
