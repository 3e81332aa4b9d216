//! Health and metrics for the person who runs Holdfast: an optional HTTP
//! endpoint (`metrics.addr` / `HOLDFAST_METRICS_ADDR`, off when unset) with
//!
//! - `GET /healthz`: 200 `{"status":"ok","gateway":true,"database":true}`, or
//!   503 with the part that failed set to `false`;
//! - `GET /metrics`: Prometheus metrics in the OpenMetrics text format.
//!
//! The metrics are kept with `prometheus-client` (the Prometheus project's own
//! Rust client) and encoded by it; nothing here writes exposition text by
//! hand. What each metric means: docs/operations.md.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use futures_util::future::BoxFuture;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use sqlx::SqlitePool;

/// The content type of `/metrics` (what `prometheus-client` encodes).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A cue posted more than this after it was queued counts as late.
pub const LATE_AFTER: Duration = Duration::from_secs(1);

/// How an interaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InteractionOutcome {
    /// The command did what was asked.
    Ok,
    /// The command refused with a message to the user (not a coach, a bad
    /// option, not in a server, ...).
    Refused,
    /// Something failed on the bot's side.
    Error,
}

impl InteractionOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            InteractionOutcome::Ok => "ok",
            InteractionOutcome::Refused => "refused",
            InteractionOutcome::Error => "error",
        }
    }
}

