//! Content → platform-neutral posts: a title, a description and named fields.
//!
//! The Discord layer turns a [`Post`] into embeds and the command line prints
//! it as text, so `holdfast show` prints exactly what `/exercise` posts.
//! Every post that says how to do an exercise carries its safety fields.
//! [`Post::paginate`] splits a long post deliberately so that every page fits
//! one Discord embed (title 256, description 4096, 25 fields of 1024, 6000 in
//! all).

use std::fmt;
use std::str::FromStr;

use super::model::{Content, Exercise, Routine};
use crate::limits;

/// Embed limits (src/limits.rs), by the names this module uses.
pub const TITLE_MAX: usize = limits::EMBED_TITLE;
pub const DESCRIPTION_MAX: usize = limits::EMBED_DESCRIPTION;
pub const FIELD_NAME_MAX: usize = limits::EMBED_FIELD_NAME;
pub const FIELD_VALUE_MAX: usize = limits::EMBED_FIELD_VALUE;
pub const FIELDS_MAX: usize = limits::EMBED_FIELDS;
pub const EMBED_TOTAL_MAX: usize = limits::EMBED_TOTAL;

/// Which part of an exercise to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Overview,
    Instructions,
    Tips,
    Breathing,
    Safety,
    Faq,
    All,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Overview,
        Section::Instructions,
        Section::Tips,
        Section::Breathing,
        Section::Safety,
        Section::Faq,
        Section::All,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Section::Overview => "overview",
            Section::Instructions => "instructions",
            Section::Tips => "tips",
            Section::Breathing => "breathing",
            Section::Safety => "safety",
            Section::Faq => "faq",
            Section::All => "all",
        }
    }
}

impl FromStr for Section {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_lowercase();
        Section::ALL.into_iter().find(|x| x.name() == s).ok_or_else(|| {
            let names: Vec<_> = Section::ALL.iter().map(|x| x.name()).collect();
            format!("unknown section {s:?}; choose one of: {}", names.join(", "))
        })
    }
}

/// One named block of a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
}

/// A post: what one Discord embed (or several, once paginated) shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Post {
    pub title: String,
    pub description: String,
    pub fields: Vec<Field>,
    /// Fields that every page repeats after its own (the safety fields):
    /// however a post is split, no page goes out without them.
    pub pinned: Vec<Field>,
    pub footer: Option<String>,
}

/// Cuts `s` to at most `max` characters, ending with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The plural "s" of a count: `format!("{n} credit{}", plural(n))`.
pub fn plural<N: PartialEq + From<u8>>(n: N) -> &'static str {
    if n == N::from(1) {
        ""
    } else {
        "s"
    }
}

/// Splits text into chunks of at most `max` characters, preferring line,
/// then sentence, then word boundaries.
pub fn chunk_text(text: &str, max: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut rest = text.trim();
    while rest.chars().count() > max {
        let cut_byte = rest.char_indices().nth(max).map_or(rest.len(), |(b, _)| b);
        let window = &rest[..cut_byte];
        let at = window
            .rfind('\n')
            .or_else(|| window.rfind(". ").map(|i| i + 1))
            .or_else(|| window.rfind(' '))
            .filter(|&i| i > 0)
            .unwrap_or(cut_byte);
        chunks.push(rest[..at].trim_end().to_string());
        rest = rest[at..].trim_start();
    }
    if !rest.is_empty() {
        chunks.push(rest.to_string());
    }
    chunks
}

impl Post {
    fn field(&mut self, name: &str, value: &str) {
        for (i, chunk) in chunk_text(value, FIELD_VALUE_MAX).into_iter().enumerate() {
            let name = if i == 0 { name.to_string() } else { format!("{name} (continued)") };
            self.fields.push(Field { name: truncate(&name, FIELD_NAME_MAX), value: chunk });
        }
    }

