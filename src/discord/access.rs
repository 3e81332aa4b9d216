//! Who is asking, and what they may do. Every check happens here, in the
//! bot, on every call, from what the interaction itself carries (never the
//! client's word).

use poise::serenity_prelude as serenity;
use sqlx::SqlitePool;

use super::data::{Context, Error};
use super::error::refuse;
use crate::store;

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
