//! The validated content model: what the rest of the bot reads.
//!
//! These types are built by [`crate::content::load`] from the TOML files after
//! every check has passed, so their invariants hold: ids are unique, routine
//! steps name real exercises, holds lie in range and all text fits Discord.

use serde::Serialize;

/// One FAQ entry: a question, other ways to ask it, and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct FaqEntry {
    /// Slug, unique within its file.
    pub id: String,
    pub question: String,
    pub phrasings: Vec<String>,
    pub answer: String,
}

/// How long one hold of an exercise lasts, in seconds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct HoldRange {
    pub default: u32,
    pub min: u32,
    pub max: u32,
}

/// One exercise or technique.
#[derive(Debug, Clone, Serialize)]
pub struct Exercise {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub muscles: Vec<String>,
    pub equipment: Vec<String>,
    pub substitutes: Vec<String>,
    pub position: String,
    pub per_side: bool,
    pub summary: String,
    pub description: String,
    pub instructions: Vec<String>,
    pub technique: Vec<String>,
    pub breathing: Vec<String>,
    /// Conditions under which it must not be done; each completes "Do not do
    /// it if …" (lower-case start, no full stop).
    pub avoid_if: Vec<String>,
    /// "Check with someone first" sentences, each saying whom to ask.
    pub ask_first: Vec<String>,
    /// When to stop at once, as full sentences.
    pub stop_signs: Vec<String>,
    /// Ids of the documents (`content/sources/`) this exercise draws on.
    pub sources: Vec<String>,
    pub hold: HoldRange,
    /// Where the hold numbers come from.
    pub hold_source: String,
    pub faq: Vec<FaqEntry>,
}

/// A file of cross-cutting topics (for example `general`): FAQ entries that
/// belong to no single exercise.
#[derive(Debug, Clone, Serialize)]
pub struct Topic {
    pub id: String,
    pub name: String,
    pub summary: String,
    /// Ids of the documents (`content/sources/`) this topic draws on.
    pub sources: Vec<String>,
    pub faq: Vec<FaqEntry>,
}

/// A document the content draws its facts from.
#[derive(Debug, Clone, Serialize)]
pub struct SourceDoc {
    pub id: String,
    pub title: String,
    /// Only when the document names its author.
    pub author: Option<String>,
    /// One sentence on what the document is.
    pub about: String,
}

impl SourceDoc {
    /// "SMR for Hamstrings, by Will Newton" or just the title.
    pub fn citation(&self) -> String {
        match &self.author {
            Some(a) => format!("\u{201c}{}\u{201d} by {a}", self.title),
            None => format!("\u{201c}{}\u{201d}", self.title),
        }
    }
}

/// One step of a routine, with every default already applied.
#[derive(Debug, Clone, Serialize)]
pub struct RoutineStep {
    /// An exercise id that exists.
    pub exercise: String,
    pub hold: u32,
    pub per_side: bool,
    pub rounds: u32,
    pub rest: u32,
}

/// A named sequence of holds that a coach can post or a team can run.
#[derive(Debug, Clone, Serialize)]
pub struct Routine {
    pub id: String,
    pub name: String,
    pub purpose: String,
    pub steps: Vec<RoutineStep>,
}

/// Everything loaded from `content/`.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub exercises: Vec<Exercise>,
    pub topics: Vec<Topic>,
    pub routines: Vec<Routine>,
    pub sources: Vec<SourceDoc>,
}

impl Content {
    /// The exercise with this id.
    pub fn exercise(&self, id: &str) -> Option<&Exercise> {
        self.exercises.iter().find(|e| e.id == id)
    }

    /// The source document with this id.
    pub fn source(&self, id: &str) -> Option<&SourceDoc> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// "Based on: “Hamstring Smash”; “SMR for Hamstrings” by Will Newton."
    pub fn provenance(&self, ids: &[String]) -> Option<String> {
        let cited: Vec<String> = ids.iter().filter_map(|id| self.source(id)).map(SourceDoc::citation).collect();
        (!cited.is_empty()).then(|| format!("Based on: {}", cited.join("; ")))
    }

    /// The routine with this id.
    pub fn routine(&self, id: &str) -> Option<&Routine> {
        self.routines.iter().find(|r| r.id == id)
    }

    /// Finds an exercise by what a person typed: its id, name or an alias,
    /// ignoring case, spaces and hyphens.
    pub fn find_exercise(&self, typed: &str) -> Option<&Exercise> {
        let key = normalize_name(typed);
        if key.is_empty() {
            return None;
        }
        self.exercises.iter().find(|e| {
            normalize_name(&e.id) == key
                || normalize_name(&e.name) == key
                || e.aliases.iter().any(|a| normalize_name(a) == key)
        })
    }

    /// Finds a routine by id or name, ignoring case, spaces and hyphens.
    pub fn find_routine(&self, typed: &str) -> Option<&Routine> {
        let key = normalize_name(typed);
        if key.is_empty() {
            return None;
        }
        self.routines.iter().find(|r| normalize_name(&r.id) == key || normalize_name(&r.name) == key)
    }
}

impl Exercise {
    /// Every restriction as a full sentence: "Do not do it if …." first,
    /// then the "ask first" ones.
    pub fn restriction_sentences(&self) -> Vec<String> {
        self.avoid_if
            .iter()
            .map(|c| format!("Do not do it if {}.", c.trim_end_matches('.')))
            .chain(self.ask_first.iter().cloned())
            .collect()
    }
}

impl Routine {
    /// Total seconds of holding and resting (without the short transitions).
    pub fn work_secs(&self) -> u32 {
        self.steps
            .iter()
            .map(|s| {
                let sides = if s.per_side { 2 } else { 1 };
                s.rounds * sides * (s.hold + s.rest)
            })
            .sum()
    }
}

/// Lower-case letters and digits only: "Psoas-Smash " and "psoas smash" agree.
pub fn normalize_name(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}
