//! The TOML files as written, with the source position of every value that a
//! check may need to point at. `deny_unknown_fields` everywhere: a misspelt key
//! is an error, never a silently dropped field.

use serde::Deserialize;
use toml::Spanned;

pub type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFaq {
    pub id: Text,
    pub question: Text,
    #[serde(default)]
    pub phrasings: Vec<Text>,
    pub answer: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHold {
    pub default: Spanned<u32>,
    pub min: Spanned<u32>,
    pub max: Spanned<u32>,
    pub source: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExercise {
    pub id: Text,
    pub name: Text,
    #[serde(default)]
    pub aliases: Vec<Text>,
    pub muscles: Vec<Text>,
    pub equipment: Vec<Text>,
    #[serde(default)]
    pub substitutes: Vec<Text>,
    pub position: Text,
    pub per_side: bool,
    pub summary: Text,
    #[serde(default)]
    pub sources: Vec<Text>,
    pub description: Text,
    pub instructions: Spanned<Vec<Text>>,
    pub technique: Spanned<Vec<Text>>,
    pub breathing: Spanned<Vec<Text>>,
    #[serde(default)]
    pub avoid_if: Vec<Text>,
    #[serde(default)]
    pub ask_first: Vec<Text>,
    pub stop_signs: Spanned<Vec<Text>>,
    pub hold: Spanned<RawHold>,
    #[serde(default)]
    pub faq: Vec<RawFaq>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub id: Text,
    pub name: Text,
    pub summary: Text,
    #[serde(default)]
    pub sources: Vec<Text>,
    #[serde(default)]
    pub faq: Vec<RawFaq>,
}

/// A document the content draws on (`content/sources/*.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub id: Text,
    pub title: Text,
    pub author: Option<Text>,
    pub about: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub exercise: Text,
    pub hold: Option<Spanned<u32>>,
    pub per_side: Option<bool>,
    pub rounds: Option<Spanned<u32>>,
    pub rest: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRoutine {
    pub id: Text,
    pub name: Text,
    pub purpose: Text,
    #[serde(rename = "step")]
    pub steps: Spanned<Vec<RawStep>>,
}
