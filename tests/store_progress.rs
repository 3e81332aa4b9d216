//! Store: hold credits, personal progress, streaks and the team report.

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;
use holdfast::store::{self, progress, report, sessions, CreditRecord, NewSession, SessionState};
use sqlx::SqlitePool;

async fn db() -> (tempfile::TempDir, SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let pool = store::connect(&url).await.unwrap();
    (dir, pool)
}

/// A finished session in `guild` (credits need a session row).
async fn session(pool: &SqlitePool, guild: i64) -> i64 {
    let new = NewSession {
        guild_id: guild,
        channel_id: 100,
        host_id: 1,
        routine_id: "hips".into(),
        state: SessionState::Running,
        engine: None,
        deadline_ms: None,
    };
    let id = sessions::create_session(pool, &new, 0).await.unwrap();
    sessions::finish_session(pool, id, SessionState::Done, None, 1).await.unwrap();
    id
}

/// Unix ms of a local wall-clock time (the earlier one when ambiguous).
fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    tz.with_ymd_and_hms(y, m, d, h, min, 0).earliest().unwrap().timestamp_millis()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn credit(session_id: i64, user: i64, seq: i64, exercise: &str, secs: i64, at_ms: i64) -> CreditRecord {
    CreditRecord {
        session_id,
        user_id: user,
        phase_seq: seq,
        guild_id: 10,
        exercise_id: exercise.into(),
        side: None,
        seconds: secs,
        planned_seconds: None,
        at_ms,
    }
}

/// One 60 s hold per instant, each in its own session of guild 10.
async fn holds(pool: &SqlitePool, user: i64, times: &[i64]) {
    for &t in times {
        let s = session(pool, 10).await;
        store::progress::insert_credits(pool, &[credit(s, user, 1, "couch", 60, t)]).await.unwrap();
    }
}

#[tokio::test]
async fn credits_are_idempotent_under_replay() {
    let (_dir, pool) = db().await;
    let s = session(&pool, 10).await;
    let batch: Vec<CreditRecord> = (0..10).map(|i| credit(s, 7, i, "couch", 30, 1_000 + i)).collect();
    assert_eq!(progress::insert_credits(&pool, &batch).await.unwrap(), 10);
    // A crash and restart replays the same credits: nothing new.
    assert_eq!(progress::insert_credits(&pool, &batch).await.unwrap(), 0);
    // A replay overlapping new phases adds only the new ones, even if the
    // replayed values differ.
    let overlap: Vec<CreditRecord> = (5..15).map(|i| credit(s, 7, i, "pigeon", 99, 2_000 + i)).collect();
    assert_eq!(progress::insert_credits(&pool, &overlap).await.unwrap(), 5);
    assert_eq!(progress::insert_credits(&pool, &[]).await.unwrap(), 0);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM hold_credits").fetch_one(&pool).await.unwrap();
    assert_eq!(rows, 15);
    let p = progress::user_progress(&pool, 7, None, Tz::UTC, 30, 10_000).await.unwrap();
    assert_eq!((p.holds, p.total_secs, p.sessions), (15, 10 * 30 + 5 * 99, 1));
    // A credit for a session that does not exist is refused.
    assert!(progress::insert_credits(&pool, &[credit(999, 7, 1, "x", 1, 1)]).await.is_err());
}

#[tokio::test]
async fn progress_window_exercises_and_last7() {
    let (_dir, pool) = db().await;
    let tz = Tz::Europe__Berlin;
    let now = at(tz, 2024, 6, 20, 12, 0);
    let s1 = session(&pool, 10).await;
    let s2 = session(&pool, 10).await;
    let old = session(&pool, 10).await;
    let other_guild = session(&pool, 11).await;
    let mut c = vec![
        credit(s1, 7, 1, "couch", 60, at(tz, 2024, 6, 20, 8, 0)),
        credit(s1, 7, 2, "pigeon", 90, at(tz, 2024, 6, 20, 8, 2)),
        credit(s2, 7, 1, "couch", 45, at(tz, 2024, 6, 14, 0, 10)),
        credit(old, 7, 1, "couch", 500, at(tz, 2024, 6, 13, 23, 50)), // just outside 7 days
        credit(s1, 8, 1, "couch", 60, at(tz, 2024, 6, 20, 8, 0)),     // someone else
    ];
    let mut foreign = credit(other_guild, 7, 1, "frog", 30, at(tz, 2024, 6, 19, 9, 0));
    foreign.guild_id = 11;
    c.push(foreign);
    progress::insert_credits(&pool, &c).await.unwrap();

    let p = progress::user_progress(&pool, 7, Some(10), tz, 7, now).await.unwrap();
    assert_eq!((p.days, p.sessions, p.holds, p.total_secs), (7, 2, 3, 195));
    let ex: Vec<(&str, i64, i64)> = p.per_exercise.iter().map(|e| (e.exercise_id.as_str(), e.secs, e.holds)).collect();
    assert_eq!(ex, vec![("couch", 105, 2), ("pigeon", 90, 1)]);
    let expect: Vec<(NaiveDate, i64)> = (14..=20)
        .map(|d| {
            (
                date(2024, 6, d),
                match d {
                    14 => 45,
                    20 => 150,
                    _ => 0,
                },
            )
        })
        .collect();
    assert_eq!(p.last7, expect);
    assert_eq!((p.current_streak, p.best_streak), (1, 2)); // 13th + 14th
    assert_eq!(p.last_active_ms, Some(at(tz, 2024, 6, 20, 8, 2)));

    // Without a guild filter the other server's hold counts too.
    let all = progress::user_progress(&pool, 7, None, tz, 7, now).await.unwrap();
    assert_eq!((all.sessions, all.holds, all.total_secs), (3, 4, 225));
    assert_eq!((all.current_streak, all.best_streak), (2, 2)); // 19th + 20th

    // A user with nothing.
    let none = progress::user_progress(&pool, 99, None, tz, 30, now).await.unwrap();
    assert_eq!((none.sessions, none.total_secs, none.current_streak, none.best_streak), (0, 0, 0, 0));
    assert_eq!(none.last7.len(), 7);
    assert!(none.per_exercise.is_empty() && none.last_active_ms.is_none());
}

