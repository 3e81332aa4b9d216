//! The group-session engine: a pure, serialisable state machine.
//!
//! No I/O, no clock, no Discord: the caller passes the time (`now_ms`, Unix
//! milliseconds) with every call, posts the [`Announcement`]s it gets back,
//! records the [`Credit`]s, and sends [`Event::Tick`] at
//! [`Outcome::next_deadline_ms`]. The whole [`Session`] is `Serialize` +
//! `Deserialize`: persist it after every accepted event, and after a restart
//! call [`Session::recover`] before anything else.
//!
//! Rules:
//! - A session starts in the lobby, which ends after `start_in` seconds (on a
//!   whole second) or on Start now. The schedule is then, for each step, each
//!   round, each side (left then right when per side): get ready / next
//!   exercise ([`GET_READY_SECS`], before the step's first hold), hold, switch
//!   sides ([`SWITCH_SIDES_SECS`], between the sides), rest (after each round
//!   when the step has rest, never after the last hold), then Done.
//! - Every deadline falls on a whole second (rounded up): the first phase's
//!   when it starts at an arbitrary instant (Start now, Skip, Resume), and all
//!   later ones because phases last whole seconds.
//! - Start now, Pause, Resume, Skip and Stop are for the host or a coach.
//!   Pause and Skip are refused in the lobby ([`Refusal::NotStarted`]); Stop
//!   in the lobby ends the session. Skip while paused moves to the next
//!   phase, which runs (skipping resumes).
//! - Anyone may join or leave in the lobby and while running or paused;
//!   joining twice changes nothing; the host leaving ends nothing, and the
//!   host keeps the controls.
//! - A completed hold is credited, in full, to everyone present when it ends;
//!   a skipped or stopped hold credits its whole seconds done (if any) to
//!   those present. Only announced holds are credited, each at most once.
//!   A participant with a [`PersonalLimit`] on the exercise is credited with
//!   what the limit lets them hold (maybe 0), and the credit keeps the
//!   group's seconds as `planned_seconds`.
//! - Every call first processes every deadline at or before `now` (each phase
//!   announced in turn); time never goes backwards (an earlier `now` than the
//!   last one counts as the last one). A refused event changes nothing.

#![warn(missing_docs)]

mod limits;
mod machine;
mod output;
mod plan;
mod recover;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use limits::{Adjustment, PersonalLimit};
pub use output::{
    Actor, Announcement, AnnouncementKind, Credit, CurrentPhase, Event, Membership, Outcome, Participant,
    ParticipantSummary, PhaseInfo, Refusal, Summary,
};
pub use plan::{PhaseKind, Plan, PlanStep, Side, CLOCK_JUMP_MS, GET_READY_SECS, MAX_DOWNTIME_MS, SWITCH_SIDES_SECS};

use plan::{schedule, PhaseSpec};

/// One group session: its plan, where it is, and who is in it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Session {
    /// The session's id (from the store).
    pub id: i64,
    /// The Discord user who started it.
    pub host: u64,
    plan: Plan,
    phases: Vec<PhaseSpec>,
    state: State,
    roster: Vec<Participant>,
    next_seq: u32,
    last_ms: i64,
    step_hold_secs: Vec<u32>,
    /// False after deserialising, until [`Session::recover`] runs.
    #[serde(skip)]
    live: bool,
}

/// Where the session is. Running and paused hold the current phase's index
/// in the schedule and the seq of its announcement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
enum State {
    Lobby { deadline_ms: i64 },
    Running { index: usize, seq: u32, deadline_ms: i64 },
    Paused { index: usize, seq: u32, remaining_ms: i64 },
    Done,
    Stopped,
    Abandoned,
}

/// `secs` in milliseconds.
fn secs_ms(secs: u32) -> i64 {
    i64::from(secs) * 1000
}

/// Rounds `ms` up to a whole second.
fn ceil_sec(ms: i64) -> i64 {
    ms.saturating_add(999).div_euclid(1000).saturating_mul(1000)
}

/// Milliseconds in whole seconds, rounded up, never negative.
fn ceil_secs_u32(ms: i64) -> u32 {
    u32::try_from(ms.max(0).saturating_add(999) / 1000).unwrap_or(u32::MAX)
}

/// Where a session stands: the one status type that the runner maps to the
/// store's and the renderers show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for people to join.
    Lobby,
    /// Phases are running.
    Running,
    /// Paused by the host or a coach.
    Paused,
    /// Ran to the end.
    Done,
    /// Stopped early by the host or a coach.
    Stopped,
    /// Ended by the bot (down too long to carry on, or its channel gone).
    Abandoned,
}

