//! Timezone parsing, error suggestions and autocomplete.

use chrono_tz::{America, Europe, TZ_VARIANTS};

use super::*;

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
