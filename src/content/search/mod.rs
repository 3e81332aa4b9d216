//! Answers: from an athlete's own words to the right answer, or an honest
//! "I don't know" with suggestions. `holdfast ask` and `/ask` share
//! [`FaqIndex::ask`].
//!
//! The steps (docs/search.md says why):
//! 1. Input that is not a question (empty, too long, no words) gets a reason.
//! 2. Every FAQ entry and every passage of an exercise (steps, tips,
//!    restrictions, stop signs, hold times, ...) is a document ([`docs`]).
//! 3. Each document is scored lexically (BM25F with slang, stems and typo
//!    correction, [`lexical`]) and semantically (a static embedding model,
//!    [`semantic`]); the two are fused, and naming an exercise prefers its
//!    documents.
//! 4. Safety questions (a condition, injury or symptom) are answered from the
//!    exercise's restrictions and stop signs ([`safety`]); questions about
//!    what the content does not cover are refused ([`scope`]).
//! 5. Below a confidence bar the answer is "I don't know" with suggestions.
//!
//! Every answer that belongs to an exercise carries its restrictions and
//! stop signs ([`AskResult::restrictions`], [`AskResult::stop_signs`]).

pub mod baseline;
mod docs;
pub mod eval;
mod lexical;
mod safety;
pub mod scope;
mod semantic;

use serde::Serialize;

use self::docs::Doc;
pub use self::docs::Section as DocSection;
use self::lexical::Lexical;
use self::safety::SafetyAsk;
use self::semantic::Semantic;
use super::model::{Content, Exercise};

/// The knobs of ranking, tuned on the tuning set only (tests/ask_tuning.rs).
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Weight of the lexical confidence (1; 0 measures semantic alone).
    pub lexical_weight: f32,
    /// Weight of the semantic score against the lexical confidence.
    pub semantic_weight: f32,
    /// Cosine similarity below which the semantic score adds nothing.
    pub semantic_floor: f32,
    /// Score factor of passages against curated FAQ entries.
    pub passage_prior: f32,
    /// Score factors for the documents of an exercise the question names,
    /// and for other exercises' documents.
    pub named_boost: f32,
    pub other_exercise: f32,
    /// Score factor for topic entries when the question names no exercise.
    pub topic_boost: f32,
    /// Score factor for safety documents when the question is about pain or
    /// safety.
    pub safety_boost: f32,
    /// Minimum confidence for a question with a domain term, with only
    /// common domain words, and with none.
    pub match_anchored: f32,
    pub match_weak: f32,
    pub match_unanchored: f32,
    /// Minimum confidence to infer the exercise of a safety question that
    /// names none.
    pub infer_exercise: f32,
    /// Minimum score for an exercise's own safety entry to answer a safety
    /// question instead of a composed answer.
    pub safety_entry: f32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            lexical_weight: 1.0,
            semantic_weight: 0.4,
            semantic_floor: 0.5,
            passage_prior: 0.95,
            named_boost: 1.2,
            other_exercise: 0.75,
            topic_boost: 1.2,
            safety_boost: 1.4,
            match_anchored: 0.2,
            match_weak: 0.35,
            match_unanchored: 0.6,
            infer_exercise: 0.25,
            safety_entry: 0.45,
        }
    }
}

/// Minimum confidence for a suggestion.
const SUGGEST_THRESHOLD: f32 = 0.12;
const MAX_SUGGESTIONS: usize = 3;

/// Domain words that anchor a question besides the content's names.
const ANCHOR_WORDS: &[&str] = &[
    "massage",
    "smr",
    "myofascial",
    "recovery",
    "release",
    "roll",
    "foam",
    "hamstring",
    "psoas",
    "stretch",
    "smash",
    "tingling",
    "nerve",
    "knot",
    "knots",
    "tight",
    "tightness",
    "sore",
    "soreness",
    "trigger",
    "pain",
    "hurts",
    "ache",
    "burning",
    "stiff",
    "breathing",
    "physiotherapist",
    "tennis",
    "overdo",
    "spot",
    "tender",
];

