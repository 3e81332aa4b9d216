//! The simulated world (fixed ids) and builders of Discord objects as the API sends them, each
//! carrying every field serenity 0.12.5 requires to deserialise it.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

/// The bot's application id.
pub const APPLICATION_ID: u64 = 1_000_000_000_000_000_001;
/// The bot's user id.
pub const BOT_USER_ID: u64 = 1_000_000_000_000_000_002;
/// The one guild (team server).
pub const GUILD_ID: u64 = 1_100_000_000_000_000_000;
/// `@everyone` (its id is the guild's).
pub const EVERYONE_ROLE: u64 = GUILD_ID;
/// The "Coach" role (the bot only treats it as the coach role once `/settings coach_role` says so).
pub const COACH_ROLE: u64 = 1_100_000_000_000_000_010;
/// The "Athletes" role.
pub const ATHLETES_ROLE: u64 = 1_100_000_000_000_000_011;
/// The bot's managed role.
pub const BOT_ROLE: u64 = 1_100_000_000_000_000_012;
/// The main text channel.
pub const CHANNEL_ID: u64 = 1_100_000_000_000_000_100;
/// A second text channel.
pub const OTHER_CHANNEL_ID: u64 = 1_100_000_000_000_000_101;
/// The guild owner (all permissions).
pub const OWNER_ID: u64 = 1_200_000_000_000_000_001;
/// A member with the Coach role.
pub const COACH_ID: u64 = 1_200_000_000_000_000_002;
/// A member with the Athletes role.
pub const ATHLETE_ID: u64 = 1_200_000_000_000_000_003;
/// Another member with the Athletes role.
pub const ATHLETE2_ID: u64 = 1_200_000_000_000_000_004;

/// The bot's permissions unless a test changes them ([`crate::Simulator::set_bot_permissions`]):
/// `@everyone`'s and Manage Events.
pub const BOT_PERMISSIONS: u64 = EVERYONE_PERMISSIONS | (1 << 33);

/// `MANAGE_GUILD` ("Manage Server").
pub const MANAGE_GUILD: u64 = 1 << 5;
/// `ADMINISTRATOR`.
pub const ADMINISTRATOR: u64 = 1 << 3;
/// What `@everyone` may do: view, send, embed links, read history, add reactions, use commands.
pub const EVERYONE_PERMISSIONS: u64 = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 6) | (1 << 31);

/// Milliseconds of 2015-01-01, where snowflakes count from.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh snowflake for now, unique in this process.
pub fn fresh_id() -> u64 {
    let ms = chrono::Utc::now().timestamp_millis() as u64 - DISCORD_EPOCH_MS;
    (ms << 22) | (COUNTER.fetch_add(1, Ordering::Relaxed) & 0x3F_FFFF)
}

/// A fresh interaction token (Discord's are long opaque strings).
pub fn fresh_token() -> String {
    format!("aW50ZXJhY3Rpb246{}:sim{:x}", fresh_id(), COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_mul(0x9E37_79B9))
}

/// ISO-8601 timestamp of now, as Discord writes them.
pub fn now_timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false)
}

const JOINED_AT: &str = "2024-03-01T12:00:00.000000+00:00";

/// The name of a known user (`user-<id>` for unknown ids).
pub fn user_name(id: u64) -> String {
    match id {
        BOT_USER_ID => "holdfast".into(),
        OWNER_ID => "owner".into(),
        COACH_ID => "coach".into(),
        ATHLETE_ID => "athlete".into(),
        ATHLETE2_ID => "athlete2".into(),
        _ => format!("user-{id}"),
    }
}

/// A user object.
pub fn user(id: u64) -> Value {
    let name = user_name(id);
    json!({
        "id": id.to_string(), "username": name, "discriminator": "0", "global_name": name.to_uppercase(),
        "avatar": null, "bot": id == BOT_USER_ID, "system": false, "banner": null, "accent_color": null,
        "public_flags": 0, "flags": 0, "avatar_decoration_data": null, "clan": null, "primary_guild": null,
    })
}

/// The bot's own user (`GET /users/@me`, READY's `user`).
pub fn current_user() -> Value {
    let mut u = user(BOT_USER_ID);
    merge(&mut u, json!({"verified": true, "mfa_enabled": false, "locale": "en-US", "email": null}));
    u
}

/// A role object (with `colors`, without which serenity drops the whole GUILD_CREATE).
pub fn role(id: u64, name: &str, position: u64, permissions: u64) -> Value {
    let mut r = json!({
        "id": id.to_string(), "name": name, "description": null, "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false, "icon": null, "unicode_emoji": null, "position": position,
        "permissions": permissions.to_string(), "managed": id == BOT_ROLE, "mentionable": false, "flags": 0,
    });
    if id == BOT_ROLE {
        r["tags"] = json!({"bot_id": BOT_USER_ID.to_string()});
    }
    r
}

