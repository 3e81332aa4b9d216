//! What can answer a question: every FAQ entry, and every passage of an
//! exercise (each step, technique and breathing tip, restriction, stop sign,
//! its hold times, equipment, position, description).
//!
//! A passage keeps where it came from (`Psoas Smash · steps, 1 of 4`), so an
//! answer drawn from it says which exercise and section it is from.

use super::super::intent;
use super::super::model::{Content, Exercise, FaqEntry};
use super::super::render::duration;

/// Which part of the content a document comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Faq,
    Overview,
    Instructions,
    Technique,
    Breathing,
    Hold,
    Equipment,
    Position,
    Restrictions,
    StopSigns,
}

impl Section {
    /// The name used in `--json` (`section`) and in passage titles.
    pub fn name(self) -> &'static str {
        match self {
            Section::Faq => "faq",
            Section::Overview => "overview",
            Section::Instructions => "instructions",
            Section::Technique => "technique",
            Section::Breathing => "breathing",
            Section::Hold => "hold",
            Section::Equipment => "equipment",
            Section::Position => "position",
            Section::Restrictions => "restrictions",
            Section::StopSigns => "stop signs",
        }
    }

    /// What a passage of this section answers, as intent terms, so that
    /// "how do I breathe" meets a breathing tip that never says "how".
    fn intents(self) -> &'static [&'static str] {
        match self {
            Section::Faq => &[],
            Section::Overview => &["_purpose"],
            Section::Instructions | Section::Technique => &["_howto"],
            Section::Position => &["_howto", "_position"],
            Section::Breathing => &["_breath"],
            Section::Hold => &["_long"],
            Section::Equipment => &["_need"],
            Section::Restrictions => &["_safe"],
            Section::StopSigns => &["_safe", "_hurt"],
        }
    }

    /// Words a passage of this section answers to, beyond its own text.
    fn header(self) -> &'static str {
        match self {
            Section::Faq => "",
            Section::Overview => "what is it, what is it good for, benefits",
            Section::Instructions => "how to do it, steps",
            Section::Technique => "technique tips, how to do it properly",
            Section::Breathing => "breathing",
            Section::Hold => "how long to hold, seconds, minutes",
            Section::Equipment => "what equipment do I need, which ball or tool",
            Section::Position => "starting position, where, how to set up",
            Section::Restrictions => "who should not do it, is it safe",
            Section::StopSigns => "when to stop, pain, warning signs",
        }
    }
}

/// Question kinds a passage's own text can show (the rest, such as
/// `_purpose` from "helps", would say more about its wording than its topic).
const PASSAGE_KINDS: &[&str] = &["_pace", "_breath", "_long", "_pressure", "_sides"];

/// One answerable document.
#[derive(Debug, Clone)]
pub struct Doc {
    /// Index into `Content::exercises` when an exercise owns it.
    pub exercise: Option<usize>,
    pub owner_id: String,
    pub owner_name: String,
    /// The FAQ id, or a passage id such as `step-2`, unique per owner.
    pub id: String,
    pub section: Section,
    /// What the answer is titled: the FAQ question, or where a passage is from.
    pub title: String,
    pub answer: String,
    /// Text the question is matched against most (question and phrasings, or
    /// a passage's header and text).
    pub match_texts: Vec<String>,
    /// The answer body, matched with a lower weight.
    pub body: String,
    /// Question kinds this document answers (`_long`, `_breath`, ...).
    pub kinds: Vec<&'static str>,
    /// The document is about safety: restrictions, stop signs, or an FAQ
    /// entry that asks whether it is safe or what to do when it hurts.
    pub safety: bool,
}

impl Doc {
    pub fn is_passage(&self) -> bool {
        self.section != Section::Faq
    }
}

fn faq_doc(exercise: Option<usize>, owner_id: &str, owner_name: &str, f: &FaqEntry) -> Doc {
    let mut kinds: Vec<&'static str> = Vec::new();
    for q in std::iter::once(&f.question).chain(&f.phrasings) {
        kinds.extend(intent::of_text(q));
    }
    kinds.sort_unstable();
    kinds.dedup();
    // Safety entries are the ones whose own question asks about safety or
    // pain (not every entry that mentions it in a phrasing).
    let own = intent::of_text(&f.question);
    let answer = f.answer.trim_start().to_lowercase();
    let refuses = ["no.", "no,", "never", "do not", "don't", "avoid", "skip it"].iter().any(|w| answer.starts_with(w));
    let symptom = super::safety::classify(&f.question, false, |_| false).is_some();
    let safety = own.contains(&"_safe") || own.contains(&"_hurt") || refuses || symptom;
    let mut match_texts = vec![f.question.clone()];
    match_texts.extend(f.phrasings.iter().cloned());
    Doc {
        exercise,
        owner_id: owner_id.to_string(),
        owner_name: owner_name.to_string(),
        id: f.id.clone(),
        section: Section::Faq,
        title: f.question.clone(),
        answer: f.answer.clone(),
        match_texts,
        body: f.answer.clone(),
        kinds,
        safety,
    }
}

