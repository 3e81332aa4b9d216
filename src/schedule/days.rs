//! [`Days`]: a set of weekdays, stored as the database's bitmask.

use std::fmt;
use std::str::FromStr;

use chrono::Weekday;

use super::echo;

/// The accepted day forms, for error messages.
const DAY_FORMS: &str = "daily, weekdays, weekends, or days like mon,wed,fri";

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
        if matches!(words.as_slice(), ["every", "day" | "days"] | ["all", "days" | "week"]) {
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
