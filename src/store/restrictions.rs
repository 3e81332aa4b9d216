//! Individual restrictions a coach sets for one athlete, and the record of
//! who looked at an athlete's private records.
//!
//! A restriction belongs to one (server, athlete, exercise); setting it again
//! replaces it. One with a last date applies through that local day, and
//! stops applying at `ends_at_ms` without anything having to delete it.

use sqlx::{FromRow, SqlitePool};

use super::{Result, StoreError};

/// What an athlete may do on the exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Not at all.
    Avoid,
    /// Only the left side.
    LeftOnly,
    /// Only the right side.
    RightOnly,
    /// Holds of at most this many seconds (1–600).
    MaxHold(u32),
}

/// The longest hold a restriction may allow.
pub const MAX_HOLD_SECS: u32 = 600;

impl Rule {
    fn columns(self) -> (&'static str, Option<&'static str>, Option<i64>) {
        match self {
            Rule::Avoid => ("avoid", None, None),
            Rule::LeftOnly => ("one_side", Some("left"), None),
            Rule::RightOnly => ("one_side", Some("right"), None),
            Rule::MaxHold(secs) => ("max_hold", None, Some(i64::from(secs))),
        }
    }

    fn decode(rule: &str, side: Option<&str>, max_secs: Option<i64>) -> Option<Rule> {
        match (rule, side, max_secs) {
            ("avoid", None, None) => Some(Rule::Avoid),
            ("one_side", Some("left"), None) => Some(Rule::LeftOnly),
            ("one_side", Some("right"), None) => Some(Rule::RightOnly),
            ("max_hold", None, Some(s)) => {
                u32::try_from(s).ok().filter(|s| (1..=MAX_HOLD_SECS).contains(s)).map(Rule::MaxHold)
            }
            _ => None,
        }
    }
}

/// One stored restriction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restriction {
    /// Row id.
    pub id: i64,
    /// Server.
    pub guild_id: i64,
    /// The athlete.
    pub user_id: i64,
    /// The exercise.
    pub exercise_id: String,
    /// What they may do.
    pub rule: Rule,
    /// The last local day it applies (`YYYY-MM-DD`), if any.
    pub until_date: Option<String>,
    /// When it stops applying (Unix ms), if it ends.
    pub ends_at_ms: Option<i64>,
    /// The coach's note.
    pub note: Option<String>,
    /// The coach who set it; `None` once they asked to be forgotten.
    pub set_by: Option<i64>,
    /// When it was set (Unix ms).
    pub created_at_ms: i64,
}

impl Restriction {
    /// Whether it applies at `now_ms`.
    pub fn is_active(&self, now_ms: i64) -> bool {
        self.ends_at_ms.is_none_or(|end| now_ms < end)
    }
}

/// A restriction to store (the caller has checked the exercise and the dates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRestriction {
    /// Server.
    pub guild_id: i64,
    /// The athlete.
    pub user_id: i64,
    /// The exercise.
    pub exercise_id: String,
    /// What they may do.
    pub rule: Rule,
    /// The last local day, and the instant it ends.
    pub until: Option<(String, i64)>,
    /// The coach's note.
    pub note: Option<String>,
    /// The coach setting it.
    pub set_by: i64,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    guild_id: i64,
    user_id: i64,
    exercise_id: String,
    rule: String,
    side: Option<String>,
    max_secs: Option<i64>,
    until_date: Option<String>,
    ends_at_ms: Option<i64>,
    note: Option<String>,
    set_by: Option<i64>,
    created_at_ms: i64,
}

impl TryFrom<Row> for Restriction {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self> {
        let rule = Rule::decode(&r.rule, r.side.as_deref(), r.max_secs).ok_or_else(|| StoreError::Corrupt {
            table: "athlete_restrictions",
            id: r.id,
            what: format!("rule {:?} side {:?} max_secs {:?}", r.rule, r.side, r.max_secs),
        })?;
        Ok(Restriction {
            id: r.id,
            guild_id: r.guild_id,
            user_id: r.user_id,
            exercise_id: r.exercise_id,
            rule,
            until_date: r.until_date,
            ends_at_ms: r.ends_at_ms,
            note: r.note,
            set_by: r.set_by,
            created_at_ms: r.created_at_ms,
        })
    }
}

