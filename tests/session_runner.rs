//! The session runner over a real SQLite database: timers, persistence,
//! credits, controls and restart, driven by a manual clock (and once by
//! tokio's paused clock), never by real sleeps.

use std::sync::{Arc, Mutex};

use holdfast::session::clock::ManualClock;
use holdfast::session::engine::{Actor, AnnouncementKind as K, Event, Plan, PlanStep};
use holdfast::session::runner::{Delivery, Runner, RunnerError, Sink, StartSpec};
use holdfast::store;

const T0: i64 = 1_790_000_000_000;
const GUILD: u64 = 10;
const CHANNEL: u64 = 20;
const HOST: u64 = 111_222_333_444;
const ATHLETE: u64 = 222_333_444_555;

#[derive(Default)]
struct Recorder(Mutex<Vec<Delivery>>, Mutex<Vec<(i64, Option<u64>)>>);

impl Sink for Recorder {
    fn deliver(&self, delivery: Delivery) {
        self.0.lock().unwrap().push(delivery);
    }

    fn started(&self, view: &holdfast::session::runner::View) {
        self.1.lock().unwrap().push((view.id, view.lobby_message));
    }
}

impl Recorder {
    fn kinds(&self) -> Vec<K> {
        self.0.lock().unwrap().iter().flat_map(|d| d.announcements.iter().map(|a| a.kind)).collect()
    }
    fn seqs(&self) -> Vec<u32> {
        self.0.lock().unwrap().iter().flat_map(|d| d.announcements.iter().map(|a| a.seq)).collect()
    }
}

fn plan() -> Plan {
    Plan {
        routine_id: "r".into(),
        routine_name: "Routine".into(),
        steps: vec![PlanStep {
            exercise_id: "psoas-smash".into(),
            exercise_name: "Psoas Smash".into(),
            hold_secs: 20,
            per_side: true,
            rounds: 1,
            rest_secs: 0,
        }],
    }
}

fn spec() -> StartSpec {
    StartSpec {
        guild_id: GUILD,
        channel_id: CHANNEL,
        host: HOST,
        plan: plan(),
        start_in_secs: 10,
        host_limits: Vec::new(),
    }
}

async fn db() -> (tempfile::TempDir, sqlx::SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    let pool = store::connect(&url).await.unwrap();
    (dir, pool)
}

fn runner(pool: &sqlx::SqlitePool, clock: &Arc<ManualClock>, sink: &Arc<Recorder>) -> Runner {
    Runner::new(pool.clone(), Arc::new(clock.clone()), sink.clone(), || {})
}

async fn credited(pool: &sqlx::SqlitePool, user: u64) -> (i64, i64) {
    sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(seconds), 0) FROM hold_credits WHERE user_id = ?")
        .bind(store::db_id(user))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Advances the clock to each deadline in turn and ticks, `n` times.
async fn run_deadlines(r: &Runner, clock: &ManualClock, id: i64, n: usize) {
    for _ in 0..n {
        let Some(view) = r.view(id).await else { break };
        let Some(d) = view.deadline_ms else { break };
        clock.set(d);
        r.tick().await;
    }
    r.flush().await;
}

#[tokio::test]
async fn a_whole_session_runs_and_credits_everyone_present() {
    let (_dir, pool) = db().await;
    let clock = Arc::new(ManualClock::at(T0));
    let sink = Arc::new(Recorder::default());
    let r = runner(&pool, &clock, &sink);
    let view = r.start(spec()).await.unwrap();
    assert_eq!((view.state.name(), view.deadline_ms), ("lobby", Some(T0 + 10_000)));
    let (out, _) = r.handle(view.id, Event::Join(ATHLETE)).await.unwrap();
    assert!(out.announcements.is_empty(), "joining posts nothing in the channel");
    // Nothing is due before the lobby ends.
    clock.set(T0 + 9_999);
    r.tick().await;
    assert!(sink.kinds().is_empty());
    run_deadlines(&r, &clock, view.id, 10).await;
    assert_eq!(sink.kinds(), vec![K::GetReady, K::Hold, K::SwitchSides, K::Hold, K::Done]);
    assert_eq!(credited(&pool, HOST).await, (2, 40));
    assert_eq!(credited(&pool, ATHLETE).await, (2, 40));
    let row = store::sessions::get_session(&pool, view.id).await.unwrap();
    assert_eq!(row.state, store::SessionState::Done);
    assert!(!row.engine.unwrap_or_default().contains(&ATHLETE.to_string()), "no user ids once ended");
    assert_eq!(r.live_count().await, 0);
}

