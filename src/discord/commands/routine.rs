//! `/routine list | show | post`.

use poise::serenity_prelude as serenity;

use crate::content::render::{self as content_render, duration, truncate};
use crate::content::Routine;
use crate::discord::custom_id::CustomId;
use crate::discord::data::{refuse, require_coach, Context, Error};
use crate::discord::render::TEAL;
use crate::discord::reply;
use crate::session::engine::Plan;

/// Routines whose name or id matches what is typed.
pub async fn autocomplete_routine(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let needle = partial.trim().to_lowercase();
    let mut found: Vec<(bool, &str, &str)> = ctx
        .data()
        .content
        .routines
        .iter()
        .filter(|r| needle.is_empty() || r.name.to_lowercase().contains(&needle) || r.id.contains(&needle))
        .map(|r| (!r.name.to_lowercase().starts_with(&needle), r.name.as_str(), r.id.as_str()))
        .collect();
    found.sort_unstable();
    reply::choices(found.into_iter().map(|(_, n, id)| (n.to_string(), id.to_string())))
}

/// The routine a person named, or a refusal listing the known ones.
pub fn routine_named<'a>(ctx: Context<'a>, name: &str) -> Result<&'a Routine, Error> {
    ctx.data().content.find_routine(name).ok_or_else(|| {
        let known: Vec<&str> = ctx.data().content.routines.iter().map(|r| r.name.as_str()).collect();
        refuse(truncate(&format!("I don't know a routine called \"{name}\". Try one of: {}.", known.join(", ")), 1900))
    })
}

/// The routine card: steps, total time, every restriction.
pub fn card(content: &crate::content::Content, r: &Routine) -> Vec<content_render::Post> {
    let total = Plan::from_routine(content, r).total_secs();
    content_render::routine(content, r, total).paginate()
}

/// Custom id of a routine card's Start session button.
pub fn start_button_id(routine: &str) -> String {
    truncate(&CustomId::StartRoutine { routine: routine.to_string() }.to_string(), crate::limits::CUSTOM_ID)
}

/// The button under a posted routine.
pub fn start_button(routine: &str) -> serenity::CreateActionRow {
    serenity::CreateActionRow::Buttons(vec![serenity::CreateButton::new(start_button_id(routine))
        .label("Start session")
        .style(serenity::ButtonStyle::Success)])
}

/// Recovery routines: list, show, post.
#[poise::command(slash_command, subcommands("routine_list", "routine_show", "routine_post"), subcommand_required)]
pub async fn routine(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Every routine, with its length.
#[poise::command(slash_command, rename = "list")]
pub async fn routine_list(ctx: Context<'_>) -> Result<(), Error> {
    let content = &ctx.data().content;
    let mut lines = Vec::new();
    for r in &content.routines {
        let total = Plan::from_routine(content, r).total_secs();
        lines.push(format!("**{}** (`{}`, about {}): {}", r.name, r.id, duration(total), truncate(&r.purpose, 200)));
    }
    let post = content_render::Post {
        title: "Routines".into(),
        description: lines.join("\n"),
        footer: Some("/routine show name · /session start routine".into()),
        ..Default::default()
    };
    reply::pages(ctx, &post.paginate(), TEAL, true, None, Vec::new()).await
}

/// A routine's steps, total time and safety restrictions.
#[poise::command(slash_command, rename = "show")]
pub async fn routine_show(
    ctx: Context<'_>,
    #[description = "Routine"]
    #[autocomplete = "autocomplete_routine"]
    name: String,
) -> Result<(), Error> {
    let r = routine_named(ctx, &name)?;
    reply::pages(ctx, &card(&ctx.data().content, r), TEAL, true, None, Vec::new()).await
}

/// Post a routine to your athletes (coaches), with a Start session button.
#[poise::command(slash_command, rename = "post", guild_only)]
pub async fn routine_post(
    ctx: Context<'_>,
    #[description = "Routine"]
    #[autocomplete = "autocomplete_routine"]
    name: String,
    #[description = "Mention this role"] athletes: Option<serenity::Role>,
    #[description = "A note from the coach"]
    #[max_length = 500]
    note: Option<String>,
) -> Result<(), Error> {
    require_coach(ctx).await?;
    let r = routine_named(ctx, &name)?;
    let mut content = match &athletes {
        Some(role) => format!("<@&{}> ", role.id),
        None => String::new(),
    };
    content.push_str(&format!("Recovery routine from <@{}>: **{}**", ctx.author().id, r.name));
    if let Some(note) = note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        content.push_str(&format!("\n> {}", truncate(note, 500)));
    }
    let pages = card(&ctx.data().content, r);
    let mut first = true;
    for page in &pages {
        let mut reply = poise::CreateReply::default().embed(crate::discord::render::embed(page, TEAL));
        if first {
            let mentions = match &athletes {
                Some(role) => serenity::CreateAllowedMentions::new().roles(vec![role.id]),
                None => reply::mentions_none(),
            };
            reply = reply
                .content(truncate(&content, crate::limits::MESSAGE_CONTENT))
                .allowed_mentions(mentions)
                .components(vec![start_button(&r.id)]);
            first = false;
        }
        ctx.send(reply).await?;
    }
    Ok(())
}
