//! Carrying on after a restart, from the absolute schedule.

use super::output::{AnnouncementKind, Outcome};
use super::{ceil_sec, secs_ms, Session, State};

impl Session {
    /// Resumes a restored session at `now_ms`. Call it once after
    /// deserialising, before any other event.
    ///
    /// - If the first deadline the bot missed is more than `max_downtime_ms`
    ///   in the past (the group went that long without a cue), the session
    ///   ends with an Abandoned summary; the hold it was in (announced, and
    ///   over) is credited. A paused session misses no cue and is never
    ///   abandoned here.
    /// - Otherwise the session carries on from the phase due now on the
    ///   absolute schedule: the current phase ends if its deadline passed (a
    ///   hold, already announced, is credited); phases whose whole window
    ///   passed are skipped silently (neither announced nor credited); the
    ///   phase whose window contains now is announced with its original
    ///   deadline (or Done when the routine's end passed). A paused session,
    ///   or one with nothing due, announces nothing.
    ///
    /// A session that is over returns an empty outcome.
    pub fn recover(&mut self, now_ms: i64, max_downtime_ms: i64) -> Outcome {
        self.live = true;
        let now = now_ms.max(self.last_ms);
        // How long the group has gone without a cue it was due: measured
        // from the missed deadline, so a long hold or lobby that was simply
        // quiet is not mistaken for downtime. A paused session misses nothing.
        let downtime_ms = match self.state {
            State::Lobby { deadline_ms } | State::Running { deadline_ms, .. } => (now - deadline_ms).max(0),
            _ => 0,
        };
        self.last_ms = now;
        let mut out = Outcome::default();
        if self.is_over() {
            return out;
        }
        if downtime_ms > max_downtime_ms {
            self.abandon(now, &mut out);
        } else {
            self.fast_forward(now, &mut out);
        }
        out.next_deadline_ms = self.deadline_ms();
        out
    }

    fn abandon(&mut self, now: i64, out: &mut Outcome) {
        match self.state {
            State::Running { index, seq, deadline_ms } => {
                // Only a completed hold counts: nobody saw the rest.
                let remaining_ms = if deadline_ms <= now { 0 } else { i64::MAX };
                self.end_phase(index, seq, remaining_ms, out);
            }
            State::Paused { index, seq, remaining_ms } => self.end_phase(index, seq, remaining_ms, out),
            _ => {}
        }
        self.finish(AnnouncementKind::Abandoned, None, out);
    }

    fn fast_forward(&mut self, now: i64, out: &mut Outcome) {
        let (mut index, mut start_ms) = match self.state {
            State::Lobby { deadline_ms } if deadline_ms <= now => (0, deadline_ms),
            State::Running { index, seq, deadline_ms } if deadline_ms <= now => {
                self.end_phase(index, seq, 0, out);
                (index + 1, deadline_ms)
            }
            _ => return,
        };
        while let Some(spec) = self.phases.get(index) {
            let deadline_ms = ceil_sec(start_ms.saturating_add(secs_ms(spec.secs)));
            if deadline_ms > now {
                break;
            }
            index += 1;
            start_ms = deadline_ms;
        }
        self.start_phase(index, start_ms, out);
    }
}
