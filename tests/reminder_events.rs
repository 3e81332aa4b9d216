//! The event keeper (src/reminders/events.rs) on a real SQLite file, with a
//! scripted calendar: each reminder keeps one event, moved after it fires,
//! deleted with the reminder or when it ends, re-made when Discord lost it,
//! and nothing is created twice when passes race.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};

use holdfast::content::{load_dir, Content};
use holdfast::metrics::Metrics;
use holdfast::reminders::events::{Calendar, CalendarError, CalendarFuture, EventKeeper, EventSpec, Kept, Step};
use holdfast::schedule::Days;
use holdfast::store::{self, events, reminders, NewReminder};
use sqlx::SqlitePool;
use tokio::sync::Notify;

const GUILD: i64 = 10;

/// Records every call; answers from a script (`Ok` when it runs out).
#[derive(Default)]
struct FakeCalendar {
    calls: Mutex<Vec<String>>,
    script: Mutex<VecDeque<Result<(), CalendarError>>>,
    next_id: Mutex<u64>,
    /// What Discord lists as interested.
    listed: Mutex<Vec<u64>>,
}

impl FakeCalendar {
    fn answer(&self, call: String) -> Result<(), CalendarError> {
        self.calls.lock().unwrap().push(call);
        self.script.lock().unwrap().pop_front().unwrap_or(Ok(()))
    }
    fn then(&self, answer: Result<(), CalendarError>) {
        self.script.lock().unwrap().push_back(answer);
    }
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl Calendar for FakeCalendar {
    fn create<'a>(&'a self, event: &'a EventSpec) -> CalendarFuture<'a, u64> {
        Box::pin(async move {
            // A slow Discord: a racing pass would get in here.
            tokio::task::yield_now().await;
            self.answer(format!("create {} {}", event.name, event.start_ms))?;
            let mut id = self.next_id.lock().unwrap();
            *id += 1;
            Ok(900 + *id)
        })
    }
    fn reschedule(&self, _guild: u64, event: u64, start_ms: i64, _end_ms: i64) -> CalendarFuture<'_, ()> {
        Box::pin(async move { self.answer(format!("move {event} {start_ms}")) })
    }
    fn delete(&self, _guild: u64, event: u64) -> CalendarFuture<'_, ()> {
        Box::pin(async move { self.answer(format!("delete {event}")) })
    }
    fn interested(&self, _guild: u64, event: u64) -> CalendarFuture<'_, Vec<u64>> {
        Box::pin(async move {
            self.answer(format!("interested {event}"))?;
            Ok(self.listed.lock().unwrap().clone())
        })
    }
}

struct World {
    _dir: tempfile::TempDir,
    pool: SqlitePool,
    calendar: Arc<FakeCalendar>,
    keeper: Arc<EventKeeper>,
}

fn content() -> Arc<Content> {
    Arc::new(load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap_or_else(|p| panic!("{p}")))
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let pool = store::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
    let calendar = Arc::new(FakeCalendar::default());
    let keeper =
        EventKeeper::new(pool.clone(), content(), calendar.clone(), Arc::new(Metrics::new()), Arc::new(Notify::new()));
    World { _dir: dir, pool, calendar, keeper }
}

async fn add(pool: &SqlitePool, next: i64, event: bool) -> i64 {
    let new = NewReminder {
        guild_id: GUILD,
        channel_id: 100,
        routine_id: "post-run-hamstrings".into(),
        role_id: None,
        time_of_day: "07:30".parse().unwrap(),
        days: Days::DAILY,
        timezone: chrono_tz::UTC,
        next_fire_ms: next,
        created_by: Some(1),
        every_weeks: 1,
        anchor: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        until: None,
        event,
    };
    reminders::add_reminder(pool, &new, 0).await.unwrap()
}

