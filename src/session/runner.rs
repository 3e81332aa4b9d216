//! The session runner: every live session of the process, one timer queue
//! for all of them, persistence on every phase change, and restart.
//!
//! - One task sleeps until the earliest deadline of any session (a
//!   `BTreeSet` of `(deadline, session)`), then ticks every session that is
//!   due. Nothing polls: no task per session, no fixed-interval database
//!   reads.
//! - Announcements go to a [`Sink`] first (the Discord outbound queue, or a
//!   null sink in benchmarks), then the tick's session writes and credits are
//!   stored in one transaction. Credits are idempotent in the database, and
//!   cues carry a nonce of (session, seq), so a crash between the two can
//!   neither double a credit nor post a phase twice.
//! - [`Runner::restore`] loads the live sessions after a restart and lets the
//!   engine carry on from the phase that is due now (or end a session whose
//!   group went more than 15 minutes without a cue).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

use sqlx::SqlitePool;
use tokio::sync::{Mutex, Notify};

use super::clock::{self, Clock};
use super::engine::{
    Announcement, CurrentPhase, Event, Membership, Outcome, Participant, PersonalLimit, Plan, Refusal, Session, Side,
    Status, MAX_DOWNTIME_MS,
};
use super::writer::Writer;
use crate::store::batch::SessionWrite;
use crate::store::outbox::NewMessage;
use crate::store::{self, db_id, sessions, CreditRecord, NewSession, SessionState, StoreError};

/// What the Discord layer (or a test) needs to render a session.
#[derive(Debug, Clone)]
pub struct View {
    pub id: i64,
    pub guild_id: u64,
    pub channel_id: u64,
    pub host: u64,
    pub plan: Plan,
    pub total_secs: u32,
    pub state: Status,
    pub roster: Vec<Participant>,
    pub current: Option<CurrentPhase>,
    pub deadline_ms: Option<i64>,
    /// The lobby's message, once the adapter has told the runner its id.
    pub lobby_message: Option<u64>,
}

impl View {
    fn of(live: &Live) -> Self {
        let s = &live.session;
        View {
            id: s.id,
            guild_id: live.guild_id,
            channel_id: live.channel_id,
            host: s.host,
            plan: s.plan().clone(),
            total_secs: s.total_secs(),
            state: s.status(),
            roster: s.roster().to_vec(),
            current: s.current_phase(),
            deadline_ms: s.deadline_ms(),
            lobby_message: live.lobby_message,
        }
    }

    /// Users present now.
    pub fn present(&self) -> Vec<u64> {
        self.roster.iter().filter(|p| p.present).map(|p| p.user).collect()
    }
}

/// Announcements of one session, to be posted in its channel in order.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub view: View,
    pub announcements: Vec<Announcement>,
}

/// Where announcements go. Nothing here may block: it queues.
///
/// A durable sink renders each delivery into outbox messages ([`Sink::stage`]);
/// the runner stores them in the same transaction as the state change that
/// made them, then hands them to [`Sink::send_staged`]. A sink that stages
/// nothing gets each delivery at once through [`Sink::deliver`].
pub trait Sink: Send + Sync + 'static {
    /// The messages to store for `delivery` before they are sent; the
    /// default stores nothing.
    fn stage(&self, delivery: &Delivery) -> Vec<NewMessage> {
        let _ = delivery;
        Vec::new()
    }

    /// Sends a delivery that staged nothing.
    fn deliver(&self, delivery: Delivery);

    /// Sends staged messages once their transaction is committed, each with
    /// its outbox id (`None` when storing failed: sent anyway, so a full
    /// disk delays nothing, but not durable).
    fn send_staged(&self, messages: Vec<(Option<i64>, NewMessage)>) {
        let _ = messages;
    }

    /// The session left its lobby (on its timer, Start now, or when a
    /// restart found it due): the lobby message can say so. Best effort;
    /// the default does nothing.
    fn started(&self, view: &View) {
        let _ = view;
    }
}

/// What starting a session needs.
#[derive(Debug, Clone)]
pub struct StartSpec {
    pub guild_id: u64,
    pub channel_id: u64,
    pub host: u64,
    pub plan: Plan,
    pub start_in_secs: u32,
    /// The host's personal limits for this plan (see [`Runner::join`]).
    pub host_limits: Vec<PersonalLimit>,
}

