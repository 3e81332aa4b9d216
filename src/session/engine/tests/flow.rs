//! Sequencing, timing and the plan.

use super::*;
use AnnouncementKind as K;

#[test]
fn plan_overrides_replace_every_step() {
    let p = two_steps().with_overrides(Some(45), Some(3));
    assert!(p.steps.iter().all(|s| s.hold_secs == 45 && s.rounds == 3));
    assert_eq!(two_steps().with_overrides(None, None), two_steps());
    let p = two_steps().with_overrides(None, Some(1));
    assert_eq!((p.steps[0].hold_secs, p.steps[1].hold_secs), (30, 20));
}

#[test]
fn total_secs_counts_every_phase() {
    assert_eq!(two_steps().total_secs(), 200);
    assert_eq!(lobby().total_secs(), 200);
    // Rounds override: a: 10 + 3 × (30 + 5 + 30) + 3 × 15, b: 10 + 3 × 20 + 2 × 10.
    let p = two_steps().with_overrides(None, Some(3));
    assert_eq!(p.total_secs(), 10 + 195 + 45 + 10 + 60 + 20);
    assert_eq!(plan(vec![]).total_secs(), 0);
}

#[test]
fn per_side_rounds_and_steps_run_in_order() {
    let mut s = lobby();
    let (all, _) = run_to_end(&mut s);
    let got: Vec<_> = all
        .iter()
        .map(|a| {
            let p = a.phase.as_ref();
            (a.kind, p.map(|p| p.exercise_id.as_str()), p.and_then(|p| p.side), p.map(|p| p.round))
        })
        .collect();
    let (l, r) = (Some(Side::Left), Some(Side::Right));
    let expected = vec![
        (K::GetReady, Some("a"), l, Some(1)),
        (K::Hold, Some("a"), l, Some(1)),
        (K::SwitchSides, Some("a"), r, Some(1)),
        (K::Hold, Some("a"), r, Some(1)),
        (K::Rest, Some("a"), None, Some(1)),
        (K::Hold, Some("a"), l, Some(2)),
        (K::SwitchSides, Some("a"), r, Some(2)),
        (K::Hold, Some("a"), r, Some(2)),
        (K::Rest, Some("a"), None, Some(2)),
        (K::NextExercise, Some("b"), None, Some(1)),
        (K::Hold, Some("b"), None, Some(1)),
        (K::Done, None, None, None),
    ];
    assert_eq!(got, expected);
    let seqs: Vec<u32> = all.iter().map(|a| a.seq).collect();
    assert_eq!(seqs, (1..=12).collect::<Vec<u32>>());
    assert!(s.is_over());
    assert_eq!(s.state_name(), "done");
}

#[test]
fn phase_info_names_step_round_and_what_comes_next() {
    let mut s = lobby();
    let (all, _) = run_to_end(&mut s);
    let hold = all[5].phase.as_ref().expect("phase");
    assert_eq!((hold.step, hold.steps, hold.round, hold.rounds), (1, 2, 2, 2));
    assert_eq!((hold.exercise_name.as_str(), hold.secs), ("A", 30));
    // The first rest leads to round 2's left hold, the second to exercise b.
    let next = all[4].next.as_ref().expect("next");
    assert_eq!((next.kind, next.round, next.side), (PhaseKind::Hold, 2, Some(Side::Left)));
    let next = all[8].next.as_ref().expect("next");
    assert_eq!((next.kind, next.exercise_id.as_str()), (PhaseKind::NextExercise, "b"));
    assert_eq!(all[9].phase.as_ref().map(|p| p.step), Some(2));
    // The last hold has nothing after it; no rest follows it.
    assert_eq!((all[10].kind, all[10].next.clone()), (K::Hold, None));
}

#[test]
fn lobby_ends_on_a_whole_second_and_deadlines_chain() {
    let mut s = lobby();
    assert_eq!(s.state_name(), "lobby");
    assert!(kinds(&tick(&mut s, LOBBY_END - 1)).is_empty());
    let (all, _) = run_to_end(&mut s);
    let ends: Vec<i64> = all.iter().filter_map(|a| a.ends_at_ms).collect();
    let expected: Vec<i64> = TWO_STEPS_ENDS.iter().map(|&e| at(e)).collect();
    assert_eq!(ends, expected);
    assert!(ends.iter().all(|e| e % 1000 == 0));
    assert_eq!(all[1].ends_at_unix(), Some(at(40) / 1000));
}

#[test]
fn start_in_zero_starts_at_once() {
    let (s, out) = Session::new(1, HOST, two_steps(), 0, T0);
    assert_eq!(kinds(&out), vec![K::GetReady]);
    // T0 + 10 s = …010.250, rounded up.
    assert_eq!(out.announcements[0].ends_at_ms, Some(1_700_000_011_000));
    assert_eq!(out.next_deadline_ms, Some(1_700_000_011_000));
    assert_eq!(s.state_name(), "running");
}

