//! The answer search on its tuning set: the questions it was tuned on.
//! `tests/data/ask_tuning_seeds.toml` was written from the source documents
//! only, by a writer who never saw the content, and labelled from the
//! content by another. The floors are what the search reaches today (the
//! goal is 95%; docs/benchmarks.md has the figures): a change that makes it
//! worse fails. Run with `-- --nocapture` to see every miss.

use std::path::Path;

use holdfast::content::search::eval;
use holdfast::content::{load_dir, Content, FaqIndex};

fn content() -> Content {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).unwrap_or_else(|p| panic!("{p}"))
}

fn set(name: &str) -> Vec<eval::Question> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name);
    eval::parse(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn tuning_set_stays_above_its_floors() {
    let c = content();
    let index = FaqIndex::build(&c);
    assert!(index.has_semantic(), "the shipped embedding model loads");
    let questions = set("ask_tuning_seeds.toml");
    assert!(questions.len() >= 100, "the tuning set has {} questions", questions.len());
    let s = eval::score(&c, &questions, |q| index.ask(q));
    println!("tuning set: {}", s.summary());
    for m in &s.misses {
        println!("  {m}");
    }
    assert!(s.accuracy() >= 0.80, "{}\n{}", s.summary(), s.misses.join("\n"));
    assert!(s.safety.0 + 1 >= s.safety.1, "safety questions get safety answers:\n{}", s.misses.join("\n"));
    assert_eq!(s.out_of_scope.0, s.out_of_scope.1, "out-of-scope questions are refused:\n{}", s.misses.join("\n"));
}

/// Sweeps the ranking knobs over the tuning set (never the held-out set):
/// `cargo test --release --test ask_tuning -- --ignored --nocapture`.
#[test]
#[ignore = "a tuning tool, not a check"]
fn sweep_params_on_the_tuning_set() {
    use holdfast::content::search::Params;
    let c = content();
    let questions = set("ask_tuning_seeds.toml");
    let mut best: Vec<(usize, String)> = Vec::new();
    for (w, floor) in [(1.0, 0.0), (1.0, 0.2), (1.0, 0.3)] {
        let p = Params { lexical_weight: 0.0, semantic_weight: w, semantic_floor: floor, ..Params::default() };
        let index = FaqIndex::build_with(&c, p, true);
        let s = eval::score(&c, &questions, |q| index.ask(q));
        println!("semantic alone, floor {floor}: {}", s.summary());
    }
    for w in [0.0, 0.2, 0.4, 0.6, 0.8] {
        for floor in [0.4, 0.5, 0.6] {
            for prior in [0.75, 0.85, 0.95] {
                for safety in [1.2, 1.4, 1.6] {
                    let p = Params {
                        semantic_weight: w,
                        semantic_floor: floor,
                        passage_prior: prior,
                        safety_boost: safety,
                        ..Params::default()
                    };
                    let index = FaqIndex::build_with(&c, p, true);
                    let s = eval::score(&c, &questions, |q| index.ask(q));
                    best.push((
                        s.hits(),
                        format!("w {w} floor {floor} prior {prior} safety {safety}: {}", s.summary()),
                    ));
                }
            }
        }
    }
    best.sort_by_key(|b| std::cmp::Reverse(b.0));
    for (_, line) in best.iter().take(15) {
        println!("{line}");
    }
}
