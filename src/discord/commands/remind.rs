//! `/remind add | list | preview | skip | pause | remove` (coaches).

use poise::serenity_prelude as serenity;

use crate::discord::access::{guild, require_coach};
use crate::discord::data::{Context, Error};
use crate::discord::error::refuse;
use crate::discord::options::{autocomplete_routine, autocomplete_timezone, routine_named};
use crate::discord::reply;
use crate::reminders::ReminderSpec;
use crate::schedule::{self, Days, TimeOfDay};
use crate::store::{self, db_id, StoreError};

/// Whether the bot may post in `channel`, as far as the gateway's guild data
/// tells (unknown counts as yes; posting will tell for sure).
fn bot_can_post(ctx: Context<'_>, channel: serenity::ChannelId) -> bool {
    if channel == ctx.channel_id() {
        if let poise::Context::Application(app) = ctx {
            if let Some(perms) = app.interaction.app_permissions {
                return perms.contains(serenity::Permissions::SEND_MESSAGES)
                    && perms.contains(serenity::Permissions::VIEW_CHANNEL);
            }
        }
    }
    let bot = ctx.framework().bot_id();
    let Some(guild) = ctx.guild() else { return true };
    let (Some(ch), Some(member)) = (guild.channels.get(&channel), guild.members.get(&bot)) else { return true };
    let perms = guild.user_permissions_in(ch, member);
    perms.contains(serenity::Permissions::SEND_MESSAGES) && perms.contains(serenity::Permissions::VIEW_CHANNEL)
}

const NO_MANAGE_EVENTS: &str = "I can't keep a Discord event without the **Manage Events** permission. Give my \
     role Manage Events (Server Settings → Roles), or add the reminder without `event`. Nothing was saved.";

/// Whether the bot may create scheduled events here (from the interaction's
/// `app_permissions`; unknown counts as yes, and Discord will tell).
fn bot_can_manage_events(ctx: Context<'_>) -> bool {
    match ctx {
        poise::Context::Application(app) => {
            app.interaction.app_permissions.is_none_or(|p| p.contains(serenity::Permissions::MANAGE_EVENTS))
        }
        poise::Context::Prefix(_) => true,
    }
}

/// Where a server's scheduled event opens in Discord.
fn event_link(guild: u64, event: u64) -> String {
    format!("https://discord.com/events/{guild}/{event}")
}

/// Creates reminder `id`'s event now and says how it went. Discord refusing
/// for want of Manage Events removes the reminder again (nothing is saved);
/// any other failure leaves it to the event keeper's next pass.
async fn event_text(ctx: Context<'_>, guild: u64, id: i64) -> Result<String, Error> {
    use crate::reminders::events::{CalendarError, Step};
    let step = ctx.data().events.keep_one(guild, id).await?;
    // The background pass may have made it first.
    let made = match step {
        None | Some(Step::Nothing) => ctx.data().events.event_of(guild, id).await?.map(Step::Created),
        other => other,
    };
    match made {
        Some(Step::Created(event) | Step::Moved(event)) => Ok(format!(
            "\nIts Discord event: {}. Members who mark it Interested are \
             added to the lobby opened from the reminder's post; the event moves to the next time after each one.",
            event_link(guild, event)
        )),
        Some(Step::Failed(CalendarError::Forbidden)) => {
            ctx.data().reminders.remove(guild, id).await?;
            Err(refuse(NO_MANAGE_EVENTS))
        }
        Some(Step::Failed(e)) => Ok(format!(
            "\nDiscord did not create its event yet ({e}); I'll try again within the hour and after each reminder."
        )),
        Some(Step::Deleted | Step::Nothing) | None => Ok(String::new()),
    }
}

