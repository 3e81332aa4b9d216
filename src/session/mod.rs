//! Group recovery sessions: the pure engine and its runner.

pub mod engine;
