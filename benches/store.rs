//! Store benchmarks (plain binary): `cargo bench --bench store`.
//!
//! 1. Hold-credit writes per second, batched in transactions (goal ≥ 20,000/s).
//! 2. `user_progress` for a user with two years of daily history, among a
//!    team with the same history (goal: p99 < 5 ms).

use std::time::{Duration, Instant};

use chrono_tz::Tz;
use holdfast::store::{self, progress, report, sessions, CreditRecord, NewSession, SessionState};
use sqlx::SqlitePool;

const DAY_MS: i64 = 86_400_000;
const HOLDS_PER_SESSION: i64 = 6;

fn credit(session_id: i64, user: i64, seq: i64, at_ms: i64) -> CreditRecord {
    CreditRecord {
        session_id,
        user_id: user,
        phase_seq: seq,
        guild_id: 10,
        exercise_id: ["couch", "pigeon", "frog"][(seq % 3) as usize].to_owned(),
        side: if seq % 2 == 0 { Some("left".to_owned()) } else { None },
        seconds: 60,
        planned_seconds: None,
        at_ms,
    }
}

async fn new_session(pool: &SqlitePool, channel: i64) -> Result<i64, store::StoreError> {
    let new = NewSession {
        guild_id: 10,
        channel_id: channel,
        host_id: 1,
        routine_id: "hips".to_owned(),
        state: SessionState::Running,
        engine: None,
        deadline_ms: None,
    };
    let id = sessions::create_session(pool, &new, 0).await?;
    sessions::finish_session(pool, id, SessionState::Done, None, 0).await?;
    Ok(id)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn bench_writes(pool: &SqlitePool, batch: usize, total: usize) -> Result<f64, store::StoreError> {
    let s = new_session(pool, 1).await?;
    let credits: Vec<CreditRecord> = (0..total as i64).map(|i| credit(s, 1_000 + i % 50, i, i)).collect();
    let start = Instant::now();
    let mut new = 0;
    for chunk in credits.chunks(batch) {
        new += progress::insert_credits(pool, chunk).await?;
    }
    let rate = total as f64 / start.elapsed().as_secs_f64();
    assert_eq!(new as usize, total);
    Ok(rate)
}

async fn bench_progress(pool: &SqlitePool, team: i64, days: i64) -> Result<(), store::StoreError> {
    let tz = Tz::America__New_York;
    let now = chrono::Utc::now().timestamp_millis();
    let first = now - days * DAY_MS;
    let setup = Instant::now();
    for d in 0..days {
        let s = new_session(pool, 2).await?;
        let t = first + d * DAY_MS;
        let batch: Vec<CreditRecord> = (1..=team)
            .flat_map(|u| (0..HOLDS_PER_SESSION).map(move |k| credit(s, u, u * 100 + k, t + k * 90_000)))
            .collect();
        progress::insert_credits(pool, &batch).await?;
    }
    let rows = days * team * HOLDS_PER_SESSION;
    println!(
        "history: {team} athletes x {days} days x {HOLDS_PER_SESSION} holds = {rows} credits (setup {:.1} s)",
        setup.elapsed().as_secs_f64()
    );
    for window in [30u32, 365] {
        let mut times = Vec::new();
        for i in 0..2_000 {
            let user = 1 + i % team;
            let t = Instant::now();
            let p = progress::user_progress(pool, user, None, tz, window, now).await?;
            times.push(t.elapsed());
            assert!(p.best_streak >= days as u32 - 1, "streak {}", p.best_streak);
        }
        times.sort();
        println!(
            "user_progress ({window}-day window, streaks over {days} days): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
        );
    }
    let mut times = Vec::new();
    for _ in 0..500 {
        let t = Instant::now();
        report::team_report(pool, 10, tz, 7, now, None).await?;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "team_report ({team} athletes, 7 days): p50 {:.3} ms, p99 {:.3} ms",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let dir = tempfile::tempdir()?;
        for batch in [1usize, 25, 100, 1_000] {
            let url = format!("sqlite://{}", dir.path().join(format!("w{batch}.db")).display());
            let pool = store::connect(&url).await?;
            let rate = bench_writes(&pool, batch, 100_000).await?;
            println!("credit writes, {batch} per transaction: {rate:.0} credits/s (goal when batched: >= 20000/s)");
            pool.close().await;
        }
        let url = format!("sqlite://{}", dir.path().join("history.db").display());
        let pool = store::connect(&url).await?;
        bench_progress(&pool, 30, 730).await?;
        pool.close().await;
        Ok(())
    })
}