/// Recurring recovery reminders (coaches).
#[poise::command(
    slash_command,
    guild_only,
    subcommands("remind_add", "remind_list", "remind_preview", "remind_skip", "remind_pause", "remind_remove"),
    subcommand_required
)]
pub async fn remind(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Post a routine at a local time on chosen days.
#[poise::command(slash_command, rename = "add", guild_only)]
#[allow(clippy::too_many_arguments)]
pub async fn remind_add(
    ctx: Context<'_>,
    #[description = "Routine to post"]
    #[autocomplete = "autocomplete_routine"]
    routine: String,
    #[description = "Local time, HH:MM (24-hour)"]
    #[max_length = 5]
    time: String,
    #[description = "daily, weekdays, weekends, or days like mon,wed,fri"]
    #[max_length = 60]
    days: String,
    #[description = "IANA timezone (default: the server's)"]
    #[autocomplete = "autocomplete_timezone"]
    timezone: Option<String>,
    #[description = "Channel to post in (default: here)"]
    #[channel_types("Text")]
    channel: Option<serenity::GuildChannel>,
    #[description = "Role to mention"] athletes: Option<serenity::Role>,
    #[description = "Last date it fires on, YYYY-MM-DD (default: no end)"]
    #[max_length = 10]
    until: Option<String>,
    #[description = "Every this many weeks (default 1: every week; 2: every other week)"]
    #[min = 1]
    #[max = 12]
    every: Option<u8>,
    #[description = "Also keep the next time as a Discord event members can mark Interested"] event: Option<bool>,
) -> Result<(), Error> {
    let who = require_coach(ctx).await?;
    let event = event.unwrap_or(false);
    let guild_id = guild(ctx)?;
    let r = routine_named(ctx, &routine)?;
    let time: TimeOfDay = time.parse().map_err(refuse)?;
    let days: Days = days.parse().map_err(refuse)?;
    let until = until.as_deref().map(schedule::parse_date).transpose().map_err(refuse)?;
    let pool = &ctx.data().pool;
    let tz = match timezone.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => schedule::parse_timezone(t).map_err(refuse)?,
        None => store::guilds::get_guild_settings(pool, db_id(guild_id)).await?.timezone.unwrap_or(chrono_tz::UTC),
    };
    let channel_id = channel.as_ref().map_or(ctx.channel_id(), |c| c.id);
    if !bot_can_post(ctx, channel_id) {
        return Err(refuse(format!(
            "I can't post in <#{channel_id}>: give me View Channel and Send Messages there, or pick another channel."
        )));
    }
    if event && !bot_can_manage_events(ctx) {
        return Err(refuse(NO_MANAGE_EVENTS));
    }
    if event {
        // Creating the event is one more call to Discord before the answer.
        ctx.defer_ephemeral().await?;
    }
    let spec = ReminderSpec {
        guild_id,
        channel_id: channel_id.get(),
        routine_id: r.id.clone(),
        role_id: athletes.as_ref().map(|role| role.id.get()),
        time,
        days,
        timezone: tz,
        created_by: who.user,
        every_weeks: every.unwrap_or(1),
        until,
        event,
    };
    let (id, next) = ctx.data().reminders.add(&spec).await?;
    let event_line = if event { event_text(ctx, guild_id, id).await? } else { String::new() };
    let role = athletes.as_ref().map_or(String::new(), |r| format!(", mentioning <@&{}>", r.id));
    reply::private(
        ctx,
        format!(
            "Reminder #{id}: **{}** at {time} {days}{} ({tz}) in <#{channel_id}>{role}. Next: <t:{}:F>.{event_line}",
            r.name,
            season_text(every.unwrap_or(1), until, None, 0),
            next / 1000
        ),
    )
    .await
}

/// This server's reminders and when each fires next.
#[poise::command(slash_command, rename = "list", guild_only)]
pub async fn remind_list(ctx: Context<'_>) -> Result<(), Error> {
    require_coach(ctx).await?;
    let guild_id = guild(ctx)?;
    let list = ctx.data().reminders.list(guild_id).await?;
    if list.is_empty() {
        return reply::private(ctx, "No reminders yet. Add one with /remind add.").await;
    }
    let lines: Vec<String> = list
        .iter()
        .map(|r| {
            let routine = ctx.data().content.routine(&r.routine_id).map_or(r.routine_id.as_str(), |x| x.name.as_str());
            let days = r.days;
            let role = r.role_id.map_or(String::new(), |role| format!(" <@&{role}>"));
            let next = if r.ended() {
                "Ended (its last date has passed)".to_owned()
            } else {
                format!("Next <t:{}:F>", r.next_fire_ms / 1000)
            };
            let event = match (r.event, r.event_id) {
                (true, Some(e)) => {
                    format!(" [Event]({})", event_link(store::discord_id(r.guild_id), store::discord_id(e)))
                }
                (true, None) => " (event pending)".to_owned(),
                (false, _) => String::new(),
            };
            format!(
                "**#{}** {routine}: {} {days}{} ({}) in <#{}>{role}. {next}{event}",
                r.id,
                r.time_of_day,
                season_text(r.every_weeks, r.until, r.paused_until, r.skips.len()),
                r.timezone,
                r.channel_id,
            )
        })
        .collect();
    let post =
        crate::content::render::Post { title: "Reminders".into(), description: lines.join("\n"), ..Default::default() };
    reply::pages(ctx, &post.paginate(), crate::discord::render::TEAL, true, None, Vec::new()).await
}

