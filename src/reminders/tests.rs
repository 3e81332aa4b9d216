use std::sync::{Arc, Mutex};

use super::*;
use crate::session::clock::ManualClock;

/// Records what would be posted: (reminder id, routine id, late by).
#[derive(Default)]
struct Recorder(Mutex<Vec<(i64, String, Option<i64>)>>);

impl ReminderSink for Arc<Recorder> {
    fn stage(&self, reminder: &Reminder, routine: &Routine, late_by_ms: Option<i64>) -> NewMessage {
        NewMessage {
            channel_id: reminder.channel_id,
            priority: store::outbox::POST,
            body: serde_json::json!([reminder.id, routine.id, late_by_ms]).to_string(),
            session_id: None,
            expires_at_ms: None,
        }
    }

    /// Records what is sent, and checks it was stored first.
    fn send_staged(&self, posts: Vec<(Option<i64>, NewMessage)>) {
        for (id, post) in posts {
            assert!(id.is_some(), "stored before it is sent");
            let (reminder, routine, late): (i64, String, Option<i64>) = serde_json::from_str(&post.body).unwrap();
            self.0.lock().unwrap().push((reminder, routine, late));
        }
    }
}

const MINUTE: i64 = 60_000;
// 2026-03-02 06:00 UTC, a Monday.
const T0: i64 = 1_772_431_200_000;

async fn service(now: i64) -> (Arc<Reminders>, Arc<Recorder>, Arc<Metrics>, SqlitePool) {
    let pool = store::connect("sqlite::memory:").await.unwrap();
    let content = crate::content::load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap();
    let recorder = Arc::new(Recorder::default());
    let metrics = Arc::new(Metrics::new());
    let service = Reminders::new(
        pool.clone(),
        Arc::new(content),
        Arc::new(recorder.clone()),
        Arc::new(ManualClock::at(now)),
        metrics.clone(),
    );
    (service, recorder, metrics, pool)
}

fn spec(time: &str) -> ReminderSpec {
    ReminderSpec {
        guild_id: 1,
        channel_id: 2,
        routine_id: "desk-day-reset".into(),
        role_id: None,
        time: time.parse().unwrap(),
        days: Days::DAILY,
        timezone: chrono_tz::Europe::Berlin,
        created_by: 9,
        every_weeks: 1,
        until: None,
        event: false,
    }
}

fn counter(metrics: &Metrics, name: &str) -> u64 {
    let text = metrics.encode();
    text.lines()
        .find_map(|l| {
            l.strip_prefix(&format!("holdfast_{name}_total ")).or_else(|| l.strip_prefix(&format!("{name}_total ")))
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no counter {name} in\n{text}"))
}

#[tokio::test]
async fn add_computes_the_first_occurrence_in_the_reminders_timezone() {
    let (service, _, _, _) = service(T0).await;
    // 06:00 UTC is 07:00 in Berlin (winter time): 07:30 is half an hour away.
    let (_, next) = service.add(&spec("07:30")).await.unwrap();
    assert_eq!(next, T0 + 30 * MINUTE);
    // 06:30 Berlin has passed today: tomorrow.
    let (_, next) = service.add(&spec("06:30")).await.unwrap();
    assert_eq!(next, T0 + 24 * 60 * MINUTE - 30 * MINUTE);
    let listed = service.list(1).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].time_of_day.to_string(), "07:30");
    assert_eq!(listed[0].days, Days::DAILY);
}

#[tokio::test]
async fn due_reminders_post_once_late_ones_say_so_and_advance_to_the_next_day() {
    let (service, recorder, metrics, _) = service(T0).await;
    let (id, next) = service.add(&spec("07:30")).await.unwrap();
    let fired = service.fire_due(next + 5 * MINUTE).await;
    assert_eq!(fired, Fired { posted: 1, skipped: 0, unreadable: 0 });
    assert_eq!(recorder.0.lock().unwrap().as_slice(), [(id, "desk-day-reset".to_string(), Some(5 * MINUTE))]);
    // The post is in the outbox, claimed in the same transaction; it may go
    // out again after a crash only until the catch-up limit.
    let stored = store::outbox::pending(&service.pool).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].expires_at_ms, Some(next + schedule::CATCH_UP_LIMIT_MS));
    // Claimed: the same instant posts nothing more.
    assert_eq!(service.fire_due(next + 5 * MINUTE).await, Fired::default());
    assert_eq!(service.list(1).await.unwrap()[0].next_fire_ms, next + 24 * 60 * MINUTE);
    // More than an hour late: skipped, and moved on.
    let fired = service.fire_due(next + 24 * 60 * MINUTE + 61 * MINUTE).await;
    assert_eq!(fired, Fired { posted: 0, skipped: 1, unreadable: 0 });
    assert_eq!((counter(&metrics, "reminders_fired"), counter(&metrics, "reminders_skipped")), (1, 1));
}

