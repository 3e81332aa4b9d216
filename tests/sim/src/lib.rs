//! `holdfast-sim`: a local Discord for Holdfast's end-to-end tests and benches. A REST API
//! (axum) and a gateway (websocket) that the real bot, or any serenity client, talks to; every
//! request is recorded and checked against Discord's documented limits, and a body Discord would
//! refuse is answered with HTTP 400 and shows up in [`Simulator::violations`].
//!
//! Point serenity at it with `HttpBuilder::new(token).proxy(sim.base_url()).ratelimiter_disabled(true)`;
//! the client then fetches `GET /api/v10/gateway`, which names the simulator's websocket.
//!
//! ```ignore
//! let sim = holdfast_sim::Simulator::start().await;
//! let files = holdfast_sim::bot::BotFiles::new();
//! let _bot = holdfast_sim::bot::boot(&sim, &files, &[]).await; // `holdfast run` against it
//! let h = sim.send_interaction(holdfast_sim::slash("help").by(holdfast_sim::Invoker::athlete()).build()).await;
//! let answer = sim.wait_response(&h, std::time::Duration::from_secs(3)).await;
//! sim.assert_no_violations();
//! ```

pub mod bot;
mod events;
mod gateway;
mod interactions;
mod payloads;
mod rest;
mod routes;
mod state;
mod validate;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use events::{GUILD_SCHEDULED_EVENTS_INTENT, MANAGE_EVENTS};
pub use interactions::{
    autocomplete, button, modal_submit, slash, string_select, CommandBuilder, ComponentBuilder, Invoker, ModalBuilder,
};
pub use payloads::*;
pub use state::{path_matches, route, Fault, RecordedRequest, RouteMatcher, SimConfig, Violation};
pub use validate::{Problem, Problems};

/// Body validators, exposed for unit tests of the rules themselves.
pub mod rules {
    pub use super::validate::{callback, commands, message, MessageKind};
}

use state::{FaultRule, InteractionRecord, Outgoing, Shared};

/// The custom id of the button labelled `label` on a message (or a callback's `data`); panics,
/// naming the message, when it has none.
pub fn button_id(message: &Value, label: &str) -> String {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|b| b["label"] == label)
        .and_then(|b| b["custom_id"].as_str().map(String::from))
        .unwrap_or_else(|| panic!("no {label} button in {message}"))
}

/// How long the `wait_*` helpers without a timeout argument wait.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(10);

/// A running simulator; dropping it stops both servers.
pub struct Simulator {
    shared: Arc<Shared>,
    base_url: String,
    tasks: Vec<JoinHandle<()>>,
}

/// An interaction the simulator sent; pass it to [`Simulator::wait_response`] and friends.
#[derive(Clone, Debug)]
pub struct InteractionHandle {
    /// The interaction id.
    pub id: u64,
    /// The interaction token.
    pub token: String,
    /// When INTERACTION_CREATE was dispatched.
    pub sent_at: Instant,
    latency: Arc<OnceLock<Duration>>,
}

