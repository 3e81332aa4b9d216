//! A plain BM25 index over the same FAQ entries, as anyone would try first:
//! lower-case words, a few stop words, no stems, slang, typos, passages,
//! safety routing or refusals. Only for comparison (`cargo bench --bench
//! ask`); the bot never uses it.

use std::collections::HashMap;

use super::{AnswerKind, AskResult};
use crate::content::Content;

const K1: f32 = 1.2;
const B: f32 = 0.75;
const STOP: &[&str] = &[
    "a", "an", "and", "the", "is", "it", "i", "do", "to", "of", "for", "my", "on", "in", "can", "how", "what",
    "should", "you", "your", "with", "or", "be", "me", "this", "that",
];

fn tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .map(str::to_string)
        .collect()
}

struct Entry {
    owner_id: String,
    owner_name: String,
    question: String,
    answer: String,
    tf: HashMap<String, u32>,
    len: f32,
}

/// The baseline index.
pub struct Bm25Baseline {
    entries: Vec<Entry>,
    df: HashMap<String, u32>,
    avg_len: f32,
}

impl Bm25Baseline {
    pub fn build(content: &Content) -> Self {
        let owners = content
            .exercises
            .iter()
            .map(|e| (&e.id, &e.name, &e.faq))
            .chain(content.topics.iter().map(|t| (&t.id, &t.name, &t.faq)));
        let mut entries = Vec::new();
        let mut df: HashMap<String, u32> = HashMap::new();
        for (id, name, faq) in owners {
            for f in faq {
                let toks = tokens(&format!("{} {}", f.question, f.answer));
                let mut tf: HashMap<String, u32> = HashMap::new();
                for t in &toks {
                    *tf.entry(t.clone()).or_default() += 1;
                }
                for t in tf.keys() {
                    *df.entry(t.clone()).or_default() += 1;
                }
                entries.push(Entry {
                    owner_id: id.clone(),
                    owner_name: name.clone(),
                    question: f.question.clone(),
                    answer: f.answer.clone(),
                    tf,
                    len: toks.len() as f32,
                });
            }
        }
        let avg_len = entries.iter().map(|e| e.len).sum::<f32>() / entries.len().max(1) as f32;
        Self { entries, df, avg_len }
    }

    /// The best entry, whenever any word matches.
    pub fn ask(&self, question: &str) -> AskResult {
        let n = self.entries.len() as f32;
        let q = tokens(question);
        let best = self
            .entries
            .iter()
            .map(|e| {
                let s: f32 = q
                    .iter()
                    .filter_map(|t| {
                        let tf = *e.tf.get(t)? as f32;
                        let df = *self.df.get(t)? as f32;
                        let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                        Some(idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * e.len / self.avg_len)))
                    })
                    .sum();
                (e, s)
            })
            .filter(|(_, s)| *s > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let mut r = AskResult::refused(None, Vec::new());
        if let Some((e, s)) = best {
            r.matched = true;
            r.exercise_id = Some(e.owner_id.clone());
            r.exercise_name = Some(e.owner_name.clone());
            r.question = Some(e.question.clone());
            r.answer = Some(e.answer.clone());
            r.score = Some(s);
            // Entries that ask about safety count as safety answers, as the
            // bot's own do.
            let own = super::super::intent::of_text(&e.question);
            r.kind = Some(if own.contains(&"_safe") || own.contains(&"_hurt") {
                AnswerKind::Safety
            } else {
                AnswerKind::Answer
            });
        }
        r
    }
}
