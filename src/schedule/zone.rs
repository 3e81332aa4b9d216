//! IANA timezone names: parsing what a coach types, and autocomplete.

use chrono_tz::{Tz, TZ_VARIANTS};

use super::echo;

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
