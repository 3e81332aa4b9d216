//! The event keeper: a reminder made with `event:true` keeps its next
//! occurrence as a Discord scheduled event, and members who mark that event
//! interested are added to the lobby opened from the reminder's post.
//!
//! It works from stored state, not from a log of calls: the store says where
//! each reminder's event should start ([`store::events::out_of_step`]) and
//! which events of removed reminders are still to delete; one pass creates,
//! moves or deletes until Discord matches. A pass runs whenever reminders
//! change (added, removed, skipped, paused, fired), at start and every hour,
//! so an answer lost to a crash or an outage is made good by the next one.
//! Passes are serialised, so an event is never created twice.
//!
//! An event whose reminder has ended (its last date passed) is deleted; one
//! that Discord no longer has (deleted by hand, or ended by Discord after
//! downtime) is created anew at the next occurrence.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Notify};
use tokio_util::sync::CancellationToken;

use crate::content::Content;
use crate::metrics::Metrics;
use crate::session::engine::Plan;
use crate::store::events::{self, OutOfStep};
use crate::store::{self, discord_id, StoreError};

/// How long after its start an event is shown to end: the routine's length
/// plus this, for gathering and the lobby.
pub const GATHER_MS: i64 = 10 * 60 * 1000;

/// How often a pass runs with no change to prompt it (retries what failed).
pub const SWEEP: Duration = Duration::from_secs(3600);

/// At most this many interested members are added to one lobby.
pub const MAX_PRE_JOIN: usize = 100;

/// How long opening a lobby waits for Discord's list of who is interested
/// before it uses the list the gateway kept (the press must be answered
/// within 3 s).
pub const ASK_INTERESTED: Duration = Duration::from_millis(1200);

/// One event as the keeper wants it in Discord.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventSpec {
    pub guild_id: u64,
    /// The reminder's channel (where the routine is posted).
    pub channel_id: u64,
    /// The routine's name.
    pub name: String,
    pub description: String,
    /// Unix ms.
    pub start_ms: i64,
    /// Unix ms.
    pub end_ms: i64,
}

/// Why Discord did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Discord has no such event (deleted by hand, or already over).
    #[error("Discord no longer has that event")]
    Gone,
    /// The bot lacks Manage Events.
    #[error("I lack the Manage Events permission")]
    Forbidden,
    /// Anything else (network, 5xx, a refusal): tried again on the next pass.
    #[error("{0}")]
    Other(String),
}

/// What a [`Calendar`] call returns.
pub type CalendarFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, CalendarError>> + Send + 'a>>;

/// Discord's scheduled events of a server (the adapter implements it over
/// the REST API).
pub trait Calendar: Send + Sync + 'static {
    /// Creates an event; returns its id.
    fn create<'a>(&'a self, event: &'a EventSpec) -> CalendarFuture<'a, u64>;
    /// Moves event `event` to start at `start_ms` and end at `end_ms`.
    fn reschedule(&self, guild: u64, event: u64, start_ms: i64, end_ms: i64) -> CalendarFuture<'_, ()>;
    /// Deletes event `event`.
    fn delete(&self, guild: u64, event: u64) -> CalendarFuture<'_, ()>;
    /// Who has marked event `event` interested now (at most
    /// [`MAX_PRE_JOIN`], bots left out).
    fn interested(&self, guild: u64, event: u64) -> CalendarFuture<'_, Vec<u64>>;
}

/// What one reminder's step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Its event was created, with this id.
    Created(u64),
    /// Its event was moved to the next occurrence.
    Moved(u64),
    /// Its event was deleted (the reminder has ended).
    Deleted,
    /// Discord refused or did not answer; the next pass tries again.
    Failed(CalendarError),
    /// Nothing to do: its routine is gone and it has no event.
    Nothing,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Kept {
    pub created: usize,
    pub moved: usize,
    pub deleted: usize,
    pub failed: usize,
}

impl Kept {
    fn count(&mut self, step: &Step) {
        match step {
            Step::Created(_) => self.created += 1,
            Step::Moved(_) => self.moved += 1,
            Step::Deleted => self.deleted += 1,
            Step::Failed(_) => self.failed += 1,
            Step::Nothing => {}
        }
    }
}

