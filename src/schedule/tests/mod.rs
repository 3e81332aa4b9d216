//! Schedule tests: explicit instants, no clock.

mod next;
mod parse;
mod props;
mod rule;
mod zone;

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Tz;

use super::*;

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