#[tokio::test]
async fn streak_across_dst_spring_forward_and_fall_back() {
    let (_dir, pool) = db().await;
    let ny = Tz::America__New_York;
    // 2024-03-10: clocks jump 02:00 -> 03:00 (a 23 h day). One late-evening
    // hold each day from March 5 to 15, and an early one on the 10th.
    let mut t: Vec<i64> = (5..=15).map(|d| at(ny, 2024, 3, d, 23, 30)).collect();
    t.push(at(ny, 2024, 3, 10, 0, 15));
    holds(&pool, 7, &t).await;
    let now = at(ny, 2024, 3, 15, 23, 45);
    let p = progress::user_progress(&pool, 7, None, ny, 30, now).await.unwrap();
    assert_eq!((p.current_streak, p.best_streak), (11, 11));
    assert_eq!(p.last7.iter().find(|(d, _)| *d == date(2024, 3, 10)).unwrap().1, 120);

    // 2024-11-03: clocks fall back 02:00 -> 01:00 (a 25 h day). Holds at
    // 00:30, both 01:30s and 23:30 of the 3rd are one day, not two.
    let u = 8;
    let mut t = vec![
        at(ny, 2024, 11, 2, 12, 0),
        at(ny, 2024, 11, 3, 0, 30),
        at(ny, 2024, 11, 3, 23, 30),
        at(ny, 2024, 11, 4, 7, 0),
    ];
    let first_0130 = at(ny, 2024, 11, 3, 1, 30);
    t.push(first_0130);
    t.push(first_0130 + 3_600_000); // the second 01:30
    holds(&pool, u, &t).await;
    let now = at(ny, 2024, 11, 4, 20, 0);
    let p = progress::user_progress(&pool, u, None, ny, 7, now).await.unwrap();
    assert_eq!((p.current_streak, p.best_streak), (3, 3));
    let active: Vec<NaiveDate> = p.last7.iter().filter(|(_, s)| *s > 0).map(|(d, _)| *d).collect();
    assert_eq!(active, vec![date(2024, 11, 2), date(2024, 11, 3), date(2024, 11, 4)]);
    // The 25 h day counts all its holds in its own window.
    let (start, end) = progress::window_bounds(ny, 1, at(ny, 2024, 11, 3, 12, 0));
    assert_eq!(end - start, 25 * 3_600_000);
}

#[tokio::test]
async fn streaks_depend_on_the_users_timezone() {
    let (_dir, pool) = db().await;
    // 23:00 UTC on June 1 and 01:00 UTC on June 3: two days apart in UTC,
    // but consecutive days in New York (June 1 19:00, June 2 21:00) and in
    // Auckland (June 2 11:00, June 3 13:00).
    let utc = Tz::UTC;
    let t = [at(utc, 2024, 6, 1, 23, 0), at(utc, 2024, 6, 3, 1, 0)];
    holds(&pool, 7, &t).await;
    let now = at(utc, 2024, 6, 3, 2, 0);
    let in_utc = progress::user_progress(&pool, 7, None, utc, 7, now).await.unwrap();
    assert_eq!((in_utc.current_streak, in_utc.best_streak), (1, 1));
    let in_ny = progress::user_progress(&pool, 7, None, Tz::America__New_York, 7, now).await.unwrap();
    assert_eq!((in_ny.current_streak, in_ny.best_streak), (2, 2));
    let in_akl = progress::user_progress(&pool, 7, None, Tz::Pacific__Auckland, 7, now).await.unwrap();
    assert_eq!((in_akl.current_streak, in_akl.best_streak), (2, 2));
    // Kathmandu (UTC+5:45): 04:45 on June 2 and 06:45 on June 3.
    let in_ktm = progress::user_progress(&pool, 7, None, Tz::Asia__Kathmandu, 7, now).await.unwrap();
    assert_eq!(in_ktm.best_streak, 2);
    // A day later in New York the streak still counts (yesterday); two days
    // later it is broken, but the best stays.
    let later = at(utc, 2024, 6, 3, 12, 0);
    let p = progress::user_progress(&pool, 7, None, Tz::America__New_York, 7, later).await.unwrap();
    assert_eq!((p.current_streak, p.best_streak), (2, 2));
    let p = progress::user_progress(&pool, 7, None, Tz::America__New_York, 7, later + 86_400_000).await.unwrap();
    assert_eq!((p.current_streak, p.best_streak), (0, 2));
}

