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

use chrono_tz::Tz;
use sqlx::SqlitePool;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::content::{Content, Routine};
use crate::metrics::Metrics;
use crate::schedule::{self, Days, Due, TimeOfDay};
use crate::session::clock::{self, Clock};
use crate::store::outbox::NewMessage;
use crate::store::{self, NewReminder, Reminder, StoreError};

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
        Arc::new(Self { pool, content, sink, clock, metrics, wake: Notify::new() })
    }

    /// Adds a reminder; returns its id and first occurrence (Unix ms).
    /// [`StoreError::TooManyReminders`] when the server has the most it may.
    pub async fn add(&self, spec: &ReminderSpec) -> Result<(i64, i64), StoreError> {
        let now = self.clock.now_ms();
        let next = schedule::next_occurrence(now, spec.time, spec.days, spec.timezone);
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
        };
        let id = store::reminders::add_reminder(&self.pool, &new, now).await?;
        self.wake.notify_one();
        Ok((id, next))
    }

    /// Removes reminder `id` of server `guild`; [`StoreError::NotFound`] when
    /// that server has none with this id.
    pub async fn remove(&self, guild: u64, id: i64) -> Result<(), StoreError> {
        store::reminders::remove_reminder(&self.pool, store::db_id(guild), id).await?;
        self.wake.notify_one();
        Ok(())
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
        let advance = |r: &Reminder| schedule::next_occurrence(now_ms, r.time_of_day, r.days, r.timezone);
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