impl EncodeLabelValue for InteractionOutcome {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        std::fmt::Write::write_str(encoder, self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct InteractionLabels {
    command: String,
    outcome: InteractionOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct CommandLabel {
    command: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct StatusLabel {
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ScopeLabel {
    scope: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ReasonLabel {
    reason: String,
}

/// Discord bans an IP for a day after 10,000 invalid requests (401, 403,
/// 429) in this window.
pub const INVALID_WINDOW: Duration = Duration::from_secs(600);

type HistogramFamily<S> = Family<S, Histogram, fn() -> Histogram>;

fn interaction_histogram() -> Histogram {
    // Discord gives an interaction 3 s to be answered.
    Histogram::new([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0])
}

/// Every metric of the process, registered once. Share it as `Arc<Metrics>`;
/// updating is lock-free (atomics) apart from the first use of a label set.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    interactions: Family<InteractionLabels, Counter>,
    interaction_duration: HistogramFamily<CommandLabel>,
    cues_sent: Counter,
    cues_late: Counter,
    cue_retries: Counter,
    cue_lateness: Histogram,
    posts_sent: Counter,
    post_retries: Counter,
    messages_failed: Family<StatusLabel, Counter>,
    reminders_fired: Counter,
    reminders_skipped: Counter,
    reminder_events: Counter,
    reminder_event_failures: Counter,
    gateway_reconnects: Counter,
    database_errors: Counter,
    unreadable_rows: Counter,
    sessions_live: Gauge,
    rate_limited: Family<ScopeLabel, Counter>,
    messages_dropped: Family<ReasonLabel, Counter>,
    outbound_queue: Gauge,
    invalid_requests: Gauge,
    invalid_times: std::sync::Mutex<std::collections::VecDeque<std::time::Instant>>,
    ready_seen: AtomicBool,
    health: Health,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// All metrics at zero, registered under the `holdfast_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("holdfast");
        let interactions = Family::<InteractionLabels, Counter>::default();
        registry.register(
            "interactions",
            "Slash commands and button presses handled, by command (or button kind) and outcome (ok, refused, error)",
            interactions.clone(),
        );
        let interaction_duration: HistogramFamily<CommandLabel> =
            Family::new_with_constructor(interaction_histogram as fn() -> Histogram);
        registry.register_with_unit(
            "interaction_duration",
            "Time from the start of a slash command to its end, by command",
            Unit::Seconds,
            interaction_duration.clone(),
        );
        let cues_sent = Counter::default();
        registry.register("cues_sent", "Session cues posted to channels", cues_sent.clone());
        let cues_late = Counter::default();
        registry.register(
            "cues_late",
            "Session cues posted more than 1 s after they were queued (rate limits, Discord errors)",
            cues_late.clone(),
        );
        let cue_retries = Counter::default();
        registry.register(
            "cue_retries",
            "Retries of session cues after a 429, a 5xx or a network error",
            cue_retries.clone(),
        );
        let cue_lateness = Histogram::new([0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0]);
        registry.register_with_unit(
            "cue_lateness",
            "Time from queueing a session cue to Discord accepting it",
            Unit::Seconds,
            cue_lateness.clone(),
        );
        let posts_sent = Counter::default();
        registry.register(
            "posts_sent",
            "Other messages the bot posted on its own (reminders, posted routines)",
            posts_sent.clone(),
        );
        let post_retries = Counter::default();
        registry.register("post_retries", "Retries of those other messages", post_retries.clone());
        let messages_failed = Family::<StatusLabel, Counter>::default();
        registry.register(
            "messages_failed",
            "Messages Discord refused for good, by HTTP status (403/404: channel gone or forbidden)",
            messages_failed.clone(),
        );
        let reminders_fired = Counter::default();
        registry.register("reminders_fired", "Reminders posted", reminders_fired.clone());
        let reminders_skipped = Counter::default();
        registry.register(
            "reminders_skipped",
            "Reminders skipped: more than an hour late (the bot was offline) or naming a removed routine",
            reminders_skipped.clone(),
        );
        let reminder_events = Counter::default();
        registry.register(
            "reminder_events",
            "Discord scheduled events of reminders created, moved or deleted",
            reminder_events.clone(),
        );
        let reminder_event_failures = Counter::default();
        registry.register(
            "reminder_event_failures",
            "Attempts to keep a reminder's Discord event that failed (retried on the next pass)",
            reminder_event_failures.clone(),
        );
        let gateway_reconnects = Counter::default();
        registry.register(
            "gateway_reconnects",
            "Gateway reconnections after the first connection (resumed or identified again)",
            gateway_reconnects.clone(),
        );
        let database_errors = Counter::default();
        registry.register("database_errors", "Failed database operations", database_errors.clone());
        let unreadable_rows = Counter::default();
        registry.register(
            "unreadable_rows",
            "Stored rows that could not be decoded (logged; a reminder row is parked, never fired with a default)",
            unreadable_rows.clone(),
        );
        let rate_limited = Family::<ScopeLabel, Counter>::default();
        registry.register(
            "rate_limited",
            "429 answers from Discord, by X-RateLimit-Scope (user: a route or channel bucket; global; shared)",
            rate_limited.clone(),
        );
        let messages_dropped = Family::<ReasonLabel, Counter>::default();
        registry.register(
            "messages_dropped",
            "Messages dropped on purpose, by reason (stale: a cue whose phase ended first; overflow: a full channel queue)",
            messages_dropped.clone(),
        );
        let outbound_queue = Gauge::default();
        registry.register("outbound_queue", "Messages waiting in the outbound queue", outbound_queue.clone());
        let invalid_requests = Gauge::default();
        registry.register(
            "invalid_requests_10m",
            "Invalid requests (401, 403, 429) in the last 10 minutes (Discord bans at 10,000)",
            invalid_requests.clone(),
        );
        let sessions_live = Gauge::default();
        registry.register(
            "sessions_live",
            "Group sessions running now (lobby, running or paused)",
            sessions_live.clone(),
        );
        Self {
            registry,
            interactions,
            interaction_duration,
            cues_sent,
            cues_late,
            cue_retries,
            cue_lateness,
            posts_sent,
            post_retries,
            messages_failed,
            reminders_fired,
            reminders_skipped,
            reminder_events,
            reminder_event_failures,
            gateway_reconnects,
            database_errors,
            unreadable_rows,
            sessions_live,
            rate_limited,
            messages_dropped,
            outbound_queue,
            invalid_requests,
            invalid_times: std::sync::Mutex::new(std::collections::VecDeque::new()),
            ready_seen: AtomicBool::new(false),
            health: Health::default(),
        }
    }

    /// The gateway state `/healthz` reports.
    pub fn health(&self) -> &Health {
        &self.health
    }

    /// A slash command ended with `outcome`, after `elapsed` when known.
    pub fn interaction(&self, command: &str, outcome: InteractionOutcome, elapsed: Option<Duration>) {
        let command = command.to_string();
        self.interactions.get_or_create(&InteractionLabels { command: command.clone(), outcome }).inc();
        if let Some(elapsed) = elapsed {
            self.interaction_duration.get_or_create(&CommandLabel { command }).observe(elapsed.as_secs_f64());
        }
    }

    /// A session cue was posted after `retries` retries, `queued_for` after
    /// it was queued.
    pub fn record_cue_sent(&self, retries: u32, queued_for: Duration) {
        self.cues_sent.inc();
        self.cue_retries.inc_by(u64::from(retries));
        self.cue_lateness.observe(queued_for.as_secs_f64());
        if queued_for > LATE_AFTER {
            self.cues_late.inc();
        }
    }

    /// Any other message (a summary, routine, reminder) was posted.
    pub fn record_post_sent(&self, retries: u32) {
        self.posts_sent.inc();
        self.post_retries.inc_by(u64::from(retries));
    }

    /// A message was given up with this HTTP status.
    pub fn record_message_failed(&self, status: u16) {
        self.messages_failed.get_or_create(&StatusLabel { status }).inc();
    }

    /// A reminder was posted.
    pub fn reminder_fired(&self) {
        self.reminders_fired.inc();
    }

    /// A reminder's Discord event was kept in step (`true`) or could not be.
    pub fn reminder_event(&self, ok: bool) {
        if ok {
            self.reminder_events.inc()
        } else {
            self.reminder_event_failures.inc()
        };
    }

    /// A due reminder was not posted (too late, or its routine is gone).
    pub fn reminder_skipped(&self) {
        self.reminders_skipped.inc();
    }

    /// The gateway sent READY: a reconnection unless it is the first.
    pub fn gateway_ready(&self) {
        if self.ready_seen.swap(true, Ordering::SeqCst) {
            self.gateway_reconnects.inc();
        }
    }

    /// The gateway session was resumed: always a reconnection.
    pub fn gateway_resumed(&self) {
        self.gateway_reconnects.inc();
    }

    /// A database operation failed.
    pub fn database_error(&self) {
        self.database_errors.inc();
    }

    /// A stored row could not be decoded.
    pub fn record_unreadable_row(&self) {
        self.unreadable_rows.inc();
    }

    /// Live sessions now (set on each scrape).
    /// Discord answered 429 with this scope (an invalid request too).
    pub fn record_rate_limited(&self, scope: &str) {
        // A fixed set of label values: the header comes from outside.
        let scope = match scope {
            "user" | "global" | "shared" => scope,
            _ => "other",
        };
        self.rate_limited.get_or_create(&ScopeLabel { scope: scope.to_owned() }).inc();
        self.record_invalid_request();
    }

    /// A request Discord counts as invalid (401, 403, 429).
    pub fn record_invalid_request(&self) {
        self.count_invalid(Some(std::time::Instant::now()));
    }

    /// Forgets invalid requests older than [`INVALID_WINDOW`] (adding `new`).
    fn count_invalid(&self, new: Option<std::time::Instant>) {
        let now = std::time::Instant::now();
        let mut times = self.invalid_times.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        times.extend(new);
        while times.front().is_some_and(|t| now.duration_since(*t) > INVALID_WINDOW) {
            times.pop_front();
        }
        self.invalid_requests.set(i64::try_from(times.len()).unwrap_or(i64::MAX));
    }

    /// A message was dropped on purpose (`stale` or `overflow`).
    pub fn record_message_dropped(&self, reason: &'static str) {
        self.messages_dropped.get_or_create(&ReasonLabel { reason: reason.to_owned() }).inc();
    }

    /// Messages waiting in the outbound queue.
    pub fn set_outbound_queue(&self, n: usize) {
        self.outbound_queue.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// How many sessions are live.
    pub fn set_sessions_live(&self, n: usize) {
        self.sessions_live.set(i64::try_from(n).unwrap_or(i64::MAX));
    }

    /// The whole exposition, OpenMetrics text ending in `# EOF`.
    pub fn encode(&self) -> String {
        self.count_invalid(None);
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "could not encode metrics");
        }
        out
    }
}

type GatewayProbe = Box<dyn Fn() -> BoxFuture<'static, bool> + Send + Sync>;

/// What `/healthz` reports besides the database: whether the gateway is
/// connected, asked of the probe when one is set (the bot sets one that
/// reads serenity's shard manager), else the flag set with
/// [`Health::set_gateway`].
#[derive(Default)]
pub struct Health {
    gateway: AtomicBool,
    probe: std::sync::OnceLock<GatewayProbe>,
}

impl std::fmt::Debug for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Health")
            .field("gateway", &self.gateway.load(Ordering::SeqCst))
            .field("probe", &self.probe.get().is_some())
            .finish()
    }
}

impl Health {
    /// Sets the flag used when there is no probe.
    pub fn set_gateway(&self, connected: bool) {
        self.gateway.store(connected, Ordering::SeqCst);
    }

