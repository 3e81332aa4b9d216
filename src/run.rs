//! Entry points of the long-running and database commands: `run`, `backup`.

use std::path::Path;
use std::process::ExitCode;

use crate::config::{Config, LogFormat};

/// One line on how to set the token; never includes any part of it.
pub const NO_TOKEN: &str =
    "holdfast: DISCORD_TOKEN is not set; export DISCORD_TOKEN=<your bot token> (Discord developer portal → your app → Bot → Reset Token)";

/// Reports a fatal problem: a log line in `json` format (every line of
/// stderr is then JSON), else the plain line too; redacted either way.
fn fatal(config: &Config, message: &str) {
    let message = crate::logging::redact(config, message);
    tracing::error!("{message}");
    if config.log.format != LogFormat::Json {
        eprintln!("holdfast: {message}");
    }
}

/// `holdfast run`.
pub fn run(config: Config) -> ExitCode {
    let Some(token) = config.token.clone() else {
        if config.log.format == LogFormat::Json {
            crate::logging::init(&config);
            tracing::error!("{NO_TOKEN}");
        } else {
            eprintln!("{NO_TOKEN}");
        }
        return ExitCode::from(2);
    };
    crate::logging::init(&config);
    // Content and config are checked before anything connects.
    let content = match crate::cli::load_content(&config.content.dir) {
        Ok(c) => c,
        Err(out) => {
            if config.log.format == LogFormat::Json {
                for line in out.stderr.lines().filter(|l| !l.trim().is_empty()) {
                    tracing::error!("{}", crate::logging::redact(&config, line));
                }
            } else {
                eprint!("{}", crate::logging::redact(&config, &out.stderr));
            }
            return ExitCode::from(1);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            fatal(&config, &format!("cannot start: {e}"));
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(crate::app::run(config.clone(), content, token)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            fatal(&config, &format!("stopped on an error: {e:#}"));
            ExitCode::from(1)
        }
    }
}

/// `holdfast backup PATH`.
pub fn backup(config: &Config, path: &Path) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("holdfast: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    if let Some(file) = sqlite_file(&config.database.url) {
        if !file.exists() {
            eprintln!(
                "holdfast: no database at {} (nothing to back up; set database.url or HOLDFAST_DATABASE_URL)",
                file.display()
            );
            return ExitCode::from(1);
        }
    }
    match runtime.block_on(crate::store::backup_database(&config.database.url, path)) {
        Ok(()) => {
            println!("backed up {} to {}", config.database.url, path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("holdfast: backup failed: {e}");
            ExitCode::from(1)
        }
    }
}

/// The file behind a `sqlite:` URL, unless it is in memory.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
}
