//! The database stops taking writes mid-session: another connection holds
//! it locked past the busy timeout (what a backup tool, a full disk or a
//! read-only remount look like to the bot). Cues keep coming, a write a user
//! asks for gets the clear "can't save right now", reads keep working,
//! nothing already stored is lost, and once the database is free again the
//! progress held back meanwhile is stored.

use std::sync::Arc;
use std::time::Duration;

use holdfast::config::Token;
use holdfast::content::load_dir;
use holdfast::discord::error::{answer, Answer};
use holdfast::discord::outbound::Outbound;
use holdfast::discord::DiscordSink;
use holdfast::session::clock::ManualClock;
use holdfast::session::engine::{Plan, PlanStep};
use holdfast::session::runner::{Runner, StartSpec};
use holdfast::store;
use holdfast_sim::bot::TOKEN;
use holdfast_sim::{Simulator, CHANNEL_ID, GUILD_ID};
use sqlx::Connection;

const HOST: u64 = 284_736_190_558_212_097;

fn title(m: &serde_json::Value) -> String {
    m["content"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_database_mid_session_silences_no_cue_and_loses_nothing() {
    let sim = Simulator::start().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    let pool = store::connect(&url).await.unwrap();
    let content = load_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap();
    let outbound = Outbound::new(&sim.base_url(), Token::new(TOKEN));
    let sink = Arc::new(DiscordSink { outbound: outbound.clone(), content: Arc::new(content) });
    let clock = Arc::new(ManualClock::at(store::now_ms()));
    let runner = Runner::new(pool.clone(), Arc::new(clock.clone()), sink, || {});
    let plan = Plan {
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
    };
    let spec = StartSpec {
        guild_id: GUILD_ID,
        channel_id: CHANNEL_ID,
        host: HOST,
        plan,
        start_in_secs: 5,
        host_limits: Vec::new(),
    };
    let id = runner.start(spec).await.unwrap().id;
    // The lobby ends: Get ready, stored as usual.
    clock.set(runner.view(id).await.unwrap().deadline_ms.unwrap());
    runner.tick().await;
    runner.flush().await;
    sim.wait_for_message(CHANNEL_ID, |m| title(m).contains("Get in position"), Duration::from_secs(5)).await;

    // Another connection takes the write lock and keeps it.
    let mut locker = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut locker).await.unwrap();

    // The hold starts; meanwhile a coach changes a setting.
    clock.set(runner.view(id).await.unwrap().deadline_ms.unwrap());
    let ((), setting) =
        tokio::join!(runner.tick(), store::guilds::set_coach_role(&pool, store::db_id(GUILD_ID), Some(5)));
    let err = setting.unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
    assert_eq!(answer(&anyhow::Error::new(err)), Answer::Unavailable, "the user reads: can't save right now");
    // The cue is not held up by the database.
    sim.wait_for_message(CHANNEL_ID, |m| title(m).contains("**Hold:"), Duration::from_secs(10)).await;
    // Reads still work.
    assert_eq!(store::sessions::get_session(&pool, id).await.unwrap().id, id);

    // The hold ends, still locked: the summary goes out; the credit waits.
    clock.set(runner.view(id).await.unwrap().deadline_ms.unwrap());
    runner.tick().await;
    runner.flush().await;
    sim.wait_for_message(CHANNEL_ID, |m| title(m).contains("Session complete"), Duration::from_secs(10)).await;

    // The database is free again: what was held back is stored.
    sqlx::query("COMMIT").execute(&mut locker).await.unwrap();
    drop(locker);
    let mut stored = (0, String::new());
    for _ in 0..100 {
        let row = store::sessions::get_session(&pool, id).await.unwrap();
        let (holds,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM hold_credits").fetch_one(&pool).await.unwrap();
        stored = (holds, row.state.as_str().to_owned());
        if stored == (1, "done".to_owned()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(stored, (1, "done".to_owned()), "the held-back credit and the end are stored");
    // The earlier, stored cue was not lost, and no cue went out twice.
    let posted: Vec<String> = sim.channel_messages(CHANNEL_ID).iter().map(title).collect();
    assert_eq!(posted.iter().filter(|t| t.contains("**Hold:")).count(), 1, "{posted:?}");
    assert_eq!(posted.iter().filter(|t| t.contains("Get in position")).count(), 1, "{posted:?}");
    sim.assert_no_violations();
}
