//! Engine tests: explicit times, no clock, no sleeps.

mod control;
mod flow;
mod limits;
mod props;
mod restart;

use super::*;

/// The host of every test session.
pub(super) const HOST: u64 = 1;
/// A start time that is not on a whole second.
pub(super) const T0: i64 = 1_700_000_000_250;
/// `T0 + 20 s`, rounded up: when a 20 s lobby ends.
pub(super) const LOBBY_END: i64 = 1_700_000_021_000;
/// The second after a whole number of seconds from `LOBBY_END`.
pub(super) fn at(secs: i64) -> i64 {
    LOBBY_END + secs * 1000
}

pub(super) fn step(id: &str, hold: u32, per_side: bool, rounds: u32, rest: u32) -> PlanStep {
    PlanStep {
        exercise_id: id.to_string(),
        exercise_name: id.to_uppercase(),
        hold_secs: hold,
        per_side,
        rounds,
        rest_secs: rest,
    }
}

pub(super) fn plan(steps: Vec<PlanStep>) -> Plan {
    Plan { routine_id: "hips".to_string(), routine_name: "Hips".to_string(), steps }
}

/// A per-side exercise (30 s, 2 rounds, 15 s rest) then a plain one (20 s,
/// 1 round, 10 s rest). Schedule, from the lobby's end (seconds):
///
/// | # | phase | start | end |
/// |---|---|---|---|
/// | 0 | get ready a | 0 | 10 |
/// | 1 | hold a L r1 | 10 | 40 |
/// | 2 | switch a R r1 | 40 | 45 |
/// | 3 | hold a R r1 | 45 | 75 |
/// | 4 | rest a r1 | 75 | 90 |
/// | 5 | hold a L r2 | 90 | 120 |
/// | 6 | switch a R r2 | 120 | 125 |
/// | 7 | hold a R r2 | 125 | 155 |
/// | 8 | rest a r2 | 155 | 170 |
/// | 9 | next exercise b | 170 | 180 |
/// | 10 | hold b r1 | 180 | 200 |
pub(super) fn two_steps() -> Plan {
    plan(vec![step("a", 30, true, 2, 15), step("b", 20, false, 1, 10)])
}

/// Phase boundaries of [`two_steps`], in seconds from the lobby's end.
pub(super) const TWO_STEPS_ENDS: [i64; 11] = [10, 40, 45, 75, 90, 120, 125, 155, 170, 180, 200];

/// A [`two_steps`] session opened at `T0` with a 20 s lobby.
pub(super) fn lobby() -> Session {
    let (session, out) = Session::new(7, HOST, two_steps(), 20, T0);
    assert!(out.announcements.is_empty());
    assert_eq!(out.next_deadline_ms, Some(LOBBY_END));
    session
}

pub(super) fn host() -> Actor {
    Actor { user: HOST, is_coach: false }
}

pub(super) fn coach(user: u64) -> Actor {
    Actor { user, is_coach: true }
}

pub(super) fn athlete(user: u64) -> Actor {
    Actor { user, is_coach: false }
}

pub(super) fn tick(session: &mut Session, now: i64) -> Outcome {
    session.handle(now, Event::Tick).expect("a tick is never refused")
}

pub(super) fn kinds(out: &Outcome) -> Vec<AnnouncementKind> {
    out.announcements.iter().map(|a| a.kind).collect()
}

/// Ticks at every deadline until the session is over; returns everything
/// announced and credited.
pub(super) fn run_to_end(session: &mut Session) -> (Vec<Announcement>, Vec<Credit>) {
    let (mut announcements, mut credits) = (Vec::new(), Vec::new());
    while let Some(deadline) = session.deadline_ms() {
        let out = tick(session, deadline);
        announcements.extend(out.announcements);
        credits.extend(out.credits);
    }
    (announcements, credits)
}

/// Serialises to JSON and back, as the store does.
pub(super) fn reload(session: &Session) -> Session {
    let json = serde_json::to_string(session).expect("serialise");
    serde_json::from_str(&json).expect("deserialise")
}

pub(super) fn credited(credits: &[Credit]) -> Vec<(u64, u32)> {
    credits.iter().map(|c| (c.user, c.seconds)).collect()
}
