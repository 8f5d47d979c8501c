#![no_main]
//! Any JSON as the `aggs` of an aggregation request.

use chatda::query::SearchRequest;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, json)) = data.split_first() else {
        return;
    };
    let Ok(aggs) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let Some(aggs) = aggs.as_object().cloned() else {
        return;
    };
    let request = SearchRequest {
        aggs: Some(aggs),
        limit: 0,
        ..SearchRequest::default()
    };
    let shown = String::from_utf8_lossy(json);
    common::check(common::engine().aggregate(common::kind(selector), &request), &shown);
});