/// ", every 2 weeks, until 2027-03-31, paused until …, 2 dates skipped".
fn season_text(every: u8, until: Option<chrono::NaiveDate>, paused: Option<chrono::NaiveDate>, skips: usize) -> String {
    let mut out = String::new();
    if every > 1 {
        out.push_str(&format!(", every {every} weeks"));
    }
    if let Some(u) = until {
        out.push_str(&format!(", until {u}"));
    }
    if let Some(p) = paused {
        out.push_str(&format!(", paused until {p}"));
    }
    if skips > 0 {
        out.push_str(&format!(", {skips} date{} skipped", crate::content::render::plural(skips)));
    }
    out
}

/// The next 5 times a reminder fires, in its timezone.
#[poise::command(slash_command, rename = "preview", guild_only)]
pub async fn remind_preview(
    ctx: Context<'_>,
    #[description = "Reminder number, as /remind list shows it"]
    #[min = 1]
    id: i64,
) -> Result<(), Error> {
    require_coach(ctx).await?;
    let guild_id = guild(ctx)?;
    let (r, upcoming) = ctx.data().reminders.preview(guild_id, id, 5).await.map_err(not_found(id))?;
    if upcoming.is_empty() {
        return reply::private(ctx, format!("Reminder #{id} will not fire again: its last date has passed.")).await;
    }
    let lines: Vec<String> = upcoming.iter().map(|ms| format!("• <t:{}:F>", ms / 1000)).collect();
    reply::private(ctx, format!("Reminder #{id} fires next ({}):\n{}", r.timezone, lines.join("\n"))).await
}

/// Skip dates (match days, holidays): it does not fire on them.
#[poise::command(slash_command, rename = "skip", guild_only)]
pub async fn remind_skip(
    ctx: Context<'_>,
    #[description = "Reminder number, as /remind list shows it"]
    #[min = 1]
    id: i64,
    #[description = "Dates to skip, YYYY-MM-DD, separated by commas"]
    #[max_length = 300]
    dates: String,
) -> Result<(), Error> {
    require_coach(ctx).await?;
    let guild_id = guild(ctx)?;
    let dates = schedule::parse_dates(&dates).map_err(refuse)?;
    let next = ctx.data().reminders.skip(guild_id, id, &dates).await.map_err(not_found(id))?;
    let n = dates.len();
    reply::private(
        ctx,
        format!("Reminder #{id} skips {n} date{}. {}", crate::content::render::plural(n), next_text(next)),
    )
    .await
}

/// Pause a reminder through a date, or resume it (leave out `until`).
#[poise::command(slash_command, rename = "pause", guild_only)]
pub async fn remind_pause(
    ctx: Context<'_>,
    #[description = "Reminder number, as /remind list shows it"]
    #[min = 1]
    id: i64,
    #[description = "Last date of the pause, YYYY-MM-DD (leave out to resume now)"]
    #[max_length = 10]
    until: Option<String>,
) -> Result<(), Error> {
    require_coach(ctx).await?;
    let guild_id = guild(ctx)?;
    let until = until.as_deref().map(schedule::parse_date).transpose().map_err(refuse)?;
    let next = ctx.data().reminders.pause(guild_id, id, until).await.map_err(not_found(id))?;
    let what = until
        .map_or_else(|| format!("Reminder #{id} is on again."), |u| format!("Reminder #{id} is paused through {u}."));
    reply::private(ctx, format!("{what} {}", next_text(next))).await
}

fn next_text(next: Option<i64>) -> String {
    next.map_or_else(
        || "It will not fire again: its last date has passed.".to_owned(),
        |ms| format!("Next: <t:{}:F>.", ms / 1000),
    )
}

/// A reminder this server does not have, said with its number.
fn not_found(id: i64) -> impl Fn(crate::reminders::ReminderError) -> Error {
    move |e| match e {
        crate::reminders::ReminderError::Store(StoreError::NotFound) => {
            refuse(format!("There is no reminder #{id} in this server. See /remind list."))
        }
        other => Error::new(other),
    }
}

/// Remove a reminder by the number /remind list shows.
#[poise::command(slash_command, rename = "remove", guild_only)]
pub async fn remind_remove(
    ctx: Context<'_>,
    #[description = "Reminder number, as /remind list shows it"]
    #[min = 1]
    id: i64,
) -> Result<(), Error> {
    require_coach(ctx).await?;
    let guild_id = guild(ctx)?;
    ctx.data().reminders.remove(guild_id, id).await.map_err(|e| not_found(id)(e.into()))?;
    reply::private(ctx, format!("Reminder #{id} removed.")).await
}
