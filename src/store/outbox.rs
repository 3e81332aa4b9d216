//! The outbox: messages the bot decided to post, stored in the same
//! transaction as the state change that caused them ([`super::batch::apply_all`]),
//! sent from here and marked done when Discord answers. After a crash,
//! [`pending`] hands back what was decided but not confirmed, in order.

use sqlx::{FromRow, SqliteConnection, SqlitePool};

use super::Result;

/// [`NewMessage::priority`] of a session cue.
pub const CUE: i64 = 0;
/// [`NewMessage::priority`] of a session summary.
pub const SUMMARY: i64 = 1;
/// [`NewMessage::priority`] of any other post (a reminder).
pub const POST: i64 = 2;

/// A message to store before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Channel to post in.
    pub channel_id: i64,
    /// [`CUE`], [`SUMMARY`] or [`POST`].
    pub priority: i64,
    /// The request body, as JSON (with its nonce).
    pub body: String,
    /// The session it belongs to.
    pub session_id: Option<i64>,
    /// When it goes stale (a cue's phase ends); `None`: never.
    pub expires_at_ms: Option<i64>,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutboxMessage {
    /// Row id: the order messages were decided in.
    pub id: i64,
    /// Channel to post in.
    pub channel_id: i64,
    /// [`CUE`] or [`POST`].
    pub priority: i64,
    /// The request body, as JSON.
    pub body: String,
    /// The session it belongs to.
    pub session_id: Option<i64>,
    /// When it goes stale.
    pub expires_at_ms: Option<i64>,
}

/// How a message was done with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Discord has it.
    Sent,
    /// Discord refused it for good (the channel is gone, the body is bad).
    Refused,
    /// Its moment passed before it could be sent.
    Stale,
}

impl Done {
    fn as_str(self) -> &'static str {
        match self {
            Done::Sent => "sent",
            Done::Refused => "refused",
            Done::Stale => "stale",
        }
    }
}

/// Stores `messages` within a transaction; returns their ids, in order.
pub(crate) async fn insert_in(conn: &mut SqliteConnection, messages: &[NewMessage], now_ms: i64) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(messages.len());
    for m in messages {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO outbox (channel_id, priority, body, session_id, expires_at_ms, created_at_ms)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(m.channel_id)
        .bind(m.priority)
        .bind(&m.body)
        .bind(m.session_id)
        .bind(m.expires_at_ms)
        .bind(now_ms)
        .fetch_one(&mut *conn)
        .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Stores `messages` in a transaction of their own; returns their ids.
pub async fn insert(pool: &SqlitePool, messages: &[NewMessage], now_ms: i64) -> Result<Vec<i64>> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let ids = insert_in(&mut tx, messages, now_ms).await?;
    tx.commit().await?;
    Ok(ids)
}

/// Every message not done yet, in the order they were decided.
pub async fn pending(pool: &SqlitePool) -> Result<Vec<OutboxMessage>> {
    Ok(sqlx::query_as(
        "SELECT id, channel_id, priority, body, session_id, expires_at_ms FROM outbox
         WHERE done_at_ms IS NULL ORDER BY id",
    )
    .fetch_all(pool)
    .await?)
}

/// Marks message `id` done (a message already done stays as it was).
pub async fn mark(pool: &SqlitePool, id: i64, done: Done, now_ms: i64) -> Result<()> {
    sqlx::query("UPDATE outbox SET done_at_ms = ?, outcome = ? WHERE id = ? AND done_at_ms IS NULL")
        .bind(now_ms)
        .bind(done.as_str())
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes messages done before `before_ms` (the outbox keeps a day of
/// history); returns how many.
pub async fn prune(pool: &SqlitePool, before_ms: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM outbox WHERE done_at_ms IS NOT NULL AND done_at_ms < ?")
        .bind(before_ms)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}