/// Why the runner could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("a live session already exists in this channel")]
    ChannelBusy,
    #[error("no live session with this id")]
    NoSession,
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for RunnerError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::ChannelBusy => RunnerError::ChannelBusy,
            other => RunnerError::Store(other),
        }
    }
}

struct Live {
    session: Session,
    guild_id: u64,
    channel_id: u64,
    lobby_message: Option<u64>,
}

#[derive(Default)]
struct Table {
    sessions: HashMap<i64, Live>,
    by_channel: HashMap<u64, i64>,
    timers: BTreeSet<(i64, i64)>,
}

impl Table {
    fn set_timer(&mut self, id: i64, old: Option<i64>, new: Option<i64>) {
        if let Some(d) = old {
            self.timers.remove(&(d, id));
        }
        if let Some(d) = new {
            self.timers.insert((d, id));
        }
    }

    fn remove(&mut self, id: i64) {
        if let Some(live) = self.sessions.remove(&id) {
            self.by_channel.remove(&live.channel_id);
            if let Some(d) = live.session.deadline_ms() {
                self.timers.remove(&(d, id));
            }
        }
    }
}

struct Inner {
    pool: SqlitePool,
    clock: Arc<dyn Clock>,
    sink: Arc<dyn Sink>,
    table: Mutex<Table>,
    wake: Notify,
    writer: Writer,
}

/// The process's session runner. Cheap to clone.
#[derive(Clone)]
pub struct Runner {
    inner: Arc<Inner>,
}

fn side_name(side: Option<Side>) -> Option<String> {
    side.map(|s| match s {
        Side::Left => "left".to_string(),
        Side::Right => "right".to_string(),
    })
}

/// The engine's credits as store rows.
fn credits_of(live: &Live, out: &Outcome, now_ms: i64) -> Vec<CreditRecord> {
    out.credits
        .iter()
        .map(|c| CreditRecord {
            session_id: live.session.id,
            user_id: db_id(c.user),
            phase_seq: i64::from(c.phase_seq),
            guild_id: db_id(live.guild_id),
            exercise_id: c.exercise_id.clone(),
            side: side_name(c.side),
            seconds: i64::from(c.seconds),
            planned_seconds: c.planned_seconds.map(i64::from),
            at_ms: now_ms,
        })
        .collect()
}

fn stored_state(status: Status) -> SessionState {
    match status {
        Status::Lobby => SessionState::Lobby,
        Status::Running => SessionState::Running,
        Status::Paused => SessionState::Paused,
        Status::Done => SessionState::Done,
        Status::Stopped => SessionState::Stopped,
        Status::Abandoned => SessionState::Abandoned,
    }
}

/// The row write for a session's current state.
fn write_of(session: &Session) -> SessionWrite {
    let state = stored_state(session.status());
    if session.is_over() {
        let roster = session.roster();
        let summary = serde_json::json!({
            "routine": session.plan().routine_id,
            "participants": roster.len(),
            "hold_secs": roster.iter().map(|p| p.hold_secs).max().unwrap_or(0),
            "group_hold_secs": session.group_hold_secs(),
        });
        SessionWrite::Finish { id: session.id, state, summary: Some(summary.to_string()) }
    } else {
        let engine = serde_json::to_string(session).unwrap_or_default();
        SessionWrite::Save { id: session.id, state, engine, deadline_ms: session.deadline_ms() }
    }
}

impl Runner {
    /// A runner over `pool`, reading time from `clock`, posting to `sink`;
    /// `on_db_error` is called when storing progress fails in the background
    /// (the writer, the timer loop, ending a session whose channel is gone),
    /// for metrics. Must be called within a tokio runtime (it starts the
    /// writer task).
    pub fn new(
        pool: SqlitePool,
        clock: Arc<dyn Clock>,
        sink: Arc<dyn Sink>,
        on_db_error: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        let writer = Writer::spawn(pool.clone(), Arc::new(on_db_error), sink.clone());
        let inner = Inner { pool, clock, sink, table: Mutex::new(Table::default()), wake: Notify::new(), writer };
        Self { inner: Arc::new(inner) }
    }

