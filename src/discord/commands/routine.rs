//! `/routine list | show | post`.

use poise::serenity_prelude as serenity;

use crate::content::render::{self as content_render, duration, truncate};
use crate::discord::access::require_coach;
use crate::discord::data::{Context, Error};
use crate::discord::options::{autocomplete_routine, routine_named};
use crate::discord::render::routine::{card, start_button};
use crate::discord::render::TEAL;
use crate::discord::reply;
use crate::session::engine::Plan;

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