#[test]
fn streak_rules() {
    let d = |day| date(2024, 1, day);
    assert_eq!(progress::streaks(&[], d(10)), (0, 0));
    assert_eq!(progress::streaks(&[d(9), d(3), d(8), d(9), d(2), d(4)], d(10)), (2, 3));
    assert_eq!(progress::streaks(&[d(10)], d(10)), (1, 1));
    assert_eq!(progress::streaks(&[d(7)], d(10)), (0, 1));
    // Across a month and a year boundary.
    assert_eq!(progress::streaks(&[date(2023, 12, 31), d(1)], d(1)), (2, 2));
}

#[test]
fn day_start_when_midnight_does_not_exist() {
    // Chile springs forward at 24:00 -> 01:00 on 2024-09-08.
    let tz = Tz::America__Santiago;
    let start = progress::local_day_start_ms(tz, date(2024, 9, 8));
    assert_eq!(start, at(Tz::UTC, 2024, 9, 8, 4, 0));
    assert_eq!(progress::local_date(tz, start), date(2024, 9, 8));
    assert_eq!(progress::local_date(tz, start - 1), date(2024, 9, 7));
}

#[tokio::test]
async fn team_report_lists_athletes_and_who_did_nothing() {
    let (_dir, pool) = db().await;
    let tz = Tz::UTC;
    let now = at(tz, 2024, 6, 20, 12, 0);
    let s1 = session(&pool, 10).await;
    let s2 = session(&pool, 10).await;
    let s3 = session(&pool, 11).await;
    let mut c = vec![
        credit(s1, 1, 1, "couch", 60, at(tz, 2024, 6, 19, 8, 0)),
        credit(s1, 1, 2, "couch", 60, at(tz, 2024, 6, 19, 8, 1)),
        credit(s2, 1, 1, "couch", 45, at(tz, 2024, 6, 20, 8, 0)),
        credit(s2, 2, 1, "couch", 300, at(tz, 2024, 6, 20, 8, 0)),
        credit(s1, 3, 1, "couch", 60, at(tz, 2024, 6, 1, 8, 0)), // before the window
    ];
    let mut elsewhere = credit(s3, 4, 1, "couch", 999, at(tz, 2024, 6, 20, 8, 0));
    elsewhere.guild_id = 11;
    c.push(elsewhere);
    progress::insert_credits(&pool, &c).await.unwrap();

    let r = report::team_report(&pool, 10, tz, 7, now, None).await.unwrap();
    let rows: Vec<(i64, i64, i64, i64)> = r.iter().map(|a| (a.user_id, a.sessions, a.holds, a.hold_secs)).collect();
    assert_eq!(rows, vec![(2, 1, 1, 300), (1, 2, 3, 165)]);
    assert_eq!(r[1].last_active_ms, Some(at(tz, 2024, 6, 20, 8, 0)));
    assert_eq!((r[0].hold_minutes(), r[1].hold_minutes()), (5, 3));

    // With a member list: exactly those, idle ones last with their last
    // activity in this server (user 4 was active only elsewhere).
    let r = report::team_report(&pool, 10, tz, 7, now, Some(&[1, 3, 4, 5, 3])).await.unwrap();
    let rows: Vec<(i64, i64, Option<i64>)> = r.iter().map(|a| (a.user_id, a.hold_secs, a.last_active_ms)).collect();
    assert_eq!(
        rows,
        vec![
            (1, 165, Some(at(tz, 2024, 6, 20, 8, 0))),
            (3, 0, Some(at(tz, 2024, 6, 1, 8, 0))),
            (4, 0, None),
            (5, 0, None),
        ]
    );
    assert!(r[1].is_inactive() && !r[0].is_inactive());
    assert!(report::team_report(&pool, 10, tz, 7, now, Some(&[])).await.unwrap().is_empty());
    // A 30-day window includes user 3.
    let r = report::team_report(&pool, 10, tz, 30, now, None).await.unwrap();
    assert_eq!(r.len(), 3);
}