    /// Waits until every change so far is in the database.
    pub async fn flush(&self) {
        self.inner.writer.flush().await;
    }

    /// Now, by the runner's clock.
    pub fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    /// Starts a session in a channel: its lobby. Refuses a second live
    /// session in the same channel.
    pub async fn start(&self, spec: StartSpec) -> Result<View, RunnerError> {
        let mut table = self.inner.table.lock().await;
        if table.by_channel.contains_key(&spec.channel_id) {
            return Err(RunnerError::ChannelBusy);
        }
        let now = self.now_ms();
        let new = NewSession {
            guild_id: db_id(spec.guild_id),
            channel_id: db_id(spec.channel_id),
            host_id: db_id(spec.host),
            routine_id: spec.plan.routine_id.clone(),
            state: SessionState::Lobby,
            engine: None,
            deadline_ms: None,
        };
        let id = sessions::create_session(&self.inner.pool, &new, now).await?;
        let (mut session, out) = Session::new(id, spec.host, spec.plan, spec.start_in_secs, now);
        session.set_limits(spec.host, spec.host_limits);
        let live = Live { session, guild_id: spec.guild_id, channel_id: spec.channel_id, lobby_message: None };
        // Stored before anything is announced: a restart must find the engine
        // (and the lobby's announcement, in the outbox).
        let delivery = Delivery { view: View::of(&live), announcements: out.announcements };
        let staged = self.inner.sink.stage(&delivery);
        let (_, ids) =
            crate::store::batch::apply_all(&self.inner.pool, &[write_of(&live.session)], &[], &staged, now).await?;
        let view = View::of(&live);
        if staged.is_empty() {
            if !delivery.announcements.is_empty() {
                self.inner.sink.deliver(delivery);
            }
        } else {
            self.inner.sink.send_staged(ids.into_iter().map(Some).zip(staged).collect());
        }
        let deadline = live.session.deadline_ms();
        table.set_timer(id, None, deadline);
        table.by_channel.insert(spec.channel_id, id);
        table.sessions.insert(id, live);
        drop(table);
        self.inner.wake.notify_one();
        Ok(view)
    }

    /// Records the lobby message of a live session (so it can be edited
    /// when the session starts, also after a restart).
    pub async fn set_lobby_message(&self, id: i64, message_id: u64) -> Result<(), RunnerError> {
        let started = {
            let mut table = self.inner.table.lock().await;
            let Some(live) = table.sessions.get_mut(&id) else { return Err(RunnerError::NoSession) };
            live.lobby_message = Some(message_id);
            (live.session.status() != Status::Lobby).then(|| View::of(live))
        };
        sessions::set_lobby_message(&self.inner.pool, id, db_id(message_id)).await?;
        // Started before the id was known (start_in 0): say so now.
        if let Some(view) = started {
            self.inner.sink.started(&view);
        }
        Ok(())
    }

    /// The live session in a channel.
    pub async fn session_in(&self, channel_id: u64) -> Option<i64> {
        self.inner.table.lock().await.by_channel.get(&channel_id).copied()
    }

    /// A snapshot of a live session.
    pub async fn view(&self, id: i64) -> Option<View> {
        self.inner.table.lock().await.sessions.get(&id).map(View::of)
    }

    /// Number of live sessions.
    pub async fn live_count(&self) -> usize {
        self.inner.table.lock().await.sessions.len()
    }

    /// Applies an event (join, leave, a control) to a live session; the
    /// engine decides who may do what.
    pub async fn handle(&self, id: i64, event: Event) -> Result<(Outcome, View), RunnerError> {
        self.apply(id, event, None).await
    }

    /// Joins `user` to a live session with their personal limits for it
    /// (which replace any they had, when they rejoin); they are credited with
    /// what the limits let them do.
    pub async fn join(&self, id: i64, user: u64, limits: Vec<PersonalLimit>) -> Result<(Outcome, View), RunnerError> {
        self.apply(id, Event::Join(user), Some(limits)).await
    }

