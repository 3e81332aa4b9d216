//! The composition root: builds every part of `holdfast run` once, wires
//! them together, owns the start-up order and one cooperative shutdown.
//!
//! Start-up: the database's lock (one owner per file) → database
//! (migrations) → answer index → outbound queue → session runner → metrics
//! endpoint → the outbox replayed (what was decided but not confirmed before
//! the last stop) → sessions restored → timers and the reminder service →
//! the Discord adapter. Shutdown, on SIGTERM or Ctrl-C:
//! one cancellation token tells every task to stop at its next wait; the
//! gateway closes (given at most [`GATEWAY_GRACE`]: with Discord unreachable
//! serenity may still be reconnecting), queued writes are flushed, queued
//! messages sent (at most [`DRAIN`]), and the database closed: with every
//! step bounded ([`FLUSH`] for the writes, a second for the database), the
//! process ends within 10 s of the signal whatever Discord or the disk do.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::config::{Config, Token};
use crate::content::{Content, FaqIndex};
use crate::discord::outbound::{DropReason, Outbound, Priority, Sent};
use crate::discord::{self, Data, DiscordSink, DISCORD_BASE};
use crate::metrics::Metrics;
use crate::reminders::events::EventKeeper;
use crate::reminders::Reminders;
use crate::session::clock::SystemClock;
use crate::session::runner::Runner;
use crate::store;
use sqlx::SqlitePool;

/// How long the gateway may take to close once shutdown begins.
pub const GATEWAY_GRACE: Duration = Duration::from_secs(3);
/// How long the last session writes may take once the gateway is closed.
pub const FLUSH: Duration = Duration::from_secs(2);
/// How long queued messages may take to go out once the gateway is closed.
pub const DRAIN: Duration = Duration::from_secs(3);