#[test]
fn a_late_tick_announces_every_due_phase_once() {
    let mut s = lobby();
    let out = tick(&mut s, at(50));
    assert_eq!(kinds(&out), vec![K::GetReady, K::Hold, K::SwitchSides, K::Hold]);
    assert_eq!(credited(&out.credits), vec![(HOST, 30)]);
    assert_eq!(out.next_deadline_ms, Some(at(75)));
    assert!(tick(&mut s, at(50)).announcements.is_empty());
    assert!(tick(&mut s, at(74) + 999).announcements.is_empty());
    assert_eq!(kinds(&tick(&mut s, at(75))), vec![K::Rest]);
}

#[test]
fn completed_holds_are_credited_in_full_and_summarised() {
    let mut s = lobby();
    let (all, credits) = run_to_end(&mut s);
    let holds: Vec<u32> = all.iter().filter(|a| a.kind == K::Hold).map(|a| a.seq).collect();
    let credit_seqs: Vec<u32> = credits.iter().map(|c| c.phase_seq).collect();
    assert_eq!(credit_seqs, holds);
    assert_eq!(credits[1].side, Some(Side::Right));
    assert_eq!(credits[4].exercise_id, "b");
    let summary = all.last().and_then(|a| a.summary.clone()).expect("summary");
    assert_eq!((summary.steps_done, summary.steps, summary.hold_secs_done), (2, 2, 140));
    assert_eq!(summary.participants, vec![ParticipantSummary { user: HOST, hold_secs: 140, left_early: false }]);
}

#[test]
fn get_ready_names_the_first_side_and_rest_never_ends_the_routine() {
    let p = plan(vec![step("a", 10, false, 2, 10), step("c", 5, true, 1, 0)]);
    let (mut s, out) = Session::new(1, HOST, p, 0, 0);
    assert_eq!(out.announcements[0].phase.as_ref().map(|p| p.side), Some(None));
    let (all, _) = run_to_end(&mut s);
    assert_eq!(
        all.iter().map(|a| a.kind).collect::<Vec<_>>(),
        vec![K::Hold, K::Rest, K::Hold, K::Rest, K::NextExercise, K::Hold, K::SwitchSides, K::Hold, K::Done]
    );
    assert_eq!(all[4].phase.as_ref().map(|p| p.side), Some(Some(Side::Left)));
    let p = plan(vec![step("a", 10, false, 2, 10)]);
    assert_eq!(p.total_secs(), 10 + 10 + 10 + 10);
}

#[test]
fn zero_round_steps_are_left_out_and_empty_plans_finish_at_once() {
    let p = plan(vec![step("a", 10, false, 0, 10), step("b", 0, false, 1, 0)]);
    let (mut s, out) = Session::new(1, HOST, p, 0, 0);
    assert_eq!(kinds(&out), vec![K::GetReady]);
    let (all, credits) = run_to_end(&mut s);
    // A hold of 0 runs for 1 second; step numbers follow the plan.
    assert_eq!(all[0].phase.as_ref().map(|p| (p.step, p.secs)), Some((2, 1)));
    assert_eq!(credited(&credits), vec![(HOST, 1)]);
    let (s, out) = Session::new(1, HOST, plan(vec![]), 0, 0);
    assert_eq!(kinds(&out), vec![K::Done]);
    assert!(s.is_over() && out.next_deadline_ms.is_none());
}

#[test]
fn an_over_session_ticks_quietly_and_refuses_the_rest() {
    let mut s = lobby();
    run_to_end(&mut s);
    let out = tick(&mut s, at(1000));
    assert_eq!(out, Outcome::default());
    for event in [Event::Join(5), Event::Leave(HOST), Event::Pause(host()), Event::Stop(coach(9))] {
        assert_eq!(s.handle(at(1000), event), Err(Refusal::SessionOver));
    }
    assert!(s.current_phase().is_none() && s.deadline_ms().is_none());
}

#[test]
fn status_shows_the_current_phase() {
    let mut s = lobby();
    assert!(s.current_phase().is_none());
    tick(&mut s, at(41));
    let cur = s.current_phase().expect("running");
    assert_eq!((cur.index, cur.count, cur.info.kind), (2, 11, PhaseKind::SwitchSides));
    assert_eq!((cur.ends_at_ms, cur.paused_remaining_secs), (Some(at(45)), None));
    assert_eq!(cur.next.map(|n| n.kind), Some(PhaseKind::Hold));
    s.handle(at(42) + 1, Event::Pause(host())).expect("pause");
    let cur = s.current_phase().expect("paused");
    assert_eq!((cur.ends_at_ms, cur.paused_remaining_secs), (None, Some(3)));
    assert_eq!(s.state_name(), "paused");
}
