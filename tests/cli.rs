//! The `holdfast` binary's offline commands and its start-up refusals, as an
//! operator sees them.

use std::process::Command;

fn holdfast(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_holdfast"));
    cmd.args(args).current_dir(dir).env_remove("DISCORD_TOKEN").env_remove("HOLDFAST_CONTENT_DIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run holdfast");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn run_without_a_token_says_how_to_set_it_in_one_line() {
    let (code, out, err) = holdfast(&["run"], &[]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("DISCORD_TOKEN"), "{err}");
}

#[test]
fn run_refuses_broken_content_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("exercises")).unwrap();
    std::fs::write(dir.path().join("exercises/x.toml"), "id = \"x\"\nnme = 1\n").unwrap();
    let content = dir.path().to_str().unwrap();
    let (code, _, err) = holdfast(
        &["run"],
        &[
            ("DISCORD_TOKEN", "abc.def.ghi-secret"),
            ("HOLDFAST_CONTENT_DIR", content),
            ("HOLDFAST_DISCORD_API_BASE", "http://127.0.0.1:9"),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("x.toml:2:1:"), "{err}");
    assert!(!err.contains("abc.def.ghi-secret"));
}

#[test]
fn check_passes_on_the_shipped_content_and_fails_with_positions() {
    let (code, out, _) = holdfast(&["check"], &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("ok: 9 exercises"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("exercises")).unwrap();
    std::fs::write(dir.path().join("exercises/x.toml"), "id = \"x\"\nname = \"X\"\nbogus = true\n").unwrap();
    let (code, _, err) = holdfast(&["check"], &[("HOLDFAST_CONTENT_DIR", dir.path().to_str().unwrap())]);
    assert_eq!(code, 1);
    assert!(err.lines().next().unwrap().ends_with("exercises/x.toml:3:1: unknown field `bogus`, expected one of `id`, `name`, `aliases`, `muscles`, `equipment`, `substitutes`, `position`, `per_side`, `summary`, `sources`, `description`, `instructions`, `technique`, `breathing`, `avoid_if`, `ask_first`, `stop_signs`, `hold`, `faq`"), "{err}");
}

#[test]
fn ask_json_prints_one_object_on_one_line() {
    let (code, out, _) = holdfast(&["ask", "--json", "how long do I hold the psoas smash?"], &[]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["matched"], true);
    assert_eq!(v["exercise_id"], "psoas-smash");
    assert_eq!(v["exercise_name"], "Psoas Smash");
    assert!(v["question"].is_string() && v["answer"].is_string() && v["score"].is_number());
    assert!(v["suggestions"].is_array());

    let (_, out, _) = holdfast(&["ask", "--json", "what's the wifi password"], &[]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["matched"], false);
    assert!(v["answer"].is_null() && v["suggestions"].is_array());
}

#[test]
fn show_prints_instructions_with_restrictions_and_refuses_unknown_names() {
    let (code, out, _) = holdfast(&["show", "hamstring smash", "--section", "instructions"], &[]);
    assert_eq!(code, 0);
    assert!(out.contains("## Steps") && out.contains("## ⛔ Do not do it if") && out.contains("torn"), "{out}");
    let (code, _, err) = holdfast(&["show", "bench press"], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown exercise \"bench press\""), "{err}");
    let (code, _, err) = holdfast(&["show", "psoas smash", "--section", "recipes"], &[]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown section"), "{err}");
}

#[test]
fn backup_copies_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("h.db").display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let pool = holdfast::store::connect(&db).await.unwrap();
        holdfast::store::users::set_user_timezone(&pool, 7, Some(chrono_tz::Europe::Paris)).await.unwrap();
        pool.close().await;
    });
    let copy = dir.path().join("copy.db");
    let copy_s = copy.to_str().unwrap();
    let (code, _, err) = holdfast(&["backup", copy_s], &[("HOLDFAST_DATABASE_URL", &db)]);
    assert_eq!(code, 0, "{err}");
    let tz = rt.block_on(async {
        let pool = holdfast::store::connect(&format!("sqlite://{copy_s}")).await.unwrap();
        holdfast::store::users::get_user_timezone(&pool, 7).await.unwrap()
    });
    assert_eq!(tz, Some(chrono_tz::Europe::Paris));
    let (code, _, err) = holdfast(&["backup", copy_s], &[("HOLDFAST_DATABASE_URL", &db)]);
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
}