#[tokio::test]
async fn leaving_the_lobby_is_told_once_with_the_lobby_message_also_after_a_restart() {
    let (_dir, pool) = db().await;
    let clock = Arc::new(ManualClock::at(T0));
    let sink = Arc::new(Recorder::default());
    let r = runner(&pool, &clock, &sink);
    let id = r.start(spec()).await.unwrap().id;
    r.set_lobby_message(id, 777).await.unwrap();
    run_deadlines(&r, &clock, id, 3).await;
    assert_eq!(*sink.1.lock().unwrap(), vec![(id, Some(777))], "once, on the timer");

    // A lobby that was due while the bot was down: told on restore, with the stored id.
    let second = r.start(StartSpec { channel_id: CHANNEL + 1, ..spec() }).await.unwrap().id;
    r.set_lobby_message(second, 888).await.unwrap();
    r.flush().await;
    clock.advance(60_000);
    let sink2 = Arc::new(Recorder::default());
    let restarted = runner(&pool, &clock, &sink2);
    restarted.restore().await.unwrap();
    assert!(sink2.1.lock().unwrap().contains(&(second, Some(888))), "{:?}", sink2.1.lock().unwrap());
}

#[tokio::test]
async fn one_live_session_per_channel() {
    let (_dir, pool) = db().await;
    let clock = Arc::new(ManualClock::at(T0));
    let sink = Arc::new(Recorder::default());
    let r = runner(&pool, &clock, &sink);
    r.start(spec()).await.unwrap();
    assert!(matches!(r.start(spec()).await, Err(RunnerError::ChannelBusy)));
    let other = StartSpec { channel_id: CHANNEL + 1, ..spec() };
    assert!(r.start(other).await.is_ok());
}

#[tokio::test]
async fn only_the_host_or_a_coach_controls_a_session() {
    let (_dir, pool) = db().await;
    let clock = Arc::new(ManualClock::at(T0));
    let sink = Arc::new(Recorder::default());
    let r = runner(&pool, &clock, &sink);
    let id = r.start(spec()).await.unwrap().id;
    let athlete = Actor { user: ATHLETE, is_coach: false };
    assert!(matches!(r.handle(id, Event::StartNow(athlete)).await, Err(RunnerError::Refused(_))));
    assert!(matches!(r.handle(id, Event::Stop(athlete)).await, Err(RunnerError::Refused(_))));
    let coach = Actor { user: 99, is_coach: true };
    r.handle(id, Event::StartNow(coach)).await.unwrap();
    assert_eq!(sink.kinds(), vec![K::GetReady]);
    r.handle(id, Event::Stop(Actor { user: HOST, is_coach: false })).await.unwrap();
    assert_eq!(sink.kinds(), vec![K::GetReady, K::Stopped]);
    assert!(matches!(r.handle(id, Event::Join(ATHLETE)).await, Err(RunnerError::NoSession)));
}

