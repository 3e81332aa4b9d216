//! Many session writes and credits in one transaction: what the session
//! runner does at each tick, so a second boundary at which thousands of
//! sessions change phase costs one commit, not thousands.

use sqlx::SqlitePool;

use super::outbox::{self, NewMessage};
use super::progress::{insert_credits_in, CreditRecord};
use super::sessions::{SessionState, FINISH_SQL, JOIN_SQL, LEAVE_SQL, SAVE_SQL};
use super::{Result, StoreError};

/// One session write of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionWrite {
    /// A live session's new state, engine JSON and deadline
    /// (as [`super::sessions::save_session`]).
    Save {
        /// The session.
        id: i64,
        /// Its new state; must be live.
        state: SessionState,
        /// The engine's state as JSON.
        engine: String,
        /// Absolute end of the current phase (Unix ms), if one runs.
        deadline_ms: Option<i64>,
    },
    /// A session that ended (as [`super::sessions::finish_session`]).
    Finish {
        /// The session.
        id: i64,
        /// Its final state; must not be live.
        state: SessionState,
        /// A summary without user ids, or `None`.
        summary: Option<String>,
    },
    /// Someone joined (or rejoined) a live session (as
    /// [`super::sessions::join_session`]).
    Join {
        /// The session.
        id: i64,
        /// Who joined.
        user_id: i64,
        /// When (Unix ms).
        at_ms: i64,
    },
    /// Someone left a session (as [`super::sessions::leave_session`]).
    Leave {
        /// The session.
        id: i64,
        /// Who left.
        user_id: i64,
        /// When (Unix ms).
        at_ms: i64,
    },
}

impl SessionWrite {
    /// The session written.
    pub fn id(&self) -> i64 {
        match self {
            SessionWrite::Save { id, .. }
            | SessionWrite::Finish { id, .. }
            | SessionWrite::Join { id, .. }
            | SessionWrite::Leave { id, .. } => *id,
        }
    }

    /// Whether this is a join or a leave (kept in order, never merged).
    pub fn is_membership(&self) -> bool {
        matches!(self, SessionWrite::Join { .. } | SessionWrite::Leave { .. })
    }
}

/// What [`apply`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Session writes that changed a row (writes to ended or missing
    /// sessions are skipped).
    pub sessions: u64,
    /// Credits that were new.
    pub credits: u64,
}

/// Applies every write and records every credit (ignoring credits already
/// stored), in one transaction. Joins and leaves go first, in the order
/// given (a join needs its session still live), then saves and finishes.
/// Writes to sessions that already ended are skipped: a session never comes
/// back to life. [`Applied::sessions`] counts saves and finishes. A `Save` with an ended state
/// or a `Finish` with a live one is refused with
/// [`StoreError::InvalidState`] before anything is written.
pub async fn apply(
    pool: &SqlitePool,
    writes: &[SessionWrite],
    credits: &[CreditRecord],
    now_ms: i64,
) -> Result<Applied> {
    Ok(apply_all(pool, writes, credits, &[], now_ms).await?.0)
}

/// [`apply`], and in the same transaction stores `messages` in the outbox
/// (the cues and summaries those changes announce); returns their ids too.
pub async fn apply_all(
    pool: &SqlitePool,
    writes: &[SessionWrite],
    credits: &[CreditRecord],
    messages: &[NewMessage],
    now_ms: i64,
) -> Result<(Applied, Vec<i64>)> {
    for w in writes {
        let (state, want_live) = match w {
            SessionWrite::Save { state, .. } => (*state, true),
            SessionWrite::Finish { state, .. } => (*state, false),
            SessionWrite::Join { .. } | SessionWrite::Leave { .. } => continue,
        };
        if state.is_live() != want_live {
            return Err(StoreError::InvalidState(state.as_str().to_owned()));
        }
    }
    if writes.is_empty() && credits.is_empty() && messages.is_empty() {
        return Ok((Applied::default(), Vec::new()));
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut applied = Applied::default();
    for w in writes {
        match w {
            SessionWrite::Join { id, user_id, at_ms } => {
                sqlx::query(JOIN_SQL).bind(user_id).bind(at_ms).bind(id).execute(&mut *tx).await?;
            }
            SessionWrite::Leave { id, user_id, at_ms } => {
                sqlx::query(LEAVE_SQL).bind(at_ms).bind(id).bind(user_id).execute(&mut *tx).await?;
            }
            SessionWrite::Save { .. } | SessionWrite::Finish { .. } => {}
        }
    }
    for w in writes {
        let done = match w {
            SessionWrite::Save { id, state, engine, deadline_ms } => {
                sqlx::query(SAVE_SQL)
                    .bind(state)
                    .bind(engine)
                    .bind(deadline_ms)
                    .bind(now_ms)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
            }
            SessionWrite::Finish { id, state, summary } => {
                sqlx::query(FINISH_SQL)
                    .bind(state)
                    .bind(summary)
                    .bind(now_ms)
                    .bind(now_ms)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
            }
            SessionWrite::Join { .. } | SessionWrite::Leave { .. } => continue,
        };
        applied.sessions += done.rows_affected();
    }
    applied.credits = insert_credits_in(&mut tx, credits).await?;
    let ids = outbox::insert_in(&mut tx, messages, now_ms).await?;
    tx.commit().await?;
    Ok((applied, ids))
}
