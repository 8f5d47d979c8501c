//! The search result cache: a repeated request on an unchanged index is answered from
//! it; a commit, a synonym list replaced at run time or a different request never gets
//! an old answer; the cache can be turned off.

use chatda::engine::{Engine, EngineConfig};
use chatda::query::{SearchRequest, SearchResponse};
use serde_json::{Value as Json, json};

fn request(json: Json) -> SearchRequest {
    SearchRequest::from_json(json.to_string().as_bytes()).expect("a valid request")
}

fn search(engine: &Engine, json: Json) -> SearchResponse {
    engine.search("concerts", &request(json)).expect("search")
}

fn show(id: u64, title: &str) -> Json {
    json!({"id": id, "title": title, "artists": ["아이유"], "genre": "콘서트", "city": "서울",
           "start_date": "2025-09-20"})
}

#[test]
fn repeated_requests_come_from_the_cache_until_the_index_or_synonyms_change() {
    let engine = Engine::in_memory().expect("engine");
    engine
        .upsert("concerts", &[show(1, "아이유 콘서트 HER")])
        .expect("upsert");
    engine.commit("concerts").expect("commit");

    let first = search(&engine, json!({"q": "아이유"}));
    assert_eq!(first.total.value, 1);
    let stats = engine.cache_stats();
    assert_eq!((stats.hits, stats.misses, stats.entries), (0, 1, 1));
    assert!(
        stats.bytes > 0 && stats.bytes <= stats.capacity,
        "{stats:?}"
    );

    let again = search(&engine, json!({"q": "아이유"}));
    assert_eq!(again.hits, first.hits);
    assert_eq!(engine.cache_stats().hits, 1);

    // Object keys in another order are the same request.
    let filtered = json!({"q": "아이유", "filter": {"city": "서울", "genre": "콘서트"}});
    let reordered = json!({"filter": {"genre": "콘서트", "city": "서울"}, "q": "아이유"});
    assert_eq!(search(&engine, filtered).total.value, 1);
    assert_eq!(search(&engine, reordered).total.value, 1);
    assert_eq!(engine.cache_stats().hits, 2);

    // Another request is another answer.
    assert_eq!(
        search(&engine, json!({"q": "아이유", "limit": 0}))
            .hits
            .len(),
        0
    );

    // A commit is a new index state: the next search sees the new show.
    engine
        .upsert("concerts", &[show(2, "아이유 앵콜 공연")])
        .expect("upsert");
    engine.commit("concerts").expect("commit");
    assert_eq!(search(&engine, json!({"q": "아이유"})).total.value, 2);

    // A synonym list replaced at run time changes what queries match.
    assert_eq!(search(&engine, json!({"q": "가나다라마"})).total.value, 0);
    engine
        .analyzer()
        .replace_synonyms("가나다라마, 아이유\n", "test")
        .expect("a valid list");
    assert_eq!(search(&engine, json!({"q": "가나다라마"})).total.value, 2);
}

#[tokio::test]
async fn a_cache_of_zero_bytes_is_off() {
    let config = EngineConfig {
        data_dir: None,
        search_cache_bytes: 0,
        ..EngineConfig::new(".").expect("config")
    };
    let engine = Engine::with_config(config).await.expect("engine");
    engine
        .upsert("concerts", &[show(1, "아이유 콘서트 HER")])
        .expect("upsert");
    engine.commit("concerts").expect("commit");
    for _ in 0..3 {
        assert_eq!(search(&engine, json!({"q": "아이유"})).total.value, 1);
    }
    let stats = engine.cache_stats();
    assert_eq!((stats.hits, stats.misses, stats.entries), (0, 0, 0));
}
