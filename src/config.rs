//! Typed configuration: an optional `holdfast.toml`, then the environment,
//! which wins (the README's Configuration table). The token comes from the environment only
//! and is never printed: [`Token`]'s `Debug` and `Display` hide it.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::problem::Problem;

/// The bot token. Its formatting never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordConfig {
    /// Base URL for every REST call (a rate-limit proxy or a simulator).
    pub api_base: Option<String>,
    /// Register commands in this guild only.
    pub guild_id: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://holdfast.db` by default; created on first start.
    #[serde(default = "default_db_url")]
    pub url: String,
    /// Days after the bot is removed from a server before that server's data
    /// is deleted (a return within them keeps it).
    #[serde(default = "default_grace_days")]
    pub departed_grace_days: u32,
}

fn default_grace_days() -> u32 {
    30
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentConfig {
    /// Folder with exercises, routines and topic files.
    #[serde(default = "default_content_dir")]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    #[serde(default)]
    pub format: LogFormat,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Loopback address for `/healthz` and `/metrics`; off when unset.
    pub addr: Option<String>,
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub discord: DiscordConfig,
    #[serde(default)]
    pub database: DatabaseConfig,
    #[serde(default)]
    pub content: ContentConfig,
    #[serde(default)]
    pub log: LogConfig,
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// From `DISCORD_TOKEN` only.
    #[serde(skip)]
    pub token: Option<Token>,
}

fn default_db_url() -> String {
    "sqlite://holdfast.db".into()
}

fn default_content_dir() -> PathBuf {
    PathBuf::from("content")
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self { url: default_db_url(), departed_grace_days: default_grace_days() }
    }
}

impl Default for ContentConfig {
    fn default() -> Self {
        Self { dir: default_content_dir() }
    }
}

/// The default config file, read when present.
pub const DEFAULT_FILE: &str = "holdfast.toml";

impl Config {
    /// Loads `path` (or `holdfast.toml` if it exists), then applies the
    /// environment through `env` (a function so tests need not touch the
    /// process environment). A file named explicitly must exist.
    pub fn load(path: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config, Vec<Problem>> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_FILE), false),
        };
        let mut config = match std::fs::read_to_string(&path) {
            Ok(text) => parse(&path, &text).map_err(|p| vec![p])?,
            Err(e) if required || e.kind() != std::io::ErrorKind::NotFound => {
                return Err(vec![Problem { path, line: 1, col: 1, message: format!("cannot read config: {e}") }]);
            }
            Err(_) => Config::default(),
        };
        let mut problems = Vec::new();
        let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        if let Some(v) = var("HOLDFAST_DISCORD_API_BASE") {
            config.discord.api_base = Some(v);
        }
        if let Some(v) = var("HOLDFAST_GUILD_ID") {
            match v.trim().parse() {
                Ok(id) => config.discord.guild_id = Some(id),
                Err(_) => problems.push(env_problem("HOLDFAST_GUILD_ID", "must be a numeric guild id")),
            }
        }
        if let Some(v) = var("HOLDFAST_DATABASE_URL") {
            config.database.url = v;
        }
        if let Some(v) = var("HOLDFAST_DEPARTED_GRACE_DAYS") {
            match v.trim().parse::<u32>() {
                Ok(days) if days <= 3650 => config.database.departed_grace_days = days,
                _ => problems
                    .push(env_problem("HOLDFAST_DEPARTED_GRACE_DAYS", "must be a whole number of days, 0 to 3650")),
            }
        }
        if let Some(v) = var("HOLDFAST_CONTENT_DIR") {
            config.content.dir = PathBuf::from(v);
        }
        if let Some(v) = var("HOLDFAST_LOG_FORMAT") {
            match v.trim() {
                "pretty" => config.log.format = LogFormat::Pretty,
                "json" => config.log.format = LogFormat::Json,
                _ => problems.push(env_problem("HOLDFAST_LOG_FORMAT", "must be `pretty` or `json`")),
            }
        }
        if let Some(v) = var("HOLDFAST_METRICS_ADDR") {
            config.metrics.addr = Some(v);
        }
        config.token = var("DISCORD_TOKEN").map(|t| Token::new(t.trim()));
        if let Some(base) = &config.discord.api_base {
            if !(base.starts_with("http://") || base.starts_with("https://")) {
                problems.push(env_problem("discord.api_base", "must start with http:// or https://"));
            }
        }
        if !config.database.url.starts_with("sqlite:") {
            problems.push(env_problem("database.url", "must be a sqlite: URL, e.g. sqlite://holdfast.db"));
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// The REST base without a trailing slash, if one is set.
    pub fn api_base(&self) -> Option<&str> {
        self.discord.api_base.as_deref().map(|b| b.trim_end_matches('/'))
    }
}

fn env_problem(key: &str, message: &str) -> Problem {
    Problem { path: PathBuf::from(key), line: 1, col: 1, message: message.to_string() }
}

fn parse(path: &Path, text: &str) -> Result<Config, Problem> {
    toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Problem { path: path.to_path_buf(), line, col, message: e.message().trim().to_string() }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn defaults_apply_without_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(Some(&dir.path().join("missing.toml")), env(&[]));
        assert!(c.is_err(), "an explicit file must exist");
        let c = Config::load(None, env(&[])).unwrap();
        assert_eq!(c.database.url, "sqlite://holdfast.db");
        assert_eq!(c.content.dir, PathBuf::from("content"));
        assert_eq!(c.log.format, LogFormat::Pretty);
        assert!(c.token.is_none());
    }

    #[test]
    fn environment_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.toml");
        std::fs::write(&path, "[discord]\nguild_id = 1\napi_base = \"http://a\"\n[log]\nformat = \"json\"\n").unwrap();
        let c = Config::load(
            Some(&path),
            env(&[("HOLDFAST_GUILD_ID", "42"), ("HOLDFAST_LOG_FORMAT", "pretty"), ("DISCORD_TOKEN", "secret")]),
        )
        .unwrap();
        assert_eq!(c.discord.guild_id, Some(42));
        assert_eq!(c.api_base(), Some("http://a"));
        assert_eq!(c.log.format, LogFormat::Pretty);
        assert_eq!(c.token.as_ref().map(Token::expose), Some("secret"));
    }

    #[test]
    fn a_bad_file_points_at_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.toml");
        std::fs::write(&path, "[database]\nurl = \"sqlite://x\"\ncolour = 3\n").unwrap();
        let err = Config::load(Some(&path), env(&[])).unwrap_err();
        assert_eq!((err[0].line, err[0].col), (3, 1), "{}", err[0]);
        assert!(err[0].message.contains("colour"), "{}", err[0]);
    }

    #[test]
    fn bad_environment_values_are_named() {
        let err = Config::load(None, env(&[("HOLDFAST_GUILD_ID", "abc"), ("HOLDFAST_LOG_FORMAT", "xml")])).unwrap_err();
        let text: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert!(text[0].starts_with("HOLDFAST_GUILD_ID"), "{text:?}");
        assert!(text[1].starts_with("HOLDFAST_LOG_FORMAT"), "{text:?}");
    }

    #[test]
    fn the_token_never_formats() {
        let t = Token::new("abc.def.ghi");
        assert!(!format!("{t} {t:?}").contains("abc"));
    }
}
