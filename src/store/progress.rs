//! Hold credits and personal progress.
//!
//! A credit is one hold done by one user in one phase of a session. The
//! primary key (session, user, phase) makes [`insert_credits`] idempotent: a
//! replay after a crash inserts nothing twice.
//!
//! Days are counted in the user's timezone: a day starts at local midnight,
//! and a DST change neither breaks nor doubles a day, because activity is
//! mapped to local calendar dates before streaks are counted.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sqlx::{FromRow, SqliteConnection, SqlitePool};

use super::Result;

/// One credited hold, as the session runner hands it to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRecord {
    /// The session it was done in.
    pub session_id: i64,
    /// Who is credited.
    pub user_id: i64,
    /// The phase's sequence number within the session (unique per session).
    pub phase_seq: i64,
    /// The server the session ran in.
    pub guild_id: i64,
    /// The exercise held.
    pub exercise_id: String,
    /// The side (`left`, `right`, ...) when the exercise has sides.
    pub side: Option<String>,
    /// Seconds held.
    pub seconds: i64,
    /// What the group held, when the athlete's restriction made `seconds`
    /// less (modified work, not missed work).
    pub planned_seconds: Option<i64>,
    /// When the hold ended (Unix ms).
    pub at_ms: i64,
}

/// Time and holds on one exercise within the window.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ExerciseTotal {
    /// The exercise.
    pub exercise_id: String,
    /// Seconds held.
    pub secs: i64,
    /// Number of holds.
    pub holds: i64,
}

/// One user's progress over a window of days, plus streaks over all history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The window's length in days (today included).
    pub days: u32,
    /// Sessions with at least one credited hold in the window.
    pub sessions: i64,
    /// Holds in the window.
    pub holds: i64,
    /// Seconds held in the window.
    pub total_secs: i64,
    /// Modified work in the window: holds a restriction shortened or sat
    /// out, and the seconds of the group's holds they did not hold.
    pub modified: Shortfall,
    /// Missed work in the window: seconds the group held in sessions the
    /// user joined while they were not there (joined late, left early).
    pub missed_secs: i64,
    /// Per exercise in the window, most time first.
    pub per_exercise: Vec<ExerciseTotal>,
    /// Seconds held on each of the last 7 local days, oldest first, today last.
    pub last7: Vec<(NaiveDate, i64)>,
    /// Consecutive active local days ending today or yesterday.
    pub current_streak: u32,
    /// The longest run of consecutive active local days ever.
    pub best_streak: u32,
    /// The latest credited hold (Unix ms), over all history.
    pub last_active_ms: Option<i64>,
}

/// Work done differently from the group because of a restriction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, FromRow)]
pub struct Shortfall {
    /// Holds (counting each side) done differently.
    pub holds: i64,
    /// Seconds of the group's holds not held.
    pub secs: i64,
}

/// Rows per multi-row INSERT (9 parameters each, far below SQLite's limit).
const INSERT_CHUNK: usize = 64;

/// Records credits in one transaction; credits already stored (same
/// session, user and phase) are ignored. Returns how many were new.
pub async fn insert_credits(pool: &SqlitePool, credits: &[CreditRecord]) -> Result<u64> {
    if credits.is_empty() {
        return Ok(0);
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let new = insert_credits_in(&mut tx, credits).await?;
    tx.commit().await?;
    Ok(new)
}

/// [`insert_credits`] inside the caller's transaction (or on one connection).
pub(crate) async fn insert_credits_in(conn: &mut SqliteConnection, credits: &[CreditRecord]) -> Result<u64> {
    let mut new = 0;
    // Multi-row statements: one round trip to SQLite's worker per chunk. Full
    // chunks share one cached prepared statement.
    for chunk in credits.chunks(INSERT_CHUNK) {
        let mut sql = String::from(
            "INSERT OR IGNORE INTO hold_credits
                 (session_id, user_id, phase_seq, guild_id, exercise_id, side, seconds, planned_seconds, at_ms)
             VALUES ",
        );
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "(?, ?, ?, ?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?, ?, ?, ?)" });
        }
        let mut query = sqlx::query(&sql);
        for c in chunk {
            query = query
                .bind(c.session_id)
                .bind(c.user_id)
                .bind(c.phase_seq)
                .bind(c.guild_id)
                .bind(&c.exercise_id)
                .bind(&c.side)
                .bind(c.seconds)
                .bind(c.planned_seconds)
                .bind(c.at_ms);
        }
        new += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(new)
}