#[tokio::test]
async fn a_restart_mid_hold_carries_on_without_repeating_a_phase() {
    let (_dir, pool) = db().await;
    let clock = Arc::new(ManualClock::at(T0));
    let before = Arc::new(Recorder::default());
    let r = runner(&pool, &clock, &before);
    let id = r.start(spec()).await.unwrap().id;
    run_deadlines(&r, &clock, id, 2).await; // get ready, then hold (left)
    assert_eq!(before.kinds(), vec![K::GetReady, K::Hold]);
    let hold_ends = r.view(id).await.unwrap().deadline_ms.unwrap();
    r.flush().await;
    drop(r);

    // Back 2 s into the switch: the left hold is credited once, the switch
    // is announced with its original deadline, nothing is posted twice.
    clock.set(hold_ends + 2_000);
    let after = Arc::new(Recorder::default());
    let r = runner(&pool, &clock, &after);
    assert_eq!(r.restore().await.unwrap(), 1);
    r.flush().await;
    assert_eq!(after.kinds(), vec![K::SwitchSides]);
    let switch = after.0.lock().unwrap()[0].announcements[0].clone();
    assert_eq!(switch.ends_at_ms, Some(hold_ends + 5_000));
    assert_eq!(credited(&pool, HOST).await, (1, 20));
    run_deadlines(&r, &clock, id, 10).await;
    let mut seqs = before.seqs();
    seqs.extend(after.seqs());
    let mut unique = seqs.clone();
    unique.dedup();
    assert_eq!(seqs, unique, "no phase posted twice");
    assert_eq!(credited(&pool, HOST).await, (2, 40));

    // A second restore of an ended session does nothing.
    let again = Arc::new(Recorder::default());
    let r = runner(&pool, &clock, &again);
    assert_eq!(r.restore().await.unwrap(), 0);
    assert!(again.kinds().is_empty());
}

#[tokio::test]
async fn down_longer_than_15_minutes_ends_the_session_with_a_message() {
    let (_dir, pool) = db().await;
    let clock = Arc::new(ManualClock::at(T0));
    let sink = Arc::new(Recorder::default());
    let r = runner(&pool, &clock, &sink);
    let id = r.start(spec()).await.unwrap().id;
    run_deadlines(&r, &clock, id, 2).await;
    let hold_ends = r.view(id).await.unwrap().deadline_ms.unwrap();
    r.flush().await;
    drop(r);
    clock.set(hold_ends + 15 * 60_000 + 1);
    let after = Arc::new(Recorder::default());
    let r = runner(&pool, &clock, &after);
    assert_eq!(r.restore().await.unwrap(), 0);
    r.flush().await;
    assert_eq!(after.kinds(), vec![K::Abandoned]);
    assert_eq!(credited(&pool, HOST).await, (1, 20), "the hold that was done is credited");
    let row = store::sessions::get_session(&pool, id).await.unwrap();
    assert_eq!(row.state, store::SessionState::Abandoned);
}

#[tokio::test]
async fn the_timer_loop_ticks_each_session_when_its_deadline_comes() {
    let (_dir, pool) = db().await;
    let clock = Arc::new(ManualClock::at(T0));
    let sink = Arc::new(Recorder::default());
    let r = runner(&pool, &clock, &sink);
    let stop = tokio_util::sync::CancellationToken::new();
    let task = r.spawn(stop.clone());
    let id = r.start(StartSpec { start_in_secs: 0, ..spec() }).await.unwrap().id;
    let mut expected = 1;
    // Each time the clock reaches the deadline, the loop (woken, as its
    // sleep would) posts exactly the next phase.
    while let Some(d) = r.view(id).await.and_then(|v| v.deadline_ms) {
        clock.set(d - 1);
        r.poke();
        tokio::task::yield_now().await;
        assert_eq!(sink.kinds().len(), expected, "nothing before the deadline");
        clock.set(d);
        r.poke();
        expected += 1;
        tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while sink.kinds().len() < expected {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("the loop ticked");
    }
    stop.cancel();
    tokio::time::timeout(std::time::Duration::from_secs(5), task).await.expect("the loop stops when told").unwrap();
    assert_eq!(sink.kinds(), vec![K::GetReady, K::Hold, K::SwitchSides, K::Hold, K::Done]);
}
