//! `/exercise`, `/safety`, `/ask`, `/help`: what athletes read.

use poise::serenity_prelude as serenity;
use poise::CreateReply;

use crate::content::render::{self as content_render, Section};
use crate::discord::data::{Context, Error};

use crate::discord::options::{autocomplete_exercise, exercise_named, Choice, Choices};
use crate::discord::render::answer::answer_parts;
use crate::discord::render::{RED, TEAL};
use crate::discord::reply;

/// The `section` option of `/exercise`: the section names (overview,
/// instructions, tips, breathing, safety, faq, all), as the guide names them.
impl Choices for Section {
    fn choices() -> Vec<&'static str> {
        Section::ALL.iter().map(|s| s.name()).collect()
    }
}

/// Steps, technique, breathing and safety of an exercise.
#[poise::command(slash_command)]
pub async fn exercise(
    ctx: Context<'_>,
    #[description = "Exercise name, alias, muscle or equipment"]
    #[autocomplete = "autocomplete_exercise"]
    name: String,
    #[description = "Which part to show (default: overview)"] section: Option<Choice<Section>>,
    #[description = "Show it only to you"] private: Option<bool>,
) -> Result<(), Error> {
    let ex = exercise_named(ctx, &name)?;
    let section = section.map_or(Section::Overview, |s| s.0);
    let pages = content_render::exercise(&ctx.data().content, ex, section).paginate();
    reply::pages(ctx, &pages, TEAL, private.unwrap_or(false), None, Vec::new()).await
}

/// The medical restrictions and stop signs of an exercise.
#[poise::command(slash_command)]
pub async fn safety(
    ctx: Context<'_>,
    #[description = "Exercise name, alias, muscle or equipment"]
    #[autocomplete = "autocomplete_exercise"]
    name: String,
) -> Result<(), Error> {
    let ex = exercise_named(ctx, &name)?;
    let pages = content_render::exercise(&ctx.data().content, ex, Section::Safety).paginate();
    reply::pages(ctx, &pages, RED, false, None, Vec::new()).await
}

/// Ask a recovery question in your own words.
#[poise::command(slash_command)]
pub async fn ask(
    ctx: Context<'_>,
    #[description = "Your question, e.g. how long do I hold the psoas smash?"]
    #[max_length = 300]
    question: String,
) -> Result<(), Error> {
    let result = ctx.data().index.ask(&question);
    let (embed, rows) = answer_parts(&result, &question);
    ctx.send(CreateReply::default().embed(embed).components(rows)).await?;
    Ok(())
}

/// What Holdfast can do.
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    let text = "**Holdfast** helps your team with recovery work.\n\n\
        **Learn**\n\
        `/exercise name [section] [private]`: steps, technique, breathing and safety\n\
        `/safety name`: who should not do an exercise, and when to stop\n\
        `/ask question`: ask in your own words\n\n\
        **Train together**\n\
        `/routine list` · `/routine show name`\n\
        `/session start routine [hold] [rounds] [start_in]`: a timed group session with Join buttons\n\
        `/session pause|resume|skip|stop` (host or coach) · `/session status`\n\
        `/progress [athlete] [days]`: sessions, hold time, streaks\n\n\
        **Coaches**\n\
        `/routine post name [athletes] [note]` · `/team report [days] [athletes]`\n\
        `/remind add|list|remove`: recurring reminders in the team's timezone\n\
        `/athlete restrict|restrictions|lift`: an athlete's individual restrictions\n\
        `/settings coach_role|timezone` (Manage Server)\n\n\
        **You**\n\
        `/me timezone` · `/me forget` (deletes everything stored about you)\n\n\
        Safety first: stop at once on sharp pain, burning or tingling, and ask a professional if unsure.";
    let e = serenity::CreateEmbed::new().title("Holdfast help").description(text).colour(TEAL);
    ctx.send(CreateReply::default().embed(e).ephemeral(true)).await?;
    Ok(())
}
