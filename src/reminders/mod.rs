//! The reminder service: adds and removes reminders, and runs the one task
//! that sleeps until the earliest due reminder (woken early when reminders
//! change), claims what is due in one transaction and posts each occurrence
//! through a [`ReminderSink`].
//!
//! The rules live here, not in the adapter: the first occurrence of a new
//! reminder and the next one after a firing come from
//! [`schedule::next_occurrence`]; the catch-up policy after downtime is
//! [`schedule::due`] (less than an hour late fires once, marked late; later
//! is skipped). A stored row that does not decode is logged, counted and
//! parked by the store, never fired with a default time.

use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;
use sqlx::SqlitePool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::content::{Content, Routine};
use crate::metrics::Metrics;
use crate::schedule::{self, Days, Due, Rule, TimeOfDay};
use crate::session::clock::{self, Clock};
use crate::store::outbox::NewMessage;
use crate::store::{self, NewReminder, Reminder, StoreError};

pub mod events;
#[cfg(test)]
mod tests;

/// Where reminder posts go (the Discord adapter implements it with the
/// outbound queue). Posts are stored in the outbox with the claim of their
/// occurrence, then sent.
pub trait ReminderSink: Send + Sync + 'static {
    /// The post for one occurrence of `reminder`, which names `routine`;
    /// `late_by_ms` is set when the occurrence fires late (after downtime).
    fn stage(&self, reminder: &Reminder, routine: &Routine, late_by_ms: Option<i64>) -> NewMessage;

    /// Sends posts once stored, each with its outbox id.
    fn send_staged(&self, posts: Vec<(Option<i64>, NewMessage)>);
}

/// What a coach asks for with `/remind add`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderSpec {
    /// Server.
    pub guild_id: u64,
    /// Channel to post in.
    pub channel_id: u64,
    /// Routine to post.
    pub routine_id: String,
    /// Role to mention.
    pub role_id: Option<u64>,
    /// Local time of day.
    pub time: TimeOfDay,
    /// Days it fires on.
    pub days: Days,
    /// Timezone of `time`.
    pub timezone: Tz,
    /// The coach who adds it.
    pub created_by: u64,
    /// Every this many weeks (1: every week).
    pub every_weeks: u8,
    /// The last date it fires on.
    pub until: Option<NaiveDate>,
    /// Keep the next occurrence as a Discord scheduled event.
    pub event: bool,
}

/// Why the service would not do what was asked (the adapter words it).
#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    /// `until` is before today.
    #[error("last date {0} is in the past")]
    UntilInPast(NaiveDate),
    /// The rule would never fire (say `until` before its first day).
    #[error("the rule never fires")]
    NeverFires,
    /// A date to skip or pause to is in the past.
    #[error("date {0} is in the past")]
    DateInPast(NaiveDate),
    /// Every more than [`schedule::MAX_EVERY_WEEKS`] weeks, or 0.
    #[error("every {0} weeks is out of range")]
    Every(u8),
    /// More skipped dates than [`schedule::MAX_SKIPS`].
    #[error("more than {0} skipped dates")]
    TooManySkips(usize),
    /// From the store.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one pass over the due reminders did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Fired {
    /// Posted.
    pub posted: usize,
    /// Not posted: more than an hour late, or the routine is gone.
    pub skipped: usize,
    /// Rows that could not be decoded (parked).
    pub unreadable: usize,
}

/// The reminder service.
pub struct Reminders {
    pool: SqlitePool,
    content: Arc<Content>,
    sink: Arc<dyn ReminderSink>,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    wake: Notify,
    /// Told of every change to when reminders fire (the event keeper).
    changed: Arc<Notify>,
}

impl Reminders {
    /// A service over `pool`, posting through `sink` at times from `clock`.
    pub fn new(
        pool: SqlitePool,
        content: Arc<Content>,
        sink: Arc<dyn ReminderSink>,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
    ) -> Arc<Self> {
        Arc::new(Self { pool, content, sink, clock, metrics, wake: Notify::new(), changed: Arc::new(Notify::new()) })
    }

    /// Notified whenever a reminder is added, removed, moved or fires (what
    /// [`events::EventKeeper`] waits on).
    pub fn changes(&self) -> Arc<Notify> {
        self.changed.clone()
    }

