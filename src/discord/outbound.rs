//! The outbound queue: every message the bot sends on its own (session cues,
//! summaries, reminders) goes through here. It paces rather than bounces:
//!
//! - One FIFO per channel and priority, drained by one task at a time, so a
//!   channel's messages arrive in order: session cues, then session
//!   summaries, then the rest (reminders).
//! - The global budget is a sliding window: at most [`GLOBAL_LIMIT`]
//!   requests in any [`GLOBAL_WINDOW`] (Discord's 50 per second), each
//!   counted from its sending until a second after its answer, so a burst
//!   never lands a 51st inside one of Discord's seconds, whatever the
//!   network does. A cue waiting for the budget goes before any other post.
//! - Each channel follows the bucket Discord reports on every answer
//!   (`X-RateLimit-Remaining` / `X-RateLimit-Reset-After`): when it is
//!   spent, the channel waits for its reset instead of drawing a 429.
//! - A 429 is still honoured (`retry_after` from the body or `Retry-After`;
//!   a global one pauses every channel) and reported with its scope.
//! - A 5xx or a network error is retried with growing backoff (0.5 s … 10 s);
//!   a cue that goes stale while it is retried is given up.
//! - Degrading on purpose: a cue whose phase has ended before it could go out
//!   is dropped as stale (the next cue says what is current), and a channel
//!   holds at most [`MAX_QUEUED`] messages (beyond that the oldest cue, else
//!   a reminder, never a summary unless nothing else waits), so demand beyond the budget never queues
//!   without bound.
//! - 403/404 means the channel is gone or forbids the bot: its queue is
//!   dropped, and the [`Sent::Failed`] event tells the composition root to
//!   end its session.
//!
//! Messages are posted with our own HTTP client so that the 429 body and
//! headers can be read (serenity drops them when its rate limiter is off).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::config::Token;

/// How urgent a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// A session cue: time-critical.
    Cue,
    /// A session summary: after the cues.
    Summary,
    /// Anything else (reminders): last.
    Post,
}

/// Why a message was dropped without being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// Its moment passed (a cue whose phase ended) before it could go out.
    Stale,
    /// Its channel's queue was full.
    Overflow,
    /// An edit Discord refused (the message was deleted, say): the channel
    /// itself may be fine, so this ends nothing.
    EditRefused,
}

/// What happened to a message, sent on the events channel of
/// [`Outbound::with_events`] (metrics; marking outbox rows; a 403/404 ends
/// the channel's session).
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    /// Posted; the new message's id. `retries` counts 429/5xx retries;
    /// `queued_for` is the time from [`Outbound::send`] to Discord's answer.
    /// `outbox` is the message's outbox row, when it has one.
    Ok {
        channel: u64,
        message_id: Option<u64>,
        retries: u32,
        queued_for: Duration,
        priority: Priority,
        outbox: Option<i64>,
    },
    /// The channel refused it for good (403/404) or the body was rejected (400).
    Failed { channel: u64, status: u16, outbox: Option<i64> },
    /// Dropped on purpose, never sent.
    Dropped { channel: u64, reason: DropReason, priority: Priority, outbox: Option<i64> },
    /// Discord answered 429 (the message is retried): `scope` is its
    /// `X-RateLimit-Scope` (`user`, `global`, `shared`), `global` its flag.
    RateLimited { channel: u64, scope: String, global: bool },
}

/// At most this many requests in any [`GLOBAL_WINDOW`].
pub const GLOBAL_LIMIT: usize = 50;
/// The window of the global budget: Discord's second (counted from each
/// request's answer, so network delays need no further margin).
pub const GLOBAL_WINDOW: Duration = Duration::from_millis(1_001);
/// Messages one channel may have waiting.
pub const MAX_QUEUED: usize = 25;
/// The longest pause between retries after a 5xx or a network error: once
/// Discord is back, cues resume within this.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

struct Waiting {
    body: Value,
    /// Edit this message (`PATCH`) instead of posting a new one.
    edit: Option<u64>,
    queued_at: Instant,
    priority: Priority,
    outbox: Option<i64>,
    /// Unix ms after which it is stale.
    expires_at_ms: Option<i64>,
}

#[derive(Default)]
struct ChannelQueue {
    cues: VecDeque<Waiting>,
    summaries: VecDeque<Waiting>,
    posts: VecDeque<Waiting>,
    busy: bool,
}

