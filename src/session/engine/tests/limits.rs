//! Personal limits: the group runs as planned, the limited athlete is
//! credited with what they did.

use super::*;

fn limit(exercise: &str, adjustment: Adjustment) -> PersonalLimit {
    PersonalLimit { exercise_id: exercise.to_string(), adjustment }
}

/// Seconds and planned seconds credited to `user`, per (exercise, side).
fn of(credits: &[Credit], user: u64) -> Vec<(String, Option<Side>, u32, Option<u32>)> {
    credits
        .iter()
        .filter(|c| c.user == user)
        .map(|c| (c.exercise_id.clone(), c.side, c.seconds, c.planned_seconds))
        .collect()
}

#[test]
fn a_limited_athlete_is_credited_with_what_they_did_and_the_group_is_not_changed() {
    let mut s = lobby();
    s.handle(T0, Event::Join(2)).unwrap();
    s.handle(T0, Event::Join(3)).unwrap();
    s.handle(T0, Event::Join(4)).unwrap();
    assert!(s.set_limits(2, vec![limit("a", Adjustment::MaxHold { secs: 12 })]));
    assert!(
        s.set_limits(3, vec![limit("a", Adjustment::OnlySide { side: Side::Right }), limit("b", Adjustment::SitOut)])
    );
    assert!(!s.set_limits(99, vec![limit("a", Adjustment::SitOut)]), "someone who never joined");
    let mut unlimited = lobby();
    unlimited.handle(T0, Event::Join(2)).unwrap();
    let (same, _) = run_to_end(&mut unlimited);
    let (announced, credits) = run_to_end(&mut reload(&s).tap_recover());

    assert_eq!(announced.len(), same.len(), "the group's session runs exactly as planned");
    let (l, r) = (Some(Side::Left), Some(Side::Right));
    let a = |side, secs, planned| ("a".to_string(), side, secs, planned);
    let b = |secs, planned| ("b".to_string(), None, secs, planned);
    assert_eq!(
        of(&credits, 2),
        vec![a(l, 12, Some(30)), a(r, 12, Some(30)), a(l, 12, Some(30)), a(r, 12, Some(30)), b(20, None)]
    );
    assert_eq!(
        of(&credits, 3),
        vec![a(l, 0, Some(30)), a(r, 30, None), a(l, 0, Some(30)), a(r, 30, None), b(0, Some(20))]
    );
    assert_eq!(of(&credits, 4).iter().map(|c| c.2).sum::<u32>(), 140, "no limit: everything");
    assert!(of(&credits, 4).iter().all(|c| c.3.is_none()));
}

#[test]
fn a_limit_survives_a_restart_and_applies_to_a_skipped_hold_too() {
    let mut s = lobby();
    s.handle(T0, Event::Join(2)).unwrap();
    s.set_limits(2, vec![limit("a", Adjustment::MaxHold { secs: 5 })]);
    tick(&mut s, at(10)); // hold a L starts
    let mut s = reload(&s).tap_recover();
    // Skipped after 8 s: the group gets 8, the limited athlete 5 of them.
    let out = s.handle(at(18), Event::Skip(host())).unwrap();
    assert_eq!(of(&out.credits, 2), vec![("a".to_string(), Some(Side::Left), 5, Some(8))]);
    assert_eq!(of(&out.credits, HOST), vec![("a".to_string(), Some(Side::Left), 8, None)]);
    // The full right-side hold: 5 of the group's 30.
    let switch_end = s.deadline_ms().unwrap();
    assert!(tick(&mut s, switch_end).credits.is_empty(), "switching sides credits nothing");
    let hold_end = s.deadline_ms().unwrap();
    let out = tick(&mut s, hold_end);
    assert!(of(&out.credits, 2).iter().all(|c| c.2 == 5 && c.3 == Some(30)));
}

#[test]
fn sides_and_limits_compute_what_is_held() {
    assert_eq!(Adjustment::SitOut.held(30, None), 0);
    assert_eq!(Adjustment::OnlySide { side: Side::Left }.held(30, Some(Side::Left)), 30);
    assert_eq!(Adjustment::OnlySide { side: Side::Left }.held(30, Some(Side::Right)), 0);
    assert_eq!(Adjustment::OnlySide { side: Side::Left }.held(30, None), 30);
    assert_eq!(Adjustment::MaxHold { secs: 45 }.held(30, None), 30);
    assert_eq!(Adjustment::MaxHold { secs: 10 }.held(30, Some(Side::Right)), 10);
}

trait Recovered {
    fn tap_recover(self) -> Session;
}

impl Recovered for Session {
    /// A reloaded session made live again at its last time (no downtime).
    fn tap_recover(mut self) -> Session {
        let last = self.last_processed_ms();
        let _ = self.recover(last, MAX_DOWNTIME_MS);
        self
    }
}
