//! Pacing under Discord's limits: sessions in separate channels change phase
//! in the same second, through the real runner, outbound queue and outbox,
//! against the simulator (global 50 requests/s, 5 messages per channel per
//! 5 s). Reports, per load: 429s, cues dropped, when the k-th cue went out
//! against the budget's own floor (k/50 s + 50 ms), and cue lateness.
//! Run: `cargo bench --bench pacing`.

use std::sync::Arc;
use std::time::Duration;

use holdfast::config::Token;
use holdfast::content::load_dir;
use holdfast::discord::outbound::{Outbound, Sent};
use holdfast::discord::DiscordSink;
use holdfast::session::clock::ManualClock;
use holdfast::session::engine::{Plan, PlanStep};
use holdfast::session::runner::{Runner, StartSpec};
use holdfast::store;
use holdfast_sim::bot::TOKEN;
use holdfast_sim::{Simulator, GUILD_ID, LOAD_CHANNELS};

fn plan() -> Plan {
    Plan {
        routine_id: "r".into(),
        routine_name: "Routine".into(),
        steps: vec![PlanStep {
            exercise_id: "psoas-smash".into(),
            exercise_name: "Psoas Smash".into(),
            hold_secs: 60,
            per_side: false,
            rounds: 1,
            rest_secs: 0,
        }],
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(sessions: u64) {
    let sim = Simulator::start().await;
    let dir = tempfile::tempdir().unwrap();
    let pool = store::connect(&format!("sqlite://{}", dir.path().join("h.db").display())).await.unwrap();
    let content = load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap();
    let (outbound, mut sent) = Outbound::with_events(&sim.base_url(), Token::new(TOKEN));
    let sink = Arc::new(DiscordSink { outbound: outbound.clone(), content: Arc::new(content) });
    let clock = Arc::new(ManualClock::at(store::now_ms()));
    let runner = Runner::new(pool.clone(), Arc::new(clock.clone()), sink, || {});
    let mut deadline = 0;
    for channel in LOAD_CHANNELS.start..LOAD_CHANNELS.start + sessions {
        let spec = StartSpec {
            guild_id: GUILD_ID,
            channel_id: channel,
            host: 7,
            plan: plan(),
            start_in_secs: 5,
            host_limits: Vec::new(),
        };
        deadline = runner.start(spec).await.unwrap().deadline_ms.unwrap();
    }
    // Let the budget's window of the starts pass, then every lobby ends at once.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    clock.set(deadline);
    runner.tick().await;
    runner.flush().await;
    assert!(outbound.drain(Duration::from_secs(120)).await);
    let (mut lateness, mut limited, mut dropped) = (Vec::new(), 0, 0);
    while let Ok(event) = sent.try_recv() {
        match event {
            Sent::Ok { queued_for, .. } => lateness.push(queued_for.as_secs_f64() * 1000.0),
            Sent::RateLimited { .. } => limited += 1,
            Sent::Dropped { .. } => dropped += 1,
            Sent::Failed { status, .. } => panic!("failed: {status}"),
        }
    }
    lateness.sort_by(f64::total_cmp);
    // The k-th cue (1-based) against k/50 s + 50 ms.
    let over_floor = lateness
        .iter()
        .enumerate()
        .map(|(i, ms)| ms - ((i as f64 + 1.0) / 50.0 * 1000.0 + 50.0))
        .fold(f64::NEG_INFINITY, f64::max);
    let late_k = lateness.iter().enumerate().filter(|(i, ms)| **ms > (*i as f64 + 1.0) / 50.0 * 1000.0 + 50.0).count();
    println!(
        "{sessions:>4} sessions: posted {:>4}, dropped {dropped}, 429s {limited}, k-th later than k/50 s + 50 ms: {late_k} \
         (worst margin {over_floor:+.1} ms); lateness p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lateness.len(),
        pct(&lateness, 0.5),
        pct(&lateness, 0.99),
        lateness[lateness.len() - 1],
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    for sessions in [40, 150, 300, 600] {
        run(sessions).await;
    }
}
