//! Group recovery sessions: the pure engine, the plan of a routine, the
//! clock and the runner.

pub mod clock;
pub mod engine;
pub mod plan;
pub mod runner;
pub mod writer;
