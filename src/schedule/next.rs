//! When a reminder fires next, and what to do when it is found late.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::{Days, TimeOfDay};

/// A reminder more than this late (after downtime) is skipped, not posted.
pub const CATCH_UP_LIMIT_MS: i64 = 3_600_000;

/// A reminder at least this late is posted marked as late.
pub const LATE_AFTER_MS: i64 = 60_000;

/// The instant local `date` + `time` in `tz`: the earlier one if the local
/// time happens twice, the first valid minute after it if it does not exist
/// (a gap), or `None` if no valid minute follows within two days (never for
/// real zones).
fn resolve(tz: Tz, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Tz>> {
    /// Longest gap searched, in minutes (the longest real one is a skipped day).
    const MAX_GAP_MINUTES: i64 = 2 * 24 * 60;
    let wanted = NaiveDateTime::new(date, time);
    for step in 0..=MAX_GAP_MINUTES {
        let local = wanted.checked_add_signed(Duration::minutes(step))?;
        match tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) => return Some(t),
            chrono::LocalResult::Ambiguous(a, b) => return Some(a.min(b)),
            chrono::LocalResult::None => {}
        }
    }
    None
}

/// The first instant strictly after `after_ms` (Unix ms) at which a reminder
/// for local `time` on `days` in `tz` fires, in Unix ms.
///
/// That is the earliest instant after `after_ms` that is, for some local date
/// whose weekday is in `days`, that date at `time` in `tz`, where:
/// - a local time that does not exist that day (spring-forward gap) means the
///   first valid minute after it (02:30 on the US spring-forward day in
///   America/New_York fires at 03:00 local);
/// - a local time that happens twice (fall-back) means its first occurrence
///   only, so a reminder never fires twice in a day.
///
/// The result is on a whole local minute (a whole UTC minute in every zone
/// whose offset is whole minutes, i.e. all of them since the 1970s) and, for
/// real zones, within 8 days of `after_ms`. At most 10 local dates are
/// examined, so it always terminates. For an `after_ms` outside chrono's
/// range (about ±262,000 years) it returns the next whole UTC minute.
pub fn next_occurrence(after_ms: i64, time: TimeOfDay, days: Days, tz: Tz) -> i64 {
    const MINUTE_MS: i64 = 60_000;
    let fallback = after_ms.div_euclid(MINUTE_MS).saturating_add(1).saturating_mul(MINUTE_MS);
    let Some(after) = DateTime::<Utc>::from_timestamp_millis(after_ms) else {
        return fallback;
    };
    let today = after.with_timezone(&tz).date_naive();
    let time = time.to_naive_time();
    // From the day before (a gap can push yesterday's occurrence past
    // midnight) to 8 days on: every weekday appears at least once after today.
    (-1..=8)
        .filter_map(|offset| today.checked_add_signed(Duration::days(offset)))
        .filter(|date| days.contains(date.weekday()))
        .filter_map(|date| resolve(tz, date, time))
        .map(|t| t.timestamp_millis())
        .filter(|&ms| ms > after_ms)
        .min()
        .unwrap_or(fallback)
}

/// The local wall-clock time of `ms` in `tz`, for messages and tests
/// (`None` outside chrono's range).
pub fn local_time(ms: i64, tz: Tz) -> Option<NaiveDateTime> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.with_timezone(&tz).naive_local())
}

// ---------------------------------------------------------------------------
// Catch-up
// ---------------------------------------------------------------------------

/// What to do with a reminder occurrence found due, possibly late (after
/// downtime).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Post it (once). `late` when it is at least [`LATE_AFTER_MS`] late, so
    /// the post can say so.
    Fire {
        /// How late it is, in ms (0 or more).
        late_by_ms: i64,
        /// Whether it is late enough to say so.
        late: bool,
    },
    /// Too late ([`CATCH_UP_LIMIT_MS`] or more): do not post; the caller
    /// logs it and moves on to the next occurrence.
    Skip {
        /// How late it is, in ms.
        late_by_ms: i64,
    },
}

/// The catch-up policy for an occurrence scheduled at `scheduled_ms` and
/// handled at `now_ms` (both Unix ms): less than an hour late fires once
/// (marked late from a minute on), an hour or more late is skipped. A
/// `now_ms` before `scheduled_ms` (clock skew) counts as on time.
pub fn due(scheduled_ms: i64, now_ms: i64) -> Due {
    let late_by_ms = now_ms.saturating_sub(scheduled_ms).max(0);
    if late_by_ms < CATCH_UP_LIMIT_MS {
        Due::Fire { late_by_ms, late: late_by_ms >= LATE_AFTER_MS }
    } else {
        Due::Skip { late_by_ms }
    }
}