    fn changed(&self) {
        self.wake.notify_one();
        self.changed.notify_one();
    }

    fn today(&self, tz: Tz) -> NaiveDate {
        let now = self.clock.now_ms();
        schedule::today(now, tz).unwrap_or_default()
    }

    /// Adds a reminder; returns its id and first occurrence (Unix ms).
    /// [`StoreError::TooManyReminders`] when the server has the most it may.
    pub async fn add(&self, spec: &ReminderSpec) -> Result<(i64, i64), ReminderError> {
        let now = self.clock.now_ms();
        if !(1..=schedule::MAX_EVERY_WEEKS).contains(&spec.every_weeks) {
            return Err(ReminderError::Every(spec.every_weeks));
        }
        let today = self.today(spec.timezone);
        if let Some(until) = spec.until.filter(|u| *u < today) {
            return Err(ReminderError::UntilInPast(until));
        }
        let mut rule = Rule::weekly(spec.time, spec.days, spec.timezone, today);
        rule.every_weeks = spec.every_weeks;
        rule.until = spec.until;
        let next = rule.next_after(now).ok_or(ReminderError::NeverFires)?;
        let new = NewReminder {
            guild_id: store::db_id(spec.guild_id),
            channel_id: store::db_id(spec.channel_id),
            routine_id: spec.routine_id.clone(),
            role_id: spec.role_id.map(store::db_id),
            time_of_day: spec.time,
            days: spec.days,
            timezone: spec.timezone,
            next_fire_ms: next,
            created_by: Some(store::db_id(spec.created_by)),
            every_weeks: spec.every_weeks,
            anchor: today,
            until: spec.until,
            event: spec.event,
        };
        let id = store::reminders::add_reminder(&self.pool, &new, now).await?;
        self.changed();
        Ok((id, next))
    }

    /// Removes reminder `id` of server `guild`; [`StoreError::NotFound`] when
    /// that server has none with this id.
    pub async fn remove(&self, guild: u64, id: i64) -> Result<(), StoreError> {
        store::reminders::remove_reminder(&self.pool, store::db_id(guild), id).await?;
        self.changed();
        Ok(())
    }

    /// Reminder `id` of server `guild` and its next `n` occurrences.
    pub async fn preview(&self, guild: u64, id: i64, n: usize) -> Result<(Reminder, Vec<i64>), ReminderError> {
        let r =
            store::reminders::get_reminder(&self.pool, store::db_id(guild), id).await.inspect_err(|e| self.count(e))?;
        let upcoming = r.rule().upcoming(self.clock.now_ms(), n);
        Ok((r, upcoming))
    }

    /// Adds `dates` to the dates reminder `id` does not fire on; returns its
    /// next occurrence (`None`: it has ended).
    pub async fn skip(&self, guild: u64, id: i64, dates: &[NaiveDate]) -> Result<Option<i64>, ReminderError> {
        let r = store::reminders::get_reminder(&self.pool, store::db_id(guild), id).await?;
        let today = self.today(r.timezone);
        if let Some(past) = dates.iter().find(|d| **d < today) {
            return Err(ReminderError::DateInPast(*past));
        }
        let mut rule = r.rule();
        rule.skips.retain(|d| *d >= today);
        rule.skips.extend(dates.iter().copied());
        if rule.skips.len() > schedule::MAX_SKIPS {
            return Err(ReminderError::TooManySkips(schedule::MAX_SKIPS));
        }
        self.store_season(&r, &rule).await
    }

    /// Pauses reminder `id` through `until` (`None`: resumes it now);
    /// returns its next occurrence.
    pub async fn pause(&self, guild: u64, id: i64, until: Option<NaiveDate>) -> Result<Option<i64>, ReminderError> {
        let r = store::reminders::get_reminder(&self.pool, store::db_id(guild), id).await?;
        if let Some(past) = until.filter(|u| *u < self.today(r.timezone)) {
            return Err(ReminderError::DateInPast(past));
        }
        let mut rule = r.rule();
        rule.paused_until = until;
        self.store_season(&r, &rule).await
    }

