//! The answer search on its tuning sets: the questions it was tuned on.
//! `tests/data/ask_tuning_seeds.toml` and `ask_tuning_2.toml` … `_4` were written
//! from the source documents only, by writers who never saw the content, and
//! labelled from the content by another. The floors are what the search
//! reaches today (the goal is 95%; docs/benchmarks.md has the figures): a
//! change that makes it worse fails. Run with `-- --nocapture` to see every
//! miss.

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

fn check_floors(file: &str, floor: f64) {
    check_floors_with(file, floor, 0.94, 1.0);
}

fn check_floors_with(file: &str, floor: f64, safety_floor: f64, out_of_scope_floor: f64) {
    let c = content();
    let index = FaqIndex::build(&c);
    assert!(index.has_semantic(), "the shipped embedding model loads");
    let questions = set(file);
    assert!(questions.len() >= 100, "{file} has {} questions", questions.len());
    let s = eval::score(&c, &questions, |q| index.ask(q));
    println!("{file}: {}", s.summary());
    for m in &s.misses {
        println!("  {m}");
    }
    let misses = s.misses.join("\n");
    assert!(s.accuracy() >= floor, "{}\n{misses}", s.summary());
    assert!(s.safety.0 as f64 >= safety_floor * s.safety.1 as f64, "safety questions get safety answers:\n{misses}");
    assert!(
        s.out_of_scope.0 as f64 >= out_of_scope_floor * s.out_of_scope.1 as f64,
        "out-of-scope questions are refused:\n{misses}"
    );
}

#[test]
fn first_seed_tuning_set_stays_above_its_floors() {
    check_floors("ask_tuning_seeds.toml", 0.83);
}

/// The first held-out set: scored once (78.8%), then moved here to tune on
/// when a second held-out set was written (docs/benchmarks.md).
#[test]
fn second_seed_tuning_set_stays_above_its_floors() {
    check_floors("ask_tuning_2.toml", 0.83);
}

/// The second held-out set: scored once (73.2%), then moved here to tune on
/// when a third held-out set was written (docs/benchmarks.md).
#[test]
fn third_seed_tuning_set_stays_above_its_floors() {
    check_floors_with("ask_tuning_3.toml", 0.82, 0.94, 0.94);
}

/// The third held-out set (set C): scored once (69.1%), then moved here to
/// tune on when a fourth held-out set was written (docs/benchmarks.md).
#[test]
fn fourth_seed_tuning_set_stays_above_its_floors() {
    check_floors_with("ask_tuning_4.toml", 0.77, 0.87, 0.94);
}

/// Sweeps the ranking knobs over the tuning sets (never the held-out set):
/// `cargo test --release --test ask_tuning -- --ignored --nocapture`.
#[test]
#[ignore = "a tuning tool, not a check"]
fn sweep_params_on_the_tuning_sets() {
    use holdfast::content::search::Params;
    let c = content();
    let mut questions = set("ask_tuning_seeds.toml");
    questions.extend(set("ask_tuning_2.toml"));
    questions.extend(set("ask_tuning_3.toml"));
    questions.extend(set("ask_tuning_4.toml"));
    let mut best: Vec<(usize, String)> = Vec::new();
    for w in [0.2, 0.4, 0.6, 0.8] {
        for floor in [0.4, 0.5, 0.6] {
            for named in [1.1, 1.2, 1.3] {
                for prior in [0.75, 0.85, 0.95] {
                    let p = Params {
                        semantic_weight: w,
                        semantic_floor: floor,
                        named_boost: named,
                        passage_prior: prior,
                        ..Params::default()
                    };
                    let index = FaqIndex::build_with(&c, p, true);
                    let s = eval::score(&c, &questions, |q| index.ask(q));
                    best.push((s.hits(), format!("w {w} floor {floor} named {named} prior {prior}: {}", s.summary())));
                }
            }
        }
    }
    best.sort_by_key(|b| std::cmp::Reverse(b.0));
    for (_, line) in best.iter().take(12) {
        println!("{line}");
    }
}