impl ChannelQueue {
    fn len(&self) -> usize {
        self.cues.len() + self.summaries.len() + self.posts.len()
    }

    /// The next message to send: cues, then summaries, then the rest.
    fn pop(&mut self) -> Option<Waiting> {
        self.cues.pop_front().or_else(|| self.summaries.pop_front()).or_else(|| self.posts.pop_front())
    }
}

/// The global budget: the requests of the last window, and any global
/// pause. A request counts from when it is sent until [`GLOBAL_WINDOW`]
/// after its answer came back: Discord saw it somewhere in between, so
/// however the network delays it, no 51 requests ever land in one of
/// Discord's seconds.
#[derive(Default)]
struct Budget {
    /// (request number, when its answer came; `None` while in flight).
    slots: VecDeque<(u64, Option<Instant>)>,
    next: u64,
    paused_until: Option<Instant>,
}

struct Shared {
    http: reqwest::Client,
    base: String,
    token: Token,
    queues: std::sync::Mutex<HashMap<u64, ChannelQueue>>,
    budget: Mutex<Budget>,
    /// Cues waiting for the budget: posts let them go first.
    cues_waiting: AtomicUsize,
    events: Option<tokio::sync::mpsc::UnboundedSender<Sent>>,
    idle: tokio::sync::Notify,
}

impl Shared {
    fn lock_queues(&self) -> std::sync::MutexGuard<'_, HashMap<u64, ChannelQueue>> {
        self.queues.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn report(&self, event: Sent) {
        if let Some(events) = &self.events {
            let _ = events.send(event);
        }
    }
}

/// Handle to the queue; cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    shared: Arc<Shared>,
}

impl Outbound {
    /// A queue posting to `base` (`https://discord.com` or a proxy) with
    /// `token`, reporting nothing.
    pub fn new(base: &str, token: Token) -> Self {
        Self::build(base, token, None)
    }

    /// A queue that also reports what happened to every message, on the
    /// returned channel (read it, or it grows).
    pub fn with_events(base: &str, token: Token) -> (Self, tokio::sync::mpsc::UnboundedReceiver<Sent>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (Self::build(base, token, Some(tx)), rx)
    }

    fn build(base: &str, token: Token, events: Option<tokio::sync::mpsc::UnboundedSender<Sent>>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        let shared = Shared {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
            queues: std::sync::Mutex::new(HashMap::new()),
            budget: Mutex::new(Budget::default()),
            cues_waiting: AtomicUsize::new(0),
            events,
            idle: tokio::sync::Notify::new(),
        };
        Self { shared: Arc::new(shared) }
    }

    /// Queues a message body for `POST /channels/{channel}/messages`.
    /// Never blocks; must be called within a tokio runtime.
    pub fn send(&self, channel: u64, body: Value, priority: Priority) {
        self.enqueue(
            channel,
            Waiting { body, edit: None, queued_at: Instant::now(), priority, outbox: None, expires_at_ms: None },
        );
    }

    /// Queues an edit of the bot's message `message_id` in `channel`
    /// (`PATCH /channels/{channel}/messages/{message_id}`), after the
    /// channel's cues and summaries. Never blocks.
    pub fn edit(&self, channel: u64, message_id: u64, body: Value) {
        let edit = Some(message_id);
        self.enqueue(
            channel,
            Waiting {
                body,
                edit,
                queued_at: Instant::now(),
                priority: Priority::Post,
                outbox: None,
                expires_at_ms: None,
            },
        );
    }

    /// [`Outbound::send`] for a message stored in the outbox as row `id`,
    /// stale after `expires_at_ms` (Unix ms); its [`Sent`] event names the
    /// row, to mark it done.
    pub fn send_stored(
        &self,
        id: Option<i64>,
        channel: u64,
        body: Value,
        priority: Priority,
        expires_at_ms: Option<i64>,
    ) {
        self.enqueue(
            channel,
            Waiting { body, edit: None, queued_at: Instant::now(), priority, outbox: id, expires_at_ms },
        );
    }

