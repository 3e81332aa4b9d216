//! Message bodies (channel messages, interaction responses, follow-ups, edits) and interaction
//! callbacks.

use serde_json::Value;

use super::components::components;
use super::{boolean, int, items, join, keys, snowflake, text, Problems};

/// Which route a message body was sent to; decides the documented keys and whether it creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// `POST /channels/{id}/messages` (schema `MessageCreateRequest`).
    ChannelCreate,
    /// `PATCH /channels/{id}/messages/{id}` (`MessageEditRequestPartial`).
    ChannelEdit,
    /// `POST /webhooks/{app}/{token}`, an interaction follow-up (`IncomingWebhookRequestPartial`).
    WebhookExecute,
    /// `PATCH /webhooks/{app}/{token}/messages/...` (`IncomingWebhookUpdateRequestPartial`).
    WebhookEdit,
    /// Callback types 4 and 5 (`IncomingWebhookInteractionRequest`).
    CallbackCreate,
    /// Callback type 7 (`IncomingWebhookUpdateForInteractionCallbackRequestPartial`).
    CallbackUpdate,
}

impl MessageKind {
    fn allowed(self) -> &'static [&'static str] {
        match self {
            Self::ChannelCreate => &[
                "content",
                "embeds",
                "allowed_mentions",
                "components",
                "attachments",
                "sticker_ids",
                "flags",
                "poll",
                "shared_client_theme",
                "message_reference",
                "nonce",
                "enforce_nonce",
                "tts",
            ],
            Self::ChannelEdit => {
                &["content", "embeds", "allowed_mentions", "components", "attachments", "flags", "sticker_ids"]
            }
            Self::WebhookExecute => &[
                "content",
                "embeds",
                "allowed_mentions",
                "components",
                "attachments",
                "poll",
                "tts",
                "flags",
                "username",
                "avatar_url",
                "thread_name",
                "applied_tags",
            ],
            Self::WebhookEdit => {
                &["content", "embeds", "allowed_mentions", "components", "attachments", "poll", "flags"]
            }
            Self::CallbackCreate => {
                &["content", "embeds", "allowed_mentions", "components", "attachments", "poll", "tts", "flags"]
            }
            Self::CallbackUpdate => &["content", "embeds", "allowed_mentions", "components", "attachments", "flags"],
        }
    }

    fn creates(self) -> bool {
        matches!(self, Self::ChannelCreate | Self::WebhookExecute | Self::CallbackCreate)
    }
}

/// Validates a message body sent to `kind`'s route; `path` prefixes every problem (`data` in a
/// callback).
pub fn message(p: &mut Problems, path: &str, body: &Value, kind: MessageKind) {
    keys(p, path, body, kind.allowed());
    let Some(obj) = body.as_object() else { return };
    let content = text(p, &join(path, "content"), obj.get("content"), 0, 2000, false);
    let embeds = items(p, &join(path, "embeds"), obj.get("embeds"), 10);
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        total += embed(p, &join(path, format!("embeds.{i}")), e);
    }
    if total > 6000 {
        p.at(
            &join(path, "embeds"),
            "MAX_EMBED_SIZE_EXCEEDED",
            format!("Embed size exceeds maximum size of 6000 ({total})"),
        );
    }
    if let Some(am) = obj.get("allowed_mentions").filter(|v| !v.is_null()) {
        allowed_mentions(p, &join(path, "allowed_mentions"), am);
    }
    let rows = components(p, &join(path, "components"), obj.get("components"));
    int(p, &join(path, "flags"), obj.get("flags"), 0, i64::from(u32::MAX));
    boolean(p, &join(path, "tts"), obj.get("tts"));
    let attachments = items(p, &join(path, "attachments"), obj.get("attachments"), 10);
    let stickers = items(p, &join(path, "sticker_ids"), obj.get("sticker_ids"), 3);
    let has_poll = obj.get("poll").is_some_and(|v| !v.is_null());
    if kind.creates()
        && content == 0
        && embeds.is_empty()
        && rows == 0
        && attachments.is_empty()
        && stickers.is_empty()
        && !has_poll
    {
        p.at(path, "EMPTY_MESSAGE", "Cannot send an empty message");
    }
}

