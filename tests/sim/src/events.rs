//! Guild scheduled events: `GET/POST /guilds/{id}/scheduled-events`, `GET/PATCH/DELETE
//! /guilds/{id}/scheduled-events/{event}`, and interest (`GUILD_SCHEDULED_EVENT_USER_ADD/REMOVE`,
//! sent only to a client that identified with the `GUILD_SCHEDULED_EVENTS` intent).
//!
//! Bodies are checked against the spec's `ExternalScheduledEventCreateRequest` /
//! `ExternalScheduledEventPatchRequestPartial` (the simulator has no voice or stage channels, so
//! only `EXTERNAL` events, entity type 3, are accepted) and Discord's rules: the bot needs
//! Manage Events, a start in the past is refused, an external event needs a location and an end
//! after its start.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::payloads::{self, fresh_id, BOT_USER_ID, GUILD_ID};
use super::routes::Reply;
use super::state::{ScheduledEvent, Shared, State};
use super::validate::{self, join, Problems};

/// `MANAGE_EVENTS`.
pub const MANAGE_EVENTS: u64 = 1 << 33;
/// The `GUILD_SCHEDULED_EVENTS` gateway intent.
pub const GUILD_SCHEDULED_EVENTS_INTENT: u64 = 1 << 16;

const CREATE_KEYS: &[&str] = &[
    "name",
    "description",
    "image",
    "scheduled_start_time",
    "scheduled_end_time",
    "privacy_level",
    "entity_type",
    "channel_id",
    "recurrence_rule",
    "entity_metadata",
];
const PATCH_KEYS: &[&str] = &[
    "status",
    "name",
    "description",
    "image",
    "scheduled_start_time",
    "scheduled_end_time",
    "entity_type",
    "privacy_level",
    "channel_id",
    "recurrence_rule",
    "entity_metadata",
];

fn time(p: &mut Problems, path: &str, v: Option<&Value>, required: bool) -> Option<DateTime<Utc>> {
    match v {
        None | Some(Value::Null) => {
            if required {
                p.at(path, "BASE_TYPE_REQUIRED", "This field is required");
            }
            None
        }
        Some(Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                p.at(path, "DATE_TIME_TYPE_PARSE", format!("Could not parse {s}. Should be ISO8601."));
                None
            }
        },
        Some(_) => {
            p.at(path, "DATE_TIME_TYPE_PARSE", "Should be an ISO8601 string.");
            None
        }
    }
}

/// The fields both create and patch check; returns (start, end) when given.
fn fields(p: &mut Problems, body: &Value, create: bool) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    validate::keys(p, "", body, if create { CREATE_KEYS } else { PATCH_KEYS });
    let Some(obj) = body.as_object() else { return (None, None) };
    validate::text(p, "name", obj.get("name"), 1, 100, create);
    validate::text(p, "description", obj.get("description"), 0, 1000, false);
    if let Some(level) = validate::int(p, "privacy_level", obj.get("privacy_level"), 0, 10) {
        if level != 2 {
            p.at("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of {2}.");
        }
    } else if create && obj.get("privacy_level").is_none() {
        p.at("privacy_level", "BASE_TYPE_REQUIRED", "This field is required");
    }
    match validate::int(p, "entity_type", obj.get("entity_type"), 0, 10) {
        Some(3) => {}
        Some(_) => p.at("entity_type", "SIM_UNSUPPORTED", "the simulator has only EXTERNAL events (3)"),
        None if create => p.at("entity_type", "BASE_TYPE_REQUIRED", "This field is required"),
        None => {}
    }
    if obj.get("channel_id").is_some_and(|c| !c.is_null()) {
        p.at("channel_id", "GUILD_SCHEDULED_EVENT_CHANNEL_ID", "An external event must not have a channel");
    }
    match obj.get("entity_metadata") {
        None | Some(Value::Null) if create => p.at("entity_metadata", "BASE_TYPE_REQUIRED", "This field is required"),
        None | Some(Value::Null) => {}
        Some(m) => {
            validate::keys(p, "entity_metadata", m, &["location"]);
            validate::text(p, &join("entity_metadata", "location"), m.get("location"), 1, 100, true);
        }
    }
    let start = time(p, "scheduled_start_time", obj.get("scheduled_start_time"), create);
    let end = time(p, "scheduled_end_time", obj.get("scheduled_end_time"), false);
    (start, end)
}

fn unknown_event(event: u64) -> Reply {
    Reply::error(404, 10070, "Unknown Guild Scheduled Event", "SIM_UNKNOWN_EVENT", format!("no event {event}"))
}

fn forbidden() -> Reply {
    Reply::error(403, 50013, "Missing Permissions", "SIM_MISSING_PERMISSIONS", "the bot lacks Manage Events")
}

fn in_past(p: &mut Problems, start: DateTime<Utc>) {
    if start <= Utc::now() {
        p.at("scheduled_start_time", "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past.");
    }
}

