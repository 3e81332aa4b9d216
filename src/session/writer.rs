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

use super::runner::Sink;
use crate::store::batch::{self, SessionWrite};
use crate::store::outbox::NewMessage;
use crate::store::CreditRecord;

enum Job {
    Write { writes: Vec<SessionWrite>, credits: Vec<CreditRecord>, messages: Vec<NewMessage>, now_ms: i64 },
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
    /// Committed outbox messages go to `sink`.
    pub fn spawn(pool: SqlitePool, on_error: OnError, sink: Arc<dyn Sink>) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, rx, on_error, sink));
        Self { tx }
    }

    /// Queues writes, credits and outbox messages, to be stored (in one
    /// transaction) after everything queued before; the messages are then
    /// sent.
    pub fn write(&self, writes: Vec<SessionWrite>, credits: Vec<CreditRecord>, messages: Vec<NewMessage>, now_ms: i64) {
        if writes.is_empty() && credits.is_empty() && messages.is_empty() {
            return;
        }
        if self.tx.send(Job::Write { writes, credits, messages, now_ms }).is_err() {
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

/// How long a batch that could not be stored waits before it is tried again
/// (sooner when new writes come).
const RETRY: std::time::Duration = std::time::Duration::from_secs(2);

async fn run(pool: SqlitePool, mut rx: mpsc::UnboundedReceiver<Job>, on_error: OnError, sink: Arc<dyn Sink>) {
    // What the last transaction could not store (the database was full,
    // read-only or locked): tried again, ahead of anything newer.
    let mut carry: Option<Job> = None;
    loop {
        let first = match carry.take() {
            Some(carried) => match tokio::time::timeout(RETRY, rx.recv()).await {
                Ok(Some(job)) => vec![carried, job],
                Ok(None) => vec![carried],
                Err(_) => vec![carried],
            },
            None => match rx.recv().await {
                Some(job) => vec![job],
                None => return,
            },
        };
        let mut jobs = first;
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
        let mut messages = Vec::new();
        let mut flushes = Vec::new();
        let mut now = 0;
        for job in jobs {
            match job {
                Job::Write { writes, credits: c, messages: m, now_ms } => {
                    messages.extend(m);
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
        if !writes.is_empty() || !credits.is_empty() || !messages.is_empty() {
            match batch::apply_all(&pool, &writes, &credits, &messages, now).await {
                Ok((_, ids)) => sink.send_staged(ids.into_iter().map(Some).zip(messages).collect()),
                Err(e) => {
                    tracing::error!(error = %e, sessions = writes.len(), credits = credits.len(), "could not store session progress");
                    on_error();
                    // The cues still go out: a database that cannot write
                    // must not silence a session. The writes and credits are
                    // kept and tried again.
                    sink.send_staged(messages.into_iter().map(|m| (None, m)).collect());
                    if e.is_unavailable() {
                        carry = Some(Job::Write { writes, credits, messages: Vec::new(), now_ms: now });
                    }
                }
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}
