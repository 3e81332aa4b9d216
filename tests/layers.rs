//! The arrows of the crate point one way (src/lib.rs, "Layout"): this test
//! reads every file under src/ and fails on a `crate::…` path that points
//! up, and on any cycle between top-level modules beyond the ones still
//! listed in `NOT_YET` (each to be removed, never added to).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`content`, `app`, ...), or the
/// session engine on its own (`session::engine`), which must stay pure.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
    match parts.as_slice() {
        [s, e, ..] if s == "session" && e == "engine" => "session::engine".into(),
        [first, ..] => first.clone(),
        [] => String::new(),
    }
}

/// The code of a file without its `#[cfg(test)]` module and comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Every `crate::<module>` a text names.
fn targets(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        if i > 0 && text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue; // `holdfast_crate::` and the like
        }
        let rest = &text[i + "crate::".len()..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if name == "session" && rest.starts_with("session::engine") {
            out.insert("session::engine".to_string());
        } else if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// Edges that still exist and are to be removed (see the open architecture
/// work); none today, and none may be added.
const NOT_YET: &[(&str, &str)] = &[];

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in all {
        let from = module_of(&src, &f);
        let text = code(&std::fs::read_to_string(&f).unwrap());
        for to in targets(&text) {
            if to != from && !(from == "session::engine" && to == "session") {
                g.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    g
}

#[test]
fn lower_layers_import_nothing_above_them() {
    let g = graph();
    // What each lower layer may use.
    let allowed: &[(&str, &[&str])] = &[
        ("limits", &[]),
        ("problem", &[]),
        ("config", &["problem"]),
        ("schedule", &["limits"]),
        ("content", &["limits", "problem"]),
        ("store", &["limits", "schedule"]),
        ("session::engine", &["limits"]),
        ("logging", &["config"]),
        // Plain record_* calls: no Discord or runner types.
        ("metrics", &["store", "limits"]),
        // The services: they post through sink traits and know no adapter.
        ("session", &["session::engine", "content", "store", "limits", "schedule"]),
        ("reminders", &["content", "metrics", "schedule", "session", "session::engine", "store", "limits"]),
        ("forget", &["session", "session::engine", "store"]),
        ("restrict", &["content", "schedule", "session::engine", "store"]),
        ("checkins", &["content", "store"]),
    ];
    for (module, may) in allowed {
        let uses = g.get(*module).cloned().unwrap_or_default();
        let up: Vec<&String> = uses.iter().filter(|t| !may.contains(&t.as_str())).collect();
        assert!(up.is_empty(), "{module} must not use {up:?}");
    }
}

#[test]
fn only_the_entry_points_use_the_composition_root_and_nothing_uses_the_entry_points() {
    let g = graph();
    for (from, to) in &g {
        if to.contains("app") {
            assert_eq!(from, "run", "{from} uses app: only `holdfast run` (src/run.rs) may");
        }
        for entry in ["run", "cli"] {
            assert!(!to.contains(entry) || from == "run" && entry == "cli", "{from} uses {entry}");
        }
    }
    assert!(!g.get("discord").is_some_and(|t| t.contains("app")), "the adapter does not know the composition root");
}

#[test]
fn the_session_engine_does_no_io() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/session/engine");
    let mut all = Vec::new();
    files(&src, &mut all);
    for f in all {
        let text = code(&std::fs::read_to_string(&f).unwrap());
        for io in ["tokio::", "sqlx::", "reqwest::", "std::fs", "std::net", "SystemTime::now", "Utc::now"] {
            assert!(!text.contains(io), "{} uses {io}", f.display());
        }
    }
}

#[test]
fn there_are_no_cycles_between_modules() {
    let mut g = graph();
    for (from, to) in NOT_YET {
        if let Some(t) = g.get_mut(*from) {
            t.remove(*to);
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for next in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in g.keys().cloned().collect::<Vec<_>>() {
        if let Some(cycle) = visit(&n, &g, &mut Vec::new(), &mut done) {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn paths_are_found_the_way_the_checks_need() {
    let found = targets("use crate::discord::render;\nlet x = crate::session::engine::Plan::new();\nholdfast_crate::x");
    assert_eq!(found, ["discord", "session::engine"].iter().map(std::string::ToString::to_string).collect());
    assert!(targets(&code("// crate::app in a comment\n#[cfg(test)]\nmod t { use crate::app; }")).is_empty());
}

#[test]
fn the_core_and_the_services_know_no_serenity() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    for dir in ["content", "schedule", "session", "store", "reminders"] {
        files(&src.join(dir), &mut all);
    }
    all.extend(
        ["forget.rs", "restrict.rs", "checkins.rs", "metrics.rs", "limits.rs", "problem.rs"]
            .iter()
            .map(|f| src.join(f)),
    );
    for f in all {
        let text = code(&std::fs::read_to_string(&f).unwrap());
        for word in ["serenity", "poise"] {
            assert!(!text.contains(word), "{} uses {word}", f.display());
        }
    }
}

#[test]
fn command_files_are_leaves() {
    let discord = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/discord");
    let mut all = Vec::new();
    files(&discord, &mut all);
    for f in all {
        let rel = f.strip_prefix(&discord).unwrap().to_string_lossy().replace('\\', "/");
        let text = code(&std::fs::read_to_string(&f).unwrap());
        if let Some(name) = rel.strip_prefix("commands/") {
            // A command file uses the adapter's shared parts, never a sibling.
            if name != "mod.rs" {
                assert!(!text.contains("super::"), "{rel} imports a sibling command file");
                assert!(!text.contains("commands::"), "{rel} imports a command file");
            }
        } else if rel != "mod.rs" {
            // Only the adapter's root lists the commands.
            assert!(!text.contains("commands::"), "{rel} imports a command file");
        }
    }
}