/// One embed (schema `RichEmbed`); returns its size as counted toward the 6000 limit.
fn embed(p: &mut Problems, path: &str, e: &Value) -> usize {
    keys(
        p,
        path,
        e,
        &[
            "type",
            "url",
            "title",
            "color",
            "timestamp",
            "description",
            "author",
            "image",
            "thumbnail",
            "footer",
            "fields",
            "provider",
            "video",
        ],
    );
    let Some(obj) = e.as_object() else { return 0 };
    let mut size = text(p, &join(path, "title"), obj.get("title"), 0, 256, false);
    size += text(p, &join(path, "description"), obj.get("description"), 0, 4096, false);
    text(p, &join(path, "url"), obj.get("url"), 0, 2048, false);
    int(p, &join(path, "color"), obj.get("color"), 0, 0xFF_FFFF);
    if let Some(ts) = obj.get("timestamp").filter(|v| !v.is_null()) {
        if ts.as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()).is_none() {
            p.at(&join(path, "timestamp"), "DATE_TYPE_CONVERT", "Could not parse timestamp. Should be ISO8601.");
        }
    }
    let fields = items(p, &join(path, "fields"), obj.get("fields"), 25);
    for (i, f) in fields.iter().enumerate() {
        let fp = join(path, format!("fields.{i}"));
        keys(p, &fp, f, &["name", "value", "inline"]);
        size += text(p, &join(&fp, "name"), f.get("name"), 1, 256, true);
        size += text(p, &join(&fp, "value"), f.get("value"), 1, 1024, true);
        boolean(p, &join(&fp, "inline"), f.get("inline"));
    }
    if let Some(footer) = obj.get("footer").filter(|v| !v.is_null()) {
        let fp = join(path, "footer");
        keys(p, &fp, footer, &["text", "icon_url", "proxy_icon_url"]);
        size += text(p, &join(&fp, "text"), footer.get("text"), 1, 2048, true);
        text(p, &join(&fp, "icon_url"), footer.get("icon_url"), 0, 2048, false);
    }
    if let Some(author) = obj.get("author").filter(|v| !v.is_null()) {
        let ap = join(path, "author");
        keys(p, &ap, author, &["name", "url", "icon_url", "proxy_icon_url"]);
        size += text(p, &join(&ap, "name"), author.get("name"), 1, 256, true);
        text(p, &join(&ap, "url"), author.get("url"), 0, 2048, false);
        text(p, &join(&ap, "icon_url"), author.get("icon_url"), 0, 2048, false);
    }
    for media in ["image", "thumbnail"] {
        if let Some(m) = obj.get(media).filter(|v| !v.is_null()) {
            let mp = join(path, media);
            keys(
                p,
                &mp,
                m,
                &["url", "width", "height", "proxy_url", "placeholder", "placeholder_version", "description"],
            );
            text(p, &join(&mp, "url"), m.get("url"), 1, 2048, true);
        }
    }
    size
}

/// `allowed_mentions` (schema `MessageAllowedMentionsRequest`).
fn allowed_mentions(p: &mut Problems, path: &str, am: &Value) {
    keys(p, path, am, &["parse", "users", "roles", "replied_user"]);
    let parse = items(p, &join(path, "parse"), am.get("parse"), 3);
    for (i, v) in parse.iter().enumerate() {
        if !matches!(v.as_str(), Some("users" | "roles" | "everyone")) {
            p.at(
                &join(path, format!("parse.{i}")),
                "BASE_TYPE_CHOICES",
                "Value must be one of {'users', 'roles', 'everyone'}.",
            );
        }
    }
    for kind in ["users", "roles"] {
        let list = items(p, &join(path, kind), am.get(kind), 100);
        for (i, id) in list.iter().enumerate() {
            snowflake(p, &join(path, format!("{kind}.{i}")), id);
        }
        if !list.is_empty() && parse.iter().any(|v| v.as_str() == Some(kind)) {
            p.at(
                &join(path, kind),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                format!("parse:[\"{kind}\"] and {kind}: [ids...] are mutually exclusive."),
            );
        }
    }
    boolean(p, &join(path, "replied_user"), am.get("replied_user"));
}

/// `POST /interactions/{id}/{token}/callback`. `interaction_type` is the type of the interaction
/// being answered (2 command, 3 component, 4 autocomplete, 5 modal submit) when known.
pub fn callback(p: &mut Problems, body: &Value, interaction_type: Option<u64>) {
    keys(p, "", body, &["type", "data"]);
    let Some(kind) = body.get("type").and_then(Value::as_u64) else {
        p.at("type", "BASE_TYPE_REQUIRED", "This field is required");
        return;
    };
    let valid_for: &[u64] = match interaction_type {
        Some(2) => &[4, 5, 9, 10, 12],
        Some(3 | 5) => &[4, 5, 6, 7, 9, 10],
        Some(4) => &[8],
        Some(1) => &[1],
        _ => &[1, 4, 5, 6, 7, 8, 9, 10, 12],
    };
    if !valid_for.contains(&kind) {
        p.at(
            "type",
            "INTERACTION_RESPONSE_TYPE_INVALID",
            format!("Callback type {kind} is not valid for interaction type {interaction_type:?}"),
        );
        return;
    }
    let data = body.get("data").filter(|v| !v.is_null());
    match (kind, data) {
        (4, None) => p.at("data", "BASE_TYPE_REQUIRED", "This field is required"),
        (4, Some(d)) => message(p, "data", d, MessageKind::CallbackCreate),
        (5, Some(d)) => {
            keys(p, "data", d, MessageKind::CallbackCreate.allowed());
            int(p, "data.flags", d.get("flags"), 0, i64::from(u32::MAX));
        }
        (7, Some(d)) => message(p, "data", d, MessageKind::CallbackUpdate),
        (8, d) => autocomplete(p, d),
        (9, d) => modal(p, d),
        (1 | 6 | 10 | 12, Some(_)) => {
            p.at("data", "SIM_UNEXPECTED_DATA", format!("callback type {kind} takes no data"));
        }
        _ => {}
    }
}

