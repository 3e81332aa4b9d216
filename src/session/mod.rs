//! Group recovery sessions: the pure engine, the clock and the runner.

pub mod clock;
pub mod engine;
pub mod runner;
pub mod writer;
