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
}

#[derive(FromRow)]
struct Row {
    coach_role_id: Option<i64>,
    timezone: Option<String>,
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
    let row: Option<Row> = sqlx::query_as("SELECT coach_role_id, timezone FROM guild_settings WHERE guild_id = ?")
        .bind(guild_id)
        .fetch_optional(pool)
        .await?;
    Ok(match row {
        Some(r) => GuildSettings { guild_id, coach_role_id: r.coach_role_id, timezone: parse_tz(r.timezone) },
        None => GuildSettings { guild_id, coach_role_id: None, timezone: None },
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
