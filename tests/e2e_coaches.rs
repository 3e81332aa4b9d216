//! End to end: the coaches' commands (settings, routine posts, reminders,
//! team report) and the athletes' own (`/me`), with every refusal clear and
//! ephemeral, against the simulator.

use std::time::Duration;

use chrono::Datelike;

use holdfast_sim::bot::{boot, BotFiles};
use holdfast_sim::*;
use serde_json::Value;

const ANSWER: Duration = Duration::from_secs(5);

/// Sends a command and returns (text of the response, ephemeral?).
async fn ask(sim: &Simulator, payload: Value) -> (String, bool) {
    let h = sim.send_interaction(payload).await;
    let r = sim.wait_response(&h, ANSWER).await;
    let ephemeral = r["data"]["flags"].as_u64().is_some_and(|f| f & 64 != 0);
    (r.to_string(), ephemeral)
}

fn remind_add(time: &str, days: &str) -> CommandBuilder {
    slash("remind").subcommand("add").string("routine", "post-run-hamstrings").string("time", time).string("days", days)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_decide_who_coaches_and_refusals_change_nothing() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let _bot = boot(&sim, &files, &[]).await;

    // Until a coach role is set, the Coach-role member is not a coach.
    let (t, eph) = ask(&sim, slash("team").subcommand("report").by(Invoker::coach()).build()).await;
    assert!(eph && t.contains("Only coaches"), "{t}");
    // Only Manage Server may set it.
    let (t, eph) =
        ask(&sim, slash("settings").subcommand("coach_role").role("role", COACH_ROLE).by(Invoker::coach()).build())
            .await;
    assert!(eph && t.contains("Manage Server"), "{t}");
    let (t, _) =
        ask(&sim, slash("settings").subcommand("coach_role").role("role", COACH_ROLE).by(Invoker::admin()).build())
            .await;
    assert!(t.contains(&COACH_ROLE.to_string()), "{t}");
    let (t, eph) = ask(&sim, slash("team").subcommand("report").integer("days", 7).by(Invoker::coach()).build()).await;
    assert!(eph && t.contains("Team report"), "{t}");

    // Timezones: a wrong one is named, a right one is stored.
    let (t, eph) = ask(
        &sim,
        slash("settings").subcommand("timezone").string("timezone", "Europe/Berln").by(Invoker::admin()).build(),
    )
    .await;
    assert!(eph && t.contains("not a timezone") && t.contains("Europe/Berlin"), "{t}");
    let (t, _) = ask(
        &sim,
        slash("settings").subcommand("timezone").string("timezone", "europe/berlin").by(Invoker::admin()).build(),
    )
    .await;
    assert!(t.contains("Europe/Berlin"), "{t}");
    let h = sim
        .send_interaction(
            autocomplete("settings").subcommand("timezone").focused("timezone", "berl").by(Invoker::admin()).build(),
        )
        .await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert!(r["data"]["choices"].to_string().contains("Europe/Berlin"), "{r}");

    // Reminders: every bad input gets a specific answer.
    let coach = Invoker::coach;
    for (payload, expect) in [
        (remind_add("25:99", "daily").by(coach()).build(), "hours go 0–23"),
        (remind_add("07:60", "daily").by(coach()).build(), "minutes go 00–59"),
        (remind_add("07:30", "funday").by(coach()).build(), "not a day"),
        (remind_add("07:30", "daily").string("timezone", "Mars/Olympus").by(coach()).build(), "not a timezone"),
        (remind_add("07:30", "daily").by(Invoker::athlete()).build(), "Only coaches"),
    ] {
        let (t, eph) = ask(&sim, payload).await;
        assert!(eph && t.contains(expect), "expected {expect:?} in {t}");
    }
    let (t, _) = ask(&sim, slash("remind").subcommand("list").by(coach()).build()).await;
    assert!(t.contains("No reminders"), "bad input stored nothing: {t}");

    // A good one: listed with its next time, then removed.
    let (t, eph) =
        ask(&sim, remind_add("07:30", "mon,wed,fri").role("athletes", ATHLETES_ROLE).by(coach()).build()).await;
    assert!(eph && t.contains("Reminder #1") && t.contains(":F>") && t.contains("Europe/Berlin"), "{t}");
    let (t, _) = ask(&sim, slash("remind").subcommand("list").by(coach()).build()).await;
    assert!(t.contains("#1") && t.contains("mon, wed, fri") && t.contains(":F>"), "{t}");
    // Another channel, by the channel option.
    let (t, _) =
        ask(&sim, remind_add("18:00", "weekdays").channel("channel", OTHER_CHANNEL_ID).by(coach()).build()).await;
    assert!(t.contains("Reminder #2") && t.contains(&OTHER_CHANNEL_ID.to_string()), "{t}");
    let (t, _) = ask(&sim, slash("remind").subcommand("remove").integer("id", 2).by(coach()).build()).await;
    assert!(t.contains("removed"), "{t}");
    let (t, _) = ask(&sim, slash("remind").subcommand("remove").integer("id", 99).by(coach()).build()).await;
    assert!(t.contains("no reminder #99"), "{t}");
    let (t, _) = ask(&sim, slash("remind").subcommand("remove").integer("id", 1).by(coach()).build()).await;
    assert!(t.contains("removed"), "{t}");

    // At most 25 reminders per server.
    for _ in 0..25 {
        let (t, _) = ask(&sim, remind_add("06:00", "daily").by(coach()).build()).await;
        assert!(t.contains("Reminder #"), "{t}");
    }
    let (t, eph) = ask(&sim, remind_add("06:00", "daily").by(coach()).build()).await;
    assert!(eph && t.contains("25 reminders"), "{t}");

    // /me timezone and /me forget (with its confirmation button).
    let (t, _) = ask(
        &sim,
        slash("me").subcommand("timezone").string("timezone", "Australia/Sydney").by(Invoker::athlete()).build(),
    )
    .await;
    assert!(t.contains("Australia/Sydney"), "{t}");
    let h = sim.send_interaction(slash("me").subcommand("forget").by(Invoker::athlete()).build()).await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert!(r.to_string().contains("cannot be undone"), "{r}");
    let confirm = format!("hf:f:{ATHLETE_ID}:yes");
    // Someone else cannot confirm it.
    let (t, _) = ask(&sim, button(&confirm).by(Invoker::coach()).build()).await;
    assert!(t.contains("someone else"), "{t}");
    let (t, _) = ask(&sim, button(&confirm).by(Invoker::athlete()).build()).await;
    assert!(t.contains("Done: I deleted"), "{t}");
    sim.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_reminder_fires_once_in_its_channel_with_the_role_mention() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    // A reminder due in 3 seconds, stored before the bot starts.
    let pool = holdfast::store::connect(&files.db_url()).await.unwrap();
    let now = holdfast::store::now_ms();
    let new = holdfast::store::NewReminder {
        guild_id: holdfast::store::db_id(GUILD_ID),
        channel_id: holdfast::store::db_id(OTHER_CHANNEL_ID),
        routine_id: "post-run-hamstrings".into(),
        role_id: Some(holdfast::store::db_id(ATHLETES_ROLE)),
        time_of_day: "07:30".parse().unwrap(),
        days: holdfast::schedule::Days::DAILY,
        timezone: chrono_tz::UTC,
        next_fire_ms: now + 3_000,
        created_by: None,
        every_weeks: 1,
        anchor: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        until: None,
        event: false,
    };
    holdfast::store::reminders::add_reminder(&pool, &new, now).await.unwrap();
    pool.close().await;

    let _bot = boot(&sim, &files, &[]).await;
    let role = ATHLETES_ROLE.to_string();
    let msg = sim
        .wait_for_message(
            OTHER_CHANNEL_ID,
            |m| m["content"].as_str().is_some_and(|c| c.contains(&role)),
            Duration::from_secs(15),
        )
        .await;
    assert_eq!(msg["allowed_mentions"]["roles"][0], role, "the role is pinged: {msg}");
    assert!(msg.to_string().contains("Start session"), "{msg}");
    assert!(!msg.to_string().contains("late"), "on time: {msg}");
    // Exactly once, and in that channel only.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sim.channel_messages(OTHER_CHANNEL_ID).len(), 1);
    assert!(sim.channel_messages(CHANNEL_ID).is_empty());

    // Its Start session button starts a session there.
    let custom_id = msg["components"][0]["components"][0]["custom_id"].as_str().unwrap().to_string();
    let posted = sim.message(msg["id"].as_str().unwrap().parse().unwrap()).unwrap();
    let (t, eph) =
        ask(&sim, button(&custom_id).on_message(posted).by(Invoker::athlete().in_channel(OTHER_CHANNEL_ID)).build())
            .await;
    assert!(!eph && t.contains("Recovery session"), "{t}");
    sim.assert_no_violations();
}

