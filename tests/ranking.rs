//! One test per relevance rule of the query plan and the ranking rules (docs/searching.md,
//! "How text matches" and "Ranking rules"): each names the rule and fails without it.

use std::sync::OnceLock;

use chatda::engine::Engine;
use chatda::query::SearchRequest;
use serde_json::{Value as Json, json};

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let engine = Engine::in_memory().unwrap();
        // Background: generated concerts, so common words are common and rare ones rare.
        let mut docs: Vec<Json> = chatda::demo::concerts(7)
            .take(2_000)
            .map(|c| c.to_document())
            .collect();
        docs.extend([
            json!({"id": 900_001, "title": "나훈아 전국투어 - 부산", "artists": ["나훈아"], "venue": "벡스코 오디토리움", "city": "부산", "genre": "트로트"}),
            json!({"id": 900_002, "title": "송년 갈라", "artists": ["서울시향"], "venue": "예술의전당 콘서트홀", "city": "서울", "genre": "클래식"}),
            json!({"id": 900_003, "title": "뮤지컬 지킬 앤 하이드", "artists": ["류정한"], "venue": "샤롯데씨어터", "city": "서울", "genre": "뮤지컬"}),
            json!({"id": 900_004, "title": "김연아 아이스쇼", "artists": ["김연아"], "venue": "고양 킨텍스", "city": "고양", "genre": "기타"}),
            json!({"id": 900_005, "title": "Taylor Swift The Eras Tour", "artists": ["Taylor Swift"], "venue": "고척스카이돔", "city": "서울", "genre": "콘서트"}),
            json!({"id": 900_006, "title": "여름밤 라이브", "artists": ["Golden Hour"], "venue": "롤링홀", "city": "서울", "genre": "콘서트"}),
            json!({"id": 900_007, "title": "Golden Retriever Happy Hour Party", "venue": "롤링홀", "city": "서울", "genre": "콘서트"}),
            json!({"id": 900_008, "title": "발레 호두까기 인형", "artists": ["국립발레단"], "venue": "예술의전당 오페라극장", "city": "서울", "genre": "무용"}),
            json!({"id": 900_009, "title": "연극 햄릿 재공연", "artists": ["박정자"], "venue": "국립극장", "city": "서울", "genre": "연극"}),
        ]);
        engine.upsert("concerts", &docs).unwrap();
        engine.commit("concerts").unwrap();
        engine
    })
}

fn search(request: Json) -> (Vec<u64>, Vec<f32>, bool) {
    let request = SearchRequest::from_json(request.to_string().as_bytes()).unwrap();
    let response = engine().search("concerts", &request).unwrap();
    (
        response
            .hits
            .iter()
            .map(|h| h.id.as_u64().unwrap())
            .collect(),
        response.hits.iter().map(|h| h.score).collect(),
        response.relaxed,
    )
}

fn top(q: &str) -> Option<u64> {
    search(json!({"q": q})).0.first().copied()
}

#[test]
fn conversational_queries_relax_to_the_words_that_match() {
    // No document has 표: every word required finds nothing; "most" (the default)
    // finds 나훈아's show, flagged as a partial match with a 0-1 score.
    let q = "나훈아 콘서트 표 있어요";
    let (all, _, _) = search(json!({"q": q, "match": "all"}));
    assert!(all.is_empty(), "{all:?}");
    let (most, scores, relaxed) = search(json!({"q": q}));
    assert_eq!(most.first(), Some(&900_001), "{most:?}");
    assert!(relaxed);
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");
    // Verbs and endings are never required, even with "all".
    let (ids, _, relaxed) = search(json!({"q": "나훈아 보러 가고 싶어요", "match": "all"}));
    assert_eq!(ids, [900_001]);
    assert!(!relaxed);
}

#[test]
fn partial_matches_rank_by_the_share_of_the_query_they_cover() {
    // Nothing has 예매: 나훈아 + 벡스코 covers more of the query than 벡스코 alone.
    let (ids, scores, relaxed) = search(json!({"q": "나훈아 벡스코 예매", "limit": 50}));
    assert!(relaxed);
    assert_eq!(ids.first(), Some(&900_001), "{ids:?}");
    assert!(ids.len() > 1 && scores[0] > scores[1], "{scores:?}");
    // A word in more than 1 in 20 documents of the index (부산) makes no candidates of
    // its own, however the documents are split into segments: only 나훈아's show.
    let (ids, _, relaxed) = search(json!({"q": "나훈아 부산 예매", "limit": 50}));
    assert!(relaxed);
    assert_eq!(ids, [900_001]);
    // "any": either name.
    let (any, _, relaxed) = search(json!({"q": "김연아 나훈아", "match": "any"}));
    assert!(any.contains(&900_001) && any.contains(&900_004), "{any:?}");
    assert!(relaxed);
}

#[test]
fn keyword_values_match_query_words_also_glued() {
    assert_eq!(top("나훈아 트로트"), Some(900_001));
    assert_eq!(top("나훈아트로트"), Some(900_001));
    let (ids, _, relaxed) = search(json!({"q": "트로트 나훈아", "match": "all"}));
    assert_eq!((ids, relaxed), (vec![900_001], false));
}

