//! The durable outbox, crashed at every step of the send path: a cue is
//! decided and stored with the state change that caused it (one
//! transaction), posted to Discord (the simulator), then marked done. A
//! process that dies before, between or after those steps and starts again
//! loses no cue and posts none twice; a cue whose phase ended meanwhile is
//! replaced by what the session shows now.
//!
//! A "process" here is a runner, an outbound queue and the task that marks
//! sent messages, over the same database file; a crash drops them without
//! any shutdown.

use std::sync::Arc;
use std::time::Duration;

use holdfast::config::Token;
use holdfast::content::load_dir;
use holdfast::discord::outbound::Outbound;
use holdfast::discord::{outbox_done, replay_outbox, DiscordSink, Replayed};
use holdfast::session::clock::ManualClock;
use holdfast::session::engine::{Plan, PlanStep};
use holdfast::session::runner::{Runner, StartSpec};
use holdfast::store;
use holdfast_sim::bot::TOKEN;
use holdfast_sim::{Simulator, CHANNEL_ID, GUILD_ID};
use serde_json::Value;

/// Nothing listens on the discard port: every post fails and is retried.
const UNREACHABLE: &str = "http://127.0.0.1:9";

fn plan() -> Plan {
    Plan {
        routine_id: "r".into(),
        routine_name: "Routine".into(),
        steps: vec![PlanStep {
            exercise_id: "psoas-smash".into(),
            exercise_name: "Psoas Smash".into(),
            hold_secs: 20,
            per_side: false,
            rounds: 1,
            rest_secs: 0,
        }],
    }
}

/// One life of the bot.
struct Process {
    runner: Runner,
    outbound: Outbound,
}

/// Starts a process posting to `base`; `marks` says whether it records what
/// Discord confirmed (a process that dies first never does).
fn process(base: &str, pool: &sqlx::SqlitePool, clock: &Arc<ManualClock>, marks: bool) -> Process {
    let content = load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap();
    let (outbound, mut sent) = Outbound::with_events(base, Token::new(TOKEN));
    let sink = Arc::new(DiscordSink { outbound: outbound.clone(), content: Arc::new(content) });
    let runner = Runner::new(pool.clone(), Arc::new(clock.clone()), sink, || {});
    let pool = pool.clone();
    tokio::spawn(async move {
        while let Some(event) = sent.recv().await {
            if marks {
                outbox_done(&pool, &event).await.unwrap();
            }
        }
    });
    Process { runner, outbound }
}

async fn db() -> (tempfile::TempDir, sqlx::SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let pool = store::connect(&format!("sqlite://{}", dir.path().join("h.db").display())).await.unwrap();
    (dir, pool)
}

/// The nonces of the messages the simulator created in the channel.
fn nonces(sim: &Simulator) -> Vec<String> {
    sim.channel_messages(CHANNEL_ID).iter().filter_map(|m| m["nonce"].as_str().map(str::to_owned)).collect()
}

fn seq_of(nonce: &str) -> u32 {
    nonce.rsplit('-').next().and_then(|s| s.parse().ok()).unwrap()
}

fn contents(sim: &Simulator) -> Vec<String> {
    sim.channel_messages(CHANNEL_ID)
        .iter()
        .map(|m: &Value| m["embeds"][0]["title"].as_str().or(m["content"].as_str()).unwrap_or_default().to_owned())
        .collect()
}

async fn settle(p: &Process) {
    p.runner.flush().await;
    assert!(p.outbound.drain(Duration::from_secs(10)).await, "the queue empties");
}

async fn pending(pool: &sqlx::SqlitePool) -> usize {
    store::outbox::pending(pool).await.unwrap().len()
}

