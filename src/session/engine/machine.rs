//! The transitions: events, deadlines, phase starts and ends, credits.

use super::output::{Actor, Announcement, AnnouncementKind, Credit, Event, Membership, Outcome, Participant, Refusal};
use super::plan::PhaseKind;
use super::{ceil_sec, ceil_secs_u32, secs_ms, Session, State, CLOCK_JUMP_MS, MAX_DOWNTIME_MS};

impl Session {
    /// [`Session::handle`] on a scratch copy: may leave `self` half-changed
    /// when it refuses.
    pub(super) fn apply(&mut self, now_ms: i64, event: Event) -> Result<Outcome, Refusal> {
        // A deadline missed by more than CLOCK_JUMP_MS is not a late timer
        // but a jump of the clock (a suspended machine resuming): treated
        // as a restart, so the group is not sent every phase it missed.
        let jumped = self.live && self.deadline_ms().is_some_and(|d| now_ms.saturating_sub(d) > CLOCK_JUMP_MS);
        let mut out = if self.live && !jumped { Outcome::default() } else { self.recover(now_ms, MAX_DOWNTIME_MS) };
        let now = now_ms.max(self.last_ms);
        self.advance(now, &mut out);
        match event {
            Event::Tick => {}
            Event::Join(user) => {
                self.check_open()?;
                out.membership = Some(self.join(user));
            }
            Event::Leave(user) => {
                self.check_open()?;
                out.membership = Some(self.leave(user));
            }
            Event::StartNow(actor) => {
                self.check_control(actor)?;
                match self.state {
                    State::Lobby { .. } => self.start_phase(0, now, &mut out),
                    _ => return Err(Refusal::AlreadyStarted),
                }
            }
            Event::Pause(actor) => {
                self.check_control(actor)?;
                match self.state {
                    State::Running { index, seq, deadline_ms } => {
                        let remaining_ms = deadline_ms - now;
                        self.state = State::Paused { index, seq, remaining_ms };
                        let mut a = self.about(AnnouncementKind::Paused, index, Some(actor.user));
                        a.remaining_secs = Some(ceil_secs_u32(remaining_ms));
                        out.announcements.push(a);
                    }
                    State::Paused { .. } => return Err(Refusal::AlreadyPaused),
                    _ => return Err(Refusal::NotStarted),
                }
            }
            Event::Resume(actor) => {
                self.check_control(actor)?;
                let State::Paused { index, seq, remaining_ms } = self.state else {
                    return Err(Refusal::NotPaused);
                };
                let deadline_ms = ceil_sec(now.saturating_add(remaining_ms));
                self.state = State::Running { index, seq, deadline_ms };
                let mut a = self.about(AnnouncementKind::Resumed, index, Some(actor.user));
                a.ends_at_ms = Some(deadline_ms);
                out.announcements.push(a);
            }
            Event::Skip(actor) => {
                self.check_control(actor)?;
                let (index, seq, remaining_ms) = self.current(now).ok_or(Refusal::NotStarted)?;
                self.end_phase(index, seq, remaining_ms, &mut out);
                self.start_phase(index + 1, now, &mut out);
            }
            Event::Stop(actor) => {
                self.check_control(actor)?;
                if let Some((index, seq, remaining_ms)) = self.current(now) {
                    self.end_phase(index, seq, remaining_ms, &mut out);
                }
                self.finish(AnnouncementKind::Stopped, Some(actor.user), &mut out);
            }
        }
        self.last_ms = now;
        out.next_deadline_ms = self.deadline_ms();
        Ok(out)
    }

    /// Refuses anything but a tick once the session is over.
    fn check_open(&self) -> Result<(), Refusal> {
        if self.is_over() {
            Err(Refusal::SessionOver)
        } else {
            Ok(())
        }
    }

    /// The control rule: open session, host or coach.
    fn check_control(&self, actor: Actor) -> Result<(), Refusal> {
        self.check_open()?;
        if self.can_control(actor) {
            Ok(())
        } else {
            Err(Refusal::NotHostOrCoach)
        }
    }

    fn join(&mut self, user: u64) -> Membership {
        match self.roster.iter_mut().find(|p| p.user == user) {
            Some(p) if p.present => Membership::AlreadyIn,
            Some(p) => {
                p.present = true;
                Membership::Joined
            }
            None => {
                self.roster.push(Participant { user, present: true, hold_secs: 0, limits: Vec::new() });
                Membership::Joined
            }
        }
    }

