//! End to end: the real `holdfast run` against the Discord simulator. It
//! registers its commands, answers every athlete command and autocomplete,
//! and refuses a non-coach, with every body valid for Discord.

use std::time::Duration;

use holdfast_sim::bot::{boot, Bot, BotFiles, TOKEN};
use holdfast_sim::*;
use serde_json::Value;

const ANSWER: Duration = Duration::from_secs(5);

async fn started() -> (Simulator, BotFiles, Bot) {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let bot = boot(&sim, &files, &[]).await;
    (sim, files, bot)
}

fn text_of(v: &Value) -> String {
    v.to_string()
}

fn is_ephemeral(response: &Value) -> bool {
    response["data"]["flags"].as_u64().is_some_and(|f| f & 64 != 0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_registered_and_athlete_commands_answer() {
    let (sim, _files, bot) = started().await;

    let commands = sim.registered_commands().expect("registered");
    let names: Vec<&str> = commands.as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
    for want in
        ["exercise", "safety", "ask", "routine", "session", "progress", "team", "remind", "settings", "me", "help"]
    {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }

    // /exercise with instructions always carries the restrictions.
    let h = sim
        .send_interaction(
            slash("exercise")
                .string("name", "psoas-smash")
                .string("section", "instructions")
                .by(Invoker::athlete())
                .build(),
        )
        .await;
    let r = sim.wait_response(&h, ANSWER).await;
    let t = text_of(&r);
    assert!(t.contains("Psoas Smash") && t.contains("Steps"), "{t}");
    assert!(t.contains("Do not do it if") && t.contains("hernia"), "restrictions are always there: {t}");
    assert!(!is_ephemeral(&r), "a team post is public");

    // private: true is ephemeral.
    let h = sim
        .send_interaction(
            slash("exercise").string("name", "hammy smash").boolean("private", true).by(Invoker::athlete()).build(),
        )
        .await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert!(is_ephemeral(&r));

    // An unknown exercise is a clear, ephemeral answer.
    let h = sim.send_interaction(slash("exercise").string("name", "bench press").by(Invoker::athlete()).build()).await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert!(is_ephemeral(&r) && text_of(&r).contains("don't know an exercise"), "{r}");

    // /safety
    let h =
        sim.send_interaction(slash("safety").string("name", "spiky-ball-release").by(Invoker::athlete()).build()).await;
    let t = text_of(&sim.wait_response(&h, ANSWER).await);
    assert!(t.contains("Safety") && t.contains("Stop signs"), "{t}");

    // /ask answers with its source; an off-topic question is honest.
    let h = sim
        .send_interaction(
            slash("ask").string("question", "how long do i hold the psoas smash?").by(Invoker::athlete()).build(),
        )
        .await;
    let t = text_of(&sim.wait_response(&h, ANSWER).await);
    assert!(t.contains("Psoas Smash") && t.contains("minutes"), "{t}");
    // ... and an answer that says how to do it carries the exercise's safety.
    assert!(t.contains("Do not do it if") && t.contains("hernia") && t.contains("Stop signs"), "{t}");

    // A condition the content does not list gets a safety answer, never a benefit one.
    let h = sim
        .send_interaction(
            slash("ask").string("question", "is the psoas smash ok if i have asthma").by(Invoker::athlete()).build(),
        )
        .await;
    let t = text_of(&sim.wait_response(&h, ANSWER).await);
    assert!(t.contains("do not mention asthma") && t.contains("hernia") && t.contains("professional"), "{t}");
    let h = sim
        .send_interaction(slash("ask").string("question", "who won the game last night").by(Invoker::athlete()).build())
        .await;
    let t = text_of(&sim.wait_response(&h, ANSWER).await);
    assert!(t.contains("don't know"), "{t}");

    // Autocomplete: names, aliases, muscles; at most 25.
    let h = sim.send_interaction(autocomplete("exercise").focused("name", "hip").by(Invoker::athlete()).build()).await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert_eq!(r["type"], 8);
    let choices = r["data"]["choices"].as_array().unwrap();
    assert!(choices.iter().any(|c| c["value"] == "psoas-smash"), "{r}");
    let h = sim.send_interaction(autocomplete("exercise").focused("name", "").by(Invoker::athlete()).build()).await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert!(r["data"]["choices"].as_array().unwrap().len() <= 25);

    // /routine list and show; /help.
    for payload in [
        slash("routine").subcommand("list").by(Invoker::athlete()).build(),
        slash("routine").subcommand("show").string("name", "post-run-hamstrings").by(Invoker::athlete()).build(),
        slash("help").by(Invoker::athlete()).build(),
    ] {
        let h = sim.send_interaction(payload).await;
        let r = sim.wait_response(&h, ANSWER).await;
        assert!(is_ephemeral(&r), "{r}");
    }

    // A non-coach cannot post a routine; a coach can.
    let h = sim
        .send_interaction(
            slash("routine").subcommand("post").string("name", "post-run-hamstrings").by(Invoker::athlete()).build(),
        )
        .await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert!(is_ephemeral(&r) && text_of(&r).contains("Only coaches"), "{r}");
    let h = sim
        .send_interaction(
            slash("routine").subcommand("post").string("name", "post-run-hamstrings").by(Invoker::admin()).build(),
        )
        .await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert!(!is_ephemeral(&r) && text_of(&r).contains("Start session"), "{r}");

    // Stale or foreign buttons get an ephemeral explanation.
    let (t, eph) = press(&sim, "hf:s:999:join", Invoker::athlete()).await;
    assert!(eph && t.contains("This session has ended"), "{t}");
    let (t, eph) = press(&sim, "hf:x:1", Invoker::athlete()).await;
    assert!(eph && t.contains("not mine"), "{t}");
    let (t, eph) = press(&sim, "hf:a:psoas-smash:hold-time", Invoker::athlete()).await;
    assert!(eph && t.contains("1 to 2 minutes"), "a did-you-mean answer: {t}");

    sim.assert_no_violations();
    assert!(!bot.log_text().contains(TOKEN), "the token never appears in the log");

    // SIGTERM: a clean, quick shutdown.
    let mut bot = bot;
    let status = bot.stop().expect("it was running");
    assert!(status.success(), "{status:?}\n{}", bot.log_text());
    assert!(bot.log_text().contains("stopped"), "{}", bot.log_text());
}

async fn press(sim: &Simulator, custom_id: &str, who: Invoker) -> (String, bool) {
    let h = sim.send_interaction(button(custom_id).by(who).build()).await;
    let r = sim.wait_response(&h, ANSWER).await;
    (r.to_string(), is_ephemeral(&r))
}

/// `/me export` sends the athlete a JSON file of what is stored about them,
/// privately.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_export_sends_a_private_json_file() {
    let (sim, _files, _bot) = started().await;
    let h = sim.send_interaction(slash("me").subcommand("export").by(Invoker::athlete()).build()).await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert!(is_ephemeral(&r), "{r}");
    assert!(text_of(&r).contains("Everything Holdfast stores about you"), "{r}");
    let attachments = r["data"]["attachments"].as_array().cloned().unwrap_or_default();
    assert!(attachments.iter().any(|a| a["filename"] == "holdfast-export.json"), "{r}");
    // The request is recorded just after its answer is: look again briefly.
    let mut multipart = false;
    for _ in 0..100 {
        multipart = sim.requests_to("POST", "/interactions/*/*/callback").iter().any(|u| u.multipart);
        if multipart {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(multipart, "the file is uploaded as multipart");
    sim.assert_no_violations();
}
