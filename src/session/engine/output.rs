//! What goes into the engine (events) and what comes out of it (outcomes,
//! announcements, credits, refusals).

use serde::{Deserialize, Serialize};

use super::plan::{PhaseKind, Side};

/// Someone pressing a control: their Discord user id and whether they are a
/// coach (coach role or Manage Server, as checked by the Discord layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Discord user id.
    pub user: u64,
    /// Whether this member counts as a coach in this server.
    pub is_coach: bool,
}

/// Something that happens to a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Time passed: process every deadline at or before now.
    Tick,
    /// This Discord user pressed Join (lobby, running or paused).
    Join(u64),
    /// This Discord user pressed Leave.
    Leave(u64),
    /// Start now (lobby only; host or coach).
    StartNow(Actor),
    /// Pause the current phase (host or coach).
    Pause(Actor),
    /// Resume a paused session (host or coach).
    Resume(Actor),
    /// End the current phase now and go to the next (host or coach).
    Skip(Actor),
    /// End the session now (host or coach).
    Stop(Actor),
}

/// Why an event was refused (the Discord adapter words it for the user). A
/// refused event leaves the session unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The actor is neither the host nor a coach.
    #[error("the actor is neither the host nor a coach")]
    NotHostOrCoach,
    /// Pause while paused.
    #[error("already paused")]
    AlreadyPaused,
    /// Resume while not paused.
    #[error("not paused")]
    NotPaused,
    /// Pause or skip in the lobby.
    #[error("not started yet")]
    NotStarted,
    /// Start now after the start.
    #[error("already started")]
    AlreadyStarted,
    /// Anything but a tick after the end.
    #[error("the session is over")]
    SessionOver,
}

/// What a Join or Leave did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    /// The user joined (or rejoined after leaving).
    Joined,
    /// The user was already in: nothing changed.
    AlreadyIn,
    /// The user left.
    Left,
    /// The user was not in: nothing changed.
    NotIn,
}

/// The result of an accepted event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// New channel messages to post, in order (each once: see
    /// [`Announcement::seq`]).
    pub announcements: Vec<Announcement>,
    /// Hold credits to record, at most one per (user, hold phase).
    pub credits: Vec<Credit>,
    /// When to send the next [`Event::Tick`]; `None` while paused or over.
    pub next_deadline_ms: Option<i64>,
    /// For Join and Leave: what happened.
    pub membership: Option<Membership>,
}

/// The kind of an [`Announcement`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementKind {
    /// "Get in position" for the first exercise.
    GetReady,
    /// "Next exercise": get in position for a later exercise.
    NextExercise,
    /// A hold begins.
    Hold,
    /// Switch to the right side.
    SwitchSides,
    /// Rest.
    Rest,
    /// The session was paused.
    Paused,
    /// The session was resumed.
    Resumed,
    /// The routine is finished (with a summary).
    Done,
    /// The host or a coach stopped the session (with a summary).
    Stopped,
    /// The bot was down too long; the session was ended (with a summary).
    Abandoned,
}

impl From<PhaseKind> for AnnouncementKind {
    fn from(kind: PhaseKind) -> Self {
        match kind {
            PhaseKind::GetReady => AnnouncementKind::GetReady,
            PhaseKind::NextExercise => AnnouncementKind::NextExercise,
            PhaseKind::Hold => AnnouncementKind::Hold,
            PhaseKind::SwitchSides => AnnouncementKind::SwitchSides,
            PhaseKind::Rest => AnnouncementKind::Rest,
        }
    }
}

/// One channel message, platform-neutral.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    /// Unique and increasing within the session, from 1: a renderer that has
    /// posted seq N never needs to post seq ≤ N again.
    pub seq: u32,
    /// What this message says.
    pub kind: AnnouncementKind,
    /// The phase it is about: the phase itself for timed phases, the current
    /// phase for Paused and Resumed; `None` for summaries.
    pub phase: Option<PhaseInfo>,
    /// When the phase ends (a whole second): timed phases and Resumed.
    pub ends_at_ms: Option<i64>,
    /// For Paused: the whole seconds left in the phase (rounded up).
    pub remaining_secs: Option<u32>,
    /// What comes after [`Announcement::phase`] (`None`: the end of the
    /// routine); set whenever `phase` is.
    pub next: Option<PhaseInfo>,
    /// Who paused, resumed or stopped.
    pub by: Option<u64>,
    /// For Done, Stopped and Abandoned.
    pub summary: Option<Summary>,
}

impl Announcement {
    /// [`Announcement::ends_at_ms`] in Unix seconds, for `<t:UNIX:R>`.
    pub fn ends_at_unix(&self) -> Option<i64> {
        self.ends_at_ms.map(|ms| ms.div_euclid(1000))
    }
}

/// Where in the routine a phase is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseInfo {
    /// The phase's kind.
    pub kind: PhaseKind,
    /// Exercise id (for Rest: the exercise just done; for get-ready: the one
    /// coming).
    pub exercise_id: String,
    /// Exercise display name.
    pub exercise_name: String,
    /// The side held (for SwitchSides: the side coming, Right; for
    /// get-ready: the first side), `None` when not per side and for Rest.
    pub side: Option<Side>,
    /// Round, from 1.
    pub round: u32,
    /// Rounds of this exercise.
    pub rounds: u32,
    /// Step (exercise) number, from 1.
    pub step: u32,
    /// Number of steps in the plan.
    pub steps: u32,
    /// Nominal length of the phase in seconds.
    pub secs: u32,
}

/// One user's credit for one hold phase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// Discord user id.
    pub user: u64,
    /// The seq of the hold's announcement (with the session id, a natural
    /// idempotency key).
    pub phase_seq: u32,
    /// The exercise held.
    pub exercise_id: String,
    /// The side held, if per side.
    pub side: Option<Side>,
    /// Whole seconds held (> 0, unless a personal limit made it less).
    pub seconds: u32,
    /// What the group held, when a personal limit made this credit less.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_seconds: Option<u32>,
}

/// The end-of-session summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Steps in which at least one second of hold was done.
    pub steps_done: u32,
    /// Steps in the plan.
    pub steps: u32,
    /// Hold seconds done by the session (each hold counted once).
    pub hold_secs_done: u32,
    /// Everyone who joined, in joining order.
    pub participants: Vec<ParticipantSummary>,
}

/// One participant in a [`Summary`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantSummary {
    /// Discord user id.
    pub user: u64,
    /// Hold seconds credited to them.
    pub hold_secs: u32,
    /// Whether they had left before the end.
    pub left_early: bool,
}

/// Someone who joined the session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Discord user id.
    pub user: u64,
    /// In the session now (joined and not left).
    pub present: bool,
    /// Hold seconds credited so far.
    pub hold_secs: u32,
    /// Their personal limits (set when they join).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<super::limits::PersonalLimit>,
}

/// The current phase, for `/session status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentPhase {
    /// Index in the schedule, from 0.
    pub index: usize,
    /// Number of phases in the schedule.
    pub count: usize,
    /// The phase.
    pub info: PhaseInfo,
    /// What comes after it (`None`: the end).
    pub next: Option<PhaseInfo>,
    /// When it ends, while running.
    pub ends_at_ms: Option<i64>,
    /// Whole seconds left (rounded up), while paused.
    pub paused_remaining_secs: Option<u32>,
}
