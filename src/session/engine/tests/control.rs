//! Controls, membership and credits.

use super::*;
use AnnouncementKind as K;

fn json(s: &Session) -> String {
    serde_json::to_string(s).expect("serialise")
}

#[test]
fn pause_freezes_the_phase_and_resume_sets_a_whole_second_deadline() {
    let mut s = lobby();
    tick(&mut s, at(10)); // hold a L r1, ends at 40
    let out = s.handle(at(22) + 300, Event::Pause(host())).expect("pause");
    assert_eq!(kinds(&out), vec![K::Paused]);
    let paused = &out.announcements[0];
    assert_eq!((paused.remaining_secs, paused.by), (Some(18), Some(HOST)));
    assert_eq!(paused.phase.as_ref().map(|p| p.kind), Some(PhaseKind::Hold));
    assert_eq!(out.next_deadline_ms, None);
    // Paused time does not count.
    assert_eq!(tick(&mut s, at(100)), Outcome::default());
    // 17.7 s remained: 100.5 + 17.7 = 118.2, rounded up to 119.
    let out = s.handle(at(100) + 500, Event::Resume(coach(9))).expect("resume");
    assert_eq!(kinds(&out), vec![K::Resumed]);
    assert_eq!(out.announcements[0].ends_at_ms, Some(at(119)));
    assert_eq!(out.announcements[0].by, Some(9));
    assert_eq!(out.next_deadline_ms, Some(at(119)));
    assert!(tick(&mut s, at(118) + 999).announcements.is_empty());
    let out = tick(&mut s, at(119));
    assert_eq!(kinds(&out), vec![K::SwitchSides]);
    assert_eq!(credited(&out.credits), vec![(HOST, 30)]);
    assert_eq!(out.next_deadline_ms, Some(at(124)));
}

#[test]
fn pause_and_resume_refuse_the_wrong_state() {
    let mut s = lobby();
    assert_eq!(s.handle(T0, Event::Pause(host())), Err(Refusal::NotStarted));
    assert_eq!(s.handle(T0, Event::Resume(host())), Err(Refusal::NotPaused));
    assert_eq!(s.handle(T0, Event::Skip(host())), Err(Refusal::NotStarted));
    tick(&mut s, at(0));
    assert_eq!(s.handle(at(1), Event::Resume(host())), Err(Refusal::NotPaused));
    assert_eq!(s.handle(at(1), Event::StartNow(host())), Err(Refusal::AlreadyStarted));
    s.handle(at(1), Event::Pause(host())).expect("pause");
    assert_eq!(s.handle(at(2), Event::Pause(coach(3))), Err(Refusal::AlreadyPaused));
    assert_eq!(s.handle(at(2), Event::StartNow(host())), Err(Refusal::AlreadyStarted));
}

#[test]
fn only_the_host_or_a_coach_controls_and_a_refusal_changes_nothing() {
    let mut s = lobby();
    s.handle(T0, Event::Join(5)).expect("join");
    tick(&mut s, at(10));
    let before = json(&s);
    for event in [
        Event::StartNow(athlete(5)),
        Event::Pause(athlete(5)),
        Event::Resume(athlete(5)),
        Event::Skip(athlete(5)),
        Event::Stop(athlete(5)),
    ] {
        // Later than the hold's deadline: the refusal also discards the catch-up.
        assert_eq!(s.handle(at(45), event), Err(Refusal::NotHostOrCoach));
        assert_eq!(json(&s), before);
    }
    assert!(!s.can_control(athlete(5)) && s.can_control(coach(5)) && s.can_control(host()));
    // Nothing was lost: the tick now announces what was due.
    let out = tick(&mut s, at(45));
    assert_eq!(kinds(&out), vec![K::SwitchSides, K::Hold]);
    assert_eq!(out.credits.len(), 2);
    // A coach who is not in the session controls it too.
    let out = s.handle(at(46), Event::Stop(coach(8))).expect("stop");
    assert_eq!(out.announcements[0].by, Some(8));
}

