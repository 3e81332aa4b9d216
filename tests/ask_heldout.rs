//! The held-out set (tests/data/ask_heldout.toml, set D): 220 questions
//! written by a helper who had read only the source documents and the
//! exercise names, never the content; labelled from the content by another
//! helper. (Set C, scored once at 69.1%, is now a tuning set, as B and A
//! were before it.) The
//! search was never tuned on it and its misses are not printed: it was scored
//! once, and its floors below are that score rounded down, so that a change
//! that makes answers worse on questions nobody tuned for fails.
//! docs/benchmarks.md has the figures.

use std::path::Path;

use holdfast::content::search::eval;
use holdfast::content::{load_dir, FaqIndex};

#[test]
fn held_out_set_stays_above_its_floors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let content = load_dir(&root.join("content")).unwrap_or_else(|p| panic!("{p}"));
    let index = FaqIndex::build(&content);
    let text = std::fs::read_to_string(root.join("tests/data/ask_heldout.toml")).unwrap();
    let questions = eval::parse(&text).unwrap();
    assert!(questions.len() >= 150, "the held-out set has {} questions", questions.len());
    let s = eval::score(&content, &questions, |q| index.ask(q));
    println!("held-out set: {}", s.summary());
    let pct = |(h, t): (usize, usize)| h as f64 / t.max(1) as f64;
    assert!(s.accuracy() >= FLOOR_ALL, "{}", s.summary());
    assert!(pct(s.safety) >= FLOOR_SAFETY, "{}", s.summary());
    assert!(pct(s.out_of_scope) >= FLOOR_OUT_OF_SCOPE, "{}", s.summary());
}

// Set D, scored once on 2026-12-01: 75.9% (safety 86.2%, out of scope 88.6%).
const FLOOR_ALL: f64 = 0.75;
const FLOOR_SAFETY: f64 = 0.86;
const FLOOR_OUT_OF_SCOPE: f64 = 0.88;
