//! A routine of the content → the engine's [`Plan`]: the one domain flow
//! from what coaches post to what a session runs.

use crate::content::{Content, Routine};
use crate::session::engine::{Plan, PlanStep};

impl Plan {
    /// The plan of a routine, every default of its steps applied and every
    /// exercise named as the content names it.
    pub fn from_routine(content: &Content, r: &Routine) -> Plan {
        Plan {
            routine_id: r.id.clone(),
            routine_name: r.name.clone(),
            steps: r
                .steps
                .iter()
                .map(|s| PlanStep {
                    exercise_id: s.exercise.clone(),
                    exercise_name: content.exercise(&s.exercise).map_or_else(|| s.exercise.clone(), |e| e.name.clone()),
                    hold_secs: s.hold,
                    per_side: s.per_side,
                    rounds: s.rounds,
                    rest_secs: s.rest,
                })
                .collect(),
        }
    }
}
