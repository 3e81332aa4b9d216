//! `/progress` and `/team report`.

use poise::serenity_prelude as serenity;

use crate::content::render::{duration, Post};
use crate::discord::access::{guild, invoker, require_coach};
use crate::discord::data::{Context, Error};
use crate::discord::error::refuse;
use crate::discord::render::TEAL;
use crate::discord::reply;
use crate::store::{self, db_id};

fn exercise_name(ctx: Context<'_>, id: &str) -> String {
    ctx.data().content.exercise(id).map_or_else(|| id.to_string(), |e| e.name.clone())
}

/// Your sessions, hold time, streaks and exercises (coaches: any athlete's).
#[poise::command(slash_command)]
pub async fn progress(
    ctx: Context<'_>,
    #[description = "Whose progress (coaches only, for someone else)"] athlete: Option<serenity::User>,
    #[description = "How many days back (default 30)"]
    #[min = 1]
    #[max = 365]
    days: Option<u32>,
) -> Result<(), Error> {
    let who = invoker(ctx);
    let target = athlete.as_ref().map_or(who.user, |u| u.id.get());
    if target != who.user && !who.is_coach(&ctx.data().pool).await? {
        return Err(refuse("Only coaches can see someone else's progress. Leave `athlete` empty to see yours."));
    }
    let days = days.unwrap_or(30);
    let pool = &ctx.data().pool;
    let guild_id = ctx.guild_id().map(|g| db_id(g.get()));
    let tz = store::users::resolve_timezone(pool, db_id(target), guild_id).await?;
    let now = store::now_ms();
    let p = store::progress::user_progress(pool, db_id(target), guild_id, tz, days, now).await?;
    let mut post = Post {
        title: format!("Progress over {} day{}", p.days, crate::content::render::plural(p.days)),
        description: format!(
            "<@{target}>\n**{}** session{} · **{}** hold{} · **{}** held\nStreak: **{}** day{} (best {})",
            p.sessions,
            crate::content::render::plural(p.sessions),
            p.holds,
            crate::content::render::plural(p.holds),
            duration(u32::try_from(p.total_secs).unwrap_or(u32::MAX)),
            p.current_streak,
            crate::content::render::plural(p.current_streak),
            p.best_streak
        ),
        footer: Some(format!("days counted in {tz}")),
        ..Post::default()
    };
    let week: Vec<String> = p
        .last7
        .iter()
        .map(|(d, secs)| {
            let bar = "▇".repeat(usize::try_from((secs + 59) / 60).unwrap_or(0).min(20));
            format!(
                "`{}` {} {}",
                d.format("%a %d"),
                if bar.is_empty() { "·".into() } else { bar },
                duration(u32::try_from(*secs).unwrap_or(0))
            )
        })
        .collect();
    post.fields.push(crate::content::render::Field { name: "Last 7 days".into(), value: week.join("\n") });
    if !p.per_exercise.is_empty() {
        let lines: Vec<String> = p
            .per_exercise
            .iter()
            .take(15)
            .map(|e| {
                format!(
                    "{}: {} in {} hold{}",
                    exercise_name(ctx, &e.exercise_id),
                    duration(u32::try_from(e.secs).unwrap_or(0)),
                    e.holds,
                    crate::content::render::plural(e.holds)
                )
            })
            .collect();
        post.fields.push(crate::content::render::Field {
            name: "By exercise".into(),
            value: crate::content::render::truncate(&lines.join("\n"), crate::limits::EMBED_FIELD_VALUE),
        });
    }
    let mut different = Vec::new();
    if p.modified.holds > 0 {
        different.push(format!(
            "Modified (a coach's restriction): {} hold{}, {} less than the group",
            p.modified.holds,
            crate::content::render::plural(p.modified.holds),
            duration(u32::try_from(p.modified.secs).unwrap_or(u32::MAX))
        ));
    }
    if p.missed_secs > 0 {
        different.push(format!(
            "Missed (not there for part of a session): {}",
            duration(u32::try_from(p.missed_secs).unwrap_or(u32::MAX))
        ));
    }
    if !different.is_empty() {
        post.fields
            .push(crate::content::render::Field { name: "Modified and missed".into(), value: different.join("\n") });
    }
    let check_ins = store::check_ins::of_user(pool, db_id(target), guild_id, 10).await?;
    if !check_ins.is_empty() {
        if target != who.user {
            if let Some(g) = guild_id {
                store::restrictions::record_view(pool, g, db_id(target), db_id(who.user), "check-ins", now).await?;
            }
        }
        let trend: Vec<String> = check_ins.iter().rev().map(|c| c.pain.to_string()).collect();
        let flags = check_ins.iter().filter(|c| c.red_flag).count();
        let mut value = format!("Pain after the last {}: {} (oldest first, 0–10)", check_ins.len(), trend.join(" → "));
        if flags > 0 {
            value.push_str(&format!("\n{flags} red flag{} among them", crate::content::render::plural(flags)));
        }
        post.fields.push(crate::content::render::Field { name: "Check-ins".into(), value });
    }
    if let Some(last) = p.last_active_ms {
        post.fields.push(crate::content::render::Field {
            name: "Last active".into(),
            value: format!("<t:{}:R>", last / 1000),
        });
    }
    reply::pages(ctx, &post.paginate(), TEAL, true, None, Vec::new()).await
}

