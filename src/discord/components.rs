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

/// A button's answer, and an ephemeral follow-up for the presser (when the
/// answer itself is a public message or an edit).
struct Reply {
    response: Response,
    followup: Option<String>,
    /// The response is a new session's lobby.
    lobby_of: Option<i64>,
}

impl Reply {
    fn now(response: Response) -> Self {
        Reply { response, followup: None, lobby_of: None }
    }
}

/// Handles one button press and answers it: what it did, or (through the
/// error policy, src/discord/error.rs) why not.
pub async fn handle(
    ctx: &serenity::Context,
    data: &Data,
    press: &serenity::ComponentInteraction,
) -> InteractionOutcome {
    let (reply, outcome) = match respond(data, press).await {
        Ok(reply) => (reply, InteractionOutcome::Ok),
        Err(e) => {
            let (answer, text) = error::reply_text(&e, error::Origin::Button(&press.data.custom_id));
            (Reply::now(private(text)), answer.outcome(&data.metrics))
        }
    };
    if let Err(e) = press.create_response(&ctx.http, reply.response).await {
        tracing::warn!(custom_id = %press.data.custom_id, error = %e, "could not answer a button");
        return InteractionOutcome::Error;
    }
    if let Some(session) = reply.lobby_of {
        lobby::remember_message(data, session, press.get_response(&ctx.http).await).await;
    }
    if let Some(text) = reply.followup {
        let followup = serenity::CreateInteractionResponseFollowup::new()
            .content(crate::content::render::truncate(&text, crate::limits::MESSAGE_CONTENT))
            .ephemeral(true);
        if let Err(e) = press.create_followup(&ctx.http, followup).await {
            tracing::warn!(custom_id = %press.data.custom_id, error = %e, "could not send a button's follow-up");
        }
    }
    outcome
}

async fn respond(data: &Data, press: &serenity::ComponentInteraction) -> Result<Reply, Error> {
    let who = Invoker::of(
        press.member.as_ref(),
        press.user.id.get(),
        press.guild_id.map(poise::serenity_prelude::GuildId::get),
    );
    let response = match press.data.custom_id.parse::<CustomId>() {
        Ok(CustomId::Session { session, action, lobby }) => {
            session_press(data, press, &who, session, action, lobby).await?
        }
        Ok(CustomId::StartRoutine { routine, reminder }) => start_press(data, press, &who, &routine, reminder).await?,
        Ok(CustomId::Answer { owner, entry }) => Reply::now(match data.index.entry(&owner, &entry) {
            Some(answer) => Response::Message(Message::new().embed(answer_parts(&answer, "").0).ephemeral(true)),
            None => private("That answer is no longer in the FAQ. Try /ask again."),
        }),
        Ok(CustomId::Forget { user, confirm }) => Reply::now(forget_press(data, &who, user, confirm).await?),
        Ok(CustomId::CheckIn { session }) => Reply::now(check_in_press(data, &who, session).await?),
        Ok(CustomId::CheckInForm { .. }) => Reply::now(private("That form is answered by submitting it.")),
        Err(_) => Reply::now(private("That button is not mine, or it is too old to use.")),
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
) -> Result<Reply, Error> {
    let Some(view) = data.runner.view(id).await else {
        return Ok(Reply::now(private("This session has ended. Start a new one with /session start.")));
    };
    if view.channel_id != press.channel_id.get() {
        return Ok(Reply::now(private("This button belongs to a session in another channel.")));
    }
    let mut followup = None;
    let event = match action {
        SessionAction::Join => Event::Join(who.user),
        SessionAction::Leave => Event::Leave(who.user),
        SessionAction::Start => Event::StartNow(lobby::actor(data, who).await?),
        SessionAction::Pause => Event::Pause(lobby::actor(data, who).await?),
        SessionAction::Resume => Event::Resume(lobby::actor(data, who).await?),
        SessionAction::Skip => Event::Skip(lobby::actor(data, who).await?),
        SessionAction::Stop => Event::Stop(lobby::actor(data, who).await?),
    };
    let (out, view) = if let Event::Join(user) = event {
        let (limits, lines) = lobby::limits_of(data, view.guild_id, user, &view.plan).await?;
        let joined = data.runner.join(id, user, limits).await?;
        if !lines.is_empty() && matches!(joined.0.membership, Some(Membership::Joined | Membership::AlreadyIn)) {
            followup = Some(lobby::limits_text(&lines));
        }
        joined
    } else {
        data.runner.handle(id, event).await?
    };
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
        let mut msg = Message::new().components(render::lobby_buttons(view.id, view.state));
        if let Some(first) = pages.first() {
            msg = msg.embed(embed(first, TEAL));
        }
        return Ok(Reply { response: Response::UpdateMessage(msg), followup, lobby_of: None });
    }
    let ack = match followup {
        Some(limits) => format!("{ack}\n\n{limits}"),
        None => ack.to_string(),
    };
    Ok(Reply::now(private(ack)))
}