    fn enqueue(&self, channel: u64, message: Waiting) {
        let mut dropped = None;
        {
            let mut queues = self.shared.lock_queues();
            let q = queues.entry(channel).or_default();
            if q.len() >= MAX_QUEUED {
                dropped = q.cues.pop_front().or_else(|| q.posts.pop_front()).or_else(|| q.summaries.pop_front());
            }
            match message.priority {
                Priority::Cue => q.cues.push_back(message),
                Priority::Summary => q.summaries.push_back(message),
                Priority::Post => q.posts.push_back(message),
            }
            if !q.busy {
                q.busy = true;
                let shared = self.shared.clone();
                tokio::spawn(drain(shared, channel));
            }
        }
        if let Some(m) = dropped {
            tracing::warn!(channel, "channel queue full; dropped its oldest message");
            self.shared.report(Sent::Dropped {
                channel,
                reason: DropReason::Overflow,
                priority: m.priority,
                outbox: m.outbox,
            });
        }
    }

    /// Messages waiting (all channels).
    pub fn pending(&self) -> usize {
        self.shared.lock_queues().values().map(ChannelQueue::len).sum()
    }

    /// Waits until every queue is empty, or `limit` passes (shutdown).
    pub async fn drain(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            let notified = self.shared.idle.notified();
            if self.shared.lock_queues().is_empty() {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return false;
            }
        }
    }
}

fn unix_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Sends a channel's messages in order until its queue is empty.
async fn drain(shared: Arc<Shared>, channel: u64) {
    // When the channel's bucket (as Discord last reported it) resets.
    let mut not_before: Option<Instant> = None;
    loop {
        let next = {
            let mut queues = shared.lock_queues();
            let Some(q) = queues.get_mut(&channel) else { return };
            if let Some(m) = q.pop() {
                m
            } else {
                queues.remove(&channel);
                if queues.is_empty() {
                    shared.idle.notify_waiters();
                }
                return;
            }
        };
        if let Some(t) = not_before.take() {
            tokio::time::sleep_until(t).await;
        }
        if next.expires_at_ms.is_some_and(|t| t <= unix_ms()) {
            tracing::debug!(channel, "dropped a cue whose phase is over");
            shared.report(Sent::Dropped {
                channel,
                reason: DropReason::Stale,
                priority: next.priority,
                outbox: next.outbox,
            });
            continue;
        }
        let (result, bucket) = post(&shared, channel, &next).await;
        if let Some((0, reset_after)) = bucket {
            not_before = Some(Instant::now() + reset_after);
        }
        let gone = matches!(result, Sent::Failed { status: 403 | 404, .. });
        shared.report(result);
        if gone {
            tracing::warn!(channel, "channel is gone or forbids the bot; dropping its queued messages");
            shared.lock_queues().remove(&channel);
            shared.idle.notify_waiters();
            return;
        }
    }
}

/// Waits for room in the global budget (and the end of any global 429
/// pause), then takes a slot; returns its number, for [`release_budget`].
/// A post waits while a cue is waiting.
async fn take_budget(shared: &Shared, priority: Priority) -> u64 {
    let cue = priority == Priority::Cue;
    if cue {
        shared.cues_waiting.fetch_add(1, Ordering::SeqCst);
    }
    let slot = loop {
        let wait = {
            let mut b = shared.budget.lock().await;
            let now = Instant::now();
            b.slots.retain(|(_, done)| done.is_none_or(|t| now.duration_since(t) < GLOBAL_WINDOW));
            if let Some(until) = b.paused_until.filter(|u| *u > now) {
                until - now
            } else if !cue && shared.cues_waiting.load(Ordering::SeqCst) > 0 {
                Duration::from_millis(5)
            } else if b.slots.len() < GLOBAL_LIMIT {
                let n = b.next;
                b.next += 1;
                b.slots.push_back((n, None));
                break n;
            } else {
                // The first answered slot to leave the window; if all are in
                // flight, look again shortly.
                b.slots
                    .iter()
                    .filter_map(|(_, done)| *done)
                    .min()
                    .map_or(Duration::from_millis(2), |t| GLOBAL_WINDOW.saturating_sub(now.duration_since(t)))
            }
        };
        tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
    };
    if cue {
        shared.cues_waiting.fetch_sub(1, Ordering::SeqCst);
    }
    slot
}

/// The answer to request `slot` came back now: it leaves the budget one
/// window from now.
async fn release_budget(shared: &Shared, slot: u64) {
    let mut b = shared.budget.lock().await;
    let now = Instant::now();
    if let Some(entry) = b.slots.iter_mut().find(|(n, _)| *n == slot) {
        entry.1 = Some(now);
    }
}

