//! Scoring `ask` against a labelled question set (tests/data/ask_*.toml):
//! shared by the evaluation tests and `cargo bench --bench ask`.
//!
//! A set lists athletes' questions with what a right answer is:
//! - `answer`: the right owner (exercise or `general`), and a text that holds
//!   every `expect` group (any one alternative of each, case-insensitive);
//! - `safety`: an answer drawn from restrictions or stop signs, of the right
//!   exercise, holding `expect` when the content lists the condition;
//! - `out_of_scope`: no answer at all.
//!
//! Questions marked `gap` (the content does not hold the fact) are counted
//! apart, not as hits or misses.

use serde::Deserialize;

use super::{AnswerKind, AskResult};
use crate::content::Content;

/// One labelled question.
#[derive(Debug, Clone, Deserialize)]
pub struct Question {
    pub text: String,
    pub kind: Kind,
    /// Exercise name, or `general`; absent for out-of-scope questions.
    pub exercise: Option<String>,
    #[serde(default)]
    pub fact: String,
    #[serde(default)]
    pub listed: bool,
    #[serde(default)]
    pub expect: Vec<Vec<String>>,
    /// Other owners that are right too.
    #[serde(default)]
    pub also: Vec<String>,
    #[serde(default)]
    pub gap: bool,
    #[serde(default)]
    pub relabeled: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Answer,
    Safety,
    OutOfScope,
}

#[derive(Debug, Deserialize)]
struct Set {
    question: Vec<Question>,
}

/// Parses a set.
pub fn parse(text: &str) -> Result<Vec<Question>, toml::de::Error> {
    toml::from_str::<Set>(text).map(|s| s.question)
}

/// Hits and totals per kind.
#[derive(Debug, Default, Clone)]
pub struct Score {
    pub answer: (usize, usize),
    pub safety: (usize, usize),
    pub out_of_scope: (usize, usize),
    pub gaps: usize,
    /// The questions missed, with what came back.
    pub misses: Vec<String>,
}

impl Score {
    pub fn hits(&self) -> usize {
        self.answer.0 + self.safety.0 + self.out_of_scope.0
    }

    pub fn total(&self) -> usize {
        self.answer.1 + self.safety.1 + self.out_of_scope.1
    }

    /// Top-1 accuracy over every counted question.
    pub fn accuracy(&self) -> f64 {
        ratio(self.hits(), self.total())
    }

    /// One line: overall and per kind.
    pub fn summary(&self) -> String {
        let pct = |(h, t): (usize, usize)| format!("{h}/{t} = {:.1}%", ratio(h, t) * 100.0);
        format!(
            "top-1 {} (answers {}, safety {}, out of scope refused {}; {} gaps not counted)",
            pct((self.hits(), self.total())),
            pct(self.answer),
            pct(self.safety),
            pct(self.out_of_scope),
            self.gaps
        )
    }
}

fn ratio(h: usize, t: usize) -> f64 {
    if t == 0 {
        0.0
    } else {
        h as f64 / t as f64
    }
}

/// The owner id a label names: an exercise's name (or id), or a topic id.
fn owner_id(content: &Content, label: &str) -> String {
    content.find_exercise(label).map_or_else(|| label.trim().to_lowercase(), |e| e.id.clone())
}

fn holds(text: &str, expect: &[Vec<String>]) -> bool {
    let text = text.to_lowercase();
    expect.iter().all(|group| group.iter().any(|alt| text.contains(&alt.to_lowercase())))
}

/// Whether `r` is a right answer to `q`.
pub fn is_hit(content: &Content, q: &Question, r: &AskResult) -> bool {
    let owners: Vec<String> = q.exercise.iter().chain(&q.also).map(|o| owner_id(content, o)).collect();
    let owner_ok = |r: &AskResult| {
        let got = r.exercise_id.as_deref().unwrap_or_default();
        owners.iter().any(|o| o == got)
    };
    let text = format!("{}\n{}", r.question.as_deref().unwrap_or_default(), r.answer.as_deref().unwrap_or_default());
    match q.kind {
        Kind::OutOfScope => !r.matched,
        Kind::Answer => r.matched && owner_ok(r) && holds(&text, &q.expect),
        Kind::Safety => {
            let general = owners.iter().any(|o| o == "general");
            r.matched
                && r.kind == Some(AnswerKind::Safety)
                && (general || owner_ok(r))
                && (!q.listed || holds(&text, &q.expect))
        }
    }
}

/// Scores `ask` over a set.
pub fn score(content: &Content, set: &[Question], ask: impl Fn(&str) -> AskResult) -> Score {
    let mut s = Score::default();
    for q in set {
        if q.gap {
            s.gaps += 1;
            continue;
        }
        let r = ask(&q.text);
        let hit = is_hit(content, q, &r);
        let slot = match q.kind {
            Kind::Answer => &mut s.answer,
            Kind::Safety => &mut s.safety,
            Kind::OutOfScope => &mut s.out_of_scope,
        };
        slot.1 += 1;
        if hit {
            slot.0 += 1;
        } else {
            s.misses.push(format!(
                "{:?} [{:?} {} {:?}] → {} {:?} {:?}: {}",
                q.text,
                q.kind,
                q.exercise.as_deref().unwrap_or("-"),
                q.expect,
                if r.matched { "answered" } else { "refused" },
                r.exercise_id,
                r.kind,
                r.question.as_deref().or(r.reason.as_deref()).unwrap_or_default()
            ));
        }
    }
    s
}