fn hits(q: &str) -> Vec<(u64, String)> {
    let request = SearchRequest::from_json(json!({"q": q, "limit": 50}).to_string().as_bytes());
    let response = engine().search("concerts", &request.unwrap()).unwrap();
    response
        .hits
        .iter()
        .map(|h| {
            let title = h.source["title"].as_str().unwrap_or_default();
            let venue = h.source["venue"].as_str().unwrap_or_default();
            (h.id.as_u64().unwrap(), format!("{title} | {venue}"))
        })
        .collect()
}

#[test]
fn half_typed_names_match_their_whole_value() {
    // Every 예술의전당 콘서트홀 show matches "예술의전당콘서ㅌ", first.
    let found = hits("예술의전당콘서ㅌ");
    assert!(found.iter().any(|(id, _)| *id == 900_002), "{found:?}");
    assert!(found[0].1.ends_with("예술의전당 콘서트홀"), "{found:?}");
    // 재공 continues 재공연, which the analyzer reads as 재 + 공연.
    let found = hits("햄릿 재공");
    assert!(found.iter().any(|(id, _)| *id == 900_009), "{found:?}");
    assert!(found[0].1.contains("햄릿 재공연"), "{found:?}");
}

#[test]
fn initials_of_multi_word_names_from_any_word() {
    let found = hits("ㅈㅋㅇㅎㅇㄷ");
    assert!(found.iter().any(|(id, _)| *id == 900_003), "{found:?}");
    assert!(found[0].1.contains("지킬 앤 하이드"), "{found:?}");
    let found = hits("ㅎㅇㄷ");
    assert!(found.iter().any(|(id, _)| *id == 900_003), "{found:?}");
}

#[test]
fn typos_that_change_the_segmentation_and_swapped_syllables() {
    assert_eq!(top("나훈어"), Some(900_001));
    assert_eq!(top("김아연"), Some(900_004));
    assert_eq!(top("나훈어 부산"), Some(900_001));
}

#[test]
fn glued_latin_words_split_against_the_index() {
    assert_eq!(top("taylorswift"), Some(900_005));
    assert_eq!(top("TaylorSwift"), Some(900_005));
}

#[test]
fn an_exact_whole_name_ranks_above_its_words_apart() {
    let (ids, _, _) = search(json!({"q": "golden hour", "limit": 5}));
    assert_eq!(ids.first(), Some(&900_006), "{ids:?}");
    assert!(ids.contains(&900_007), "{ids:?}");
}

#[test]
fn multi_word_synonyms_apply_at_query_time_and_can_be_replaced() {
    let analyzer = engine().analyzer();
    let before = analyzer.synonym_list().text().to_string();
    assert!(!search(json!({"q": "the nutcracker"})).0.contains(&900_008));
    analyzer
        .replace_synonyms("The Nutcracker, 호두까기 인형\n", "test")
        .unwrap();
    let found = search(json!({"q": "the nutcracker"})).0;
    let issues = analyzer
        .replace_synonyms("a => b\nonly\n", "test")
        .unwrap_err();
    analyzer.replace_synonyms(&before, "test").unwrap();
    assert!(found.contains(&900_008), "{found:?}");
    assert_eq!(issues.len(), 2, "{issues:?}");
}

#[test]
fn dense_words_read_into_sets_match_and_score_as_the_scorers_do() {
    use std::sync::Arc;

    use chatda::query::{MatchSets, SearchThreads, search_with};

    let index = engine().index("concerts").unwrap();
    let searcher = index.searcher();
    let threads = SearchThreads::off();
    let walked = Arc::new(MatchSets::with_capacity(0));
    let kept = Arc::new(MatchSets::default());
    let queries = [
        "부산 뮤지컬",
        "아이유 콘서트",
        "여름 공연",
        "여름공연",
        "서울 콘서트 예매",
        "나훈아 부산",
        "뮤지컬 지킬",
        "콘서트",
        "서울 클래식 공연",
        "나훈아 콘서트 표 있어요",
        "공연 서울",
        "golden hour",
        "ㅇㅇㅇ",
        "방탄소",
    ];
    for round in 0..2 {
        for q in queries {
            for extra in [
                json!({}),
                json!({"match": "any"}),
                json!({"filter": {"city": "서울"}}),
            ] {
                let mut request = json!({"q": q, "limit": 20});
                request
                    .as_object_mut()
                    .unwrap()
                    .extend(extra.as_object().unwrap().clone());
                let request = SearchRequest::from_json(request.to_string().as_bytes()).unwrap();
                let answer = |sets: &Arc<MatchSets>| {
                    let r = search_with(&index, &searcher, &request, &threads, sets).unwrap();
                    let hits: Vec<(String, f32)> =
                        r.hits.iter().map(|h| (h.id.to_string(), h.score)).collect();
                    (hits, r.total.value, r.relaxed)
                };
                assert_eq!(
                    answer(&walked),
                    answer(&kept),
                    "{q} {extra} (round {round})"
                );
            }
        }
    }
    assert!(kept.misses() > 0, "dense words were read into sets");
    assert!(kept.hits() > 0, "the second round found them kept");
    assert_eq!(walked.misses() + walked.hits(), 0);
}