/// The event keeper.
pub struct EventKeeper {
    pool: sqlx::SqlitePool,
    content: Arc<Content>,
    calendar: Arc<dyn Calendar>,
    metrics: Arc<Metrics>,
    /// Woken when reminders change ([`super::Reminders::changes`]).
    wake: Arc<Notify>,
    /// One pass at a time.
    pass: Mutex<()>,
}

impl EventKeeper {
    /// A keeper over `pool`, woken by `wake` when reminders change.
    pub fn new(
        pool: sqlx::SqlitePool,
        content: Arc<Content>,
        calendar: Arc<dyn Calendar>,
        metrics: Arc<Metrics>,
        wake: Arc<Notify>,
    ) -> Arc<Self> {
        Arc::new(Self { pool, content, calendar, metrics, wake, pass: Mutex::new(()) })
    }

    /// Brings reminder `id` of server `guild`'s event in step now (for
    /// `/remind add`): `None` when there was nothing to do.
    pub async fn keep_one(&self, guild: u64, id: i64) -> Result<Option<Step>, StoreError> {
        let _pass = self.pass.lock().await;
        match events::out_of_step_one(&self.pool, store::db_id(guild), id).await? {
            Some(row) => Ok(Some(self.step(&row).await?)),
            None => Ok(None),
        }
    }

    /// One pass over every reminder's event and every pending deletion.
    pub async fn keep_all(&self) -> Result<Kept, StoreError> {
        let _pass = self.pass.lock().await;
        let mut kept = Kept::default();
        for (guild, event) in events::pending_deletions(&self.pool).await? {
            match self.calendar.delete(discord_id(guild), discord_id(event)).await {
                Ok(()) | Err(CalendarError::Gone) => {
                    events::deletion_done(&self.pool, guild, event).await?;
                    kept.deleted += 1;
                }
                Err(e) => {
                    tracing::warn!(guild, event, error = %e, "could not delete a removed reminder's event; will retry");
                    kept.failed += 1;
                }
            }
        }
        for row in events::out_of_step(&self.pool).await? {
            let step = self.step(&row).await?;
            kept.count(&step);
        }
        Ok(kept)
    }

    async fn step(&self, row: &OutOfStep) -> Result<Step, StoreError> {
        let (guild, reminder) = (discord_id(row.guild_id), row.reminder_id);
        // Ended, or its routine is gone: no event should be kept.
        let routine = self.content.routine(&row.routine_id).filter(|_| !row.ended());
        let step = match (row.event_id, routine) {
            (Some(event), None) => match self.calendar.delete(guild, discord_id(event)).await {
                Ok(()) | Err(CalendarError::Gone) => {
                    events::set_event(&self.pool, row.guild_id, reminder, None, None).await?;
                    Step::Deleted
                }
                Err(e) => Step::Failed(e),
            },
            (None, None) => return Ok(Step::Nothing),
            (Some(event), Some(r)) => {
                let end = row.next_fire_ms.saturating_add(self.length_ms(r));
                match self.calendar.reschedule(guild, discord_id(event), row.next_fire_ms, end).await {
                    Ok(()) => {
                        events::set_event(&self.pool, row.guild_id, reminder, Some(event), Some(row.next_fire_ms))
                            .await?;
                        Step::Moved(discord_id(event))
                    }
                    Err(CalendarError::Gone) => self.create(row, r).await?,
                    Err(e) => Step::Failed(e),
                }
            }
            (None, Some(r)) => self.create(row, r).await?,
        };
        match &step {
            Step::Failed(e) => {
                tracing::warn!(reminder, guild, error = %e, "could not keep a reminder's event; will retry");
                self.metrics.reminder_event(false);
            }
            Step::Nothing => {}
            _ => self.metrics.reminder_event(true),
        }
        Ok(step)
    }

