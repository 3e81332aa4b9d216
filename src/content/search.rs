//! FAQ search: from an athlete's own words to the right entry, or an honest
//! "I don't know" with suggestions.
//!
//! How it works (see docs/search.md for the reasons):
//! 1. Question and content go through the same [`Analyzer`]: slang rewrites,
//!    stop words, Snowball stems.
//! 2. A query word the content never uses is corrected to the nearest content
//!    word (Damerau–Levenshtein ≤ 1, or ≤ 2 for long words) found through a
//!    symmetric-delete index, so a typo costs a few hash look-ups.
//! 3. Entries are ranked with BM25F over three fields: the question and its
//!    phrasings, the answer, and the owning exercise's names (so naming an
//!    exercise prefers its entries).
//! 4. The confidence is the share of the question's weight that the best entry
//!    explains; below a threshold the answer is "no match" with suggestions.

use std::collections::HashMap;

use serde::Serialize;

use super::fuzzy::Corrector;
use super::intent;
use super::model::{Content, Exercise, FaqEntry};
use super::text::{is_stop_word, words, Analyzer};

/// Field weights and BM25 parameters.
const W_QUESTION: f32 = 1.0;
const W_ANSWER: f32 = 0.25;
const W_NAME: f32 = 0.7;
const K1: f32 = 1.2;
const B: f32 = 0.6;
/// Minimum confidence for a match, for a question with a domain term
/// (an exercise, muscle, tool or technique) and for one without.
const MATCH_ANCHORED: f32 = 0.18;
const MATCH_UNANCHORED: f32 = 0.6;
/// For a question whose only domain words are common ones (ball, partner,
/// leg, knee, ...): between the two.
const MATCH_WEAKLY_ANCHORED: f32 = 0.35;
/// Minimum confidence for a suggestion.
const SUGGEST_THRESHOLD: f32 = 0.12;
const MAX_SUGGESTIONS: usize = 3;

/// Fields: question and phrasings, answer, owner's names.
const FIELDS: usize = 3;
const WEIGHTS: [f32; FIELDS] = [W_QUESTION, W_ANSWER, W_NAME];

/// Where an entry lives: an exercise or a topic file.
#[derive(Debug, Clone)]
struct Doc {
    /// Index into `FaqIndex::names` when the owner is an exercise.
    exercise: Option<usize>,
    owner_id: String,
    owner_name: String,
    faq_id: String,
    question: String,
    answer: String,
    len: [f32; FIELDS],
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
}

/// An exercise's FAQ plus entries derived from its own fields when the file
/// has none of that kind: which muscles it works (from `muscles` and
/// `summary`). Nothing here adds a fact the content does not state.
fn with_derived_entries(e: &Exercise) -> Vec<FaqEntry> {
    let mut faq = e.faq.clone();
    if !faq.iter().any(|f| f.id == "muscles") && !e.muscles.is_empty() {
        faq.push(FaqEntry {
            id: "muscles".into(),
            question: format!("Which muscles does the {} work?", e.name.to_lowercase()),
            phrasings: vec!["what muscles does it target".into(), "which muscles are worked".into()],
            answer: format!("It works the {}. {}", e.muscles.join(", "), e.summary),
        });
    }
    faq
}

/// Entries scored for one question.
#[derive(Default)]
struct Ranking {
    /// (doc, confidence), best first.
    ranked: Vec<(usize, f32)>,
    /// Whether the question names something of this domain.
    anchored: Anchor,
}

/// How firmly a question is about this domain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Anchor {
    /// No domain word at all.
    #[default]
    None,
    /// Only common words that this domain shares with others.
    Weak,
    /// An exercise, muscle, tool or technique.
    Strong,
}

/// The FAQ index, built once at start-up.
pub struct FaqIndex {
    analyzer: Analyzer,
    corrector: Corrector,
    docs: Vec<Doc>,
    /// term → (doc, per-field term frequency)
    postings: HashMap<String, Vec<(u32, [u16; FIELDS])>>,
    avg_len: [f32; FIELDS],
    /// Terms that place a question in this domain (sorted).
    anchors: Vec<String>,
    /// Body parts that no exercise here works on.
    body_parts: Vec<String>,
    /// Per exercise, the term sets of its name, id and aliases.
    names: Vec<Vec<Vec<String>>>,
}

