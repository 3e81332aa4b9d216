//! The reminder catch-up policy, through the reminder service, the Discord
//! adapter's sink and the outbound queue against the simulator: less than an hour late fires once
//! with a note; older is skipped; nothing fires twice.

use std::time::Duration;

use holdfast::config::Token;
use holdfast::content::load_dir;
use std::sync::Arc;

use holdfast::discord::outbound::Outbound;
use holdfast::discord::DiscordSink;
use holdfast::metrics::Metrics;
use holdfast::reminders::{Fired, Reminders};
use holdfast::session::clock::SystemClock;
use holdfast::store::{self, db_id, NewReminder};
use holdfast_sim::*;

fn reminder(channel: u64, next_fire_ms: i64) -> NewReminder {
    NewReminder {
        guild_id: db_id(GUILD_ID),
        channel_id: db_id(channel),
        routine_id: "desk-day-reset".into(),
        role_id: None,
        time_of_day: "07:30".parse().unwrap(),
        days: holdfast::schedule::Days::DAILY,
        timezone: chrono_tz::Europe::Berlin,
        next_fire_ms,
        created_by: None,
        every_weeks: 1,
        anchor: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        until: None,
        event: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_fires_once_with_a_note_and_too_late_is_skipped() {
    let sim = Simulator::start().await;
    let dir = tempfile::tempdir().unwrap();
    let pool = store::connect(&format!("sqlite://{}", dir.path().join("h.db").display())).await.unwrap();
    let content = load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap();
    let outbound = Outbound::new(&sim.base_url(), Token::new(holdfast_sim::bot::TOKEN));
    let content = Arc::new(content);
    let sink = Arc::new(DiscordSink { outbound: outbound.clone(), content: content.clone() });
    let service = Reminders::new(pool.clone(), content, sink, Arc::new(SystemClock), Arc::new(Metrics::new()));
    let now = store::now_ms();
    let minute = 60_000;
    store::reminders::add_reminder(&pool, &reminder(CHANNEL_ID, now - 30 * minute), now).await.unwrap();
    store::reminders::add_reminder(&pool, &reminder(OTHER_CHANNEL_ID, now - 61 * minute), now).await.unwrap();
    store::reminders::add_reminder(&pool, &reminder(CHANNEL_ID, now + 60 * minute), now).await.unwrap();

    assert_eq!(service.fire_due(now).await, Fired { posted: 1, skipped: 1, unreadable: 0 });
    let msg = sim
        .wait_for_message(
            CHANNEL_ID,
            |m| m["content"].as_str().is_some_and(|c| c.contains("late")),
            Duration::from_secs(5),
        )
        .await;
    assert!(msg["content"].as_str().unwrap().contains("30 min late"), "{msg}");
    // Claimed once: the same instant fires nothing more.
    assert_eq!(service.fire_due(now).await, Fired::default());
    assert!(outbound.drain(Duration::from_secs(5)).await);
    assert_eq!(sim.channel_messages(CHANNEL_ID).len(), 1);
    assert!(sim.channel_messages(OTHER_CHANNEL_ID).is_empty(), "an hour late is skipped");
    // Every due reminder moved on to a future occurrence at 07:30 Berlin time.
    for r in store::reminders::list_for_guild(&pool, db_id(GUILD_ID)).await.unwrap().into_iter().filter(|r| r.id <= 2) {
        assert!(r.next_fire_ms > now, "{r:?}");
        let local = holdfast::schedule::local_time(r.next_fire_ms, chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(local.format("%H:%M").to_string(), "07:30");
    }
    sim.assert_no_violations();
}
