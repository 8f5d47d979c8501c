//! Korean analysis throughput: MB/s of real Korean text (the mecab-ko golden corpus:
//! constitution and bills), single-threaded, for mecab-compatible segmentation and for the
//! full index analysis; and the same text with every space removed, which must not
//! collapse (a long unspaced run is the worst case for a lattice).
//!
//! Run: `cargo bench --bench analysis`.

use std::hint::black_box;

use chatda::analysis::{Analyzer, AnalyzerConfig, Spacing};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// About 1 MB of Korean prose made by repeating the golden corpus lines.
fn korean_text() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/mecab_golden/corpus.jsonl"
    );
    let lines: Vec<String> = std::fs::read_to_string(path)
        .expect("golden corpus")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            v["text"].as_str().expect("text").to_string()
        })
        .collect();
    let mut text = String::new();
    while text.len() < 1_000_000 {
        for line in &lines {
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}

fn bench(c: &mut Criterion) {
    let analyzer = Analyzer::new(&AnalyzerConfig::default()).expect("analyzer");
    let spaced = korean_text();
    // One line, no spaces, no line breaks: a single 1 MB run.
    let unspaced: String = spaced.chars().filter(|c| !c.is_whitespace()).collect();

    let mut group = c.benchmark_group("analysis");
    group.sample_size(10);
    for (name, text) in [("spaced", &spaced), ("no_spaces", &unspaced)] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("segment/{name}"), |b| {
            b.iter(|| analyzer.segment(black_box(text), Spacing::Kept).len())
        });
        group.bench_function(format!("analyze_index/{name}"), |b| {
            b.iter(|| analyzer.analyze(black_box(text)).len())
        });
    }
    // lindera's own segmenter on the same dictionary, as a reference point.
    let lindera = lindera::segmenter::Segmenter::new(
        lindera::mode::Mode::Normal,
        chatda::analysis::dictionary::ko_dic().expect("dictionary"),
        None,
    );
    group.throughput(Throughput::Bytes(spaced.len() as u64));
    group.bench_function("lindera_segmenter/spaced", |b| {
        b.iter(|| {
            lindera
                .segment(std::borrow::Cow::Borrowed(black_box(&spaced)))
                .expect("segment")
                .len()
        })
    });
    group.finish();

    c.bench_function("analyzer_new", |b| {
        b.iter(|| Analyzer::new(&AnalyzerConfig::default()).expect("analyzer"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
