//! Core results → what Discord shows: embeds, buttons, channel messages.
//!
//! Session cues are built as raw JSON bodies (the outbound queue posts them
//! itself, reading 429s); everything else uses serenity's builders. Every
//! text that could grow is cut or split on purpose (src/limits.rs).

pub mod answer;
pub mod routine;

use poise::serenity_prelude as serenity;
use serde_json::{json, Value};

use crate::content::render::{self, duration, truncate, Post};
use crate::content::Content;
use crate::discord::custom_id::{CustomId, SessionAction};
use crate::session::engine::{Announcement, AnnouncementKind as K, PhaseInfo, Side, Status, Summary};
use crate::session::runner::View;

/// Embed colours.
pub const TEAL: u32 = 0x1abc9c;
pub const AMBER: u32 = 0xf1c40f;
pub const RED: u32 = 0xe74c3c;
pub const GREEN: u32 = 0x2ecc71;
pub const GREY: u32 = 0x95a5a6;

/// Discord's limit on message content.
pub const CONTENT_MAX: usize = crate::limits::MESSAGE_CONTENT;

/// A post as a serenity embed (the post must already fit: see
/// [`Post::paginate`]).
pub fn embed(post: &Post, colour: u32) -> serenity::CreateEmbed {
    let mut e = serenity::CreateEmbed::new().title(&post.title).colour(colour);
    if !post.description.is_empty() {
        e = e.description(&post.description);
    }
    for f in &post.fields {
        e = e.field(&f.name, &f.value, false);
    }
    if let Some(footer) = &post.footer {
        e = e.footer(serenity::CreateEmbedFooter::new(truncate(footer, crate::limits::EMBED_FOOTER)));
    }
    e
}

/// A post as a JSON embed (for bodies the outbound queue posts).
pub fn embed_json(post: &Post, colour: u32) -> Value {
    let fields: Vec<Value> =
        post.fields.iter().map(|f| json!({"name": f.name, "value": f.value, "inline": false})).collect();
    let mut e = json!({"title": post.title, "color": colour, "fields": fields});
    if !post.description.is_empty() {
        e["description"] = json!(post.description);
    }
    if let Some(footer) = &post.footer {
        e["footer"] = json!({"text": truncate(footer, crate::limits::EMBED_FOOTER)});
    }
    e
}

/// A button as JSON.
/// A plain message body: `text` (cut to fit), mentioning nobody.
pub fn plain_body(text: &str) -> String {
    json!({"content": truncate(text, crate::limits::MESSAGE_CONTENT), "allowed_mentions": {"parse": []}}).to_string()
}

fn button_json(custom_id: &str, label: &str, style: u8) -> Value {
    json!({"type": 2, "style": style, "label": truncate(label, crate::limits::BUTTON_LABEL), "custom_id": custom_id})
}

/// The custom id of a session button; `lobby` marks the lobby message,
/// whose embed is refreshed in place.
pub fn session_button_id(session: i64, action: SessionAction, lobby: bool) -> String {
    CustomId::Session { session, action, lobby }.to_string()
}

/// The lobby's buttons: Join, Leave, Start now while it waits; once the
/// session runs, Join, Leave and the host's Pause, Skip, Stop.
pub fn lobby_buttons(session: i64, state: Status) -> Vec<serenity::CreateActionRow> {
    let button = |action, lobby, label: &str, style| {
        serenity::CreateButton::new(session_button_id(session, action, lobby)).label(label).style(style)
    };
    let mut row = vec![
        button(SessionAction::Join, true, "Join", serenity::ButtonStyle::Success),
        button(SessionAction::Leave, true, "Leave", serenity::ButtonStyle::Secondary),
    ];
    if state == Status::Lobby {
        row.push(button(SessionAction::Start, true, "Start now", serenity::ButtonStyle::Primary));
    } else {
        row.push(button(SessionAction::Pause, false, "Pause", serenity::ButtonStyle::Secondary));
        row.push(button(SessionAction::Skip, false, "Skip", serenity::ButtonStyle::Secondary));
        row.push(button(SessionAction::Stop, false, "Stop", serenity::ButtonStyle::Danger));
    }
    vec![serenity::CreateActionRow::Buttons(row)]
}

/// The lobby message once the session has started, as the body of
/// `PATCH /channels/{id}/messages/{lobby}`: it says so, and carries the
/// in-session buttons.
pub fn lobby_started(content: &Content, view: &View) -> Value {
    let first = lobby(content, view).into_iter().next().unwrap_or_default();
    json!({
        "embeds": [embed_json(&first, TEAL)],
        "components": lobby_buttons(view.id, view.state),
    })
}

fn mention_list(users: &[u64]) -> String {
    if users.is_empty() {
        return "nobody yet".into();
    }
    let all: Vec<String> = users.iter().map(|u| format!("<@{u}>")).collect();
    let text = all.join(", ");
    if text.chars().count() <= 1000 {
        text
    } else {
        let shown: Vec<String> = all.iter().take(25).cloned().collect();
        format!("{} and {} more", shown.join(", "), users.len() - shown.len())
    }
}