#[test]
fn start_now_starts_the_routine_from_now() {
    let mut s = lobby();
    let out = s.handle(T0 + 3_400, Event::StartNow(host())).expect("start");
    assert_eq!(kinds(&out), vec![K::GetReady]);
    // T0 + 13.4 s = …013.650, rounded up.
    assert_eq!(out.next_deadline_ms, Some(1_700_000_014_000));
    let (mut s2, _) = Session::new(2, HOST, two_steps(), 600, T0);
    assert!(s2.handle(T0, Event::StartNow(coach(4))).is_ok());
}

#[test]
fn skip_credits_the_whole_seconds_done() {
    let mut s = lobby();
    s.handle(T0, Event::Join(2)).expect("join");
    tick(&mut s, at(10)); // hold a L r1, 10..40
    let out = s.handle(at(22) + 700, Event::Skip(host())).expect("skip");
    assert_eq!(credited(&out.credits), vec![(HOST, 12), (2, 12)]);
    assert_eq!(out.credits[0].phase_seq, 2);
    assert_eq!(kinds(&out), vec![K::SwitchSides]);
    // The next phase runs from now: 22.7 + 5 = 27.7, rounded up.
    assert_eq!(out.next_deadline_ms, Some(at(28)));
    // Skipping a switch credits nothing; skipping a hold under a second neither.
    let out = s.handle(at(23), Event::Skip(host())).expect("skip");
    assert_eq!((kinds(&out), out.credits.len()), (vec![K::Hold], 0));
    let out = s.handle(at(23) + 999, Event::Skip(host())).expect("skip");
    assert!(out.credits.is_empty());
    let summary = run_to_end(&mut s).0.pop().and_then(|a| a.summary);
    assert_eq!(summary.map(|s| s.hold_secs_done), Some(12 + 30 + 30 + 20));
}

#[test]
fn skip_while_paused_uses_the_frozen_time_and_runs_the_next_phase() {
    let mut s = lobby();
    tick(&mut s, at(10));
    s.handle(at(17), Event::Pause(host())).expect("pause");
    let out = s.handle(at(300), Event::Skip(host())).expect("skip");
    assert_eq!(credited(&out.credits), vec![(HOST, 7)]);
    assert_eq!(kinds(&out), vec![K::SwitchSides]);
    assert_eq!((s.state_name(), out.next_deadline_ms), ("running", Some(at(305))));
}

#[test]
fn stop_credits_the_hold_in_progress_and_summarises() {
    let mut s = lobby();
    tick(&mut s, at(50)); // hold a R r1, 45..75
    let out = s.handle(at(59) + 100, Event::Stop(host())).expect("stop");
    assert_eq!(credited(&out.credits), vec![(HOST, 14)]);
    assert_eq!(kinds(&out), vec![K::Stopped]);
    let a = &out.announcements[0];
    assert_eq!(a.by, Some(HOST));
    let summary = a.summary.as_ref().expect("summary");
    assert_eq!((summary.steps_done, summary.hold_secs_done), (1, 44));
    assert!(s.is_over() && s.state_name() == "stopped" && out.next_deadline_ms.is_none());
}

#[test]
fn stop_in_the_lobby_or_while_paused() {
    let mut s = lobby();
    let out = s.handle(T0 + 1, Event::Stop(coach(4))).expect("stop");
    assert_eq!((kinds(&out), out.credits.len()), (vec![K::Stopped], 0));
    assert_eq!(out.announcements[0].summary.as_ref().map(|s| s.steps_done), Some(0));
    let mut s = lobby();
    tick(&mut s, at(10));
    s.handle(at(15) + 999, Event::Pause(host())).expect("pause");
    let out = s.handle(at(200), Event::Stop(host())).expect("stop");
    assert_eq!(credited(&out.credits), vec![(HOST, 5)]);
}