/// Runs the bot until SIGTERM or Ctrl-C.
pub async fn run(config: Config, content: Content, token: Token) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    {
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutdown requested");
            shutdown.cancel();
        });
    }

    // Held until this function returns (and released by the OS on a crash).
    let _lock = store::lock::lock_database(&config.database.url)?;
    let pool = store::connect(&config.database.url).await?;
    let content = Arc::new(content);
    let index = Arc::new(FaqIndex::build(&content));
    let metrics = Arc::new(Metrics::new());
    let (outbound, mut sent) = Outbound::with_events(config.api_base().unwrap_or(DISCORD_BASE), token.clone());
    let sink = Arc::new(DiscordSink { outbound: outbound.clone(), content: content.clone() });
    let runner = {
        let m = metrics.clone();
        Runner::new(pool.clone(), Arc::new(SystemClock), sink.clone(), move || m.database_error())
    };
    // What happened to each message the bot posted on its own: metrics, and
    // a channel that is gone or forbids the bot ends its session.
    let events_done = CancellationToken::new();
    let events = {
        let (metrics, runner, done, pool) = (metrics.clone(), runner.clone(), events_done.clone(), pool.clone());
        let outbound_probe = outbound.clone();
        tokio::spawn(async move {
            loop {
                let event = tokio::select! {
                    biased;
                    e = sent.recv() => e,
                    // Shutdown: what is already reported is still recorded.
                    () = done.cancelled() => sent.try_recv().ok(),
                };
                let Some(event) = event else { break };
                match &event {
                    Sent::Ok { retries, queued_for, priority: Priority::Cue, .. } => {
                        metrics.record_cue_sent(*retries, *queued_for);
                    }
                    Sent::Ok { retries, priority: Priority::Summary | Priority::Post, .. } => {
                        metrics.record_post_sent(*retries);
                    }
                    Sent::Failed { channel, status, .. } => {
                        metrics.record_message_failed(*status);
                        if matches!(status, 401 | 403) {
                            metrics.record_invalid_request();
                        }
                        if matches!(status, 403 | 404) {
                            runner.abandon_channel(*channel).await;
                        }
                    }
                    Sent::Dropped { reason, .. } => metrics.record_message_dropped(match reason {
                        DropReason::Stale => "stale",
                        DropReason::Overflow => "overflow",
                        DropReason::EditRefused => "edit_refused",
                    }),
                    Sent::RateLimited { scope, .. } => metrics.record_rate_limited(scope),
                }
                metrics.set_outbound_queue(outbound_probe.pending());
                if let Err(e) = discord::outbox_done(&pool, &event).await {
                    tracing::error!(error = %e, "could not mark an outbox message done");
                    metrics.database_error();
                }
            }
        })
    };
    let endpoint = match config.metrics.addr.as_deref() {
        Some(addr) => {
            let live: crate::metrics::LiveSessions = {
                let runner = runner.clone();
                Arc::new(move || {
                    let runner = runner.clone();
                    Box::pin(async move { runner.live_count().await })
                })
            };
            let endpoint =
                crate::metrics::Endpoint { metrics: metrics.clone(), pool: pool.clone(), live_sessions: Some(live) };
            let (_, task) = crate::metrics::serve(addr, endpoint, shutdown.clone())
                .await
                .map_err(|e| anyhow::anyhow!("cannot serve metrics on {addr} (metrics.addr): {e}"))?;
            Some(task)
        }
        None => None,
    };
    let replayed = discord::replay_outbox(&pool, &outbound, store::now_ms()).await?;
    if replayed.resent + replayed.stale > 0 {
        tracing::info!(resent = replayed.resent, stale = replayed.stale, "outbox replayed");
    }
    let restored = runner.restore().await?;
    tracing::info!(restored, "sessions restored");
    let timers = runner.spawn(shutdown.clone());
    let reminders = Reminders::new(pool.clone(), content.clone(), sink, Arc::new(SystemClock), metrics.clone());
    let reminder_task = reminders.spawn(shutdown.clone());
    let calendar = discord::calendar::DiscordCalendar { http: Arc::new(discord::http(&config, token.expose())) };
    let keeper =
        EventKeeper::new(pool.clone(), content.clone(), Arc::new(calendar), metrics.clone(), reminders.changes());
    let event_task = keeper.spawn(shutdown.clone());
    let purge_task = spawn_departed_purge(pool.clone(), config.database.departed_grace_days, shutdown.clone());

    let data = Data {
        pool: pool.clone(),
        content,
        index,
        runner: runner.clone(),
        outbound: outbound.clone(),
        reminders,
        events: keeper,
        config: config.clone(),
        metrics,
    };
    let adapter = discord::serve(data, &token, shutdown.clone());
    tokio::pin!(adapter);
    let result = tokio::select! {
        r = &mut adapter => r,
        () = async { shutdown.cancelled().await; tokio::time::sleep(GATEWAY_GRACE).await } => {
            tracing::warn!("the gateway did not close in time; stopping without it");
            Ok(())
        }
    };
    // Whatever ended the adapter (a signal, or an error such as a refused
    // token), every task stops now.
    shutdown.cancel();
    let _ = timers.await;
    let _ = reminder_task.await;
    let _ = event_task.await;
    let _ = purge_task.await;
    // A database that is locked or full must not hold the stop up.
    if tokio::time::timeout(FLUSH, runner.flush()).await.is_err() {
        tracing::warn!("stopped before the last session writes were stored (the database did not answer)");
    }
    if !outbound.drain(DRAIN).await {
        tracing::warn!(pending = outbound.pending(), "stopped with messages still queued");
    }
    events_done.cancel();
    let _ = events.await;
    if let Some(task) = endpoint {
        let _ = task.await;
    }
    if tokio::time::timeout(Duration::from_secs(1), pool.close()).await.is_err() {
        tracing::warn!("the database did not close in time");
    }
    tracing::info!("stopped");
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// How often the data of servers the bot left is looked at for deletion.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// Deletes, at start and every hour, the data of each server the bot was
/// removed from more than `grace_days` ago; each deletion is logged.
fn spawn_departed_purge(pool: SqlitePool, grace_days: u32, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let before = store::now_ms() - i64::from(grace_days) * 86_400_000;
            match store::guilds::purge_departed(&pool, before).await {
                Ok(purged) => {
                    for p in purged {
                        tracing::info!(
                            guild = p.guild_id,
                            left_at_ms = p.left_at_ms,
                            rows = p.rows,
                            grace_days,
                            "deleted the data of a server the bot was removed from"
                        );
                    }
                }
                Err(e) => tracing::error!(error = %e, "could not delete the data of departed servers; will retry"),
            }
            tokio::select! {
                () = tokio::time::sleep(PURGE_EVERY) => {}
                () = shutdown.cancelled() => return,
            }
        }
    })
}
