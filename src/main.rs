//! `holdfast`: the bot and its offline tools. Thin: parse, load, call in.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use holdfast::cli::{self, Output};
use holdfast::config::Config;

#[derive(Parser)]
#[command(name = "holdfast", version, about = "Recovery work for sports teams, on Discord")]
struct Cli {
    /// Config file (default: ./holdfast.toml when it exists).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Connect to Discord and serve the team.
    Run,
    /// Validate content/ and the config; print every problem as path:line:col.
    Check,
    /// Answer a question from the FAQ content, offline.
    Ask {
        /// Print one JSON object on one line.
        #[arg(long)]
        json: bool,
        /// The question, in your own words.
        question: Vec<String>,
    },
    /// Print what /exercise would post, offline.
    Show {
        /// Exercise id, name or alias.
        exercise: Vec<String>,
        /// overview, instructions, tips, breathing, safety, faq or all.
        #[arg(long, short)]
        section: Option<String>,
    },
    /// Copy the database consistently while the bot runs (VACUUM INTO).
    Backup {
        /// Where to write the copy; must not exist.
        path: PathBuf,
    },
}

fn emit(out: Output) -> ExitCode {
    print!("{}", out.stdout);
    eprint!("{}", out.stderr);
    ExitCode::from(u8::try_from(out.code).unwrap_or(1))
}

fn main() -> ExitCode {
    let args = Cli::parse();
    let config = Config::load(args.config.as_deref(), |k| std::env::var(k).ok());
    if let Command::Check = args.command {
        return emit(cli::check(config));
    }
    let config = match config {
        Ok(c) => c,
        Err(problems) => {
            for p in problems {
                eprintln!("{p}");
            }
            return ExitCode::from(1);
        }
    };
    match args.command {
        Command::Check => unreachable!("handled above"),
        Command::Ask { json, question } => match cli::load_content(&config.content.dir) {
            Ok(content) => emit(cli::ask(&content, &question.join(" "), json)),
            Err(out) => emit(out),
        },
        Command::Show { exercise, section } => match cli::load_content(&config.content.dir) {
            Ok(content) => emit(cli::show(&content, &exercise.join(" "), section.as_deref())),
            Err(out) => emit(out),
        },
        Command::Backup { path } => holdfast::run::backup(&config, &path),
        Command::Run => holdfast::run::run(config),
    }
}
