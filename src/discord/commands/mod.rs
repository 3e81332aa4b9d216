//! Every slash command, one file per group.

pub mod athlete;
pub mod exercise;
pub mod progress;
pub mod remind;
pub mod routine;
pub mod session;
pub mod settings;

use super::data::{Data, Error};

/// Every command the bot registers.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        exercise::exercise(),
        exercise::safety(),
        exercise::ask(),
        routine::routine(),
        session::session(),
        progress::progress(),
        progress::team(),
        remind::remind(),
        athlete::athlete(),
        settings::settings(),
        settings::me(),
        exercise::help(),
    ]
}
