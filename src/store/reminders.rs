//! Recurring reminders.
//!
//! The schedule itself (when the next occurrence falls) is computed outside
//! the store; the store keeps `next_fire_ms` and hands out due reminders with
//! [`claim_due`], which advances them in the same transaction, so a reminder
//! occurrence is never claimed twice, even across a crash and restart.

use chrono_tz::Tz;
use sqlx::{FromRow, SqlitePool};

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::outbox::{self, NewMessage};
use super::{Result, StoreError};
use crate::schedule::{self, Days, Rule, TimeOfDay};

/// At most this many reminders per server.
pub const MAX_REMINDERS_PER_GUILD: i64 = 25;

/// Where an undecodable row is parked by [`claim_due`] so that it never
/// falls due again (it stays listed, and can be removed).
pub const PARKED_MS: i64 = i64::MAX;

/// A stored reminder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// Row id, as `/remind list` shows it.
    pub id: i64,
    /// Server.
    pub guild_id: i64,
    /// Channel to post in.
    pub channel_id: i64,
    /// Routine to remind of.
    pub routine_id: String,
    /// Role to mention, if any.
    pub role_id: Option<i64>,
    /// Local time of day.
    pub time_of_day: TimeOfDay,
    /// The days it fires on.
    pub days: Days,
    /// Timezone of `time_of_day`.
    pub timezone: Tz,
    /// Next occurrence (Unix ms).
    pub next_fire_ms: i64,
    /// When it last fired (Unix ms).
    pub last_fired_ms: Option<i64>,
    /// Who created it; `None` once that user asked to be forgotten.
    pub created_by: Option<i64>,
    /// When it was created (Unix ms).
    pub created_at_ms: i64,
    /// Every this many weeks.
    pub every_weeks: u8,
    /// A date in the first week it fires in.
    pub anchor: NaiveDate,
    /// The last date it fires on.
    pub until: Option<NaiveDate>,
    /// It does not fire up to and including this date.
    pub paused_until: Option<NaiveDate>,
    /// Dates it does not fire on.
    pub skips: BTreeSet<NaiveDate>,
    /// It keeps its next occurrence as a Discord scheduled event.
    pub event: bool,
    /// That event's id, once created.
    pub event_id: Option<i64>,
}

impl Reminder {
    /// When it fires.
    pub fn rule(&self) -> Rule {
        Rule {
            time: self.time_of_day,
            days: self.days,
            tz: self.timezone,
            every_weeks: self.every_weeks,
            anchor: self.anchor,
            until: self.until,
            skips: self.skips.clone(),
            paused_until: self.paused_until,
        }
    }

    /// Whether its last date has passed (it will not fire again).
    pub fn ended(&self) -> bool {
        self.next_fire_ms == PARKED_MS
    }
}

/// What [`add_reminder`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReminder {
    /// Server.
    pub guild_id: i64,
    /// Channel to post in.
    pub channel_id: i64,
    /// Routine to remind of.
    pub routine_id: String,
    /// Role to mention, if any.
    pub role_id: Option<i64>,
    /// Local time of day.
    pub time_of_day: TimeOfDay,
    /// The days it fires on ([`Days`] holds at least one).
    pub days: Days,
    /// Timezone of `time_of_day`.
    pub timezone: Tz,
    /// First occurrence (Unix ms), computed by the caller.
    pub next_fire_ms: i64,
    /// Who creates it.
    pub created_by: Option<i64>,
    /// Every this many weeks (1..=12).
    pub every_weeks: u8,
    /// A date in the first week it fires in.
    pub anchor: NaiveDate,
    /// The last date it fires on.
    pub until: Option<NaiveDate>,
    /// It keeps its next occurrence as a Discord scheduled event.
    pub event: bool,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    guild_id: i64,
    channel_id: i64,
    routine_id: String,
    role_id: Option<i64>,
    time_of_day: String,
    days: i64,
    timezone: String,
    next_fire_ms: i64,
    last_fired_ms: Option<i64>,
    created_by: Option<i64>,
    created_at_ms: i64,
    every_weeks: i64,
    anchor_date: Option<String>,
    until_date: Option<String>,
    paused_until: Option<String>,
    skip_dates: String,
    event: bool,
    event_id: Option<i64>,
}

impl TryFrom<Row> for Reminder {
    type Error = StoreError;

