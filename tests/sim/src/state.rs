//! What the simulator remembers: requests, violations, faults, messages, interactions, gateway.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{mpsc, watch};

/// Tunables of a simulator.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// `heartbeat_interval` sent in HELLO, in milliseconds.
    pub heartbeat_interval_ms: u64,
    /// How long the bot has to answer an interaction (Discord: 3 s); later callbacks get 404.
    pub interaction_deadline: Duration,
    /// Non-callback requests allowed per second before a global 429 (Discord: 50); `None` disables.
    pub global_rate_limit: Option<usize>,
    /// Messages per channel per window (Discord: 5 per 5 s) before a 429; `None` disables.
    pub channel_rate_limit: Option<(usize, Duration)>,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            heartbeat_interval_ms: 41_250,
            interaction_deadline: Duration::from_secs(3),
            global_rate_limit: Some(50),
            channel_rate_limit: Some((5, Duration::from_secs(5))),
        }
    }
}

/// One REST request as the simulator saw it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path after `/api/v10`, e.g. `/channels/1100000000000000100/messages`.
    pub path: String,
    /// The raw query string, if any (serenity writes `?&wait=true`-style strings).
    pub query: Option<String>,
    /// The JSON body (for multipart requests, the `payload_json` part).
    pub body: Option<Value>,
    /// Whether the body came as `multipart/form-data`.
    pub multipart: bool,
    /// When the request arrived.
    pub at: Instant,
    /// The status the simulator answered.
    pub status: u16,
    /// The body the simulator answered (`Null` for 204).
    pub response: Value,
}

impl RecordedRequest {
    /// True when the method matches and `pattern` (with `*` for one path segment) matches the path.
    pub fn is(&self, method: &str, pattern: &str) -> bool {
        self.method.eq_ignore_ascii_case(method) && path_matches(pattern, &self.path)
    }
}

/// Matches `/channels/*/messages` against `/channels/123/messages`.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let (a, b): (Vec<_>, Vec<_>) =
        (pattern.trim_matches('/').split('/').collect(), path.trim_matches('/').split('/').collect());
    a.len() == b.len() && a.iter().zip(&b).all(|(p, s)| *p == "*" || p == s)
}

/// A rule broken by a request; tests end with `assert!(sim.violations().is_empty())`.
#[derive(Clone, Debug)]
pub struct Violation {
    /// `METHOD /path` of the request.
    pub route: String,
    /// Where in the body (`embeds.0.title`), empty for the request as a whole.
    pub field: String,
    /// Discord's error code name or a `SIM_*` code.
    pub code: String,
    /// What is wrong.
    pub message: String,
}

/// An injected failure.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// HTTP 429 with Discord's body and `Retry-After` / `X-RateLimit-*` headers. Requests on the
    /// same route before `retry_after` has passed are answered 429 again and are violations.
    RateLimited {
        /// Seconds to wait.
        retry_after: f64,
        /// Whether it is the global limit (`X-RateLimit-Global: true`).
        global: bool,
    },
    /// An HTTP 5xx with a Discord-like body.
    ServerError(u16),
    /// Answer normally, but only after this delay.
    Delay(Duration),
}

/// Which requests a fault applies to: a method and a path pattern (`*` matches one segment).
#[derive(Clone, Debug)]
pub struct RouteMatcher {
    /// HTTP method, case-insensitive; `*` for any.
    pub method: String,
    /// Path after `/api/v10`, e.g. `/channels/*/messages`.
    pub pattern: String,
}

/// `route("POST", "/channels/*/messages")`.
pub fn route(method: &str, pattern: &str) -> RouteMatcher {
    RouteMatcher { method: method.into(), pattern: pattern.into() }
}

impl RouteMatcher {
    /// Whether the request `method path` is covered.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        (self.method == "*" || self.method.eq_ignore_ascii_case(method)) && path_matches(&self.pattern, path)
    }
}

pub(crate) struct FaultRule {
    pub matcher: RouteMatcher,
    pub fault: Fault,
    pub remaining: usize,
}

/// A rate limit window opened by an injected 429.
pub(crate) struct Block {
    pub matcher: Option<RouteMatcher>,
    pub until: Instant,
}

/// An interaction the simulator dispatched.
pub(crate) struct InteractionRecord {
    pub id: u64,
    pub token: String,
    pub kind: u64,
    pub channel_id: u64,
    pub sent_at: Instant,
    pub callback: Option<Value>,
    pub latency: Arc<OnceLock<Duration>>,
    pub original: Option<u64>,
    pub followups: Vec<Value>,
    pub source_message: Option<u64>,
}

