//! Entry points of the long-running and database commands: `run`, `backup`.

use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;

/// One line on how to set the token; never includes any part of it.
pub const NO_TOKEN: &str =
    "holdfast: DISCORD_TOKEN is not set; export DISCORD_TOKEN=<your bot token> (Discord developer portal → your app → Bot → Reset Token)";

/// `holdfast run`.
pub fn run(config: Config) -> ExitCode {
    if config.token.is_none() {
        eprintln!("{NO_TOKEN}");
        return ExitCode::from(2);
    }
    let content = match crate::cli::load_content(&config.content.dir) {
        Ok(c) => c,
        Err(out) => {
            eprint!("{}", out.stderr);
            return ExitCode::from(1);
        }
    };
    drop(content);
    eprintln!("holdfast: the Discord bot is not built yet (issue 5); check, ask and show work offline");
    ExitCode::from(1)
}

/// `holdfast backup PATH`.
pub fn backup(_config: &Config, _path: &Path) -> ExitCode {
    eprintln!("holdfast: backup arrives with the storage layer");
    ExitCode::from(1)
}
