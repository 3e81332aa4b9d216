//! Restarts: serialise, deserialise, recover at a later time.

use std::collections::BTreeSet;

use super::*;
use AnnouncementKind as K;

/// Phase start times of [`two_steps`], in seconds from the lobby's end.
fn starts() -> Vec<i64> {
    let mut starts = vec![0];
    starts.extend_from_slice(&TWO_STEPS_ENDS[..10]);
    starts
}

/// The kind of every phase of [`two_steps`], from an uninterrupted run.
fn reference_kinds() -> Vec<AnnouncementKind> {
    let mut s = lobby();
    let (all, _) = run_to_end(&mut s);
    all.iter().filter(|a| a.phase.is_some()).map(|a| a.kind).collect()
}

/// Times worth recovering at, from `from` on: every phase boundary, just
/// before and after it, and well after the end.
fn recovery_times(from: i64) -> Vec<i64> {
    let mut times: Vec<i64> = starts()
        .iter()
        .chain([200, 260].iter())
        .flat_map(|&s| [at(s) - 1, at(s), at(s) + 500])
        .filter(|&t| t >= from)
        .collect();
    times.push(from);
    times
}

/// Checks one crash (after `session` was last processed) and recovery at `t`.
fn check_recovery(session: &Session, seen: &BTreeSet<u32>, t: i64, current: Option<usize>) {
    let kinds = reference_kinds();
    let mut s = reload(session);
    let out = s.recover(t, MAX_DOWNTIME_MS);
    let current_end = current.map_or(LOBBY_END, |i| at(TWO_STEPS_ENDS[i]));
    if t < current_end {
        assert_eq!(out.announcements, vec![], "t={t}");
        assert!(out.credits.is_empty());
        assert_eq!(out.next_deadline_ms, Some(current_end));
    } else {
        // Exactly one announcement: the phase due now, with its original deadline.
        assert_eq!(out.announcements.len(), 1, "t={t}");
        let a = &out.announcements[0];
        match TWO_STEPS_ENDS.iter().position(|&e| t < at(e)) {
            Some(j) => {
                assert_eq!(a.kind, kinds[j], "t={t}");
                assert_eq!(a.ends_at_ms, Some(at(TWO_STEPS_ENDS[j])));
                assert!(at(starts()[j]) <= t);
            }
            None => assert_eq!(a.kind, K::Done),
        }
        // Only the hold announced before the crash is credited.
        let expected: Vec<(u64, u32)> = match current.map(|i| (i, kinds[i])) {
            Some((10, K::Hold)) => vec![(HOST, 20)],
            Some((_, K::Hold)) => vec![(HOST, 30)],
            _ => vec![],
        };
        assert_eq!(credited(&out.credits), expected, "t={t}");
    }
    // No seq twice, even after running on to the end.
    let (rest, credits) = run_to_end(&mut s);
    let mut seqs = seen.clone();
    // The hold announced before the crash (the last seq seen) is credited
    // once, now or later, like every hold announced after.
    let before = current.filter(|&i| kinds[i] == K::Hold).and_then(|_| seen.last().copied());
    let holds: Vec<u32> = before
        .into_iter()
        .chain(out.announcements.iter().chain(rest.iter()).filter(|a| a.kind == K::Hold).map(|a| a.seq))
        .collect();
    for a in out.announcements.iter().chain(rest.iter()) {
        assert!(seqs.insert(a.seq), "seq {} repeated (t={t})", a.seq);
    }
    let credit_seqs: Vec<u32> = out.credits.iter().chain(credits.iter()).map(|c| c.phase_seq).collect();
    assert_eq!(credit_seqs, holds, "t={t}");
    assert!(s.is_over());
    // A plain tick afterwards announces nothing.
    assert_eq!(tick(&mut s, t + 1), Outcome::default());
}

#[test]
fn restart_at_every_phase_index_posts_nothing_twice_and_loses_nothing() {
    // In the lobby.
    let mut s = lobby();
    tick(&mut s, T0 + 5_000);
    for t in recovery_times(T0 + 5_000) {
        check_recovery(&s, &BTreeSet::new(), t, None);
    }
    // In every phase, just after it began and in its middle.
    for (i, &start) in starts().iter().enumerate() {
        for offset_ms in [0, 1_700] {
            let mut s = lobby();
            let mut seen = BTreeSet::new();
            for a in tick(&mut s, at(start)).announcements {
                seen.insert(a.seq);
            }
            tick(&mut s, at(start) + offset_ms);
            assert_eq!(s.current_phase().map(|c| c.index), Some(i));
            for t in recovery_times(at(start) + offset_ms) {
                check_recovery(&s, &seen, t, Some(i));
            }
        }
    }
}

#[test]
fn down_longer_than_the_limit_abandons_and_credits_only_completed_holds() {
    let reference = reference_kinds();
    for (i, &start) in starts().iter().enumerate() {
        let mut s = lobby();
        tick(&mut s, at(start) + 300);
        let json = serde_json::to_string(&s).expect("json");
        let next_seq = s.next_seq();
        // Downtime counts from the first cue the bot missed.
        let missed = s.deadline_ms().expect("a deadline");
        // Exactly the limit: carries on (here, to the end of the routine).
        let mut r: Session = serde_json::from_str(&json).expect("json");
        let out = r.recover(missed + MAX_DOWNTIME_MS, MAX_DOWNTIME_MS);
        assert_eq!(kinds(&out), vec![K::Done]);
        // One millisecond more: abandoned.
        let mut r: Session = serde_json::from_str(&json).expect("json");
        let out = r.recover(missed + 1 + MAX_DOWNTIME_MS, MAX_DOWNTIME_MS);
        assert_eq!(kinds(&out), vec![K::Abandoned]);
        assert_eq!(out.announcements[0].seq, next_seq);
        assert_eq!((r.state_name(), out.next_deadline_ms), ("abandoned", None));
        let expected = usize::from(reference[i] == K::Hold);
        assert_eq!(out.credits.len(), expected, "phase {i}");
        let summary = out.announcements[0].summary.clone().expect("summary");
        let done: u32 = out.credits.iter().map(|c| c.seconds).sum();
        assert_eq!(summary.participants[0].hold_secs, s.roster()[0].hold_secs + done);
    }
}