/// The guild's roles.
pub fn roles() -> Vec<Value> {
    vec![
        role(EVERYONE_ROLE, "@everyone", 0, EVERYONE_PERMISSIONS),
        role(ATHLETES_ROLE, "Athletes", 1, 0),
        role(COACH_ROLE, "Coach", 2, 0),
        role(BOT_ROLE, "Holdfast", 3, BOT_PERMISSIONS),
    ]
}

/// The role object of a known role id (a plain role for unknown ids).
pub fn role_by_id(id: u64) -> Value {
    roles()
        .into_iter()
        .find(|r| r["id"].as_str().and_then(|s| s.parse().ok()) == Some(id))
        .unwrap_or_else(|| role(id, &format!("role-{id}"), 1, 0))
}

/// The roles a known member has.
pub fn member_roles(user_id: u64) -> Vec<u64> {
    match user_id {
        COACH_ID => vec![COACH_ROLE],
        ATHLETE_ID | ATHLETE2_ID => vec![ATHLETES_ROLE],
        BOT_USER_ID => vec![BOT_ROLE],
        _ => vec![],
    }
}

/// A guild member (with `flags`, which serenity requires).
pub fn member(user_id: u64, roles: &[u64]) -> Value {
    json!({
        "user": user(user_id), "nick": null, "avatar": null, "banner": null,
        "roles": roles.iter().map(u64::to_string).collect::<Vec<_>>(),
        "joined_at": JOINED_AT, "premium_since": null, "deaf": false, "mute": false, "flags": 0,
        "pending": false, "communication_disabled_until": null, "unusual_dm_activity_until": null,
        "avatar_decoration_data": null,
    })
}

/// Members of the guild.
pub fn members() -> Vec<Value> {
    [OWNER_ID, COACH_ID, ATHLETE_ID, ATHLETE2_ID, BOT_USER_ID].iter().map(|&id| member(id, &member_roles(id))).collect()
}

/// A guild text channel.
pub fn channel(id: u64) -> Value {
    let (name, position) = match id {
        CHANNEL_ID => ("training".to_owned(), 0),
        OTHER_CHANNEL_ID => ("recovery".to_owned(), 1),
        _ => (format!("channel-{id}"), 2),
    };
    json!({
        "id": id.to_string(), "type": 0, "guild_id": GUILD_ID.to_string(), "name": name, "position": position,
        "permission_overwrites": [], "topic": null, "nsfw": false, "last_message_id": null,
        "rate_limit_per_user": 0, "parent_id": null, "last_pin_timestamp": null, "flags": 0,
    })
}

/// Whether `id` is one of the guild's channels.
pub fn is_channel(id: u64) -> bool {
    matches!(id, CHANNEL_ID | OTHER_CHANNEL_ID) || LOAD_CHANNELS.contains(&id)
}

/// Extra text channels that accept posts, for load tests (one session per channel); they are
/// not in the guild's GUILD_CREATE.
pub const LOAD_CHANNELS: std::ops::Range<u64> = 1_100_000_000_000_010_000..1_100_000_000_000_011_000;

/// The GUILD_CREATE payload: the whole guild with roles, channels and members.
pub fn guild_create() -> Value {
    let mut guild = json!({
        "id": GUILD_ID.to_string(), "name": "Holdfast Test Team", "icon": null, "icon_hash": null, "splash": null,
        "discovery_splash": null, "owner_id": OWNER_ID.to_string(), "afk_channel_id": null, "afk_timeout": 300,
        "widget_enabled": false, "widget_channel_id": null, "verification_level": 1,
        "default_message_notifications": 1, "explicit_content_filter": 0, "roles": roles(), "emojis": [],
        "features": [], "mfa_level": 0, "application_id": null, "system_channel_id": CHANNEL_ID.to_string(),
        "system_channel_flags": 0, "rules_channel_id": null, "max_presences": null, "max_members": 500000,
        "vanity_url_code": null, "description": null, "banner": null, "premium_tier": 0,
        "premium_subscription_count": 0, "preferred_locale": "en-US", "public_updates_channel_id": null,
        "max_video_channel_users": 25, "max_stage_video_channel_users": 50, "nsfw_level": 0, "stickers": [],
    });
    let gateway_only = json!({
        "premium_progress_bar_enabled": false, "safety_alerts_channel_id": null, "incidents_data": null,
        "joined_at": JOINED_AT, "large": false, "unavailable": false, "member_count": 5, "voice_states": [],
        "members": members(), "channels": [channel(CHANNEL_ID), channel(OTHER_CHANNEL_ID)], "threads": [],
        "presences": [], "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
        "embedded_activities": [], "lazy": true, "application_command_counts": {},
    });
    merge(&mut guild, gateway_only);
    guild
}

/// Adds `extra`'s keys to the object `base`.
fn merge(base: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
}

