//! Opening a session's lobby, from `/session start` or a routine card's
//! Start session button, who acts on a session, and what a restricted
//! athlete's limits are in it.

use poise::serenity_prelude as serenity;

use super::access::Invoker;
use super::data::{Data, Error};
use super::render;
use crate::content::render::Post;
use crate::session::engine::{Actor, Membership, PersonalLimit, Plan};
use crate::session::runner::StartSpec;
use crate::store::{self, db_id};

/// Seconds before a session starts when `start_in` is not given.
pub const DEFAULT_START_IN: u32 = 20;

/// A started lobby: its pages and buttons, and what applies to the host
/// personally (lines to tell them privately; empty when nothing does).
pub struct Opened {
    /// The session's id.
    pub session: i64,
    pub pages: Vec<Post>,
    pub buttons: Vec<serenity::CreateActionRow>,
    pub host_limits: Vec<String>,
    /// Members added to the lobby for the host (interested in the event of
    /// the reminder it was opened from).
    pub pre_joined: Vec<u64>,
}

/// Starts a session (the host with their personal limits) and returns its
/// lobby.
pub async fn start(data: &Data, spec: StartSpec) -> Result<Opened, Error> {
    start_with(data, spec, &[]).await
}

/// [`start`], then adds `members` to the lobby, each with their own limits.
pub async fn start_with(data: &Data, mut spec: StartSpec, members: &[u64]) -> Result<Opened, Error> {
    let (guild, host) = (spec.guild_id, spec.host);
    let (limits, lines) = limits_of(data, guild, host, &spec.plan).await?;
    spec.host_limits = limits;
    let mut view = data.runner.start(spec).await?;
    let mut pre_joined = Vec::new();
    for &user in members.iter().filter(|u| **u != host) {
        let (limits, _) = limits_of(data, guild, user, &view.plan).await?;
        let (out, joined) = data.runner.join(view.id, user, limits).await?;
        if out.membership == Some(Membership::Joined) {
            pre_joined.push(user);
        }
        view = joined;
    }
    Ok(Opened {
        session: view.id,
        pages: render::lobby(&data.content, &view),
        buttons: render::lobby_buttons(view.id, view.state),
        host_limits: lines,
        pre_joined,
    })
}

/// The lobby's line for members added from an event: it mentions them, so
/// they know it has opened.
pub fn pre_joined_text(members: &[u64]) -> String {
    let names: Vec<String> = members.iter().map(|u| format!("<@{u}>")).collect();
    crate::content::render::truncate(
        &format!("In from the event (you marked it Interested): {}. Can't make it? Press Leave.", names.join(", ")),
        crate::limits::MESSAGE_CONTENT,
    )
}

/// The actor of a control: the invoker, and whether they coach.
pub async fn actor(data: &Data, who: &Invoker) -> Result<Actor, Error> {
    Ok(Actor { user: who.user, is_coach: who.is_coach(&data.pool).await? })
}

/// A member's restrictions that apply to `plan` today: the limits to join
/// with, and a line each to tell them.
pub async fn limits_of(
    data: &Data,
    guild: u64,
    user: u64,
    plan: &Plan,
) -> Result<(Vec<PersonalLimit>, Vec<String>), Error> {
    let active = crate::restrict::active(&data.pool, db_id(guild), db_id(user), store::now_ms()).await?;
    Ok(crate::restrict::limits_for(&data.content, &active, plan))
}

/// Tells the runner which message is the lobby (the interaction's
/// response), so it can be edited when the session starts; a failure only
/// costs that edit.
pub async fn remember_message(data: &Data, session: i64, message: Result<serenity::Message, serenity::Error>) {
    match message {
        Ok(m) => {
            if let Err(e) = data.runner.set_lobby_message(session, m.id.get()).await {
                tracing::debug!(session, error = %e, "lobby message not recorded");
            }
        }
        Err(e) => tracing::warn!(session, error = %e, "could not read the lobby message back; it will not be edited"),
    }
}

/// What a restricted athlete reads when they join.
pub fn limits_text(lines: &[String]) -> String {
    let list: String = lines.iter().map(|l| format!("\n• {l}")).collect();
    format!(
        "Your coach has set restrictions that apply in this session. The group runs as planned; for you:{list}\n\
         You're credited with what you do. Questions about them: ask your coach."
    )
}
