//! SQLite storage through sqlx: one file per table group.
//!
//! - [`connect`] opens (and creates on first start) the database, with WAL,
//!   foreign keys, a busy timeout and `synchronous = NORMAL`, and applies the
//!   embedded migrations from `migrations/`.
//! - [`guilds`] and [`users`] hold per-server and per-user settings;
//!   [`users::forget_user`] deletes everything stored about one person.
//! - [`sessions`] persists group sessions and their participants.
//! - [`progress`] records hold credits (idempotently) and computes personal
//!   progress and streaks; [`report`] computes the team report.
//! - [`reminders`] stores recurring reminders and claims due ones exactly once;
//!   [`events`] keeps the Discord scheduled events they keep, and who is interested.
//! - [`batch::apply`] writes many session changes and credits in one
//!   transaction (the session runner's tick).
//! - [`outbox`] stores what the bot decided to post before it is sent.
//! - [`lock`] keeps a second process off the same database file.
//! - [`backup`] makes a consistent copy of the live database;
//!   [`backup_database`] does it from a URL, for `holdfast backup PATH`.
//!
//! Conventions: times are Unix milliseconds (UTC) as `i64`; Discord ids are
//! `i64` (the `u64` snowflake cast with [`db_id`], back with [`discord_id`]).
//! All queries are runtime-checked (`sqlx::query_as` with `FromRow`), so no
//! database is needed at build time.
//!
//! Writes that read before they write run in `BEGIN IMMEDIATE` transactions,
//! and every connection waits up to [`BUSY_TIMEOUT`] for the write lock, so
//! concurrent writers queue instead of failing with `SQLITE_BUSY`.

pub mod batch;
pub mod check_ins;
pub mod events;
pub mod guilds;
pub mod lock;
pub mod outbox;
pub mod progress;
pub mod reminders;
pub mod report;
pub mod restrictions;
pub mod sessions;
pub mod users;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub use batch::{Applied, SessionWrite};
pub use guilds::GuildSettings;
pub use progress::{CreditRecord, ExerciseTotal, Progress};
pub use reminders::{Claimed, NewReminder, Reminder};
pub use report::AthleteReport;
pub use sessions::{NewSession, ParticipantRecord, SessionRecord, SessionState};
pub use users::ForgetReport;

/// The default database location (`database.url`).
pub const DEFAULT_URL: &str = "sqlite://holdfast.db";

/// How long a connection waits for another writer before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Errors from the store. Every variant except [`StoreError::Other`] and
/// [`StoreError::Migrate`] has a message that is safe to show to a user;
/// those two should be logged and answered with a generic message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A live session already exists in this channel.
    #[error("a session is already running in this channel")]
    ChannelBusy,
    /// The server already has the maximum number of reminders.
    #[error("this server already has {limit} reminders; remove one first")]
    TooManyReminders {
        /// The per-server limit.
        limit: i64,
    },
    /// The row asked for does not exist (or is not visible from here).
    #[error("not found")]
    NotFound,
    /// A backup would overwrite an existing file.
    #[error("{} already exists; choose a new file name", .0.display())]
    BackupExists(PathBuf),
    /// A session state that this operation does not accept.
    #[error("invalid session state for this operation: {0}")]
    InvalidState(String),
    /// An argument the store cannot accept (bad path, bad bitmask, ...).
    #[error("{0}")]
    InvalidInput(String),
    /// A stored row that does not decode into its domain type (edited by
    /// hand, or written by a newer version): logged and counted, never
    /// replaced by a default.
    #[error("row {id} of {table} cannot be read: {what}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The row id.
        id: i64,
        /// What did not decode.
        what: String,
    },
    /// Another process holds the database's lock (see [`lock`]).
    #[error("{} is held by {holder}: only one holdfast may run on a database; stop that one first, or give this one another database.url", path.display())]
    InUse {
        /// The lock file.
        path: PathBuf,
        /// Who holds it, as the holder wrote it (pid, host, start time).
        holder: String,
    },
    /// Applying the migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Other(#[from] sqlx::Error),
}

impl StoreError {
    /// Whether the database cannot take writes for now (full, read-only,
    /// locked by another connection past [`BUSY_TIMEOUT`], an I/O error):
    /// reads may still work, and trying again later may succeed.
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Other(e) = self else { return false };
        match e {
            sqlx::Error::Database(db) => db
                .code()
                .and_then(|c| c.parse::<i32>().ok())
                // The primary result code: BUSY 5, LOCKED 6, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14.
                .is_some_and(|code| matches!(code & 0xff, 5 | 6 | 8 | 10 | 13 | 14)),
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => true,
            _ => false,
        }
    }
}

/// Result alias for the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A Discord snowflake as stored (`u64` → `i64`, bit-preserving).
pub fn db_id(id: u64) -> i64 {
    id as i64
}

/// A stored id back as a Discord snowflake (`i64` → `u64`, bit-preserving).
pub fn discord_id(id: i64) -> u64 {
    id as u64
}

/// The current time as Unix milliseconds.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Opens the database at `url` (for example [`DEFAULT_URL`] or
/// `sqlite::memory:`), creating the file if it is missing, and applies the
/// migrations. The connections use WAL, foreign keys, a busy timeout of
/// [`BUSY_TIMEOUT`] and `synchronous = NORMAL`.
///
/// An in-memory database gets a single connection (each connection would
/// otherwise see its own empty database).
pub async fn connect(url: &str) -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .synchronous(SqliteSynchronous::Normal);
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let pool = SqlitePoolOptions::new()
        .max_connections(if in_memory { 1 } else { 4 })
        .min_connections(u32::from(in_memory))
        .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(600)) })
        .max_lifetime(if in_memory { None } else { Some(Duration::from_secs(1800)) })
        .connect_with(options)
        .await?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Applies the embedded migrations (`migrations/`) that are not applied yet.
pub async fn migrate(pool: &SqlitePool) -> Result<()> {
    sqlx::migrate!().run(pool).await?;
    Ok(())
}

/// Writes a consistent copy of the database to `path` with `VACUUM INTO`,
/// safe while the bot runs. Refuses to overwrite an existing file with
/// [`StoreError::BackupExists`].
pub async fn backup(pool: &SqlitePool, path: &Path) -> Result<()> {
    if path.exists() {
        return Err(StoreError::BackupExists(path.to_path_buf()));
    }
    let target = path
        .to_str()
        .ok_or_else(|| StoreError::InvalidInput(format!("backup path is not UTF-8: {}", path.display())))?;
    match sqlx::query("VACUUM INTO ?").bind(target).execute(pool).await {
        Ok(_) => Ok(()),
        // Lost a race with another process creating the same file.
        Err(e) if e.as_database_error().is_some_and(|d| d.message().contains("already exists")) => {
            Err(StoreError::BackupExists(path.to_path_buf()))
        }
        Err(e) => Err(e.into()),
    }
}

/// `holdfast backup PATH`: opens the existing database at `url` (never
/// creating one, applying no migrations, so it works beside a running bot)
/// and writes a consistent copy to `path` with [`backup`].
pub async fn backup_database(url: &str, path: &Path) -> Result<()> {
    let options = SqliteConnectOptions::from_str(url)?.create_if_missing(false).busy_timeout(BUSY_TIMEOUT);
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
    let result = backup(&pool, path).await;
    pool.close().await;
    result
}

/// True when `e` is a unique-constraint (or primary-key) violation.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}