#[tokio::test]
async fn a_row_that_does_not_decode_is_counted_and_parked_never_fired_with_a_default() {
    let (service, recorder, metrics, pool) = service(T0).await;
    let (good, next) = service.add(&spec("07:30")).await.unwrap();
    let (bad, _) = service.add(&spec("07:30")).await.unwrap();
    sqlx::query("UPDATE reminders SET time_of_day = '7h30' WHERE id = ?").bind(bad).execute(&pool).await.unwrap();

    let fired = service.fire_due(next).await;
    assert_eq!(fired, Fired { posted: 1, skipped: 0, unreadable: 1 });
    assert_eq!(recorder.0.lock().unwrap().iter().map(|p| p.0).collect::<Vec<_>>(), [good]);
    assert_eq!(counter(&metrics, "unreadable_rows"), 1);
    // Parked: never due again, so the scheduler does not spin on it.
    let parked: i64 =
        sqlx::query_scalar("SELECT next_fire_ms FROM reminders WHERE id = ?").bind(bad).fetch_one(&pool).await.unwrap();
    assert_eq!(parked, store::reminders::PARKED_MS);
    assert_eq!(store::reminders::next_due(&pool).await.unwrap(), Some(next + 24 * 60 * MINUTE));
    // Listing the server's reminders reports the broken row instead of
    // showing it with a made-up time; it can still be removed.
    assert!(matches!(service.list(1).await, Err(StoreError::Corrupt { table: "reminders", id, .. }) if id == bad));
    service.remove(1, bad).await.unwrap();
    assert_eq!(service.list(1).await.unwrap().len(), 1);
}

fn day(s: &str) -> NaiveDate {
    schedule::parse_date(s).unwrap()
}

#[tokio::test]
async fn a_season_every_other_week_until_a_date_with_skips_and_a_pause() {
    // T0 is Monday 2 March 2026, 07:00 in Berlin.
    let (service, recorder, _, _) = service(T0).await;
    let mut spring = spec("07:30");
    spring.days = "mon,thu".parse().unwrap();
    spring.every_weeks = 2;
    spring.until = Some(day("2026-04-09"));
    let (id, first) = service.add(&spring).await.unwrap();
    assert_eq!(first, T0 + 30 * MINUTE);
    let local = |ms: i64| schedule::local_time(ms, chrono_tz::Europe::Berlin).unwrap().format("%m-%d").to_string();
    let (_, next) = service.preview(1, id, 10).await.unwrap();
    assert_eq!(
        next.iter().map(|ms| local(*ms)).collect::<Vec<_>>(),
        ["03-02", "03-05", "03-16", "03-19", "03-30", "04-02"]
    );

    // Skip a match day, pause over Easter: what is left.
    service.skip(1, id, &[day("2026-03-05")]).await.unwrap();
    let after_pause = service.pause(1, id, Some(day("2026-03-29"))).await.unwrap();
    assert_eq!(after_pause.map(local).as_deref(), Some("03-30"));
    let (r, next) = service.preview(1, id, 10).await.unwrap();
    assert_eq!(next.iter().map(|ms| local(*ms)).collect::<Vec<_>>(), ["03-30", "04-02"]);
    assert_eq!((r.skips.len(), r.paused_until), (1, Some(day("2026-03-29"))));
    // Resumed, it fires on 2 March again (still today, not yet 07:30).
    assert_eq!(service.pause(1, id, None).await.unwrap().map(local).as_deref(), Some("03-02"));

    // Past its last date it fires no more: parked, listed as ended.
    service.pause(1, id, Some(day("2026-04-09"))).await.unwrap();
    let r = service.list(1).await.unwrap().remove(0);
    assert!(r.ended(), "{r:?}");
    assert_eq!(service.fire_due(T0 + 60 * 24 * 60 * MINUTE).await, Fired::default());
    assert!(recorder.0.lock().unwrap().is_empty());
}

#[tokio::test]
async fn season_options_refuse_what_cannot_be_and_change_nothing() {
    let (service, _, _, _) = service(T0).await;
    let mut past = spec("07:30");
    past.until = Some(day("2026-03-01"));
    assert!(matches!(service.add(&past).await, Err(ReminderError::UntilInPast(_))));
    let mut never = spec("07:30");
    never.days = "sat".parse().unwrap();
    never.until = Some(day("2026-03-06"));
    assert!(matches!(service.add(&never).await, Err(ReminderError::NeverFires)));
    let mut every = spec("07:30");
    every.every_weeks = 13;
    assert!(matches!(service.add(&every).await, Err(ReminderError::Every(13))));
    assert!(service.list(1).await.unwrap().is_empty(), "nothing was added");

    let (id, next) = service.add(&spec("07:30")).await.unwrap();
    assert!(matches!(service.skip(1, id, &[day("2026-02-27")]).await, Err(ReminderError::DateInPast(_))));
    assert!(matches!(service.pause(1, id, Some(day("2026-01-01"))).await, Err(ReminderError::DateInPast(_))));
    assert!(matches!(service.skip(2, id, &[day("2026-03-09")]).await, Err(ReminderError::Store(StoreError::NotFound))));
    let r = service.list(1).await.unwrap().remove(0);
    assert_eq!((r.next_fire_ms, r.skips.len(), r.paused_until), (next, 0, None), "unchanged");
}
