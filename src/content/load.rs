//! Loading `content/`: TOML → validated [`Content`], or every problem found,
//! each pointing at `path:line:col`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::Spanned;

use super::model::{normalize_name, Content, Exercise, FaqEntry, HoldRange, Routine, RoutineStep, SourceDoc, Topic};
use super::raw::{RawExercise, RawFaq, RawRoutine, RawSource, RawTopic, Text};

/// Limits that follow from what Discord can show (src/limits.rs; docs/content.md).
pub mod limits {
    /// Autocomplete choice names and values.
    pub const NAME: usize = crate::limits::CHOICE_NAME;
    /// An embed field value: one list item must fit in one field.
    pub const ITEM: usize = crate::limits::EMBED_FIELD_VALUE;
    /// A summary, purpose or position shown as one field.
    pub const SHORT: usize = crate::limits::EMBED_FIELD_VALUE;
    /// An embed description.
    pub const DESCRIPTION: usize = crate::limits::EMBED_DESCRIPTION;
    /// An embed title or field name.
    pub const QUESTION: usize = crate::limits::EMBED_TITLE;
    /// An FAQ answer, shown with its question in one message.
    pub const ANSWER: usize = 1800;
    /// Seconds a hold may last (the `/session start hold` option's range).
    pub const HOLD_MIN: u32 = 5;
    pub const HOLD_MAX: u32 = 600;
    pub const ROUNDS_MAX: u32 = 10;
    pub const REST_MAX: u32 = 600;
}

pub use crate::problem::Problem;

/// Every problem found while loading; empty never happens.
#[derive(Debug, Clone)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// A file being checked: its path and text, to turn byte offsets into
/// line and column.
struct Source {
    path: PathBuf,
    text: String,
}

impl Source {
    fn problem(&self, offset: usize, message: impl Into<String>) -> Problem {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Problem { path: self.path.clone(), line, col, message: message.into() }
    }
}

/// Collects problems for one file.
struct Checker<'a> {
    src: &'a Source,
    problems: &'a mut Vec<Problem>,
}

impl Checker<'_> {
    fn at<T>(&mut self, v: &Spanned<T>, message: impl Into<String>) {
        let p = self.src.problem(v.span().start, message);
        self.problems.push(p);
    }

    /// Non-empty, trimmed text of at most `max` characters.
    fn text(&mut self, v: &Text, what: &str, max: usize) -> String {
        let s = v.get_ref().trim();
        let n = s.chars().count();
        if n == 0 {
            self.at(v, format!("{what} is empty"));
        } else if n > max {
            self.at(v, format!("{what} is {n} characters; Discord can show at most {max} here"));
        }
        s.to_string()
    }

    fn slug(&mut self, v: &Text, what: &str) -> String {
        let s = self.text(v, what, limits::NAME);
        let ok = s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if !s.is_empty() && !ok {
            self.at(v, format!("{what} {s:?} must be a lower-case slug (a-z, 0-9, -)"));
        }
        s
    }

    fn list(&mut self, v: &[Text], what: &str, max: usize) -> Vec<String> {
        v.iter().map(|t| self.text(t, what, max)).collect()
    }

    fn nonempty_list(&mut self, v: &Spanned<Vec<Text>>, what: &str) -> Vec<String> {
        if v.get_ref().is_empty() {
            self.at(v, format!("{what} must list at least one item"));
        }
        self.list(v.get_ref(), what, limits::ITEM)
    }

    /// An `avoid_if` item: it completes "Do not do it if …", so it is a bare
    /// condition without a leading "Avoid" or a closing full stop.
    fn condition(&mut self, v: &Text) -> String {
        let s = self.text(v, "avoid_if item", limits::ITEM);
        let lower = s.to_lowercase();
        let lead =
            ["do not", "don't", "avoid", "if ", "not ", "never", "skip"].into_iter().find(|w| lower.starts_with(w));
        if let Some(w) = lead {
            self.at(v, format!("an avoid_if item completes \"Do not do it if …\": drop the leading {w:?}"));
        } else if s.ends_with('.') {
            self.at(v, "an avoid_if item completes \"Do not do it if …\": drop the closing full stop");
        }
        s
    }

    /// Source ids that must name a file in `content/sources/`.
    fn sources(&mut self, v: &[Text], known: &[SourceDoc]) -> Vec<String> {
        v.iter()
            .map(|t| {
                let id = t.get_ref().trim().to_string();
                if !known.iter().any(|s| s.id == id) {
                    let ids: Vec<&str> = known.iter().map(|s| s.id.as_str()).collect();
                    self.at(t, format!("unknown source {id:?}; known sources: {}", ids.join(", ")));
                }
                id
            })
            .collect()
    }

    fn id_matches_file(&mut self, id: &Text) {
        let stem = self.src.path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if id.get_ref() != stem {
            self.at(id, format!("id {:?} must match the file name {stem:?}", id.get_ref()));
        }
    }

    fn faq(&mut self, raw: &[RawFaq]) -> Vec<FaqEntry> {
        let mut seen = std::collections::HashSet::new();
        raw.iter()
            .map(|f| {
                let id = self.slug(&f.id, "FAQ id");
                if !seen.insert(id.clone()) {
                    self.at(&f.id, format!("duplicate FAQ id {id:?} in this file"));
                }
                FaqEntry {
                    id,
                    question: self.text(&f.question, "question", limits::QUESTION),
                    phrasings: self.list(&f.phrasings, "phrasing", limits::QUESTION),
                    answer: self.text(&f.answer, "answer", limits::ANSWER),
                }
            })
            .collect()
    }
}