#[test]
fn abandoning_a_lobby_and_sparing_a_quiet_long_phase_or_a_paused_one() {
    let mut s = lobby();
    let lobby_ends = s.deadline_ms().expect("lobby deadline");
    let out = reload(&s).recover(lobby_ends + MAX_DOWNTIME_MS + 1, MAX_DOWNTIME_MS);
    assert_eq!((kinds(&out), out.credits.len()), (vec![K::Abandoned], 0));
    // Down for longer than the limit, but no cue was due yet: carries on.
    tick(&mut s, at(10));
    let hold_ends = s.deadline_ms().expect("hold deadline");
    let mut r = reload(&s);
    let out = r.recover(hold_ends - 1, 1_000);
    assert_eq!((out.announcements.len(), r.state_name()), (0, "running"));
    // A paused session misses no cue, however long the bot was away.
    s.handle(at(17), Event::Pause(host())).expect("pause");
    let mut r = reload(&s);
    let out = r.recover(at(17) + 10 * MAX_DOWNTIME_MS, MAX_DOWNTIME_MS);
    assert_eq!((out.announcements.len(), r.state_name()), (0, "paused"));
}

#[test]
fn a_paused_session_stays_paused_across_a_restart() {
    let mut s = lobby();
    tick(&mut s, at(10));
    s.handle(at(17) + 400, Event::Pause(host())).expect("pause");
    let mut r = reload(&s);
    let out = r.recover(at(600), MAX_DOWNTIME_MS);
    assert_eq!((out.announcements.len(), out.next_deadline_ms), (0, None));
    assert_eq!(r.state_name(), "paused");
    let out = r.handle(at(601), Event::Resume(host())).expect("resume");
    // 22.6 s remained.
    assert_eq!(out.next_deadline_ms, Some(at(624)));
    assert_eq!(out.announcements[0].seq, s.next_seq());
}

#[test]
fn handling_a_restored_session_recovers_it_first() {
    let mut s = lobby();
    tick(&mut s, at(10));
    let mut live = s.clone();
    assert_eq!(tick(&mut live, at(100)).announcements.len(), 4);
    let mut restored = reload(&s);
    let out = tick(&mut restored, at(100));
    assert_eq!(kinds(&out), vec![K::Hold]);
    assert_eq!(out.announcements[0].ends_at_ms, Some(at(120)));
    assert_eq!(credited(&out.credits), vec![(HOST, 30)]);
    // Recovering a recovered session is harmless.
    assert_eq!(
        restored.recover(at(100), MAX_DOWNTIME_MS),
        Outcome { next_deadline_ms: Some(at(120)), ..Outcome::default() }
    );
}

#[test]
fn recovering_a_finished_session_does_nothing() {
    let mut s = lobby();
    run_to_end(&mut s);
    let mut r = reload(&s);
    assert_eq!(r.recover(at(100_000), MAX_DOWNTIME_MS), Outcome::default());
    assert_eq!(r.state_name(), "done");
}

#[test]
fn the_state_round_trips_through_json() {
    let mut s = lobby();
    s.handle(T0, Event::Join(2)).expect("join");
    tick(&mut s, at(50));
    let json = serde_json::to_string(&s).expect("json");
    let back: Session = serde_json::from_str(&json).expect("json");
    assert_eq!(serde_json::to_string(&back).expect("json"), json);
    assert!(json.contains("\"state\":\"running\""));
    assert_eq!((back.id, back.host, back.participants()), (7, HOST, vec![HOST, 2]));
    assert_eq!(back.plan(), s.plan());
}

#[test]
fn a_clock_that_jumps_an_hour_ends_the_session_as_a_restart_would_not_with_every_missed_cue() {
    let mut s = lobby();
    s.handle(LOBBY_END, Event::Tick).unwrap();
    let deadline = s.deadline_ms().unwrap();
    let out = s.handle(deadline + 3_600_000, Event::Tick).unwrap();
    let kinds: Vec<_> = out.announcements.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [K::Abandoned], "one summary, not every phase it missed");
    assert_eq!(s.state_name(), "abandoned");
}

#[test]
fn a_clock_that_jumps_minutes_skips_to_the_phase_due_now() {
    let mut s = lobby();
    s.handle(LOBBY_END, Event::Tick).unwrap();
    let deadline = s.deadline_ms().unwrap();
    let out = s.handle(deadline + CLOCK_JUMP_MS + 1_000, Event::Tick).unwrap();
    assert!(out.announcements.len() <= 1, "{:?}", out.announcements.iter().map(|a| a.kind).collect::<Vec<_>>());
    // A jump within the limit is ordinary lateness: every phase, in order.
    let mut t = lobby();
    t.handle(LOBBY_END, Event::Tick).unwrap();
    let d = t.deadline_ms().unwrap();
    let late = t.handle(d + 60_000, Event::Tick).unwrap();
    assert!(late.announcements.len() > 1);
}
