//! The reminder scheduler: one task that sleeps until the earliest due
//! reminder (woken early when reminders change), claims what is due in one
//! transaction and posts each routine card through the outbound queue.

use std::sync::Arc;
use tokio_util::sync::CancellationToken;

use serde_json::json;
use sqlx::SqlitePool;
use tokio::sync::Notify;

use super::commands::routine::{card, start_button_id};
use super::outbound::{Outbound, Priority};
use super::render::{embed_json, TEAL};
use crate::content::render::truncate;
use crate::content::Content;
use crate::metrics::Metrics;
use crate::schedule::{self, Days, Due, TimeOfDay};
use crate::session::clock::{self, Clock};
use crate::store::{self, Reminder};

/// The body of a reminder's post.
pub fn reminder_body(content: &Content, r: &Reminder, late_by_ms: Option<i64>) -> Option<serde_json::Value> {
    let routine = content.routine(&r.routine_id)?;
    let pages = card(content, routine);
    let mut text = match r.role_id {
        Some(role) => format!("<@&{role}> "),
        None => String::new(),
    };
    text.push_str(&format!("Time for recovery: **{}**.", routine.name));
    if let Some(late) = late_by_ms {
        text.push_str(&format!(" (This reminder is {} min late: the bot was offline.)", (late + 59_999) / 60_000));
    }
    let roles: Vec<String> = r.role_id.map(|x| x.to_string()).into_iter().collect();
    let embeds: Vec<serde_json::Value> = pages.iter().take(1).map(|p| embed_json(p, TEAL)).collect();
    Some(json!({
        "content": truncate(&text, crate::limits::MESSAGE_CONTENT),
        "embeds": embeds,
        "allowed_mentions": {"parse": [], "roles": roles},
        "components": [{"type": 1, "components": [
            {"type": 2, "style": 3, "label": "Start session", "custom_id": start_button_id(&routine.id)}
        ]}],
        "nonce": truncate(&format!("r{}-{}", r.id, r.next_fire_ms / 60_000), crate::limits::NONCE),
        "enforce_nonce": true,
    }))
}

fn advance(r: &Reminder, now_ms: i64) -> i64 {
    let time = r.time_of_day.parse::<TimeOfDay>().unwrap_or(TimeOfDay::MIDNIGHT);
    let days = u8::try_from(r.days).ok().and_then(Days::from_bits).unwrap_or(Days::DAILY);
    schedule::next_occurrence(now_ms, time, days, r.timezone)
}

/// Claims and posts every due reminder.
pub async fn fire_due(pool: &SqlitePool, content: &Content, outbound: &Outbound, now_ms: i64) -> usize {
    fire_due_counted(pool, content, outbound, now_ms, None).await
}

/// [`fire_due`], counting fired and skipped reminders and database errors.
pub async fn fire_due_counted(
    pool: &SqlitePool,
    content: &Content,
    outbound: &Outbound,
    now_ms: i64,
    metrics: Option<&Metrics>,
) -> usize {
    let claimed = match store::reminders::claim_due(pool, now_ms, |r| advance(r, now_ms)).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "could not claim due reminders");
            if let Some(m) = metrics {
                m.database_error();
            }
            return 0;
        }
    };
    let mut fired = 0;
    for r in claimed {
        match schedule::due(r.next_fire_ms, now_ms) {
            Due::Fire { late_by_ms, late } => {
                if let Some(body) = reminder_body(content, &r, late.then_some(late_by_ms)) {
                    outbound.send(store::discord_id(r.channel_id), body, Priority::Post);
                    fired += 1;
                    if let Some(m) = metrics {
                        m.reminder_fired();
                    }
                } else {
                    tracing::warn!(reminder = r.id, routine = %r.routine_id, "reminder names a routine that no longer exists");
                    if let Some(m) = metrics {
                        m.reminder_skipped();
                    }
                }
            }
            Due::Skip { late_by_ms } => {
                tracing::warn!(
                    reminder = r.id,
                    late_min = late_by_ms / 60_000,
                    "skipped a reminder more than an hour late"
                );
                if let Some(m) = metrics {
                    m.reminder_skipped();
                }
            }
        }
    }
    fired
}

/// Runs the scheduler until `shutdown` is cancelled (a firing that has
/// begun runs to its end).
pub fn spawn(
    pool: SqlitePool,
    content: Arc<Content>,
    outbound: Outbound,
    wake: Arc<Notify>,
    clock: Arc<dyn Clock>,
    metrics: Option<Arc<Metrics>>,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !shutdown.is_cancelled() {
            let notified = wake.notified();
            let next = match store::reminders::next_due(&pool).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(error = %e, "could not read reminders; retrying in a minute");
                    if let Some(m) = &metrics {
                        m.database_error();
                    }
                    tokio::select! {
                        () = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
                        () = shutdown.cancelled() => {}
                    }
                    continue;
                }
            };
            let now = clock.now_ms();
            match next {
                Some(t) if t <= now => {
                    fire_due_counted(&pool, &content, &outbound, now, metrics.as_deref()).await;
                }
                Some(t) => {
                    tokio::select! {
                        () = tokio::time::sleep(clock::until(now, t)) => {}
                        () = notified => {}
                        () = shutdown.cancelled() => {}
                    }
                }
                None => tokio::select! {
                    () = notified => {}
                    () = shutdown.cancelled() => {}
                },
            }
        }
    })
}
