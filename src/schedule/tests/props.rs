//! Property tests: [`next_occurrence`] against a brute-force oracle, and
//! parsers that never panic.

use chrono::{Datelike, Duration};
use chrono_tz::{America, Australia, Europe};
use proptest::prelude::*;

use super::*;

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
