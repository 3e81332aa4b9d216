//! Helpers to answer commands within Discord's limits.

use poise::serenity_prelude as serenity;
use poise::CreateReply;

use super::data::{Context, Error};
use super::render::embed;
use crate::content::render::{truncate, Post};

/// Up to 25 autocomplete choices, names cut to 100 characters.
pub fn choices(items: impl IntoIterator<Item = (String, String)>) -> serenity::CreateAutocompleteResponse {
    let choices = items
        .into_iter()
        .take(crate::limits::AUTOCOMPLETE_CHOICES)
        .map(|(name, value)| {
            serenity::AutocompleteChoice::new(
                truncate(&name, crate::limits::CHOICE_NAME),
                truncate(&value, crate::limits::CHOICE_NAME),
            )
        })
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// Sends a paginated post: one embed per message (each within the 6000
/// limit), `components` on the first.
pub async fn pages(
    ctx: Context<'_>,
    pages: &[Post],
    colour: u32,
    ephemeral: bool,
    content: Option<String>,
    components: Vec<serenity::CreateActionRow>,
) -> Result<(), Error> {
    let mut components = Some(components);
    let mut content = content;
    for page in pages {
        let mut reply = CreateReply::default().embed(embed(page, colour)).ephemeral(ephemeral);
        if let Some(c) = content.take() {
            reply = reply.content(truncate(&c, crate::limits::MESSAGE_CONTENT)).allowed_mentions(mentions_none());
        }
        if let Some(rows) = components.take().filter(|r| !r.is_empty()) {
            reply = reply.components(rows);
        }
        ctx.send(reply).await?;
    }
    Ok(())
}

/// An ephemeral text reply, cut to fit.
pub async fn private(ctx: Context<'_>, text: impl AsRef<str>) -> Result<(), Error> {
    ctx.send(CreateReply::default().content(truncate(text.as_ref(), crate::limits::MESSAGE_CONTENT)).ephemeral(true))
        .await?;
    Ok(())
}

/// Mentions that ping nobody.
pub fn mentions_none() -> serenity::CreateAllowedMentions {
    serenity::CreateAllowedMentions::new().empty_users().empty_roles().everyone(false)
}