const COLUMNS: &str =
    "id, guild_id, user_id, exercise_id, rule, side, max_secs, until_date, ends_at_ms, note, set_by, created_at_ms";

/// Sets a restriction, replacing the athlete's earlier one on that exercise.
/// Returns whether one was replaced.
pub async fn set(pool: &SqlitePool, r: &NewRestriction, now_ms: i64) -> Result<bool> {
    let (rule, side, max_secs) = r.rule.columns();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let replaced =
        sqlx::query("DELETE FROM athlete_restrictions WHERE guild_id = ? AND user_id = ? AND exercise_id = ?")
            .bind(r.guild_id)
            .bind(r.user_id)
            .bind(&r.exercise_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
    sqlx::query(
        "INSERT INTO athlete_restrictions
             (guild_id, user_id, exercise_id, rule, side, max_secs, until_date, ends_at_ms, note, set_by, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.guild_id)
    .bind(r.user_id)
    .bind(&r.exercise_id)
    .bind(rule)
    .bind(side)
    .bind(max_secs)
    .bind(r.until.as_ref().map(|u| u.0.as_str()))
    .bind(r.until.as_ref().map(|u| u.1))
    .bind(&r.note)
    .bind(r.set_by)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(replaced)
}

/// The athlete's restrictions in a server (ended ones too), by exercise.
pub async fn of_athlete(pool: &SqlitePool, guild_id: i64, user_id: i64) -> Result<Vec<Restriction>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM athlete_restrictions WHERE guild_id = ? AND user_id = ? ORDER BY exercise_id"
    ))
    .bind(guild_id)
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Restriction::try_from).collect()
}

/// Every restriction of a user, in every server (for `/me export`).
pub async fn of_user_everywhere(pool: &SqlitePool, user_id: i64) -> Result<Vec<Restriction>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM athlete_restrictions WHERE user_id = ? ORDER BY guild_id, exercise_id"
    ))
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Restriction::try_from).collect()
}

/// Lifts the athlete's restriction on one exercise, or (with `None`) all of
/// them in the server. Returns how many were lifted.
pub async fn lift(pool: &SqlitePool, guild_id: i64, user_id: i64, exercise_id: Option<&str>) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM athlete_restrictions WHERE guild_id = ? AND user_id = ? AND (?3 IS NULL OR exercise_id = ?3)",
    )
    .bind(guild_id)
    .bind(user_id)
    .bind(exercise_id)
    .execute(pool)
    .await?
    .rows_affected())
}

/// One look by a coach at an athlete's private records.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RecordView {
    /// Server.
    pub guild_id: i64,
    /// Who looked; `None` once they asked to be forgotten.
    pub viewer_id: Option<i64>,
    /// What they looked at (`restrictions`, `check-ins`).
    pub what: String,
    /// When (Unix ms).
    pub at_ms: i64,
}

/// Records that `viewer_id` looked at `what` of `subject_id`.
pub async fn record_view(
    pool: &SqlitePool,
    guild_id: i64,
    subject_id: i64,
    viewer_id: i64,
    what: &str,
    now_ms: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO record_views (guild_id, subject_id, viewer_id, what, at_ms) VALUES (?, ?, ?, ?, ?)")
        .bind(guild_id)
        .bind(subject_id)
        .bind(viewer_id)
        .bind(what)
        .bind(now_ms)
        .execute(pool)
        .await?;
    Ok(())
}

/// Every look at `subject_id`'s records, oldest first.
pub async fn views_of(pool: &SqlitePool, subject_id: i64) -> Result<Vec<RecordView>> {
    Ok(sqlx::query_as(
        "SELECT guild_id, viewer_id, what, at_ms FROM record_views WHERE subject_id = ? ORDER BY at_ms, rowid",
    )
    .bind(subject_id)
    .fetch_all(pool)
    .await?)
}
