//! Random event sequences with random time gaps, checked against presence
//! tracked independently by the test.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::*;

#[derive(Clone, Debug)]
enum Op {
    Event(Event),
    /// Persist, wait `downtime_ms`, restore; then `recover` (or, when false,
    /// go straight to a tick, which recovers by itself).
    Restart {
        downtime_ms: i64,
        recover: bool,
    },
}

fn actor() -> impl Strategy<Value = Actor> {
    (1u64..=4, prop::bool::weighted(0.3)).prop_map(|(user, is_coach)| Actor { user, is_coach })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        30 => Just(Op::Event(Event::Tick)),
        8 => (1u64..=4).prop_map(|u| Op::Event(Event::Join(u))),
        5 => (1u64..=4).prop_map(|u| Op::Event(Event::Leave(u))),
        2 => actor().prop_map(|a| Op::Event(Event::StartNow(a))),
        8 => actor().prop_map(|a| Op::Event(Event::Pause(a))),
        8 => actor().prop_map(|a| Op::Event(Event::Resume(a))),
        5 => actor().prop_map(|a| Op::Event(Event::Skip(a))),
        1 => actor().prop_map(|a| Op::Event(Event::Stop(a))),
        4 => (
            prop_oneof![5 => 0i64..30_000, 1 => 850_000i64..950_000],
            any::<bool>()
        )
            .prop_map(|(downtime_ms, recover)| Op::Restart { downtime_ms, recover }),
    ]
}

fn gap() -> impl Strategy<Value = i64> {
    prop_oneof![6 => 0i64..4_000, 2 => 0i64..15_000, 1 => 0i64..60_000]
}

fn plan_strategy() -> impl Strategy<Value = Plan> {
    let step = (1u32..=15, any::<bool>(), 1u32..=3, 0u32..=8)
        .prop_map(|(h, side, r, rest)| super::step(&format!("ex{h}"), h, side, r, rest));
    prop::collection::vec(step, 1..=3).prop_map(plan)
}

/// What the test knows independently of the engine.
struct Model {
    now: i64,
    present: BTreeSet<u64>,
    last_seq: u32,
    holds: BTreeMap<u32, u32>,
    credited: BTreeSet<(u64, u32)>,
    deadline: Option<i64>,
}

impl Model {
    /// Checks one accepted outcome, produced while `self.present` was in.
    fn check(&mut self, s: &Session, out: &Outcome, resets_deadline: bool) -> Result<(), TestCaseError> {
        for a in &out.announcements {
            prop_assert!(a.seq > self.last_seq, "seq {} after {}", a.seq, self.last_seq);
            self.last_seq = a.seq;
            if let Some(end) = a.ends_at_ms {
                prop_assert_eq!(end % 1000, 0);
            }
            if a.kind == AnnouncementKind::Hold {
                let secs = a.phase.as_ref().map_or(0, |p| p.secs);
                self.holds.insert(a.seq, secs);
            }
        }
        let mut by_seq: BTreeMap<u32, BTreeSet<u64>> = BTreeMap::new();
        for c in &out.credits {
            let secs = self.holds.get(&c.phase_seq).copied();
            prop_assert!(secs.is_some(), "credit for unannounced hold {}", c.phase_seq);
            prop_assert!(c.seconds > 0 && Some(c.seconds) <= secs);
            prop_assert!(self.present.contains(&c.user), "{} credited while absent", c.user);
            prop_assert!(self.credited.insert((c.user, c.phase_seq)), "credited twice");
            by_seq.entry(c.phase_seq).or_default().insert(c.user);
        }
        for users in by_seq.values() {
            prop_assert_eq!(users, &self.present);
        }
        prop_assert_eq!(out.next_deadline_ms, s.deadline_ms());
        if let Some(next) = out.next_deadline_ms {
            prop_assert_eq!(next % 1000, 0);
            prop_assert!(next > self.now, "deadline {} not after now {}", next, self.now);
            if let (Some(prev), false) = (self.deadline, resets_deadline) {
                prop_assert!(next >= prev, "deadline went back from {} to {}", prev, next);
            }
            self.deadline = Some(next);
        }
        Ok(())
    }
}