/// Words too common to anchor a question on their own.
const GENERIC: &[&str] =
    &["ball", "partner", "side", "leg", "hip", "back", "knee", "thigh", "muscl", "press", "pressur"];

/// Name words shared with everyday talk or with other exercises' equipment:
/// on their own they name no exercise.
const NOT_DISTINCTIVE: &str =
    "hamstring hammy ball balls massage release stretch partner self soft tissue hip lacrosse assisted buddy str smash";

/// Per exercise, the terms of its names that no other exercise's names use.
fn distinctive_terms(names: &[Vec<Vec<String>>], common: &[String]) -> Vec<Vec<String>> {
    let own: Vec<Vec<&String>> = names
        .iter()
        .map(|sets| {
            let mut t: Vec<&String> = sets.iter().flatten().collect();
            t.sort();
            t.dedup();
            t
        })
        .collect();
    own.iter()
        .enumerate()
        .map(|(i, terms)| {
            terms
                .iter()
                .filter(|t| !common.contains(t))
                .filter(|t| own.iter().enumerate().all(|(j, other)| j == i || !other.contains(t)))
                .map(|t| (*t).clone())
                .collect()
        })
        .collect()
}

/// One suggestion: an entry worth offering when unsure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub exercise_id: String,
    /// The entry's id within its file (not part of the JSON contract).
    #[serde(skip)]
    pub faq_id: String,
    pub question: String,
}

/// What an answer is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// An FAQ entry or a passage.
    Answer,
    /// Restrictions or stop signs: the answer to a safety question.
    Safety,
}

/// The result of a question, in the shape of `holdfast ask --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskResult {
    pub matched: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exercise_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exercise_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    pub answer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    pub suggestions: Vec<Suggestion>,
    /// Whether it is a safety answer (`answer` or `safety`), when matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<AnswerKind>,
    /// Where the answer comes from: `faq`, `instructions`, `restrictions`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<&'static str>,
    /// The exercise's restrictions, as sentences, whenever the answer
    /// belongs to an exercise: instructions always come with safety.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub restrictions: Vec<String>,
    /// The exercise's stop signs, likewise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stop_signs: Vec<String>,
    /// The answering document's id within its owner (`hold-time`,
    /// `step-2`); none for a composed safety answer. Not part of the JSON.
    #[serde(skip)]
    pub entry: Option<String>,
    /// Why nothing was answered, when that is known (bad input, a topic the
    /// content does not cover).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl AskResult {
    fn refused(reason: Option<String>, suggestions: Vec<Suggestion>) -> Self {
        Self {
            matched: false,
            exercise_id: None,
            exercise_name: None,
            question: None,
            answer: None,
            score: None,
            suggestions,
            kind: None,
            section: None,
            restrictions: Vec::new(),
            stop_signs: Vec::new(),
            entry: None,
            reason,
        }
    }

    /// The restrictions and stop signs in a few lines (empty when the answer
    /// belongs to no exercise).
    pub fn safety_note(&self) -> Option<String> {
        if self.restrictions.is_empty() && self.stop_signs.is_empty() {
            return None;
        }
        let mut note = self.restrictions.join(" ");
        if !self.stop_signs.is_empty() {
            if !note.is_empty() {
                note.push('\n');
            }
            note.push_str(&self.stop_signs.join(" "));
        }
        Some(note)
    }
}

/// How firmly a question is about this domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    None,
    Weak,
    Strong,
}

/// Every document scored for one question.
struct Ranked {
    /// Fused score per document.
    scores: Vec<f32>,
    /// Document indices, best first, score > 0.
    order: Vec<usize>,
    terms: Vec<String>,
    named: Vec<usize>,
    anchor: Anchor,
}

