//! Shared state of the bot (built once, by the composition root) and the
//! `Context` / `Error` aliases of poise.

use std::sync::Arc;

use sqlx::SqlitePool;

use super::outbound::Outbound;
use crate::config::Config;
use crate::content::{Content, FaqIndex};
use crate::metrics::Metrics;
use crate::reminders::events::EventKeeper;
use crate::reminders::Reminders;
use crate::session::runner::Runner;

/// Everything a command needs.
pub struct Data {
    pub pool: SqlitePool,
    pub content: Arc<Content>,
    pub index: Arc<FaqIndex>,
    pub runner: Runner,
    pub outbound: Outbound,
    /// The reminder service (`/remind`).
    pub reminders: Arc<Reminders>,
    /// The Discord events reminders keep, and who is interested.
    pub events: Arc<EventKeeper>,
    pub config: Config,
    /// Counters and histograms for `/metrics` (always kept; served only
    /// when `metrics.addr` is set).
    pub metrics: Arc<Metrics>,
}

/// Errors of commands and buttons; src/discord/error.rs decides what the
/// user reads for each.
pub type Error = anyhow::Error;
pub type Context<'a> = poise::Context<'a, Data, Error>;