fn json(s: &Session) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_sessions_keep_their_invariants(
        p in plan_strategy(),
        start_in in 0u32..=30,
        t0 in 1_600_000_000_000i64..1_700_000_000_000,
        ops in prop::collection::vec((gap(), op()), 0..60),
    ) {
        let (mut s, out) = Session::new(1, HOST, p, start_in, t0);
        let mut m = Model {
            now: t0,
            present: BTreeSet::from([HOST]),
            last_seq: 0,
            holds: BTreeMap::new(),
            credited: BTreeSet::new(),
            deadline: None,
        };
        m.check(&s, &out, false)?;
        for (gap, op) in ops {
            m.now += gap;
            match op {
                Op::Restart { downtime_ms, recover } => {
                    let was_over = s.is_over();
                    // The first cue the bot will have missed, if any.
                    let missed = if s.state_name() == "paused" { None } else { s.deadline_ms() };
                    s = serde_json::from_str(&json(&s)).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    m.now += downtime_ms;
                    let out = if recover {
                        s.recover(m.now, MAX_DOWNTIME_MS)
                    } else {
                        s.handle(m.now, Event::Tick).map_err(|e| TestCaseError::fail(e.to_string()))?
                    };
                    m.check(&s, &out, false)?;
                    if missed.is_some_and(|d| m.now - d > MAX_DOWNTIME_MS) && !was_over {
                        prop_assert_eq!(s.state_name(), "abandoned");
                    }
                    if missed.is_none_or(|d| m.now - d <= MAX_DOWNTIME_MS) && !was_over {
                        prop_assert_ne!(s.state_name(), "abandoned");
                    }
                    if was_over {
                        prop_assert!(out.announcements.is_empty());
                    }
                    let again = s.recover(m.now, MAX_DOWNTIME_MS);
                    prop_assert!(again.announcements.is_empty() && again.credits.is_empty());
                }
                Op::Event(event) => {
                    let before = json(&s);
                    let was_over = s.is_over();
                    // Over once the deadlines due now are processed.
                    let over_now = {
                        let mut c = s.clone();
                        c.handle(m.now, Event::Tick).is_ok() && c.is_over()
                    };
                    match s.handle(m.now, event) {
                        Ok(out) => {
                            let resets = matches!(event, Event::StartNow(_) | Event::Skip(_));
                            m.check(&s, &out, resets)?;
                            if was_over {
                                prop_assert_eq!(event, Event::Tick);
                                prop_assert_eq!(&out, &Outcome::default());
                            }
                            match (event, out.membership) {
                                (Event::Join(u), Some(Membership::Joined)) => {
                                    prop_assert!(m.present.insert(u));
                                }
                                (Event::Join(u), Some(Membership::AlreadyIn)) => {
                                    prop_assert!(m.present.contains(&u));
                                }
                                (Event::Leave(u), Some(Membership::Left)) => {
                                    prop_assert!(m.present.remove(&u));
                                }
                                (Event::Leave(u), Some(Membership::NotIn)) => {
                                    prop_assert!(!m.present.contains(&u));
                                }
                                (Event::Join(_) | Event::Leave(_), other) => {
                                    prop_assert!(false, "membership {:?}", other);
                                }
                                (_, other) => prop_assert_eq!(other, None),
                            }
                        }
                        Err(refusal) => {
                            prop_assert_eq!(json(&s), before);
                            prop_assert!(!refusal.to_string().is_empty());
                            prop_assert_eq!(over_now, refusal == Refusal::SessionOver);
                            if let Event::StartNow(a) | Event::Pause(a) | Event::Resume(a)
                            | Event::Skip(a) | Event::Stop(a) = event
                            {
                                if !a.is_coach && a.user != HOST && !over_now {
                                    prop_assert_eq!(refusal, Refusal::NotHostOrCoach);
                                }
                            }
                        }
                    }
                }
            }
            let engine: BTreeSet<u64> = s.participants().into_iter().collect();
            prop_assert_eq!(&engine, &m.present);
        }
        // Drive it to the end: it always finishes with a summary.
        if s.state_name() == "paused" {
            let out = s.handle(m.now, Event::Resume(host())).map_err(|e| TestCaseError::fail(e.to_string()))?;
            m.check(&s, &out, false)?;
        }
        let mut last = None;
        while let Some(deadline) = s.deadline_ms() {
            m.now = m.now.max(deadline);
            let out = s.handle(m.now, Event::Tick).map_err(|e| TestCaseError::fail(e.to_string()))?;
            m.check(&s, &out, false)?;
            last = out.announcements.last().cloned().or(last);
        }
        prop_assert!(s.is_over());
        if let Some(a) = last {
            prop_assert!(a.summary.is_some());
        }
    }
}
