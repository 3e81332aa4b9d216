//! An answer to `/ask` (or a "did you mean" button) as an embed.

use poise::serenity_prelude as serenity;

use super::{embed, AMBER, RED, TEAL};
use crate::content::render::{self as content_render, truncate, Post};
use crate::content::search::AnswerKind;
use crate::content::AskResult;
use crate::discord::custom_id::CustomId;

/// Custom id of a "did you mean" button, when it fits Discord's limit.
pub fn ask_button_id(owner: &str, entry: &str) -> Option<String> {
    CustomId::Answer { owner: owner.to_string(), entry: entry.to_string() }.encode()
}

/// An answer as an embed, with "did you mean" buttons when unsure. An
/// answer that belongs to an exercise carries its restrictions and stop
/// signs as fields (a safety answer is made of them already).
pub fn answer_parts(result: &AskResult, asked: &str) -> (serenity::CreateEmbed, Vec<serenity::CreateActionRow>) {
    if let (Some(q), Some(a)) = (&result.question, &result.answer) {
        let source = result.exercise_name.clone().unwrap_or_default();
        let safety_answer = result.kind == Some(AnswerKind::Safety);
        let mut post = Post { title: q.clone(), description: a.clone(), ..Post::default() };
        if !safety_answer {
            post.pinned = content_render::safety_list_fields(&result.restrictions, &result.stop_signs);
        }
        let section = result.section.unwrap_or("faq");
        post.footer = Some(format!("From: {source} · {section} · /exercise for steps and safety"));
        let page = post.paginate().into_iter().next().unwrap_or_default();
        let colour = if safety_answer { RED } else { TEAL };
        return (embed(&page, colour), Vec::new());
    }
    let mut text = match &result.reason {
        Some(reason) => reason.clone(),
        None => format!(
            "I don't know the answer to \"{}\". If it is about pain or an injury, ask a qualified professional.",
            truncate(asked.trim(), 300)
        ),
    };
    if !result.suggestions.is_empty() {
        text.push_str(" Did you mean one of these?");
    }
    let e = serenity::CreateEmbed::new()
        .title("I don't know that one")
        .description(truncate(&text, crate::limits::EMBED_DESCRIPTION))
        .colour(AMBER);
    let buttons: Vec<serenity::CreateButton> = result
        .suggestions
        .iter()
        .take(crate::limits::BUTTONS_PER_ROW)
        .filter_map(|s| {
            let id = ask_button_id(&s.exercise_id, &s.faq_id)?;
            Some(
                serenity::CreateButton::new(id)
                    .label(truncate(&s.question, crate::limits::BUTTON_LABEL))
                    .style(serenity::ButtonStyle::Secondary),
            )
        })
        .collect();
    let rows = if buttons.is_empty() { Vec::new() } else { vec![serenity::CreateActionRow::Buttons(buttons)] };
    (e, rows)
}
