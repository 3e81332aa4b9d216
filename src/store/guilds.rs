//! Per-server settings: the coach role and the default timezone.
//!
//! A server without a row has no coach role (only Manage Server counts as a
//! coach) and no timezone of its own (UTC is used).

use chrono_tz::Tz;
use sqlx::{FromRow, SqlitePool};

use super::{now_ms, Result};

/// One server's settings; all `None` when never set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuildSettings {
    /// The server (guild) id.
    pub guild_id: i64,
    /// The role whose members count as coaches, if set.
    pub coach_role_id: Option<i64>,
    /// The server's default timezone, if set.
    pub timezone: Option<Tz>,
    /// Where red flags of check-ins are posted for coaches, if set.
    pub coaches_channel_id: Option<i64>,
}

#[derive(FromRow)]
struct Row {
    coach_role_id: Option<i64>,
    timezone: Option<String>,
    coaches_channel_id: Option<i64>,
}

/// Parses a stored IANA name; an unknown name (say, removed from a newer tz
/// database) is logged and treated as unset.
pub(crate) fn parse_tz(name: Option<String>) -> Option<Tz> {
    let name = name?;
    if let Ok(tz) = name.parse::<Tz>() {
        Some(tz)
    } else {
        tracing::warn!(timezone = %name, "unknown stored timezone; using the default");
        None
    }
}

/// The settings of `guild_id` (defaults when the server never set any).
pub async fn get_guild_settings(pool: &SqlitePool, guild_id: i64) -> Result<GuildSettings> {
    let row: Option<Row> =
        sqlx::query_as("SELECT coach_role_id, timezone, coaches_channel_id FROM guild_settings WHERE guild_id = ?")
            .bind(guild_id)
            .fetch_optional(pool)
            .await?;
    Ok(match row {
        Some(r) => GuildSettings {
            guild_id,
            coach_role_id: r.coach_role_id,
            timezone: parse_tz(r.timezone),
            coaches_channel_id: r.coaches_channel_id,
        },
        None => GuildSettings { guild_id, coach_role_id: None, timezone: None, coaches_channel_id: None },
    })
}

/// Sets (or with `None` clears) the server's coach role.
pub async fn set_coach_role(pool: &SqlitePool, guild_id: i64, role_id: Option<i64>) -> Result<()> {
    sqlx::query(
        "INSERT INTO guild_settings (guild_id, coach_role_id, updated_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (guild_id) DO UPDATE
         SET coach_role_id = excluded.coach_role_id, updated_at_ms = excluded.updated_at_ms",
    )
    .bind(guild_id)
    .bind(role_id)
    .bind(now_ms())
    .execute(pool)
    .await?;
    Ok(())
}

/// Sets (or with `None` clears) the channel where coaches are told of red flags.
pub async fn set_coaches_channel(pool: &SqlitePool, guild_id: i64, channel_id: Option<i64>) -> Result<()> {
    sqlx::query(
        "INSERT INTO guild_settings (guild_id, coaches_channel_id, updated_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (guild_id) DO UPDATE
         SET coaches_channel_id = excluded.coaches_channel_id, updated_at_ms = excluded.updated_at_ms",
    )
    .bind(guild_id)
    .bind(channel_id)
    .bind(now_ms())
    .execute(pool)
    .await?;
    Ok(())
}

/// Sets (or with `None` clears) the server's default timezone.
pub async fn set_guild_timezone(pool: &SqlitePool, guild_id: i64, tz: Option<Tz>) -> Result<()> {
    sqlx::query(
        "INSERT INTO guild_settings (guild_id, timezone, updated_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (guild_id) DO UPDATE
         SET timezone = excluded.timezone, updated_at_ms = excluded.updated_at_ms",
    )
    .bind(guild_id)
    .bind(tz.map(|t| t.name().to_owned()))
    .bind(now_ms())
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes a server's settings (for example when the bot leaves it).
/// Returns whether there was a row.
pub async fn delete_guild_settings(pool: &SqlitePool, guild_id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM guild_settings WHERE guild_id = ?").bind(guild_id).execute(pool).await?;
    Ok(done.rows_affected() > 0)
}

/// Records that the bot was removed from a server (keeps the first time,
/// when told twice).
pub async fn mark_departed(pool: &SqlitePool, guild_id: i64, now_ms: i64) -> Result<()> {
    sqlx::query("INSERT OR IGNORE INTO departed_guilds (guild_id, left_at_ms) VALUES (?, ?)")
        .bind(guild_id)
        .bind(now_ms)
        .execute(pool)
        .await?;
    Ok(())
}

/// The bot is in the server (again): its data stays. Returns whether it
/// had been marked as departed.
pub async fn mark_present(pool: &SqlitePool, guild_id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM departed_guilds WHERE guild_id = ?").bind(guild_id).execute(pool).await?;
    Ok(done.rows_affected() > 0)
}

/// What [`purge_departed`] deleted for one server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    /// The server.
    pub guild_id: i64,
    /// When the bot left it (Unix ms).
    pub left_at_ms: i64,
    /// Rows deleted, all tables together.
    pub rows: u64,
}

/// Deletes every row of each server the bot left before `left_before_ms`
/// (sessions with their participants, credits, check-ins, reminders,
/// restrictions, the record of coaches' looks, settings), one transaction
/// per server.
pub async fn purge_departed(pool: &SqlitePool, left_before_ms: i64) -> Result<Vec<Purged>> {
    let due: Vec<(i64, i64)> =
        sqlx::query_as("SELECT guild_id, left_at_ms FROM departed_guilds WHERE left_at_ms < ? ORDER BY guild_id")
            .bind(left_before_ms)
            .fetch_all(pool)
            .await?;
    let mut out = Vec::with_capacity(due.len());
    for (guild_id, left_at_ms) in due {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let mut rows = 0;
        for sql in [
            "DELETE FROM hold_credits WHERE guild_id = ?",
            "DELETE FROM check_ins WHERE guild_id = ?",
            "DELETE FROM participants WHERE session_id IN (SELECT id FROM sessions WHERE guild_id = ?)",
            "DELETE FROM sessions WHERE guild_id = ?",
            "DELETE FROM reminders WHERE guild_id = ?",
            "DELETE FROM event_deletions WHERE guild_id = ?",
            "DELETE FROM event_interest WHERE guild_id = ?",
            "DELETE FROM athlete_restrictions WHERE guild_id = ?",
            "DELETE FROM record_views WHERE guild_id = ?",
            "DELETE FROM guild_settings WHERE guild_id = ?",
            "DELETE FROM departed_guilds WHERE guild_id = ?",
        ] {
            rows += sqlx::query(sql).bind(guild_id).execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        out.push(Purged { guild_id, left_at_ms, rows: rows.saturating_sub(1) });
    }
    Ok(out)
}
