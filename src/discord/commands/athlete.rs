//! `/athlete restrict | restrictions | lift`: a coach's individual
//! restrictions for one athlete. Every answer is ephemeral: only the athlete
//! and coaches ever see them, and each look by a coach at someone else's is
//! recorded (shown to the athlete in `/me export`).

use poise::serenity_prelude as serenity;

use crate::content::render::{truncate, Field, Post};
use crate::discord::access::{guild, invoker, require_coach};
use crate::discord::data::{Context, Error};
use crate::discord::error::refuse;
use crate::discord::options::{autocomplete_exercise, exercise_named, Choice, Choices};
use crate::discord::render::TEAL;
use crate::discord::reply;
use crate::restrict::{self, Request, RuleChoice};
use crate::store::{self, db_id};

/// The `rule` option: avoid, left only, right only, max hold.
impl Choices for RuleChoice {
    fn choices() -> Vec<&'static str> {
        vec!["avoid", "left only", "right only", "max hold"]
    }
}

/// Individual restrictions for athletes (coaches; athletes see their own).
#[poise::command(
    slash_command,
    guild_only,
    subcommands("athlete_restrict", "athlete_restrictions", "athlete_lift"),
    subcommand_required
)]
pub async fn athlete(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Refuses a bot, or someone the interaction does not show as a member here.
fn check_person(ctx: Context<'_>, user: &serenity::User) -> Result<(), Error> {
    if user.bot {
        return Err(refuse(format!("{} is a bot: restrictions are for athletes.", user.name)));
    }
    if let poise::Context::Application(app) = ctx {
        let resolved = &app.interaction.data.resolved;
        if resolved.users.contains_key(&user.id) && !resolved.members.contains_key(&user.id) {
            return Err(refuse(format!("<@{}> is not a member of this server.", user.id)));
        }
    }
    Ok(())
}

/// Set a restriction for an athlete on one exercise (replaces an earlier one).
#[poise::command(slash_command, rename = "restrict", guild_only)]
#[allow(clippy::too_many_arguments)]
pub async fn athlete_restrict(
    ctx: Context<'_>,
    #[description = "The athlete"] athlete: serenity::User,
    #[description = "The exercise"]
    #[autocomplete = "autocomplete_exercise"]
    exercise: String,
    #[description = "avoid, left only, right only, or max hold"] rule: Choice<RuleChoice>,
    #[description = "For max hold: the longest hold, 1-600 seconds"]
    #[min = 1]
    #[max = 600]
    seconds: Option<i64>,
    #[description = "Last day it applies, YYYY-MM-DD (default: until lifted)"]
    #[max_length = 10]
    until: Option<String>,
    #[description = "A note for the athlete (at most 200 characters)"]
    #[max_length = 200]
    note: Option<String>,
) -> Result<(), Error> {
    let coach = require_coach(ctx).await?;
    let guild_id = guild(ctx)?;
    check_person(ctx, &athlete)?;
    let ex = exercise_named(ctx, &exercise)?;
    let rule = match rule.0 {
        RuleChoice::MaxHold(_) => RuleChoice::MaxHold(seconds),
        other => other,
    };
    let pool = &ctx.data().pool;
    let tz = store::guilds::get_guild_settings(pool, db_id(guild_id)).await?.timezone.unwrap_or(chrono_tz::UTC);
    let req = Request {
        guild_id: db_id(guild_id),
        athlete: db_id(athlete.id.get()),
        exercise: &ex.id,
        rule,
        until: until.as_deref(),
        note: note.as_deref(),
        coach: db_id(coach.user),
    };
    let now = store::now_ms();
    let (stored, replaced) = restrict::set(pool, &ctx.data().content, &req, tz, now).await?;
    let verb = if replaced { "Replaced" } else { "Set" };
    reply::private(
        ctx,
        format!(
            "{verb}: {} for <@{}>. They are told what applies to them when they join a session; \
             only they and coaches can see it (`/athlete restrictions`).",
            restrict::describe(&ctx.data().content, &stored, now),
            athlete.id
        ),
    )
    .await
}

/// The restrictions of an athlete (coaches), or your own.
#[poise::command(slash_command, rename = "restrictions", guild_only)]
pub async fn athlete_restrictions(
    ctx: Context<'_>,
    #[description = "Whose (coaches only, for someone else; default: yours)"] athlete: Option<serenity::User>,
) -> Result<(), Error> {
    let who = invoker(ctx);
    let guild_id = guild(ctx)?;
    let target = athlete.as_ref().map_or(who.user, |u| u.id.get());
    let pool = &ctx.data().pool;
    let now = store::now_ms();
    if target != who.user {
        if !who.is_coach(pool).await? {
            return Err(refuse(
                "Only coaches can see someone else's restrictions. Leave `athlete` empty to see yours.",
            ));
        }
        store::restrictions::record_view(pool, db_id(guild_id), db_id(target), db_id(who.user), "restrictions", now)
            .await?;
    }
    let all = store::restrictions::of_athlete(pool, db_id(guild_id), db_id(target)).await?;
    let content = &ctx.data().content;
    let (active, ended): (Vec<_>, Vec<_>) = all.iter().partition(|r| r.is_active(now));
    let whose = if target == who.user { "Your restrictions".to_string() } else { "Restrictions".to_string() };
    let mut post = Post {
        title: whose,
        description: if active.is_empty() {
            format!("<@{target}> has no restrictions in this server.")
        } else {
            format!("<@{target}>: these apply in every session; the group runs as planned.")
        },
        ..Post::default()
    };
    let lines = |list: &[&store::restrictions::Restriction]| {
        truncate(
            &list.iter().map(|r| restrict::describe(content, r, now)).collect::<Vec<_>>().join("\n"),
            crate::limits::EMBED_FIELD_VALUE,
        )
    };
    if !active.is_empty() {
        post.fields.push(Field { name: "In force".into(), value: lines(&active) });
    }
    if !ended.is_empty() {
        post.fields.push(Field { name: "Ended".into(), value: lines(&ended) });
    }
    reply::pages(ctx, &post.paginate(), TEAL, true, None, Vec::new()).await
}

/// Lift an athlete's restriction on one exercise, or all of them.
#[poise::command(slash_command, rename = "lift", guild_only)]
pub async fn athlete_lift(
    ctx: Context<'_>,
    #[description = "The athlete"] athlete: serenity::User,
    #[description = "The exercise (default: every restriction of theirs)"]
    #[autocomplete = "autocomplete_exercise"]
    exercise: Option<String>,
) -> Result<(), Error> {
    require_coach(ctx).await?;
    let guild_id = guild(ctx)?;
    let ex = exercise.as_deref().map(|e| exercise_named(ctx, e)).transpose()?;
    let pool = &ctx.data().pool;
    let lifted =
        store::restrictions::lift(pool, db_id(guild_id), db_id(athlete.id.get()), ex.map(|e| e.id.as_str())).await?;
    let text = match (lifted, ex) {
        (0, Some(e)) => format!("<@{}> has no restriction on {}: nothing changed.", athlete.id, e.name),
        (0, None) => format!("<@{}> has no restrictions here: nothing changed.", athlete.id),
        (_, Some(e)) => format!("Lifted: <@{}> does {} with the group again.", athlete.id, e.name),
        (n, None) => format!("Lifted {n} restriction{} of <@{}>.", crate::content::render::plural(n), athlete.id),
    };
    reply::private(ctx, text).await
}
