//! Personal limits: what one athlete does differently from the group on one
//! exercise (a coach's restriction, applied when they join a session).
//!
//! The session runs for everyone as planned; a participant with a limit is
//! credited with what they did, and the credit keeps what the group did, so
//! progress can show modified work apart from missed work.

use serde::{Deserialize, Serialize};

use super::plan::Side;

/// How an athlete's work on one exercise differs from the group's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Adjustment {
    /// Sits the exercise out.
    SitOut,
    /// Holds only this side (the other side is sat out).
    OnlySide {
        /// The side they hold.
        side: Side,
    },
    /// Holds for at most this many seconds, then rests while the others finish.
    MaxHold {
        /// The longest hold, in seconds (> 0).
        secs: u32,
    },
}

impl Adjustment {
    /// Whole seconds this athlete holds of a hold of `seconds` on `side`.
    pub fn held(self, seconds: u32, side: Option<Side>) -> u32 {
        match self {
            Adjustment::SitOut => 0,
            Adjustment::OnlySide { side: only } if side.is_some_and(|s| s != only) => 0,
            Adjustment::OnlySide { .. } => seconds,
            Adjustment::MaxHold { secs } => seconds.min(secs),
        }
    }
}

/// One participant's adjustment for one exercise of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalLimit {
    /// The exercise it applies to.
    pub exercise_id: String,
    /// What they do instead.
    pub adjustment: Adjustment,
}