    /// Decodes a row; a time, day mask or timezone that does not parse is
    /// [`StoreError::Corrupt`], never a default.
    fn try_from(r: Row) -> Result<Self> {
        let corrupt = |what: String| StoreError::Corrupt { table: "reminders", id: r.id, what };
        let time_of_day =
            r.time_of_day.parse::<TimeOfDay>().map_err(|_| corrupt(format!("time_of_day {:?}", r.time_of_day)))?;
        let days =
            u8::try_from(r.days).ok().and_then(Days::from_bits).ok_or_else(|| corrupt(format!("days {}", r.days)))?;
        let timezone = r.timezone.parse::<Tz>().map_err(|_| corrupt(format!("timezone {:?}", r.timezone)))?;
        let date = |what: &str, s: &str| schedule::parse_date(s).map_err(|_| corrupt(format!("{what} {s:?}")));
        let every_weeks = u8::try_from(r.every_weeks)
            .ok()
            .filter(|w| (1..=schedule::MAX_EVERY_WEEKS).contains(w))
            .ok_or_else(|| corrupt(format!("every_weeks {}", r.every_weeks)))?;
        let anchor = match &r.anchor_date {
            Some(s) => date("anchor_date", s)?,
            None => schedule::today(r.created_at_ms, timezone).ok_or_else(|| corrupt("created_at_ms".into()))?,
        };
        let until = r.until_date.as_deref().map(|s| date("until_date", s)).transpose()?;
        let paused_until = r.paused_until.as_deref().map(|s| date("paused_until", s)).transpose()?;
        let skips = r
            .skip_dates
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| date("skip_dates", s))
            .collect::<Result<BTreeSet<_>>>()?;
        Ok(Reminder {
            id: r.id,
            guild_id: r.guild_id,
            channel_id: r.channel_id,
            routine_id: r.routine_id,
            role_id: r.role_id,
            time_of_day,
            days,
            timezone,
            next_fire_ms: r.next_fire_ms,
            last_fired_ms: r.last_fired_ms,
            created_by: r.created_by,
            created_at_ms: r.created_at_ms,
            every_weeks,
            anchor,
            until,
            paused_until,
            skips,
            event: r.event,
            event_id: r.event_id,
        })
    }
}

const COLUMNS: &str = "id, guild_id, channel_id, routine_id, role_id, time_of_day, days, timezone, \
                       next_fire_ms, last_fired_ms, created_by, created_at_ms, every_weeks, anchor_date, \
                       until_date, paused_until, skip_dates, event, event_id";

/// Adds a reminder and returns its id. Refuses a reminder beyond
/// [`MAX_REMINDERS_PER_GUILD`] in one server ([`StoreError::TooManyReminders`],
/// checked and inserted in one statement, so concurrent adds cannot exceed
/// it). Time and days are typed, so a malformed one cannot reach here.
pub async fn add_reminder(pool: &SqlitePool, new: &NewReminder, now_ms: i64) -> Result<i64> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO reminders (guild_id, channel_id, routine_id, role_id, time_of_day, days,
                                timezone, next_fire_ms, created_by, created_at_ms, every_weeks,
                                anchor_date, until_date, event)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?12, ?13, ?14, ?15
         WHERE (SELECT COUNT(*) FROM reminders WHERE guild_id = ?1) < ?11
         RETURNING id",
    )
    .bind(new.guild_id)
    .bind(new.channel_id)
    .bind(&new.routine_id)
    .bind(new.role_id)
    .bind(new.time_of_day.to_string())
    .bind(i64::from(new.days.bits()))
    .bind(new.timezone.name())
    .bind(new.next_fire_ms)
    .bind(new.created_by)
    .bind(now_ms)
    .bind(MAX_REMINDERS_PER_GUILD)
    .bind(i64::from(new.every_weeks))
    .bind(new.anchor.to_string())
    .bind(new.until.map(|d| d.to_string()))
    .bind(new.event)
    .fetch_optional(pool)
    .await?;
    id.ok_or(StoreError::TooManyReminders { limit: MAX_REMINDERS_PER_GUILD })
}

/// One server's reminders, by id; [`StoreError::Corrupt`] when one of them
/// cannot be decoded.
pub async fn list_for_guild(pool: &SqlitePool, guild_id: i64) -> Result<Vec<Reminder>> {
    let sql = format!("SELECT {COLUMNS} FROM reminders WHERE guild_id = ? ORDER BY id");
    let rows: Vec<Row> = sqlx::query_as(&sql).bind(guild_id).fetch_all(pool).await?;
    rows.into_iter().map(Reminder::try_from).collect()
}

/// Removes reminder `id` of server `guild_id`; [`StoreError::NotFound`] when
/// that server has no such reminder (another server's id is not found). Its
/// Discord event, if it has one, is queued for deletion in the same
/// transaction (src/store/events.rs).
pub async fn remove_reminder(pool: &SqlitePool, guild_id: i64, id: i64) -> Result<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "INSERT INTO event_deletions (guild_id, event_id)
         SELECT guild_id, event_id FROM reminders WHERE id = ? AND guild_id = ? AND event_id IS NOT NULL
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(guild_id)
    .execute(&mut *tx)
    .await?;
    let done = sqlx::query("DELETE FROM reminders WHERE id = ? AND guild_id = ?")
        .bind(id)
        .bind(guild_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// The earliest `next_fire_ms` of all reminders: when the scheduler should
/// wake next. `None` when there are no reminders (parked rows do not count).
pub async fn next_due(pool: &SqlitePool) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT MIN(next_fire_ms) FROM reminders WHERE next_fire_ms < ?")
        .bind(PARKED_MS)
        .fetch_one(pool)
        .await?)
}