    /// Asks `probe` on each health check from now on (set once).
    pub fn probe_gateway(&self, probe: impl Fn() -> BoxFuture<'static, bool> + Send + Sync + 'static) {
        if self.probe.set(Box::new(probe)).is_err() {
            tracing::warn!("the gateway probe was already set");
        }
    }

    /// Whether the gateway session is live.
    pub async fn gateway(&self) -> bool {
        match self.probe.get() {
            Some(probe) => probe().await,
            None => self.gateway.load(Ordering::SeqCst),
        }
    }
}

/// Whether the database takes a write: opens a write transaction, rewrites
/// `PRAGMA user_version` with its own value and rolls back, so nothing
/// changes. False on any error or after 3 s (a lock held too long).
pub async fn database_writable(pool: &SqlitePool) -> bool {
    let check = async {
        let mut tx = pool.begin().await?;
        let version: i64 = sqlx::query_scalar("PRAGMA user_version").fetch_one(&mut *tx).await?;
        sqlx::query(&format!("PRAGMA user_version = {version}")).execute(&mut *tx).await?;
        tx.rollback().await?;
        Ok::<(), sqlx::Error>(())
    };
    match tokio::time::timeout(Duration::from_secs(3), check).await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: the database does not take a write");
            false
        }
        Err(_) => {
            tracing::warn!("health check: the database did not take a write within 3 s");
            false
        }
    }
}