#[test]
fn joining_twice_changes_nothing_and_leaving_twice_neither() {
    let mut s = lobby();
    let out = s.handle(T0, Event::Join(HOST)).expect("join");
    assert_eq!((out.membership, out.announcements.len()), (Some(Membership::AlreadyIn), 0));
    assert_eq!(s.handle(T0, Event::Join(2)).expect("j").membership, Some(Membership::Joined));
    let before = s.participants();
    let again = s.handle(T0 + 5, Event::Join(2)).expect("join");
    assert_eq!(again.membership, Some(Membership::AlreadyIn));
    assert_eq!((s.participants(), before), (vec![HOST, 2], vec![HOST, 2]));
    assert_eq!(s.handle(T0, Event::Leave(2)).expect("l").membership, Some(Membership::Left));
    assert_eq!(s.handle(T0, Event::Leave(2)).expect("l").membership, Some(Membership::NotIn));
    assert_eq!(s.handle(T0, Event::Leave(9)).expect("l").membership, Some(Membership::NotIn));
    assert_eq!(s.participants(), vec![HOST]);
    assert_eq!(s.roster().len(), 2);
}

#[test]
fn late_joiners_and_early_leavers_are_credited_for_what_they_were_there_for() {
    let mut s = lobby();
    s.handle(T0, Event::Join(2)).expect("join");
    tick(&mut s, at(10));
    // 3 joins mid-hold: present when it ends, so credited.
    s.handle(at(39), Event::Join(3)).expect("join");
    let out = tick(&mut s, at(40));
    assert_eq!(credited(&out.credits), vec![(HOST, 30), (2, 30), (3, 30)]);
    // 2 leaves at 76: the leave's catch-up first ends hold a R r1 (75), which
    // still credits them.
    let out = s.handle(at(76), Event::Leave(2)).expect("leave");
    assert_eq!(credited(&out.credits), vec![(HOST, 30), (2, 30), (3, 30)]);
    assert_eq!(out.membership, Some(Membership::Left));
    // 4 joins just as hold a L r2 ends (the join's catch-up ends it): neither
    // 4 nor 2, who had left, is credited.
    let out = s.handle(at(120), Event::Join(4)).expect("join");
    assert_eq!(credited(&out.credits), vec![(HOST, 30), (3, 30)]);
    // 2 rejoins and is credited again from then on.
    s.handle(at(121), Event::Join(2)).expect("join");
    let (all, credits) = run_to_end(&mut s);
    assert_eq!(credits.iter().filter(|c| c.user == 2).count(), 2);
    let summary = all.last().and_then(|a| a.summary.clone()).expect("summary");
    let users: Vec<(u64, u32, bool)> =
        summary.participants.iter().map(|p| (p.user, p.hold_secs, p.left_early)).collect();
    assert_eq!(users, vec![(HOST, 140, false), (2, 30 + 30 + 30 + 20, false), (3, 140, false), (4, 50, false)]);
}

#[test]
fn the_host_leaving_ends_nothing_and_keeps_the_controls() {
    let mut s = lobby();
    s.handle(T0, Event::Join(2)).expect("join");
    s.handle(T0, Event::Leave(HOST)).expect("leave");
    let out = tick(&mut s, at(40));
    assert_eq!(credited(&out.credits), vec![(2, 30)]);
    assert!(s.handle(at(41), Event::Pause(host())).is_ok());
    let (all, _) = {
        s.handle(at(42), Event::Resume(host())).expect("resume");
        run_to_end(&mut s)
    };
    let summary = all.last().and_then(|a| a.summary.clone()).expect("summary");
    assert!(summary.participants[0].left_early && summary.participants[0].user == HOST);
    assert_eq!(summary.participants[0].hold_secs, 0);
}

#[test]
fn time_never_goes_backwards() {
    let mut s = lobby();
    tick(&mut s, at(12));
    let out = s.handle(at(5), Event::Pause(host())).expect("pause");
    // Paused "at 12": 28 s remained.
    assert_eq!(out.announcements[0].remaining_secs, Some(28));
    assert_eq!(s.last_processed_ms(), at(12));
}