    /// A list as one field, split over several fields when it is long; list
    /// items are never cut in the middle.
    fn list(&mut self, name: &str, items: &[String], numbered: bool) {
        let mut value = String::new();
        let mut first = true;
        for (i, item) in items.iter().enumerate() {
            let line = if numbered { format!("{}. {item}", i + 1) } else { format!("• {item}") };
            if !value.is_empty() && value.chars().count() + 1 + line.chars().count() > FIELD_VALUE_MAX {
                let n = if first { name.to_string() } else { format!("{name} (continued)") };
                self.fields.push(Field { name: n, value: std::mem::take(&mut value) });
                first = false;
            }
            if !value.is_empty() {
                value.push('\n');
            }
            value.push_str(&line);
        }
        if !value.is_empty() {
            let n = if first { name.to_string() } else { format!("{name} (continued)") };
            self.field(&n, &value);
        }
    }

    /// Characters that count toward the 6000 limit of an embed.
    pub fn size(&self) -> usize {
        self.title.chars().count()
            + self.description.chars().count()
            + self.footer.as_deref().map_or(0, |f| f.chars().count())
            + self.fields.iter().chain(&self.pinned).map(field_len).sum::<usize>()
    }

    /// Splits into pages that each fit one embed. The first page keeps the
    /// description; later pages repeat the title, marked as continued. The
    /// pinned fields are repeated at the end of every page (and become
    /// ordinary fields of the pages returned).
    pub fn paginate(&self) -> Vec<Post> {
        let title = truncate(&self.title, TITLE_MAX - 12);
        let mut description = chunk_text(&self.description, DESCRIPTION_MAX).into_iter();
        let mut pages =
            vec![Post { title: title.clone(), description: description.next().unwrap_or_default(), ..Post::default() }];
        for extra in description {
            pages.push(Post { title: format!("{title} (continued)"), description: extra, ..Post::default() });
        }
        let footer_len = self.footer.as_deref().map_or(0, |f| f.chars().count());
        let pinned_len: usize = self.pinned.iter().map(field_len).sum();
        let pinned_count = self.pinned.len();
        for field in &self.fields {
            let fits = |p: &Post| {
                p.fields.len() + pinned_count < FIELDS_MAX
                    && p.size() + footer_len + pinned_len + field_len(field) <= EMBED_TOTAL_MAX
            };
            if !pages.last().is_some_and(fits) {
                pages.push(Post { title: format!("{title} (continued)"), ..Post::default() });
            }
            if let Some(p) = pages.last_mut() {
                p.fields.push(field.clone());
            }
        }
        for p in &mut pages {
            p.fields.extend(self.pinned.iter().cloned());
        }
        if let Some(p) = pages.last_mut() {
            p.footer = self.footer.clone();
        }
        pages
    }

    /// Plain text, as `holdfast show` prints it.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.title);
        if !self.description.is_empty() {
            out.push_str(&format!("\n{}\n", self.description));
        }
        for f in self.fields.iter().chain(&self.pinned) {
            out.push_str(&format!("\n## {}\n{}\n", f.name, f.value));
        }
        if let Some(footer) = &self.footer {
            out.push_str(&format!("\n{footer}\n"));
        }
        out
    }
}

fn field_len(f: &Field) -> usize {
    f.name.chars().count() + f.value.chars().count()
}

