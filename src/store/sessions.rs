//! Group sessions and their participants.
//!
//! A session row is written once when it starts ([`create_session`]), once
//! per phase change ([`save_session`]: state, engine JSON and the absolute
//! deadline of the current phase), and once when it ends
//! ([`finish_session`]). After a restart, [`live_sessions`] returns every
//! session to resume.
//!
//! The engine JSON is opaque here. It is kept only while the session is live:
//! [`finish_session`] replaces it with a summary that must hold no user ids
//! (or with NULL), so that forgetting a user never has to rewrite JSON.

use sqlx::{FromRow, SqlitePool};

use super::{is_unique_violation, Result, StoreError};

/// The lifecycle state of a session, stored as lowercase text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(rename_all = "lowercase")]
pub enum SessionState {
    /// Waiting for people to join.
    Lobby,
    /// Phases are running.
    Running,
    /// Paused by the host or a coach.
    Paused,
    /// Ran to the end.
    Done,
    /// Stopped early by the host or a coach.
    Stopped,
    /// Ended by the bot (for example, down too long to carry on).
    Abandoned,
}

impl SessionState {
    /// Whether a session in this state is live (lobby, running or paused).
    pub fn is_live(self) -> bool {
        matches!(self, Self::Lobby | Self::Running | Self::Paused)
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lobby => "lobby",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Done => "done",
            Self::Stopped => "stopped",
            Self::Abandoned => "abandoned",
        }
    }
}

/// A stored session.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SessionRecord {
    /// Row id; also the session's public number.
    pub id: i64,
    /// Server it runs in.
    pub guild_id: i64,
    /// Channel it posts to.
    pub channel_id: i64,
    /// Who started it; `None` once that user asked to be forgotten.
    pub host_id: Option<i64>,
    /// The routine it runs.
    pub routine_id: String,
    /// Lifecycle state.
    pub state: SessionState,
    /// Engine state JSON while live; a user-free summary (or `None`) after.
    pub engine: Option<String>,
    /// Absolute end of the current phase (Unix ms), when one is running.
    pub deadline_ms: Option<i64>,
    /// The public lobby message, once posted.
    pub lobby_message_id: Option<i64>,
    /// When it was created (Unix ms).
    pub created_at_ms: i64,
    /// When it was last saved (Unix ms).
    pub updated_at_ms: i64,
    /// When it ended (Unix ms), if it has.
    pub ended_at_ms: Option<i64>,
}

/// What [`create_session`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Server it runs in.
    pub guild_id: i64,
    /// Channel it posts to.
    pub channel_id: i64,
    /// Who starts it; joined as the first participant.
    pub host_id: i64,
    /// The routine it runs.
    pub routine_id: String,
    /// Initial state; must be live (normally [`SessionState::Lobby`]).
    pub state: SessionState,
    /// Initial engine JSON.
    pub engine: Option<String>,
    /// Absolute deadline of the first phase, if any (Unix ms).
    pub deadline_ms: Option<i64>,
}

/// One person in a session.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ParticipantRecord {
    /// The session.
    pub session_id: i64,
    /// The user.
    pub user_id: i64,
    /// When they first joined (Unix ms).
    pub joined_at_ms: i64,
    /// When they left (Unix ms); `None` while in.
    pub left_at_ms: Option<i64>,
}

const COLUMNS: &str = "id, guild_id, channel_id, host_id, routine_id, state, engine, deadline_ms, \
                       lobby_message_id, created_at_ms, updated_at_ms, ended_at_ms";
const LIVE: &str = "state IN ('lobby', 'running', 'paused')";

/// Saves a live session: state, engine, deadline, updated_at, id.
pub(crate) const SAVE_SQL: &str = "UPDATE sessions SET state = ?, engine = ?, deadline_ms = ?, updated_at_ms = ?
     WHERE id = ? AND state IN ('lobby', 'running', 'paused')";

/// Ends a live session: state, summary, updated_at, ended_at, id.
pub(crate) const FINISH_SQL: &str = "UPDATE sessions SET state = ?, engine = ?, deadline_ms = NULL,
                         updated_at_ms = ?, ended_at_ms = ?
     WHERE id = ? AND state IN ('lobby', 'running', 'paused')";

fn require_live(state: SessionState) -> Result<()> {
    if state.is_live() {
        Ok(())
    } else {
        Err(StoreError::InvalidState(state.as_str().to_owned()))
    }
}