fn end_after_start(p: &mut Problems, start: DateTime<Utc>, end: Option<DateTime<Utc>>) {
    match end {
        None => p.at("scheduled_end_time", "BASE_TYPE_REQUIRED", "An external event needs an end time"),
        Some(e) if e <= start => {
            p.at("scheduled_end_time", "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "The end must be after the start.");
        }
        Some(_) => {}
    }
}

pub(crate) fn object(e: &ScheduledEvent) -> Value {
    json!({
        "id": e.id.to_string(), "guild_id": GUILD_ID.to_string(), "name": e.name, "description": e.description,
        "channel_id": null, "creator_id": BOT_USER_ID.to_string(), "creator": payloads::user(BOT_USER_ID),
        "image": null, "scheduled_start_time": e.start.to_rfc3339(),
        "scheduled_end_time": e.end.map(|t| t.to_rfc3339()), "status": 1, "entity_type": 3, "entity_id": null,
        "recurrence_rule": null, "user_count": e.interested.len(), "privacy_level": 2,
        "entity_metadata": {"location": e.location},
    })
}

/// Routes `/guilds/{GUILD_ID}/scheduled-events[/{event}]`.
pub(crate) fn route(shared: &Shared, method: &str, event: Option<u64>, body: &Value) -> Reply {
    shared.write(|s| {
        if s.bot_permissions & MANAGE_EVENTS == 0 && method != "GET" {
            return forbidden();
        }
        match (method, event) {
            ("GET", None) => Reply::ok(Value::Array(s.events.iter().map(object).collect())),
            ("POST", None) => create(s, body),
            (m, Some(id)) => {
                let Some(pos) = s.events.iter().position(|e| e.id == id) else { return unknown_event(id) };
                match m {
                    "GET" => Reply::ok(object(&s.events[pos])),
                    "DELETE" => {
                        s.events.remove(pos);
                        Reply::no_content()
                    }
                    "PATCH" => patch(&mut s.events[pos], body),
                    _ => Reply::error(405, 0, "405: Method Not Allowed", "SIM_UNKNOWN_ROUTE", "unsupported method"),
                }
            }
            _ => Reply::error(405, 0, "405: Method Not Allowed", "SIM_UNKNOWN_ROUTE", "unsupported method"),
        }
    })
}

fn create(s: &mut State, body: &Value) -> Reply {
    let mut p = Problems::default();
    let (start, end) = fields(&mut p, body, true);
    if let Some(start) = start {
        in_past(&mut p, start);
        end_after_start(&mut p, start, end);
    }
    let (Some(start), true) = (start, p.is_empty()) else { return Reply::invalid(p) };
    let e = ScheduledEvent {
        id: fresh_id(),
        name: body["name"].as_str().unwrap_or_default().to_owned(),
        description: body["description"].as_str().map(str::to_owned),
        location: body["entity_metadata"]["location"].as_str().unwrap_or_default().to_owned(),
        start,
        end,
        interested: Vec::new(),
    };
    let out = object(&e);
    s.events.push(e);
    Reply::ok(out)
}

fn patch(e: &mut ScheduledEvent, body: &Value) -> Reply {
    let mut p = Problems::default();
    let (start, end) = fields(&mut p, body, false);
    if let Some(start) = start {
        in_past(&mut p, start);
    }
    let (start, end) = (start.unwrap_or(e.start), end.or(e.end));
    end_after_start(&mut p, start, end);
    if !p.is_empty() {
        return Reply::invalid(p);
    }
    (e.start, e.end) = (start, end);
    if let Some(name) = body["name"].as_str() {
        e.name = name.to_owned();
    }
    if let Some(location) = body["entity_metadata"]["location"].as_str() {
        e.location = location.to_owned();
    }
    if body.get("description").is_some() {
        e.description = body["description"].as_str().map(str::to_owned);
    }
    Reply::ok(object(e))
}

/// `GET /guilds/{id}/scheduled-events/{event}/users`: who is interested, oldest first (`limit`
/// 1–100, default 100; `with_member` adds nothing here).
pub(crate) fn users(shared: &Shared, event: u64, query: Option<&str>) -> Reply {
    let limit = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|kv| kv.strip_prefix("limit="))
        .map(|v| v.parse::<usize>().unwrap_or(0));
    if limit.is_some_and(|l| !(1..=100).contains(&l)) {
        let mut p = Problems::default();
        p.at("limit", "NUMBER_TYPE_MAX", "Must be between 1 and 100.");
        return Reply::invalid(p);
    }
    shared.read(|s| {
        let Some(e) = s.events.iter().find(|e| e.id == event) else { return unknown_event(event) };
        let list: Vec<Value> = e
            .interested
            .iter()
            .take(limit.unwrap_or(100))
            .map(|u| json!({"guild_scheduled_event_id": event.to_string(), "user": payloads::user(*u)}))
            .collect();
        Reply::ok(Value::Array(list))
    })
}

/// A member marks event `id` interested (or not); the dispatch goes out only when the client
/// asked for `GUILD_SCHEDULED_EVENTS`. Returns whether it was dispatched.
pub(crate) fn interest(s: &mut State, id: u64, user: u64, interested: bool, dispatch: bool) -> bool {
    let Some(e) = s.events.iter_mut().find(|e| e.id == id) else { return false };
    e.interested.retain(|u| *u != user);
    if interested {
        e.interested.push(user);
    }
    if !dispatch {
        return false;
    }
    let intents = s.gateway.last_identify.as_ref().and_then(|d| d["intents"].as_u64()).unwrap_or(0);
    if intents & GUILD_SCHEDULED_EVENTS_INTENT == 0 {
        return false;
    }
    let event = if interested { "GUILD_SCHEDULED_EVENT_USER_ADD" } else { "GUILD_SCHEDULED_EVENT_USER_REMOVE" };
    let data = json!({
        "guild_scheduled_event_id": id.to_string(), "user_id": user.to_string(), "guild_id": GUILD_ID.to_string(),
    });
    super::gateway::dispatch(s, event, data);
    true
}
