//! Opening a session's lobby, from `/session start` or a routine card's
//! Start session button, and who acts on a session.

use poise::serenity_prelude as serenity;

use super::access::Invoker;
use super::data::{Data, Error};
use super::render;
use crate::content::render::Post;
use crate::session::engine::Actor;
use crate::session::runner::StartSpec;

/// Seconds before a session starts when `start_in` is not given.
pub const DEFAULT_START_IN: u32 = 20;

/// Starts a session and returns its lobby (pages and buttons).
pub async fn start(data: &Data, spec: StartSpec) -> Result<(Vec<Post>, Vec<serenity::CreateActionRow>), Error> {
    let view = data.runner.start(spec).await?;
    Ok((render::lobby(&data.content, &view), render::lobby_buttons(view.id)))
}

/// The actor of a control: the invoker, and whether they coach.
pub async fn actor(data: &Data, who: &Invoker) -> Result<Actor, Error> {
    Ok(Actor { user: who.user, is_coach: who.is_coach(&data.pool).await? })
}