/// Reminders that fit a season, through Discord: every other week until a
/// last date, a preview in the reminder's timezone, skipped dates and a
/// pause; bad dates and other people's commands change nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_fit_a_season() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let _bot = boot(&sim, &files, &[]).await;
    let coach = || Invoker::admin();
    let next_year = chrono::Utc::now().date_naive().year() + 1;
    let until = format!("{next_year}-06-30");
    let (t, _) = ask(
        &sim,
        remind_add("07:30", "mon,thu")
            .string("timezone", "Europe/Berlin")
            .string("until", &until)
            .integer("every", 2)
            .by(coach())
            .build(),
    )
    .await;
    assert!(t.contains("Reminder #1") && t.contains("every 2 weeks") && t.contains(&until), "{t}");

    let (t, eph) = ask(&sim, slash("remind").subcommand("preview").integer("id", 1).by(coach()).build()).await;
    assert!(eph && t.matches("<t:").count() == 5 && t.contains("Europe/Berlin"), "{t}");

    let skip = format!("{next_year}-01-05, {next_year}-01-08");
    let (t, _) =
        ask(&sim, slash("remind").subcommand("skip").integer("id", 1).string("dates", &skip).by(coach()).build()).await;
    assert!(t.contains("skips 2 dates") && t.contains("Next: <t:"), "{t}");
    let (t, _) = ask(
        &sim,
        slash("remind")
            .subcommand("pause")
            .integer("id", 1)
            .string("until", &format!("{next_year}-02-01"))
            .by(coach())
            .build(),
    )
    .await;
    assert!(t.contains("paused through"), "{t}");
    let (t, _) = ask(&sim, slash("remind").subcommand("list").by(coach()).build()).await;
    assert!(t.contains("paused until") && t.contains("2 dates skipped"), "{t}");

    // Bad input gets a clear answer and changes nothing.
    for (payload, want) in [
        (remind_add("07:30", "daily").string("until", "2020-01-01").by(coach()).build(), "already past"),
        (remind_add("07:30", "daily").string("until", "2026-13-01").by(coach()).build(), "is not a date"),
        (
            slash("remind").subcommand("skip").integer("id", 1).string("dates", "2020-05-05").by(coach()).build(),
            "already past",
        ),
        (slash("remind").subcommand("pause").integer("id", 7).by(coach()).build(), "no reminder #7"),
        (slash("remind").subcommand("preview").integer("id", 1).by(Invoker::athlete()).build(), "Only coaches"),
    ] {
        let (t, eph) = ask(&sim, payload).await;
        assert!(eph && t.contains(want), "{want}: {t}");
    }
    let (t, _) = ask(&sim, slash("remind").subcommand("list").by(coach()).build()).await;
    assert_eq!(t.matches("**#").count(), 1, "{t}");
    sim.assert_no_violations();
}
