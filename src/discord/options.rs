//! Option helpers shared by commands: autocomplete lists and looking up
//! what a person named (a refusal listing what exists when nothing matches).

use poise::serenity_prelude as serenity;

use super::data::{Context, Error};
use super::error::refuse;
use super::reply;
use crate::content::render::truncate;
use crate::content::Routine;
use crate::schedule;

/// Routines whose name or id matches what is typed.
pub async fn autocomplete_routine(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let needle = partial.trim().to_lowercase();
    let mut found: Vec<(bool, &str, &str)> = ctx
        .data()
        .content
        .routines
        .iter()
        .filter(|r| needle.is_empty() || r.name.to_lowercase().contains(&needle) || r.id.contains(&needle))
        .map(|r| (!r.name.to_lowercase().starts_with(&needle), r.name.as_str(), r.id.as_str()))
        .collect();
    found.sort_unstable();
    reply::choices(found.into_iter().map(|(_, n, id)| (n.to_string(), id.to_string())))
}

/// The routine a person named, or a refusal listing the known ones.
pub fn routine_named<'a>(ctx: Context<'a>, name: &str) -> Result<&'a Routine, Error> {
    ctx.data().content.find_routine(name).ok_or_else(|| {
        let known: Vec<&str> = ctx.data().content.routines.iter().map(|r| r.name.as_str()).collect();
        refuse(truncate(&format!("I don't know a routine called \"{name}\". Try one of: {}.", known.join(", ")), 1900))
    })
}

/// IANA timezone names matching what is typed.
pub async fn autocomplete_timezone(_ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    reply::choices(schedule::timezone_suggestions(partial, 25).into_iter().map(|z| (z.to_string(), z.to_string())))
}

/// Exercises whose name, alias, muscle or equipment matches what is typed.
pub async fn autocomplete_exercise(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let needle = partial.trim().to_lowercase();
    let mut scored: Vec<(u8, &str, &str)> = Vec::new();
    for e in &ctx.data().content.exercises {
        let name = e.name.to_lowercase();
        let score = if needle.is_empty() || name.starts_with(&needle) {
            0
        } else if name.contains(&needle) || e.id.contains(&needle) {
            1
        } else if e.aliases.iter().any(|a| a.to_lowercase().contains(&needle)) {
            2
        } else if e.muscles.iter().chain(&e.equipment).any(|m| m.to_lowercase().contains(&needle)) {
            3
        } else {
            continue;
        };
        scored.push((score, &e.name, &e.id));
    }
    scored.sort_unstable();
    reply::choices(scored.into_iter().map(|(_, n, id)| (n.to_string(), id.to_string())))
}

pub fn exercise_named<'a>(ctx: Context<'a>, name: &str) -> Result<&'a crate::content::Exercise, Error> {
    ctx.data().content.find_exercise(name).ok_or_else(|| {
        let known: Vec<&str> = ctx.data().content.exercises.iter().map(|e| e.name.as_str()).collect();
        refuse(truncate(
            &format!("I don't know an exercise called \"{name}\". Try one of: {}.", known.join(", ")),
            1900,
        ))
    })
}

/// A type an option can be one of a fixed set of strings for: its values,
/// read back with `FromStr`.
pub trait Choices: std::str::FromStr + Send + Sync + 'static {
    /// The strings Discord offers, in order.
    fn choices() -> Vec<&'static str>;
}

/// A slash option that is one of [`Choices::choices`] (Discord shows them as
/// a list), read into `T`.
#[derive(Debug, Clone, Copy)]
pub struct Choice<T>(pub T);

#[poise::async_trait]
impl<T> poise::SlashArgument for Choice<T>
where
    T: Choices,
    T::Err: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    async fn extract(
        _ctx: &serenity::Context,
        _interaction: &serenity::CommandInteraction,
        value: &serenity::ResolvedValue<'_>,
    ) -> Result<Self, poise::SlashArgError> {
        match value {
            serenity::ResolvedValue::String(s) => {
                s.parse::<T>().map(Choice).map_err(|e| poise::SlashArgError::new_parse(e.into(), (*s).to_string()))
            }
            _ => Err(poise::SlashArgError::new_command_structure_mismatch("this option must be a string")),
        }
    }

    fn create(builder: serenity::CreateCommandOption) -> serenity::CreateCommandOption {
        T::choices()
            .into_iter()
            .fold(builder.kind(serenity::CommandOptionType::String), |b, c| b.add_string_choice(c, c))
    }
}
