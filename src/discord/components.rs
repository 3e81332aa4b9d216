//! Buttons: session Join/Leave/Start now/controls, a routine card's Start
//! session, "did you mean" answers, and the `/me forget` confirmation.
//!
//! Custom ids are [`CustomId`] values (src/discord/custom_id.rs). Every press is checked here
//! against the state of now: an ended session, another channel or another
//! person's confirmation gets an ephemeral explanation.

use poise::serenity_prelude as serenity;
use serenity::{CreateInteractionResponse as Response, CreateInteractionResponseMessage as Message};

use super::access::Invoker;
use super::custom_id::{CustomId, SessionAction};
use super::data::{Data, Error};
use super::error;
use super::lobby::{self, DEFAULT_START_IN};
use super::render::answer::answer_parts;
use super::render::{self, embed, TEAL};
use crate::metrics::InteractionOutcome;
use crate::session::engine::Plan;
use crate::session::engine::{Event, Membership};
use crate::session::runner::StartSpec;

fn private(text: impl Into<String>) -> Response {
    Response::Message(
        Message::new()
            .content(crate::content::render::truncate(&text.into(), crate::limits::MESSAGE_CONTENT))
            .ephemeral(true),
    )
}

/// Handles one button press and answers it: what it did, or (through the
/// error policy, src/discord/error.rs) why not.
pub async fn handle(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> InteractionOutcome {
    let (response, outcome) = match respond(data, press).await {
        Ok(response) => (response, InteractionOutcome::Ok),
        Err(e) => {
            let (answer, text) = error::reply_text(&e, error::Origin::Button(&press.data.custom_id));
            (private(text), answer.outcome(&data.metrics))
        }
    };
    if let Err(e) = press.create_response(&ctx.http, response).await {
        tracing::warn!(custom_id = %press.data.custom_id, error = %e, "could not answer a button");
        return InteractionOutcome::Error;
    }
    outcome
}

async fn respond(data: &Data, press: &serenity::ComponentInteraction) -> Result<Response, Error> {
    let who = Invoker::of(
        press.member.as_ref(),
        press.user.id.get(),
        press.guild_id.map(poise::serenity_prelude::GuildId::get),
    );
    let response = match press.data.custom_id.parse::<CustomId>() {
        Ok(CustomId::Session { session, action, lobby }) => {
            session_press(data, press, &who, session, action, lobby).await?
        }
        Ok(CustomId::StartRoutine { routine }) => start_press(data, press, &who, &routine).await?,
        Ok(CustomId::Answer { owner, entry }) => match data.index.entry(&owner, &entry) {
            Some(answer) => Response::Message(Message::new().embed(answer_parts(&answer, "").0).ephemeral(true)),
            None => private("That answer is no longer in the FAQ. Try /ask again."),
        },
        Ok(CustomId::Forget { user, confirm }) => forget_press(data, &who, user, confirm).await?,
        Err(_) => private("That button is not mine, or it is too old to use."),
    };
    Ok(response)
}

async fn session_press(
    data: &Data,
    press: &serenity::ComponentInteraction,
    who: &Invoker,
    id: i64,
    action: SessionAction,
    lobby: bool,
) -> Result<Response, Error> {
    let Some(view) = data.runner.view(id).await else {
        return Ok(private("This session has ended. Start a new one with /session start."));
    };
    if view.channel_id != press.channel_id.get() {
        return Ok(private("This button belongs to a session in another channel."));
    }
    let event = match action {
        SessionAction::Join => Event::Join(who.user),
        SessionAction::Leave => Event::Leave(who.user),
        SessionAction::Start => Event::StartNow(lobby::actor(data, who).await?),
        SessionAction::Pause => Event::Pause(lobby::actor(data, who).await?),
        SessionAction::Resume => Event::Resume(lobby::actor(data, who).await?),
        SessionAction::Skip => Event::Skip(lobby::actor(data, who).await?),
        SessionAction::Stop => Event::Stop(lobby::actor(data, who).await?),
    };
    let (out, view) = data.runner.handle(id, event).await?;
    let ack = match (action, out.membership) {
        (SessionAction::Join, Some(Membership::AlreadyIn)) => "You're already in this session.",
        (SessionAction::Join, _) => "You're in. Follow the cues in this channel.",
        (SessionAction::Leave, Some(Membership::NotIn)) => "You weren't in this session.",
        (SessionAction::Leave, _) => "You left the session. Your holds so far are credited.",
        (SessionAction::Start, _) => "Starting now.",
        (SessionAction::Pause, _) => "Paused.",
        (SessionAction::Resume, _) => "Resumed.",
        (SessionAction::Skip, _) => "Skipped to the next phase.",
        (SessionAction::Stop, _) => "Stopped.",
    };
    let lobby_refresh = matches!(action, SessionAction::Join | SessionAction::Leave | SessionAction::Start);
    if lobby && lobby_refresh {
        // Refresh the lobby in place: who is in, and whether it started.
        let pages = render::lobby(&data.content, &view);
        let mut msg = Message::new().components(render::lobby_buttons(view.id));
        if let Some(first) = pages.first() {
            msg = msg.embed(embed(first, TEAL));
        }
        return Ok(Response::UpdateMessage(msg));
    }
    Ok(private(ack))
}

async fn start_press(
    data: &Data,
    press: &serenity::ComponentInteraction,
    who: &Invoker,
    routine: &str,
) -> Result<Response, Error> {
    let (Some(guild), Some(r)) = (who.guild, data.content.routine(routine)) else {
        return Ok(private("That routine is no longer available. See /routine list."));
    };
    let spec = StartSpec {
        guild_id: guild,
        channel_id: press.channel_id.get(),
        host: who.user,
        plan: Plan::from_routine(&data.content, r),
        start_in_secs: DEFAULT_START_IN,
    };
    let (pages, buttons) = lobby::start(data, spec).await?;
    let mut msg = Message::new().components(buttons);
    if let Some(first) = pages.first() {
        msg = msg.embed(embed(first, TEAL));
    }
    Ok(Response::Message(msg))
}

async fn forget_press(data: &Data, who: &Invoker, user: u64, confirm: bool) -> Result<Response, Error> {
    if user != who.user {
        return Ok(private("This confirmation belongs to someone else; use /me forget yourself."));
    }
    if !confirm {
        return Ok(Response::UpdateMessage(
            Message::new().content("Cancelled: nothing was deleted.").components(vec![]),
        ));
    }
    let report = crate::forget::forget_user(&data.pool, &data.runner, who.user).await?;
    Ok(Response::UpdateMessage(
        Message::new()
            .content(format!(
                "Done: I deleted {} hold credit{}, {} session attendance record{} and your settings.",
                report.credits,
                crate::content::render::plural(report.credits),
                report.participations,
                crate::content::render::plural(report.participations)
            ))
            .components(vec![]),
    ))
}