/// Creates a session and joins its host, in one transaction. Returns the new
/// id, or [`StoreError::ChannelBusy`] when the channel already has a live
/// session.
pub async fn create_session(pool: &SqlitePool, new: &NewSession, now_ms: i64) -> Result<i64> {
    require_live(new.state)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO sessions (guild_id, channel_id, host_id, routine_id, state, engine,
                               deadline_ms, created_at_ms, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.guild_id)
    .bind(new.channel_id)
    .bind(new.host_id)
    .bind(&new.routine_id)
    .bind(new.state)
    .bind(&new.engine)
    .bind(new.deadline_ms)
    .bind(now_ms)
    .bind(now_ms)
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match inserted {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => return Err(StoreError::ChannelBusy),
        Err(e) => return Err(e.into()),
    };
    sqlx::query("INSERT INTO participants (session_id, user_id, joined_at_ms) VALUES (?, ?, ?)")
        .bind(id)
        .bind(new.host_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves a live session after a phase change: one UPDATE. `state` must be
/// live (use [`finish_session`] to end it). [`StoreError::NotFound`] when the
/// session does not exist or has already ended.
pub async fn save_session(
    pool: &SqlitePool,
    id: i64,
    state: SessionState,
    engine: Option<&str>,
    deadline_ms: Option<i64>,
    now_ms: i64,
) -> Result<()> {
    require_live(state)?;
    let done =
        sqlx::query(SAVE_SQL).bind(state).bind(engine).bind(deadline_ms).bind(now_ms).bind(id).execute(pool).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Ends a live session: sets the final `state` (done, stopped or abandoned),
/// replaces the engine JSON with `summary` (which must not contain user ids;
/// `None` stores NULL), clears the deadline and sets `ended_at_ms`.
/// [`StoreError::NotFound`] when the session does not exist or already ended.
pub async fn finish_session(
    pool: &SqlitePool,
    id: i64,
    state: SessionState,
    summary: Option<&str>,
    now_ms: i64,
) -> Result<()> {
    if state.is_live() {
        return Err(StoreError::InvalidState(state.as_str().to_owned()));
    }
    let done =
        sqlx::query(FINISH_SQL).bind(state).bind(summary).bind(now_ms).bind(now_ms).bind(id).execute(pool).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records the id of the session's public lobby message.
pub async fn set_lobby_message(pool: &SqlitePool, id: i64, message_id: i64) -> Result<()> {
    let done = sqlx::query("UPDATE sessions SET lobby_message_id = ? WHERE id = ?")
        .bind(message_id)
        .bind(id)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One session by id, or [`StoreError::NotFound`].
pub async fn get_session(pool: &SqlitePool, id: i64) -> Result<SessionRecord> {
    let sql = format!("SELECT {COLUMNS} FROM sessions WHERE id = ?");
    sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?.ok_or(StoreError::NotFound)
}

/// Every live session (lobby, running or paused), oldest first: what to
/// resume after a restart.
pub async fn live_sessions(pool: &SqlitePool) -> Result<Vec<SessionRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM sessions WHERE {LIVE} ORDER BY id");
    Ok(sqlx::query_as(&sql).fetch_all(pool).await?)
}

/// The live session in `channel_id`, if there is one.
pub async fn live_session_in_channel(pool: &SqlitePool, channel_id: i64) -> Result<Option<SessionRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM sessions WHERE channel_id = ? AND {LIVE}");
    Ok(sqlx::query_as(&sql).bind(channel_id).fetch_optional(pool).await?)
}

/// Joins `user_id` to a live session, or rejoins after leaving (the first
/// join time is kept). Returns `false` when nothing changed: already in, or
/// the session is not live.
pub async fn join_session(pool: &SqlitePool, session_id: i64, user_id: i64, now_ms: i64) -> Result<bool> {
    let done = sqlx::query(JOIN_SQL).bind(user_id).bind(now_ms).bind(session_id).execute(pool).await?;
    Ok(done.rows_affected() > 0)
}

/// Joins a user to a live session: user, joined_at, session id.
pub(crate) const JOIN_SQL: &str = "INSERT INTO participants (session_id, user_id, joined_at_ms)
     SELECT id, ?, ? FROM sessions WHERE id = ? AND state IN ('lobby', 'running', 'paused')
     ON CONFLICT (session_id, user_id) DO UPDATE SET left_at_ms = NULL
     WHERE left_at_ms IS NOT NULL";

/// Marks a user as having left: left_at, session id, user.
pub(crate) const LEAVE_SQL: &str = "UPDATE participants SET left_at_ms = ?
     WHERE session_id = ? AND user_id = ? AND left_at_ms IS NULL";

/// Marks `user_id` as having left. Returns `false` when they were not in.
pub async fn leave_session(pool: &SqlitePool, session_id: i64, user_id: i64, now_ms: i64) -> Result<bool> {
    let done = sqlx::query(LEAVE_SQL).bind(now_ms).bind(session_id).bind(user_id).execute(pool).await?;
    Ok(done.rows_affected() > 0)
}

/// Everyone who ever joined the session, in join order.
pub async fn participants(pool: &SqlitePool, session_id: i64) -> Result<Vec<ParticipantRecord>> {
    Ok(sqlx::query_as(
        "SELECT session_id, user_id, joined_at_ms, left_at_ms FROM participants
         WHERE session_id = ? ORDER BY joined_at_ms, user_id",
    )
    .bind(session_id)
    .fetch_all(pool)
    .await?)
}
