//! End-to-end benchmark of the real bot against the Discord simulator:
//! interaction latency (dispatch → callback) with 20 in flight, and cue
//! lateness (due instant → message received). Run: `cargo bench --bench e2e`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;
use holdfast_sim::bot::{Bot, BotFiles};
use holdfast_sim::{slash, Invoker, Simulator, CHANNEL_ID, GUILD_ID, OTHER_CHANNEL_ID};
use serde_json::Value;

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{name:<28} n={:<5} p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        ms.len(),
        pct(&ms, 0.5),
        pct(&ms, 0.99),
        ms[ms.len() - 1]
    );
}

async fn latency(sim: &Simulator, make: impl Fn() -> Value, rounds: usize) -> Vec<f64> {
    let mut out = Vec::new();
    for _ in 0..rounds {
        let handles = join_all((0..20).map(|_| sim.send_interaction(make()))).await;
        for h in &handles {
            sim.wait_response(h, Duration::from_secs(10)).await;
            out.push(h.latency().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0));
        }
    }
    out
}

/// `<t:UNIX:R>` in a cue → UNIX.
fn ends_at(content: &str) -> Option<i64> {
    let start = content.find("<t:")? + 3;
    let rest = &content[start..];
    rest[..rest.find(':')?].parse().ok()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let _bot = Bot::start(&sim.base_url(), GUILD_ID, &files, &[("RUST_LOG", "warn")]);
    sim.wait_ready_within(Duration::from_secs(30)).await;
    sim.wait_for_commands(Duration::from_secs(30)).await;

    // Warm-up.
    latency(&sim, || slash("help").by(Invoker::athlete()).build(), 2).await;
    let rounds = 25;
    report(
        "/exercise (20 in flight)",
        latency(
            &sim,
            || slash("exercise").string("name", "psoas-smash").string("section", "all").by(Invoker::athlete()).build(),
            rounds,
        )
        .await,
    );
    report(
        "/ask (20 in flight)",
        latency(
            &sim,
            || slash("ask").string("question", "how long should i hold the hammy smash").by(Invoker::athlete()).build(),
            rounds,
        )
        .await,
    );
    report(
        "/progress (20 in flight)",
        latency(&sim, || slash("progress").by(Invoker::athlete()).build(), rounds).await,
    );

    // Cue lateness: sessions in two channels, twice; a Hold cue is due when
    // its countdown starts (ends_at − hold), the others at their own start.
    let wall = |at: Instant| {
        let now_wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64() * 1000.0;
        now_wall - at.elapsed().as_secs_f64() * 1000.0
    };
    let mut lateness = Vec::new();
    for _ in 0..2 {
        let before = sim.requests().len();
        for channel in [CHANNEL_ID, OTHER_CHANNEL_ID] {
            let h = sim
                .send_interaction(
                    slash("session")
                        .subcommand("start")
                        .string("routine", "e2e-quick")
                        .integer("hold", 5)
                        .integer("rounds", 3)
                        .integer("start_in", 1)
                        .by(Invoker::athlete().in_channel(channel))
                        .build(),
                )
                .await;
            sim.wait_response(&h, Duration::from_secs(10)).await;
        }
        for channel in [CHANNEL_ID, OTHER_CHANNEL_ID] {
            sim.wait_for_message(
                channel,
                |m| m["content"].as_str().is_some_and(|c| c.contains("Session complete")),
                Duration::from_secs(90),
            )
            .await;
        }
        for r in sim.requests().into_iter().skip(before) {
            if !r.is("POST", "/channels/*/messages") || r.status != 200 {
                continue;
            }
            let content = r.body.as_ref().and_then(|b| b["content"].as_str()).unwrap_or_default().to_string();
            let Some(end) = ends_at(&content) else { continue };
            let secs = if content.contains("**Hold:") {
                5
            } else if content.contains("Get in position") {
                10
            } else {
                continue;
            };
            let due_ms = (end - secs) as f64 * 1000.0;
            lateness.push(wall(r.at) - due_ms);
        }
    }
    report("cue lateness (end to end)", lateness);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}
