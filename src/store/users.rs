//! Per-user settings (timezone) and forgetting a user (`/me forget`).

use chrono_tz::Tz;
use sqlx::SqlitePool;

use super::guilds::{get_guild_settings, parse_tz};
use super::{now_ms, Result};

/// The user's own timezone, if they set one.
pub async fn get_user_timezone(pool: &SqlitePool, user_id: i64) -> Result<Option<Tz>> {
    let name: Option<Option<String>> =
        sqlx::query_scalar("SELECT timezone FROM users WHERE user_id = ?").bind(user_id).fetch_optional(pool).await?;
    Ok(parse_tz(name.flatten()))
}

/// Sets (or with `None` clears) the user's timezone. Clearing removes the
/// user's row: nothing else is stored in it.
pub async fn set_user_timezone(pool: &SqlitePool, user_id: i64, tz: Option<Tz>) -> Result<()> {
    match tz {
        Some(tz) => {
            sqlx::query(
                "INSERT INTO users (user_id, timezone, updated_at_ms) VALUES (?, ?, ?)
                 ON CONFLICT (user_id) DO UPDATE
                 SET timezone = excluded.timezone, updated_at_ms = excluded.updated_at_ms",
            )
            .bind(user_id)
            .bind(tz.name())
            .bind(now_ms())
            .execute(pool)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM users WHERE user_id = ?").bind(user_id).execute(pool).await?;
        }
    }
    Ok(())
}

/// The timezone in which a user's days are counted: their own, else the
/// server's (when `guild_id` is given), else UTC.
pub async fn resolve_timezone(pool: &SqlitePool, user_id: i64, guild_id: Option<i64>) -> Result<Tz> {
    if let Some(tz) = get_user_timezone(pool, user_id).await? {
        return Ok(tz);
    }
    if let Some(guild_id) = guild_id {
        if let Some(tz) = get_guild_settings(pool, guild_id).await?.timezone {
            return Ok(tz);
        }
    }
    Ok(Tz::UTC)
}

/// What [`forget_user`] removed or changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForgetReport {
    /// Hold credits deleted.
    pub credits: u64,
    /// Session participations deleted.
    pub participations: u64,
    /// Sessions whose host was cleared (`host_id` set to NULL).
    pub hosted_sessions: u64,
    /// Reminders whose creator was cleared (`created_by` set to NULL). The
    /// reminder itself belongs to the team and stays.
    pub reminders: u64,
    /// Restrictions set for them, deleted (with the record of who looked at
    /// their records).
    pub restrictions: u64,
    /// Their check-ins, deleted.
    pub check_ins: u64,
    /// Whether the user's settings row existed and was deleted.
    pub settings: bool,
    /// Live sessions the user was in or hosted. Their engine JSON may still
    /// mention the user: the session runner must drop the user from each
    /// engine and save it (ended sessions keep no user ids in their JSON; see
    /// [`super::sessions::finish_session`]).
    pub live_sessions: Vec<i64>,
}

/// Deletes every row about `user_id`, in one transaction: hold credits,
/// participations and settings are deleted; `sessions.host_id` and
/// `reminders.created_by` that name the user are set to NULL.
///
/// The only place the user can remain afterwards is the engine JSON of a
/// session that is still live, which this module treats as opaque: those
/// sessions are listed in [`ForgetReport::live_sessions`] for the runner.
pub async fn forget_user(pool: &SqlitePool, user_id: i64) -> Result<ForgetReport> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let live_sessions: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM sessions
         WHERE state IN ('lobby', 'running', 'paused')
           AND (host_id = ?1
                OR id IN (SELECT session_id FROM participants WHERE user_id = ?1))
         ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    let credits = sqlx::query("DELETE FROM hold_credits WHERE user_id = ?")
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let participations = sqlx::query("DELETE FROM participants WHERE user_id = ?")
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let hosted_sessions = sqlx::query("UPDATE sessions SET host_id = NULL WHERE host_id = ?")
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let reminders = sqlx::query("UPDATE reminders SET created_by = NULL WHERE created_by = ?")
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let restrictions = sqlx::query("DELETE FROM athlete_restrictions WHERE user_id = ?")
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let check_ins =
        sqlx::query("DELETE FROM check_ins WHERE user_id = ?").bind(user_id).execute(&mut *tx).await?.rows_affected();
    // A coach's name leaves what they set and what they looked at.
    sqlx::query("UPDATE athlete_restrictions SET set_by = NULL WHERE set_by = ?")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM event_interest WHERE user_id = ?").bind(user_id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM record_views WHERE subject_id = ?").bind(user_id).execute(&mut *tx).await?;
    sqlx::query("UPDATE record_views SET viewer_id = NULL WHERE viewer_id = ?").bind(user_id).execute(&mut *tx).await?;
    let settings =
        sqlx::query("DELETE FROM users WHERE user_id = ?").bind(user_id).execute(&mut *tx).await?.rows_affected() > 0;
    // Posted messages that mention them (a summary's roll call, say): the
    // outbox keeps a day of history, and none of it about this person.
    sqlx::query("DELETE FROM outbox WHERE instr(body, ?) > 0").bind(user_id.to_string()).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(ForgetReport {
        credits,
        participations,
        hosted_sessions,
        reminders,
        restrictions,
        check_ins,
        settings,
        live_sessions,
    })
}

