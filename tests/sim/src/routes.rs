//! The simulated REST routes (paths after `/api/v10`).

use std::time::Duration;

use serde_json::{json, Value};

use super::payloads::{self, fresh_id, APPLICATION_ID, GUILD_ID};
use super::rest::Incoming;
use super::state::{Shared, StoredMessage};
use super::validate::{self, MessageKind, Problem, Problems};

/// Interaction tokens stop working after 15 minutes.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The simulator's answer, and the rules the request broke.
pub(crate) struct Reply {
    pub status: u16,
    pub body: Value,
    pub problems: Vec<Problem>,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Self {
        Self { status: 200, body, problems: vec![] }
    }

    pub(crate) fn no_content() -> Self {
        Self { status: 204, body: Value::Null, problems: vec![] }
    }

    pub(crate) fn invalid(problems: Problems) -> Self {
        Self { status: 400, body: problems.error_body(), problems: problems.0 }
    }

    /// A Discord error (`{"message", "code"}`) that is also a violation `sim_code`.
    pub(crate) fn error(status: u16, code: u32, message: &str, sim_code: &str, why: impl Into<String>) -> Self {
        let problem = Problem { path: String::new(), code: sim_code.into(), message: why.into() };
        Self { status, body: json!({"message": message, "code": code}), problems: vec![problem] }
    }
}

fn id(segment: &str) -> u64 {
    segment.parse().unwrap_or(0)
}

/// Routes one request.
pub(crate) fn route(shared: &Shared, req: &Incoming) -> Reply {
    let seg: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let body = req.body.as_ref().unwrap_or(&Value::Null);
    let app_ok = |app: &str| id(app) == APPLICATION_ID;
    match (req.method.as_str(), seg.as_slice()) {
        ("GET", ["gateway"]) => Reply::ok(json!({"url": shared.ws_url.get().cloned().unwrap_or_default()})),
        ("GET", ["gateway", "bot"]) => Reply::ok(json!({
            "url": shared.ws_url.get().cloned().unwrap_or_default(), "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1},
        })),
        ("GET", ["oauth2", "applications", "@me"] | ["applications", "@me"]) => Reply::ok(payloads::application_info()),
        ("GET", ["users", "@me"]) => Reply::ok(payloads::current_user()),
        ("GET", ["users", user]) => Reply::ok(payloads::user(id(user))),
        (_, ["applications", app, ..]) if !app_ok(app) => unknown_application(app),
        ("PUT" | "POST", ["applications", _, "guilds", g, "commands"]) if id(g) == GUILD_ID => {
            register(shared, req, body, Some(GUILD_ID))
        }
        ("PUT" | "POST", ["applications", _, "commands"]) => register(shared, req, body, None),
        ("GET", ["applications", _, "commands"] | ["applications", _, "guilds", _, "commands"]) => {
            Reply::ok(shared.read(|s| s.registered.clone()).unwrap_or(json!([])))
        }
        ("POST", ["interactions", iid, token, "callback"]) => callback(shared, id(iid), token, body),
        (_, ["webhooks", app, ..]) if !app_ok(app) => unknown_application(app),
        ("POST", ["webhooks", _, token]) => followup(shared, token, body),
        (m, ["webhooks", _, token, "messages", mid]) => webhook_message(shared, m, token, mid, body),
        ("POST", ["channels", c, "messages"]) => create_message(shared, id(c), body),
        (m @ ("GET" | "PATCH" | "DELETE"), ["channels", c, "messages", mid]) => {
            channel_message(shared, m, id(c), id(mid), body)
        }
        ("GET", ["channels", c]) if payloads::is_channel(id(c)) => Reply::ok(payloads::channel(id(c))),
        ("POST", ["channels", c, "typing"]) if payloads::is_channel(id(c)) => Reply::no_content(),
        (_, ["channels", c, ..]) => {
            Reply::error(404, 10003, "Unknown Channel", "SIM_UNKNOWN_CHANNEL", format!("no channel {c}"))
        }
        (_, ["guilds", g, ..]) if id(g) != GUILD_ID => {
            Reply::error(404, 10004, "Unknown Guild", "SIM_UNKNOWN_GUILD", format!("no guild {g}"))
        }
        ("GET", ["guilds", _]) => Reply::ok(payloads::guild_create()),
        (m, ["guilds", _, "scheduled-events"]) => super::events::route(shared, m, None, body),
        (m, ["guilds", _, "scheduled-events", e]) => super::events::route(shared, m, Some(id(e)), body),
        ("GET", ["guilds", _, "scheduled-events", e, "users"]) => {
            super::events::users(shared, id(e), req.query.as_deref())
        }
        ("GET", ["guilds", _, "roles"]) => Reply::ok(json!(payloads::roles())),
        ("GET", ["guilds", _, "channels"]) => {
            Reply::ok(json!([payloads::channel(payloads::CHANNEL_ID), payloads::channel(payloads::OTHER_CHANNEL_ID)]))
        }
        ("GET", ["guilds", _, "members", user]) => {
            let found = payloads::members().into_iter().find(|m| m["user"]["id"] == *user);
            found.map_or_else(
                || Reply::error(404, 10007, "Unknown Member", "SIM_UNKNOWN_MEMBER", format!("no member {user}")),
                Reply::ok,
            )
        }
        _ => Reply::error(404, 0, "404: Not Found", "SIM_UNKNOWN_ROUTE", "the simulator does not implement this route"),
    }
}

