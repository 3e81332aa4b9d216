//! Pacing under load: 300 sessions in 300 channels change phase in the same
//! second, against a simulator that enforces Discord's global 50 requests
//! per second and each channel's 5 messages per 5 s, reporting its buckets
//! in `X-RateLimit-*` headers. Every cue is posted (or dropped on purpose as
//! stale), none twice, and Discord never has to answer 429.

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

const SESSIONS: u64 = 300;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_sessions_changing_phase_at_once_draw_no_429() {
    let sim = Simulator::start().await;
    let dir = tempfile::tempdir().unwrap();
    let pool = store::connect(&format!("sqlite://{}", dir.path().join("h.db").display())).await.unwrap();
    let content = load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap();
    let (outbound, mut sent) = Outbound::with_events(&sim.base_url(), Token::new(TOKEN));
    let sink = Arc::new(DiscordSink { outbound: outbound.clone(), content: Arc::new(content) });
    // The sessions' clock starts at the real time, so cue expiries are real.
    let clock = Arc::new(ManualClock::at(store::now_ms()));
    let runner = Runner::new(pool.clone(), Arc::new(clock.clone()), sink, || {});
    let mut deadline = 0;
    for channel in LOAD_CHANNELS.start..LOAD_CHANNELS.start + SESSIONS {
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
    // Every lobby ends in the same second: 300 "get ready" cues at once.
    clock.set(deadline);
    runner.tick().await;
    runner.flush().await;
    assert!(outbound.drain(Duration::from_secs(60)).await, "the queue empties");

    let (mut ok, mut dropped, mut limited) = (0, 0, 0);
    while let Ok(event) = sent.try_recv() {
        match event {
            Sent::Ok { .. } => ok += 1,
            Sent::Dropped { .. } => dropped += 1,
            Sent::RateLimited { .. } => limited += 1,
            Sent::Failed { status, .. } => panic!("a post failed with {status}"),
        }
    }
    assert_eq!(limited, 0, "Discord answered 429");
    assert_eq!(ok + dropped, SESSIONS, "every cue posted or dropped on purpose");
    let posts = sim.requests_to("POST", "/channels/*/messages");
    assert!(posts.iter().all(|r| r.status == 200), "no 429s: {:?}", posts.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(posts.len() as u64, ok, "each cue once");
    sim.assert_no_violations();
}

/// A burst in one channel follows the bucket Discord reports (5 per 5 s)
/// instead of bouncing off it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_in_one_channel_waits_for_its_bucket_instead_of_drawing_429s() {
    let sim = Simulator::start().await;
    let (outbound, mut sent) = Outbound::with_events(&sim.base_url(), Token::new(TOKEN));
    let channel = LOAD_CHANNELS.start;
    for i in 0..8 {
        outbound.send(
            channel,
            serde_json::json!({ "content": format!("post {i}") }),
            holdfast::discord::outbound::Priority::Post,
        );
    }
    assert!(outbound.drain(Duration::from_secs(20)).await);
    let mut ok = 0;
    while let Ok(event) = sent.try_recv() {
        assert!(matches!(event, Sent::Ok { .. }), "{event:?}");
        ok += 1;
    }
    assert_eq!(ok, 8);
    let posts = sim.requests_to("POST", "/channels/*/messages");
    assert!(posts.iter().all(|r| r.status == 200), "{:?}", posts.iter().map(|r| r.status).collect::<Vec<_>>());
    // In order, and the sixth only after the first five's window ended.
    let texts: Vec<String> =
        sim.channel_messages(channel).iter().map(|m| m["content"].as_str().unwrap().to_owned()).collect();
    assert_eq!(texts, (0..8).map(|i| format!("post {i}")).collect::<Vec<_>>());
    assert!(posts[5].at.duration_since(posts[0].at) >= Duration::from_millis(4_900));
    sim.assert_no_violations();
}
