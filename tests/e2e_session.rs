//! End to end: group sessions in a channel with the real bot against the
//! simulator. Real time, so the routine is one 5-second hold (about 16 s).

use std::time::Duration;

use holdfast_sim::bot::{boot, Bot, BotFiles};
use holdfast_sim::*;
use serde_json::Value;

const ANSWER: Duration = Duration::from_secs(5);
const PHASE: Duration = Duration::from_secs(25);

fn content(v: &Value) -> String {
    v["content"].as_str().unwrap_or_default().to_string()
}

fn has(text: &'static str) -> impl Fn(&Value) -> bool {
    move |m: &Value| content(m).contains(text)
}

fn count(sim: &Simulator, text: &str) -> usize {
    sim.channel_messages(CHANNEL_ID).iter().filter(|m| content(m).contains(text)).count()
}

/// Starts the quick routine; returns the lobby interaction.
async fn start_session(sim: &Simulator, host: Invoker, start_in: i64) -> InteractionHandle {
    let h = sim
        .send_interaction(
            slash("session")
                .subcommand("start")
                .string("routine", "e2e-quick")
                .integer("hold", 5)
                .integer("start_in", start_in)
                .by(host)
                .build(),
        )
        .await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert_eq!(r["type"], 4, "{r}");
    assert!(r["data"]["flags"].as_u64().unwrap_or(0) & 64 == 0, "the lobby is public: {r}");
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_with_two_members_joining_by_button() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let _bot = boot(&sim, &files, &[]).await;

    let lobby = start_session(&sim, Invoker::athlete(), 3).await;
    let lobby_msg = sim.wait_original(&lobby, |m| m["embeds"][0]["title"].is_string(), ANSWER).await;
    let lobby_text = lobby_msg.to_string();
    assert!(lobby_text.contains("Recovery session: Quick test") && lobby_text.contains("Safety"), "{lobby_text}");
    let join = button_id(&lobby_msg, "Join");

    // Two members join by button; pressing twice changes nothing.
    for who in [Invoker::new(ATHLETE2_ID), Invoker::coach(), Invoker::coach()] {
        let h = sim.send_interaction(button(&join).on_message(lobby_msg.clone()).by(who).build()).await;
        let r = sim.wait_response(&h, ANSWER).await;
        assert_eq!(r["type"], 7, "the lobby updates in place: {r}");
    }
    let refreshed = sim.original_message(&lobby).expect("lobby").to_string();
    for who in [ATHLETE2_ID, COACH_ID] {
        assert!(refreshed.contains(&who.to_string()), "the lobby lists {who}: {refreshed}");
    }

    // A second session in the same channel is refused.
    let h = sim
        .send_interaction(
            slash("session").subcommand("start").string("routine", "e2e-quick").by(Invoker::coach()).build(),
        )
        .await;
    assert!(sim.wait_response(&h, ANSWER).await.to_string().contains("already running"));

    // A member who is neither host nor coach cannot stop it.
    let h = sim.send_interaction(slash("session").subcommand("stop").by(Invoker::new(ATHLETE2_ID)).build()).await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert!(r.to_string().contains("host") && r["data"]["flags"] == 64, "{r}");

    let ready = sim.wait_for_message(CHANNEL_ID, has("Get in position"), PHASE).await;
    // The lobby, started on its timer, says so and carries the in-session buttons.
    let started = sim.wait_original(&lobby, |m| m.to_string().contains("has started"), ANSWER).await;
    let started_text = started.to_string();
    assert!(started_text.contains("Pause") && !started_text.contains("Start now"), "{started_text}");
    assert!(started_text.contains(&ATHLETE2_ID.to_string()), "still lists who is in: {started_text}");
    let hold = sim.wait_for_message(CHANNEL_ID, has("**Hold:"), PHASE).await;
    assert!(content(&hold).contains("<t:") && content(&hold).contains(":R>"), "a live countdown: {hold}");
    let done = sim.wait_for_message(CHANNEL_ID, has("Session complete"), PHASE).await;
    let summary = content(&done);
    for who in [ATHLETE_ID, ATHLETE2_ID, COACH_ID] {
        assert!(summary.contains(&who.to_string()), "{who} in {summary}");
    }
    assert!(summary.contains("Hold time: 5 s"), "{summary}");
    assert_eq!(count(&sim, "Get in position"), 1);
    assert_eq!(count(&sim, "**Hold:"), 1);
    assert!(ready["nonce"].is_string());

    // Progress afterwards: credited once.
    let h = sim.send_interaction(slash("progress").by(Invoker::new(ATHLETE2_ID)).build()).await;
    let r = sim.wait_response(&h, ANSWER).await;
    let text = r.to_string();
    assert!(text.contains("**1** session") && text.contains("**5 s** held"), "{text}");
    // Someone else's progress is for coaches only.
    let h = sim.send_interaction(slash("progress").user("athlete", ATHLETE2_ID).by(Invoker::athlete()).build()).await;
    assert!(sim.wait_response(&h, ANSWER).await.to_string().contains("Only coaches"));
    sim.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_session_posts_no_phase_twice_and_credits_once() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let mut bot = boot(&sim, &files, &[]).await;
    start_session(&sim, Invoker::athlete(), 0).await;
    sim.wait_for_message(CHANNEL_ID, has("Get in position"), PHASE).await;
    // Crash during "get in position", come back a few seconds later.
    bot.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _bot = Bot::start(&sim.base_url(), GUILD_ID, &files, &[]);
    sim.wait_identify_count(2).await;
    sim.wait_for_message(CHANNEL_ID, has("Session complete"), Duration::from_secs(40)).await;
    assert_eq!(count(&sim, "Get in position"), 1, "no phase twice");
    assert_eq!(count(&sim, "**Hold:"), 1, "no phase lost");
    let h = sim.send_interaction(slash("progress").by(Invoker::athlete()).build()).await;
    let text = sim.wait_response(&h, ANSWER).await.to_string();
    assert!(text.contains("**1** session") && text.contains("**1** hold"), "credited once: {text}");
    sim.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cues_survive_a_429_a_500_and_a_gateway_reconnect() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let _bot = boot(&sim, &files, &[]).await;
    start_session(&sim, Invoker::athlete(), 0).await;
    sim.wait_for_message(CHANNEL_ID, has("Get in position"), PHASE).await;
    // The hold cue meets a 429, then a 500; the gateway drops meanwhile.
    sim.fail_next(route("POST", "/channels/*/messages"), Fault::RateLimited { retry_after: 0.7, global: false }, 1);
    sim.fail_next(route("POST", "/channels/*/messages"), Fault::ServerError(500), 1);
    sim.close_gateway().await;
    let hold = sim.wait_for_message(CHANNEL_ID, has("**Hold:"), PHASE).await;
    assert!(content(&hold).contains("<t:"));
    sim.wait_for_message(CHANNEL_ID, has("Session complete"), PHASE).await;
    assert_eq!(count(&sim, "**Hold:"), 1);
    let statuses: Vec<u16> = sim.requests_to("POST", "/channels/*/messages").iter().map(|r| r.status).collect();
    assert!(statuses.contains(&429) && statuses.contains(&500), "{statuses:?}");
    // Commands work after the reconnect.
    let h = sim.send_interaction(slash("help").by(Invoker::athlete()).build()).await;
    sim.wait_response(&h, ANSWER).await;
    sim.assert_no_violations();
}

