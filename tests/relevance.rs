//! Floors of the relevance suite (`chatda eval`, `chatda::eval`) on 2,000 generated
//! concerts, 60 queries per class at most: a change that makes any class worse than this
//! fails. The floors sit about 0.05 under what the engine scored on these concerts when
//! they were set (the 20,000-concert tables are in docs/measurements.md). The least query
//! counts keep the generator from quietly shrinking a class.

use chatda::engine::Engine;
use chatda::eval;

#[test]
fn every_class_stays_above_its_floor() {
    let engine = Engine::in_memory().unwrap();
    let corpus: Vec<_> = chatda::demo::concerts(42).take(2_000).collect();
    let docs: Vec<_> = corpus.iter().map(|c| c.to_document()).collect();
    engine.upsert("concerts", &docs).unwrap();
    engine.commit("concerts").unwrap();
    let cases = eval::cases(&corpus, 60);
    let scores = eval::evaluate(&engine, &cases).unwrap();
    let table = eval::table(&scores);
    eprintln!("{table}");
    // (class, least queries generated, recall@10 floor)
    let floors = [
        ("exact", 60, 0.95),
        ("spacing", 60, 0.95),
        ("particles", 60, 0.89),
        ("conversational", 60, 0.95),
        ("typo", 60, 0.92),
        ("typo_swap", 60, 0.94),
        ("prefix", 60, 0.93),
        ("half_syllable", 60, 0.95),
        ("alias", 60, 0.94),
        ("initials", 60, 0.83),
        ("initials_multi", 60, 0.94),
        ("keyboard", 60, 0.95),
        ("keyword", 60, 0.89),
        ("glued_latin", 46, 0.93),
        ("filtered", 60, 0.95),
    ];
    assert_eq!(
        scores.len(),
        floors.len(),
        "a class without a floor\n{table}"
    );
    for (class, least, floor) in floors {
        let score = scores
            .iter()
            .find(|s| s.class == class)
            .unwrap_or_else(|| panic!("no {class} queries\n{table}"));
        assert!(
            score.queries >= least,
            "{class}: {} queries\n{table}",
            score.queries
        );
        assert!(
            score.recall >= floor,
            "{class}: recall@10 {:.2} < {floor}\n{table}",
            score.recall
        );
    }
}
