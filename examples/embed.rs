//! Embedding chatda in a Rust service: index a few shows, then search with a typo, a
//! filter and an aggregation. Run: `cargo run --release --example embed`.

use chatda::engine::Engine;
use chatda::query::SearchRequest;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `Engine::open("./data")` keeps the indexes on disk; in memory for the example.
    let engine = Engine::in_memory()?;
    let report = engine.upsert(
        "concerts",
        &[
            json!({"id": 1, "title": "2025 여름 공연 페스티벌", "genre": "페스티벌", "start_date": "2025-07-19"}),
            json!({"id": 2, "title": "아이유 콘서트 HER", "artists": ["아이유"], "genre": "콘서트", "start_date": "2025-09-20"}),
            json!({"id": 3, "title": "뮤지컬 레미제라블", "genre": "뮤지컬", "start_date": "2025-11-01"}),
        ],
    )?;
    println!(
        "indexed {}, rejected {}",
        report.upserted,
        report.rejected.len()
    );
    engine.commit("concerts")?;

    // A typo ("아이우"), missing spaces ("여름공연") and a half-typed word ("레미") all match.
    for q in ["아이우", "여름공연", "레미"] {
        let response = engine.search("concerts", &SearchRequest::text(q))?;
        for hit in &response.hits {
            println!(
                "{q:>6} → {} {:.2} {}",
                hit.id, hit.score, hit.source["title"]
            );
        }
    }

    let request = SearchRequest::from_json(
        br#"{"filter": {"start_date": {"gte": "2025-08-01"}},
             "aggs": {"genres": {"terms": {"field": "genre"}}}}"#,
    )?;
    let response = engine.search("concerts", &request)?;
    println!(
        "{} shows from August: {}",
        response.total.value,
        response.aggregations.unwrap()
    );
    Ok(())
}
