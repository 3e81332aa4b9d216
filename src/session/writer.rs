//! The runner's database writer: one task that stores session writes and
//! credits in the order the runner produced them, outside the runner's lock.
//!
//! Whatever queued up while a transaction ran goes into the next one, and
//! only the newest save of each session is written (a session's row holds
//! its latest state; older saves of it would be overwritten anyway). So a
//! second boundary at which thousands of sessions change phase costs one
//! commit, and commands never wait for SQLite behind the session timer.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use crate::store::batch::{self, SessionWrite};
use crate::store::CreditRecord;

enum Job {
    Write { writes: Vec<SessionWrite>, credits: Vec<CreditRecord>, now_ms: i64 },
    Flush(oneshot::Sender<()>),
}

/// Handle to the writer task; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::UnboundedSender<Job>,
}

/// Called when a transaction fails (after it is logged).
pub type OnError = Arc<dyn Fn() + Send + Sync>;

impl Writer {
    /// Starts the writer task on the current tokio runtime.
    pub fn spawn(pool: SqlitePool, on_error: OnError) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, rx, on_error));
        Self { tx }
    }

    /// Queues writes and credits, to be stored after everything queued before.
    pub fn write(&self, writes: Vec<SessionWrite>, credits: Vec<CreditRecord>, now_ms: i64) {
        if writes.is_empty() && credits.is_empty() {
            return;
        }
        if self.tx.send(Job::Write { writes, credits, now_ms }).is_err() {
            tracing::error!("the session writer has stopped; progress is not being stored");
        }
    }

    /// Waits until everything queued so far is stored (or failed).
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Job::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// Jobs taken into one transaction at most.
const MAX_JOBS: usize = 4096;

async fn run(pool: SqlitePool, mut rx: mpsc::UnboundedReceiver<Job>, on_error: OnError) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_JOBS {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let mut order: Vec<i64> = Vec::new();
        let mut latest: HashMap<i64, SessionWrite> = HashMap::new();
        // Joins and leaves, in order: never merged.
        let mut members: Vec<SessionWrite> = Vec::new();
        let mut credits = Vec::new();
        let mut flushes = Vec::new();
        let mut now = 0;
        for job in jobs {
            match job {
                Job::Write { writes, credits: c, now_ms } => {
                    for w in writes {
                        if w.is_membership() {
                            members.push(w);
                            continue;
                        }
                        let id = w.id();
                        let ended = matches!(latest.get(&id), Some(SessionWrite::Finish { .. }));
                        if !latest.contains_key(&id) {
                            order.push(id);
                        }
                        if !ended {
                            latest.insert(id, w);
                        }
                    }
                    credits.extend(c);
                    now = now.max(now_ms);
                }
                Job::Flush(done) => flushes.push(done),
            }
        }
        let mut writes = members;
        writes.extend(order.iter().filter_map(|id| latest.remove(id)));
        if !writes.is_empty() || !credits.is_empty() {
            if let Err(e) = batch::apply(&pool, &writes, &credits, now).await {
                tracing::error!(error = %e, sessions = writes.len(), credits = credits.len(), "could not store session progress");
                on_error();
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}