/// "which muscles does it work", from an exercise's own fields, when its
/// file has no such entry.
fn muscles_entry(e: &Exercise) -> Option<FaqEntry> {
    if e.faq.iter().any(|f| f.id == "muscles") || e.muscles.is_empty() {
        return None;
    }
    Some(FaqEntry {
        id: "muscles".into(),
        question: format!("Which muscles does the {} work?", e.name.to_lowercase()),
        phrasings: vec!["what muscles does it target".into(), "which muscles are worked".into()],
        answer: format!("It works the {}. {}", e.muscles.join(", "), e.summary),
    })
}

struct PassageBuilder<'a> {
    exercise: usize,
    e: &'a Exercise,
    docs: Vec<Doc>,
}

impl PassageBuilder<'_> {
    fn push(&mut self, section: Section, id: String, title: String, text: String) {
        let header = section.header();
        let placement = section == Section::Technique && is_placement_rule(&text);
        // What the section answers, and what the text itself says ("move
        // slowly" answers "how fast do I roll").
        let mut kinds = section.intents().to_vec();
        kinds.extend(intent::of_text(&text).into_iter().filter(|t| PASSAGE_KINDS.contains(t)));
        kinds.sort_unstable();
        kinds.dedup();
        self.docs.push(Doc {
            exercise: Some(self.exercise),
            owner_id: self.e.id.clone(),
            owner_name: self.e.name.clone(),
            id,
            section,
            title,
            answer: text.clone(),
            match_texts: vec![format!("{header}. {text}")],
            body: text,
            kinds,
            safety: matches!(section, Section::Restrictions | Section::StopSigns) || placement,
        });
    }

    fn list(&mut self, section: Section, prefix: &str, label: &str, items: &[String]) {
        let n = items.len();
        for (i, item) in items.iter().enumerate() {
            let title = format!("{} · {label}, {} of {n}", self.e.name, i + 1);
            self.push(section, format!("{prefix}-{}", i + 1), title, item.clone());
        }
    }
}

fn passages(i: usize, e: &Exercise) -> Vec<Doc> {
    let mut b = PassageBuilder { exercise: i, e, docs: Vec::new() };
    b.push(Section::Overview, "summary".into(), format!("{} · overview", e.name), e.summary.clone());
    for (n, para) in e.description.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).enumerate() {
        b.push(Section::Overview, format!("about-{}", n + 1), format!("{} · about it", e.name), para.to_string());
    }
    b.list(Section::Instructions, "step", "steps", &e.instructions);
    b.list(Section::Technique, "technique", "technique tips", &e.technique);
    b.list(Section::Breathing, "breathing", "breathing tips", &e.breathing);
    let side = if e.per_side { " per side" } else { "" };
    let hold = format!(
        "Holdfast's timer holds {}{side} by default (you can set {} to {}). {}",
        duration(e.hold.default),
        duration(e.hold.min),
        duration(e.hold.max),
        e.hold_source
    );
    b.push(Section::Hold, "hold".into(), format!("{} · hold time", e.name), hold);
    let mut kit = if e.equipment.is_empty() {
        "No equipment is needed.".to_string()
    } else {
        format!("You need: {}.", e.equipment.join(", "))
    };
    if !e.substitutes.is_empty() {
        kit.push_str(&format!(" Instead you can use: {}.", e.substitutes.join(", ")));
    }
    b.push(Section::Equipment, "equipment".into(), format!("{} · equipment", e.name), kit);
    b.push(Section::Position, "position".into(), format!("{} · position", e.name), e.position.clone());
    b.list(Section::Restrictions, "restriction", "restrictions", &e.restriction_sentences());
    b.list(Section::StopSigns, "stop", "stop signs", &e.stop_signs);
    b.docs
}

/// A technique tip that says where not to press (knee, joints, bones): it
/// is safety too.
pub fn is_placement_rule(tip: &str) -> bool {
    let t = tip.to_lowercase();
    ["knee", "joint", "bone", "organ"].iter().any(|w| t.contains(w))
        && ["not", "never", "off", "avoid", "keep"].iter().any(|w| t.contains(w))
}

/// Every document of the content: FAQ entries first, then passages.
pub fn build(content: &Content) -> Vec<Doc> {
    let mut docs = Vec::new();
    for (i, e) in content.exercises.iter().enumerate() {
        for f in e.faq.iter().chain(muscles_entry(e).as_ref()) {
            docs.push(faq_doc(Some(i), &e.id, &e.name, f));
        }
    }
    for t in &content.topics {
        for f in &t.faq {
            docs.push(faq_doc(None, &t.id, &t.name, f));
        }
    }
    for (i, e) in content.exercises.iter().enumerate() {
        docs.extend(passages(i, e));
    }
    docs
}
