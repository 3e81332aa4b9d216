//! The Discord scheduled events that reminders keep (`/remind add
//! event:true`), and who marked them interested.
//!
//! The store keeps the desired state and what Discord has: a reminder's
//! `event_start_ms` differing from its `next_fire_ms` means its event must be
//! moved; a removed reminder leaves its event in `event_deletions`, in the
//! same transaction, to be deleted in Discord. The event keeper
//! (src/reminders/events.rs) works through both until they are in step.

use sqlx::{FromRow, SqlitePool};

use super::reminders::PARKED_MS;
use super::{Result, StoreError};

/// A reminder whose event is not where it should be.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutOfStep {
    /// The reminder.
    pub reminder_id: i64,
    pub guild_id: i64,
    pub channel_id: i64,
    pub routine_id: String,
    /// Where the event should start ([`PARKED_MS`]: the reminder has ended,
    /// so the event goes).
    pub next_fire_ms: i64,
    /// Discord's event, once created.
    pub event_id: Option<i64>,
    /// Where that event starts now.
    pub event_start_ms: Option<i64>,
}

impl OutOfStep {
    /// Whether the reminder will not fire again (its event is deleted).
    pub fn ended(&self) -> bool {
        self.next_fire_ms == PARKED_MS
    }
}

const OUT_OF_STEP: &str = "SELECT id AS reminder_id, guild_id, channel_id, routine_id, next_fire_ms, event_id,
                                  event_start_ms
                           FROM reminders
                           WHERE event = 1
                             AND ((event_id IS NULL AND next_fire_ms < ?1)
                                  OR (event_id IS NOT NULL AND event_start_ms IS NOT next_fire_ms))";

/// Every reminder whose event must be created, moved or deleted, by id.
pub async fn out_of_step(pool: &SqlitePool) -> Result<Vec<OutOfStep>> {
    let sql = format!("{OUT_OF_STEP} ORDER BY id");
    Ok(sqlx::query_as(&sql).bind(PARKED_MS).fetch_all(pool).await?)
}

/// Reminder `id` of server `guild_id` when its event is out of step (`None`:
/// in step, or it keeps no event); [`StoreError::NotFound`] when the server
/// has no such reminder.
pub async fn out_of_step_one(pool: &SqlitePool, guild_id: i64, id: i64) -> Result<Option<OutOfStep>> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM reminders WHERE id = ? AND guild_id = ?")
        .bind(id)
        .bind(guild_id)
        .fetch_optional(pool)
        .await?;
    exists.ok_or(StoreError::NotFound)?;
    let sql = format!("{OUT_OF_STEP} AND id = ?2");
    Ok(sqlx::query_as(&sql).bind(PARKED_MS).bind(id).fetch_optional(pool).await?)
}

/// Discord's event of reminder `id` of server `guild_id` and the start it
/// has now (`None`: it has none); [`StoreError::NotFound`] when the reminder
/// is gone (removed meanwhile: the caller deletes the event it just made).
/// Interest in a replaced event is forgotten.
pub async fn set_event(
    pool: &SqlitePool,
    guild_id: i64,
    id: i64,
    event_id: Option<i64>,
    start_ms: Option<i64>,
) -> Result<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let old: Option<Option<i64>> = sqlx::query_scalar("SELECT event_id FROM reminders WHERE id = ? AND guild_id = ?")
        .bind(id)
        .bind(guild_id)
        .fetch_optional(&mut *tx)
        .await?;
    let old = old.ok_or(StoreError::NotFound)?;
    if let Some(old) = old.filter(|o| Some(*o) != event_id) {
        sqlx::query("DELETE FROM event_interest WHERE event_id = ?").bind(old).execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE reminders SET event_id = ?, event_start_ms = ? WHERE id = ?")
        .bind(event_id)
        .bind(start_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The event reminder `id` of server `guild_id` keeps, if any.
pub async fn event_of(pool: &SqlitePool, guild_id: i64, id: i64) -> Result<Option<i64>> {
    let found: Option<Option<i64>> =
        sqlx::query_scalar("SELECT event_id FROM reminders WHERE id = ? AND guild_id = ? AND event = 1")
            .bind(id)
            .bind(guild_id)
            .fetch_optional(pool)
            .await?;
    Ok(found.flatten())
}

/// Events to delete in Discord: `(guild_id, event_id)`.
pub async fn pending_deletions(pool: &SqlitePool) -> Result<Vec<(i64, i64)>> {
    Ok(sqlx::query_as("SELECT guild_id, event_id FROM event_deletions ORDER BY guild_id, event_id")
        .fetch_all(pool)
        .await?)
}

/// An event is deleted in Discord (or was already gone).
pub async fn deletion_done(pool: &SqlitePool, guild_id: i64, event_id: i64) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM event_deletions WHERE guild_id = ? AND event_id = ?")
        .bind(guild_id)
        .bind(event_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM event_interest WHERE event_id = ?").bind(event_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// A member marked event `event_id` interested; kept only when it is a
/// reminder's event (other events of the server are not ours to record).
/// Returns whether it was kept.
pub async fn interest_added(pool: &SqlitePool, guild_id: i64, event_id: i64, user_id: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO event_interest (guild_id, event_id, user_id)
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM reminders WHERE guild_id = ?1 AND event_id = ?2)
         ON CONFLICT (event_id, user_id) DO NOTHING",
    )
    .bind(guild_id)
    .bind(event_id)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A member is no longer interested in event `event_id`.
pub async fn interest_removed(pool: &SqlitePool, event_id: i64, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM event_interest WHERE event_id = ? AND user_id = ?")
        .bind(event_id)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Replaces who is interested in event `event_id` with `users` (Discord's
/// own list, which also holds marks made while the bot was offline).
pub async fn replace_interest(pool: &SqlitePool, guild_id: i64, event_id: i64, users: &[i64]) -> Result<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("DELETE FROM event_interest WHERE event_id = ?").bind(event_id).execute(&mut *tx).await?;
    for user in users {
        sqlx::query(
            "INSERT INTO event_interest (guild_id, event_id, user_id) VALUES (?, ?, ?)
             ON CONFLICT (event_id, user_id) DO NOTHING",
        )
        .bind(guild_id)
        .bind(event_id)
        .bind(user)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Who is interested in event `event_id` of server `guild_id`, by user id.
pub async fn interested(pool: &SqlitePool, guild_id: i64, event_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT user_id FROM event_interest WHERE guild_id = ? AND event_id = ? ORDER BY user_id")
        .bind(guild_id)
        .bind(event_id)
        .fetch_all(pool)
        .await?)
}
