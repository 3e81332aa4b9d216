//! Reminder schedules: parsing what a coach types, and working out when a
//! reminder fires next.
//!
//! `/remind add routine:<r> time:HH:MM days:<daily|weekdays|weekends|mon,wed,fri>
//! timezone:<IANA>` posts a routine at a local time on some days. This module
//! is pure: no I/O and no clock (the caller passes `now` as Unix
//! milliseconds).
//!
//! - [`TimeOfDay`] parses `H:MM` / `HH:MM` (24-hour) and displays `HH:MM`.
//! - [`Days`] is a set of weekdays, stored as the database's bitmask
//!   (Monday = 1, Tuesday = 2, ... Sunday = 64).
//! - [`parse_timezone`] and [`timezone_suggestions`] handle IANA names.
//! - [`next_occurrence`] finds the next firing instant. A local time that does
//!   not exist that day (spring-forward gap) fires at the first valid minute
//!   after it; one that happens twice (fall-back) fires at its first
//!   occurrence only.
//! - [`due`] is the catch-up policy after downtime: less than
//!   [`CATCH_UP_LIMIT_MS`] late fires once, later is skipped.

#![warn(missing_docs)]

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::{Tz, TZ_VARIANTS};

/// A reminder more than this late (after downtime) is skipped, not posted.
pub const CATCH_UP_LIMIT_MS: i64 = 3_600_000;

/// A reminder at least this late is posted marked as late.
pub const LATE_AFTER_MS: i64 = 60_000;

/// How many characters of a user's input an error message repeats.
const ECHO_CHARS: usize = 40;

/// The accepted day forms, for error messages.
const DAY_FORMS: &str = "daily, weekdays, weekends, or days like mon,wed,fri";

/// Zones offered by [`timezone_suggestions`] before anything is typed.
const COMMON_ZONES: [&str; 12] = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Asia/Tokyo",
    "Asia/Kolkata",
];

/// The current IANA areas; a name outside them (`US/Eastern`, `EST5EDT`,
/// `Etc/GMT+5`, ...) is a legacy alias and is suggested after the real ones.
const AREAS: [&str; 10] =
    ["Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"];

/// Repeats at most [`ECHO_CHARS`] characters of user input in a message.
fn echo(s: &str) -> String {
    let mut out: String = s.chars().take(ECHO_CHARS).collect();
    if s.chars().nth(ECHO_CHARS).is_some() {
        out.push('…');
    }
    out
}

// ---------------------------------------------------------------------------
// Time of day
// ---------------------------------------------------------------------------

/// A local time of day on a whole minute, 00:00 to 23:59.
///
/// Parses from `H:MM` or `HH:MM` (24-hour clock: `7:05`, `07:05`, `19:30`);
/// displays as `HH:MM`. Every parse error is a user-facing sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    hour: u8,
    minute: u8,
}

impl TimeOfDay {
    /// Midnight, 00:00.
    pub const MIDNIGHT: TimeOfDay = TimeOfDay { hour: 0, minute: 0 };

    /// The time `hour:minute`, or `None` unless `hour` is 0–23 and `minute`
    /// 0–59.
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then_some(TimeOfDay { hour, minute })
    }

    /// Hour, 0–23.
    pub fn hour(self) -> u8 {
        self.hour
    }

    /// Minute, 0–59.
    pub fn minute(self) -> u8 {
        self.minute
    }

    /// As a chrono time (seconds 0).
    pub fn to_naive_time(self) -> NaiveTime {
        NaiveTime::from_hms_opt(u32::from(self.hour), u32::from(self.minute), 0).unwrap_or(NaiveTime::MIN)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl FromStr for TimeOfDay {
    type Err = String;

    /// Parses `H:MM` or `HH:MM` (surrounding spaces ignored). Errors:
    /// - empty: "Give a time as HH:MM, like 07:30"
    /// - `7pm`, `7:30 am`: "7pm is not a time: use the 24-hour clock, like 19:30"
    /// - `12`, `ab:cd`, `7:5`: "12 is not a time: use HH:MM, like 07:30"
    /// - `25:99`: "25:99 is not a time: hours go 0–23"
    /// - `24:00`: "24:00 is not a time: hours go 0–23 (midnight is 00:00)"
    /// - `12:60`: "12:60 is not a time: minutes go 00–59"
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err("Give a time as HH:MM, like 07:30".to_string());
        }
        let shown = echo(s);
        let lower = s.to_ascii_lowercase();
        if lower.ends_with("am") || lower.ends_with("pm") || lower.ends_with("a.m.") || lower.ends_with("p.m.") {
            return Err(format!("{shown} is not a time: use the 24-hour clock, like 19:30"));
        }
        let format_error = || format!("{shown} is not a time: use HH:MM, like 07:30");
        let (h, m) = s.split_once(':').ok_or_else(format_error)?;
        let digits = |part: &str, lens: std::ops::RangeInclusive<usize>| {
            lens.contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(h, 1..=2) || !digits(m, 2..=2) {
            return Err(format_error());
        }
        let hour: u8 = h.parse().map_err(|_| format_error())?;
        let minute: u8 = m.parse().map_err(|_| format_error())?;
        if hour == 24 && minute == 0 {
            return Err(format!("{shown} is not a time: hours go 0–23 (midnight is 00:00)"));
        }
        if hour > 23 {
            return Err(format!("{shown} is not a time: hours go 0–23"));
        }
        if minute > 59 {
            return Err(format!("{shown} is not a time: minutes go 00–59"));
        }
        Ok(TimeOfDay { hour, minute })
    }
}

// ---------------------------------------------------------------------------
// Days
// ---------------------------------------------------------------------------