    async fn apply(
        &self,
        id: i64,
        event: Event,
        limits: Option<Vec<PersonalLimit>>,
    ) -> Result<(Outcome, View), RunnerError> {
        let mut table = self.inner.table.lock().await;
        let now = self.now_ms();
        let live = table.sessions.get_mut(&id).ok_or(RunnerError::NoSession)?;
        let old = live.session.deadline_ms();
        let was_lobby = live.session.status() == Status::Lobby;
        let out = live.session.handle(now, event)?;
        if was_lobby && live.session.status() != Status::Lobby {
            self.inner.sink.started(&View::of(live));
        }
        let user = match event {
            Event::Join(u) | Event::Leave(u) => Some(u),
            _ => None,
        };
        if let (Some(u), Some(limits), Some(Membership::Joined)) = (user, limits, out.membership) {
            live.session.set_limits(u, limits);
        }
        let credits = credits_of(live, &out, now);
        let mut writes = Vec::with_capacity(2);
        match (user, out.membership) {
            (Some(u), Some(Membership::Joined)) => {
                writes.push(SessionWrite::Join { id, user_id: db_id(u), at_ms: now });
            }
            (Some(u), Some(Membership::Left)) => {
                writes.push(SessionWrite::Leave { id, user_id: db_id(u), at_ms: now });
            }
            _ => {}
        }
        writes.push(write_of(&live.session));
        let view = View::of(live);
        let over = live.session.is_over();
        let new = live.session.deadline_ms();
        let staged = self.stage(live, out.announcements.clone());
        self.inner.writer.write(writes, credits, staged, now);
        if over {
            table.remove(id);
        } else {
            table.set_timer(id, old, new);
        }
        drop(table);
        self.inner.wake.notify_one();
        Ok((out, view))
    }

    /// Ends a session whose channel can no longer be posted to.
    pub async fn abandon_channel(&self, channel_id: u64) {
        let mut table = self.inner.table.lock().await;
        let Some(id) = table.by_channel.get(&channel_id).copied() else { return };
        let now = self.now_ms();
        let write = match table.sessions.get(&id) {
            Some(live) => {
                let mut summary = serde_json::json!({ "routine": live.session.plan().routine_id });
                summary["reason"] = "channel unavailable".into();
                SessionWrite::Finish { id, state: SessionState::Abandoned, summary: Some(summary.to_string()) }
            }
            None => return,
        };
        self.inner.writer.write(vec![write], Vec::new(), Vec::new(), now);
        tracing::warn!(session = id, channel = channel_id, "session ended: its channel is gone or forbids the bot");
        table.remove(id);
    }

    /// Loads the live sessions after a restart and carries each on from the
    /// phase due now. Returns how many were loaded.
    pub async fn restore(&self) -> Result<usize, RunnerError> {
        let rows = sessions::live_sessions(&self.inner.pool).await?;
        let now = self.now_ms();
        let mut table = self.inner.table.lock().await;
        let mut writes = Vec::new();
        let mut credits = Vec::new();
        let mut staged = Vec::new();
        let mut restored = 0;
        for row in rows {
            let Some(mut session) = row.engine.as_deref().and_then(|j| serde_json::from_str::<Session>(j).ok()) else {
                tracing::warn!(session = row.id, "live session without a readable engine state; ending it");
                writes.push(SessionWrite::Finish { id: row.id, state: SessionState::Abandoned, summary: None });
                continue;
            };
            let out = session.recover(now, MAX_DOWNTIME_MS);
            let was_lobby = row.state == SessionState::Lobby;
            let live = Live {
                session,
                guild_id: store::discord_id(row.guild_id),
                channel_id: store::discord_id(row.channel_id),
                lobby_message: row.lobby_message_id.map(store::discord_id),
            };
            if was_lobby && live.session.status() != Status::Lobby {
                self.inner.sink.started(&View::of(&live));
            }
            credits.extend(credits_of(&live, &out, now));
            writes.push(write_of(&live.session));
            staged.extend(self.stage(&live, out.announcements));
            if !live.session.is_over() {
                table.set_timer(row.id, None, live.session.deadline_ms());
                table.by_channel.insert(live.channel_id, row.id);
                table.sessions.insert(row.id, live);
                restored += 1;
            }
        }
        self.inner.writer.write(writes, credits, staged, now);
        drop(table);
        self.inner.wake.notify_one();
        Ok(restored)
    }

