//! Random SIGKILLs of the real `holdfast run` during group sessions, each
//! followed by a restart, against the Discord simulator. Kills land in the
//! first 40 ms after a whole second, when phases change and their cues are
//! decided, stored and sent. Counts, over every
//! cue the bot decided (its outbox rows): posted, dropped as stale (a phase
//! that ended while the bot was down, replaced by what the session shows
//! now), lost (decided, never posted nor replaced) and doubled (one phase
//! posted twice). Run: `cargo bench --bench crash` (`HOLDFAST_KILLS`, default
//! 100).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use holdfast_sim::bot::{boot, Bot, BotFiles};
use holdfast_sim::{slash, Invoker, Simulator, CHANNEL_ID, GUILD_ID};

const ROUTINE: &str =
    "id = \"crash-long\"\nname = \"Crash test\"\npurpose = \"Several short holds, for crash tests.\"\n\n\
    [[step]]\nexercise = \"psoas-smash\"\n\n[[step]]\nexercise = \"knuckle-massage\"\nper_side = false\n\n\
    [[step]]\nexercise = \"hamstring-smash\"\n";

async fn start_session(sim: &Simulator) {
    let h = sim
        .send_interaction(
            slash("session")
                .subcommand("start")
                .string("routine", "crash-long")
                .integer("hold", 4)
                .integer("start_in", 0)
                .by(Invoker::athlete())
                .build(),
        )
        .await;
    sim.wait_response(&h, Duration::from_secs(10)).await;
}

fn completed(sim: &Simulator) -> usize {
    sim.channel_messages(CHANNEL_ID)
        .iter()
        .filter(|m| m["content"].as_str().is_some_and(|c| c.contains("Session complete")))
        .count()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let kills: u64 = std::env::var("HOLDFAST_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(100);
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    std::fs::write(files.content_dir().join("routines/crash-long.toml"), ROUTINE).unwrap();
    let mut bot = boot(&sim, &files, &[("RUST_LOG", "warn")]).await;
    start_session(&sim).await;
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let started = Instant::now();
    let mut sessions = 1;
    for kill in 0..kills {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        // Phases change on whole seconds: aim at the first 40 ms after one
        // (when a cue is being decided, stored and sent), a second or two on.
        let now_ms = u64::try_from(holdfast::store::now_ms()).unwrap();
        let target = (now_ms / 1000 + 1 + (seed >> 40) % 2) * 1000 + (seed >> 33) % 40;
        tokio::time::sleep(Duration::from_millis(target - now_ms)).await;
        bot.kill();
        bot = Bot::start(&sim.base_url(), GUILD_ID, &files, &[("RUST_LOG", "warn")]);
        let booted = Instant::now();
        while sim.identify_count() < kill + 2 {
            assert!(
                booted.elapsed() < Duration::from_secs(30),
                "restart {} did not connect; its log:\n{}",
                kill + 1,
                bot.log_text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Keep a session running: start the next once one completes.
        if completed(&sim) >= sessions {
            start_session(&sim).await;
            sessions += 1;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while completed(&sim) < sessions && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bot.stop();

    let pool = holdfast::store::connect(&files.db_url()).await.unwrap();
    let rows: Vec<(i64, Option<String>, String)> =
        sqlx::query_as("SELECT priority, outcome, body FROM outbox WHERE session_id IS NOT NULL")
            .fetch_all(&pool)
            .await
            .unwrap();
    let decided = rows.len();
    let count = |o: &str| rows.iter().filter(|r| r.1.as_deref() == Some(o)).count();
    let lost = rows.iter().filter(|r| r.1.is_none() || r.1.as_deref() == Some("refused")).count();
    // One phase twice: the same cue text (phase, side, end time) posted twice
    // in one session.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in sim.channel_messages(CHANNEL_ID) {
        let text = m["content"].as_str().unwrap_or_default().to_owned();
        // The nonce is `s{session}-{seq}`: the same text in another session is not a double.
        if let Some(session) = m["nonce"].as_str().and_then(|n| n.split('-').next()) {
            *seen.entry(format!("{session} {text}")).or_default() += 1;
        }
    }
    let doubled: usize = seen.values().map(|n| n.saturating_sub(1)).sum();
    println!(
        "{kills} SIGKILLs in {:.0} s over {sessions} sessions ({} completed): {decided} cues decided, {} posted, \
         {} dropped as stale, {lost} lost, {doubled} doubled; {} resends answered by the nonce",
        started.elapsed().as_secs_f64(),
        completed(&sim),
        count("sent"),
        count("stale"),
        sim.nonce_hits(),
    );
}
