//! Embedding the SQL pipeline: rebuild the concerts index from a SQLite source, keep it
//! fresh from the change log, search it. Run: `cargo run --release --example reindex`.

use std::sync::Arc;

use chatda::engine::Engine;
use chatda::pipeline::{self, ReindexOptions, SyncOptions};
use chatda::query::SearchRequest;
use chatda::source::{Source, seed_demo};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join("chatda-example");
    let source = Source::connect(&chatda::source::default_url(&dir), Default::default()).await?;
    source.migrate().await?;
    seed_demo(&source, 2_000, 0, 42, |_| {}).await?;

    let engine = Arc::new(Engine::open(&dir).await?);
    let report = pipeline::reindex(
        &engine,
        &source,
        "concerts",
        &ReindexOptions::default(),
        |p| eprintln!("{} {} rows", p.stage, p.processed),
    )
    .await?;
    println!(
        "version {} live with {} documents",
        report.version, report.docs
    );

    // Keep the live version in step with the source until the end of main.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let follower = tokio::spawn(pipeline::follow(
        engine.clone(),
        source,
        SyncOptions::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let hits = engine.search("concerts", &SearchRequest::text("아이우"))?;
    println!("아이우: {} hits", hits.total.value);
    let _ = stop.send(());
    follower.await?;
    Ok(())
}
