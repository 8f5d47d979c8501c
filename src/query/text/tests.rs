use std::sync::Arc;

use serde_json::json;
use tantivy::TantivyDocument;
use tantivy::collector::TopDocs;
use tantivy::schema::Value as _;

use super::*;
use crate::analysis::AnalyzerConfig;
use crate::index::KindIndex;
use crate::schema::KindSpec;

struct Fixture {
    analyzer: Arc<Analyzer>,
    index: KindIndex,
}

fn fixture() -> Fixture {
    let analyzer = Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap());
    let index =
        KindIndex::in_memory(KindSpec::builtin("concerts").unwrap(), analyzer.clone()).unwrap();
    let report = index.upsert(&[
        json!({"id": 1, "title": "2025 아이유 콘서트 HER", "artists": ["아이유", "IU"], "venue": "올림픽공원 KSPO DOME"}),
        json!({"id": 2, "title": "뮤지컬 레미제라블 내한공연", "venue": "블루스퀘어"}),
        json!({"id": 3, "title": "2025 여름 공연 페스티벌", "venue": "난지한강공원"}),
        json!({"id": 4, "title": "방탄소년단 월드투어", "artists": ["방탄소년단"]}),
        json!({"id": 5, "title": "아이유 팬미팅", "artists": ["아이유"]}),
        json!({"id": 6, "title": "이유 있는 밤", "venue": "소극장"}),
    ]).unwrap();
    assert!(report.rejected.is_empty());
    index.commit().unwrap();
    Fixture { analyzer, index }
}

impl Fixture {
    fn search(&self, q: &str) -> Vec<String> {
        self.search_matching(q, Matching::All)
    }

    fn search_matching(&self, q: &str, matching: Matching) -> Vec<String> {
        self.hits(q, matching)
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    /// The first page's ids and scores.
    fn hits(&self, q: &str, matching: Matching) -> Vec<(String, f32)> {
        let spec = self.index.spec();
        let fields: Vec<WeightedField> = spec
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| WeightedField::of(self.index.fields(), i, f.boost))
            .collect();
        let searcher = self.index.searcher();
        let Some(text) = TextQuery::new(&self.analyzer, &searcher, &fields, &[], Fuzzy::Auto, true)
            .build(q, matching)
            .unwrap()
        else {
            return Vec::new();
        };
        let query = text.strict;
        searcher
            .search(&*query, &TopDocs::with_limit(10).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address).unwrap();
                let id = doc
                    .get_first(self.index.fields().id)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string();
                (id, score)
            })
            .collect()
    }
}

#[test]
fn spacing_typos_prefixes_initials_and_keyboard_layout_find_the_same_shows() {
    let f = fixture();
    assert_eq!(f.search("여름공연"), f.search("여름 공연"));
    assert_eq!(f.search("여름공연"), ["3"]);
    let iu = f.search("아이유");
    assert!(
        iu.len() >= 2 && iu.iter().all(|id| id == "1" || id == "5"),
        "{iu:?}"
    );
    for variant in ["아이우", "ㅇㅇㅇ", "dkdldb", "아이유콘서트"] {
        let hits = f.search(variant);
        assert!(
            hits.first().is_some_and(|id| id == "1" || id == "5"),
            "{variant}: {hits:?}"
        );
    }
    assert_eq!(f.search("레미"), ["2"], "prefix of the last word");
    assert_eq!(f.search("방탄소"), ["4"]);
    assert_eq!(f.search("BTS"), ["4"], "synonyms from the bundled list");
    assert!(f.search("qwzx kkvv").is_empty(), "junk finds nothing");
    assert!(f.search("   ").is_empty());
}

#[test]
fn common_words_are_not_matched_with_typos() {
    let analyzer = Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap());
    let index =
        KindIndex::in_memory(KindSpec::builtin("concerts").unwrap(), analyzer.clone()).unwrap();
    // "공연" in 40 titles of 43 (common); "공원" is one jamo away from it.
    let mut docs: Vec<_> = (1..=40)
        .map(|id| json!({"id": id, "title": format!("겨울 공연 {id}")}))
        .collect();
    docs.push(json!({"id": 41, "title": "여름 음악회", "venue": "올림픽공원"}));
    docs.push(json!({"id": 42, "title": "여름 공연", "venue": "소극장"}));
    docs.push(json!({"id": 43, "title": "아이유 팬미팅"}));
    assert!(index.upsert(&docs).unwrap().rejected.is_empty());
    index.commit().unwrap();
    let f = Fixture { analyzer, index };
    assert_eq!(
        f.search("여름공연"),
        ["42"],
        "공원 is not a typo of the common 공연"
    );
    assert_eq!(f.search("여름 공연"), ["42"]);
    assert_eq!(f.search("여름 음악회"), ["41"]);
    // A word no document has keeps its typo tolerance.
    assert_eq!(f.search("아이우"), ["43"]);
}

#[test]
fn exact_matches_rank_above_fuzzy_ones() {
    let f = fixture();
    // "이유" is exact for show 6 and one jamo away from nothing else; "아이유" shows
    // may match fuzzily but must rank below.
    assert_eq!(f.search("이유").first().map(String::as_str), Some("6"));
    assert_eq!(Fuzzy::Auto.distance(3), 0);
    assert_eq!(Fuzzy::Auto.distance(6), 1);
    assert_eq!(Fuzzy::Auto.distance(9), 2);
    assert_eq!(Fuzzy::Distance(5).distance(1), 2);
}

#[test]
fn a_misspelling_the_analyzer_splits_is_one_word_not_its_pieces() {
    let analyzer = Arc::new(Analyzer::new(&AnalyzerConfig::default()).unwrap());
    let index =
        KindIndex::in_memory(KindSpec::builtin("concerts").unwrap(), analyzer.clone()).unwrap();
    let docs = [
        json!({"id": 1, "title": "방탄소년단 월드투어", "artists": ["방탄소년단"]}),
        json!({"id": 2, "title": "방탄 조끼 특별전"}),
        json!({"id": 3, "title": "소년 합창단 정기공연"}),
        json!({"id": 4, "title": "아이유 팬미팅"}),
    ];
    assert!(index.upsert(&docs).unwrap().rejected.is_empty());
    index.commit().unwrap();
    let f = Fixture { analyzer, index };
    let pieces = f.analyzer.analyze_query("방탄소년딘");
    assert!(pieces.len() > 1, "the analyzer splits it");
    // Even when any word may match, a piece of the misspelled word is no match for it.
    assert_eq!(f.search_matching("방탄소년딘", Matching::Any), ["1"]);
    assert_eq!(f.search("방탄소년딘"), ["1"]);
}

/// A glued word typed last whose words begin a longer name ("아이유콘서트", and the title
/// "2025 아이유 콘서트 HER") is glued, not misspelled or unfinished: it is matched as its
/// words, and ranks as the same words spaced.
#[test]
fn a_glued_word_that_begins_a_longer_name_ranks_as_its_words_spaced() {
    let f = fixture();
    let glued = f.hits("아이유콘서트", Matching::All);
    assert_eq!(
        glued.first().map(|(id, _)| id.as_str()),
        Some("1"),
        "{glued:?}"
    );
    assert_eq!(glued, f.hits("아이유 콘서트", Matching::All));
}
