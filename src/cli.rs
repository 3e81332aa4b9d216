//! The offline commands: `check`, `ask` and `show`. Each returns its output
//! and exit code, so tests call them directly; `main` only prints.

use std::path::Path;

use crate::config::Config;
use crate::content::render::{self, Section};
use crate::content::search::AnswerKind;
use crate::content::{load_dir, Content, FaqIndex};

/// What a command prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Output {
    fn ok(stdout: String) -> Self {
        Self { stdout, stderr: String::new(), code: 0 }
    }

    fn fail(stderr: String) -> Self {
        Self { stdout: String::new(), stderr, code: 1 }
    }
}

/// `holdfast check`: the config and every content file; one line per problem.
pub fn check(config: Result<Config, Vec<crate::content::Problem>>) -> Output {
    let (config, mut problems) = match config {
        Ok(c) => (c, Vec::new()),
        Err(p) => (Config::default(), p),
    };
    let content = load_dir(&config.content.dir);
    match &content {
        Ok(_) => {}
        Err(p) => problems.extend(p.0.iter().cloned()),
    }
    if problems.is_empty() {
        let c = content.unwrap_or_default();
        let faq: usize = c.exercises.iter().map(|e| e.faq.len()).sum::<usize>()
            + c.topics.iter().map(|t| t.faq.len()).sum::<usize>();
        Output::ok(format!(
            "ok: {} exercises, {} routines, {} topic files, {faq} FAQ entries in {}\n",
            c.exercises.len(),
            c.routines.len(),
            c.topics.len(),
            config.content.dir.display()
        ))
    } else {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        Output::fail(format!("{}\n{} problem(s) found\n", lines.join("\n"), lines.len()))
    }
}

/// Loads content or reports its problems as a failed output.
pub fn load_content(dir: &Path) -> Result<Content, Output> {
    load_dir(dir).map_err(|p| Output::fail(format!("{p}\ncontent is invalid: run `holdfast check`\n")))
}

/// `holdfast ask [--json] QUESTION`.
pub fn ask(content: &Content, question: &str, json: bool) -> Output {
    let index = FaqIndex::build(content);
    let result = index.ask(question);
    if json {
        let line = serde_json::to_string(&result).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        return Output::ok(format!("{line}\n"));
    }
    let mut out = String::new();
    match (&result.answer, &result.question) {
        (Some(answer), Some(q)) => {
            let name = result.exercise_name.as_deref().unwrap_or_default();
            out.push_str(&format!("{q}\n\n{answer}\n"));
            // A safety answer is made of the restrictions already.
            if result.kind != Some(AnswerKind::Safety) {
                if let Some(note) = result.safety_note() {
                    out.push_str(&format!("\nSafety ({name}):\n{note}\n"));
                }
            }
            let section = result.section.unwrap_or("faq");
            out.push_str(&format!("\n(from: {name} · {section})\n"));
        }
        _ => match &result.reason {
            Some(reason) => out.push_str(&format!("{reason}\n")),
            None => out.push_str(
                "I don't know the answer to that one. If it is about pain or an injury, ask a qualified professional.\n",
            ),
        },
    }
    if !result.suggestions.is_empty() {
        out.push_str(if result.matched { "\nRelated:\n" } else { "\nDid you mean:\n" });
        for s in &result.suggestions {
            out.push_str(&format!("- {} ({})\n", s.question, s.exercise_id));
        }
    }
    Output::ok(out)
}

/// `holdfast show EXERCISE [--section S]`.
pub fn show(content: &Content, name: &str, section: Option<&str>) -> Output {
    let section = match section.map(str::parse::<Section>).transpose() {
        Ok(s) => s.unwrap_or(Section::Overview),
        Err(e) => return Output::fail(format!("{e}\n")),
    };
    let Some(ex) = content.find_exercise(name) else {
        let names: Vec<String> = content.exercises.iter().map(|e| format!("{} ({})", e.name, e.id)).collect();
        return Output::fail(format!("unknown exercise {name:?}; known exercises: {}\n", names.join(", ")));
    };
    let pages = render::exercise(content, ex, section).paginate();
    let text: Vec<String> = pages.iter().map(render::Post::to_text).collect();
    Output::ok(text.join("\n---\n\n"))
}