fn parse<T: DeserializeOwned>(src: &Source, problems: &mut Vec<Problem>) -> Option<T> {
    match toml::from_str::<T>(&src.text) {
        Ok(v) => Some(v),
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            problems.push(src.problem(offset, e.message().trim().to_string()));
            None
        }
    }
}

fn read_sources(dir: &Path, problems: &mut Vec<Problem>) -> Vec<Source> {
    let mut paths = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect::<Vec<_>>(),
        Err(_) => return Vec::new(),
    };
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| match std::fs::read_to_string(&path) {
            Ok(text) => Some(Source { path, text }),
            Err(e) => {
                problems.push(Problem { path, line: 1, col: 1, message: format!("cannot read: {e}") });
                None
            }
        })
        .collect()
}

/// Loads and validates everything under `dir`.
pub fn load_dir(dir: &Path) -> Result<Content, Problems> {
    let mut problems = Vec::new();
    if !dir.is_dir() {
        return Err(Problems(vec![Problem {
            path: dir.to_path_buf(),
            line: 1,
            col: 1,
            message: "content folder not found (set content.dir or HOLDFAST_CONTENT_DIR)".into(),
        }]));
    }
    let topic_src = read_sources(dir, &mut problems);
    let exercise_src = read_sources(&dir.join("exercises"), &mut problems);
    let routine_src = read_sources(&dir.join("routines"), &mut problems);
    let source_src = read_sources(&dir.join("sources"), &mut problems);
    if exercise_src.is_empty() {
        problems.push(Problem {
            path: dir.join("exercises"),
            line: 1,
            col: 1,
            message: "no exercise files (*.toml) found".into(),
        });
    }

    let mut content = Content::default();
    for src in &source_src {
        let Some(raw) = parse::<RawSource>(src, &mut problems) else {
            continue;
        };
        let mut c = Checker { src, problems: &mut problems };
        c.id_matches_file(&raw.id);
        let doc = SourceDoc {
            id: c.slug(&raw.id, "id"),
            title: c.text(&raw.title, "title", limits::NAME),
            author: raw.author.as_ref().map(|a| c.text(a, "author", limits::NAME)),
            about: c.text(&raw.about, "about", limits::SHORT),
        };
        content.sources.push(doc);
    }
    let mut names: HashMap<String, String> = HashMap::new();
    // Exercises whose file did not parse: routines naming them get no second,
    // misleading "unknown exercise" problem.
    let mut unreadable: Vec<String> = Vec::new();
    for src in &exercise_src {
        let Some(raw) = parse::<RawExercise>(src, &mut problems) else {
            unreadable.extend(src.path.file_stem().and_then(|s| s.to_str()).map(String::from));
            continue;
        };
        let mut c = Checker { src, problems: &mut problems };
        let ex = exercise(&mut c, &raw, &content.sources);
        if content.exercise(&ex.id).is_some() {
            c.at(&raw.id, format!("duplicate exercise id {:?}", ex.id));
        }
        // Names, ids and aliases share one namespace: what a person types
        // must lead to exactly one exercise.
        let keys = std::iter::once((&raw.id, "id"))
            .chain(std::iter::once((&raw.name, "name")))
            .chain(raw.aliases.iter().map(|a| (a, "alias")));
        let mut own = Vec::new();
        for (t, what) in keys {
            let key = normalize_name(t.get_ref());
            if own.contains(&key) {
                continue;
            }
            own.push(key.clone());
            if let Some(other) = names.get(&key) {
                c.at(t, format!("{what} {:?} is already used by exercise {other:?}", t.get_ref()));
            } else {
                names.insert(key, ex.id.clone());
            }
        }
        content.exercises.push(ex);
    }

    for src in &topic_src {
        let Some(raw) = parse::<RawTopic>(src, &mut problems) else {
            continue;
        };
        let mut c = Checker { src, problems: &mut problems };
        c.id_matches_file(&raw.id);
        let topic = Topic {
            id: c.slug(&raw.id, "id"),
            name: c.text(&raw.name, "name", limits::NAME),
            summary: c.text(&raw.summary, "summary", limits::SHORT),
            sources: c.sources(&raw.sources, &content.sources),
            faq: c.faq(&raw.faq),
        };
        if content.exercise(&topic.id).is_some() {
            c.at(&raw.id, format!("topic id {:?} is also an exercise id", topic.id));
        }
        content.topics.push(topic);
    }

    for src in &routine_src {
        let Some(raw) = parse::<RawRoutine>(src, &mut problems) else {
            continue;
        };
        let mut c = Checker { src, problems: &mut problems };
        let r = routine(&mut c, &raw, &content, &unreadable);
        if content.routine(&r.id).is_some() {
            c.at(&raw.id, format!("duplicate routine id {:?}", r.id));
        }
        content.routines.push(r);
    }

    if problems.is_empty() {
        Ok(content)
    } else {
        Err(Problems(problems))
    }
}

