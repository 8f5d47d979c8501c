#![no_main]
//! Any JSON as a request's `filter`, with and without text, in a few time zones.

use chatda::query::SearchRequest;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const ZONES: [Option<&str>; 3] = [None, Some("Asia/Seoul"), Some("-05:30")];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, json)) = data.split_first() else {
        return;
    };
    let Ok(filter) = serde_json::from_slice::<serde_json::Value>(json) else {
        return;
    };
    let Some(filter) = filter.as_object().cloned() else {
        return;
    };
    let request = SearchRequest {
        q: if selector & 4 == 0 { String::new() } else { "공연".into() },
        filter: Some(filter),
        time_zone: ZONES[usize::from(selector >> 3) % 3].map(str::to_string),
        ..SearchRequest::default()
    };
    let shown = String::from_utf8_lossy(json);
    common::check(common::engine().search(common::kind(selector), &request), &shown);
});
