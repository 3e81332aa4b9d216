//! The error policy at the edge: the one place that decides what a user
//! reads when a command or a button does not do what was asked.
//!
//! Lower layers return typed errors with no user-facing text
//! ([`Refusal`], [`RunnerError`], [`StoreError`]); a command refuses with
//! [`refuse`] for what it checks itself. [`answer`] maps each to either a
//! refusal (shown as it is, ephemerally) or an internal error, which is
//! logged with an id the user can quote, and answered with that id only.

use std::sync::atomic::{AtomicU32, Ordering};

use super::data::Error;
use crate::checkins::CheckInError;
use crate::metrics::{InteractionOutcome, Metrics};
use crate::reminders::ReminderError;
use crate::restrict::RestrictError;
use crate::session::engine::Refusal;
use crate::session::runner::RunnerError;
use crate::store::StoreError;

/// A refusal whose text is written for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refuse(pub String);

impl std::fmt::Display for Refuse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refuse {}

/// A refusal to show the user.
pub fn refuse(text: impl Into<String>) -> Error {
    anyhow::Error::new(Refuse(text.into()))
}

/// What the user reads for an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Something the user can act on.
    Refusal(String),
    /// The database cannot take writes for now (counted as a database
    /// error; the user is told to try again later).
    Unavailable,
    /// A failure on the bot's side.
    Internal {
        /// Whether it came from the database (counted as such).
        database: bool,
    },
}

impl Answer {
    /// Whether this is a refusal.
    pub fn is_refusal(&self) -> bool {
        matches!(self, Answer::Refusal(_))
    }

    /// How the interaction counts in the metrics; a database failure is
    /// counted as one too.
    pub fn outcome(&self, metrics: &Metrics) -> InteractionOutcome {
        match self {
            Answer::Refusal(_) => InteractionOutcome::Refused,
            Answer::Unavailable | Answer::Internal { database: true } => {
                metrics.database_error();
                InteractionOutcome::Error
            }
            Answer::Internal { database: false } => InteractionOutcome::Error,
        }
    }
}

/// What an engine refusal means to the user.
pub fn refusal_text(r: Refusal) -> &'static str {
    match r {
        Refusal::NotHostOrCoach => "Only the host of this session or a coach can do that.",
        Refusal::AlreadyPaused => "The session is already paused.",
        Refusal::NotPaused => "The session is not paused.",
        Refusal::NotStarted => "The session has not started yet: use Start now, or wait for it to begin.",
        Refusal::AlreadyStarted => "The session has already started.",
        Refusal::SessionOver => "This session is over.",
    }
}

const CHANNEL_BUSY: &str = "A session is already running in this channel; join it, or ask its host to stop it.";

/// What a user reads when the database cannot save now.
pub const CANNOT_SAVE: &str = "I can't save anything right now (the bot's database is not taking writes). \
     Nothing already stored is lost; please try again in a few minutes.";

fn store_answer(e: &StoreError) -> Answer {
    if e.is_unavailable() {
        return Answer::Unavailable;
    }
    match e {
        StoreError::ChannelBusy => Answer::Refusal(CHANNEL_BUSY.into()),
        StoreError::TooManyReminders { limit } => Answer::Refusal(format!(
            "This server already has {limit} reminders, the most it can have. Remove one with /remind remove first."
        )),
        StoreError::NotFound => Answer::Refusal("I could not find that.".into()),
        StoreError::BackupExists(path) => {
            Answer::Refusal(format!("{} already exists; choose a new file name.", path.display()))
        }
        StoreError::InvalidState(_) | StoreError::InvalidInput(_) => Answer::Internal { database: false },
        StoreError::Corrupt { .. } | StoreError::InUse { .. } | StoreError::Migrate(_) | StoreError::Other(_) => {
            Answer::Internal { database: true }
        }
    }
}

/// The one mapping from an error to what the user reads.
pub fn answer(error: &Error) -> Answer {
    if let Some(Refuse(text)) = error.downcast_ref::<Refuse>() {
        return Answer::Refusal(text.clone());
    }
    if let Some(e) = error.downcast_ref::<RunnerError>() {
        return match e {
            RunnerError::ChannelBusy => Answer::Refusal(CHANNEL_BUSY.into()),
            RunnerError::NoSession => {
                Answer::Refusal("There is no session running here. Start one with /session start.".into())
            }
            RunnerError::Refused(r) => Answer::Refusal(refusal_text(*r).into()),
            RunnerError::Store(s) => store_answer(s),
        };
    }
    if let Some(e) = error.downcast_ref::<ReminderError>() {
        return match e {
            ReminderError::UntilInPast(d) => {
                Answer::Refusal(format!("The last date, {d}, is already past. Give today or a later date."))
            }
            ReminderError::NeverFires => Answer::Refusal(
                "That reminder would never fire: none of its days falls on or before its last date.".into(),
            ),
            ReminderError::DateInPast(d) => {
                Answer::Refusal(format!("{d} is already past. Give today or a later date."))
            }
            ReminderError::Every(n) => Answer::Refusal(format!(
                "Every {n} weeks won't work: choose 1 to {} weeks.",
                crate::schedule::MAX_EVERY_WEEKS
            )),
            ReminderError::TooManySkips(max) => Answer::Refusal(format!(
                "A reminder can skip at most {max} dates. Pause it instead, or remove dates that are past."
            )),
            ReminderError::Store(s) => store_answer(s),
        };
    }
    if let Some(e) = error.downcast_ref::<RestrictError>() {
        return match e {
            RestrictError::Store(s) => store_answer(s),
            other => Answer::Refusal(restrict_text(other)),
        };
    }
    if let Some(e) = error.downcast_ref::<CheckInError>() {
        return match e {
            CheckInError::Pain(typed) => Answer::Refusal(format!(
                "Pain needs a whole number from 0 (none) to 10 (worst); you wrote \"{typed}\". Nothing was saved: press Check in again."
            )),
            CheckInError::NotInSession => {
                Answer::Refusal("Check-ins are for the people who took part in this session.".into())
            }
            CheckInError::Store(s) => store_answer(s),
        };
    }
    if let Some(r) = error.downcast_ref::<Refusal>() {
        return Answer::Refusal(refusal_text(*r).into());
    }
    if let Some(e) = error.downcast_ref::<StoreError>() {
        return store_answer(e);
    }
    if error.downcast_ref::<sqlx::Error>().is_some() {
        return Answer::Internal { database: true };
    }
    Answer::Internal { database: false }
}

