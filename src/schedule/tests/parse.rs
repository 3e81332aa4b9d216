//! Parsing and displaying [`TimeOfDay`] and [`Days`].

use chrono::Weekday;

use super::*;

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
    let unknown = |w: &str| format!("\"{w}\" is not a day: use daily, weekdays, weekends, or days like mon,wed,fri");
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