/// What [`claim_due`] found due.
#[derive(Debug, Default)]
pub struct Claimed {
    /// Due reminders as they were before the claim (so `next_fire_ms` is the
    /// occurrence being fired), earliest first.
    pub due: Vec<Reminder>,
    /// Due rows that could not be decoded ([`StoreError::Corrupt`]); each is
    /// parked at [`PARKED_MS`] so it does not fall due again.
    pub broken: Vec<StoreError>,
    /// The posts [`claim_due_staged`] stored in the outbox with the claim,
    /// with their outbox ids, in order.
    pub posts: Vec<(i64, NewMessage)>,
}

/// Claims every reminder due at `now_ms` (`next_fire_ms <= now_ms`), in one
/// transaction: each one's `next_fire_ms` becomes `advance(&reminder)` and
/// its `last_fired_ms` becomes `now_ms`. A due row that cannot be decoded is
/// parked and reported in [`Claimed::broken`].
///
/// `advance` must return a time after `now_ms`; an earlier one is raised to
/// `now_ms + 1` so a reminder can never fire in a loop. A claim is committed
/// before the caller posts anything: an occurrence fires at most once, and a
/// crash between the claim and the post loses that one post rather than
/// repeating it.
pub async fn claim_due<F>(pool: &SqlitePool, now_ms: i64, advance: F) -> Result<Claimed>
where
    F: Fn(&Reminder) -> i64,
{
    claim_due_staged(pool, now_ms, advance, |_| None).await
}

/// [`claim_due`], storing in the same transaction the post `stage` makes of
/// each claimed reminder (`None`: nothing to post, say when it is too late):
/// an occurrence is claimed and its post is in the outbox, or neither.
pub async fn claim_due_staged<F, S>(pool: &SqlitePool, now_ms: i64, advance: F, stage: S) -> Result<Claimed>
where
    F: Fn(&Reminder) -> i64,
    S: Fn(&Reminder) -> Option<NewMessage>,
{
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let sql = format!("SELECT {COLUMNS} FROM reminders WHERE next_fire_ms <= ? ORDER BY next_fire_ms, id");
    let rows: Vec<Row> = sqlx::query_as(&sql).bind(now_ms).fetch_all(&mut *tx).await?;
    let mut claimed = Claimed::default();
    for row in rows {
        let id = row.id;
        let (next, fired) = match Reminder::try_from(row) {
            Ok(r) => {
                let next = advance(&r).max(now_ms + 1);
                if let Some(post) = stage(&r) {
                    let ids = outbox::insert_in(&mut tx, std::slice::from_ref(&post), now_ms).await?;
                    claimed.posts.extend(ids.into_iter().map(|id| (id, post.clone())));
                }
                claimed.due.push(r);
                (next, Some(now_ms))
            }
            Err(e) => {
                claimed.broken.push(e);
                (PARKED_MS, None)
            }
        };
        sqlx::query("UPDATE reminders SET next_fire_ms = ?, last_fired_ms = COALESCE(?, last_fired_ms) WHERE id = ?")
            .bind(next)
            .bind(fired)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(claimed)
}

/// Sets the next occurrence of reminder `id` (for example after a catch-up
/// decision at start-up); [`StoreError::NotFound`] when it does not exist.
pub async fn set_next_fire(pool: &SqlitePool, id: i64, next_fire_ms: i64) -> Result<()> {
    let done = sqlx::query("UPDATE reminders SET next_fire_ms = ? WHERE id = ?")
        .bind(next_fire_ms)
        .bind(id)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One reminder of server `guild_id`; [`StoreError::NotFound`] when that
/// server has none with this id.
pub async fn get_reminder(pool: &SqlitePool, guild_id: i64, id: i64) -> Result<Reminder> {
    let sql = format!("SELECT {COLUMNS} FROM reminders WHERE id = ? AND guild_id = ?");
    let row: Option<Row> = sqlx::query_as(&sql).bind(id).bind(guild_id).fetch_optional(pool).await?;
    row.ok_or(StoreError::NotFound).and_then(Reminder::try_from)
}

/// Stores reminder `id`'s skipped dates, pause and next occurrence
/// ([`PARKED_MS`] when it has ended); [`StoreError::NotFound`] when server
/// `guild_id` has no such reminder.
pub async fn set_season(
    pool: &SqlitePool,
    guild_id: i64,
    id: i64,
    skips: &BTreeSet<NaiveDate>,
    paused_until: Option<NaiveDate>,
    next_fire_ms: i64,
) -> Result<()> {
    let skips: Vec<String> = skips.iter().map(ToString::to_string).collect();
    let done = sqlx::query(
        "UPDATE reminders SET skip_dates = ?, paused_until = ?, next_fire_ms = ? WHERE id = ? AND guild_id = ?",
    )
    .bind(skips.join(","))
    .bind(paused_until.map(|d| d.to_string()))
    .bind(next_fire_ms)
    .bind(id)
    .bind(guild_id)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
