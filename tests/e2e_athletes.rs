//! End to end: individual restrictions (`/athlete`) through the simulator:
//! who may set and see them, bad input, and a restricted athlete in a real
//! session (told privately what applies, credited with what they did).

use std::time::Duration;

use holdfast_sim::bot::{boot, BotFiles};
use holdfast_sim::*;
use serde_json::Value;

const ANSWER: Duration = Duration::from_secs(5);
const PHASE: Duration = Duration::from_secs(25);

/// Sends a command and returns (text of the response, ephemeral?).
async fn ask(sim: &Simulator, payload: Value) -> (String, bool) {
    let h = sim.send_interaction(payload).await;
    let r = sim.wait_response(&h, ANSWER).await;
    let ephemeral = r["data"]["flags"].as_u64().is_some_and(|f| f & 64 != 0);
    (r.to_string(), ephemeral)
}

fn restrict(exercise: &str, rule: &str) -> CommandBuilder {
    slash("athlete")
        .subcommand("restrict")
        .user("athlete", ATHLETE2_ID)
        .string("exercise", exercise)
        .string("rule", rule)
        .by(Invoker::coach())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coaches_restrict_an_athlete_who_then_trains_within_it() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let _bot = boot(&sim, &files, &[]).await;
    ask(&sim, slash("settings").subcommand("coach_role").role("role", COACH_ROLE).by(Invoker::admin()).build()).await;

    // Only coaches set and lift them.
    let (t, eph) = ask(&sim, restrict("knuckle-massage", "avoid").by(Invoker::athlete()).build()).await;
    assert!(eph && t.contains("Only coaches"), "{t}");
    let lift = slash("athlete").subcommand("lift").user("athlete", ATHLETE2_ID);
    let (t, eph) = ask(&sim, lift.clone().by(Invoker::athlete()).build()).await;
    assert!(eph && t.contains("Only coaches"), "{t}");

    // Bad input: a specific answer each, and nothing stored.
    let today = chrono::Utc::now().date_naive();
    let past = (today - chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
    for (payload, expect) in [
        (restrict("foam roller of doom", "avoid").build(), "don't know an exercise"),
        (restrict("knuckle-massage", "max hold").build(), "needs `seconds`"),
        (restrict("knuckle-massage", "max hold").integer("seconds", 0).build(), "0 s won't work"),
        (restrict("knuckle-massage", "max hold").integer("seconds", 601).build(), "601 s won't work"),
        (restrict("knuckle-massage", "avoid").string("until", &past).build(), "already past"),
        (restrict("knuckle-massage", "avoid").string("until", "25:99").build(), "not a date"),
        (
            slash("athlete")
                .subcommand("restrict")
                .non_member("athlete", 1_200_000_000_000_000_099)
                .string("exercise", "knuckle-massage")
                .string("rule", "avoid")
                .by(Invoker::coach())
                .build(),
            "not a member of this server",
        ),
    ] {
        let (t, eph) = ask(&sim, payload).await;
        assert!(eph && t.contains(expect), "expected {expect:?} in {t}");
    }
    let (t, _) = ask(&sim, slash("athlete").subcommand("restrictions").by(Invoker::new(ATHLETE2_ID)).build()).await;
    assert!(t.contains("no restrictions"), "nothing was stored: {t}");

    // Set one; the athlete sees their own, another athlete cannot, a coach can.
    let (t, eph) = ask(
        &sim,
        restrict("knuckle-massage", "max hold").integer("seconds", 2).string("note", "easy on the wrist").build(),
    )
    .await;
    assert!(eph && t.contains("Set") && t.contains("hold at most 2 s"), "{t}");
    let (t, eph) = ask(&sim, slash("athlete").subcommand("restrictions").by(Invoker::new(ATHLETE2_ID)).build()).await;
    assert!(eph && t.contains("Knuckle") && t.contains("hold at most 2 s") && t.contains("easy on the wrist"), "{t}");
    let theirs = slash("athlete").subcommand("restrictions").user("athlete", ATHLETE2_ID);
    let (t, eph) = ask(&sim, theirs.clone().by(Invoker::athlete()).build()).await;
    assert!(eph && t.contains("Only coaches"), "{t}");
    let (t, eph) = ask(&sim, theirs.by(Invoker::coach()).build()).await;
    assert!(eph && t.contains("hold at most 2 s"), "{t}");

    // A session: the group holds 5 s; the restricted athlete is told, privately, to hold 2.
    let h = sim
        .send_interaction(
            slash("session")
                .subcommand("start")
                .string("routine", "e2e-quick")
                .integer("hold", 5)
                .integer("start_in", 3)
                .by(Invoker::athlete())
                .build(),
        )
        .await;
    sim.wait_response(&h, ANSWER).await;
    let lobby = sim.wait_original(&h, |m| m["embeds"][0]["title"].is_string(), ANSWER).await;
    let join = button_id(&lobby, "Join");
    let press =
        sim.send_interaction(button(&join).on_message(lobby.clone()).by(Invoker::new(ATHLETE2_ID)).build()).await;
    assert_eq!(sim.wait_response(&press, ANSWER).await["type"], 7, "the lobby updates in place");
    let note = sim.wait_followup(&press, |f| f.to_string().contains("hold 2 s"), ANSWER).await;
    assert_eq!(note["flags"].as_u64().unwrap_or(0) & 64, 64, "told privately: {note}");
    assert!(note.to_string().contains("rest while the others finish"), "{note}");
    sim.wait_for_message(CHANNEL_ID, |m| m["content"].as_str().unwrap_or("").contains("Session complete"), PHASE).await;

    // Credited with what they did; the difference shows as modified, not missed.
    let (t, _) = ask(&sim, slash("progress").by(Invoker::new(ATHLETE2_ID)).build()).await;
    assert!(t.contains("**2 s** held") && t.contains("Modified") && !t.contains("Missed"), "{t}");
    let (t, _) = ask(&sim, slash("progress").by(Invoker::athlete()).build()).await;
    assert!(t.contains("**5 s** held") && !t.contains("Modified"), "{t}");
    let (t, _) = ask(&sim, slash("team").subcommand("report").by(Invoker::coach()).build()).await;
    assert!(t.contains("modified 3 s"), "{t}");

    // The export counts the restriction and the coach's look at it.
    let (t, eph) = ask(&sim, slash("me").subcommand("export").by(Invoker::new(ATHLETE2_ID)).build()).await;
    assert!(eph && t.contains("1 restriction set for you") && t.contains("1 look by coaches"), "{t}");

    let (t, _) = ask(&sim, lift.clone().by(Invoker::coach()).build()).await;
    assert!(t.contains("Lifted 1 restriction"), "{t}");
    let (t, _) = ask(&sim, lift.by(Invoker::coach()).build()).await;
    assert!(t.contains("nothing changed"), "{t}");
    sim.assert_no_violations();
}

/// The summary's Check in button opens a form; a red flag reaches the
/// coaches channel once, with the exercise's stop signs; bad answers save
/// nothing; the athlete's trend and the coaches' report show it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_after_a_session_and_its_red_flag_reach_the_coaches_privately() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let _bot = boot(&sim, &files, &[]).await;
    ask(&sim, slash("settings").subcommand("coach_role").role("role", COACH_ROLE).by(Invoker::admin()).build()).await;
    let set_channel = slash("settings").subcommand("coaches_channel").channel("channel", OTHER_CHANNEL_ID);
    let (t, eph) = ask(&sim, set_channel.clone().by(Invoker::coach()).build()).await;
    assert!(eph && t.contains("Manage Server"), "{t}");
    let (t, _) = ask(&sim, set_channel.by(Invoker::admin()).build()).await;
    assert!(t.contains(&OTHER_CHANNEL_ID.to_string()), "{t}");

    let h = sim
        .send_interaction(
            slash("session")
                .subcommand("start")
                .string("routine", "e2e-quick")
                .integer("hold", 5)
                .integer("start_in", 0)
                .by(Invoker::athlete())
                .build(),
        )
        .await;
    sim.wait_response(&h, ANSWER).await;
    let done = sim
        .wait_for_message(CHANNEL_ID, |m| m["content"].as_str().unwrap_or("").contains("Session complete"), PHASE)
        .await;
    let check_in = button_id(&done, "Check in");
    let done = sim.message(done["id"].as_str().unwrap().parse().unwrap()).expect("the summary, as stored");

    // Someone who was not there gets no form.
    let press =
        sim.send_interaction(button(&check_in).on_message(done.clone()).by(Invoker::new(ATHLETE2_ID)).build()).await;
    let r = sim.wait_response(&press, ANSWER).await;
    assert!(r["type"] == 4 && r.to_string().contains("took part"), "{r}");

    // The athlete gets the form: pain, where (the routine's areas), note.
    let press = sim.send_interaction(button(&check_in).on_message(done.clone()).by(Invoker::athlete()).build()).await;
    let form = sim.wait_response(&press, ANSWER).await;
    assert_eq!(form["type"], 9, "a modal: {form}");
    let form_id = form["data"]["custom_id"].as_str().unwrap().to_string();
    let text = form.to_string();
    assert!(text.contains("pain") && text.contains("where") && text.contains("note"), "{text}");
    assert!(text.contains("hamstrings, nowhere in particular"), "{text}");

    // A pain that is not 0-10 saves nothing.
    let submit = |pain: &str, area: &str, note: &str| {
        modal_submit(&form_id, &[("pain", pain), ("where", area), ("note", note)]).by(Invoker::athlete()).build()
    };
    let (t, eph) = ask(&sim, submit("11", "", "")).await;
    assert!(eph && t.contains("0 (none) to 10") && t.contains("Nothing was saved"), "{t}");
    let (t, _) = ask(&sim, slash("progress").by(Invoker::athlete()).build()).await;
    assert!(!t.contains("Check-ins"), "{t}");

    // A calm one: saved, nothing sent to the coaches.
    let (t, eph) = ask(&sim, submit("2", "Hamstring", "")).await;
    assert!(eph && t.contains("pain 2/10, hamstrings"), "{t}");
    // A red flag (tingling) replaces it and reaches the coaches channel once.
    let (t, eph) = ask(&sim, submit("4", "back of the knee", "some tingling down the leg")).await;
    assert!(eph && t.contains("tingling") && t.contains("coaches have been told") && t.contains("Stop at once"), "{t}");
    let alert = sim
        .wait_for_message(OTHER_CHANNEL_ID, |m| m["content"].as_str().unwrap_or("").contains("red flag"), ANSWER)
        .await;
    let alert = alert["content"].as_str().unwrap().to_string();
    assert!(
        alert.contains(&ATHLETE_ID.to_string()) && alert.contains("Knuckle") && alert.contains("Stop signs"),
        "{alert}"
    );
    assert_eq!(sim.channel_messages(OTHER_CHANNEL_ID).len(), 1);
    assert!(
        sim.channel_messages(CHANNEL_ID).iter().all(|m| !m.to_string().contains("tingling")),
        "not in the team's channel"
    );

    // The athlete's trend; the coaches' report lists the red flag.
    let (t, _) = ask(&sim, slash("progress").by(Invoker::athlete()).build()).await;
    assert!(t.contains("Check-ins") && t.contains("Pain after the last 1: 4") && t.contains("1 red flag"), "{t}");
    let (t, _) = ask(&sim, slash("team").subcommand("report").by(Invoker::coach()).build()).await;
    assert!(t.contains("Check-in red flags") && t.contains("pain 4/10, back of the knee"), "{t}");
    let (t, _) = ask(&sim, slash("me").subcommand("export").by(Invoker::athlete()).build()).await;
    assert!(t.contains("1 check-in") && t.contains("1 look by coaches"), "the report was a look: {t}");
    sim.assert_no_violations();
}

