//! The team report: per athlete in one server over the last N days.

use std::collections::{HashMap, HashSet};

use chrono_tz::Tz;
use sqlx::{FromRow, SqlitePool};

use super::progress::window_bounds;
use super::Result;

/// One athlete's line in the team report.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AthleteReport {
    /// The athlete.
    pub user_id: i64,
    /// Sessions with at least one credited hold in the window.
    pub sessions: i64,
    /// Holds in the window.
    pub holds: i64,
    /// Seconds held in the window.
    pub hold_secs: i64,
    /// Seconds of the group's holds a restriction had them not hold.
    pub modified_secs: i64,
    /// Seconds of the group's holds they missed by being absent for part of
    /// a session they joined.
    #[sqlx(skip)]
    pub missed_secs: i64,
    /// The latest credited hold in this server (Unix ms), even before the
    /// window; `None` when never.
    pub last_active_ms: Option<i64>,
}

impl AthleteReport {
    /// Hold time in whole minutes, rounded to the nearest.
    pub fn hold_minutes(&self) -> i64 {
        (self.hold_secs + 30) / 60
    }

    /// Whether the athlete did nothing in the window (a session sat out
    /// because of a restriction counts as something).
    pub fn is_inactive(&self) -> bool {
        self.holds == 0 && self.modified_secs == 0
    }
}

/// The team report for `guild_id` over the last `days` local days in `tz`
/// (today included), most hold time first.
///
/// Without `members`, it lists everyone with a hold in the window. With
/// `members` (for example the members of the athletes role), it lists exactly
/// those users, including those who did nothing (zero counts, at the end),
/// each with their last activity in this server.
pub async fn team_report(
    pool: &SqlitePool,
    guild_id: i64,
    tz: Tz,
    days: u32,
    now_ms: i64,
    members: Option<&[i64]>,
) -> Result<Vec<AthleteReport>> {
    let (start, end) = window_bounds(tz, days, now_ms);
    let mut active: Vec<AthleteReport> = sqlx::query_as(
        "SELECT user_id, COUNT(DISTINCT session_id) AS sessions, SUM(seconds > 0) AS holds,
                SUM(seconds) AS hold_secs, COALESCE(SUM(planned_seconds - seconds), 0) AS modified_secs,
                MAX(at_ms) AS last_active_ms
         FROM hold_credits
         WHERE guild_id = ? AND at_ms >= ? AND at_ms < ?
         GROUP BY user_id",
    )
    .bind(guild_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await?;

    if let Some(members) = members {
        let mut wanted: Vec<i64> = members.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        active.retain(|a| wanted.binary_search(&a.user_id).is_ok());
        let seen: HashSet<i64> = active.iter().map(|a| a.user_id).collect();
        let idle: Vec<i64> = wanted.into_iter().filter(|id| !seen.contains(id)).collect();
        if !idle.is_empty() {
            let ids = serde_json::Value::from(idle.clone()).to_string();
            // The unary `+` keeps the planner on hold_credits_user_time (read
            // backwards, stopping at the first hit) rather than scanning the
            // whole guild through hold_credits_guild_time.
            let last: HashMap<i64, i64> = sqlx::query_as::<_, (i64, Option<i64>)>(
                "SELECT m.value,
                        (SELECT h.at_ms FROM hold_credits h
                         WHERE h.user_id = m.value AND h.at_ms < ?2 AND +h.guild_id = ?1
                         ORDER BY h.at_ms DESC LIMIT 1)
                 FROM json_each(?3) m",
            )
            .bind(guild_id)
            .bind(end)
            .bind(ids)
            .fetch_all(pool)
            .await?
            .into_iter()
            .filter_map(|(user, at)| Some((user, at?)))
            .collect();
            active.extend(idle.into_iter().map(|user_id| AthleteReport {
                user_id,
                sessions: 0,
                holds: 0,
                hold_secs: 0,
                modified_secs: 0,
                missed_secs: 0,
                last_active_ms: last.get(&user_id).copied(),
            }));
        }
    }

    // Missed time of everyone in the server's sessions of the window, in one query.
    let missed: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(concat!(
        "SELECT p.user_id, ",
        super::progress::missed_secs_of_participant!(),
        " FROM participants p JOIN sessions s ON s.id = p.session_id
         WHERE s.guild_id = ?1 AND s.ended_at_ms >= ?2 AND s.ended_at_ms < ?3
           AND s.state IN ('done', 'stopped', 'abandoned')
         GROUP BY p.user_id"
    ))
    .bind(guild_id)
    .bind(start)
    .bind(end)
    .fetch_all(pool)
    .await?
    .into_iter()
    .collect();
    for a in &mut active {
        a.missed_secs = missed.get(&a.user_id).copied().unwrap_or(0);
    }
    active.sort_by(|a, b| {
        b.hold_secs
            .cmp(&a.hold_secs)
            .then(b.holds.cmp(&a.holds))
            .then(b.last_active_ms.cmp(&a.last_active_ms))
            .then(a.user_id.cmp(&b.user_id))
    });
    Ok(active)
}