/// A non-empty set of weekdays.
///
/// Stored as the database's bitmask: Monday = 1, Tuesday = 2, Wednesday = 4,
/// Thursday = 8, Friday = 16, Saturday = 32, Sunday = 64 (so 1..=127).
///
/// Parses from `daily` / `every day`, `weekdays`, `weekends`, or a list of
/// day names (`mon,wed,fri`, `Mon, Wed`, `monday,tuesday`, `tue thu`,
/// `mon-fri`), case-insensitively. Displays as `daily`, `weekdays`,
/// `weekends`, or a list like `mon, wed, fri` (which parses back).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Days(u8);

/// Weekdays in display order, with their short names.
const WEEK: [(Weekday, &str); 7] = [
    (Weekday::Mon, "mon"),
    (Weekday::Tue, "tue"),
    (Weekday::Wed, "wed"),
    (Weekday::Thu, "thu"),
    (Weekday::Fri, "fri"),
    (Weekday::Sat, "sat"),
    (Weekday::Sun, "sun"),
];

/// The bit of one weekday.
fn day_bit(day: Weekday) -> u8 {
    1 << day.num_days_from_monday()
}

/// A single day name: `mon`, `monday`, `mondays`, `tues`, `thurs`, ...
fn parse_day_name(word: &str) -> Option<Weekday> {
    let day = match word {
        "mo" | "mon" | "monday" | "mondays" => Weekday::Mon,
        "tu" | "tue" | "tues" | "tuesday" | "tuesdays" => Weekday::Tue,
        "we" | "wed" | "weds" | "wednesday" | "wednesdays" => Weekday::Wed,
        "th" | "thu" | "thur" | "thurs" | "thursday" | "thursdays" => Weekday::Thu,
        "fr" | "fri" | "friday" | "fridays" => Weekday::Fri,
        "sa" | "sat" | "saturday" | "saturdays" => Weekday::Sat,
        "su" | "sun" | "sunday" | "sundays" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

impl Days {
    /// Every day (127).
    pub const DAILY: Days = Days(127);
    /// Monday to Friday (31).
    pub const WEEKDAYS: Days = Days(31);
    /// Saturday and Sunday (96).
    pub const WEEKENDS: Days = Days(96);

    /// The bitmask, 1..=127.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// The set with this bitmask; `None` for 0 (no days) or above 127.
    pub fn from_bits(bits: u8) -> Option<Self> {
        (1..=127).contains(&bits).then_some(Days(bits))
    }

    /// The set holding just `day`.
    pub fn single(day: Weekday) -> Self {
        Days(day_bit(day))
    }

    /// Whether `day` is in the set.
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & day_bit(day) != 0
    }

    /// The days in the set, Monday first.
    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        WEEK.into_iter().map(|(day, _)| day).filter(move |&day| self.contains(day))
    }

    /// How many days are in the set, 1–7.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Always false: a `Days` is never empty (for clippy's `len` convention).
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Days::DAILY => f.write_str("daily"),
            Days::WEEKDAYS => f.write_str("weekdays"),
            Days::WEEKENDS => f.write_str("weekends"),
            _ => {
                let mut first = true;
                for (day, name) in WEEK {
                    if self.contains(day) {
                        if !first {
                            f.write_str(", ")?;
                        }
                        f.write_str(name)?;
                        first = false;
                    }
                }
                Ok(())
            }
        }
    }
}

impl FromStr for Days {
    type Err = String;

    /// Parses a day set. Words are separated by commas, spaces, `/`, `&`,
    /// `+` or `and`; each is `daily`, `weekdays`, `weekends` or a day name,
    /// or a range like `mon-fri` (which may wrap: `fri-mon`). The whole of
    /// `every day` / `everyday` also means daily. Errors:
    /// - empty: "Say which days: daily, weekdays, weekends, or days like mon,wed,fri"
    /// - an unknown word: "\"funday\" is not a day: use daily, weekdays, weekends, or days like mon,wed,fri"
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| c == ',' || c == '/' || c == '&' || c == '+' || c == ';' || c.is_whitespace())
            .filter(|w| !w.is_empty() && *w != "and")
            .collect();
        if words.is_empty() {
            return Err(format!("Say which days: {DAY_FORMS}"));
        }
        if matches!(words.as_slice(), ["every", "day"] | ["every", "days"] | ["all", "days"] | ["all", "week"]) {
            return Ok(Days::DAILY);
        }
        let unknown = |word: &str| format!("\"{}\" is not a day: use {DAY_FORMS}", echo(word));
        let mut bits = 0u8;
        for word in words {
            bits |= match word {
                "daily" | "everyday" | "all" => Days::DAILY.0,
                "weekdays" | "weekday" => Days::WEEKDAYS.0,
                "weekends" | "weekend" => Days::WEEKENDS.0,
                _ => match word.split_once('-') {
                    Some((from, to)) => {
                        let from = parse_day_name(from).ok_or_else(|| unknown(from))?;
                        let to = parse_day_name(to).ok_or_else(|| unknown(to))?;
                        let mut range = day_bit(from);
                        let mut day = from;
                        while day != to {
                            day = day.succ();
                            range |= day_bit(day);
                        }
                        range
                    }
                    None => day_bit(parse_day_name(word).ok_or_else(|| unknown(word))?),
                },
            };
        }
        Ok(Days(bits))
    }
}

// ---------------------------------------------------------------------------
// Timezones
// ---------------------------------------------------------------------------

/// Whether `name` is a legacy alias rather than a current `Area/City` name.
fn is_legacy(name: &str) -> bool {
    match name.split_once('/') {
        Some((area, _)) => !AREAS.contains(&area),
        None => true,
    }
}

/// How well zone `name` matches the (lowercased, spaces as `_`) `query`, by
/// substring: 0 = the name or its city part starts with it, 1 = a word of
/// the city starts with it, 2 = it occurs anywhere; `None` = no match.
fn substring_rank(name: &str, query: &str) -> Option<u8> {
    let name = name.to_ascii_lowercase();
    let city = name.rsplit('/').next().unwrap_or(&name);
    if name.starts_with(query) || city.starts_with(query) {
        Some(0)
    } else if city.split(['_', '-']).any(|word| word.starts_with(query)) {
        Some(1)
    } else if name.contains(query) {
        Some(2)
    } else {
        None
    }
}

