#![allow(dead_code)] // each target uses part of it

//! One small in-memory engine shared by the runs of a fuzz target: 200 generated
//! concerts and 200 tickets. Requests must never panic, and every error must be the
//! caller's (a 4xx), never an internal one (a 5xx).

use std::sync::OnceLock;

use chatda::demo;
use chatda::engine::{Engine, EngineError};
use chatda::error::ErrorCode;

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let engine = Engine::in_memory().expect("an in-memory engine");
        let concerts: Vec<_> = demo::concerts(7).take(200).map(|c| c.to_document()).collect();
        let tickets: Vec<_> = demo::tickets(7).take(200).map(|t| t.to_document()).collect();
        engine.upsert("concerts", &concerts).expect("concerts");
        engine.upsert("tickets", &tickets).expect("tickets");
        engine.commit("concerts").expect("commit");
        engine.commit("tickets").expect("commit");
        engine
    })
}

/// The kind a run targets, from one byte of its input.
pub fn kind(selector: u8) -> &'static str {
    if selector % 2 == 0 { "concerts" } else { "tickets" }
}

/// Panics on an internal error: bad input must be refused with a user error.
pub fn check<T>(result: Result<T, EngineError>, input: &str) {
    if let Err(e) = result
        && !e.is_user_error()
    {
        panic!("internal error for {input}: {e}");
    }
}
