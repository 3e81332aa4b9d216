//! `holdfast check` on broken content: each kind of problem is reported at
//! `path:line:col`, and good content passes.

use std::path::Path;

use holdfast::cli;
use holdfast::config::Config;
use holdfast::content::load_dir;

const EXERCISE: &str = r#"id = "ball-smash"
name = "Ball Smash"
aliases = ["smash ball"]
muscles = ["hamstrings"]
equipment = ["lacrosse ball"]
substitutes = ["firm ball"]
position = "Seated"
per_side = true
summary = "A test exercise."
description = "A test description."
instructions = ["Sit.", "Press."]
technique = ["Go slowly."]
breathing = ["Breathe out as you relax."]
avoid_if = ["you have a recent tear"]
stop_signs = ["Sharp pain."]

[hold]
default = 30
min = 20
max = 40
source = "test"

[[faq]]
id = "hold-time"
question = "How long?"
phrasings = ["duration"]
answer = "About 30 seconds."
"#;

const ROUTINE: &str = r#"id = "quick"
name = "Quick"
purpose = "A test routine."

[[step]]
exercise = "ball-smash"
hold = 30
rest = 10
"#;

const TOPIC: &str = r#"id = "general"
name = "General"
summary = "General topics."

[[faq]]
id = "how-often"
question = "How often?"
answer = "Two or three times a week."
"#;

/// Writes a content folder; `edit` may replace any file's text.
fn content_dir(edit: impl Fn(&str, &str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [("general.toml", TOPIC), ("exercises/ball-smash.toml", EXERCISE), ("routines/quick.toml", ROUTINE)];
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, edit(name, text)).unwrap();
    }
    dir
}