/// Normalises typed zone text: trimmed, lowercase, spaces as `_`.
fn normalise_zone_query(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join("_").to_lowercase()
}

/// Parses an IANA timezone name, case-insensitively (`europe/berlin` →
/// `Europe/Berlin`, `utc` → `UTC`); spaces may stand for underscores
/// (`America/New York`).
///
/// The error is a user-facing sentence naming the input and suggesting up to
/// three close names, e.g. `"Europe/Berln" is not a timezone I know. Did you
/// mean Europe/Berlin? Use an IANA name like Europe/London.`
pub fn parse_timezone(s: &str) -> Result<Tz, String> {
    let query = normalise_zone_query(s);
    if query.is_empty() {
        return Err("Give a timezone: an IANA name like Europe/London or America/New_York".to_string());
    }
    if let Some(tz) = TZ_VARIANTS.iter().copied().find(|tz| tz.name().eq_ignore_ascii_case(&query)) {
        return Ok(tz);
    }
    let shown = echo(s.trim());
    if let Some((sign, hours)) = fixed_offset(&query) {
        let etc = if sign == '+' { '-' } else { '+' };
        return Err(format!(
            "\"{shown}\" is not a timezone I know. For a fixed UTC{sign}{hours} use Etc/GMT{etc}{hours} \
             (Etc names count the other way), or better your city's zone, like Europe/Berlin, \
             which follows daylight saving."
        ));
    }
    let close = close_zones(&query, 3);
    Err(match close.as_slice() {
        [] => format!("\"{shown}\" is not a timezone I know. Use an IANA name like Europe/London or America/New_York."),
        [one] => format!("\"{shown}\" is not a timezone I know. Did you mean {one}?"),
        [init @ .., last] => {
            format!("\"{shown}\" is not a timezone I know. Did you mean {} or {last}?", init.join(", "))
        }
    })
}

/// `utc+2`, `gmt-05`, `utc+10` (normalised query) as its sign and hours, when
/// an `Etc/GMT` zone exists for it (`Etc/GMT-14` to `Etc/GMT+12`).
fn fixed_offset(query: &str) -> Option<(char, u8)> {
    let rest = query.strip_prefix("utc").or_else(|| query.strip_prefix("gmt"))?;
    let sign = rest.chars().next().filter(|c| *c == '+' || *c == '-')?;
    let digits = &rest[1..];
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: u8 = digits.parse().ok()?;
    let exists = match sign {
        '+' => (1..=14).contains(&hours),
        _ => (1..=12).contains(&hours),
    };
    exists.then_some((sign, hours))
}

/// Up to `limit` zone names close to `query` (already normalised): substring
/// matches first, then names within a small edit distance of the whole name
/// or its city part.
fn close_zones(query: &str, limit: usize) -> Vec<&'static str> {
    // Edit distance over long input is pointless and slow.
    const MAX_QUERY: usize = 40;
    let max_distance = (query.chars().count() / 3).max(1);
    let mut scored: Vec<(u8, usize, bool, &'static str)> = TZ_VARIANTS
        .iter()
        .filter_map(|tz| {
            let name = tz.name();
            if let Some(rank) = substring_rank(name, query) {
                return Some((rank, 0, is_legacy(name), name));
            }
            if query.len() > MAX_QUERY {
                return None;
            }
            let lower = name.to_ascii_lowercase();
            let city = lower.rsplit('/').next().unwrap_or(&lower);
            let distance = strsim::levenshtein(query, &lower).min(strsim::levenshtein(query, city));
            (distance <= max_distance).then_some((3, distance, is_legacy(name), name))
        })
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(limit).map(|(_, _, _, name)| name).collect()
}

/// Zone names for autocomplete: at most `limit` names containing `partial`
/// (case-insensitive; spaces match underscores), names or city parts that
/// start with it first, then those with a word of the city starting with it,
/// then any other; within each, common zones first, then current `Area/City`
/// names, then legacy aliases (`US/Eastern`). An empty
/// `partial` gives common zones (UTC, Europe/London, Europe/Berlin,
/// America/New_York, ...). Every name is at most 100 characters (Discord's
/// limit for a choice).
pub fn timezone_suggestions(partial: &str, limit: usize) -> Vec<&'static str> {
    let query = normalise_zone_query(partial);
    if query.is_empty() {
        return COMMON_ZONES.into_iter().take(limit).collect();
    }
    let mut scored: Vec<(u8, bool, bool, &'static str)> = TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.len() <= 100)
        .filter_map(|name| {
            substring_rank(name, &query).map(|rank| (rank, !COMMON_ZONES.contains(&name), is_legacy(name), name))
        })
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(limit).map(|(_, _, _, name)| name).collect()
}