    /// What `announcements` become: outbox messages to store, when the sink
    /// stages them; otherwise they are delivered now.
    fn stage(&self, live: &Live, announcements: Vec<Announcement>) -> Vec<NewMessage> {
        if announcements.is_empty() {
            return Vec::new();
        }
        let delivery = Delivery { view: View::of(live), announcements };
        let staged = self.inner.sink.stage(&delivery);
        if staged.is_empty() {
            self.inner.sink.deliver(delivery);
        }
        staged
    }

    /// Ticks every session whose deadline has passed (the timer loop calls
    /// this; tests with a manual clock call it directly).
    pub async fn tick(&self) {
        let mut table = self.inner.table.lock().await;
        let now = self.now_ms();
        let mut due = Vec::new();
        while let Some(&(d, id)) = table.timers.first() {
            if d > now {
                break;
            }
            table.timers.remove(&(d, id));
            due.push(id);
        }
        // Cues first: every due session moves on and is announced before
        // anything is serialised for the database.
        let mut changed = Vec::with_capacity(due.len());
        let mut credits = Vec::new();
        let mut staged = Vec::new();
        for id in due {
            let Some(live) = table.sessions.get_mut(&id) else { continue };
            let was_lobby = live.session.status() == Status::Lobby;
            let Ok(out) = live.session.handle(now, Event::Tick) else { continue };
            if was_lobby && live.session.status() != Status::Lobby {
                self.inner.sink.started(&View::of(live));
            }
            if !out.credits.is_empty() {
                credits.extend(credits_of(live, &out, now));
            }
            staged.extend(self.stage(live, out.announcements));
            changed.push(id);
        }
        let mut writes = Vec::with_capacity(changed.len());
        for id in changed {
            let Some(live) = table.sessions.get(&id) else { continue };
            writes.push(write_of(&live.session));
            match (live.session.is_over(), live.session.deadline_ms()) {
                (true, _) => table.remove(id),
                (false, Some(d)) => {
                    table.timers.insert((d, id));
                }
                (false, None) => {}
            }
        }
        self.inner.writer.write(writes, credits, staged, now);
    }

    /// Wakes the timer loop to look at the clock again (after a manual clock
    /// moved, in tests).
    pub fn poke(&self) {
        self.inner.wake.notify_one();
    }

    /// Runs the timer loop until `shutdown` is cancelled. A tick that has
    /// begun runs to its end; the loop stops at its next wait.
    ///
    /// tokio's timer has 1 ms ticks and rounds up, so the loop sleeps until
    /// [`EARLY_US`] before a deadline and yields through the last stretch:
    /// a cue goes out within a fraction of a millisecond of its second.
    pub fn spawn(&self, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let runner = self.clone();
        tokio::spawn(async move {
            while !shutdown.is_cancelled() {
                let next = runner.inner.table.lock().await.timers.first().map(|&(d, _)| d);
                let notified = runner.inner.wake.notified();
                let Some(d) = next else {
                    tokio::select! {
                        () = notified => {}
                        () = shutdown.cancelled() => {}
                    }
                    continue;
                };
                let left_us = d * 1000 - runner.inner.clock.now_micros();
                if left_us <= 0 {
                    runner.tick().await;
                } else if left_us > EARLY_US {
                    let wait = std::time::Duration::from_micros(u64::try_from(left_us - EARLY_US).unwrap_or(0));
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = notified => {}
                        () = shutdown.cancelled() => {}
                    }
                } else {
                    let give_up = std::time::Instant::now() + std::time::Duration::from_micros(2 * EARLY_US as u64);
                    while runner.now_ms() < d && std::time::Instant::now() < give_up {
                        tokio::task::yield_now().await;
                    }
                    if runner.now_ms() < d {
                        // A clock that does not follow real time (tests): wait to be woken.
                        tokio::select! {
                            () = tokio::time::sleep(clock::until(runner.now_ms(), d)) => {}
                            () = notified => {}
                            () = shutdown.cancelled() => {}
                        }
                    }
                }
            }
        })
    }
}

/// How long before a deadline the timer loop stops sleeping and yields.
const EARLY_US: i64 = 1_500;
