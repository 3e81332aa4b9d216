//! `/session start | pause | resume | skip | stop | status`.

use crate::content::render::duration;
use crate::discord::access::{guild, invoker};
use crate::discord::data::{Context, Error};
use crate::discord::error::refuse;
use crate::discord::lobby::{self, DEFAULT_START_IN};
use crate::discord::options::{autocomplete_routine, routine_named};
use crate::discord::render::TEAL;
use crate::discord::reply;
use crate::session::engine::Plan;
use crate::session::engine::{Actor, Event};
use crate::session::runner::{StartSpec, View};

/// Timed group recovery sessions in this channel.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("session_start", "session_pause", "session_resume", "session_skip", "session_stop", "session_status"),
    subcommand_required
)]
pub async fn session(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Start a group session here: a lobby with Join buttons, then timed holds.
#[poise::command(slash_command, rename = "start", guild_only)]
pub async fn session_start(
    ctx: Context<'_>,
    #[description = "Routine to run"]
    #[autocomplete = "autocomplete_routine"]
    routine: String,
    #[description = "Seconds per hold (default: the routine's)"]
    #[min = 5]
    #[max = 600]
    hold: Option<u32>,
    #[description = "Rounds of each step (default: the routine's)"]
    #[min = 1]
    #[max = 10]
    rounds: Option<u32>,
    #[description = "Seconds until it starts (default 20)"]
    #[min = 0]
    #[max = 600]
    start_in: Option<u32>,
) -> Result<(), Error> {
    let guild_id = guild(ctx)?;
    let r = routine_named(ctx, &routine)?;
    let data = ctx.data();
    let plan = Plan::from_routine(&data.content, r).with_overrides(hold, rounds);
    let spec = StartSpec {
        guild_id,
        channel_id: ctx.channel_id().get(),
        host: ctx.author().id.get(),
        plan,
        start_in_secs: start_in.unwrap_or(DEFAULT_START_IN),
        host_limits: Vec::new(),
    };
    let opened = lobby::start(data, spec).await?;
    reply::pages(ctx, &opened.pages, TEAL, false, None, opened.buttons).await?;
    if let poise::Context::Application(app) = ctx {
        lobby::remember_message(data, opened.session, app.interaction.get_response(ctx.http()).await).await;
    }
    if !opened.host_limits.is_empty() {
        reply::private(ctx, lobby::limits_text(&opened.host_limits)).await?;
    }
    Ok(())
}

async fn control(ctx: Context<'_>, make: fn(Actor) -> Event, done: &str) -> Result<(), Error> {
    let data = ctx.data();
    let id = data
        .runner
        .session_in(ctx.channel_id().get())
        .await
        .ok_or_else(|| refuse("There is no session running in this channel. Start one with /session start."))?;
    let who = invoker(ctx);
    let actor = lobby::actor(data, &who).await?;
    data.runner.handle(id, make(actor)).await?;
    reply::private(ctx, done).await
}

/// Pause the session (host or coach).
#[poise::command(slash_command, rename = "pause", guild_only)]
pub async fn session_pause(ctx: Context<'_>) -> Result<(), Error> {
    control(ctx, Event::Pause, "Paused.").await
}

/// Resume the session (host or coach).
#[poise::command(slash_command, rename = "resume", guild_only)]
pub async fn session_resume(ctx: Context<'_>) -> Result<(), Error> {
    control(ctx, Event::Resume, "Resumed.").await
}

/// Skip to the next phase (host or coach).
#[poise::command(slash_command, rename = "skip", guild_only)]
pub async fn session_skip(ctx: Context<'_>) -> Result<(), Error> {
    control(ctx, Event::Skip, "Skipped to the next phase.").await
}

/// Stop the session now; holds done so far are credited (host or coach).
#[poise::command(slash_command, rename = "stop", guild_only)]
pub async fn session_stop(ctx: Context<'_>) -> Result<(), Error> {
    control(ctx, Event::Stop, "Stopped.").await
}

/// Where the session in this channel is.
pub fn status_text(view: &View) -> String {
    let mut text =
        format!("**{}** (session #{}), host <@{}>, {}.\n", view.plan.routine_name, view.id, view.host, view.state);
    if let Some(c) = &view.current {
        let side = match c.info.side {
            Some(crate::session::engine::Side::Left) => " (left side)",
            Some(crate::session::engine::Side::Right) => " (right side)",
            None => "",
        };
        text.push_str(&format!(
            "Now: {:?} {}{side}, phase {}/{}",
            c.info.kind,
            c.info.exercise_name,
            c.index + 1,
            c.count
        ));
        match (c.ends_at_ms, c.paused_remaining_secs) {
            (_, Some(left)) => text.push_str(&format!(", paused with {} left", duration(left))),
            (Some(end), None) => text.push_str(&format!(", ends <t:{}:R>", end / 1000)),
            _ => {}
        }
        text.push('\n');
    } else if let Some(d) = view.deadline_ms {
        text.push_str(&format!("Starts <t:{}:R>.\n", d / 1000));
    }
    let present = view.present();
    text.push_str(&format!("In the session ({}): ", present.len()));
    let names: Vec<String> = present.iter().take(40).map(|u| format!("<@{u}>")).collect();
    text.push_str(&names.join(", "));
    if present.len() > 40 {
        text.push_str(&format!(" and {} more", present.len() - 40));
    }
    text
}

/// Where the session in this channel is, and who is in it.
#[poise::command(slash_command, rename = "status", guild_only)]
pub async fn session_status(ctx: Context<'_>) -> Result<(), Error> {
    let data = ctx.data();
    let Some(id) = data.runner.session_in(ctx.channel_id().get()).await else {
        return reply::private(ctx, "No session is running in this channel. Start one with /session start.").await;
    };
    match data.runner.view(id).await {
        Some(view) => reply::private(ctx, status_text(&view)).await,
        None => reply::private(ctx, "That session has just ended.").await,
    }
}