impl InteractionHandle {
    /// Time from dispatch to the bot's accepted callback, once it has answered.
    pub fn latency(&self) -> Option<Duration> {
        self.latency.get().copied()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

impl Simulator {
    /// Starts REST and gateway servers on free local ports with [`SimConfig::default`].
    pub async fn start() -> Self {
        Self::start_with(SimConfig::default()).await
    }

    /// Starts with the given configuration.
    pub async fn start_with(config: SimConfig) -> Self {
        let rest_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind REST port");
        let ws_listener = TcpListener::bind("127.0.0.1:0").await.expect("bind gateway port");
        let shared = Shared::new(config);
        let ws_port = ws_listener.local_addr().expect("gateway addr").port();
        shared.ws_url.set(format!("ws://127.0.0.1:{ws_port}")).expect("fresh ws url");
        let base_url = format!("http://127.0.0.1:{}", rest_listener.local_addr().expect("REST addr").port());
        let tasks = vec![
            tokio::spawn(rest::serve(rest_listener, Arc::clone(&shared))),
            tokio::spawn(gateway::serve(ws_listener, Arc::clone(&shared))),
        ];
        Self { shared, base_url, tasks }
    }

    /// `http://127.0.0.1:PORT`: the value for `HOLDFAST_DISCORD_API_BASE` / `HttpBuilder::proxy`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// `ws://127.0.0.1:PORT`: what `GET /api/v10/gateway` answers.
    pub fn gateway_url(&self) -> String {
        self.shared.ws_url.get().cloned().unwrap_or_default()
    }

    /// Every REST request so far, in arrival order of their answers.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.read(|s| s.requests.clone())
    }

    /// The requests matching `method` and `pattern` (`*` matches one path segment).
    pub fn requests_to(&self, method: &str, pattern: &str) -> Vec<RecordedRequest> {
        self.shared.read(|s| s.requests.iter().filter(|r| r.is(method, pattern)).cloned().collect())
    }

    /// Waits for a request satisfying `pred` (including ones already received); panics on timeout.
    pub async fn wait_for_request(
        &self,
        pred: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> RecordedRequest {
        match self.try_wait_for_request(pred, timeout).await {
            Some(r) => r,
            None => panic!("no matching request within {timeout:?}\n{}", self.dump()),
        }
    }

    /// Like [`Self::wait_for_request`], but `None` on timeout.
    pub async fn try_wait_for_request(
        &self,
        pred: impl Fn(&RecordedRequest) -> bool,
        timeout: Duration,
    ) -> Option<RecordedRequest> {
        self.shared.wait(timeout, |s| s.requests.iter().find(|r| pred(r)).cloned()).await
    }

    /// Every rule the bot's requests broke.
    pub fn violations(&self) -> Vec<Violation> {
        self.shared.read(|s| s.violations.clone())
    }

    /// Panics, listing them, if there are violations.
    pub fn assert_no_violations(&self) {
        let v = self.violations();
        assert!(v.is_empty(), "Discord rules broken:\n{v:#?}");
    }

    /// Makes the next `times` requests matching `matcher` fail with `fault`.
    pub fn fail_next(&self, matcher: RouteMatcher, fault: Fault, times: usize) {
        self.shared.write(|s| s.faults.push(FaultRule { matcher, fault, remaining: times }));
    }

    /// Waits up to [`DEFAULT_WAIT`] until a gateway session is live (READY or RESUMED sent).
    pub async fn wait_ready(&self) {
        self.wait_ready_within(DEFAULT_WAIT).await;
    }

    /// Waits up to `timeout` until a gateway session is live; panics on timeout.
    pub async fn wait_ready_within(&self, timeout: Duration) {
        assert!(
            self.shared.wait(timeout, |s| s.gateway.live.then_some(())).await.is_some(),
            "the bot did not connect to the gateway within {timeout:?}\n{}",
            self.dump()
        );
    }

    /// Waits up to [`DEFAULT_WAIT`] until at least `n` IDENTIFYs were received and that session is
    /// live: after restarting the bot, `sim.wait_identify_count(before + 1)` waits for the new process.
    pub async fn wait_identify_count(&self, n: u64) {
        let ready = |s: &state::State| (s.gateway.identifies >= n && s.gateway.live).then_some(());
        assert!(
            self.shared.wait(DEFAULT_WAIT, ready).await.is_some(),
            "no live session after {n} IDENTIFYs within {DEFAULT_WAIT:?}\n{}",
            self.dump()
        );
    }

    /// Waits up to `timeout` until no gateway session is live (e.g. after the bot was stopped);
    /// false on timeout.
    pub async fn wait_disconnected(&self, timeout: Duration) -> bool {
        self.shared.wait(timeout, |s| s.gateway.conn.is_none().then_some(())).await.is_some()
    }

    /// Whether a gateway session is live now.
    pub fn is_connected(&self) -> bool {
        self.shared.read(|s| s.gateway.live)
    }

    /// How many IDENTIFYs the gateway received.
    pub fn identify_count(&self) -> u64 {
        self.shared.read(|s| s.gateway.identifies)
    }

    /// How many RESUMEs the gateway received.
    pub fn resume_count(&self) -> u64 {
        self.shared.read(|s| s.gateway.resumes)
    }

    /// How many websocket connections were opened.
    pub fn connection_count(&self) -> u64 {
        self.shared.read(|s| s.gateway.connections)
    }

    /// How many heartbeats the gateway acknowledged.
    pub fn heartbeat_count(&self) -> u64 {
        self.shared.read(|s| s.gateway.heartbeats)
    }

    /// Waits until the gateway has acknowledged at least `n` heartbeats; false on timeout. Serenity
    /// sends its first heartbeat one interval after IDENTIFY (see [`SimConfig::heartbeat_interval_ms`]).
    pub async fn wait_heartbeats(&self, n: u64, timeout: Duration) -> bool {
        self.shared.wait(timeout, |s| (s.gateway.heartbeats >= n).then_some(())).await.is_some()
    }

    /// The `d` of the last IDENTIFY (token, intents, properties).
    pub fn last_identify(&self) -> Option<Value> {
        self.shared.read(|s| s.gateway.last_identify.clone())
    }

    /// Closes the websocket with code 4000 (resumable) and waits until it is gone.
    pub async fn close_gateway(&self) {
        self.close_gateway_with(4000).await;
    }

    /// Closes the websocket with `code` and waits until it is gone.
    pub async fn close_gateway_with(&self, code: u16) {
        let conn = self.shared.write(|s| {
            gateway::send(s, Outgoing::Close(code));
            s.gateway.live = false;
            s.gateway.conn.as_ref().map(|(id, _)| *id)
        });
        let gone =
            |s: &state::State| (s.gateway.conn.as_ref().map(|(id, _)| *id) != conn || conn.is_none()).then_some(());
        self.shared.wait(DEFAULT_WAIT, gone).await.expect("gateway connection did not close");
    }

    /// Sends op 7 RECONNECT; the client should reconnect and RESUME.
    pub fn request_reconnect(&self) {
        self.shared.write(|s| gateway::send(s, Outgoing::Text(r#"{"op":7,"s":null,"t":null,"d":null}"#.into())));
    }

    /// Sends op 9 INVALID SESSION (`d`: whether it may be resumed); the client should identify
    /// again (or resume, when `resumable`).
    pub fn invalidate_session(&self, resumable: bool) {
        self.shared.write(|s| {
            gateway::send(
                s,
                Outgoing::Text(serde_json::json!({"op": 9, "s": null, "t": null, "d": resumable}).to_string()),
            );
        });
    }

    /// Sets the bot's permissions in the guild: what interactions carry as `app_permissions`, and
    /// whether the scheduled-event routes answer (they need Manage Events, `1 << 33`).
    pub fn set_bot_permissions(&self, permissions: u64) {
        self.shared.write(|s| s.bot_permissions = permissions);
    }

    /// The guild's scheduled events, as `GET /guilds/{id}/scheduled-events` answers.
    pub fn scheduled_events(&self) -> Vec<Value> {
        let reply = events::route(&self.shared, "GET", None, &Value::Null);
        reply.body.as_array().cloned().unwrap_or_default()
    }

    /// Waits until the guild's scheduled events satisfy `pred`, and returns them.
    pub async fn wait_for_events(&self, pred: impl Fn(&[Value]) -> bool, timeout: Duration) -> Vec<Value> {
        let found = self
            .shared
            .wait(timeout, |s| {
                let events: Vec<Value> = s.events.iter().map(events::object).collect();
                pred(&events).then_some(events)
            })
            .await;
        found.unwrap_or_else(|| panic!("scheduled events never matched: {:#?}", self.scheduled_events()))
    }

    /// Member `user` marks event `event` interested (`true`) or not. Returns whether the gateway
    /// dispatch went out (only to a bot that identified with `GUILD_SCHEDULED_EVENTS`).
    pub fn mark_interested(&self, event: u64, user: u64, interested: bool) -> bool {
        self.shared.write(|s| events::interest(s, event, user, interested, true))
    }

    /// Member `user` marks event `event` interested with no gateway dispatch, as when the bot was
    /// offline: only `GET …/scheduled-events/{event}/users` shows it.
    pub fn mark_interested_unseen(&self, event: u64, user: u64) {
        self.shared.write(|s| events::interest(s, event, user, true, false));
    }

    /// Dispatches any event (`t`, `d`) with the next sequence number.
    pub fn dispatch(&self, event: &str, data: Value) {
        self.shared.write(|s| gateway::dispatch(s, event, data));
    }

    /// Dispatches INTERACTION_CREATE once the session is live. `data.id` of a command is set to
    /// the id the simulator gave that command at registration.
    pub async fn send_interaction(&self, mut payload: Value) -> InteractionHandle {
        self.wait_ready().await;
        let id = payload["id"].as_str().and_then(|s| s.parse().ok()).expect("payload has an id");
        let token = payload["token"].as_str().expect("payload has a token").to_owned();
        let kind = payload["type"].as_u64().unwrap_or(0);
        let latency = Arc::new(OnceLock::new());
        let sent_at = self.shared.write(|s| {
            payload["app_permissions"] = Value::String(s.bot_permissions.to_string());
            if let Some(cmd) = payload["data"]["name"].as_str().and_then(|n| s.command_ids.get(n)) {
                payload["data"]["id"] = Value::String(cmd.to_string());
            }
            let sent_at = Instant::now();
            s.interactions.push(InteractionRecord {
                id,
                token: token.clone(),
                kind,
                channel_id: payload["channel_id"].as_str().and_then(|c| c.parse().ok()).unwrap_or(CHANNEL_ID),
                sent_at,
                callback: None,
                latency: Arc::clone(&latency),
                original: None,
                followups: vec![],
                source_message: payload["message"]["id"].as_str().and_then(|m| m.parse().ok()),
            });
            gateway::dispatch(s, "INTERACTION_CREATE", payload);
            sent_at
        });
        InteractionHandle { id, token, sent_at, latency }
    }

    /// The accepted callback body of an interaction, if it has been answered.
    pub fn response(&self, h: &InteractionHandle) -> Option<Value> {
        self.shared.read(|s| s.interactions.iter().find(|i| i.token == h.token).and_then(|i| i.callback.clone()))
    }

    /// Waits for the accepted callback body (`{"type": 4, "data": {...}}`); panics on timeout.
    pub async fn wait_response(&self, h: &InteractionHandle, timeout: Duration) -> Value {
        let found = self
            .shared
            .wait(timeout, |s| s.interactions.iter().find(|i| i.token == h.token).and_then(|i| i.callback.clone()))
            .await;
        found
            .unwrap_or_else(|| panic!("interaction {} got no valid response within {timeout:?}\n{}", h.id, self.dump()))
    }

    /// The accepted follow-up bodies of an interaction, in order.
    pub fn followups(&self, h: &InteractionHandle) -> Vec<Value> {
        self.shared.read(|s| {
            s.interactions.iter().find(|i| i.token == h.token).map(|i| i.followups.clone()).unwrap_or_default()
        })
    }

    /// Waits for a follow-up body satisfying `pred`; panics on timeout.
    pub async fn wait_followup(
        &self,
        h: &InteractionHandle,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        let found = self
            .shared
            .wait(timeout, |s| {
                s.interactions
                    .iter()
                    .find(|i| i.token == h.token)
                    .and_then(|i| i.followups.iter().find(|f| pred(f)).cloned())
            })
            .await;
        found.unwrap_or_else(|| panic!("no matching follow-up within {timeout:?}\n{}", self.dump()))
    }

    /// The interaction's original response message as it stands now (after edits).
    pub fn original_message(&self, h: &InteractionHandle) -> Option<Value> {
        self.shared.read(|s| {
            let id = s.interactions.iter().find(|i| i.token == h.token)?.original?;
            s.messages.iter().find(|m| m.id == id).map(|m| m.object.clone())
        })
    }

    /// Waits until the original response message satisfies `pred` (e.g. after a deferred edit).
    pub async fn wait_original(
        &self,
        h: &InteractionHandle,
        pred: impl Fn(&Value) -> bool,
        timeout: Duration,
    ) -> Value {
        let found = self
            .shared
            .wait(timeout, |s| {
                let id = s.interactions.iter().find(|i| i.token == h.token)?.original?;
                s.messages.iter().find(|m| m.id == id).map(|m| m.object.clone()).filter(|m| pred(m))
            })
            .await;
        found.unwrap_or_else(|| panic!("original response never matched within {timeout:?}\n{}", self.dump()))
    }

    /// Bodies of the accepted `POST /channels/{channel_id}/messages`, in order, each with the
    /// `"id"` the simulator assigned.
    pub fn channel_messages(&self, channel_id: u64) -> Vec<Value> {
        self.shared.read(|s| {
            s.messages.iter().filter(|m| m.channel_post && m.channel_id == channel_id).map(|m| m.body.clone()).collect()
        })
    }

    /// How many message creates were answered with an earlier message because their
    /// `enforce_nonce` nonce was already used in that channel (resends after a crash).
    pub fn nonce_hits(&self) -> u64 {
        self.shared.read(|s| s.nonce_hits)
    }

    /// Waits for a channel message body satisfying `pred` (including earlier ones); panics on timeout.
    pub async fn wait_for_message(&self, channel_id: u64, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Value {
        let found = self
            .shared
            .wait(timeout, |s| {
                s.messages
                    .iter()
                    .find(|m| m.channel_post && m.channel_id == channel_id && pred(&m.body))
                    .map(|m| m.body.clone())
            })
            .await;
        found.unwrap_or_else(|| panic!("no matching message in {channel_id} within {timeout:?}\n{}", self.dump()))
    }

    /// The full message object (as Discord would return it now) of any message the bot created.
    pub fn message(&self, id: u64) -> Option<Value> {
        self.shared.read(|s| s.messages.iter().find(|m| m.id == id).map(|m| m.object.clone()))
    }

    /// The body of the last accepted command registration.
    pub fn registered_commands(&self) -> Option<Value> {
        self.shared.read(|s| s.registered.clone())
    }

    /// Waits up to `timeout` for a command registration; panics on timeout.
    pub async fn wait_for_commands(&self, timeout: Duration) -> Value {
        let found = self.shared.wait(timeout, |s| s.registered.clone()).await;
        found.unwrap_or_else(|| panic!("no commands registered within {timeout:?}\n{}", self.dump()))
    }

    /// The id the simulator gave the registered command `name`.
    pub fn command_id(&self, name: &str) -> Option<u64> {
        self.shared.read(|s| s.command_ids.get(name).copied())
    }

    /// The last 40 requests and all violations, for failure messages.
    pub fn dump(&self) -> String {
        self.shared.read(|s| {
            let mut out = String::from("recent requests:\n");
            for r in s.requests.iter().rev().take(40).rev() {
                out += &format!("  {} {} -> {}\n", r.method, r.path, r.status);
            }
            out += &format!(
                "gateway: live={} identifies={} resumes={}\n",
                s.gateway.live, s.gateway.identifies, s.gateway.resumes
            );
            out += &format!("violations: {:#?}", s.violations);
            out
        })
    }
}