/// A message the bot created.
pub(crate) struct StoredMessage {
    pub id: u64,
    pub channel_id: u64,
    /// The create body with `"id"` added.
    pub body: Value,
    /// The message object as it stands now.
    pub object: Value,
    /// Whether it came from `POST /channels/{id}/messages`.
    pub channel_post: bool,
    pub deleted: bool,
    /// The create body's nonce, if any.
    pub nonce: Option<String>,
}

/// A guild scheduled event the bot made (`EXTERNAL`).
pub(crate) struct ScheduledEvent {
    pub id: u64,
    pub name: String,
    pub description: Option<String>,
    pub location: String,
    pub start: chrono::DateTime<chrono::Utc>,
    pub end: Option<chrono::DateTime<chrono::Utc>>,
    /// Members who marked it interested, in order.
    pub interested: Vec<u64>,
}

/// Frames for the live gateway connection.
pub(crate) enum Outgoing {
    Text(String),
    Close(u16),
}

#[derive(Default)]
pub(crate) struct Gateway {
    pub session_id: Option<String>,
    pub seq: u64,
    pub log: Vec<(u64, String)>,
    pub conn: Option<(u64, mpsc::UnboundedSender<Outgoing>)>,
    pub live: bool,
    pub connections: u64,
    pub identifies: u64,
    pub resumes: u64,
    pub heartbeats: u64,
    pub last_identify: Option<Value>,
}

pub(crate) struct State {
    pub requests: Vec<RecordedRequest>,
    pub violations: Vec<Violation>,
    pub faults: Vec<FaultRule>,
    pub blocks: Vec<Block>,
    pub recent: std::collections::VecDeque<Instant>,
    /// Per channel: when its message window began, and posts in it.
    pub channel_windows: HashMap<u64, (Instant, usize)>,
    pub messages: Vec<StoredMessage>,
    /// Creates answered with an existing message because of `enforce_nonce`.
    pub nonce_hits: u64,
    pub interactions: Vec<InteractionRecord>,
    pub registered: Option<Value>,
    pub command_ids: HashMap<String, u64>,
    pub gateway: Gateway,
    /// The guild's scheduled events.
    pub events: Vec<ScheduledEvent>,
    /// The bot's permissions in the guild (interactions' `app_permissions`; Manage Events
    /// decides the scheduled-event routes).
    pub bot_permissions: u64,
}

impl Default for State {
    fn default() -> Self {
        Self {
            requests: Vec::new(),
            violations: Vec::new(),
            faults: Vec::new(),
            blocks: Vec::new(),
            recent: std::collections::VecDeque::new(),
            channel_windows: HashMap::new(),
            messages: Vec::new(),
            nonce_hits: 0,
            interactions: Vec::new(),
            registered: None,
            command_ids: HashMap::new(),
            gateway: Gateway::default(),
            events: Vec::new(),
            bot_permissions: super::payloads::BOT_PERMISSIONS,
        }
    }
}

impl State {
    pub fn interaction_by_token(&mut self, token: &str) -> Option<&mut InteractionRecord> {
        self.interactions.iter_mut().find(|i| i.token == token)
    }

    pub fn message_mut(&mut self, id: u64) -> Option<&mut StoredMessage> {
        self.messages.iter_mut().find(|m| m.id == id && !m.deleted)
    }
}

/// State shared by the REST server, the gateway and the test.
pub(crate) struct Shared {
    state: Mutex<State>,
    version: watch::Sender<u64>,
    pub config: SimConfig,
    pub ws_url: OnceLock<String>,
}

impl Shared {
    pub fn new(config: SimConfig) -> Arc<Self> {
        Arc::new(Self { state: Mutex::default(), version: watch::channel(0).0, config, ws_url: OnceLock::new() })
    }

    /// Reads the state.
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.lock())
    }

    /// Changes the state and wakes every waiter.
    pub fn write<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let out = f(&mut self.lock());
        self.version.send_modify(|v| *v += 1);
        out
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until `f` returns `Some`, re-checking after every change; `None` on timeout.
    pub async fn wait<T>(&self, timeout: Duration, mut f: impl FnMut(&State) -> Option<T>) -> Option<T> {
        let mut rx = self.version.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if let Some(out) = self.read(&mut f) {
                return Some(out);
            }
            if tokio::time::timeout_at(deadline, rx.changed()).await.is_err() {
                return None;
            }
        }
    }
}
