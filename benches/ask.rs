//! Benchmark: content load plus index build, `ask` latency, answer quality on
//! the tuning and held-out sets side by side with a plain BM25 baseline, and
//! the resident memory of `holdfast run`. Run: `cargo bench --bench ask`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use holdfast::content::search::baseline::Bm25Baseline;
use holdfast::content::search::{eval, Params};
use holdfast::content::{load_dir, FaqIndex};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn set(root: &Path, name: &str) -> Vec<eval::Question> {
    let text = std::fs::read_to_string(root.join("tests/data").join(name)).expect("eval set");
    eval::parse(&text).expect("eval set parses")
}

/// VmRSS of a process, in MiB.
fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Starts `holdfast run` against a closed local port (so it loads content,
/// builds the index, opens the database and keeps trying to connect), reads
/// its resident memory after a few seconds, and stops it.
fn run_rss(root: &Path) -> Option<f64> {
    let dir = tempfile::tempdir().ok()?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_holdfast"))
        .arg("run")
        .current_dir(root)
        .env("DISCORD_TOKEN", "bench-token")
        .env("HOLDFAST_DISCORD_API_BASE", "http://127.0.0.1:9")
        .env("HOLDFAST_DATABASE_URL", format!("sqlite://{}", dir.path().join("bench.db").display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    std::thread::sleep(Duration::from_secs(4));
    let rss = rss_mib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    rss
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("content");

    let mut loads = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let content = load_dir(&dir).expect("content is valid");
        let index = FaqIndex::build(&content);
        loads.push(t.elapsed());
        std::hint::black_box(index.len());
    }
    loads.sort();
    let content = load_dir(&dir).expect("content is valid");
    let index = FaqIndex::build(&content);
    println!(
        "content load+validate+index ({} documents, embedding model {}): p50 {:?}  max {:?}  (20 runs)",
        index.len(),
        if index.has_semantic() { "loaded" } else { "NOT loaded" },
        percentile(&loads, 0.5),
        loads[loads.len() - 1]
    );

    let sets = [
        ("tuning", "ask_tuning_seeds.toml"),
        ("tuning (the first held-out set, moved)", "ask_tuning_2.toml"),
        ("tuning (the second held-out set, moved)", "ask_tuning_3.toml"),
        ("tuning (the third held-out set, C, moved)", "ask_tuning_4.toml"),
        ("held-out", "ask_heldout.toml"),
    ];
    let questions: Vec<String> = sets.iter().flat_map(|(_, f)| set(root, f)).map(|q| q.text).collect();
    let rounds = 60;
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

    let lexical = FaqIndex::build_with(&content, Params::default(), false);
    let baseline = Bm25Baseline::build(&content);
    println!("\nquality (top-1; a right answer holds the labelled fact, safety questions need a safety answer):");
    for (name, file) in sets {
        let qs = set(root, file);
        println!("  {name} set ({} questions, {file}):", qs.len());
        println!("    this search (hybrid): {}", eval::score(&content, &qs, |q| index.ask(q)).summary());
        println!("    lexical part only:    {}", eval::score(&content, &qs, |q| lexical.ask(q)).summary());
        println!("    plain BM25 baseline:  {}", eval::score(&content, &qs, |q| baseline.ask(q)).summary());
    }

    match run_rss(root) {
        Some(mib) => println!("\nholdfast run, resident memory after start-up: {mib:.1} MiB"),
        None => println!("\nholdfast run, resident memory: could not be read"),
    }
}