async fn start_press(
    data: &Data,
    press: &serenity::ComponentInteraction,
    who: &Invoker,
    routine: &str,
    reminder: Option<i64>,
) -> Result<Reply, Error> {
    let (Some(guild), Some(r)) = (who.guild, data.content.routine(routine)) else {
        return Ok(Reply::now(private("That routine is no longer available. See /routine list.")));
    };
    let spec = StartSpec {
        guild_id: guild,
        channel_id: press.channel_id.get(),
        host: who.user,
        plan: Plan::from_routine(&data.content, r),
        start_in_secs: DEFAULT_START_IN,
        host_limits: Vec::new(),
    };
    // A reminder's post: who marked its event interested comes in too.
    let members = match reminder {
        Some(id) => data.events.interested(guild, id).await?,
        None => Vec::new(),
    };
    let opened = lobby::start_with(data, spec, &members).await?;
    let mut msg = Message::new().components(opened.buttons);
    if !opened.pre_joined.is_empty() {
        let users = opened.pre_joined.iter().map(|u| serenity::UserId::new(*u));
        msg = msg
            .content(lobby::pre_joined_text(&opened.pre_joined))
            .allowed_mentions(serenity::CreateAllowedMentions::new().users(users));
    }
    if let Some(first) = opened.pages.first() {
        msg = msg.embed(embed(first, TEAL));
    }
    let followup = (!opened.host_limits.is_empty()).then(|| lobby::limits_text(&opened.host_limits));
    Ok(Reply { response: Response::Message(msg), followup, lobby_of: Some(opened.session) })
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
                "Done: I deleted {} hold credit{}, {} session attendance record{}, {} check-in{}, {} restriction{} \
                 and your settings.",
                report.credits,
                crate::content::render::plural(report.credits),
                report.participations,
                crate::content::render::plural(report.participations),
                report.check_ins,
                crate::content::render::plural(report.check_ins),
                report.restrictions,
                crate::content::render::plural(report.restrictions)
            ))
            .components(vec![]),
    ))
}

/// The Check in button: the check-in form, for those who took part.
async fn check_in_press(data: &Data, who: &Invoker, session: i64) -> Result<Response, Error> {
    let row = match crate::store::sessions::get_session(&data.pool, session).await {
        Ok(row) => row,
        Err(crate::store::StoreError::NotFound) => return Ok(private("That session is no longer on record.")),
        Err(e) => return Err(e.into()),
    };
    if !crate::store::check_ins::took_part(&data.pool, session, crate::store::db_id(who.user)).await? {
        return Ok(private("Check-ins are for the people who took part in this session."));
    }
    let routine = data.content.routine(&row.routine_id);
    let areas = crate::checkins::areas(&data.content, routine);
    let title = format!("Check in: {}", routine.map_or("your session", |r| r.name.as_str()));
    let input = |style, label: &str, id: &str| serenity::CreateInputText::new(style, label, id);
    let modal = serenity::CreateModal::new(
        CustomId::CheckInForm { session }.to_string(),
        crate::content::render::truncate(&title, crate::limits::MODAL_TITLE),
    )
    .components(vec![
        serenity::CreateActionRow::InputText(
            input(serenity::InputTextStyle::Short, "Pain or discomfort: 0 (none) to 10 (worst)", "pain")
                .placeholder("0-10")
                .min_length(1)
                .max_length(5)
                .required(true),
        ),
        serenity::CreateActionRow::InputText(
            input(serenity::InputTextStyle::Short, "Where did you feel it?", "where")
                .placeholder(crate::content::render::truncate(&areas.join(", "), crate::limits::INPUT_PLACEHOLDER))
                .max_length(u16::try_from(crate::checkins::MAX_AREA_CHARS).unwrap_or(60))
                .required(false),
        ),
        serenity::CreateActionRow::InputText(
            input(serenity::InputTextStyle::Paragraph, "Anything else? (optional)", "note")
                .placeholder("Sharp pain, numbness or tingling: say so here.")
                .max_length(u16::try_from(crate::checkins::MAX_NOTE_CHARS).unwrap_or(500))
                .required(false),
        ),
    ]);
    Ok(Response::Modal(modal))
}

