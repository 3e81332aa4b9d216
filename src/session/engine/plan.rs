//! What a session runs: the [`Plan`] given by the caller, and the flat phase
//! schedule the engine derives from it once, at the start.

use serde::{Deserialize, Serialize};

/// Seconds of the "get in position" (first exercise) or "next exercise"
/// phase before the first hold of every exercise.
pub const GET_READY_SECS: u32 = 10;

/// Seconds of the "switch sides" phase between the left and the right hold of
/// a per-side exercise.
pub const SWITCH_SIDES_SECS: u32 = 5;

/// The downtime after which [`super::Session::recover`] abandons a session in
/// production (15 minutes), and the limit [`super::Session::handle`] applies
/// when it is called on a restored session that was never recovered.
pub const MAX_DOWNTIME_MS: i64 = 15 * 60 * 1000;

/// A live session's deadline missed by more than this (5 minutes) means the
/// clock jumped (the machine was suspended); the session then carries on as
/// after a restart ([`super::Session::recover`]).
pub const CLOCK_JUMP_MS: i64 = 5 * 60 * 1000;

/// The routine a session runs, with the `/session start` options already
/// applied (see [`Plan::with_overrides`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The routine's id in the content.
    pub routine_id: String,
    /// The routine's display name.
    pub routine_name: String,
    /// The exercises, in order.
    pub steps: Vec<PlanStep>,
}

/// One exercise of a [`Plan`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanStep {
    /// The exercise's id in the content.
    pub exercise_id: String,
    /// The exercise's display name.
    pub exercise_name: String,
    /// Length of one hold, in seconds (a hold of 0 runs for 1 second).
    pub hold_secs: u32,
    /// Whether every round holds the left side, then the right side.
    pub per_side: bool,
    /// Number of rounds (a step with 0 rounds is left out of the schedule).
    pub rounds: u32,
    /// Rest after every round, in seconds (0: no rest phase).
    pub rest_secs: u32,
}

impl Plan {
    /// Applies the `/session start` options: `hold` replaces every step's
    /// hold, `rounds` every step's rounds.
    #[must_use]
    pub fn with_overrides(mut self, hold: Option<u32>, rounds: Option<u32>) -> Plan {
        for step in &mut self.steps {
            if let Some(hold) = hold {
                step.hold_secs = hold;
            }
            if let Some(rounds) = rounds {
                step.rounds = rounds;
            }
        }
        self
    }

    /// Length of the whole routine in seconds, from the first "get in
    /// position" to the end of the last hold (the lobby not included).
    pub fn total_secs(&self) -> u32 {
        schedule(self).iter().fold(0u32, |sum, phase| sum.saturating_add(phase.secs))
    }
}

/// A side of the body, for per-side exercises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The left side (always held first).
    Left,
    /// The right side.
    Right,
}

/// The kinds of timed phase a routine is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseKind {
    /// "Get in position" before the first hold of the first exercise.
    GetReady,
    /// "Next exercise": get in position for a later exercise.
    NextExercise,
    /// A hold.
    Hold,
    /// Switch from the left to the right side.
    SwitchSides,
    /// Rest after a round.
    Rest,
}

/// One phase of the flat schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PhaseSpec {
    pub kind: PhaseKind,
    /// Index of the step in the plan (0-based).
    pub step: usize,
    /// Round, from 1.
    pub round: u32,
    pub side: Option<Side>,
    pub secs: u32,
}

/// Flattens a plan: for each step, each round, each side (left then right
/// when per side): get ready (before the step's first hold), hold, switch
/// sides (between the two sides), rest (after each round, if any, but never
/// after the very last hold).
pub(crate) fn schedule(plan: &Plan) -> Vec<PhaseSpec> {
    let mut phases = Vec::new();
    for (step_index, step) in plan.steps.iter().enumerate() {
        let sides: &[Option<Side>] = if step.per_side { &[Some(Side::Left), Some(Side::Right)] } else { &[None] };
        let phase = |kind, round, side, secs| PhaseSpec { kind, step: step_index, round, side, secs };
        for round in 1..=step.rounds {
            for (side_index, &side) in sides.iter().enumerate() {
                if side_index > 0 {
                    phases.push(phase(PhaseKind::SwitchSides, round, side, SWITCH_SIDES_SECS));
                } else if round == 1 {
                    let kind = if phases.is_empty() { PhaseKind::GetReady } else { PhaseKind::NextExercise };
                    phases.push(phase(kind, round, side, GET_READY_SECS));
                }
                phases.push(phase(PhaseKind::Hold, round, side, step.hold_secs.max(1)));
            }
            if step.rest_secs > 0 {
                phases.push(phase(PhaseKind::Rest, round, None, step.rest_secs));
            }
        }
    }
    if phases.last().is_some_and(|p| p.kind == PhaseKind::Rest) {
        phases.pop();
    }
    phases
}