fn unknown_application(app: &str) -> Reply {
    Reply::error(
        404,
        10002,
        "Unknown Application",
        "SIM_WRONG_APPLICATION_ID",
        format!("{app} is not the application id {APPLICATION_ID}"),
    )
}

fn register(shared: &Shared, req: &Incoming, body: &Value, guild: Option<u64>) -> Reply {
    let mut problems = Problems::default();
    validate::commands(&mut problems, body);
    if req.method == "PUT" && !body.is_array() {
        problems.at("", "SIM_NOT_A_LIST", "bulk registration takes an array of commands");
    }
    if !problems.is_empty() {
        return Reply::invalid(problems);
    }
    shared.write(|s| {
        let mut ids = |name: &str| *s.command_ids.entry(name.to_owned()).or_insert_with(fresh_id);
        if body.is_array() {
            let out = payloads::registered(body, guild, &mut ids);
            s.registered = Some(body.clone());
            Reply::ok(out)
        } else {
            let out = payloads::command_object(body, guild, &mut ids);
            let mut list = s.registered.take().and_then(|v| v.as_array().cloned()).unwrap_or_default();
            list.retain(|c| c["name"] != body["name"]);
            list.push(body.clone());
            s.registered = Some(Value::Array(list));
            Reply::ok(out)
        }
    })
}

fn callback(shared: &Shared, iid: u64, token: &str, body: &Value) -> Reply {
    let deadline = shared.config.interaction_deadline;
    shared.write(|s| {
        let Some(i) = s.interaction_by_token(token).filter(|i| i.id == iid) else {
            return Reply::error(
                404,
                10062,
                "Unknown interaction",
                "SIM_UNKNOWN_INTERACTION",
                "no such interaction id and token",
            );
        };
        if i.callback.is_some() {
            return Reply::error(
                400,
                40060,
                "Interaction has already been acknowledged.",
                "SIM_ALREADY_ACKNOWLEDGED",
                "second callback",
            );
        }
        let elapsed = i.sent_at.elapsed();
        if elapsed > deadline {
            let why = format!("callback after {} ms (limit {} ms)", elapsed.as_millis(), deadline.as_millis());
            return Reply::error(404, 10062, "Unknown interaction", "SIM_INTERACTION_EXPIRED", why);
        }
        let mut problems = Problems::default();
        validate::callback(&mut problems, body, Some(i.kind));
        if !problems.is_empty() {
            return Reply::invalid(problems);
        }
        let _ = i.latency.set(elapsed);
        i.callback = Some(body.clone());
        let (kind, channel, source, interaction_type) = (body["type"].as_u64(), i.channel_id, i.source_message, i.kind);
        let data = body.get("data").cloned().unwrap_or(json!({}));
        let original = match kind {
            Some(4 | 5) => {
                let mut shown = data.clone();
                if kind == Some(5) {
                    let flags = data["flags"].as_u64().unwrap_or(0) | 128;
                    shown = json!({"content": "", "flags": flags});
                }
                let msg_type = if interaction_type == 2 { 20 } else { 0 };
                let id = fresh_id();
                let object = payloads::message(id, channel, &shown, true, msg_type);
                s.messages.push(StoredMessage {
                    id,
                    channel_id: channel,
                    body: shown,
                    object,
                    channel_post: false,
                    deleted: false,
                    nonce: None,
                });
                Some(id)
            }
            Some(6 | 7) => {
                if let (Some(7), Some(m)) = (kind, source.and_then(|id| s.message_mut(id))) {
                    payloads::apply_edit(&mut m.object, &data);
                }
                source
            }
            _ => None,
        };
        if let Some(i) = s.interaction_by_token(token) {
            i.original = original;
        }
        Reply::no_content()
    })
}