/// Team reports (coaches).
#[poise::command(slash_command, guild_only, subcommands("team_report"), subcommand_required)]
pub async fn team(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Per athlete: sessions, hold minutes, last active, and who did nothing.
#[poise::command(slash_command, rename = "report", guild_only)]
pub async fn team_report(
    ctx: Context<'_>,
    #[description = "How many days back (default 7)"]
    #[min = 1]
    #[max = 90]
    days: Option<u32>,
    #[description = "Only members of this role (and show who did nothing)"] athletes: Option<serenity::Role>,
) -> Result<(), Error> {
    let who = require_coach(ctx).await?;
    let guild_id = guild(ctx)?;
    let days = days.unwrap_or(7);
    let pool = &ctx.data().pool;
    let tz = store::guilds::get_guild_settings(pool, db_id(guild_id)).await?.timezone.unwrap_or(chrono_tz::UTC);
    // Members of the role, as the gateway's guild data knows them.
    let members: Option<Vec<i64>> = athletes.as_ref().map(|role| {
        ctx.guild()
            .map(|g| {
                g.members
                    .values()
                    .filter(|m| m.roles.contains(&role.id) && !m.user.bot)
                    .map(|m| db_id(m.user.id.get()))
                    .collect()
            })
            .unwrap_or_default()
    });
    let rows = store::report::team_report(pool, db_id(guild_id), tz, days, store::now_ms(), members.as_deref()).await?;
    let mut active = Vec::new();
    let mut idle = Vec::new();
    for r in &rows {
        if r.is_inactive() {
            let last = r.last_active_ms.map_or("never".to_string(), |t| format!("last <t:{}:R>", t / 1000));
            idle.push(format!("<@{}> ({last})", r.user_id));
        } else {
            let mut extra = String::new();
            if r.modified_secs > 0 {
                extra.push_str(&format!(", modified {}", duration(u32::try_from(r.modified_secs).unwrap_or(u32::MAX))));
            }
            if r.missed_secs > 0 {
                extra.push_str(&format!(", missed {}", duration(u32::try_from(r.missed_secs).unwrap_or(u32::MAX))));
            }
            active.push(format!(
                "<@{}>: {} session{}, {} min{extra}, last <t:{}:R>",
                r.user_id,
                r.sessions,
                crate::content::render::plural(r.sessions),
                r.hold_minutes(),
                r.last_active_ms.unwrap_or(0) / 1000
            ));
        }
    }
    let scope = athletes.as_ref().map_or(String::new(), |r| format!(" for <@&{}>", r.id));
    let mut post = Post {
        title: format!("Team report: last {days} day{}", crate::content::render::plural(days)),
        description: format!(
            "{} athlete{} active{scope}. Modified: less than the group because of a coach's restriction; \
             missed: not there for part of a session.",
            active.len(),
            crate::content::render::plural(active.len())
        ),
        footer: Some(format!("days counted in {tz}")),
        ..Post::default()
    };
    let mut add_list = |name: &str, items: &[String]| {
        let mut chunk = String::new();
        let mut first = true;
        for item in items {
            if chunk.len() + item.len() + 1 > 1000 {
                post.fields.push(crate::content::render::Field {
                    name: if first { name.into() } else { format!("{name} (continued)") },
                    value: std::mem::take(&mut chunk),
                });
                first = false;
            }
            chunk.push_str(item);
            chunk.push('\n');
        }
        if !chunk.is_empty() {
            post.fields.push(crate::content::render::Field {
                name: if first { name.into() } else { format!("{name} (continued)") },
                value: chunk,
            });
        }
    };
    add_list("Active", &active);
    add_list("Did nothing in this period", &idle);
    let (start, end) = store::progress::window_bounds(tz, days, store::now_ms());
    let red = store::check_ins::red_flags(pool, db_id(guild_id), start, end).await?;
    let mut seen = std::collections::BTreeSet::new();
    for c in red.iter().filter(|c| seen.insert(c.user_id)) {
        store::restrictions::record_view(
            pool,
            db_id(guild_id),
            c.user_id,
            db_id(who.user),
            "check-ins",
            store::now_ms(),
        )
        .await?;
    }
    let flags: Vec<String> = red
        .iter()
        .map(|c| {
            let routine = ctx.data().content.routine(&c.routine_id).map_or(c.routine_id.as_str(), |r| r.name.as_str());
            let area = c.area.as_deref().map(|a| format!(", {a}")).unwrap_or_default();
            format!(
                "<@{}>: pain {}/10{area} after {routine}, <t:{}:R>",
                store::discord_id(c.user_id),
                c.pain,
                c.at_ms / 1000
            )
        })
        .collect();
    add_list("Check-in red flags", &flags);
    if active.is_empty() && idle.is_empty() {
        post.description = format!("Nobody has recorded a hold in the last {days} days{scope}.");
    }
    reply::pages(ctx, &post.paginate(), TEAL, true, None, Vec::new()).await
}
