#![no_main]
//! Any bytes as the NDJSON body of `documents`: every line is applied or reported.

use chatda::index::Ingest;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    let index = common::engine().index(common::kind(selector)).expect("a kind");
    let mut ingest = Ingest::new(&index, 16);
    let mut lines = 0;
    for (n, line) in text.lines().enumerate() {
        ingest.line(n as u64 + 1, line).expect("a line never fails the index");
        lines += u64::from(!line.trim().is_empty());
    }
    let report = ingest.finish().expect("applied");
    assert_eq!(
        report.upserted + report.deleted + report.failed,
        lines,
        "every line is counted once"
    );
    assert!(report.errors.len() <= chatda::index::MAX_REPORTED_ERRORS);
});
