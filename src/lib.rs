//! Holdfast: a Discord bot for sports teams' recovery work.
//!
//! The crate is one library with a thin binary on top. Data flows one way:
//! `content` (TOML → validated model + FAQ index) and `store` (SQLite) feed the
//! pure core (`content::search`, `session::engine`, `schedule`), and the
//! Discord layer and the command line render what the core returns.

pub mod cli;
pub mod config;
pub mod content;
pub mod discord;
pub mod limits;
pub mod logging;
pub mod metrics;
pub mod run;
pub mod schedule;
pub mod session;
pub mod store;
