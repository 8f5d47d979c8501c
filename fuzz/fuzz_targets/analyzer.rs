#![no_main]
//! Any text through the Korean analyzer and the Hangul helpers.

use chatda::analysis::hangul;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|text: &str| {
    let analyzer = common::engine().analyzer();
    for token in analyzer.analyze(text).iter().chain(&analyzer.analyze_query(text)) {
        assert!(token.start <= token.end && token.end <= text.len(), "{token:?} in {text:?}");
        assert!(text.is_char_boundary(token.start) && text.is_char_boundary(token.end));
    }
    let jamo = hangul::to_jamo(text);
    let _ = hangul::from_jamo(&jamo);
    let _ = hangul::chosung(text);
    let _ = hangul::qwerty_to_hangul(&hangul::hangul_to_qwerty(text));
    let _ = chatda::analysis::normalize_term(text);
});
