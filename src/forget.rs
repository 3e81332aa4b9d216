//! The forget-me service (`/me forget`): deletes everything stored about one
//! person and takes them out of the sessions still running.

use sqlx::SqlitePool;

use crate::session::engine::Event;
use crate::session::runner::Runner;
use crate::store::{self, ForgetReport, StoreError};

/// Forgets `user`: first every queued session write is stored (so a join
/// still in the writer's queue cannot come back after the delete), then the
/// store deletes their rows in one transaction, then they leave every live
/// session they were in, so nothing new is credited to them.
pub async fn forget_user(pool: &SqlitePool, runner: &Runner, user: u64) -> Result<ForgetReport, StoreError> {
    runner.flush().await;
    let report = store::users::forget_user(pool, store::db_id(user)).await?;
    for session in &report.live_sessions {
        // Not in it any more (or the session just ended): nothing to undo.
        let _ = runner.handle(*session, Event::Leave(user)).await;
    }
    runner.flush().await;
    tracing::info!(credits = report.credits, sessions = report.live_sessions.len(), "a user asked to be forgotten");
    Ok(report)
}
