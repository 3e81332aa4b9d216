//! Check-ins after a session: how it felt (pain 0–10), where, a note, and
//! whether it is a red flag. Private to the athlete and the server's coaches.
//!
//! A red flag's alert to the coaches channel is stored in the outbox in the
//! same transaction as the check-in, so it is posted once even across a
//! crash.

use sqlx::{FromRow, SqlitePool};

use super::outbox::{self, NewMessage};
use super::Result;

/// One check-in.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CheckIn {
    /// The session it is about.
    pub session_id: i64,
    /// The athlete.
    pub user_id: i64,
    /// The server.
    pub guild_id: i64,
    /// The routine of the session.
    pub routine_id: String,
    /// Pain or discomfort, 0 (none) to 10 (worst).
    pub pain: i64,
    /// Where (one of the routine's areas, or as typed).
    pub area: Option<String>,
    /// The athlete's note.
    pub note: Option<String>,
    /// Whether it is a red flag (pain of 7 or more, sharp pain, numbness,
    /// tingling).
    pub red_flag: bool,
    /// When (Unix ms).
    pub at_ms: i64,
}

const COLUMNS: &str = "session_id, user_id, guild_id, routine_id, pain, area, note, red_flag, at_ms";

/// Stores a check-in (replacing the athlete's earlier one for the session)
/// and, for a red flag, its alert in the outbox, in one transaction. Returns
/// the alert's outbox id.
pub async fn record(pool: &SqlitePool, c: &CheckIn, alert: Option<&NewMessage>) -> Result<Option<i64>> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(&format!("INSERT OR REPLACE INTO check_ins ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(c.session_id)
        .bind(c.user_id)
        .bind(c.guild_id)
        .bind(&c.routine_id)
        .bind(c.pain)
        .bind(&c.area)
        .bind(&c.note)
        .bind(c.red_flag)
        .bind(c.at_ms)
        .execute(&mut *tx)
        .await?;
    let id = match alert {
        Some(m) => outbox::insert_in(&mut tx, std::slice::from_ref(m), c.at_ms).await?.first().copied(),
        None => None,
    };
    tx.commit().await?;
    Ok(id)
}

/// The athlete's latest check-ins in a server (all servers with `None`),
/// newest first.
pub async fn of_user(pool: &SqlitePool, user_id: i64, guild_id: Option<i64>, limit: i64) -> Result<Vec<CheckIn>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM check_ins WHERE user_id = ?1 AND (?2 IS NULL OR guild_id = ?2)
         ORDER BY at_ms DESC LIMIT ?3"
    ))
    .bind(user_id)
    .bind(guild_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// A server's red flags in `[start, end)`, newest first.
pub async fn red_flags(pool: &SqlitePool, guild_id: i64, start_ms: i64, end_ms: i64) -> Result<Vec<CheckIn>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM check_ins WHERE guild_id = ? AND at_ms >= ? AND at_ms < ? AND red_flag = 1
         ORDER BY at_ms DESC"
    ))
    .bind(guild_id)
    .bind(start_ms)
    .bind(end_ms)
    .fetch_all(pool)
    .await?)
}

/// Whether `user_id` took part in the session (joined it at some point).
pub async fn took_part(pool: &SqlitePool, session_id: i64, user_id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM participants WHERE session_id = ? AND user_id = ?")
        .bind(session_id)
        .bind(user_id)
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}