/// SIGKILLs at pseudo-random moments during a session (a fixed seed, so a
/// failure can be replayed), each followed by a restart: no cue is posted
/// twice, the hold is announced once, the session completes once, and the
/// hold is credited once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_sigkills_during_a_session_lose_no_cue_and_double_none() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let mut bot = boot(&sim, &files, &[]).await;
    let h = sim
        .send_interaction(
            slash("session")
                .subcommand("start")
                .string("routine", "e2e-quick")
                .integer("hold", 12)
                .integer("start_in", 0)
                .by(Invoker::athlete())
                .build(),
        )
        .await;
    sim.wait_response(&h, ANSWER).await;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for kill in 0..6u64 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let life_ms = 200 + (seed >> 33) % 1_500;
        tokio::time::sleep(Duration::from_millis(life_ms)).await;
        bot.kill();
        bot = Bot::start(&sim.base_url(), GUILD_ID, &files, &[]);
        sim.wait_identify_count(kill + 2).await;
    }
    sim.wait_for_message(CHANNEL_ID, has("Session complete"), Duration::from_secs(60)).await;
    assert!(bot.stop().expect("running").success(), "{}", bot.log_text());
    let messages = sim.channel_messages(CHANNEL_ID);
    let mut nonces: Vec<&str> = messages.iter().filter_map(|m| m["nonce"].as_str()).collect();
    let posted = nonces.len();
    nonces.sort_unstable();
    nonces.dedup();
    assert_eq!(nonces.len(), posted, "a cue posted twice");
    assert!(count(&sim, "Get in position") <= 1, "a phase twice");
    assert_eq!(count(&sim, "**Hold:"), 1, "the hold once");
    assert_eq!(count(&sim, "Session complete"), 1, "one summary");
    // The restarted bot shows what it has; credits are stored once.
    let files_db = files.db_url();
    let pool = holdfast::store::connect(&files_db).await.unwrap();
    let (holds,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM hold_credits").fetch_one(&pool).await.unwrap();
    assert_eq!(holds, 1, "credited once");
    let (pending,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE done_at_ms IS NULL").fetch_one(&pool).await.unwrap();
    assert_eq!(pending, 0, "everything decided was sent or replaced");
    sim.assert_no_violations();
}