#[tokio::test]
async fn an_event_is_made_once_then_moved_after_each_firing() {
    let w = world().await;
    let id = add(&w.pool, 5_000_000, true).await;
    add(&w.pool, 5_000_000, false).await; // keeps no event
                                          // The command's pass and the background pass race: one event.
    let (one, all) = tokio::join!(w.keeper.keep_one(GUILD as u64, id), w.keeper.keep_all());
    let (one, all) = (one.unwrap(), all.unwrap());
    assert_eq!(w.calendar.calls(), ["create Post-run hamstrings 5000000"], "{one:?} {all:?}");
    assert_eq!(events::event_of(&w.pool, GUILD, id).await.unwrap(), Some(901));
    // In step: nothing to do.
    assert_eq!(w.keeper.keep_all().await.unwrap(), Kept::default());

    // It fired: the reminder moved on, and so does its event.
    reminders::set_next_fire(&w.pool, id, 5_086_400).await.unwrap();
    let kept = w.keeper.keep_all().await.unwrap();
    assert_eq!(kept, Kept { moved: 1, ..Kept::default() });
    assert_eq!(w.calendar.calls().last().unwrap(), "move 901 5086400");
    assert!(events::out_of_step(&w.pool).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_call_is_tried_again_and_a_lost_event_is_made_anew() {
    let w = world().await;
    let id = add(&w.pool, 5_000_000, true).await;
    w.calendar.then(Err(CalendarError::Other("503".into())));
    assert_eq!(
        w.keeper.keep_one(GUILD as u64, id).await.unwrap(),
        Some(Step::Failed(CalendarError::Other("503".into())))
    );
    assert_eq!(events::event_of(&w.pool, GUILD, id).await.unwrap(), None, "nothing stored for a failure");
    assert_eq!(w.keeper.keep_all().await.unwrap(), Kept { created: 1, ..Kept::default() });
    let first = events::event_of(&w.pool, GUILD, id).await.unwrap().unwrap();
    assert!(events::interest_added(&w.pool, GUILD, first, 7).await.unwrap());

    // Deleted by hand in Discord: the move finds it gone and a new one is made;
    // interest in the old one is forgotten.
    reminders::set_next_fire(&w.pool, id, 5_086_400).await.unwrap();
    w.calendar.then(Err(CalendarError::Gone));
    assert_eq!(w.keeper.keep_all().await.unwrap(), Kept { created: 1, ..Kept::default() });
    let second = events::event_of(&w.pool, GUILD, id).await.unwrap().unwrap();
    assert_ne!(first, second);
    assert!(events::interested(&w.pool, GUILD, first).await.unwrap().is_empty());
    assert_eq!(w.calendar.calls()[2..], [format!("move {first} 5086400"), "create Post-run hamstrings 5086400".into()]);
}

#[tokio::test]
async fn removing_a_reminder_deletes_its_event_even_after_a_refusal() {
    let w = world().await;
    let id = add(&w.pool, 5_000_000, true).await;
    w.keeper.keep_all().await.unwrap();
    let event = events::event_of(&w.pool, GUILD, id).await.unwrap().unwrap();
    events::interest_added(&w.pool, GUILD, event, 7).await.unwrap();
    reminders::remove_reminder(&w.pool, GUILD, id).await.unwrap();
    assert_eq!(events::pending_deletions(&w.pool).await.unwrap(), [(GUILD, event)]);

    w.calendar.then(Err(CalendarError::Forbidden));
    assert_eq!(w.keeper.keep_all().await.unwrap(), Kept { failed: 1, ..Kept::default() });
    assert_eq!(events::pending_deletions(&w.pool).await.unwrap().len(), 1, "kept for the next pass");
    assert_eq!(w.keeper.keep_all().await.unwrap(), Kept { deleted: 1, ..Kept::default() });
    assert!(events::pending_deletions(&w.pool).await.unwrap().is_empty());
    assert!(events::interested(&w.pool, GUILD, event).await.unwrap().is_empty());
    assert_eq!(w.calendar.calls().iter().filter(|c| c.starts_with("delete")).count(), 2);
}

#[tokio::test]
async fn an_ended_reminder_loses_its_event_and_interest_is_only_kept_for_ours() {
    let w = world().await;
    let id = add(&w.pool, 5_000_000, true).await;
    w.keeper.keep_all().await.unwrap();
    let event = events::event_of(&w.pool, GUILD, id).await.unwrap().unwrap();
    // Someone else's event in the server: not recorded.
    assert!(!events::interest_added(&w.pool, GUILD, 12_345, 7).await.unwrap());
    w.keeper.interest(GUILD as u64, event as u64, 7, true).await.unwrap();
    w.keeper.interest(GUILD as u64, event as u64, 8, true).await.unwrap();
    w.keeper.interest(GUILD as u64, event as u64, 8, false).await.unwrap();
    // Discord does not answer: the gateway's list.
    w.calendar.then(Err(CalendarError::Other("503".into())));
    assert_eq!(w.keeper.interested(GUILD as u64, id).await.unwrap(), [7]);
    // It answers: its list wins (9 marked it while the bot was offline, 7 took it back), and is kept.
    *w.calendar.listed.lock().unwrap() = vec![9];
    assert_eq!(w.keeper.interested(GUILD as u64, id).await.unwrap(), [9]);
    assert_eq!(events::interested(&w.pool, GUILD, event).await.unwrap(), [9]);
    *w.calendar.listed.lock().unwrap() = vec![7];

    assert_eq!(w.keeper.interested(GUILD as u64, id).await.unwrap(), [7]);
    // Its last date passed: parked, and the event goes.
    reminders::set_next_fire(&w.pool, id, reminders::PARKED_MS).await.unwrap();
    assert_eq!(w.keeper.keep_all().await.unwrap(), Kept { deleted: 1, ..Kept::default() });
    assert_eq!(w.calendar.calls().last().unwrap(), &format!("delete {event}"));
    assert_eq!(events::event_of(&w.pool, GUILD, id).await.unwrap(), None);
    assert!(w.keeper.interested(GUILD as u64, id).await.unwrap().is_empty());
    assert_eq!(w.keeper.keep_all().await.unwrap(), Kept::default(), "nothing left to do");
}

#[tokio::test]
async fn a_members_interest_is_in_their_export_and_goes_when_they_are_forgotten() {
    let w = world().await;
    let id = add(&w.pool, 5_000_000, true).await;
    w.keeper.keep_all().await.unwrap();
    let event = events::event_of(&w.pool, GUILD, id).await.unwrap().unwrap();
    w.keeper.interest(GUILD as u64, event as u64, 7, true).await.unwrap();
    let export = store::users::export_user(&w.pool, 7).await.unwrap();
    assert_eq!(export["events_marked_interested"][0]["event_id"], event.to_string(), "{export:#}");
    store::users::forget_user(&w.pool, 7).await.unwrap();
    assert!(w.keeper.interested(GUILD as u64, id).await.unwrap().is_empty());
    let export = store::users::export_user(&w.pool, 7).await.unwrap();
    assert!(export["events_marked_interested"].as_array().unwrap().is_empty());
}
