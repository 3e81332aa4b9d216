//! A routine's card, its Start session button, and a reminder's post.

use poise::serenity_prelude as serenity;
use serde_json::json;

use super::{embed_json, TEAL};
use crate::content::render::{self as content_render, truncate};
use crate::content::{Content, Routine};
use crate::discord::custom_id::CustomId;
use crate::session::engine::Plan;
use crate::store::Reminder;

/// The routine card: steps, total time, every restriction.
pub fn card(content: &Content, r: &Routine) -> Vec<content_render::Post> {
    let total = Plan::from_routine(content, r).total_secs();
    content_render::routine(content, r, total).paginate()
}

/// Custom id of a routine card's Start session button (on a reminder's post
/// whose reminder keeps an event, that reminder too).
pub fn start_button_id(routine: &str, reminder: Option<i64>) -> String {
    let start = |reminder| CustomId::StartRoutine { routine: routine.to_string(), reminder };
    // Content slugs are short; a reminder id that would not fit is left off.
    let id = start(reminder).encode().unwrap_or_else(|| start(None).to_string());
    truncate(&id, crate::limits::CUSTOM_ID)
}

/// The button under a posted routine.
pub fn start_button(routine: &str) -> serenity::CreateActionRow {
    serenity::CreateActionRow::Buttons(vec![serenity::CreateButton::new(start_button_id(routine, None))
        .label("Start session")
        .style(serenity::ButtonStyle::Success)])
}

/// The body of a reminder's post: the routine's first card page, a role
/// mention when the reminder has one, a note when it fires late, and a
/// nonce so that a resend cannot post it twice.
pub fn reminder_body(content: &Content, r: &Reminder, routine: &Routine, late_by_ms: Option<i64>) -> serde_json::Value {
    let pages = card(content, routine);
    let mut text = match r.role_id {
        Some(role) => format!("<@&{role}> "),
        None => String::new(),
    };
    text.push_str(&format!("Time for recovery: **{}**.", routine.name));
    if let Some(late) = late_by_ms {
        text.push_str(&format!(" (This reminder is {} min late: the bot was offline.)", (late + 59_999) / 60_000));
    }
    let roles: Vec<String> = r.role_id.map(|x| x.to_string()).into_iter().collect();
    let embeds: Vec<serde_json::Value> = pages.iter().take(1).map(|p| embed_json(p, TEAL)).collect();
    json!({
        "content": truncate(&text, crate::limits::MESSAGE_CONTENT),
        "embeds": embeds,
        "allowed_mentions": {"parse": [], "roles": roles},
        "components": [{"type": 1, "components": [
            {"type": 2, "style": 3, "label": "Start session", "custom_id": start_button_id(&routine.id, r.event.then_some(r.id))}
        ]}],
        "nonce": truncate(&format!("r{}-{}", r.id, r.next_fire_ms / 60_000), crate::limits::NONCE),
        "enforce_nonce": true,
    })
}
