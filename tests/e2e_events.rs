//! End to end: a reminder made with `event:true` keeps its next occurrence
//! as a Discord scheduled event (created, moved after it fires, deleted with
//! the reminder), members who mark it Interested are in the lobby opened
//! from its post, and without Manage Events nothing is saved.

use std::time::Duration;

use holdfast::store::{self, db_id};
use holdfast_sim::bot::{boot, BotFiles};
use holdfast_sim::*;
use serde_json::Value;

const ANSWER: Duration = Duration::from_secs(5);

async fn ask(sim: &Simulator, payload: Value) -> String {
    let h = sim.send_interaction(payload).await;
    sim.wait_response(&h, ANSWER).await.to_string()
}

fn start_ms(event: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(event["scheduled_start_time"].as_str().unwrap()).unwrap().timestamp_millis()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminders_event_follows_it_and_interested_members_are_in_its_lobby() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    // A reminder with an event, due in 8 s, stored before the bot starts.
    let pool = store::connect(&files.db_url()).await.unwrap();
    let now = store::now_ms();
    let due = now + 8_000;
    let new = store::NewReminder {
        guild_id: db_id(GUILD_ID),
        channel_id: db_id(CHANNEL_ID),
        routine_id: "post-run-hamstrings".into(),
        role_id: None,
        time_of_day: "07:30".parse().unwrap(),
        days: holdfast::schedule::Days::DAILY,
        timezone: chrono_tz::UTC,
        next_fire_ms: due,
        created_by: None,
        every_weeks: 1,
        anchor: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        until: None,
        event: true,
    };
    store::reminders::add_reminder(&pool, &new, now).await.unwrap();
    pool.close().await;
    let _bot = boot(&sim, &files, &[]).await;

    // At start the bot makes the event, at the reminder's next time.
    let events = sim.wait_for_events(|e| e.len() == 1, ANSWER).await;
    let event = &events[0];
    assert_eq!(event["name"], "Post-run hamstrings", "{event}");
    assert_eq!(event["entity_type"], 3, "{event}");
    assert_eq!(start_ms(event), due, "{event}");
    assert!(event["entity_metadata"]["location"].as_str().unwrap().contains('#'), "{event}");
    let event_id: u64 = event["id"].as_str().unwrap().parse().unwrap();
    // /remind list links it once it is stored.
    let coach = || Invoker::admin();
    let list = || slash("remind").subcommand("list").by(coach()).build();
    let deadline = tokio::time::Instant::now() + ANSWER;
    while !ask(&sim, list()).await.contains(&format!("events/{GUILD_ID}/{event_id}")) {
        assert!(tokio::time::Instant::now() < deadline, "the event never showed in /remind list");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Two members mark it Interested; one changes their mind.
    assert!(sim.mark_interested(event_id, ATHLETE2_ID, true), "the bot asked for GUILD_SCHEDULED_EVENTS");
    assert!(sim.mark_interested(event_id, OWNER_ID, true));
    // At a person's pace: serenity handles each gateway event in its own task,
    // so two dispatches a microsecond apart may be handled in either order.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sim.mark_interested(event_id, OWNER_ID, false));

    // It fires: the post, and the event moves to the next day.
    let post = sim
        .wait_for_message(CHANNEL_ID, |m| m.to_string().contains("Time for recovery"), Duration::from_secs(20))
        .await;
    let moved = sim.wait_for_events(|e| e.len() == 1 && start_ms(&e[0]) > due + 3_600_000, ANSWER).await;
    assert_eq!(moved[0]["id"], event["id"], "the same event is moved, so interest stays");

    // A mark the bot never heard of (made while it was offline, say):
    // Discord's list has it.
    sim.mark_interested_unseen(event_id, COACH_ID);

    // The post's Start session opens a lobby with the interested members in it.
    let posted = sim.message(post["id"].as_str().unwrap().parse().unwrap()).unwrap();
    let start = button_id(&posted, "Start session");
    let lobby = ask(&sim, button(&start).on_message(posted).by(Invoker::athlete()).build()).await;
    assert!(lobby.contains("In from the event") && lobby.contains(&format!("<@{ATHLETE2_ID}>")), "{lobby}");
    assert!(lobby.contains(&format!("<@{COACH_ID}>")), "Discord's own list is asked: {lobby}");
    assert!(!lobby.contains(&format!("<@{OWNER_ID}>")), "who left the event is not added: {lobby}");
    let pinged = format!("\"users\":[\"{ATHLETE2_ID}\",\"{COACH_ID}\"]");
    assert!(lobby.contains(&pinged), "only they are pinged: {lobby}");

    // Removing the reminder deletes its event.
    let t = ask(&sim, slash("remind").subcommand("remove").integer("id", 1).by(coach()).build()).await;
    assert!(t.contains("removed"), "{t}");
    sim.wait_for_events(<[Value]>::is_empty, ANSWER).await;
    sim.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_reminder_is_made_with_the_command_and_refused_without_manage_events() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let _bot = boot(&sim, &files, &[]).await;
    let add = || {
        slash("remind")
            .subcommand("add")
            .string("routine", "post-run-hamstrings")
            .string("time", "07:30")
            .string("days", "mon,thu")
            .boolean("event", true)
    };

    // Without Manage Events: a clear answer, nothing saved, nothing asked of Discord.
    sim.set_bot_permissions(EVERYONE_PERMISSIONS);
    let t = ask(&sim, add().by(Invoker::admin()).build()).await;
    assert!(t.contains("Manage Events") && t.contains("Nothing was saved"), "{t}");
    assert!(ask(&sim, slash("remind").subcommand("list").by(Invoker::admin()).build()).await.contains("No reminders"));
    assert!(sim.requests_to("POST", "/guilds/*/scheduled-events").is_empty());
    // An athlete may not add one at all.
    sim.set_bot_permissions(BOT_PERMISSIONS);
    let t = ask(&sim, add().by(Invoker::athlete()).build()).await;
    assert!(t.contains("Only coaches"), "{t}");
    assert!(sim.scheduled_events().is_empty());

    // With it: the answer (after a deferral) links the event.
    let h = sim.send_interaction(add().by(Invoker::admin()).build()).await;
    let done = sim.wait_original(&h, |m| m["content"].as_str().is_some_and(|c| c.contains("Reminder #")), ANSWER).await;
    let events = sim.scheduled_events();
    assert_eq!(events.len(), 1);
    let text = done["content"].as_str().unwrap();
    assert!(text.contains(&format!("discord.com/events/{GUILD_ID}/{}", events[0]["id"].as_str().unwrap())), "{text}");
    sim.assert_no_violations();
}