/// A submitted check-in form: saved, and a red flag posted to the coaches
/// channel; the athlete reads what was saved, privately.
pub async fn handle_modal(
    ctx: &serenity::Context,
    data: &Data,
    form: &serenity::ModalInteraction,
) -> InteractionOutcome {
    let (text, outcome) = match submit(data, form).await {
        Ok(text) => (text, InteractionOutcome::Ok),
        Err(e) => {
            let (answer, text) = error::reply_text(&e, error::Origin::Button(&form.data.custom_id));
            (text, answer.outcome(&data.metrics))
        }
    };
    if let Err(e) = form.create_response(&ctx.http, private(text)).await {
        tracing::warn!(custom_id = %form.data.custom_id, error = %e, "could not answer a form");
        return InteractionOutcome::Error;
    }
    outcome
}

async fn submit(data: &Data, form: &serenity::ModalInteraction) -> Result<String, Error> {
    let Ok(CustomId::CheckInForm { session }) = form.data.custom_id.parse::<CustomId>() else {
        return Ok("That form is not mine, or it is too old to use.".into());
    };
    let field = |id: &str| {
        form.data
            .components
            .iter()
            .flat_map(|row| row.components.iter())
            .find_map(|c| match c {
                serenity::ActionRowComponent::InputText(t) if t.custom_id == id => t.value.clone(),
                _ => None,
            })
            .unwrap_or_default()
    };
    let row = match crate::store::sessions::get_session(&data.pool, session).await {
        Ok(row) => row,
        Err(crate::store::StoreError::NotFound) => return Ok("That session is no longer on record.".into()),
        Err(e) => return Err(e.into()),
    };
    let settings = crate::store::guilds::get_guild_settings(&data.pool, row.guild_id).await?;
    let (pain, area, note) = (field("pain"), field("where"), field("note"));
    let sub = crate::checkins::Submission {
        session_id: session,
        guild_id: row.guild_id,
        user_id: crate::store::db_id(form.user.id.get()),
        routine_id: &row.routine_id,
        pain: &pain,
        area: &area,
        note: &note,
    };
    let done = crate::checkins::record(
        &data.pool,
        &data.content,
        &sub,
        settings.coaches_channel_id,
        render::plain_body,
        crate::store::now_ms(),
    )
    .await?;
    if let Some((id, m)) = &done.alert {
        super::send_message(&data.outbound, *id, &m.body, m.channel_id, m.priority, None);
    }
    let c = &done.check_in;
    let mut text = format!(
        "Thanks, saved: pain {}/10{}. Only you and your coaches can see it; `/progress` shows your trend.",
        c.pain,
        c.area.as_deref().map(|a| format!(", {a}")).unwrap_or_default()
    );
    if !done.flags.is_empty() {
        text.push_str(&format!("\n\n**You reported {}.** ", done.flags.join(", ")));
        text.push_str(if done.alert.is_some() {
            "Your coaches have been told."
        } else {
            "This server has no coaches channel set, so tell your coach yourself."
        });
        text.push_str(" Stop the exercises that caused it, and if it does not settle, see a qualified professional.");
        if !done.stop_signs.is_empty() {
            text.push_str("\nStop at once if:");
            for s in done.stop_signs.iter().take(6) {
                text.push_str(&format!("\n• {s}"));
            }
        }
    }
    Ok(text)
}
