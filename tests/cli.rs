//! The `chatda` binary end to end: demo data → `chatda index` (with bad lines) →
//! `chatda search`.

use std::process::Command;

fn chatda(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chatda"))
        .args(args)
        .env("CHATDA_DATA_DIR", data_dir)
        .output()
        .expect("the chatda binary runs")
}

#[test]
fn index_reports_bad_lines_and_search_finds_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = chatda(
        dir.path(),
        &[
            "demo-data",
            "--concerts",
            "300",
            "--tickets",
            "10",
            "--jsonl",
            dir.path().join("demo").to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.path().join("demo/concerts.jsonl");
    let mut lines = std::fs::read_to_string(&file).unwrap();
    lines.push_str("{\"id\": 9001, \"title\": \"가격 오류\", \"price_min\": \"cheap\"}\n");
    lines.push_str("{broken\n");
    lines.push_str("{\"id\": 9002, \"title\": \"레미제라블 특별 공연\", \"genre\": \"뮤지컬\"}\n");
    std::fs::write(&file, lines).unwrap();

    let out = chatda(dir.path(), &["index", "concerts", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("line 301: price_min: expected an integer"),
        "{stderr}"
    );
    assert!(stderr.contains("line 302: not JSON"), "{stderr}");
    assert!(
        stdout.contains("indexed 301 documents, skipped 2 bad lines"),
        "{stdout}"
    );

    let out = chatda(dir.path(), &["search", "concerts", "레미제라불", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let response: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&serde_json::Value> = response["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| &h["id"])
        .collect();
    assert!(ids.contains(&&serde_json::json!(9002)), "{response}");

    let out = chatda(
        dir.path(),
        &[
            "search",
            "concerts",
            "",
            "--filter",
            r#"{"genre": "뮤지컬"}"#,
            "--limit",
            "3",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().count(),
        4,
        "three hits and a summary: {stdout}"
    );

    let out = chatda(
        dir.path(),
        &["search", "concerts", "x", "--filter", r#"{"colour": 1}"#],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field \"colour\""));
}

/// `chatda demo` takes the path `serve` takes: demo rows into the source, indexes built
/// from it; then searches and an aggregation.
#[test]
fn demo_seeds_the_source_reindexes_and_searches() {
    let dir = tempfile::tempdir().unwrap();
    let out = chatda(dir.path(), &["demo", "--size", "400"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("indexed 400 generated concerts"),
        "{stdout}"
    );
    assert!(stdout.contains("indexed 400 generated tickets"), "{stdout}");
    assert!(
        stdout.contains("open and pending tickets per category"),
        "{stdout}"
    );
    assert!(
        dir.path().join("source.db").exists(),
        "the demo rows are in the source"
    );
}
