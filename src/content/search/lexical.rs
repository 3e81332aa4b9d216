//! BM25F over the documents' three fields: what they answer (question and
//! phrasings, or a passage's header and text), the answer body, and the
//! owning exercise's names. Typos in a question are corrected to the
//! content's own words first.

use std::collections::HashMap;

use super::super::fuzzy::Corrector;
use super::super::intent;
use super::super::model::Content;
use super::super::text::{is_stop_word, words, Analyzer};
use super::docs::Doc;

const K1: f32 = 1.2;
const B: f32 = 0.6;
const FIELDS: usize = 3;
/// Field weights of an FAQ entry: question and phrasings, answer, names.
/// The answer weighs more than the question: athletes ask with the facts'
/// words more often than with the entry's phrasing (tuned on the tuning
/// sets: 0.25 → 1.6).
const FAQ_WEIGHTS: [f32; FIELDS] = [1.0, 1.6, 0.7];
/// A passage's text is already its first field.
const PASSAGE_WEIGHTS: [f32; FIELDS] = [1.0, 0.0, 1.0];
/// Weight of an intent term (`_long`, `_purpose`, ...) against a word.
const INTENT_WEIGHT: f32 = 2.2;

/// The lexical index.
pub struct Lexical {
    pub analyzer: Analyzer,
    corrector: Corrector,
    /// term → (doc, per-field term frequency)
    postings: HashMap<String, Vec<(u32, [u16; FIELDS])>>,
    lens: Vec<[f32; FIELDS]>,
    avg_len: [f32; FIELDS],
    weights: Vec<[f32; FIELDS]>,
}

/// Scores of one question.
pub struct Scored {
    /// Per document, its share of what the question's terms could score.
    pub confidence: Vec<f32>,
    /// The question's terms, typos corrected, with its intent terms.
    pub terms: Vec<String>,
}

/// Names, aliases and muscles of each exercise, as one text.
pub fn owner_names(content: &Content) -> Vec<String> {
    content
        .exercises
        .iter()
        .map(|e| {
            let mut names = vec![e.name.clone(), e.id.replace('-', " ")];
            names.extend(e.aliases.iter().cloned());
            names.extend(e.muscles.iter().cloned());
            names.join(" ")
        })
        .collect()
}

impl Lexical {
    pub fn build(content: &Content, docs: &[Doc]) -> Self {
        let analyzer = Analyzer::default();
        let names = owner_names(content);
        let mut postings: HashMap<String, Vec<(u32, [u16; FIELDS])>> = HashMap::new();
        let mut vocabulary: Vec<String> = Vec::new();
        let mut lens = Vec::with_capacity(docs.len());
        let mut weights = Vec::with_capacity(docs.len());
        for (id, d) in docs.iter().enumerate() {
            let first = d.match_texts.join(" \n ");
            let owner = d.exercise.map_or("", |e| names[e].as_str());
            let fields = [first.as_str(), d.body.as_str(), owner];
            let mut tf: HashMap<String, [u16; FIELDS]> = HashMap::new();
            let mut len = [0f32; FIELDS];
            for k in &d.kinds {
                tf.entry((*k).to_string()).or_default()[0] += 1;
                len[0] += 1.0;
            }
            for (f, text) in fields.iter().enumerate() {
                vocabulary.extend(words(text));
                for term in analyzer.terms(text) {
                    tf.entry(term).or_default()[f] += 1;
                    len[f] += 1.0;
                }
            }
            for (term, counts) in tf {
                postings.entry(term).or_default().push((id as u32, counts));
            }
            lens.push(len);
            weights.push(if d.is_passage() { PASSAGE_WEIGHTS } else { FAQ_WEIGHTS });
        }
        let n = docs.len().max(1) as f32;
        let mut avg_len = [0f32; FIELDS];
        for len in &lens {
            for (avg, l) in avg_len.iter_mut().zip(len) {
                *avg += l / n;
            }
        }
        vocabulary.retain(|w| !is_stop_word(w));
        let corrector = Corrector::new(vocabulary);
        Self { analyzer, corrector, postings, lens, avg_len, weights }
    }

    /// Whether the content uses this word, or a word it is a typo of.
    pub fn knows_word(&self, word: &str) -> bool {
        words(word).iter().all(|w| {
            is_stop_word(w) || self.postings.contains_key(&self.analyzer.stem(w)) || self.corrector.correct(w).is_some()
        })
    }

    /// The terms a question is searched with: typos corrected, plus the
    /// question's intent terms.
    pub fn query_terms(&self, question: &str) -> Vec<String> {
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
        let n = self.lens.len() as f32;
        let df = df as f32;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// Scores every document for a question.
    pub fn score(&self, question: &str) -> Scored {
        let terms = self.query_terms(question);
        let mut scores = vec![0f32; self.lens.len()];
        let unknown_idf = self.idf(0);
        let mut total = 0f32;
        for term in &terms {
            let Some(list) = self.postings.get(term) else {
                // A word the content does not know counts half: it makes a
                // match less certain without ruling it out.
                total += unknown_idf * 0.5;
                continue;
            };
            let weight = if term.starts_with('_') { INTENT_WEIGHT } else { 1.0 };
            let idf = self.idf(list.len()) * weight;
            total += idf;
            for &(doc, tf) in list {
                let d = doc as usize;
                let mut weighted = 0f32;
                for (f, &count) in tf.iter().enumerate() {
                    let norm = 1.0 - B + B * self.lens[d][f] / self.avg_len[f].max(1.0);
                    weighted += self.weights[d][f] * f32::from(count) / norm;
                }
                scores[d] += idf * weighted / (K1 + weighted);
            }
        }
        let confidence = if total > 0.0 { scores.iter().map(|s| (s / total).min(1.0)).collect() } else { scores };
        Scored { confidence, terms }
    }
}
