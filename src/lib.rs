//! Holdfast: a Discord bot for sports teams' recovery work.
//!
//! # Layout
//!
//! One library with a thin binary on top (src/main.rs parses the command line
//! and calls [`cli`] or [`run`]).
//!
//! - [`app`]: the composition root of `holdfast run`: builds the store, the
//!   answer index, the outbound queue, the session runner, metrics, the
//!   reminder service and the Discord adapter once, wires their observers in
//!   at construction, and stops them all through one cancellation token.
//! - [`discord`]: the adapter: poise commands, buttons ([`discord::custom_id`]),
//!   rendering, the outbound queue, the error policy at the edge.
//! - [`metrics`]: Prometheus metrics, `/healthz` and `/metrics`.
//! - Services, which post through sink traits and know no Discord types:
//!   [`session`] (the group-session engine, pure, and its runner and
//!   writer), [`reminders`] (the reminder service) and [`forget`] (the
//!   forget-me flow).
//! - [`schedule`]: recurring times in an IANA timezone, catch-up rules (pure).
//! - [`content`]: the exercise model, loading with `path:line:col` problems,
//!   rendering to posts, and the answer search.
//! - [`store`]: SQLite through sqlx; [`config`]: file + environment;
//!   [`limits`]: Discord's limits; [`problem`]: `path:line:col` problems;
//!   [`logging`]: logs with the token redacted.
//!
//! Arrows point down: the adapter and the command line call the services and
//! the pure core; content, schedule and store import nothing above them.

pub mod app;
pub mod checkins;
pub mod cli;
pub mod config;
pub mod content;
pub mod discord;
pub mod forget;
pub mod limits;
pub mod logging;
pub mod metrics;
pub mod problem;
pub mod reminders;
pub mod restrict;
pub mod run;
pub mod schedule;
pub mod session;
pub mod store;