fn followup(shared: &Shared, token: &str, body: &Value) -> Reply {
    shared.write(|s| {
        let Some(i) = s.interaction_by_token(token) else {
            return Reply::error(404, 10015, "Unknown Webhook", "SIM_UNKNOWN_WEBHOOK", "no interaction has this token");
        };
        if i.callback.is_none() {
            return Reply::error(
                404,
                10015,
                "Unknown Webhook",
                "SIM_NOT_ACKNOWLEDGED",
                "follow-up before the interaction was answered",
            );
        }
        if i.sent_at.elapsed() > TOKEN_LIFETIME {
            return Reply::error(
                401,
                50027,
                "Invalid Webhook Token",
                "SIM_TOKEN_EXPIRED",
                "interaction token older than 15 minutes",
            );
        }
        let mut problems = Problems::default();
        validate::message(&mut problems, "", body, MessageKind::WebhookExecute);
        if !problems.is_empty() {
            return Reply::invalid(problems);
        }
        i.followups.push(body.clone());
        let channel = i.channel_id;
        // The first follow-up after a deferred response replaces its "thinking…" message.
        let original = i.original;
        let loading = |m: &&mut StoredMessage| m.object["flags"].as_u64().unwrap_or(0) & 128 != 0;
        if let Some(m) = original.and_then(|id| s.message_mut(id)).filter(loading) {
            payloads::apply_edit(&mut m.object, body);
            return Reply::ok(m.object.clone());
        }
        let id = fresh_id();
        let object = payloads::message(id, channel, body, true, 0);
        s.messages.push(StoredMessage {
            id,
            channel_id: channel,
            body: body.clone(),
            object: object.clone(),
            channel_post: false,
            deleted: false,
            nonce: None,
        });
        Reply::ok(object)
    })
}

fn webhook_message(shared: &Shared, method: &str, token: &str, mid: &str, body: &Value) -> Reply {
    shared.write(|s| {
        let Some(i) = s.interaction_by_token(token) else {
            return Reply::error(404, 10015, "Unknown Webhook", "SIM_UNKNOWN_WEBHOOK", "no interaction has this token");
        };
        if i.sent_at.elapsed() > TOKEN_LIFETIME {
            return Reply::error(
                401,
                50027,
                "Invalid Webhook Token",
                "SIM_TOKEN_EXPIRED",
                "interaction token older than 15 minutes",
            );
        }
        let target = if mid == "@original" { i.original } else { Some(id(mid)) };
        let Some(m) = target.and_then(|id| s.message_mut(id)) else {
            return Reply::error(
                404,
                10008,
                "Unknown Message",
                "SIM_UNKNOWN_MESSAGE",
                format!("no message {mid} for this interaction"),
            );
        };
        match method {
            "GET" => Reply::ok(m.object.clone()),
            "DELETE" => {
                m.deleted = true;
                Reply::no_content()
            }
            "PATCH" => {
                let mut problems = Problems::default();
                validate::message(&mut problems, "", body, MessageKind::WebhookEdit);
                if !problems.is_empty() {
                    return Reply::invalid(problems);
                }
                payloads::apply_edit(&mut m.object, body);
                Reply::ok(m.object.clone())
            }
            _ => Reply::error(405, 0, "405: Method Not Allowed", "SIM_UNKNOWN_ROUTE", "unsupported method"),
        }
    })
}

fn create_message(shared: &Shared, channel: u64, body: &Value) -> Reply {
    if !payloads::is_channel(channel) {
        return Reply::error(404, 10003, "Unknown Channel", "SIM_UNKNOWN_CHANNEL", format!("no channel {channel}"));
    }
    let mut problems = Problems::default();
    validate::message(&mut problems, "", body, MessageKind::ChannelCreate);
    if !problems.is_empty() {
        return Reply::invalid(problems);
    }
    // As Discord does: with enforce_nonce, a nonce the bot already used in this channel returns
    // the message it made then, and creates nothing (this is what makes a resend idempotent).
    let nonce = body["nonce"].as_str().map(str::to_owned).or_else(|| body["nonce"].as_i64().map(|n| n.to_string()));
    if let (Some(nonce), true) = (&nonce, body["enforce_nonce"].as_bool() == Some(true)) {
        let existing = shared.read(|s| {
            s.messages
                .iter()
                .find(|m| m.channel_id == channel && m.channel_post && m.nonce.as_deref() == Some(nonce.as_str()))
                .map(|m| m.object.clone())
        });
        if let Some(object) = existing {
            shared.write(|s| s.nonce_hits += 1);
            return Reply::ok(object);
        }
    }
    let id = fresh_id();
    let object = payloads::message(id, channel, body, false, 0);
    let mut recorded = body.clone();
    recorded["id"] = json!(id.to_string());
    shared.write(|s| {
        s.messages.push(StoredMessage {
            nonce,
            id,
            channel_id: channel,
            body: recorded,
            object: object.clone(),
            channel_post: true,
            deleted: false,
        });
    });
    Reply::ok(object)
}

fn channel_message(shared: &Shared, method: &str, channel: u64, mid: u64, body: &Value) -> Reply {
    shared.write(|s| {
        let Some(m) = s.message_mut(mid).filter(|m| m.channel_id == channel) else {
            return Reply::error(
                404,
                10008,
                "Unknown Message",
                "SIM_UNKNOWN_MESSAGE",
                format!("no message {mid} in channel {channel}"),
            );
        };
        match method {
            "GET" => Reply::ok(m.object.clone()),
            "DELETE" => {
                m.deleted = true;
                Reply::no_content()
            }
            _ => {
                let mut problems = Problems::default();
                validate::message(&mut problems, "", body, MessageKind::ChannelEdit);
                if !problems.is_empty() {
                    return Reply::invalid(problems);
                }
                payloads::apply_edit(&mut m.object, body);
                Reply::ok(m.object.clone())
            }
        }
    })
}