fn add_file(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The problems `load_dir` reports, as `file:line:col: message` with the
/// folder stripped.
fn problems(dir: &Path) -> Vec<String> {
    match load_dir(dir) {
        Ok(_) => Vec::new(),
        Err(p) => p.0.iter().map(|p| p.to_string().replace(&format!("{}/", dir.display()), "")).collect(),
    }
}

fn only_problem(dir: &Path) -> String {
    let p = problems(dir);
    assert_eq!(p.len(), 1, "expected exactly one problem, got {p:#?}");
    p[0].clone()
}

#[test]
fn good_content_passes() {
    let dir = content_dir(|_, t| t.to_string());
    assert_eq!(problems(dir.path()), Vec::<String>::new());
}

#[test]
fn an_unknown_key_is_an_error_at_its_line() {
    let dir = content_dir(|n, t| {
        if n.starts_with("exercises") {
            t.replace("per_side = true", "per_side = true\ncolour = \"red\"")
        } else {
            t.into()
        }
    });
    let p = only_problem(dir.path());
    assert!(p.starts_with("exercises/ball-smash.toml:9:1: "), "{p}");
    assert!(p.contains("colour"), "{p}");
}

#[test]
fn a_missing_field_is_named() {
    let dir = content_dir(
        |n, t| {
            if n.starts_with("exercises") {
                t.replace("position = \"Seated\"\n", "")
            } else {
                t.into()
            }
        },
    );
    let p = only_problem(dir.path());
    assert!(p.starts_with("exercises/ball-smash.toml:"), "{p}");
    assert!(p.contains("position"), "{p}");
}

#[test]
fn a_syntax_error_points_at_its_place() {
    let dir =
        content_dir(|n, t| if n.starts_with("routines") { t.replace("hold = 30", "hold = = 30") } else { t.into() });
    let p = only_problem(dir.path());
    assert!(p.starts_with("routines/quick.toml:7:"), "{p}");
}

#[test]
fn duplicate_ids_and_aliases_are_errors() {
    let dir = content_dir(|_, t| t.to_string());
    add_file(
        &dir.path().join("exercises"),
        "other.toml",
        &EXERCISE.replace("id = \"ball-smash\"", "id = \"other\"").replace("name = \"Ball Smash\"", "name = \"Other\""),
    );
    let p = only_problem(dir.path());
    assert_eq!(p, "exercises/other.toml:3:12: alias \"smash ball\" is already used by exercise \"ball-smash\"");

    let dir = content_dir(|n, t| {
        if n.starts_with("exercises") {
            format!("{t}\n[[faq]]\nid = \"hold-time\"\nquestion = \"Again?\"\nanswer = \"Yes.\"\n")
        } else {
            t.into()
        }
    });
    assert!(only_problem(dir.path()).contains("duplicate FAQ id \"hold-time\""));
}

#[test]
fn an_id_must_match_its_file() {
    let dir =
        content_dir(
            |n, t| {
                if n.starts_with("routines") {
                    t.replace("id = \"quick\"", "id = \"slow\"")
                } else {
                    t.into()
                }
            },
        );
    assert_eq!(only_problem(dir.path()), "routines/quick.toml:1:6: id \"slow\" must match the file name \"quick\"");
}

#[test]
fn a_routine_naming_an_unknown_exercise_is_an_error() {
    let dir = content_dir(|n, t| {
        if n.starts_with("routines") {
            t.replace("exercise = \"ball-smash\"", "exercise = \"ball-smsh\"")
        } else {
            t.into()
        }
    });
    assert_eq!(only_problem(dir.path()), "routines/quick.toml:6:12: unknown exercise \"ball-smsh\"");
}

#[test]
fn a_hold_outside_the_exercise_range_is_an_error() {
    let dir =
        content_dir(|n, t| if n.starts_with("routines") { t.replace("hold = 30", "hold = 90") } else { t.into() });
    assert_eq!(only_problem(dir.path()), "routines/quick.toml:7:8: hold 90 s is outside ball-smash's range 20–40 s");
    let dir =
        content_dir(
            |n, t| {
                if n.starts_with("exercises") {
                    t.replace("default = 30", "default = 50")
                } else {
                    t.into()
                }
            },
        );
    assert!(only_problem(dir.path()).contains("hold default 50 is outside 20–40"));
}

#[test]
fn text_that_discord_cannot_show_is_an_error() {
    let long = "x".repeat(1100);
    let dir = content_dir(|n, t| {
        if n.starts_with("exercises") {
            t.replace("\"Go slowly.\"", &format!("\"{long}\""))
        } else {
            t.into()
        }
    });
    let p = only_problem(dir.path());
    assert!(p.starts_with("exercises/ball-smash.toml:12:14: technique tip is 1100 characters"), "{p}");
}

#[test]
fn safety_lists_may_not_be_empty() {
    let dir = content_dir(|n, t| {
        if n.starts_with("exercises") {
            t.replace("avoid_if = [\"you have a recent tear\"]", "avoid_if = []")
        } else {
            t.into()
        }
    });
    let p = only_problem(dir.path());
    assert!(p.contains("needs at least one restriction (avoid_if or ask_first)"), "{p}");
}

#[test]
fn an_avoid_if_item_must_complete_do_not_do_it_if() {
    for (item, word) in [("Avoid with a recent tear.", "\"avoid\""), ("you have a recent tear.", "full stop")] {
        let dir = content_dir(|n, t| {
            if n.starts_with("exercises") {
                t.replace("\"you have a recent tear\"", &format!("{item:?}"))
            } else {
                t.into()
            }
        });
        let p = only_problem(dir.path());
        assert!(p.starts_with("exercises/ball-smash.toml:14:13: an avoid_if item completes"), "{p}");
        assert!(p.contains(word), "{p}");
    }
}

#[test]
fn sources_must_exist_and_be_valid() {
    let dir = content_dir(|n, t| {
        if n.starts_with("exercises") {
            t.replace("description = ", "sources = [\"guide\", \"nope\"]\ndescription = ")
        } else {
            t.into()
        }
    });
    std::fs::create_dir_all(dir.path().join("sources")).unwrap();
    add_file(
        dir.path(),
        "sources/guide.toml",
        "id = \"guide\"\ntitle = \"A Guide\"\nauthor = \"A. Writer\"\nabout = \"A test.\"\n",
    );
    let p = only_problem(dir.path());
    assert!(p.starts_with("exercises/ball-smash.toml:10:21: unknown source \"nope\"; known sources: guide"), "{p}");
    add_file(
        dir.path(),
        "sources/guide.toml",
        "id = \"guide\"\ntitle = \"A Guide\"\nabout = \"A test.\"\nyear = 2020\n",
    );
    let p = problems(dir.path());
    assert!(p.iter().any(|p| p.starts_with("sources/guide.toml:4:1: unknown field `year`")), "{p:?}");
}

#[test]
fn check_reports_every_problem_and_exits_1() {
    let dir = content_dir(|n, t| match n {
        n if n.starts_with("routines") => t.replace("exercise = \"ball-smash\"", "exercise = \"nope\""),
        n if n.starts_with("exercises") => t.replace("muscles", "musles"),
        _ => t.into(),
    });
    let config = Config { content: holdfast::config::ContentConfig { dir: dir.path().into() }, ..Config::default() };
    let out = cli::check(Ok(config));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("2 problem(s) found"), "{}", out.stderr);
}

#[test]
fn the_shipped_content_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let content = load_dir(&dir).unwrap_or_else(|p| panic!("{p}"));
    assert!(content.exercises.len() >= 9, "every exercise of the seeds is there");
    assert!(content.routines.len() >= 3);
    assert!(content.topics.iter().any(|t| t.id == "general"));
}
