//! The outbound queue: every message the bot sends on its own (session cues,
//! reminders, posted routines) goes through here.
//!
//! - One FIFO per channel, drained by one task at a time, so a channel's
//!   messages arrive in order; session cues go before other posts.
//! - A 429 is honoured: `retry_after` from the body (or `Retry-After`), the
//!   same message again after it; a global 429 pauses every channel.
//! - A 5xx or a network error is retried with growing backoff (0.5 s … 30 s)
//!   until it goes through: nothing is dropped because Discord hiccuped.
//! - 403/404 means the channel is gone or forbids the bot: its queue is
//!   dropped, and the [`Sent::Failed`] event tells the composition root to
//!   end its session.
//! - A token bucket keeps the whole bot under Discord's 50 requests/s.
//!
//! Messages are posted with our own HTTP client so that the 429 body and
//! headers can be read (serenity drops them when its rate limiter is off).

use std::collections::{HashMap, VecDeque};
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
    /// Anything else (reminders, posted routines).
    Post,
}

/// What happened to a message, sent on the events channel of
/// [`Outbound::with_events`] (metrics; a 403/404 ends the channel's session).
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
}

#[derive(Default)]
struct ChannelQueue {
    cues: VecDeque<(Value, Instant, Priority, Option<i64>)>,
    posts: VecDeque<(Value, Instant, Priority, Option<i64>)>,
    busy: bool,
}

struct Bucket {
    tokens: f64,
    last: Instant,
    paused_until: Option<Instant>,
}

struct Shared {
    http: reqwest::Client,
    base: String,
    token: Token,
    queues: std::sync::Mutex<HashMap<u64, ChannelQueue>>,
    bucket: Mutex<Bucket>,
    events: Option<tokio::sync::mpsc::UnboundedSender<Sent>>,
    idle: tokio::sync::Notify,
}

impl Shared {
    fn lock_queues(&self) -> std::sync::MutexGuard<'_, HashMap<u64, ChannelQueue>> {
        self.queues.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Requests per second Discord allows a bot (interaction callbacks aside).
const RATE: f64 = 50.0;
const MAX_BACKOFF: Duration = Duration::from_secs(30);

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
            bucket: Mutex::new(Bucket { tokens: RATE, last: Instant::now(), paused_until: None }),
            events,
            idle: tokio::sync::Notify::new(),
        };
        Self { shared: Arc::new(shared) }
    }

    /// Queues a message body for `POST /channels/{channel}/messages`.
    /// Never blocks; must be called within a tokio runtime.
    pub fn send(&self, channel: u64, body: Value, priority: Priority) {
        self.enqueue(channel, body, priority, None);
    }

    /// [`Outbound::send`] for a message stored in the outbox as row `id`;
    /// its [`Sent`] event names the row, to mark it done.
    pub fn send_stored(&self, id: Option<i64>, channel: u64, body: Value, priority: Priority) {
        self.enqueue(channel, body, priority, id);
    }

    fn enqueue(&self, channel: u64, body: Value, priority: Priority, outbox: Option<i64>) {
        let mut queues = self.shared.lock_queues();
        let q = queues.entry(channel).or_default();
        match priority {
            Priority::Cue => q.cues.push_back((body, Instant::now(), priority, outbox)),
            Priority::Post => q.posts.push_back((body, Instant::now(), priority, outbox)),
        }
        if !q.busy {
            q.busy = true;
            let shared = self.shared.clone();
            tokio::spawn(drain(shared, channel));
        }
    }

    /// Messages waiting (all channels).
    pub fn pending(&self) -> usize {
        self.shared.lock_queues().values().map(|q| q.cues.len() + q.posts.len()).sum()
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

/// Sends a channel's messages in order until its queue is empty.
async fn drain(shared: Arc<Shared>, channel: u64) {
    loop {
        let next = {
            let mut queues = shared.lock_queues();
            let Some(q) = queues.get_mut(&channel) else { return };
            if let Some(m) = q.cues.pop_front().or_else(|| q.posts.pop_front()) {
                m
            } else {
                queues.remove(&channel);
                if queues.is_empty() {
                    shared.idle.notify_waiters();
                }
                return;
            }
        };
        let (body, queued_at, priority, outbox) = next;
        let result = post(&shared, channel, &body, queued_at, priority, outbox).await;
        let gone = matches!(result, Sent::Failed { status: 403 | 404, .. });
        if let Some(events) = &shared.events {
            let _ = events.send(result);
        }
        if gone {
            tracing::warn!(channel, "channel is gone or forbids the bot; dropping its queued messages");
            shared.lock_queues().remove(&channel);
            shared.idle.notify_waiters();
            return;
        }
    }
}

/// Waits for a token of the global bucket (and any global 429 pause).
async fn take_token(shared: &Shared) {
    loop {
        let wait = {
            let mut b = shared.bucket.lock().await;
            let now = Instant::now();
            if let Some(until) = b.paused_until.filter(|u| *u > now) {
                until - now
            } else {
                let refill = now.duration_since(b.last).as_secs_f64() * RATE;
                b.tokens = (b.tokens + refill).min(RATE);
                b.last = now;
                if b.tokens >= 1.0 {
                    b.tokens -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - b.tokens) / RATE)
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// `retry_after` of a 429: the JSON body's float seconds, else the header.
fn retry_after(headers: &reqwest::header::HeaderMap, body: &Value) -> Option<Duration> {
    let secs = body.get("retry_after").and_then(Value::as_f64).or_else(|| {
        headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|s| s.trim().parse::<f64>().ok())
    })?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

async fn post(
    shared: &Shared,
    channel: u64,
    body: &Value,
    queued_at: Instant,
    priority: Priority,
    outbox: Option<i64>,
) -> Sent {
    let url = format!("{}/api/v10/channels/{channel}/messages", shared.base);
    let mut retries = 0u32;
    let mut backoff = Duration::from_millis(500);
    loop {
        take_token(shared).await;
        let response = shared
            .http
            .post(&url)
            .header("Authorization", format!("Bot {}", shared.token.expose()))
            .header("User-Agent", "DiscordBot (https://github.com/holdfast, 0.1)")
            .json(body)
            .send()
            .await;
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
        match status {
            200..=299 => {
                let message_id = json.get("id").and_then(Value::as_str).and_then(|s| s.parse().ok());
                return Sent::Ok { channel, message_id, retries, queued_for: queued_at.elapsed(), priority, outbox };
            }
            429 => {
                let wait = retry_after(&headers, &json).unwrap_or(backoff).max(Duration::from_millis(50));
                let global = json.get("global").and_then(Value::as_bool).unwrap_or(false);
                tracing::warn!(channel, wait_ms = wait.as_millis() as u64, global, "rate limited; waiting");
                if global {
                    shared.bucket.lock().await.paused_until = Some(Instant::now() + wait);
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
            _ => {
                tracing::error!(channel, status, response = %json, "message refused");
                return Sent::Failed { channel, status, outbox };
            }
        }
    }
}
