//! A reminder's whole rule: the weekly time and days, and what fits it to a
//! season: every N weeks, a last date, dates skipped (match days, holidays)
//! and a pause. All dates are local dates in the rule's timezone.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;

use super::next::{local_time, next_occurrence};
use super::{Days, TimeOfDay};

/// The most weeks between firings (`every`).
pub const MAX_EVERY_WEEKS: u8 = 12;
/// The most dates one reminder can skip.
pub const MAX_SKIPS: usize = 60;
/// How many occurrences [`Rule::next_after`] looks through before giving up
/// (a pause of years, say).
const MAX_LOOK: usize = 5_000;

/// When a reminder fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Local time of day.
    pub time: TimeOfDay,
    /// Days of the week.
    pub days: Days,
    /// Timezone of `time` and of every date here.
    pub tz: Tz,
    /// Every this many weeks (1: every week), counted in whole weeks
    /// (Monday to Sunday) from the week of `anchor`.
    pub every_weeks: u8,
    /// A date in the first week it fires in.
    pub anchor: NaiveDate,
    /// The last date it fires on.
    pub until: Option<NaiveDate>,
    /// Dates it does not fire on.
    pub skips: BTreeSet<NaiveDate>,
    /// It does not fire on dates up to and including this one.
    pub paused_until: Option<NaiveDate>,
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

impl Rule {
    /// A weekly rule with nothing else, anchored at `anchor`.
    pub fn weekly(time: TimeOfDay, days: Days, tz: Tz, anchor: NaiveDate) -> Self {
        Self { time, days, tz, every_weeks: 1, anchor, until: None, skips: BTreeSet::new(), paused_until: None }
    }

    /// Whether the rule fires on local `date` (time aside).
    pub fn fires_on(&self, date: NaiveDate) -> bool {
        let weeks = (monday_of(date) - monday_of(self.anchor)).num_days().div_euclid(7);
        self.days.contains(date.weekday())
            && weeks >= 0
            && weeks % i64::from(self.every_weeks.max(1)) == 0
            && self.until.is_none_or(|u| date <= u)
            && self.paused_until.is_none_or(|p| date > p)
            && !self.skips.contains(&date)
    }

    /// The first firing strictly after `after_ms` (Unix ms), with the weekly
    /// rule's DST handling ([`next_occurrence`]); `None` once the last date
    /// has passed.
    pub fn next_after(&self, after_ms: i64) -> Option<i64> {
        let mut after = after_ms;
        for _ in 0..MAX_LOOK {
            let at = next_occurrence(after, self.time, self.days, self.tz);
            // The date the occurrence belongs to: a spring-forward gap can push
            // it past midnight, so take the date of one minute before.
            let date = local_time(at, self.tz)?.date();
            let intended = if self.days.contains(date.weekday()) { date } else { date - Duration::days(1) };
            if self.until.is_some_and(|u| intended > u) {
                return None;
            }
            if self.fires_on(intended) {
                return Some(at);
            }
            after = at;
        }
        None
    }

    /// The next `n` firings after `after_ms` (fewer when the rule ends).
    pub fn upcoming(&self, after_ms: i64, n: usize) -> Vec<i64> {
        let mut out = Vec::with_capacity(n);
        let mut after = after_ms;
        while out.len() < n {
            let Some(at) = self.next_after(after) else { break };
            out.push(at);
            after = at;
        }
        out
    }
}

/// Parses a local date, `YYYY-MM-DD`. Errors say what is wrong:
/// "2026-13-01 is not a date: use YYYY-MM-DD, like 2026-12-24".
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("Give a date as YYYY-MM-DD, like 2026-12-24".to_owned());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{} is not a date: use YYYY-MM-DD, like 2026-12-24", super::echo(s)))
}

/// Parses a list of dates separated by commas or spaces.
pub fn parse_dates(s: &str) -> Result<Vec<NaiveDate>, String> {
    let dates: Vec<NaiveDate> = s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(parse_date)
        .collect::<Result<_, _>>()?;
    if dates.is_empty() {
        return Err("Give one or more dates as YYYY-MM-DD, separated by commas".to_owned());
    }
    Ok(dates)
}

/// Today's local date in `tz` at `now_ms`.
pub fn today(now_ms: i64, tz: Tz) -> Option<NaiveDate> {
    local_time(now_ms, tz).map(|t| t.date())
}