/// The UTC instant (Unix ms) at which `date` starts in `tz`. When local
/// midnight does not exist (a DST gap at midnight), the day starts at the
/// first local time that does.
pub fn local_day_start_ms(tz: Tz, date: NaiveDate) -> i64 {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    for minutes in (0..=180).step_by(15) {
        if let Some(t) = tz.from_local_datetime(&(midnight + Duration::minutes(minutes))).earliest() {
            return t.timestamp_millis();
        }
    }
    // No zone has a gap over three hours; fall back to UTC midnight.
    midnight.and_utc().timestamp_millis()
}

/// The local date in `tz` of the instant `ms` (Unix ms).
pub fn local_date(tz: Tz, ms: i64) -> NaiveDate {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.with_timezone(&tz).date_naive(),
        None => NaiveDate::MIN,
    }
}

/// The window of the last `days` local days in `tz`, today included, as
/// `[start, end)` Unix ms: from the start of the first day to the start of
/// tomorrow. `days` is at least 1.
pub fn window_bounds(tz: Tz, days: u32, now_ms: i64) -> (i64, i64) {
    let today = local_date(tz, now_ms);
    let first = today - Duration::days(i64::from(days.max(1)) - 1);
    let tomorrow = today + Duration::days(1);
    (local_day_start_ms(tz, first), local_day_start_ms(tz, tomorrow))
}

/// Current and best streak from the active local dates (any order, repeats
/// allowed). The current streak counts consecutive days ending today, or
/// yesterday when today has no activity yet.
pub fn streaks(active: &[NaiveDate], today: NaiveDate) -> (u32, u32) {
    let mut dates = active.to_vec();
    dates.sort_unstable();
    dates.dedup();
    let (mut best, mut run) = (0u32, 0u32);
    let mut prev: Option<NaiveDate> = None;
    for &d in &dates {
        run = match prev {
            Some(p) if p.succ_opt() == Some(d) => run + 1,
            _ => 1,
        };
        best = best.max(run);
        prev = Some(d);
    }
    let current = match prev {
        Some(last) if last == today || last.succ_opt() == Some(today) => run,
        _ => 0,
    };
    (current, best)
}

/// Quarter-hour buckets: every UTC offset in use is a whole number of
/// quarter hours, so local midnight always falls on a bucket boundary and all
/// of a bucket lies in one local day.
const BUCKET_MS: i64 = 15 * 60 * 1000;

#[derive(FromRow)]
struct Totals {
    sessions: i64,
    holds: i64,
    total_secs: i64,
    modified_holds: i64,
    modified_secs: i64,
}

/// Seconds the group held in the sessions `user_id` joined that ended in
/// `[start, end)` (in one server with `guild_id`), less what the user was
/// credited with there (a restricted hold counts at the group's seconds):
/// what they missed by being absent for part of a session.
macro_rules! missed_secs_of_participant {
    () => {
        "COALESCE(SUM(MAX(0, json_extract(s.engine, '$.group_hold_secs')
               - COALESCE((SELECT SUM(COALESCE(h.planned_seconds, h.seconds)) FROM hold_credits h
                           WHERE h.session_id = s.id AND h.user_id = p.user_id), 0))), 0)"
    };
}
pub(crate) use missed_secs_of_participant;

pub(crate) const MISSED_SQL: &str = concat!(
    "SELECT ",
    missed_secs_of_participant!(),
    " FROM participants p JOIN sessions s ON s.id = p.session_id
    WHERE p.user_id = ?1 AND s.ended_at_ms >= ?2 AND s.ended_at_ms < ?3 AND (?4 IS NULL OR s.guild_id = ?4)
      AND s.state IN ('done', 'stopped', 'abandoned')"
);

/// All history in one row: the active quarter-hour buckets, the seconds per
/// bucket since the start of the last-7-days chart, and the latest hold.
/// Folded into strings by `group_concat` because each row sqlx hands over
/// costs a thread round trip, and two years hold thousands of buckets.
#[derive(FromRow)]
struct History {
    buckets: Option<String>,
    recent: Option<String>,
    last_active_ms: Option<i64>,
}

