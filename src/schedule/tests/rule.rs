use std::collections::BTreeSet;

use super::*;

fn date(s: &str) -> chrono::NaiveDate {
    parse_date(s).unwrap()
}

fn berlin(time: &str, days: &str, anchor: &str) -> Rule {
    Rule::weekly(t(time), d(days), chrono_tz::Europe::Berlin, date(anchor))
}

fn dates(rule: &Rule, after: i64, n: usize) -> Vec<String> {
    rule.upcoming(after, n)
        .into_iter()
        .map(|ms| local_time(ms, rule.tz).unwrap().format("%Y-%m-%d %H:%M").to_string())
        .collect()
}

#[test]
fn a_weekly_rule_fires_as_the_weekly_schedule_does() {
    let rule = berlin("07:30", "mon,thu", "2026-03-02");
    let after = local(chrono_tz::Europe::Berlin, 2026, 3, 2, 8, 0);
    assert_eq!(rule.next_after(after), Some(next_occurrence(after, t("07:30"), d("mon,thu"), rule.tz)));
    assert_eq!(dates(&rule, after, 3), ["2026-03-05 07:30", "2026-03-09 07:30", "2026-03-12 07:30"]);
}

#[test]
fn every_other_week_counts_whole_weeks_from_the_anchor() {
    let mut rule = berlin("18:00", "tue", "2026-03-04"); // a Wednesday: its week starts Monday 2 March
    rule.every_weeks = 2;
    let after = local(rule.tz, 2026, 3, 1, 12, 0);
    assert_eq!(dates(&rule, after, 3), ["2026-03-03 18:00", "2026-03-17 18:00", "2026-03-31 18:00"]);
    // Across the spring-forward change (29 March in Berlin) the local time holds.
    assert!(dates(&rule, after, 4)[2].ends_with("18:00"));
}

#[test]
fn it_ends_after_its_last_date_and_skips_and_pauses_what_it_is_told() {
    let mut rule = berlin("07:30", "daily", "2026-03-02");
    rule.until = Some(date("2026-03-06"));
    rule.skips = BTreeSet::from([date("2026-03-03")]);
    rule.paused_until = Some(date("2026-03-04"));
    let after = local(rule.tz, 2026, 3, 1, 12, 0);
    // 2 March, then 3 skipped and 4 paused (3 too), then 5 and 6; nothing after the last date.
    assert_eq!(dates(&rule, after, 10), ["2026-03-05 07:30", "2026-03-06 07:30"]);
    rule.paused_until = None;
    assert_eq!(
        dates(&rule, after, 10),
        ["2026-03-02 07:30", "2026-03-04 07:30", "2026-03-05 07:30", "2026-03-06 07:30"]
    );
    let end = local(rule.tz, 2026, 3, 6, 8, 0);
    assert_eq!(rule.next_after(end), None);
}

#[test]
fn a_spring_forward_gap_keeps_the_occurrence_on_its_own_date() {
    // 02:30 does not exist on 29 March 2026 in Berlin: it fires at 03:00 that day.
    let mut rule = berlin("02:30", "sun", "2026-03-01");
    rule.skips = BTreeSet::from([date("2026-03-22")]);
    let after = local(rule.tz, 2026, 3, 20, 12, 0);
    assert_eq!(dates(&rule, after, 2), ["2026-03-29 03:00", "2026-04-05 02:30"]);
}

#[test]
fn dates_are_read_with_clear_errors() {
    assert_eq!(parse_date(" 2026-12-24 ").unwrap(), date("2026-12-24"));
    assert_eq!(parse_date("2026-13-01").unwrap_err(), "2026-13-01 is not a date: use YYYY-MM-DD, like 2026-12-24");
    assert_eq!(parse_date("24/12").unwrap_err(), "24/12 is not a date: use YYYY-MM-DD, like 2026-12-24");
    assert_eq!(parse_dates("2026-12-24, 2026-12-31").unwrap().len(), 2);
    assert!(parse_dates(" , ").is_err());
}