/// The READY payload; the guild is listed as unavailable until its GUILD_CREATE.
pub fn ready(session_id: &str, resume_gateway_url: &str) -> Value {
    json!({
        "v": 10, "user": current_user(), "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
        "session_id": session_id, "resume_gateway_url": resume_gateway_url, "shard": [0, 1],
        "application": {"id": APPLICATION_ID.to_string(), "flags": 0}, "private_channels": [],
        "presences": [], "relationships": [], "user_settings": {}, "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["local"], "auth": {}, "session_type": "normal", "_trace": ["sim"],
    })
}

/// `GET /oauth2/applications/@me`.
pub fn application_info() -> Value {
    json!({
        "id": APPLICATION_ID.to_string(), "name": "Holdfast", "icon": null, "description": "Recovery bot",
        "summary": "", "type": null, "bot_public": false, "bot_require_code_grant": false,
        "verify_key": "0".repeat(64), "flags": 0, "owner": user(OWNER_ID), "team": null,
        "bot": user(BOT_USER_ID), "tags": [], "redirect_uris": [], "interactions_endpoint_url": null,
        "hook": true, "is_monetized": false, "integration_types_config": {"0": {}},
        "approximate_guild_count": 1, "guild_id": null,
    })
}

/// The message object Discord answers when the bot posts `body` as `id` in `channel_id`.
/// `webhook` is set for interaction responses and follow-ups (then `interaction_type`, e.g. 20
/// for a command's reply, is the message type).
pub fn message(id: u64, channel_id: u64, body: &Value, webhook: bool, interaction_type: u64) -> Value {
    let get = |k: &str, d: Value| body.get(k).filter(|v| !v.is_null()).cloned().unwrap_or(d);
    let embeds: Vec<Value> = get("embeds", json!([]))
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut e| {
            e.as_object_mut().map(|o| o.entry("type").or_insert(json!("rich")));
            e
        })
        .collect();
    let mut m = json!({
        "id": id.to_string(), "channel_id": channel_id.to_string(), "guild_id": GUILD_ID.to_string(),
        "author": user(BOT_USER_ID), "content": get("content", json!("")), "timestamp": now_timestamp(),
        "edited_timestamp": null, "tts": get("tts", json!(false)), "mention_everyone": false, "mentions": [],
        "mention_roles": [], "attachments": [], "embeds": embeds, "pinned": false,
        "type": if webhook { interaction_type } else { 0 }, "flags": get("flags", json!(0)),
        "components": get("components", json!([])),
    });
    if webhook {
        m["webhook_id"] = json!(APPLICATION_ID.to_string());
        m["application_id"] = json!(APPLICATION_ID.to_string());
    }
    m
}

/// Applies an edit body to a stored message object. An edit cannot change whether a message is
/// ephemeral (flag 64), and it ends the "thinking…" state (flag 128) of a deferred response.
pub fn apply_edit(message: &mut Value, edit: &Value) {
    for key in ["content", "embeds", "components"] {
        match edit.get(key) {
            Some(Value::Null) => message[key] = if key == "content" { json!("") } else { json!([]) },
            Some(v) => message[key] = v.clone(),
            None => {}
        }
    }
    let old = message["flags"].as_u64().unwrap_or(0);
    let new = edit.get("flags").and_then(Value::as_u64).unwrap_or(old);
    message["flags"] = json!((old & 64) | (new & !(64 | 128)));
    message["edited_timestamp"] = json!(now_timestamp());
}

/// The command objects Discord answers to a registration (`body` is the registered array).
pub fn registered(body: &Value, guild: Option<u64>, ids: &mut impl FnMut(&str) -> u64) -> Value {
    let list = body.as_array().cloned().unwrap_or_default();
    Value::Array(list.iter().map(|c| command_object(c, guild, ids)).collect())
}

/// One command object as Discord returns it.
pub fn command_object(c: &Value, guild: Option<u64>, ids: &mut impl FnMut(&str) -> u64) -> Value {
    let name = c["name"].as_str().unwrap_or_default();
    let mut out = json!({
        "id": ids(name).to_string(), "application_id": APPLICATION_ID.to_string(), "version": fresh_id().to_string(),
        "default_member_permissions": c.get("default_member_permissions").cloned().unwrap_or(Value::Null),
        "type": c.get("type").cloned().unwrap_or(json!(1)), "name": name,
        "description": c.get("description").cloned().unwrap_or(json!("")), "dm_permission": true,
        "contexts": c.get("contexts").cloned().unwrap_or(Value::Null), "integration_types": [0],
        "options": c.get("options").cloned().unwrap_or(json!([])), "nsfw": c.get("nsfw").cloned().unwrap_or(json!(false)),
    });
    if let Some(g) = guild {
        out["guild_id"] = json!(g.to_string());
    }
    out
}