/// Callback type 8: at most 25 choices, names 1–100, string values at most 100.
fn autocomplete(p: &mut Problems, data: Option<&Value>) {
    let Some(d) = data else {
        p.at("data", "BASE_TYPE_REQUIRED", "This field is required");
        return;
    };
    keys(p, "data", d, &["choices"]);
    let choices = items(p, "data.choices", d.get("choices"), 25);
    for (i, c) in choices.iter().enumerate() {
        let cp = format!("data.choices.{i}");
        keys(p, &cp, c, &["name", "name_localizations", "value"]);
        text(p, &join(&cp, "name"), c.get("name"), 1, 100, true);
        match c.get("value") {
            Some(Value::String(_)) => {
                text(p, &join(&cp, "value"), c.get("value"), 0, 100, true);
            }
            Some(Value::Number(_)) => {}
            _ => p.at(&join(&cp, "value"), "BASE_TYPE_REQUIRED", "A string or number is required"),
        }
    }
}

/// Callback type 9: a modal with a custom id, a title and 1–5 rows.
fn modal(p: &mut Problems, data: Option<&Value>) {
    let Some(d) = data else {
        p.at("data", "BASE_TYPE_REQUIRED", "This field is required");
        return;
    };
    keys(p, "data", d, &["custom_id", "title", "components"]);
    text(p, "data.custom_id", d.get("custom_id"), 1, 100, true);
    text(p, "data.title", d.get("title"), 1, 45, true);
    let rows = items(p, "data.components", d.get("components"), 5);
    if rows.is_empty() {
        p.at("data.components", "BASE_TYPE_REQUIRED", "This field is required");
    }
    // ActionRowComponentForModalRequest: a row of one to five text inputs
    // (TextInputComponentForModalRequest).
    for (i, row) in rows.iter().enumerate() {
        let rp = format!("data.components.{i}");
        keys(p, &rp, row, &["type", "id", "components"]);
        if row.get("type").and_then(Value::as_u64) != Some(1) {
            p.at(
                &join(&rp, "type"),
                "SIM_MODAL_COMPONENT",
                "a modal's top-level components here are action rows (type 1)",
            );
            continue;
        }
        let inputs = items(p, &join(&rp, "components"), row.get("components"), 5);
        if inputs.is_empty() {
            p.at(&join(&rp, "components"), "BASE_TYPE_REQUIRED", "This field is required");
        }
        for (j, input) in inputs.iter().enumerate() {
            let ip = format!("{rp}.components.{j}");
            keys(
                p,
                &ip,
                input,
                &[
                    "type",
                    "id",
                    "custom_id",
                    "style",
                    "label",
                    "value",
                    "placeholder",
                    "required",
                    "min_length",
                    "max_length",
                ],
            );
            if input.get("type").and_then(Value::as_u64) != Some(4) {
                p.at(&join(&ip, "type"), "SIM_MODAL_COMPONENT", "an action row in a modal holds text inputs (type 4)");
            }
            text(p, &join(&ip, "custom_id"), input.get("custom_id"), 1, 100, true);
            if int(p, &join(&ip, "style"), input.get("style"), 1, 2).is_none() {
                p.at(&join(&ip, "style"), "BASE_TYPE_REQUIRED", "style is 1 (short) or 2 (paragraph)");
            }
            text(p, &join(&ip, "label"), input.get("label"), 1, 45, false);
            text(p, &join(&ip, "value"), input.get("value"), 0, 4000, false);
            text(p, &join(&ip, "placeholder"), input.get("placeholder"), 0, 100, false);
            boolean(p, &join(&ip, "required"), input.get("required"));
            let min = int(p, &join(&ip, "min_length"), input.get("min_length"), 0, 4000);
            let max = int(p, &join(&ip, "max_length"), input.get("max_length"), 1, 4000);
            if let (Some(lo), Some(hi)) = (min, max) {
                if lo > hi {
                    p.at(&join(&ip, "min_length"), "SIM_MIN_OVER_MAX", "min_length is above max_length");
                }
            }
        }
    }
}