/// Score factors for the entries of an exercise the question names, and for
/// those of other exercises (topic entries keep theirs).
const NAMED_BOOST: f32 = 1.3;
/// Weight of an intent term (`_long`, `_purpose`, ...) against a word.
const INTENT_WEIGHT: f32 = 1.6;
const OTHER_EXERCISE: f32 = 0.8;
/// Score factor for topic entries when the question names no exercise.
const UNNAMED_TOPIC_BOOST: f32 = 1.2;

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
];

/// Words too common to anchor a question on their own.
const GENERIC: &[&str] =
    &["ball", "partner", "side", "leg", "hip", "back", "knee", "thigh", "muscl", "press", "pressur"];

/// Body parts: a question about one that no exercise here works on is not
/// answered with confidence from a neighbouring entry.
const BODY_PARTS: &[&str] = &[
    "shoulder",
    "shoulders",
    "neck",
    "ankle",
    "ankles",
    "wrist",
    "wrists",
    "elbow",
    "elbows",
    "chest",
    "arm",
    "arms",
    "foot",
    "feet",
    "shin",
    "shins",
    "upper",
    "calf",
    "calves",
    "quad",
    "quads",
    "quadriceps",
    "glute",
    "glutes",
    "groin",
    "toe",
    "toes",
    "head",
    "knee",
    "knees",
    "spine",
    "lat",
    "lats",
    "pec",
    "pecs",
    "bicep",
    "biceps",
    "tricep",
    "triceps",
    "abs",
    "achilles",
    "hand",
    "hands",
    "finger",
    "fingers",
];