/// The answer index, built once at start-up.
pub struct FaqIndex {
    docs: Vec<Doc>,
    lexical: Lexical,
    semantic: Option<Semantic>,
    exercises: Vec<Exercise>,
    /// Per exercise, the term sets of its name, id and aliases.
    names: Vec<Vec<Vec<String>>>,
    /// Per exercise, the raw words of its name, id and aliases.
    name_words: Vec<Vec<String>>,
    /// Per exercise, name terms no other exercise's names use ("psoas",
    /// "knuckle", "compression"): one of them alone names the exercise.
    distinctive: Vec<Vec<String>>,
    /// Terms that place a question in this domain (sorted).
    anchors: Vec<String>,
    params: Params,
}

impl FaqIndex {
    /// Builds the index over every FAQ entry and passage, with the shipped
    /// embedding model.
    pub fn build(content: &Content) -> Self {
        Self::build_with(content, Params::default(), true)
    }

    /// Builds with other ranking knobs, and optionally without the
    /// embedding model (lexical only), for tuning and comparison.
    pub fn build_with(content: &Content, params: Params, semantic: bool) -> Self {
        let docs = docs::build(content);
        let lexical = Lexical::build(content, &docs);
        let semantic = if semantic {
            match Semantic::build(&docs) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!(error = %e, "the embedding model did not load; answering with lexical search only");
                    None
                }
            }
        } else {
            None
        };
        let a = &lexical.analyzer;
        let mut anchors: Vec<String> = Vec::new();
        for e in &content.exercises {
            let texts = [&e.name, &e.id].into_iter().chain(&e.aliases).chain(&e.muscles).chain(&e.equipment);
            for t in texts {
                anchors.extend(a.terms(&t.replace('-', " ")));
            }
        }
        for t in &content.topics {
            anchors.extend(a.terms(&t.name));
        }
        anchors.extend(ANCHOR_WORDS.iter().map(|w| a.stem(w)));
        anchors.retain(|t| !GENERIC.contains(&t.as_str()));
        anchors.sort();
        anchors.dedup();
        let names: Vec<Vec<Vec<String>>> = content
            .exercises
            .iter()
            .map(|e| {
                let mut sets: Vec<Vec<String>> = [&e.name, &e.id.replace('-', " ")]
                    .into_iter()
                    .chain(&e.aliases)
                    .map(|n| a.terms(n))
                    .filter(|t| !t.is_empty())
                    .collect();
                sets.sort();
                sets.dedup();
                sets
            })
            .collect();
        let name_words = content
            .exercises
            .iter()
            .map(|e| {
                let mut w: Vec<String> = [&e.name, &e.id.replace('-', " ")]
                    .into_iter()
                    .chain(&e.aliases)
                    .flat_map(|n| scope::raw_words(n))
                    .collect();
                w.sort();
                w.dedup();
                w
            })
            .collect();
        let distinctive = distinctive_terms(&names, &a.terms(NOT_DISTINCTIVE));
        Self {
            docs,
            lexical,
            semantic,
            exercises: content.exercises.clone(),
            names,
            name_words,
            distinctive,
            anchors,
            params,
        }
    }

    /// Number of indexed documents (FAQ entries and passages).
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when there is nothing to search.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Whether the embedding model is in use.
    pub fn has_semantic(&self) -> bool {
        self.semantic.is_some()
    }

    /// The exercises a question names, by their longest matching name.
    fn named(&self, terms: &[String]) -> Vec<usize> {
        let best = |sets: &Vec<Vec<String>>| {
            sets.iter().filter(|set| set.iter().all(|t| terms.contains(t))).map(Vec::len).max().unwrap_or(0)
        };
        let lens: Vec<usize> = self.names.iter().map(best).collect();
        let top = lens.iter().copied().max().unwrap_or(0);
        if top > 0 {
            return (0..lens.len()).filter(|&i| lens[i] == top).collect();
        }
        (0..self.distinctive.len()).filter(|&i| self.distinctive[i].iter().any(|t| terms.contains(t))).collect()
    }

    fn rank(&self, question: &str) -> Ranked {
        let p = &self.params;
        let lexical::Scored { confidence, terms } = self.lexical.score(question);
        let semantic = self.semantic.as_ref().map(|s| s.scores(question));
        let named = self.named(&terms);
        let about_safety = terms.iter().any(|t| t == "_safe" || t == "_hurt");
        let mut scores: Vec<f32> = confidence.iter().map(|c| c * p.lexical_weight).collect();
        for (i, (d, score)) in self.docs.iter().zip(scores.iter_mut()).enumerate() {
            if let Some(sem) = &semantic {
                *score += p.semantic_weight * (sem[i] - p.semantic_floor).max(0.0);
            }
            if d.is_passage() {
                *score *= p.passage_prior;
            }
            match d.exercise {
                Some(e) if named.contains(&e) => *score *= p.named_boost,
                Some(_) if !named.is_empty() => *score *= p.other_exercise,
                Some(_) => {}
                None if named.is_empty() => *score *= p.topic_boost,
                None => {}
            }
            if about_safety && d.safety {
                *score *= p.safety_boost;
            }
            *score = score.min(1.0);
        }
        let mut order: Vec<usize> = (0..scores.len()).filter(|&i| scores[i] > 0.0).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        let anchor = if terms.iter().any(|t| self.anchors.binary_search(t).is_ok()) {
            Anchor::Strong
        } else if terms.iter().any(|t| GENERIC.contains(&t.as_str())) {
            Anchor::Weak
        } else {
            Anchor::None
        };
        Ranked { scores, order, terms, named, anchor }
    }

    fn threshold(&self, anchor: Anchor) -> f32 {
        match anchor {
            Anchor::Strong => self.params.match_anchored,
            Anchor::Weak => self.params.match_weak,
            Anchor::None => self.params.match_unanchored,
        }
    }

    fn suggestions(&self, r: &Ranked, skip: Option<usize>) -> Vec<Suggestion> {
        r.order
            .iter()
            .filter(|&&i| Some(i) != skip && !self.docs[i].is_passage() && r.scores[i] >= SUGGEST_THRESHOLD)
            .take(MAX_SUGGESTIONS)
            .map(|&i| Suggestion {
                exercise_id: self.docs[i].owner_id.clone(),
                faq_id: self.docs[i].id.clone(),
                question: self.docs[i].title.clone(),
            })
            .collect()
    }

    /// A result for document `i`, with its exercise's safety.
    fn answer_doc(&self, i: usize, score: f32, suggestions: Vec<Suggestion>) -> AskResult {
        let d = &self.docs[i];
        let kind = if d.safety { AnswerKind::Safety } else { AnswerKind::Answer };
        let mut r = self.result(
            d.exercise,
            &d.owner_id,
            &d.owner_name,
            &d.title,
            &d.answer,
            kind,
            d.section.name(),
            score,
            suggestions,
        );
        r.entry = Some(d.id.clone());
        r
    }

    #[allow(clippy::too_many_arguments)] // one constructor for every kind of answer
    fn result(
        &self,
        exercise: Option<usize>,
        owner_id: &str,
        owner_name: &str,
        title: &str,
        answer: &str,
        kind: AnswerKind,
        section: &'static str,
        score: f32,
        suggestions: Vec<Suggestion>,
    ) -> AskResult {
        let e = exercise.map(|i| &self.exercises[i]);
        AskResult {
            matched: true,
            exercise_id: Some(owner_id.to_string()),
            exercise_name: Some(owner_name.to_string()),
            question: Some(title.to_string()),
            answer: Some(answer.to_string()),
            score: Some((score.min(1.0) * 100.0).round() / 100.0),
            suggestions,
            kind: Some(kind),
            section: Some(section),
            restrictions: e.map(Exercise::restriction_sentences).unwrap_or_default(),
            stop_signs: e.map(|e| e.stop_signs.clone()).unwrap_or_default(),
            entry: None,
            reason: None,
        }
    }

    /// The exercise a safety question is about: the one it names, else the
    /// owner of the best document when that is confident enough.
    fn safety_target(&self, r: &Ranked) -> Option<usize> {
        if let [one] = r.named.as_slice() {
            return Some(*one);
        }
        if r.named.len() > 1 {
            return r.order.iter().find_map(|&i| self.docs[i].exercise.filter(|e| r.named.contains(e)));
        }
        let &best = r.order.first()?;
        self.docs[best].exercise.filter(|_| r.scores[best] >= self.params.infer_exercise)
    }

    /// Whether an entry's question shares a term with the question beyond the
    /// exercise's name and the words every safety question has.
    fn shares_condition(&self, terms: &[String], title: &str, exercise_name: &str) -> bool {
        let a = &self.lexical.analyzer;
        let name = a.terms(exercise_name);
        const PLAIN: &[&str] = &["safe", "ok", "okay", "can", "do", "should", "avoid", "who", "not", "hurt", "pain"];
        let plain: Vec<String> = PLAIN.iter().map(|w| a.stem(w)).collect();
        let title_terms = a.terms(title);
        terms.iter().any(|t| !t.starts_with('_') && !name.contains(t) && !plain.contains(t) && title_terms.contains(t))
    }

    /// The best general (topic) safety entry, when confident.
    fn general_safety(&self, r: &Ranked) -> Option<usize> {
        r.order.iter().copied().find(|&i| {
            let d = &self.docs[i];
            d.exercise.is_none() && d.safety && r.scores[i] >= self.threshold(r.anchor)
        })
    }

    fn safety_answer(&self, r: &Ranked, ask: &SafetyAsk) -> AskResult {
        let a = &self.lexical.analyzer;
        let suggestions = self.suggestions(r, None);
        let target = self.safety_target(r);
        // A safety entry of that exercise that speaks to what is asked (the
        // psoas smash's "safe with back pain?") beats a composed answer.
        if let Some(t) = target {
            let own = self.exercises[t].name.to_lowercase();
            let fits = r.order.iter().copied().find(|&i| {
                let d = &self.docs[i];
                d.exercise == Some(t) && d.safety && !d.is_passage() && r.scores[i] >= self.params.safety_entry
            });
            if let Some(i) = fits.filter(|&i| self.shares_condition(&r.terms, &self.docs[i].title, &own)) {
                let mut res = self.answer_doc(i, r.scores[i], suggestions);
                res.kind = Some(AnswerKind::Safety);
                return res;
            }
        }
        let (exercise, title, answer, section) = match (ask, target) {
            (SafetyAsk::Condition(label), Some(i)) => {
                let e = &self.exercises[i];
                // The condition as the lists name it ("an injury") helps find
                // its restriction ("an acute injury to your hip").
                let mut terms = r.terms.clone();
                terms.extend(a.terms(label));
                let m = safety::matching_restriction(a, e, &terms);
                let (t, ans) = safety::condition_answer(e, m, label);
                (Some(i), t, ans, "restrictions")
            }
            (SafetyAsk::Symptom, Some(i)) => {
                let e = &self.exercises[i];
                let (t, ans) = safety::symptom_answer(e, safety::matching_stop_sign(a, e, &r.terms));
                (Some(i), t, ans, "stop signs")
            }
            (ask, None) => {
                if let Some(g) = self.general_safety(r) {
                    let mut res = self.answer_doc(g, r.scores[g], suggestions);
                    res.kind = Some(AnswerKind::Safety);
                    return res;
                }
                let label = match ask {
                    SafetyAsk::Condition(label) => label,
                    SafetyAsk::Symptom => "that feeling",
                };
                let (t, ans) = safety::general_condition_answer(label);
                return AskResult {
                    matched: true,
                    exercise_id: Some("general".into()),
                    exercise_name: Some("General recovery".into()),
                    question: Some(t),
                    answer: Some(ans),
                    score: Some(1.0),
                    suggestions,
                    kind: Some(AnswerKind::Safety),
                    section: Some("restrictions"),
                    restrictions: Vec::new(),
                    stop_signs: Vec::new(),
                    entry: None,
                    reason: None,
                };
            }
        };
        let e = exercise.map(|i| &self.exercises[i]);
        let (id, name) = e.map_or(("general", "General recovery"), |e| (e.id.as_str(), e.name.as_str()));
        let score = r.order.first().map_or(1.0, |&b| r.scores[b]).max(self.params.match_anchored);
        self.result(exercise, id, name, &title, &answer, AnswerKind::Safety, section, score, suggestions)
    }

    /// Answers a question: the best answer when confident, a safety answer to
    /// a safety question, else "I don't know" with suggestions.
    pub fn ask(&self, question: &str) -> AskResult {
        if let Some(r) = scope::bad_input(question) {
            return AskResult::refused(Some(r.message()), Vec::new());
        }
        let words = scope::raw_words(question);
        let r = self.rank(question);
        // A question about this domain that names a condition the lists know
        // ("inflamed hammy, lacrosse ball?") is about safety even without
        // "is it ok": the answer must come from the restrictions.
        let about = !r.named.is_empty() || (r.anchor == Anchor::Strong && question.trim_end().ends_with('?'));
        let safety = safety::classify(question, about, |w| !self.lexical.knows_word(w));
        // A safety question about a named exercise is answered even when it
        // mentions a body part elsewhere ("knee surgery, hamstring smash?").
        if let (Some(ask @ SafetyAsk::Condition(_)), [_]) = (&safety, r.named.as_slice()) {
            return self.safety_answer(&r, ask);
        }
        let naming: Vec<String> = r.named.iter().flat_map(|&i| self.name_words[i].iter().cloned()).collect();
        if let Some(refusal) = scope::out_of_scope(&words, &naming) {
            return AskResult::refused(Some(refusal.message()), self.suggestions(&r, None));
        }
        if let Some(ask) = &safety {
            if r.anchor != Anchor::None || !r.named.is_empty() {
                return self.safety_answer(&r, ask);
            }
        }
        let best = r.order.first().copied().filter(|&i| r.scores[i] >= self.threshold(r.anchor));
        match best {
            Some(i) => self.answer_doc(i, r.scores[i], self.suggestions(&r, Some(i))),
            None => AskResult::refused(None, self.suggestions(&r, None)),
        }
    }

    /// The document `owner_id/id` as an answer (for "did you mean" buttons).
    pub fn entry(&self, owner_id: &str, id: &str) -> Option<AskResult> {
        let i = self.docs.iter().position(|d| d.owner_id == owner_id && d.id == id)?;
        Some(self.answer_doc(i, 1.0, Vec::new()))
    }

    /// `owner/id` of the best document for a question, matched or not (for
    /// evaluation).
    pub fn best_entry(&self, question: &str) -> Option<(String, f32)> {
        let r = self.rank(question);
        let &i = r.order.first()?;
        let d = &self.docs[i];
        Some((format!("{}/{}", d.owner_id, d.id), r.scores[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_distinctive_name_word_names_its_exercise() {
        let s =
            |v: &[&[&str]]| v.iter().map(|set| set.iter().map(std::string::ToString::to_string).collect()).collect();
        let names = vec![s(&[&["psoa", "smash"]]), s(&[&["hamstr", "smash"], &["smash"]]), s(&[&["knuckl", "massag"]])];
        let d = distinctive_terms(&names, &["massag".to_string()]);
        assert_eq!(d, vec![vec!["psoa".to_string()], vec!["hamstr".to_string()], vec!["knuckl".to_string()]]);
    }
}