    async fn store_season(&self, r: &Reminder, rule: &Rule) -> Result<Option<i64>, ReminderError> {
        let next = rule.next_after(self.clock.now_ms());
        let next_ms = next.unwrap_or(store::reminders::PARKED_MS);
        store::reminders::set_season(&self.pool, r.guild_id, r.id, &rule.skips, rule.paused_until, next_ms).await?;
        self.changed();
        Ok(next)
    }

    /// A server's reminders, by id.
    pub async fn list(&self, guild: u64) -> Result<Vec<Reminder>, StoreError> {
        store::reminders::list_for_guild(&self.pool, store::db_id(guild)).await.inspect_err(|e| self.count(e))
    }

    fn count(&self, e: &StoreError) {
        match e {
            StoreError::Corrupt { .. } => self.metrics.record_unreadable_row(),
            StoreError::Other(_) | StoreError::Migrate(_) => self.metrics.database_error(),
            _ => {}
        }
    }

    /// Claims and posts every reminder due at `now_ms`: each claim and its
    /// post are stored in one transaction, then the posts are sent.
    pub async fn fire_due(&self, now_ms: i64) -> Fired {
        let mut fired = Fired::default();
        // Past its last date a reminder is parked: it stays listed as ended.
        let advance = |r: &Reminder| r.rule().next_after(now_ms).unwrap_or(store::reminders::PARKED_MS);
        let stage = |r: &Reminder| match schedule::due(r.next_fire_ms, now_ms) {
            Due::Fire { late_by_ms, late } => self.content.routine(&r.routine_id).map(|routine| {
                let mut post = self.sink.stage(r, routine, late.then_some(late_by_ms));
                // Past the catch-up limit a resend after a crash is as late as a
                // missed occurrence: dropped, like one.
                post.expires_at_ms = Some(r.next_fire_ms.saturating_add(schedule::CATCH_UP_LIMIT_MS));
                post
            }),
            Due::Skip { .. } => None,
        };
        let claimed = match store::reminders::claim_due_staged(&self.pool, now_ms, advance, stage).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "could not claim due reminders");
                self.count(&e);
                return fired;
            }
        };
        for e in &claimed.broken {
            tracing::error!(error = %e, "a stored reminder cannot be read; it is parked and will not fire");
            self.count(e);
            fired.unreadable += 1;
        }
        for r in &claimed.due {
            match schedule::due(r.next_fire_ms, now_ms) {
                Due::Fire { .. } if self.content.routine(&r.routine_id).is_some() => {
                    self.metrics.reminder_fired();
                    fired.posted += 1;
                }
                Due::Fire { .. } => {
                    tracing::warn!(reminder = r.id, routine = %r.routine_id, "reminder names a routine that no longer exists");
                    self.metrics.reminder_skipped();
                    fired.skipped += 1;
                }
                Due::Skip { late_by_ms } => {
                    tracing::warn!(
                        reminder = r.id,
                        late_min = late_by_ms / 60_000,
                        "skipped a reminder more than an hour late"
                    );
                    self.metrics.reminder_skipped();
                    fired.skipped += 1;
                }
            }
        }
        self.sink.send_staged(claimed.posts.into_iter().map(|(id, post)| (Some(id), post)).collect());
        if !claimed.due.is_empty() {
            self.changed.notify_one();
        }
        fired
    }

    /// Runs the scheduler until `shutdown` is cancelled (a firing that has
    /// begun runs to its end).
    pub fn spawn(self: &Arc<Self>, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            while !shutdown.is_cancelled() {
                let notified = this.wake.notified();
                let next = match store::reminders::next_due(&this.pool).await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::error!(error = %e, "could not read reminders; retrying in a minute");
                        this.count(&e);
                        tokio::select! {
                            () = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
                            () = shutdown.cancelled() => {}
                        }
                        continue;
                    }
                };
                let now = this.clock.now_ms();
                match next {
                    Some(t) if t <= now => {
                        this.fire_due(now).await;
                    }
                    Some(t) => {
                        tokio::select! {
                            () = tokio::time::sleep(clock::until(now, t)) => {}
                            () = notified => {}
                            () = shutdown.cancelled() => {}
                        }
                    }
                    None => tokio::select! {
                        () = notified => {}
                        () = shutdown.cancelled() => {}
                    },
                }
            }
        })
    }
}