/// Everything stored about `user_id`, as JSON (`/me export`): settings,
/// sessions joined and hosted, hold credits, reminders created, posted
/// messages that name them, restrictions set for them, their check-ins and
/// each time a coach looked at their records. Discord ids are strings (they do not fit a
/// JavaScript number).
pub async fn export_user(pool: &SqlitePool, user_id: i64) -> Result<serde_json::Value> {
    async fn rows(pool: &SqlitePool, sql: &str, user_id: i64) -> Result<serde_json::Value> {
        let text: String = sqlx::query_scalar(sql).bind(user_id).fetch_one(pool).await?;
        Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }
    let settings = rows(
        pool,
        "SELECT COALESCE(json_group_array(json_object('timezone', timezone, 'updated_at_ms', updated_at_ms)), '[]')
         FROM users WHERE user_id = ?",
        user_id,
    )
    .await?;
    let joined = rows(
        pool,
        "SELECT COALESCE(json_group_array(json_object(
             'session_id', p.session_id, 'server_id', CAST(s.guild_id AS TEXT), 'channel_id', CAST(s.channel_id AS TEXT),
             'routine_id', s.routine_id, 'state', s.state, 'joined_at_ms', p.joined_at_ms, 'left_at_ms', p.left_at_ms,
             'ended_at_ms', s.ended_at_ms)), '[]')
         FROM participants p JOIN sessions s ON s.id = p.session_id WHERE p.user_id = ?",
        user_id,
    )
    .await?;
    let credits = rows(
        pool,
        "SELECT COALESCE(json_group_array(json_object(
             'session_id', session_id, 'server_id', CAST(guild_id AS TEXT), 'exercise_id', exercise_id, 'side', side,
             'seconds', seconds, 'planned_seconds', planned_seconds, 'at_ms', at_ms)), '[]')
         FROM hold_credits WHERE user_id = ?",
        user_id,
    )
    .await?;
    let hosted = rows(
        pool,
        "SELECT COALESCE(json_group_array(json_object(
             'session_id', id, 'server_id', CAST(guild_id AS TEXT), 'routine_id', routine_id, 'state', state,
             'created_at_ms', created_at_ms)), '[]')
         FROM sessions WHERE host_id = ?",
        user_id,
    )
    .await?;
    let reminders = rows(
        pool,
        "SELECT COALESCE(json_group_array(json_object(
             'reminder_id', id, 'server_id', CAST(guild_id AS TEXT), 'channel_id', CAST(channel_id AS TEXT),
             'routine_id', routine_id, 'time_of_day', time_of_day, 'timezone', timezone,
             'created_at_ms', created_at_ms)), '[]')
         FROM reminders WHERE created_by = ?",
        user_id,
    )
    .await?;
    let posted = rows(
        pool,
        "SELECT COALESCE(json_group_array(json_object(
             'channel_id', CAST(channel_id AS TEXT), 'created_at_ms', created_at_ms, 'outcome', outcome, 'body', json(body))), '[]')
         FROM outbox WHERE instr(body, CAST(? AS TEXT)) > 0",
        user_id,
    )
    .await?;
    let restrictions = rows(
        pool,
        "SELECT COALESCE(json_group_array(json_object(
             'server_id', CAST(guild_id AS TEXT), 'exercise_id', exercise_id, 'rule', rule, 'side', side,
             'max_secs', max_secs, 'until', until_date, 'note', note, 'set_by', CAST(set_by AS TEXT),
             'created_at_ms', created_at_ms)), '[]')
         FROM athlete_restrictions WHERE user_id = ?",
        user_id,
    )
    .await?;
    let check_ins = rows(
        pool,
        "SELECT COALESCE(json_group_array(json_object(
             'session_id', session_id, 'server_id', CAST(guild_id AS TEXT), 'routine_id', routine_id, 'pain', pain,
             'where', area, 'note', note, 'red_flag', json(CASE red_flag WHEN 1 THEN 'true' ELSE 'false' END),
             'at_ms', at_ms)), '[]')
         FROM check_ins WHERE user_id = ?",
        user_id,
    )
    .await?;
    let views = rows(
        pool,
        "SELECT COALESCE(json_group_array(json_object(
             'server_id', CAST(guild_id AS TEXT), 'viewer_id', CAST(viewer_id AS TEXT), 'what', what, 'at_ms', at_ms)), '[]')
         FROM record_views WHERE subject_id = ?",
        user_id,
    )
    .await?;
    let interest = rows(
        pool,
        "SELECT COALESCE(json_group_array(json_object(
             'server_id', CAST(guild_id AS TEXT), 'event_id', CAST(event_id AS TEXT))), '[]')
         FROM event_interest WHERE user_id = ?",
        user_id,
    )
    .await?;
    Ok(serde_json::json!({
        "user_id": super::discord_id(user_id).to_string(),
        "exported_at_ms": now_ms(),
        "settings": settings.as_array().and_then(|a| a.first()).cloned(),
        "sessions_joined": joined,
        "hold_credits": credits,
        "sessions_hosted": hosted,
        "reminders_created": reminders,
        "posted_messages": posted,
        "restrictions": restrictions,
        "check_ins": check_ins,
        "coach_views_of_your_records": views,
        "events_marked_interested": interest,
    }))
}