    fn leave(&mut self, user: u64) -> Membership {
        match self.roster.iter_mut().find(|p| p.user == user && p.present) {
            Some(p) => {
                p.present = false;
                Membership::Left
            }
            None => Membership::NotIn,
        }
    }

    /// The current phase (index, seq, milliseconds left) while running or
    /// paused.
    fn current(&self, now: i64) -> Option<(usize, u32, i64)> {
        match self.state {
            State::Running { index, seq, deadline_ms } => Some((index, seq, deadline_ms - now)),
            State::Paused { index, seq, remaining_ms } => Some((index, seq, remaining_ms)),
            _ => None,
        }
    }

    /// Processes every deadline at or before `now`, announcing each phase.
    pub(super) fn advance(&mut self, now: i64, out: &mut Outcome) {
        loop {
            match self.state {
                State::Lobby { deadline_ms } if deadline_ms <= now => {
                    self.start_phase(0, deadline_ms, out);
                }
                State::Running { index, seq, deadline_ms } if deadline_ms <= now => {
                    self.end_phase(index, seq, 0, out);
                    self.start_phase(index + 1, deadline_ms, out);
                }
                _ => break,
            }
        }
    }

    /// Starts (and announces) phase `index` at `start_ms`, its deadline
    /// rounded up to a whole second; past the last phase, finishes as Done.
    pub(super) fn start_phase(&mut self, index: usize, start_ms: i64, out: &mut Outcome) {
        let Some((kind, secs)) = self.phases.get(index).map(|p| (p.kind, p.secs)) else {
            self.finish(AnnouncementKind::Done, None, out);
            return;
        };
        let deadline_ms = ceil_sec(start_ms.saturating_add(secs_ms(secs)));
        let mut a = self.about(kind.into(), index, None);
        a.ends_at_ms = Some(deadline_ms);
        self.state = State::Running { index, seq: a.seq, deadline_ms };
        out.announcements.push(a);
    }

    /// Ends phase `index` (announced as `seq`) with `remaining_ms` of it not
    /// done: a hold credits its whole seconds done to everyone present.
    pub(super) fn end_phase(&mut self, index: usize, seq: u32, remaining_ms: i64, out: &mut Outcome) {
        let Some(spec) = self.phases.get(index) else {
            return;
        };
        if spec.kind != PhaseKind::Hold {
            return;
        }
        let total_ms = secs_ms(spec.secs);
        let done_ms = (total_ms - remaining_ms.max(0)).clamp(0, total_ms);
        let seconds = u32::try_from(done_ms / 1000).unwrap_or(0);
        if seconds == 0 {
            return;
        }
        let exercise_id = self.plan.steps.get(spec.step).map(|s| s.exercise_id.clone()).unwrap_or_default();
        if let Some(s) = self.step_hold_secs.get_mut(spec.step) {
            *s = s.saturating_add(seconds);
        }
        for p in self.roster.iter_mut().filter(|p| p.present) {
            let limit = p.limits.iter().find(|l| l.exercise_id == exercise_id);
            let held = limit.map_or(seconds, |l| l.adjustment.held(seconds, spec.side));
            p.hold_secs = p.hold_secs.saturating_add(held);
            out.credits.push(Credit {
                user: p.user,
                phase_seq: seq,
                exercise_id: exercise_id.clone(),
                side: spec.side,
                seconds: held,
                planned_seconds: (held < seconds).then_some(seconds),
            });
        }
    }

    /// Ends the session (`kind`: Done, Stopped or Abandoned) and announces
    /// the summary.
    pub(super) fn finish(&mut self, kind: AnnouncementKind, by: Option<u64>, out: &mut Outcome) {
        self.state = match kind {
            AnnouncementKind::Stopped => State::Stopped,
            AnnouncementKind::Abandoned => State::Abandoned,
            _ => State::Done,
        };
        let seq = self.take_seq();
        out.announcements.push(Announcement {
            seq,
            kind,
            phase: None,
            ends_at_ms: None,
            remaining_secs: None,
            next: None,
            by,
            summary: Some(self.summary()),
        });
    }

    /// A new announcement of `kind` about phase `index`.
    fn about(&mut self, kind: AnnouncementKind, index: usize, by: Option<u64>) -> Announcement {
        Announcement {
            seq: self.take_seq(),
            kind,
            phase: self.info(index),
            ends_at_ms: None,
            remaining_secs: None,
            next: self.info(index + 1),
            by,
            summary: None,
        }
    }

    fn take_seq(&mut self) -> u32 {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        seq
    }
}