impl fmt::Display for Post {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// "45 s", "2 min", "1 min 30 s".
pub fn duration(secs: u32) -> String {
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

fn hold_line(e: &Exercise) -> String {
    let side = if e.per_side { " per side" } else { "" };
    format!(
        "{}{side} (range {}–{})\n{}",
        duration(e.hold.default),
        duration(e.hold.min),
        duration(e.hold.max),
        e.hold_source
    )
}

/// Restriction and stop-sign sentences as fields (for answers).
pub fn safety_list_fields(restrictions: &[String], stop_signs: &[String]) -> Vec<Field> {
    let mut post = Post::default();
    post.list("⛔ Before you start", restrictions, false);
    post.list("🛑 Stop signs", stop_signs, false);
    post.fields
}

/// The safety fields of an exercise: when not to do it, whom to ask first,
/// and when to stop at once.
pub fn safety_fields(e: &Exercise) -> Vec<Field> {
    let mut post = Post::default();
    post.list("⛔ Do not do it if", &e.avoid_if, false);
    post.list("🩺 Ask a professional first", &e.ask_first, false);
    post.list("🛑 Stop signs", &e.stop_signs, false);
    post.fields
}

/// What `/exercise` posts (and `holdfast show` prints) for one section.
/// Safety is part of every section: nothing that says how to do an exercise
/// goes out without it.
/// The footer names the documents the exercise draws on.
pub fn exercise(content: &Content, e: &Exercise, section: Section) -> Post {
    let mut post = Post { title: e.name.clone(), ..Post::default() };
    let overview = |post: &mut Post| {
        post.description = format!("{}\n\n{}", e.summary, e.description);
        post.field("Targets", &e.muscles.join(", "));
        let mut kit = if e.equipment.is_empty() { "Nothing".to_string() } else { e.equipment.join(", ") };
        if !e.substitutes.is_empty() {
            kit.push_str(&format!("\nOr instead: {}", e.substitutes.join(", ")));
        }
        post.field("Equipment", &kit);
        post.field("Position", &e.position);
        post.field("Hold", &hold_line(e));
    };
    match section {
        Section::Overview => overview(&mut post),
        Section::Instructions => {
            post.description = e.summary.clone();
            post.field("Position", &e.position);
            post.list("Steps", &e.instructions, true);
        }
        Section::Tips => {
            post.description = e.summary.clone();
            post.list("Technique", &e.technique, false);
        }
        Section::Breathing => {
            post.description = e.summary.clone();
            post.list("Breathing", &e.breathing, false);
        }
        Section::Safety => {
            post.title = format!("Safety: {}", e.name);
            post.description = "Read this before you start. If you are unsure whether it is safe for you, \
                ask a qualified professional first."
                .to_string();
        }
        Section::Faq => {
            post.description = e.summary.clone();
            for f in &e.faq {
                post.field(&f.question, &f.answer);
            }
        }
        Section::All => {
            overview(&mut post);
            post.list("Steps", &e.instructions, true);
            post.list("Technique", &e.technique, false);
            post.list("Breathing", &e.breathing, false);
        }
    }
    post.pinned = safety_fields(e);
    if section == Section::All {
        for f in &e.faq {
            post.field(&f.question, &f.answer);
        }
    }
    let mut footer = format!("{} · section: {}", e.id, section.name());
    if let Some(p) = content.provenance(&e.sources) {
        footer = format!("{p} · {footer}");
    }
    post.footer = Some(footer);
    post
}

/// One step as a line: "**Hamstring Smash**: 30 s each side × 2 rounds, rest 15 s".
pub fn step_line(name: &str, hold: u32, per_side: bool, rounds: u32, rest: u32) -> String {
    let mut line = format!("**{name}**: {}", duration(hold));
    if per_side {
        line.push_str(" each side");
    }
    if rounds > 1 {
        line.push_str(&format!(" × {rounds} rounds"));
    }
    if rest > 0 {
        line.push_str(&format!(", rest {}", duration(rest)));
    }
    line
}

/// One line per step of a routine (see [`step_line`]).
pub fn routine_steps(content: &Content, r: &Routine) -> Vec<String> {
    r.steps
        .iter()
        .map(|s| {
            let name = content.exercise(&s.exercise).map_or(s.exercise.as_str(), |e| e.name.as_str());
            step_line(name, s.hold, s.per_side, s.rounds, s.rest)
        })
        .collect()
}

/// The safety restrictions of every exercise of a routine, once each.
pub fn routine_safety(post: &mut Post, content: &Content, r: &Routine) {
    let mut seen = Vec::new();
    for s in &r.steps {
        if seen.contains(&s.exercise) {
            continue;
        }
        seen.push(s.exercise.clone());
        if let Some(e) = content.exercise(&s.exercise) {
            let mut items = e.restriction_sentences();
            items.extend(e.stop_signs.iter().cloned());
            post.list(&format!("⚠️ Safety: {}", e.name), &items, false);
        }
    }
}

/// A routine card: purpose, steps, total time and every restriction.
pub fn routine(content: &Content, r: &Routine, total_secs: u32) -> Post {
    let mut post = Post { title: r.name.clone(), description: r.purpose.clone(), ..Post::default() };
    post.list("Steps", &routine_steps(content, r), true);
    post.field("Total time", &format!("about {}", duration(total_secs)));
    routine_safety(&mut post, content, r);
    post.footer = Some(format!("routine: {}", r.id));
    post
}