/// Removed from the server (GUILD_DELETE without `unavailable`): its data is
/// marked for deletion after the grace period; the server coming back
/// (GUILD_CREATE) keeps it. An outage (`unavailable: true`) marks nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_a_server_starts_its_grace_period_and_returning_ends_it() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let mut bot = boot(&sim, &files, &[("HOLDFAST_DEPARTED_GRACE_DAYS", "14")]).await;
    let log_has = |bot: &holdfast_sim::bot::Bot, text: &str| {
        let log = bot.log_text();
        // Without the terminal colours.
        let plain: String =
            log.split('\u{1b}').map(|part| part.split_once('m').map_or(part, |(_, rest)| rest)).collect();
        plain.contains(text)
    };
    sim.dispatch("GUILD_DELETE", serde_json::json!({"id": GUILD_ID.to_string(), "unavailable": true}));
    // An interaction after it has been handled proves the event was read.
    ask(&sim, slash("help").build()).await;
    assert!(!log_has(&bot, "removed from a server"), "an outage is not a removal");
    sim.dispatch("GUILD_DELETE", serde_json::json!({"id": GUILD_ID.to_string()}));
    let deadline = std::time::Instant::now() + ANSWER;
    while !log_has(&bot, "removed from a server") && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(log_has(&bot, "removed from a server") && log_has(&bot, "grace_days=14"), "{}", bot.log_text());
    // A new gateway session (not a resume) brings GUILD_CREATE again.
    sim.invalidate_session(false);
    let deadline = std::time::Instant::now() + PHASE;
    while !log_has(&bot, "back in a server") && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(log_has(&bot, "back in a server"), "{}", bot.log_text());
    bot.stop();
}