/// The lobby: routine, steps, total time, every restriction, who is in and
/// when it starts. May be several pages (each one embed).
pub fn lobby(content: &Content, view: &View) -> Vec<Post> {
    let mut post = match content.routine(&view.plan.routine_id) {
        Some(r) => render::routine(content, r, view.total_secs),
        None => Post { title: view.plan.routine_name.clone(), ..Post::default() },
    };
    // The steps as this session runs them (hold and rounds may be overridden).
    let steps: Vec<String> = view
        .plan
        .steps
        .iter()
        .map(|s| render::step_line(&s.exercise_name, s.hold_secs, s.per_side, s.rounds, s.rest_secs))
        .collect();
    if let Some(f) = post.fields.iter_mut().find(|f| f.name == "Steps") {
        let numbered: Vec<String> = steps.iter().enumerate().map(|(i, s)| format!("{}. {s}", i + 1)).collect();
        f.value = truncate(&numbered.join("\n"), render::FIELD_VALUE_MAX);
    }
    if let Some(f) = post.fields.iter_mut().find(|f| f.name == "Total time") {
        f.value = format!("about {}", duration(view.total_secs));
    }
    post.title = format!("Recovery session: {}", view.plan.routine_name);
    let starts = match (view.state, view.deadline_ms) {
        (Status::Lobby, Some(d)) => format!("Starts <t:{}:R> (or when the host presses **Start now**).", d / 1000),
        _ => "**This session has started**: follow the cues below. You can still join.".to_string(),
    };
    post.description =
        format!("{}\n\n{starts}\nHost: <@{}> · In: {}", post.description, view.host, mention_list(&view.present()));
    post.footer = Some(format!("session #{} · routine: {}", view.id, view.plan.routine_id));
    post.paginate()
}

fn side_text(side: Option<Side>) -> &'static str {
    match side {
        Some(Side::Left) => " (left side)",
        Some(Side::Right) => " (right side)",
        None => "",
    }
}

fn phase_line(p: &PhaseInfo) -> String {
    format!("step {}/{}, round {}/{}", p.step, p.steps, p.round, p.rounds)
}

fn summary_text(summary: &Summary) -> String {
    let present: Vec<u64> = summary.participants.iter().filter(|p| !p.left_early).map(|p| p.user).collect();
    let left: Vec<u64> = summary.participants.iter().filter(|p| p.left_early).map(|p| p.user).collect();
    let mut text = format!(
        "Steps done: {}/{}\nHold time: {}\nWho was there: {}",
        summary.steps_done,
        summary.steps,
        duration(summary.hold_secs_done),
        mention_list(&present)
    );
    if !left.is_empty() {
        text.push_str(&format!("\nLeft early (credited for their holds): {}", mention_list(&left)));
    }
    text.push_str("\nEveryone's holds are in `/progress`. Press **Check in** to tell your coaches how it felt (only they see it).");
    text
}

/// The message of one announcement, as the body of
/// `POST /channels/{id}/messages`.
pub fn announcement(view: &View, a: &Announcement) -> Value {
    let ends = a.ends_at_unix().map(|t| format!("<t:{t}:R>")).unwrap_or_default();
    let phase = a.phase.as_ref();
    let name = phase.map(|p| p.exercise_name.as_str()).unwrap_or_default();
    let side = phase.map_or("", |p| side_text(p.side));
    let where_ = phase.map(phase_line).unwrap_or_default();
    let next = a.next.as_ref().map(|n| format!("{}{}", n.exercise_name, side_text(n.side))).unwrap_or_default();
    let by = a.by.map(|u| format!(" by <@{u}>")).unwrap_or_default();
    let (content, controls) = match a.kind {
        K::GetReady => (
            format!(
                "**Get in position: {name}{side}** ({where_})\nThe hold starts {ends}. In: {}",
                mention_list(&view.present())
            ),
            true,
        ),
        K::NextExercise => {
            (format!("**Next exercise: {name}{side}** ({where_})\nGet in position; the hold starts {ends}."), true)
        }
        K::Hold => (
            format!("**Hold: {name}{side}** ({where_}, {})\nEnds {ends}.", duration(phase.map_or(0, |p| p.secs))),
            true,
        ),
        K::SwitchSides => (format!("**Switch sides**: {next} next. The hold starts {ends}."), true),
        K::Rest => (format!("**Rest.** Next: {next}, {ends}."), true),
        K::Paused => (
            format!(
                "**Paused**{by}. {} left on this phase. Press Resume or use `/session resume`.",
                duration(a.remaining_secs.unwrap_or(0))
            ),
            true,
        ),
        K::Resumed => (format!("**Resumed**{by}: {name}{side} ends {ends}."), true),
        K::Done | K::Stopped | K::Abandoned => {
            let head = match a.kind {
                K::Done => format!("**Session complete: {}**", view.plan.routine_name),
                K::Stopped => format!("**Session stopped{by}: {}**", view.plan.routine_name),
                _ => format!(
                    "**Session ended: {}.** The bot was offline for more than 15 minutes, so it stopped here.",
                    view.plan.routine_name
                ),
            };
            let body = a.summary.as_ref().map(summary_text).unwrap_or_default();
            (format!("{head}\n{body}"), false)
        }
    };
    let mut body = json!({
        "content": truncate(&content, CONTENT_MAX),
        "allowed_mentions": {"parse": []},
        "nonce": format!("s{}-{}", view.id, a.seq),
        "enforce_nonce": true,
    });
    if matches!(a.kind, K::Done | K::Stopped | K::Abandoned) {
        body["components"] = json!([{"type": 1, "components": [
            button_json(&CustomId::CheckIn { session: view.id }.to_string(), "Check in", 1),
        ]}]);
    }
    if controls {
        let id = view.id;
        let pause = if a.kind == K::Paused {
            button_json(&session_button_id(id, SessionAction::Resume, false), "Resume", 3)
        } else {
            button_json(&session_button_id(id, SessionAction::Pause, false), "Pause", 2)
        };
        body["components"] = json!([{"type": 1, "components": [
            button_json(&session_button_id(id, SessionAction::Join, false), "Join", 3),
            button_json(&session_button_id(id, SessionAction::Leave, false), "Leave", 2),
            pause,
            button_json(&session_button_id(id, SessionAction::Skip, false), "Skip", 2),
            button_json(&session_button_id(id, SessionAction::Stop, false), "Stop", 4),
        ]}]);
    }
    body
}
