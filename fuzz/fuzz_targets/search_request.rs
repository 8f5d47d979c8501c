#![no_main]
//! Any bytes as a search request: parse, plan and run on a small index.

use chatda::query::SearchRequest;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, json)) = data.split_first() else {
        return;
    };
    let engine = common::engine();
    if let Ok(request) = SearchRequest::from_json(json) {
        let shown = String::from_utf8_lossy(json);
        common::check(engine.search(common::kind(selector), &request), &shown);
    }
});