/// Reads how many sessions are live (for `holdfast_sessions_live`).
pub type LiveSessions = Arc<dyn Fn() -> BoxFuture<'static, usize> + Send + Sync>;

/// What the endpoint reads.
#[derive(Clone)]
pub struct Endpoint {
    pub metrics: Arc<Metrics>,
    pub pool: SqlitePool,
    /// Read on each scrape.
    pub live_sessions: Option<LiveSessions>,
}

/// The endpoint's routes: `GET /healthz` and `GET /metrics`.
pub fn router(endpoint: Endpoint) -> Router {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics)).with_state(endpoint)
}

async fn healthz(State(e): State<Endpoint>) -> impl IntoResponse {
    let gateway = e.metrics.health().gateway().await;
    let database = database_writable(&e.pool).await;
    let ok = gateway && database;
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(HealthBody { status: if ok { "ok" } else { "unavailable" }, gateway, database }))
}

#[derive(serde::Serialize)]
struct HealthBody {
    status: &'static str,
    gateway: bool,
    database: bool,
}

async fn metrics(State(e): State<Endpoint>) -> impl IntoResponse {
    if let Some(live) = &e.live_sessions {
        e.metrics.set_sessions_live(live().await);
    }
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], e.metrics.encode())
}

/// Binds `addr` (`host:port`; port 0 picks a free one) and serves the
/// endpoint until `shutdown` is cancelled. Returns the bound address.
pub async fn serve(
    addr: &str,
    endpoint: Endpoint,
    shutdown: CancellationToken,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    if bound.ip().is_loopback() {
        tracing::info!(addr = %bound, "health and metrics at http://{bound}/healthz and /metrics");
    } else {
        tracing::warn!(
            addr = %bound,
            "health and metrics listen beyond loopback; keep this port on a private network"
        );
    }
    let app = router(endpoint);
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned()).await {
            tracing::error!(error = %e, "the metrics endpoint stopped");
        }
    });
    Ok((bound, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_encoded_with_their_names() {
        let m = Metrics::new();
        m.interaction("help", InteractionOutcome::Ok, Some(Duration::from_millis(20)));
        m.interaction("routine post", InteractionOutcome::Refused, None);
        m.record_cue_sent(2, Duration::from_millis(1500));
        m.record_post_sent(0);
        m.record_message_failed(403);
        m.reminder_fired();
        m.reminder_skipped();
        m.gateway_ready();
        m.gateway_ready();
        m.gateway_resumed();
        m.database_error();
        m.set_sessions_live(3);
        let text = m.encode();
        for want in [
            "holdfast_interactions_total{command=\"help\",outcome=\"ok\"} 1",
            "holdfast_interactions_total{command=\"routine post\",outcome=\"refused\"} 1",
            "holdfast_interaction_duration_seconds_count{command=\"help\"} 1",
            "holdfast_cues_sent_total 1",
            "holdfast_cues_late_total 1",
            "holdfast_cue_retries_total 2",
            "holdfast_cue_lateness_seconds_count 1",
            "holdfast_posts_sent_total 1",
            "holdfast_messages_failed_total{status=\"403\"} 1",
            "holdfast_reminders_fired_total 1",
            "holdfast_reminders_skipped_total 1",
            "holdfast_gateway_reconnects_total 2",
            "holdfast_database_errors_total 1",
            "holdfast_sessions_live 3",
        ] {
            assert!(text.contains(want), "{want} missing from\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn rate_limits_drops_and_invalid_requests_are_counted_with_fixed_labels() {
        let m = Metrics::new();
        m.record_rate_limited("user");
        m.record_rate_limited("user");
        m.record_rate_limited("anything a proxy says");
        m.record_invalid_request();
        m.record_message_dropped("stale");
        m.set_outbound_queue(7);
        let text = m.encode();
        for want in [
            "holdfast_rate_limited_total{scope=\"user\"} 2",
            "holdfast_rate_limited_total{scope=\"other\"} 1",
            "holdfast_invalid_requests_10m 4",
            "holdfast_messages_dropped_total{reason=\"stale\"} 1",
            "holdfast_outbound_queue 7",
        ] {
            assert!(text.contains(want), "{want} missing from\n{text}");
        }
    }

    #[tokio::test]
    async fn healthz_reports_each_part() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("h.db").display());
        let pool = crate::store::connect(&url).await.unwrap();
        assert!(database_writable(&pool).await);
        let metrics = Arc::new(Metrics::new());
        let endpoint = Endpoint { metrics: metrics.clone(), pool: pool.clone(), live_sessions: None };
        let stop = CancellationToken::new();
        let (addr, task) = serve("127.0.0.1:0", endpoint, stop.clone()).await.unwrap();
        let client = reqwest::Client::new();
        let get = |path: &'static str| {
            let client = client.clone();
            async move {
                let r = client.get(format!("http://{addr}{path}")).send().await.unwrap();
                let status = r.status().as_u16();
                let ctype = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
                (status, ctype, r.text().await.unwrap())
            }
        };
        let (status, _, body) = get("/healthz").await;
        assert_eq!(status, 503);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v, serde_json::json!({"status": "unavailable", "gateway": false, "database": true}));
        metrics.health().set_gateway(true);
        let (status, _, body) = get("/healthz").await;
        assert_eq!((status, body.as_str()), (200, r#"{"status":"ok","gateway":true,"database":true}"#));
        pool.close().await;
        let (status, _, body) = get("/healthz").await;
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("\"database\":false"), "{body}");
        let (status, ctype, body) = get("/metrics").await;
        assert_eq!((status, ctype.as_deref()), (200, Some(CONTENT_TYPE)));
        assert!(body.contains("# TYPE holdfast_cues_sent counter") && body.ends_with("# EOF\n"), "{body}");
        stop.cancel();
        tokio::time::timeout(std::time::Duration::from_secs(5), task).await.expect("stops when told").unwrap();
    }
}