/// What a coach reads when a restriction cannot be set (nothing was stored).
fn restrict_text(e: &RestrictError) -> String {
    use crate::store::restrictions::MAX_HOLD_SECS;
    match e {
        RestrictError::UnknownExercise(name) => {
            format!("I don't know an exercise called \"{name}\". Pick one from the list.")
        }
        RestrictError::NoSides(name) => {
            format!("{name} is not done one side at a time, so \"left only\" or \"right only\" can't apply. Use avoid or max hold.")
        }
        RestrictError::SecondsMissing => {
            format!("Max hold needs `seconds`: the longest hold, 1 to {MAX_HOLD_SECS}.")
        }
        RestrictError::Seconds(s) => format!("{s} s won't work: give 1 to {MAX_HOLD_SECS} seconds."),
        RestrictError::BadDate(why) => format!("{why}."),
        RestrictError::UntilInPast(d) => format!("The last day, {d}, is already past. Give today or a later date."),
        RestrictError::NoteTooLong(n) => {
            format!("The note is {n} characters; keep it to {}.", crate::restrict::MAX_NOTE_CHARS)
        }
        RestrictError::NotAPerson => "Restrictions are for athletes, not bots.".into(),
        RestrictError::Store(_) => String::new(),
    }
}

/// A short id for one internal error, to find its log line when a user
/// quotes it (`E` and 6 hex digits: the time and a counter).
pub fn new_error_id() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let secs = u32::try_from(crate::store::now_ms() / 1000 % 0x10_0000).unwrap_or(0);
    format!("E{:06x}", (secs.wrapping_mul(16) ^ n.wrapping_mul(0x9e37)) & 0xff_ffff)
}

/// What the user reads for an internal error with this id.
pub fn internal_text(id: &str) -> String {
    format!("Something went wrong on my side (error {id}); it has been logged. Please try again, and quote {id} if you report it.")
}

/// Where an error happened.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// A slash command, by its qualified name.
    Command(&'a str),
    /// A button, by its custom id.
    Button(&'a str),
}

/// The text for `error`: a refusal as it is; an internal error logged here,
/// once, with a new id.
pub fn reply_text(error: &Error, origin: Origin<'_>) -> (Answer, String) {
    let answer = answer(error);
    let text = match &answer {
        Answer::Refusal(text) => text.clone(),
        Answer::Unavailable => {
            tracing::warn!(error = %error, "the database cannot save now");
            CANNOT_SAVE.to_owned()
        }
        Answer::Internal { .. } => {
            let id = new_error_id();
            match origin {
                Origin::Command(command) => {
                    tracing::error!(error_id = %id, command, error = ?error, "command failed");
                }
                Origin::Button(custom_id) => {
                    tracing::error!(error_id = %id, custom_id, error = ?error, "button failed");
                }
            }
            internal_text(&id)
        }
    };
    (answer, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_errors_map_once_to_refusals_or_internal_errors() {
        assert_eq!(answer(&refuse("No.")), Answer::Refusal("No.".into()));
        assert_eq!(
            answer(&Error::new(RunnerError::Refused(Refusal::NotHostOrCoach))),
            Answer::Refusal("Only the host of this session or a coach can do that.".into())
        );
        assert!(answer(&Error::new(RunnerError::ChannelBusy)).is_refusal());
        assert!(answer(&Error::new(StoreError::TooManyReminders { limit: 25 })).is_refusal());
        assert_eq!(
            answer(&Error::new(StoreError::Other(sqlx::Error::PoolClosed))),
            Answer::Internal { database: true }
        );
        assert_eq!(
            answer(&Error::new(RunnerError::Store(StoreError::Corrupt { table: "t", id: 1, what: "x".into() }))),
            Answer::Internal { database: true }
        );
        assert_eq!(answer(&anyhow::anyhow!("boom")), Answer::Internal { database: false });
    }

    #[test]
    fn internal_errors_carry_an_id_and_nothing_of_the_error() {
        let (answer, text) = reply_text(&anyhow::anyhow!("secret path /var/lib/x"), Origin::Command("test"));
        assert_eq!(answer, Answer::Internal { database: false });
        assert!(!text.contains("secret"), "{text}");
        let id = text.split("error ").nth(1).and_then(|t| t.get(..7)).unwrap();
        assert!(id.starts_with('E') && id[1..].chars().all(|c| c.is_ascii_hexdigit()), "{text}");
        assert_ne!(new_error_id(), new_error_id());
    }
}
