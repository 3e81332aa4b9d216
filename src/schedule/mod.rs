//! Reminder schedules: parsing what a coach types, and working out when a
//! reminder fires next.
//!
//! `/remind add routine:<r> time:HH:MM days:<daily|weekdays|weekends|mon,wed,fri>
//! timezone:<IANA>` posts a routine at a local time on some days. This module
//! is pure: no I/O and no clock (the caller passes `now` as Unix
//! milliseconds).
//!
//! - [`TimeOfDay`] parses `H:MM` / `HH:MM` (24-hour) and displays `HH:MM`.
//! - [`Days`] is a set of weekdays, stored as the database's bitmask
//!   (Monday = 1, Tuesday = 2, ... Sunday = 64).
//! - [`parse_timezone`] and [`timezone_suggestions`] handle IANA names.
//! - [`next_occurrence`] finds the next firing instant. A local time that does
//!   not exist that day (spring-forward gap) fires at the first valid minute
//!   after it; one that happens twice (fall-back) fires at its first
//!   occurrence only.
//! - [`due`] is the catch-up policy after downtime: less than
//!   [`CATCH_UP_LIMIT_MS`] late fires once, later is skipped.
//! - [`Rule`] fits a weekly time to a season: every N weeks, a last date,
//!   skipped dates and a pause ([`parse_date`] reads `YYYY-MM-DD`).

#![warn(missing_docs)]

mod days;
mod next;
mod rule;
#[cfg(test)]
mod tests;
mod time;
mod zone;

pub use days::Days;
pub use next::{due, local_time, next_occurrence, Due, CATCH_UP_LIMIT_MS, LATE_AFTER_MS};
pub use rule::{parse_date, parse_dates, today, Rule, MAX_EVERY_WEEKS, MAX_SKIPS};
pub use time::TimeOfDay;
pub use zone::{parse_timezone, timezone_suggestions};

/// How many characters of a user's input an error message repeats.
const ECHO_CHARS: usize = 40;

/// Repeats at most [`ECHO_CHARS`] characters of user input in a message.
fn echo(s: &str) -> String {
    let mut out: String = s.chars().take(ECHO_CHARS).collect();
    if s.chars().nth(ECHO_CHARS).is_some() {
        out.push('…');
    }
    out
}