    async fn create(&self, row: &OutOfStep, routine: &crate::content::Routine) -> Result<Step, StoreError> {
        let spec = EventSpec {
            guild_id: discord_id(row.guild_id),
            channel_id: discord_id(row.channel_id),
            name: crate::content::render::truncate(&routine.name, crate::limits::EVENT_NAME),
            description: crate::content::render::truncate(
                &format!(
                    "Recovery: {}. I post the routine in the channel when it is time; press Start session there to \
                     open the lobby. Marked Interested? You're added to that lobby (press Leave if you can't make it).",
                    routine.name
                ),
                crate::limits::EVENT_DESCRIPTION,
            ),
            start_ms: row.next_fire_ms,
            end_ms: row.next_fire_ms.saturating_add(self.length_ms(routine)),
        };
        let event = match self.calendar.create(&spec).await {
            Ok(id) => id,
            Err(e) => return Ok(Step::Failed(e)),
        };
        match events::set_event(
            &self.pool,
            row.guild_id,
            row.reminder_id,
            Some(store::db_id(event)),
            Some(spec.start_ms),
        )
        .await
        {
            Ok(()) => Ok(Step::Created(event)),
            // Removed while the event was being made: it goes too.
            Err(StoreError::NotFound) => {
                if let Err(e) = self.calendar.delete(spec.guild_id, event).await {
                    tracing::warn!(event, error = %e, "could not delete the event of a reminder removed meanwhile");
                }
                Ok(Step::Deleted)
            }
            Err(e) => Err(e),
        }
    }

    fn length_ms(&self, routine: &crate::content::Routine) -> i64 {
        let plan = Plan::from_routine(&self.content, routine);
        i64::from(plan.total_secs()) * 1000 + GATHER_MS
    }

    /// The event reminder `id` of server `guild` keeps now, if any.
    pub async fn event_of(&self, guild: u64, id: i64) -> Result<Option<u64>, StoreError> {
        Ok(events::event_of(&self.pool, store::db_id(guild), id).await?.map(discord_id))
    }

    /// The members to add to a lobby opened from reminder `id`'s post: those
    /// interested in its event (none when it keeps none), at most
    /// [`MAX_PRE_JOIN`]. Discord's own list is asked first, so marks made
    /// while the bot was offline count; when it does not answer within
    /// [`ASK_INTERESTED`], the list kept from the gateway is used.
    pub async fn interested(&self, guild: u64, id: i64) -> Result<Vec<u64>, StoreError> {
        let g = store::db_id(guild);
        let Some(event) = events::event_of(&self.pool, g, id).await? else {
            return Ok(Vec::new());
        };
        let asked = tokio::time::timeout(ASK_INTERESTED, self.calendar.interested(guild, discord_id(event))).await;
        match asked {
            Ok(Ok(users)) => {
                let users: Vec<u64> = users.into_iter().take(MAX_PRE_JOIN).collect();
                let rows: Vec<i64> = users.iter().map(|u| store::db_id(*u)).collect();
                events::replace_interest(&self.pool, g, event, &rows).await?;
                return Ok(users);
            }
            Ok(Err(e)) => {
                tracing::warn!(event, error = %e, "Discord did not list who is interested; using the gateway's list");
            }
            Err(_) => tracing::warn!(event, "Discord was slow to list who is interested; using the gateway's list"),
        }
        let users = events::interested(&self.pool, g, event).await?;
        Ok(users.into_iter().take(MAX_PRE_JOIN).map(discord_id).collect())
    }

    /// A member marked event `event` interested (`added`) or not any more.
    pub async fn interest(&self, guild: u64, event: u64, user: u64, added: bool) -> Result<(), StoreError> {
        let (guild, event, user) = (store::db_id(guild), store::db_id(event), store::db_id(user));
        if added {
            events::interest_added(&self.pool, guild, event, user).await?;
        } else {
            events::interest_removed(&self.pool, event, user).await?;
        }
        Ok(())
    }

    /// Runs passes until `shutdown`: one at once, then on every change and
    /// every [`SWEEP`].
    pub fn spawn(self: &Arc<Self>, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                match this.keep_all().await {
                    Ok(kept) if kept != Kept::default() => tracing::info!(?kept, "reminder events kept"),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "could not read reminders' events");
                        this.metrics.database_error();
                    }
                }
                tokio::select! {
                    () = this.wake.notified() => {}
                    () = tokio::time::sleep(SWEEP) => {}
                    () = shutdown.cancelled() => return,
                }
            }
        })
    }
}