/// `retry_after` of a 429: the JSON body's float seconds, else the header.
fn retry_after(headers: &reqwest::header::HeaderMap, body: &Value) -> Option<Duration> {
    let secs = body.get("retry_after").and_then(Value::as_f64).or_else(|| header_f64(headers, "retry-after"))?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

fn header_f64(headers: &reqwest::header::HeaderMap, name: &str) -> Option<f64> {
    headers.get(name).and_then(|v| v.to_str().ok()).and_then(|s| s.trim().parse::<f64>().ok())
}

/// The route's bucket as Discord reports it: (remaining, time to reset).
fn bucket_of(headers: &reqwest::header::HeaderMap) -> Option<(u64, Duration)> {
    let remaining = header_f64(headers, "x-ratelimit-remaining")?;
    let reset_after = header_f64(headers, "x-ratelimit-reset-after")?;
    (remaining >= 0.0 && reset_after.is_finite() && reset_after >= 0.0).then(|| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked non-negative; a count
        let remaining = remaining as u64;
        (remaining, Duration::from_secs_f64(reset_after.min(3600.0)))
    })
}

async fn post(shared: &Shared, channel: u64, m: &Waiting) -> (Sent, Option<(u64, Duration)>) {
    let url = match m.edit {
        Some(message) => format!("{}/api/v10/channels/{channel}/messages/{message}", shared.base),
        None => format!("{}/api/v10/channels/{channel}/messages", shared.base),
    };
    let mut retries = 0u32;
    let mut backoff = Duration::from_millis(500);
    loop {
        if retries > 0 && m.expires_at_ms.is_some_and(|t| t <= unix_ms()) {
            tracing::debug!(channel, retries, "gave up a cue whose phase ended while it was retried");
            let dropped = Sent::Dropped { channel, reason: DropReason::Stale, priority: m.priority, outbox: m.outbox };
            return (dropped, None);
        }
        let slot = take_budget(shared, m.priority).await;
        let request = if m.edit.is_some() { shared.http.patch(&url) } else { shared.http.post(&url) };
        let response = request
            .header("Authorization", format!("Bot {}", shared.token.expose()))
            .header("User-Agent", "DiscordBot (https://github.com/holdfast, 0.1)")
            .json(&m.body)
            .send()
            .await;
        release_budget(shared, slot).await;
        let response = match response {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(channel, error = %e.without_url(), "posting failed; retrying");
                retries += 1;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let json: Value = response.json().await.unwrap_or(Value::Null);
        let bucket = bucket_of(&headers);
        match status {
            200..=299 => {
                let message_id = json.get("id").and_then(Value::as_str).and_then(|s| s.parse().ok());
                let sent = Sent::Ok {
                    channel,
                    message_id,
                    retries,
                    queued_for: m.queued_at.elapsed(),
                    priority: m.priority,
                    outbox: m.outbox,
                };
                return (sent, bucket);
            }
            429 => {
                let wait = retry_after(&headers, &json).unwrap_or(backoff).max(Duration::from_millis(50));
                let global = json.get("global").and_then(Value::as_bool).unwrap_or(false)
                    || headers.get("x-ratelimit-global").is_some();
                let scope = headers
                    .get("x-ratelimit-scope")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(if global { "global" } else { "user" })
                    .to_owned();
                tracing::warn!(channel, wait_ms = wait.as_millis() as u64, global, scope, "rate limited; waiting");
                shared.report(Sent::RateLimited { channel, scope, global });
                if global {
                    shared.budget.lock().await.paused_until = Some(Instant::now() + wait);
                }
                retries += 1;
                tokio::time::sleep(wait).await;
            }
            500..=599 => {
                tracing::warn!(channel, status, "Discord error; retrying");
                retries += 1;
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            _ if m.edit.is_some() => {
                tracing::warn!(channel, status, response = %json, "an edit was refused");
                let dropped =
                    Sent::Dropped { channel, reason: DropReason::EditRefused, priority: m.priority, outbox: m.outbox };
                return (dropped, bucket);
            }
            _ => {
                tracing::error!(channel, status, response = %json, "message refused");
                return (Sent::Failed { channel, status, outbox: m.outbox }, bucket);
            }
        }
    }
}