/// Pending messages once the marking task has caught up (it runs after the
/// queue reports each message).
async fn pending_settled(pool: &sqlx::SqlitePool) -> usize {
    for _ in 0..200 {
        if pending(pool).await == 0 {
            return 0;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    pending(pool).await
}

/// Where the first process dies, around the first cue (Get ready, at the
/// end of the lobby).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Crash {
    /// Before the phase change is stored: nothing about it exists.
    BeforeCommit,
    /// Stored, but Discord never got it.
    AfterCommit,
    /// Discord has it, but the process died before marking it sent.
    AfterPost,
    /// Marked sent.
    AfterMark,
}

/// Runs the first process to the crash point, starts a second one (replay,
/// then restore, as `holdfast run` does) at `restart_at`, and returns what
/// the replay did.
async fn crash_and_restart(
    crash: Crash,
    restart_at: i64,
) -> (Simulator, Replayed, sqlx::SqlitePool, tempfile::TempDir) {
    let sim = Simulator::start().await;
    let (dir, pool) = db().await;
    let t0 = store::now_ms();
    let clock = Arc::new(ManualClock::at(t0));
    let base = if crash == Crash::AfterCommit { UNREACHABLE.to_owned() } else { sim.base_url() };
    let first = process(&base, &pool, &clock, crash == Crash::AfterMark);
    let spec = StartSpec {
        guild_id: GUILD_ID,
        channel_id: CHANNEL_ID,
        host: 7,
        plan: plan(),
        start_in_secs: 10,
        host_limits: Vec::new(),
    };
    let view = first.runner.start(spec).await.unwrap();
    let lobby_end = view.deadline_ms.unwrap();
    if crash != Crash::BeforeCommit {
        clock.set(lobby_end);
        first.runner.tick().await;
        first.runner.flush().await;
        let (stored,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox").fetch_one(&pool).await.unwrap();
        assert_eq!(stored, 1, "the cue is stored with the phase change");
    }
    match crash {
        Crash::BeforeCommit => assert_eq!(pending(&pool).await, 0),
        Crash::AfterCommit => {}
        Crash::AfterPost => {
            sim.wait_for_message(CHANNEL_ID, |_| true, Duration::from_secs(5)).await;
            assert_eq!(pending(&pool).await, 1, "posted but not marked");
        }
        Crash::AfterMark => {
            settle(&first).await;
            assert_eq!(pending_settled(&pool).await, 0, "marked sent");
        }
    }
    drop(first); // the crash: no flush, no drain

    clock.set(restart_at.max(lobby_end));
    let second = process(&sim.base_url(), &pool, &clock, true);
    let replayed = replay_outbox(&pool, &second.outbound, clock.now()).await.unwrap();
    second.runner.restore().await.unwrap();
    settle(&second).await;
    (sim, replayed, pool, dir)
}

trait Now {
    fn now(&self) -> i64;
}

impl Now for Arc<ManualClock> {
    fn now(&self) -> i64 {
        use holdfast::session::clock::Clock;
        self.now_ms()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_at_any_step_of_the_send_path_loses_no_cue_and_doubles_none() {
    for crash in [Crash::BeforeCommit, Crash::AfterCommit, Crash::AfterPost, Crash::AfterMark] {
        // Restarted while the Get ready phase is still on.
        let (sim, replayed, pool, _dir) = crash_and_restart(crash, 0).await;
        let nonces = nonces(&sim);
        let mut unique = nonces.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(nonces.len(), unique.len(), "{crash:?}: a cue posted twice: {nonces:?}");
        assert_eq!(nonces.len(), 1, "{crash:?}: exactly the Get ready cue, once: {:?}", contents(&sim));
        let expected = match crash {
            Crash::AfterCommit | Crash::AfterPost => Replayed { resent: 1, stale: 0 },
            Crash::BeforeCommit | Crash::AfterMark => Replayed::default(),
        };
        assert_eq!(replayed, expected, "{crash:?}");
        // A resend of a message Discord already had is answered with that
        // message (enforce_nonce), not a second one.
        assert_eq!(sim.nonce_hits(), u64::from(crash == Crash::AfterPost), "{crash:?}");
        assert_eq!(pending_settled(&pool).await, 0, "{crash:?}: everything is marked done");
        sim.assert_no_violations();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cue_whose_phase_ended_during_the_crash_is_replaced_by_the_current_one() {
    // Down for a minute: Get ready (and the hold's start) passed meanwhile.
    let restart_at = store::now_ms() + 10_000 + 60_000;
    let (sim, replayed, pool, _dir) = crash_and_restart(Crash::AfterCommit, restart_at).await;
    assert_eq!(replayed, Replayed { resent: 0, stale: 1 });
    let nonces = nonces(&sim);
    assert!(!nonces.iter().any(|n| seq_of(n) == 1), "the stale Get ready cue is not posted: {nonces:?}");
    assert!(!nonces.is_empty(), "the session shows where it is now: {:?}", contents(&sim));
    let mut unique = nonces.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(nonces.len(), unique.len(), "{nonces:?}");
    assert_eq!(pending_settled(&pool).await, 0);
    sim.assert_no_violations();
}