fn exercise(c: &mut Checker<'_>, raw: &RawExercise, sources: &[SourceDoc]) -> Exercise {
    c.id_matches_file(&raw.id);
    if raw.avoid_if.is_empty() && raw.ask_first.is_empty() {
        c.at(&raw.stop_signs, "an exercise needs at least one restriction (avoid_if or ask_first)");
    }
    let hold = raw.hold.get_ref();
    let range = HoldRange { default: *hold.default.get_ref(), min: *hold.min.get_ref(), max: *hold.max.get_ref() };
    if range.min < limits::HOLD_MIN || range.max > limits::HOLD_MAX {
        c.at(&raw.hold, format!("hold range must lie within {}–{} seconds", limits::HOLD_MIN, limits::HOLD_MAX));
    }
    if range.min > range.max {
        c.at(&hold.min, format!("hold min {} is above max {}", range.min, range.max));
    } else if range.default < range.min || range.default > range.max {
        c.at(&hold.default, format!("hold default {} is outside {}–{}", range.default, range.min, range.max));
    }
    Exercise {
        id: c.slug(&raw.id, "id"),
        name: c.text(&raw.name, "name", limits::NAME),
        aliases: c.list(&raw.aliases, "alias", limits::NAME),
        muscles: c.list(&raw.muscles, "muscle", limits::NAME),
        equipment: c.list(&raw.equipment, "equipment", limits::NAME),
        substitutes: c.list(&raw.substitutes, "substitute", limits::NAME),
        position: c.text(&raw.position, "position", limits::SHORT),
        per_side: raw.per_side,
        summary: c.text(&raw.summary, "summary", limits::SHORT),
        description: c.text(&raw.description, "description", limits::DESCRIPTION),
        instructions: c.nonempty_list(&raw.instructions, "instruction"),
        technique: c.nonempty_list(&raw.technique, "technique tip"),
        breathing: c.nonempty_list(&raw.breathing, "breathing tip"),
        avoid_if: raw.avoid_if.iter().map(|t| c.condition(t)).collect(),
        ask_first: c.list(&raw.ask_first, "ask_first item", limits::ITEM),
        stop_signs: c.nonempty_list(&raw.stop_signs, "stop sign"),
        sources: c.sources(&raw.sources, sources),
        hold: range,
        hold_source: c.text(&hold.source, "hold source", limits::ITEM),
        faq: c.faq(&raw.faq),
    }
}

fn routine(c: &mut Checker<'_>, raw: &RawRoutine, content: &Content, unreadable: &[String]) -> Routine {
    c.id_matches_file(&raw.id);
    if raw.steps.get_ref().is_empty() {
        c.at(&raw.steps, "a routine needs at least one [[step]]");
    }
    let steps = raw
        .steps
        .get_ref()
        .iter()
        .map(|s| {
            let ex = content.exercise(s.exercise.get_ref());
            if ex.is_none() && !unreadable.contains(s.exercise.get_ref()) {
                c.at(&s.exercise, format!("unknown exercise {:?}", s.exercise.get_ref()));
            }
            let hold = match (&s.hold, ex) {
                (Some(h), Some(ex)) => {
                    let v = *h.get_ref();
                    if v < ex.hold.min || v > ex.hold.max {
                        c.at(h, format!("hold {v} s is outside {}'s range {}–{} s", ex.id, ex.hold.min, ex.hold.max));
                    }
                    v
                }
                (Some(h), None) => *h.get_ref(),
                (None, ex) => ex.map_or(limits::HOLD_MIN, |e| e.hold.default),
            };
            let rounds = s.rounds.as_ref().map_or(1, |r| {
                let v = *r.get_ref();
                if v == 0 || v > limits::ROUNDS_MAX {
                    c.at(r, format!("rounds must be 1–{}", limits::ROUNDS_MAX));
                }
                v
            });
            let rest = s.rest.as_ref().map_or(0, |r| {
                let v = *r.get_ref();
                if v > limits::REST_MAX {
                    c.at(r, format!("rest must be at most {} s", limits::REST_MAX));
                }
                v
            });
            RoutineStep {
                exercise: s.exercise.get_ref().clone(),
                hold,
                per_side: s.per_side.unwrap_or_else(|| ex.is_some_and(|e| e.per_side)),
                rounds,
                rest,
            }
        })
        .collect();
    Routine {
        id: c.slug(&raw.id, "id"),
        name: c.text(&raw.name, "name", limits::NAME),
        purpose: c.text(&raw.purpose, "purpose", limits::SHORT),
        steps,
    }
}
