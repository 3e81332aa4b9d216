//! [`next_occurrence`] across DST changes, skipped days and odd offsets, and
//! the catch-up policy.

use chrono::{Datelike, Duration, Weekday};
use chrono_tz::{America, Australia, Europe};

use super::*;

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
    assert_eq!(next_occurrence(friday_evening, t("07:00"), Days::single(Weekday::Fri), tz), utc(2026, 3, 13, 11, 0));
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