impl FaqIndex {
    /// Builds the index over every FAQ entry of every exercise and topic.
    pub fn build(content: &Content) -> Self {
        let analyzer = Analyzer::default();
        let mut docs = Vec::new();
        let mut postings: HashMap<String, Vec<(u32, [u16; FIELDS])>> = HashMap::new();
        let mut vocabulary: Vec<String> = Vec::new();

        let owners = content
            .exercises
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let mut names = vec![e.name.clone(), e.id.replace('-', " ")];
                names.extend(e.aliases.iter().cloned());
                names.extend(e.muscles.iter().cloned());
                (Some(i), &e.id, &e.name, names.join(" "), with_derived_entries(e))
            })
            .chain(content.topics.iter().map(|t| (None, &t.id, &t.name, String::new(), t.faq.clone())));

        for (exercise, owner_id, owner_name, names, faq) in owners {
            for entry in &faq {
                let mut question = entry.question.clone();
                for p in &entry.phrasings {
                    question.push_str(" \n ");
                    question.push_str(p);
                }
                let fields = [question.as_str(), entry.answer.as_str(), names.as_str()];
                let mut tf: HashMap<String, [u16; FIELDS]> = HashMap::new();
                let mut len = [0f32; FIELDS];
                let mut kinds: Vec<&str> = Vec::new();
                for q in std::iter::once(&entry.question).chain(&entry.phrasings) {
                    kinds.extend(intent::of_text(q));
                }
                kinds.sort_unstable();
                kinds.dedup();
                for k in kinds {
                    tf.entry(k.to_string()).or_default()[0] += 1;
                    len[0] += 1.0;
                }
                for (f, text) in fields.iter().enumerate() {
                    vocabulary.extend(words(text));
                    for term in analyzer.terms(text) {
                        tf.entry(term).or_default()[f] += 1;
                        len[f] += 1.0;
                    }
                }
                let id = docs.len() as u32;
                for (term, counts) in tf {
                    postings.entry(term).or_default().push((id, counts));
                }
                docs.push(Doc {
                    exercise,
                    owner_id: owner_id.clone(),
                    owner_name: owner_name.clone(),
                    faq_id: entry.id.clone(),
                    question: entry.question.clone(),
                    answer: entry.answer.clone(),
                    len,
                });
            }
        }
        let n = docs.len().max(1) as f32;
        let mut avg_len = [0f32; FIELDS];
        for d in &docs {
            for (avg, len) in avg_len.iter_mut().zip(d.len) {
                *avg += len / n;
            }
        }
        vocabulary.retain(|w| !is_stop_word(w));
        let corrector = Corrector::new(vocabulary);
        // Terms that place a question in this domain: the exercises' names,
        // aliases, muscles and equipment, and the topics' names.
        let mut anchors: Vec<String> = Vec::new();
        for e in &content.exercises {
            let texts = [&e.name, &e.id].into_iter().chain(&e.aliases).chain(&e.muscles).chain(&e.equipment);
            for t in texts {
                anchors.extend(analyzer.terms(&t.replace('-', " ")));
            }
        }
        for t in &content.topics {
            anchors.extend(analyzer.terms(&t.name));
        }
        anchors.extend(ANCHOR_WORDS.iter().map(|w| analyzer.stem(w)));
        anchors.retain(|a| !GENERIC.contains(&a.as_str()));
        anchors.sort();
        anchors.dedup();
        // Body parts the content never mentions.
        let body_parts = BODY_PARTS.iter().map(|w| analyzer.stem(w)).filter(|t| !postings.contains_key(t)).collect();
        // Each exercise's names as term sets: a question containing every
        // term of one names that exercise.
        let names = content
            .exercises
            .iter()
            .map(|e| {
                let mut sets: Vec<Vec<String>> = [&e.name, &e.id.replace('-', " ")]
                    .into_iter()
                    .chain(&e.aliases)
                    .map(|n| analyzer.terms(n))
                    .filter(|t| !t.is_empty())
                    .collect();
                sets.sort();
                sets.dedup();
                sets
            })
            .collect();
        Self { analyzer, corrector, docs, postings, avg_len, anchors, body_parts, names }
    }

    /// Number of indexed entries.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True when there is nothing to search.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The terms a question is searched with, typos corrected.
    fn query_terms(&self, question: &str) -> Vec<String> {
        let mut terms: Vec<String> = Vec::new();
        for w in words(question) {
            if is_stop_word(&w) {
                continue;
            }
            let stem = self.analyzer.stem(&w);
            let term = if self.postings.contains_key(&stem) {
                stem
            } else {
                match self.corrector.correct(&w) {
                    Some(fixed) if !is_stop_word(fixed) => self.analyzer.stem(fixed),
                    _ => stem,
                }
            };
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        terms.extend(intent::of_text(question).into_iter().map(String::from));
        terms
    }

    fn idf(&self, df: usize) -> f32 {
        let n = self.docs.len() as f32;
        let df = df as f32;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// Scores every entry; returns (doc, confidence) best first.
    fn rank(&self, question: &str) -> Ranking {
        let terms = self.query_terms(question);
        let mut scores = vec![0f32; self.docs.len()];
        // The most a term could add: its idf with a saturated question field.
        let unknown_idf = self.idf(0);
        let mut total = 0f32;
        for term in &terms {
            let Some(list) = self.postings.get(term) else {
                total += unknown_idf * 0.5;
                continue;
            };
            // What kind of question it is weighs more than any one word.
            let weight = if term.starts_with('_') { INTENT_WEIGHT } else { 1.0 };
            let idf = self.idf(list.len()) * weight;
            total += idf;
            for &(doc, tf) in list {
                let d = &self.docs[doc as usize];
                let mut weighted = 0f32;
                for f in 0..FIELDS {
                    let norm = 1.0 - B + B * d.len[f] / self.avg_len[f].max(1.0);
                    weighted += WEIGHTS[f] * f32::from(tf[f]) / norm;
                }
                scores[doc as usize] += idf * weighted / (K1 + weighted);
            }
        }
        if total <= 0.0 {
            return Ranking::default();
        }
        // Confidence needs the question to be about this domain: without an
        // anchor term only a near-perfect match counts (see `ask`); a body
        // part that no exercise works on cuts it to a third.
        let anchored = if terms.iter().any(|t| self.anchors.binary_search(t).is_ok()) {
            Anchor::Strong
        } else if terms.iter().any(|t| GENERIC.contains(&t.as_str())) {
            Anchor::Weak
        } else {
            Anchor::None
        };
        // The exercises the question names, by their longest matching name.
        let named: Vec<usize> = {
            let best = |sets: &Vec<Vec<String>>| {
                sets.iter().filter(|set| set.iter().all(|t| terms.contains(t))).map(Vec::len).max().unwrap_or(0)
            };
            let lens: Vec<usize> = self.names.iter().map(best).collect();
            let top = lens.iter().copied().max().unwrap_or(0);
            (0..lens.len()).filter(|&i| top > 0 && lens[i] == top).collect()
        };
        for (doc, score) in self.docs.iter().zip(scores.iter_mut()) {
            match doc.exercise {
                Some(e) if named.contains(&e) => *score *= NAMED_BOOST,
                Some(_) if !named.is_empty() => *score *= OTHER_EXERCISE,
                Some(_) => {}
                // A question that names no exercise is a general one.
                None if named.is_empty() => *score *= UNNAMED_TOPIC_BOOST,
                None => {}
            }
        }
        if terms.iter().any(|t| self.body_parts.contains(t)) {
            total *= 3.0;
        }
        let mut ranked: Vec<(usize, f32)> =
            scores.into_iter().enumerate().filter(|(_, s)| *s > 0.0).map(|(i, s)| (i, (s / total).min(1.0))).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ranking { ranked, anchored }
    }

    /// Answers a question: the best entry when confident, else suggestions.
    pub fn ask(&self, question: &str) -> AskResult {
        let Ranking { ranked, anchored } = self.rank(question);
        let threshold = match anchored {
            Anchor::Strong => MATCH_ANCHORED,
            Anchor::Weak => MATCH_WEAKLY_ANCHORED,
            Anchor::None => MATCH_UNANCHORED,
        };
        let best = ranked.first().filter(|(_, s)| *s >= threshold);
        let skip = usize::from(best.is_some());
        let suggestions = ranked
            .iter()
            .skip(skip)
            .filter(|(_, s)| *s >= SUGGEST_THRESHOLD)
            .take(MAX_SUGGESTIONS)
            .map(|&(i, _)| Suggestion {
                exercise_id: self.docs[i].owner_id.clone(),
                faq_id: self.docs[i].faq_id.clone(),
                question: self.docs[i].question.clone(),
            })
            .collect();
        match best {
            Some(&(i, score)) => {
                let d = &self.docs[i];
                AskResult {
                    matched: true,
                    exercise_id: Some(d.owner_id.clone()),
                    exercise_name: Some(d.owner_name.clone()),
                    question: Some(d.question.clone()),
                    answer: Some(d.answer.clone()),
                    score: Some((score * 100.0).round() / 100.0),
                    suggestions,
                }
            }
            None => AskResult {
                matched: false,
                exercise_id: None,
                exercise_name: None,
                question: None,
                answer: None,
                score: None,
                suggestions,
            },
        }
    }

    /// The entry `owner_id/faq_id` as an answer (for "did you mean" buttons).
    pub fn entry(&self, owner_id: &str, faq_id: &str) -> Option<AskResult> {
        let d = self.docs.iter().find(|d| d.owner_id == owner_id && d.faq_id == faq_id)?;
        Some(AskResult {
            matched: true,
            exercise_id: Some(d.owner_id.clone()),
            exercise_name: Some(d.owner_name.clone()),
            question: Some(d.question.clone()),
            answer: Some(d.answer.clone()),
            score: Some(1.0),
            suggestions: Vec::new(),
        })
    }

    /// Whether a question names something of this domain (for evaluation).
    pub fn is_anchored(&self, question: &str) -> bool {
        self.rank(question).anchored == Anchor::Strong
    }

    /// `owner/faq_id` of the best entry for a question, matched or not (for
    /// evaluation).
    pub fn best_entry(&self, question: &str) -> Option<(String, f32)> {
        let (i, s) = *self.rank(question).ranked.first()?;
        let d = &self.docs[i];
        Some((format!("{}/{}", d.owner_id, d.faq_id), s))
    }
}
