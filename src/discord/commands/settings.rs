//! `/settings coach_role | timezone | coaches_channel` (Manage Server) and `/me timezone | forget`.

use poise::serenity_prelude as serenity;

use crate::discord::access::{guild, invoker, require_manage};
use crate::discord::custom_id::CustomId;
use crate::discord::data::{Context, Error};
use crate::discord::error::refuse;
use crate::discord::options::autocomplete_timezone;
use crate::discord::reply;
use crate::schedule;
use crate::store::{self, db_id};

fn parse_tz(text: &str) -> Result<chrono_tz::Tz, Error> {
    schedule::parse_timezone(text).map_err(refuse)
}

/// Server settings (Manage Server).
#[poise::command(
    slash_command,
    guild_only,
    subcommands("settings_coach_role", "settings_timezone", "settings_coaches_channel"),
    subcommand_required
)]
pub async fn settings(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Set the role whose members count as coaches.
#[poise::command(slash_command, rename = "coach_role", guild_only)]
pub async fn settings_coach_role(
    ctx: Context<'_>,
    #[description = "The coaches' role"] role: serenity::Role,
) -> Result<(), Error> {
    require_manage(ctx)?;
    let guild_id = guild(ctx)?;
    store::guilds::set_coach_role(&ctx.data().pool, db_id(guild_id), Some(db_id(role.id.get()))).await?;
    reply::private(ctx, format!("Coaches are now members of <@&{}> (and anyone with Manage Server).", role.id)).await
}

/// Set the server's default timezone (reminders, reports, streaks).
#[poise::command(slash_command, rename = "timezone", guild_only)]
pub async fn settings_timezone(
    ctx: Context<'_>,
    #[description = "IANA timezone, e.g. Europe/Berlin"]
    #[autocomplete = "autocomplete_timezone"]
    timezone: String,
) -> Result<(), Error> {
    require_manage(ctx)?;
    let tz = parse_tz(&timezone)?;
    let guild_id = guild(ctx)?;
    store::guilds::set_guild_timezone(&ctx.data().pool, db_id(guild_id), Some(tz)).await?;
    reply::private(ctx, format!("The server's timezone is now {tz}.")).await
}

/// Set the channel where the bot tells coaches of check-in red flags.
#[poise::command(slash_command, rename = "coaches_channel", guild_only)]
pub async fn settings_coaches_channel(
    ctx: Context<'_>,
    #[description = "A channel only coaches can see"]
    #[channel_types("Text")]
    channel: serenity::GuildChannel,
) -> Result<(), Error> {
    require_manage(ctx)?;
    let guild_id = guild(ctx)?;
    if channel.guild_id.get() != guild_id {
        return Err(refuse("That channel is in another server."));
    }
    store::guilds::set_coaches_channel(&ctx.data().pool, db_id(guild_id), Some(db_id(channel.id.get()))).await?;
    reply::private(
        ctx,
        format!(
            "Check-in red flags (pain of 7 or more, sharp pain, numbness, tingling) now go to <#{}>. \
             Make sure only coaches can read it.",
            channel.id
        ),
    )
    .await
}

/// Your own settings and data.
#[poise::command(slash_command, subcommands("me_timezone", "me_export", "me_forget"), subcommand_required)]
pub async fn me(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Set your timezone (your streaks count days at your midnight).
#[poise::command(slash_command, rename = "timezone")]
pub async fn me_timezone(
    ctx: Context<'_>,
    #[description = "IANA timezone, e.g. America/New_York"]
    #[autocomplete = "autocomplete_timezone"]
    timezone: String,
) -> Result<(), Error> {
    let tz = parse_tz(&timezone)?;
    store::users::set_user_timezone(&ctx.data().pool, db_id(invoker(ctx).user), Some(tz)).await?;
    reply::private(ctx, format!("Your timezone is now {tz}.")).await
}

/// Everything Holdfast stores about you, as a JSON file (only you see it).
#[poise::command(slash_command, rename = "export")]
pub async fn me_export(ctx: Context<'_>) -> Result<(), Error> {
    let user = invoker(ctx).user;
    let export = store::users::export_user(&ctx.data().pool, db_id(user)).await?;
    let bytes = serde_json::to_vec_pretty(&export)?;
    let count = |k: &str| export[k].as_array().map_or(0, Vec::len);
    let text = format!(
        "Everything Holdfast stores about you: {} session{}, {} hold credit{}, {} check-in{}, {} restriction{} set \
         for you, {} look{} by coaches at your records, your settings, and the messages it posted that name you. \
         /me forget deletes it.",
        count("sessions_joined"),
        crate::content::render::plural(count("sessions_joined")),
        count("hold_credits"),
        crate::content::render::plural(count("hold_credits")),
        count("check_ins"),
        crate::content::render::plural(count("check_ins")),
        count("restrictions"),
        crate::content::render::plural(count("restrictions")),
        count("coach_views_of_your_records"),
        crate::content::render::plural(count("coach_views_of_your_records")),
    );
    let reply = poise::CreateReply::default()
        .content(text)
        .attachment(serenity::CreateAttachment::bytes(bytes, "holdfast-export.json"))
        .ephemeral(true);
    ctx.send(reply).await?;
    Ok(())
}

/// Custom id of the forget confirmation.
fn forget_button_id(user: u64, confirm: bool) -> String {
    CustomId::Forget { user, confirm }.to_string()
}

/// Delete everything Holdfast stores about you (asks to confirm).
#[poise::command(slash_command, rename = "forget")]
pub async fn me_forget(ctx: Context<'_>) -> Result<(), Error> {
    let user = invoker(ctx).user;
    let buttons = vec![serenity::CreateActionRow::Buttons(vec![
        serenity::CreateButton::new(forget_button_id(user, true))
            .label("Delete my data")
            .style(serenity::ButtonStyle::Danger),
        serenity::CreateButton::new(forget_button_id(user, false))
            .label("Cancel")
            .style(serenity::ButtonStyle::Secondary),
    ])];
    let reply = poise::CreateReply::default()
        .content(
            "This deletes everything Holdfast stores about you: your hold credits, streaks, session attendance and \
             settings. It cannot be undone. Are you sure?",
        )
        .components(buttons)
        .ephemeral(true);
    ctx.send(reply).await?;
    Ok(())
}