impl Status {
    /// The lower-case name, as logs and `/session status` show it.
    pub fn name(self) -> &'static str {
        match self {
            Status::Lobby => "lobby",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Done => "done",
            Status::Stopped => "stopped",
            Status::Abandoned => "abandoned",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
impl Session {
    /// Opens the lobby at `now_ms`, with the host in it. The routine starts
    /// after `start_in_secs` (the deadline rounded up to a whole second), or at
    /// once when it is 0 (the outcome then announces the first phase).
    pub fn new(id: i64, host: u64, plan: Plan, start_in_secs: u32, now_ms: i64) -> (Session, Outcome) {
        let phases = schedule(&plan);
        let step_hold_secs = vec![0; plan.steps.len()];
        let deadline_ms = ceil_sec(now_ms.saturating_add(secs_ms(start_in_secs)));
        let mut session = Session {
            id,
            host,
            plan,
            phases,
            state: State::Lobby { deadline_ms },
            roster: vec![Participant { user: host, present: true, hold_secs: 0, limits: Vec::new() }],
            next_seq: 1,
            last_ms: now_ms,
            step_hold_secs,
            live: true,
        };
        let mut out = Outcome::default();
        if start_in_secs == 0 {
            session.start_phase(0, now_ms, &mut out);
        }
        out.next_deadline_ms = session.deadline_ms();
        (session, out)
    }

    /// Applies `event` at `now_ms`, after processing every deadline at or
    /// before `now_ms`. On a refusal the session is unchanged.
    ///
    /// Called on a restored session before [`Session::recover`], this
    /// recovers first with [`MAX_DOWNTIME_MS`].
    pub fn handle(&mut self, now_ms: i64, event: Event) -> Result<Outcome, Refusal> {
        let mut next = self.clone();
        let out = next.apply(now_ms, event)?;
        *self = next;
        Ok(out)
    }

    /// The routine being run.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Length of the routine in seconds (lobby not included).
    pub fn total_secs(&self) -> u32 {
        self.phases.iter().fold(0u32, |sum, phase| sum.saturating_add(phase.secs))
    }

    /// Whether the session has ended (done, stopped or abandoned).
    pub fn is_over(&self) -> bool {
        matches!(self.state, State::Done | State::Stopped | State::Abandoned)
    }

    /// Where the session stands.
    pub fn status(&self) -> Status {
        match self.state {
            State::Lobby { .. } => Status::Lobby,
            State::Running { .. } => Status::Running,
            State::Paused { .. } => Status::Paused,
            State::Done => Status::Done,
            State::Stopped => Status::Stopped,
            State::Abandoned => Status::Abandoned,
        }
    }

    /// `lobby`, `running`, `paused`, `done`, `stopped` or `abandoned`.
    pub fn state_name(&self) -> &'static str {
        self.status().name()
    }

    /// The users in the session now (joined and not left), in joining order.
    pub fn participants(&self) -> Vec<u64> {
        self.roster.iter().filter(|p| p.present).map(|p| p.user).collect()
    }

    /// Everyone who ever joined, in joining order, with what they were
    /// credited.
    pub fn roster(&self) -> &[Participant] {
        &self.roster
    }

    /// The next deadline: the lobby's end, or the current phase's end while
    /// running; `None` while paused or over.
    pub fn deadline_ms(&self) -> Option<i64> {
        match self.state {
            State::Lobby { deadline_ms } | State::Running { deadline_ms, .. } => Some(deadline_ms),
            _ => None,
        }
    }

    /// The time of the last call that reached the engine (to measure downtime
    /// after a restart).
    pub fn last_processed_ms(&self) -> i64 {
        self.last_ms
    }

    /// Whether `actor` may use Start now, Pause, Resume, Skip and Stop.
    pub fn can_control(&self, actor: Actor) -> bool {
        actor.is_coach || actor.user == self.host
    }

    /// The current phase while running or paused, for `/session status`.
    pub fn current_phase(&self) -> Option<CurrentPhase> {
        let (index, ends_at_ms, paused_remaining_secs) = match self.state {
            State::Running { index, deadline_ms, .. } => (index, Some(deadline_ms), None),
            State::Paused { index, remaining_ms, .. } => (index, None, Some(ceil_secs_u32(remaining_ms))),
            _ => return None,
        };
        Some(CurrentPhase {
            index,
            count: self.phases.len(),
            info: self.info(index)?,
            next: self.info(index + 1),
            ends_at_ms,
            paused_remaining_secs,
        })
    }

    /// The seq the next announcement will get (every seq below it has been
    /// handed out).
    pub fn next_seq(&self) -> u32 {
        self.next_seq
    }

    /// Renderer-facing description of schedule phase `index`.
    fn info(&self, index: usize) -> Option<PhaseInfo> {
        let spec = self.phases.get(index)?;
        let step = self.plan.steps.get(spec.step)?;
        Some(PhaseInfo {
            kind: spec.kind,
            exercise_id: step.exercise_id.clone(),
            exercise_name: step.exercise_name.clone(),
            side: spec.side,
            round: spec.round,
            rounds: step.rounds,
            step: u32::try_from(spec.step + 1).unwrap_or(u32::MAX),
            steps: u32::try_from(self.plan.steps.len()).unwrap_or(u32::MAX),
            secs: spec.secs,
        })
    }

    /// Gives `user` (who is in the roster) these personal limits, replacing
    /// any they had; returns false when they never joined.
    pub fn set_limits(&mut self, user: u64, limits: Vec<PersonalLimit>) -> bool {
        match self.roster.iter_mut().find(|p| p.user == user) {
            Some(p) => {
                p.limits = limits;
                true
            }
            None => false,
        }
    }

    /// Hold seconds done by the group so far (each hold counted once).
    pub fn group_hold_secs(&self) -> u32 {
        self.step_hold_secs.iter().fold(0u32, |sum, &s| sum.saturating_add(s))
    }

    /// The end-of-session summary as things stand.
    fn summary(&self) -> Summary {
        Summary {
            steps_done: u32::try_from(self.step_hold_secs.iter().filter(|&&s| s > 0).count()).unwrap_or(u32::MAX),
            steps: u32::try_from(self.plan.steps.len()).unwrap_or(u32::MAX),
            hold_secs_done: self.step_hold_secs.iter().fold(0u32, |sum, &s| sum.saturating_add(s)),
            participants: self
                .roster
                .iter()
                .map(|p| ParticipantSummary { user: p.user, hold_secs: p.hold_secs, left_early: !p.present })
                .collect(),
        }
    }
}
