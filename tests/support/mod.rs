//! Shared support for end-to-end tests: a simulated Discord ([`Simulator`]) that the real bot (or
//! any serenity client) talks to over REST and the gateway.
//!
//! Use it from a test file with `mod support;` and, for example:
//!
//! ```ignore
//! let sim = support::Simulator::start().await;
//! // start the bot with HOLDFAST_DISCORD_API_BASE = sim.base_url() ...
//! sim.wait_ready().await;
//! let h = sim.send_interaction(support::slash("help").by(support::Invoker::athlete()).build()).await;
//! let answer = sim.wait_response(&h, std::time::Duration::from_secs(3)).await;
//! assert!(sim.violations().is_empty());
//! ```
//!
//! Every request is recorded and checked against Discord's documented limits; a body Discord
//! would refuse is answered with HTTP 400 and shows up in [`Simulator::violations`].

// Each test binary uses a different part of the support code.
#![allow(dead_code, unused_imports)]

pub mod bot;
pub mod sim;

pub use sim::*;
