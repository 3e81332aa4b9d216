//! One owner per database: `holdfast run` holds an exclusive lock on
//! `<database>.lock` for its whole life, so a second process started by
//! mistake on the same SQLite file refuses to start (instead of running every
//! session and reminder a second time) and says which process has it.
//!
//! The lock is the operating system's (`flock` on Unix): it is released when
//! the process exits, however it exits, so a crash never leaves a stale lock.
//! The file holds the owner's pid, host and start time, for the message.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

use super::{Result, StoreError};

/// The lock of one database, held until dropped.
#[derive(Debug)]
pub struct DatabaseLock {
    _file: File,
    path: PathBuf,
}

impl DatabaseLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The lock file of the database at `url`, or `None` for an in-memory one.
pub fn lock_path(url: &str) -> Result<Option<PathBuf>> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return Ok(None);
    }
    let options = SqliteConnectOptions::from_str(url)?;
    let mut name = options.get_filename().as_os_str().to_owned();
    name.push(".lock");
    Ok(Some(PathBuf::from(name)))
}

/// Takes the database's lock for this process: [`StoreError::InUse`] naming
/// the holder when another process has it. `None` for an in-memory database.
pub fn lock_database(url: &str) -> Result<Option<DatabaseLock>> {
    let Some(path) = lock_path(url)? else { return Ok(None) };
    let io = |e: std::io::Error| StoreError::InvalidInput(format!("cannot open the lock file {}: {e}", path.display()));
    let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(StoreError::InUse {
                path,
                holder: if holder.is_empty() { "another process".to_owned() } else { holder.to_owned() },
            });
        }
        Err(TryLockError::Error(e)) => return Err(io(e)),
    }
    let host = std::env::var("HOSTNAME").unwrap_or_default();
    let started = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC");
    let about = if host.is_empty() {
        format!("holdfast (pid {}, started {started})", std::process::id())
    } else {
        format!("holdfast (pid {} on {host}, started {started})", std::process::id())
    };
    file.set_len(0).map_err(io)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    file.write_all(about.as_bytes()).and_then(|()| file.flush()).map_err(io)?;
    Ok(Some(DatabaseLock { _file: file, path }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_owner_is_refused_with_the_first_ones_name_until_it_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("h.db").display());
        let first = lock_database(&url).unwrap().expect("a file database is locked");
        assert_eq!(first.path(), dir.path().join("h.db.lock"));
        match lock_database(&url) {
            Err(StoreError::InUse { holder, .. }) => {
                assert!(holder.contains(&format!("pid {}", std::process::id())), "{holder}");
            }
            other => panic!("expected InUse, got {other:?}"),
        }
        drop(first);
        assert!(lock_database(&url).unwrap().is_some(), "free again once the owner is gone");
    }

    #[test]
    fn in_memory_databases_have_no_lock() {
        assert!(lock_database("sqlite::memory:").unwrap().is_none());
        assert!(lock_path("sqlite://x.db?mode=memory").unwrap().is_none());
    }
}
