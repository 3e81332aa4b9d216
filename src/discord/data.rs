//! Shared state of the bot (built once at start-up) and the error types.

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use sqlx::SqlitePool;

use super::outbound::Outbound;
use crate::config::Config;
use crate::content::{Content, FaqIndex};
use crate::session::runner::Runner;
use crate::store;

/// Everything a command needs.
pub struct Data {
    pub pool: SqlitePool,
    pub content: Arc<Content>,
    pub index: Arc<FaqIndex>,
    pub runner: Runner,
    pub outbound: Outbound,
    pub reminders: Arc<tokio::sync::Notify>,
    pub config: Config,
    /// Counters and histograms for `/metrics` (always kept; served only
    /// when `metrics.addr` is set).
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// Errors of commands: a [`Refuse`] is shown to the user as it is; anything
/// else is logged and answered with a short generic message.
pub type Error = anyhow::Error;
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// A refusal whose text is safe and useful to show the user (ephemeral).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refuse(pub String);

impl std::fmt::Display for Refuse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refuse {}

/// A refusal to show the user.
pub fn refuse(text: impl Into<String>) -> Error {
    anyhow::Error::new(Refuse(text.into()))
}

/// The text to show for an error, if it is safe to show.
pub fn user_text(error: &Error) -> Option<String> {
    if let Some(r) = error.downcast_ref::<Refuse>() {
        return Some(r.0.clone());
    }
    if let Some(e) = error.downcast_ref::<crate::session::runner::RunnerError>() {
        use crate::session::runner::RunnerError as R;
        return match e {
            R::Store(_) => None,
            other => Some(other.to_string()),
        };
    }
    if let Some(e) = error.downcast_ref::<store::StoreError>() {
        use store::StoreError as S;
        return match e {
            S::Other(_) | S::Migrate(_) => None,
            S::NotFound => Some("I could not find that.".into()),
            other => Some(other.to_string()),
        };
    }
    None
}

/// The roles and permissions of the member behind an interaction, as the
/// interaction itself carries them (never the client's word).
#[derive(Debug, Clone, Default)]
pub struct Invoker {
    pub user: u64,
    pub guild: Option<u64>,
    pub roles: Vec<u64>,
    pub permissions: serenity::Permissions,
}

impl Invoker {
    /// From an interaction's member (or user, in a DM).
    pub fn of(interaction_member: Option<&serenity::Member>, user: u64, guild: Option<u64>) -> Self {
        let (roles, permissions) = match interaction_member {
            Some(m) => (m.roles.iter().map(|r| r.get()).collect(), m.permissions.unwrap_or_default()),
            None => (Vec::new(), serenity::Permissions::empty()),
        };
        Self { user, guild, roles, permissions }
    }

    /// Manage Server (or Administrator).
    pub fn can_manage(&self) -> bool {
        self.permissions.contains(serenity::Permissions::MANAGE_GUILD)
            || self.permissions.contains(serenity::Permissions::ADMINISTRATOR)
    }

    /// A coach: the server's coach role, or Manage Server.
    pub async fn is_coach(&self, pool: &SqlitePool) -> Result<bool, Error> {
        if self.can_manage() {
            return Ok(true);
        }
        let Some(guild) = self.guild else { return Ok(false) };
        let settings = store::guilds::get_guild_settings(pool, store::db_id(guild)).await?;
        Ok(settings.coach_role_id.is_some_and(|role| self.roles.contains(&store::discord_id(role))))
    }
}

/// The invoker of a command.
pub fn invoker(ctx: Context<'_>) -> Invoker {
    let member = match ctx {
        poise::Context::Application(app) => app.interaction.member.as_deref(),
        poise::Context::Prefix(_) => None,
    };
    Invoker::of(member, ctx.author().id.get(), ctx.guild_id().map(poise::serenity_prelude::GuildId::get))
}

/// Refuses unless the invoker is a coach.
pub async fn require_coach(ctx: Context<'_>) -> Result<Invoker, Error> {
    let who = invoker(ctx);
    if who.guild.is_none() {
        return Err(refuse("This command works only in a server."));
    }
    if who.is_coach(&ctx.data().pool).await? {
        Ok(who)
    } else {
        Err(refuse(
            "Only coaches can do that. A coach has the server's coach role (set with /settings coach_role) \
             or the Manage Server permission.",
        ))
    }
}

/// Refuses unless the invoker has Manage Server.
pub fn require_manage(ctx: Context<'_>) -> Result<Invoker, Error> {
    let who = invoker(ctx);
    if who.guild.is_some() && who.can_manage() {
        Ok(who)
    } else {
        Err(refuse("Only members with the Manage Server permission can change the server's settings."))
    }
}

/// The guild of a command, or a refusal in DMs.
pub fn guild(ctx: Context<'_>) -> Result<u64, Error> {
    ctx.guild_id()
        .map(poise::serenity_prelude::GuildId::get)
        .ok_or_else(|| refuse("This command works only in a server."))
}
