//! Benchmark: loading and validating all content, and `ask` latency over the
//! evaluation set. Run: `cargo bench --bench ask`.

use std::path::Path;
use std::time::{Duration, Instant};

use holdfast::content::{load_dir, FaqIndex};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("content");

    let mut loads = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let content = load_dir(&dir).expect("content is valid");
        let index = FaqIndex::build(&content);
        loads.push(t.elapsed());
        std::hint::black_box(index.len());
    }
    loads.sort();
    println!(
        "content load+validate+index: p50 {:?}  max {:?}  (50 runs)",
        percentile(&loads, 0.5),
        loads[loads.len() - 1]
    );

    let content = load_dir(&dir).expect("content is valid");
    let index = FaqIndex::build(&content);
    let text = std::fs::read_to_string(root.join("tests/data/ask_eval.toml")).expect("eval set");
    let set: toml::Table = toml::from_str(&text).expect("eval set parses");
    let questions: Vec<String> = ["case", "off_topic"]
        .iter()
        .filter_map(|k| set.get(*k).and_then(|v| v.as_array()))
        .flatten()
        .filter_map(|c| c.get("q").and_then(|q| q.as_str()).map(String::from))
        .collect();
    let rounds = 200;
    let mut times = Vec::with_capacity(questions.len() * rounds);
    for _ in 0..rounds {
        for q in &questions {
            let t = Instant::now();
            let r = index.ask(q);
            times.push(t.elapsed());
            std::hint::black_box(r);
        }
    }
    times.sort();
    println!(
        "ask: {} questions × {rounds}: p50 {:?}  p99 {:?}  max {:?}",
        questions.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times[times.len() - 1]
    );
}
