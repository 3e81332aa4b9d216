//! [`TimeOfDay`]: a local time of day, parsed from `H:MM` / `HH:MM`.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveTime;

use super::echo;

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