/// Parses `group_concat` output of integers (`"1,5,9"`); bad items are skipped.
fn ints(s: Option<&str>) -> impl Iterator<Item = i64> + '_ {
    s.unwrap_or("").split(',').filter_map(|x| x.parse().ok())
}

/// One user's progress over the last `days` local days in `tz` (today
/// included), with streaks over all history. With `guild_id`, only holds done
/// in that server count.
pub async fn user_progress(
    pool: &SqlitePool,
    user_id: i64,
    guild_id: Option<i64>,
    tz: Tz,
    days: u32,
    now_ms: i64,
) -> Result<Progress> {
    let (start, end) = window_bounds(tz, days, now_ms);
    let totals: Totals = sqlx::query_as(
        "SELECT COUNT(DISTINCT session_id) AS sessions, COALESCE(SUM(seconds > 0), 0) AS holds,
                COALESCE(SUM(seconds), 0) AS total_secs,
                COALESCE(SUM(planned_seconds IS NOT NULL), 0) AS modified_holds,
                COALESCE(SUM(planned_seconds - seconds), 0) AS modified_secs
         FROM hold_credits
         WHERE user_id = ?1 AND at_ms >= ?2 AND at_ms < ?3 AND (?4 IS NULL OR guild_id = ?4)",
    )
    .bind(user_id)
    .bind(start)
    .bind(end)
    .bind(guild_id)
    .fetch_one(pool)
    .await?;
    let missed_secs: i64 =
        sqlx::query_scalar(MISSED_SQL).bind(user_id).bind(start).bind(end).bind(guild_id).fetch_one(pool).await?;
    let per_exercise: Vec<ExerciseTotal> = if totals.holds == 0 {
        Vec::new()
    } else {
        sqlx::query_as(
            "SELECT exercise_id, SUM(seconds) AS secs, SUM(seconds > 0) AS holds
             FROM hold_credits
             WHERE user_id = ?1 AND at_ms >= ?2 AND at_ms < ?3 AND (?4 IS NULL OR guild_id = ?4)
             GROUP BY exercise_id HAVING SUM(seconds) > 0 ORDER BY secs DESC, exercise_id",
        )
        .bind(user_id)
        .bind(start)
        .bind(end)
        .bind(guild_id)
        .fetch_all(pool)
        .await?
    };

    let today = local_date(tz, now_ms);
    let first7 = today - Duration::days(6);
    let start7 = local_day_start_ms(tz, first7);
    let history: History = sqlx::query_as(
        "SELECT group_concat(bucket) AS buckets,
                group_concat(CASE WHEN bucket >= ?5 THEN bucket || ',' || secs END) AS recent,
                MAX(last) AS last_active_ms
         FROM (SELECT at_ms / ?3 AS bucket, SUM(seconds) AS secs, MAX(at_ms) AS last
               FROM hold_credits
               WHERE user_id = ?1 AND (?2 IS NULL OR guild_id = ?2) AND at_ms < ?4
               GROUP BY bucket)",
    )
    .bind(user_id)
    .bind(guild_id)
    .bind(BUCKET_MS)
    .bind(end)
    .bind(start7.div_euclid(BUCKET_MS))
    .fetch_one(pool)
    .await?;

    let active: Vec<NaiveDate> = ints(history.buckets.as_deref()).map(|b| local_date(tz, b * BUCKET_MS)).collect();
    let (current_streak, best_streak) = streaks(&active, today);
    let mut last7: Vec<(NaiveDate, i64)> = (0..7).map(|i| (first7 + Duration::days(i), 0)).collect();
    let recent: Vec<i64> = ints(history.recent.as_deref()).collect();
    for pair in recent.chunks_exact(2) {
        let date = local_date(tz, pair[0] * BUCKET_MS);
        if let Some(slot) = last7.iter_mut().find(|(d, _)| *d == date) {
            slot.1 += pair[1];
        }
    }
    Ok(Progress {
        days: days.max(1),
        sessions: totals.sessions,
        holds: totals.holds,
        total_secs: totals.total_secs,
        modified: Shortfall { holds: totals.modified_holds, secs: totals.modified_secs },
        missed_secs,
        per_exercise,
        last7,
        current_streak,
        best_streak,
        last_active_ms: history.last_active_ms,
    })
}