// ---------------------------------------------------------------------------
// Next occurrence
// ---------------------------------------------------------------------------

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Australia, Europe};
    use proptest::prelude::*;

    const MIN: i64 = 60_000;
    const DAY: i64 = 86_400_000;

    fn t(s: &str) -> TimeOfDay {
        s.parse().unwrap()
    }

    fn d(s: &str) -> Days {
        s.parse().unwrap()
    }

    /// Unix ms of a UTC wall-clock time.
    fn utc(y: i32, mo: u32, da: u32, h: u32, mi: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, mo, da).unwrap().and_hms_opt(h, mi, 0).unwrap().and_utc().timestamp_millis()
    }

    /// Unix ms of a local wall-clock time (its first occurrence).
    fn local(tz: Tz, y: i32, mo: u32, da: u32, h: u32, mi: u32) -> i64 {
        let naive = NaiveDate::from_ymd_opt(y, mo, da).unwrap().and_hms_opt(h, mi, 0).unwrap();
        tz.from_local_datetime(&naive).earliest().unwrap().timestamp_millis()
    }

    // --- TimeOfDay ---------------------------------------------------------

    #[test]
    fn time_parses_good_forms() {
        assert_eq!(t("7:05"), TimeOfDay::new(7, 5).unwrap());
        assert_eq!(t("07:05"), TimeOfDay::new(7, 5).unwrap());
        assert_eq!(t("00:00"), TimeOfDay::MIDNIGHT);
        assert_eq!(t("0:00"), TimeOfDay::MIDNIGHT);
        assert_eq!(t("23:59"), TimeOfDay::new(23, 59).unwrap());
        assert_eq!(t(" 19:30 "), TimeOfDay::new(19, 30).unwrap());
        assert_eq!(t("7:05").hour(), 7);
        assert_eq!(t("7:05").minute(), 5);
    }

    #[test]
    fn time_displays_hh_mm() {
        assert_eq!(t("7:05").to_string(), "07:05");
        assert_eq!(t("0:00").to_string(), "00:00");
        assert_eq!(t("23:59").to_string(), "23:59");
        for h in 0..24 {
            for m in 0..60 {
                let time = TimeOfDay::new(h, m).unwrap();
                assert_eq!(time.to_string().parse::<TimeOfDay>(), Ok(time));
            }
        }
    }

    #[test]
    fn time_rejects_bad_forms_with_messages() {
        let cases = [
            ("25:99", "25:99 is not a time: hours go 0–23"),
            ("24:00", "24:00 is not a time: hours go 0–23 (midnight is 00:00)"),
            ("24:30", "24:30 is not a time: hours go 0–23"),
            ("12:60", "12:60 is not a time: minutes go 00–59"),
            ("12", "12 is not a time: use HH:MM, like 07:30"),
            ("ab:cd", "ab:cd is not a time: use HH:MM, like 07:30"),
            ("7:5", "7:5 is not a time: use HH:MM, like 07:30"),
            ("007:05", "007:05 is not a time: use HH:MM, like 07:30"),
            ("+7:05", "+7:05 is not a time: use HH:MM, like 07:30"),
            ("7:05:00", "7:05:00 is not a time: use HH:MM, like 07:30"),
            ("7.30", "7.30 is not a time: use HH:MM, like 07:30"),
            ("7pm", "7pm is not a time: use the 24-hour clock, like 19:30"),
            ("7:30 AM", "7:30 AM is not a time: use the 24-hour clock, like 19:30"),
            ("", "Give a time as HH:MM, like 07:30"),
            ("   ", "Give a time as HH:MM, like 07:30"),
        ];
        for (input, message) in cases {
            assert_eq!(input.parse::<TimeOfDay>(), Err(message.to_string()), "input {input:?}");
        }
        assert_eq!(TimeOfDay::new(24, 0), None);
        assert_eq!(TimeOfDay::new(12, 60), None);
    }

    #[test]
    fn time_error_echo_is_bounded() {
        let long = "9".repeat(500);
        let err = long.parse::<TimeOfDay>().unwrap_err();
        assert!(err.chars().count() < 100, "{err}");
    }

    // --- Days --------------------------------------------------------------

    #[test]
    fn days_parse_named_sets() {
        assert_eq!(d("daily"), Days::DAILY);
        assert_eq!(d("Every Day"), Days::DAILY);
        assert_eq!(d("everyday"), Days::DAILY);
        assert_eq!(d("weekdays"), Days::WEEKDAYS);
        assert_eq!(d("WEEKENDS"), Days::WEEKENDS);
        assert_eq!(d("weekdays, weekends"), Days::DAILY);
        assert_eq!(Days::DAILY.bits(), 127);
        assert_eq!(Days::WEEKDAYS.bits(), 31);
        assert_eq!(Days::WEEKENDS.bits(), 96);
    }

    #[test]
    fn days_parse_lists() {
        let mwf = Days::from_bits(1 | 4 | 16).unwrap();
        assert_eq!(d("mon,wed,fri"), mwf);
        assert_eq!(d("Mon, Wed, Fri"), mwf);
        assert_eq!(d("monday wednesday friday"), mwf);
        assert_eq!(d("mon and wed & fri"), mwf);
        assert_eq!(d("Mon, Wed"), Days::from_bits(1 | 4).unwrap());
        assert_eq!(d("monday,tuesday"), Days::from_bits(1 | 2).unwrap());
        assert_eq!(d("tue thu"), Days::from_bits(2 | 8).unwrap());
        assert_eq!(d("TUES/THURS"), Days::from_bits(2 | 8).unwrap());
        assert_eq!(d("sundays"), Days::from_bits(64).unwrap());
        assert_eq!(d("mon,mon"), Days::from_bits(1).unwrap());
        assert_eq!(d("mon-fri"), Days::WEEKDAYS);
        assert_eq!(d("sat-sun"), Days::WEEKENDS);
        assert_eq!(d("fri-mon"), Days::from_bits(16 | 32 | 64 | 1).unwrap());
        assert_eq!(d("wed-wed"), Days::single(Weekday::Wed));
    }

    #[test]
    fn days_reject_bad_forms_with_messages() {
        let empty = "Say which days: daily, weekdays, weekends, or days like mon,wed,fri";
        let unknown =
            |w: &str| format!("\"{w}\" is not a day: use daily, weekdays, weekends, or days like mon,wed,fri");
        let cases = [
            ("", empty.to_string()),
            ("  ", empty.to_string()),
            (", ,", empty.to_string()),
            ("and", empty.to_string()),
            ("funday", unknown("funday")),
            ("mon,funday", unknown("funday")),
            ("Mon, Blursday", unknown("blursday")),
            ("mon-xyz", unknown("xyz")),
            ("every", unknown("every")),
            ("every other day", unknown("every")),
        ];
        for (input, message) in cases {
            assert_eq!(input.parse::<Days>(), Err(message), "input {input:?}");
        }
    }

    #[test]
    fn days_display() {
        assert_eq!(Days::DAILY.to_string(), "daily");
        assert_eq!(Days::WEEKDAYS.to_string(), "weekdays");
        assert_eq!(Days::WEEKENDS.to_string(), "weekends");
        assert_eq!(d("fri,mon,wed").to_string(), "mon, wed, fri");
        assert_eq!(d("sunday").to_string(), "sun");
    }

    #[test]
    fn days_round_trip_every_mask() {
        for bits in 1..=127u8 {
            let days = Days::from_bits(bits).unwrap();
            assert_eq!(days.bits(), bits);
            assert_eq!(days.to_string().parse::<Days>(), Ok(days), "bits {bits}");
            assert_eq!(days.len(), bits.count_ones() as usize);
            assert!(!days.is_empty());
            let rebuilt = days.iter().fold(0u8, |acc, day| acc | Days::single(day).bits());
            assert_eq!(rebuilt, bits);
        }
        assert_eq!(Days::from_bits(0), None);
        assert_eq!(Days::from_bits(128), None);
        assert_eq!(Days::from_bits(255), None);
    }

    #[test]
    fn days_contains_matches_database_bits() {
        let week = [
            (Weekday::Mon, 1),
            (Weekday::Tue, 2),
            (Weekday::Wed, 4),
            (Weekday::Thu, 8),
            (Weekday::Fri, 16),
            (Weekday::Sat, 32),
            (Weekday::Sun, 64),
        ];
        for (day, bit) in week {
            assert_eq!(Days::single(day).bits(), bit);
            assert!(Days::from_bits(bit).unwrap().contains(day));
            assert!(!Days::from_bits(127 - bit).unwrap().contains(day));
        }
        assert!(Days::WEEKDAYS.contains(Weekday::Fri));
        assert!(!Days::WEEKDAYS.contains(Weekday::Sat));
    }

    // --- Timezones ---------------------------------------------------------

    #[test]
    fn timezone_parses_case_insensitively() {
        assert_eq!(parse_timezone("Europe/Berlin"), Ok(Europe::Berlin));
        assert_eq!(parse_timezone("europe/berlin"), Ok(Europe::Berlin));
        assert_eq!(parse_timezone("EUROPE/BERLIN"), Ok(Europe::Berlin));
        assert_eq!(parse_timezone("UTC"), Ok(Tz::UTC));
        assert_eq!(parse_timezone("utc"), Ok(Tz::UTC));
        assert_eq!(parse_timezone(" America/New_York "), Ok(America::New_York));
        assert_eq!(parse_timezone("america/new york"), Ok(America::New_York));
        assert_eq!(parse_timezone("America/Argentina/Buenos_Aires"), Ok(America::Argentina::Buenos_Aires));
        for tz in TZ_VARIANTS {
            assert_eq!(parse_timezone(tz.name()), Ok(tz));
            assert_eq!(parse_timezone(&tz.name().to_lowercase()), Ok(tz));
        }
    }

    #[test]
    fn timezone_errors_name_input_and_suggest() {
        let err = parse_timezone("Europe/Berln").unwrap_err();
        assert!(err.starts_with("\"Europe/Berln\" is not a timezone I know."), "{err}");
        assert!(err.contains("Did you mean Europe/Berlin"), "{err}");

        let err = parse_timezone("Berlin").unwrap_err();
        assert!(err.contains("\"Berlin\""), "{err}");
        assert!(err.contains("Europe/Berlin"), "{err}");

        let err = parse_timezone("new york").unwrap_err();
        assert!(err.contains("America/New_York"), "{err}");

        let err = parse_timezone("Amerika/Chicgo").unwrap_err();
        assert!(err.contains("America/Chicago"), "{err}");

        // Etc/GMT+2 is UTC−2: point UTC+2 at Etc/GMT-2 instead.
        let err = parse_timezone("GMT+2").unwrap_err();
        assert!(err.starts_with("\"GMT+2\" is not a timezone I know. For a fixed UTC+2 use Etc/GMT-2 "), "{err}");
        let err = parse_timezone("utc-05").unwrap_err();
        assert!(err.contains("For a fixed UTC-5 use Etc/GMT+5 "), "{err}");
        assert_eq!(parse_timezone("Etc/GMT-2"), Ok(chrono_tz::Etc::GMTMinus2));
        assert!(!parse_timezone("UTC+15").unwrap_err().contains("Etc/GMT-15"));

        let err = parse_timezone("qqqqqqqqqqqqqqq").unwrap_err();
        assert_eq!(
            err,
            "\"qqqqqqqqqqqqqqq\" is not a timezone I know. Use an IANA name like Europe/London or America/New_York."
        );

        assert_eq!(
            parse_timezone("  "),
            Err("Give a timezone: an IANA name like Europe/London or America/New_York".to_string())
        );
    }

    #[test]
    fn timezone_errors_suggest_at_most_three() {
        for input in ["America", "a", "Europe/", "aust", "Pacific/X"] {
            let err = parse_timezone(input).unwrap_err();
            let suggested = err.matches('/').count() - input.matches('/').count();
            assert!(suggested <= 3, "{err}");
        }
        let long = "x".repeat(10_000);
        let err = parse_timezone(&long).unwrap_err();
        assert!(err.chars().count() < 200);
    }

    #[test]
    fn timezone_suggestions_for_empty_are_common_zones() {
        let common = timezone_suggestions("", 25);
        assert_eq!(common[0], "UTC");
        for zone in [
            "Europe/London",
            "Europe/Berlin",
            "America/New_York",
            "America/Chicago",
            "America/Los_Angeles",
            "Australia/Sydney",
            "Asia/Tokyo",
        ] {
            assert!(common.contains(&zone), "{zone}");
        }
        for zone in &common {
            assert!(parse_timezone(zone).is_ok(), "{zone}");
        }
        assert_eq!(timezone_suggestions("", 3).len(), 3);
        assert!(timezone_suggestions("", 0).is_empty());
    }

    #[test]
    fn timezone_suggestions_rank_city_prefixes_first() {
        assert_eq!(timezone_suggestions("berlin", 5)[0], "Europe/Berlin");
        assert_eq!(timezone_suggestions("BER", 5)[0], "Europe/Berlin");
        assert_eq!(timezone_suggestions("new", 5)[0], "America/New_York");
        assert_eq!(timezone_suggestions("new y", 5)[0], "America/New_York");
        assert_eq!(timezone_suggestions("york", 5)[0], "America/New_York");
        assert_eq!(timezone_suggestions("europe/lon", 5), vec!["Europe/London"]);
        assert_eq!(timezone_suggestions("syd", 5)[0], "Australia/Sydney");
        let eastern = timezone_suggestions("eastern", 5);
        assert!(eastern.contains(&"US/Eastern"), "{eastern:?}");
        assert!(timezone_suggestions("zzzz", 25).is_empty());
    }

    #[test]
    fn timezone_suggestions_respect_limit_and_match() {
        for partial in ["a", "America", "e", "o", "/", "_", "GMT"] {
            for limit in [0, 1, 5, 25] {
                let got = timezone_suggestions(partial, limit);
                assert!(got.len() <= limit);
                for name in got {
                    assert!(name.len() <= 100);
                    assert!(name.to_lowercase().contains(&partial.to_lowercase()), "{partial} → {name}");
                }
            }
        }
        assert_eq!(timezone_suggestions("a", 25).len(), 25);
    }

    // --- next_occurrence ---------------------------------------------------

    #[test]
    fn new_york_spring_forward() {
        let tz = America::New_York;
        let after = local(tz, 2026, 3, 7, 12, 0);
        // 02:30 does not exist on 2026-03-08: fires at 03:00 EDT.
        let first = next_occurrence(after, t("02:30"), Days::DAILY, tz);
        assert_eq!(first, utc(2026, 3, 8, 7, 0));
        assert_eq!(local_time(first, tz).unwrap().to_string(), "2026-03-08 03:00:00");
        assert_eq!(next_occurrence(first, t("02:30"), Days::DAILY, tz), utc(2026, 3, 9, 6, 30));
        assert_eq!(next_occurrence(after, t("02:00"), Days::DAILY, tz), utc(2026, 3, 8, 7, 0));
        assert_eq!(next_occurrence(after, t("02:59"), Days::DAILY, tz), utc(2026, 3, 8, 7, 0));
        assert_eq!(next_occurrence(after, t("01:59"), Days::DAILY, tz), utc(2026, 3, 8, 6, 59));
        assert_eq!(next_occurrence(after, t("03:00"), Days::DAILY, tz), utc(2026, 3, 8, 7, 0));
        assert_eq!(next_occurrence(after, t("03:01"), Days::DAILY, tz), utc(2026, 3, 8, 7, 1));
        // Called inside the gap's hour (UTC 06:59 is 01:59 EST): still that day.
        assert_eq!(next_occurrence(utc(2026, 3, 8, 6, 59), t("02:30"), Days::DAILY, tz), utc(2026, 3, 8, 7, 0));
    }

    #[test]
    fn new_york_fall_back() {
        let tz = America::New_York;
        let after = local(tz, 2026, 10, 31, 12, 0);
        // 01:30 happens at 05:30Z (EDT) and 06:30Z (EST): only the first.
        let first = next_occurrence(after, t("01:30"), Days::DAILY, tz);
        assert_eq!(first, utc(2026, 11, 1, 5, 30));
        assert_eq!(next_occurrence(first, t("01:30"), Days::DAILY, tz), utc(2026, 11, 2, 6, 30));
        // Between the two: not again that day.
        assert_eq!(next_occurrence(utc(2026, 11, 1, 6, 0), t("01:30"), Days::DAILY, tz), utc(2026, 11, 2, 6, 30));
        assert_eq!(next_occurrence(after, t("01:00"), Days::DAILY, tz), utc(2026, 11, 1, 5, 0));
        assert_eq!(next_occurrence(after, t("02:00"), Days::DAILY, tz), utc(2026, 11, 1, 7, 0));
        assert_eq!(next_occurrence(after, t("00:59"), Days::DAILY, tz), utc(2026, 11, 1, 4, 59));
    }

    #[test]
    fn berlin_changes() {
        let tz = Europe::Berlin;
        let spring = next_occurrence(local(tz, 2026, 3, 28, 12, 0), t("02:30"), Days::DAILY, tz);
        assert_eq!(spring, utc(2026, 3, 29, 1, 0)); // 03:00 CEST
        assert_eq!(next_occurrence(spring, t("02:30"), Days::DAILY, tz), utc(2026, 3, 30, 0, 30));

        let autumn = next_occurrence(local(tz, 2026, 10, 24, 12, 0), t("02:30"), Days::DAILY, tz);
        assert_eq!(autumn, utc(2026, 10, 25, 0, 30)); // 02:30 CEST, not 02:30 CET
        assert_eq!(next_occurrence(autumn, t("02:30"), Days::DAILY, tz), utc(2026, 10, 26, 1, 30));
        assert_eq!(next_occurrence(utc(2026, 10, 25, 1, 0), t("02:30"), Days::DAILY, tz), utc(2026, 10, 26, 1, 30));
    }

    #[test]
    fn sydney_changes() {
        let tz = Australia::Sydney;
        // 2026-04-05 03:00 AEDT → 02:00 AEST: 02:30 happens twice.
        let autumn = next_occurrence(local(tz, 2026, 4, 4, 12, 0), t("02:30"), Days::DAILY, tz);
        assert_eq!(autumn, utc(2026, 4, 4, 15, 30)); // +11
        assert_eq!(next_occurrence(autumn, t("02:30"), Days::DAILY, tz), utc(2026, 4, 5, 16, 30));
        assert_eq!(next_occurrence(utc(2026, 4, 4, 16, 0), t("02:30"), Days::DAILY, tz), utc(2026, 4, 5, 16, 30));
        // 2026-10-04 02:00 AEST → 03:00 AEDT: 02:30 fires at 03:00.
        let spring = next_occurrence(local(tz, 2026, 10, 3, 12, 0), t("02:30"), Days::DAILY, tz);
        assert_eq!(spring, utc(2026, 10, 3, 16, 0));
        assert_eq!(local_time(spring, tz).unwrap().to_string(), "2026-10-04 03:00:00");
        assert_eq!(next_occurrence(spring, t("02:30"), Days::DAILY, tz), utc(2026, 10, 4, 15, 30));
    }

    #[test]
    fn weekdays_from_friday_evening_is_monday() {
        let tz = America::New_York;
        let friday_evening = local(tz, 2026, 3, 6, 19, 0);
        assert_eq!(NaiveDate::from_ymd_opt(2026, 3, 6).unwrap().weekday(), Weekday::Fri);
        // Monday 2026-03-09 07:00 EDT (after the spring-forward Sunday).
        assert_eq!(next_occurrence(friday_evening, t("07:00"), Days::WEEKDAYS, tz), utc(2026, 3, 9, 11, 0));
        // Weekends from the same Friday evening: Saturday.
        assert_eq!(next_occurrence(friday_evening, t("07:00"), Days::WEEKENDS, tz), utc(2026, 3, 7, 12, 0));
        // Friday's own 07:00 has passed: next Friday.
        assert_eq!(
            next_occurrence(friday_evening, t("07:00"), Days::single(Weekday::Fri), tz),
            utc(2026, 3, 13, 11, 0)
        );
        // Friday's 20:00 has not.
        assert_eq!(next_occurrence(friday_evening, t("20:00"), Days::single(Weekday::Fri), tz), utc(2026, 3, 7, 1, 0));
    }

    #[test]
    fn strictly_after() {
        let tz = America::New_York;
        let at = utc(2026, 6, 1, 11, 0); // 07:00 EDT
        assert_eq!(next_occurrence(at - 1, t("07:00"), Days::DAILY, tz), at);
        assert_eq!(next_occurrence(at, t("07:00"), Days::DAILY, tz), at + DAY);
        assert_eq!(next_occurrence(at + 1, t("07:00"), Days::DAILY, tz), at + DAY);
        assert_eq!(next_occurrence(at, t("07:00"), Days::WEEKDAYS, tz), at + DAY); // Mon → Tue
        let monday_only = Days::single(Weekday::Mon);
        assert_eq!(next_occurrence(at, t("07:00"), monday_only, tz), at + 7 * DAY);
    }

    #[test]
    fn utc_and_odd_offsets() {
        assert_eq!(next_occurrence(utc(2026, 1, 1, 0, 0), t("00:00"), Days::DAILY, Tz::UTC), utc(2026, 1, 2, 0, 0));
        assert_eq!(next_occurrence(utc(2026, 1, 1, 0, 0) - 1, t("00:00"), Days::DAILY, Tz::UTC), utc(2026, 1, 1, 0, 0));
        // Kolkata is +05:30, Chatham +13:45 in January.
        assert_eq!(
            next_occurrence(utc(2026, 1, 1, 0, 0), t("07:00"), Days::DAILY, chrono_tz::Asia::Kolkata),
            utc(2026, 1, 1, 1, 30)
        );
        assert_eq!(
            next_occurrence(utc(2026, 1, 1, 0, 0), t("07:00"), Days::DAILY, chrono_tz::Pacific::Chatham),
            utc(2026, 1, 1, 17, 15)
        );
    }

    #[test]
    fn skipped_day_in_apia() {
        // Samoa skipped Friday 2011-12-30 (Thursday 29th, then Saturday 31st).
        let tz = chrono_tz::Pacific::Apia;
        let after = local(tz, 2011, 12, 29, 0, 0);
        let got = next_occurrence(after, t("10:00"), Days::single(Weekday::Fri), tz);
        assert_eq!(local_time(got, tz).unwrap().to_string(), "2011-12-31 00:00:00");
        let next = next_occurrence(got, t("10:00"), Days::single(Weekday::Fri), tz);
        assert_eq!(local_time(next, tz).unwrap().to_string(), "2012-01-06 10:00:00");
    }

    #[test]
    fn extreme_inputs_terminate() {
        for after in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
            for tz in [Tz::UTC, America::New_York, chrono_tz::Pacific::Apia] {
                let got = next_occurrence(after, t("23:59"), Days::single(Weekday::Sun), tz);
                assert!(got > after || after > i64::MAX - 60_000, "{after} → {got}");
            }
        }
        assert_eq!(next_occurrence(-1, t("00:00"), Days::DAILY, Tz::UTC), 0);
    }

    /// Whether `ms` is a correct firing instant of `time` in `tz` on its
    /// scheduled date `date`: the first occurrence of that local time, or in
    /// a gap the first valid minute after it.
    fn fires_for(ms: i64, date: NaiveDate, time: TimeOfDay, tz: Tz) -> bool {
        let wanted = date.and_time(time.to_naive_time());
        let got = local_time(ms, tz).unwrap();
        match tz.from_local_datetime(&wanted) {
            chrono::LocalResult::None => {
                let before = local_time(ms - MIN, tz).unwrap();
                got > wanted && before < wanted && got - before > Duration::minutes(1)
            }
            other => other.earliest().unwrap().timestamp_millis() == ms,
        }
    }

    #[test]
    fn daily_walk_fires_once_per_local_day() {
        let zones = [
            America::New_York,
            Europe::Berlin,
            Australia::Sydney,
            Australia::Lord_Howe,
            America::Santiago,
            chrono_tz::Asia::Kolkata,
            chrono_tz::Pacific::Chatham,
            Tz::UTC,
        ];
        let times = ["00:00", "00:30", "01:00", "01:30", "01:45", "02:00", "02:15", "02:30", "03:00", "12:00", "23:30"];
        for tz in zones {
            for time in times.map(t) {
                let mut at = local(tz, 2026, 1, 1, 0, 0) - DAY;
                let mut previous_date: Option<NaiveDate> = None;
                for _ in 0..400 {
                    let next = next_occurrence(at, time, Days::DAILY, tz);
                    assert!(next > at && next - at <= 2 * DAY, "{tz} {time}: {at} → {next}");
                    assert_eq!(next % MIN, 0);
                    let date = local_time(next, tz).unwrap().date();
                    if let Some(prev) = previous_date {
                        assert_eq!(date, prev.succ_opt().unwrap(), "{tz} {time} after {prev}");
                    }
                    assert!(fires_for(next, date, time, tz), "{tz} {time} on {date}");
                    previous_date = Some(date);
                    at = next;
                }
            }
        }
    }

    #[test]
    fn weekly_walk_fires_once_per_week() {
        for tz in [America::New_York, Europe::Berlin, Australia::Sydney] {
            for day in [Weekday::Sun, Weekday::Mon] {
                let mut at = utc(2026, 1, 1, 0, 0);
                let mut previous: Option<NaiveDate> = None;
                for _ in 0..120 {
                    let next = next_occurrence(at, t("02:30"), Days::single(day), tz);
                    let date = local_time(next, tz).unwrap().date();
                    assert_eq!(date.weekday(), day);
                    if let Some(prev) = previous {
                        assert_eq!(date - prev, Duration::days(7));
                    }
                    previous = Some(date);
                    at = next;
                }
            }
        }
    }

    /// Brute force: the first whole UTC minute after `after_ms` that is a
    /// firing instant.
    fn oracle(after_ms: i64, time: TimeOfDay, days: Days, tz: Tz) -> Option<i64> {
        let wanted = time.to_naive_time();
        let mut m = (after_ms.div_euclid(MIN) + 1) * MIN;
        while m <= after_ms + 9 * DAY {
            let here = local_time(m, tz)?;
            let before = local_time(m - MIN, tz)?;
            if here.time() == wanted
                && days.contains(here.weekday())
                && tz.from_local_datetime(&here).earliest()?.timestamp_millis() == m
            {
                return Some(m);
            }
            if here - before > Duration::minutes(1) {
                for date in [before.date(), here.date()] {
                    let target = date.and_time(wanted);
                    if days.contains(date.weekday()) && before < target && target < here {
                        return Some(m);
                    }
                }
            }
            m += MIN;
        }
        None
    }

    const PROP_ZONES: [Tz; 7] = [
        America::New_York,
        Europe::Berlin,
        Australia::Sydney,
        Australia::Lord_Howe,
        America::Santiago,
        chrono_tz::Pacific::Chatham,
        Tz::UTC,
    ];

    fn after_strategy() -> impl Strategy<Value = i64> {
        let start = utc(2000, 1, 1, 0, 0);
        let end = utc(2090, 1, 1, 0, 0);
        let spring = utc(2026, 3, 1, 0, 0)..utc(2026, 4, 10, 0, 0);
        let autumn = utc(2026, 9, 25, 0, 0)..utc(2026, 11, 5, 0, 0);
        prop_oneof![start..end, spring, autumn]
    }

    fn time_strategy() -> impl Strategy<Value = TimeOfDay> {
        prop_oneof![(0u8..24, 0u8..60), (0u8..4, 0u8..60), (22u8..24, 0u8..60)]
            .prop_map(|(h, m)| TimeOfDay::new(h, m).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn next_occurrence_matches_brute_force(
            after in after_strategy(),
            time in time_strategy(),
            bits in 1u8..=127,
            zone in 0..PROP_ZONES.len(),
        ) {
            let tz = PROP_ZONES[zone];
            let days = Days::from_bits(bits).unwrap();
            let got = next_occurrence(after, time, days, tz);
            prop_assert!(got > after);
            prop_assert!(got - after <= 8 * DAY);
            prop_assert_eq!(got % MIN, 0);
            let here = local_time(got, tz).unwrap();
            if here.time() == time.to_naive_time() {
                prop_assert!(days.contains(here.weekday()));
            }
            prop_assert_eq!(Some(got), oracle(after, time, days, tz));
        }

        #[test]
        fn days_parse_display_round_trip(bits in 1u8..=127) {
            let days = Days::from_bits(bits).unwrap();
            prop_assert_eq!(days.to_string().parse::<Days>(), Ok(days));
        }

        #[test]
        fn time_parse_never_panics(s in "\\PC{0,12}") {
            let _ = s.parse::<TimeOfDay>();
            let _ = s.parse::<Days>();
            let _ = parse_timezone(&s);
            let _ = timezone_suggestions(&s, 25);
        }
    }

    // --- Catch-up ----------------------------------------------------------

    #[test]
    fn catch_up_policy() {
        let at = utc(2026, 6, 1, 11, 0);
        assert_eq!(due(at, at), Due::Fire { late_by_ms: 0, late: false });
        assert_eq!(due(at, at + 59_999), Due::Fire { late_by_ms: 59_999, late: false });
        assert_eq!(due(at, at + 60_000), Due::Fire { late_by_ms: 60_000, late: true });
        assert_eq!(due(at, at + 59 * MIN), Due::Fire { late_by_ms: 59 * MIN, late: true });
        assert_eq!(due(at, at + CATCH_UP_LIMIT_MS - 1), Due::Fire { late_by_ms: CATCH_UP_LIMIT_MS - 1, late: true });
        assert_eq!(due(at, at + CATCH_UP_LIMIT_MS), Due::Skip { late_by_ms: CATCH_UP_LIMIT_MS });
        assert_eq!(due(at, at + 61 * MIN), Due::Skip { late_by_ms: 61 * MIN });
        assert_eq!(due(at, at - 5_000), Due::Fire { late_by_ms: 0, late: false });
        assert_eq!(due(i64::MIN, i64::MAX), Due::Skip { late_by_ms: i64::MAX });
        assert_eq!(due(i64::MAX, i64::MIN), Due::Fire { late_by_ms: 0, late: false });
    }
}
