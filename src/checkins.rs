//! The check-in service: after a session an athlete says how it felt (pain
//! or discomfort 0–10), where (a short list from the routine's muscles and
//! sides) and a note. A red flag (pain of 7 or more, or sharp pain, numbness
//! or tingling) is posted privately to the coaches channel, naming the
//! athlete and the exercises, with their stop signs.

use sqlx::SqlitePool;

use crate::content::render::truncate;
use crate::content::{Content, Exercise, Routine};
use crate::store::check_ins::{self, CheckIn};
use crate::store::outbox::{self, NewMessage};
use crate::store::{self, StoreError};

/// Pain from which a check-in is a red flag.
pub const RED_FLAG_PAIN: i64 = 7;
/// The longest "where" kept.
pub const MAX_AREA_CHARS: usize = 60;
/// The longest note kept.
pub const MAX_NOTE_CHARS: usize = 500;
/// The "where" for no place in particular.
pub const NOWHERE: &str = "nowhere in particular";

/// Why a check-in was not saved.
#[derive(Debug, thiserror::Error)]
pub enum CheckInError {
    /// Pain that is not a whole number from 0 to 10.
    #[error("pain {0:?} is not 0-10")]
    Pain(String),
    /// The athlete did not take part in the session.
    #[error("not in the session")]
    NotInSession,
    /// From the store.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The choices for "where": each main muscle of the routine, per side when
/// its exercise is done per side, then [`NOWHERE`].
pub fn areas(content: &Content, routine: Option<&Routine>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for step in routine.map(|r| r.steps.as_slice()).unwrap_or_default() {
        let Some(muscle) = content.exercise(&step.exercise).and_then(|e| e.muscles.first()) else { continue };
        let names = if step.per_side {
            vec![format!("left {muscle}"), format!("right {muscle}")]
        } else {
            vec![muscle.clone()]
        };
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out.push(NOWHERE.to_string());
    out
}

/// Pain as typed: a whole number from 0 to 10 ("3", " 7 ", "3/10").
pub fn parse_pain(typed: &str) -> Result<i64, CheckInError> {
    let t = typed.trim();
    let number = t.strip_suffix("/10").unwrap_or(t).trim();
    match number.parse::<i64>() {
        Ok(n) if (0..=10).contains(&n) => Ok(n),
        _ => Err(CheckInError::Pain(truncate(t, 20))),
    }
}

fn words(s: &str) -> String {
    s.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect()
}

/// The choice a typed "where" names ("L hamstring" and "left hamstrings"
/// agree), else what was typed, trimmed; `None` when empty.
pub fn match_area(areas: &[String], typed: &str) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    let key: Vec<String> = words(typed)
        .split_whitespace()
        .map(|w| match w {
            "l" => "left".to_string(),
            "r" => "right".to_string(),
            w => w.trim_end_matches('s').to_string(),
        })
        .collect();
    let found = areas.iter().find(|a| {
        let choice: Vec<String> = words(a).split_whitespace().map(|w| w.trim_end_matches('s').to_string()).collect();
        choice.iter().all(|w| key.contains(w))
    });
    Some(found.cloned().unwrap_or_else(|| truncate(typed, MAX_AREA_CHARS)))
}

/// What makes a check-in a red flag, in words ("pain 8/10", "numbness");
/// empty when nothing does.
pub fn red_flags(pain: i64, area: Option<&str>, note: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if pain >= RED_FLAG_PAIN {
        out.push(format!("pain {pain}/10"));
    }
    let text = words(&format!("{} {}", area.unwrap_or(""), note.unwrap_or("")));
    let has = |stem: &str| text.split_whitespace().any(|w| w.starts_with(stem));
    if has("sharp") || has("stabbing") || has("shooting") {
        out.push("sharp pain".into());
    }
    if has("numb") {
        out.push("numbness".into());
    }
    if has("tingl") || text.contains("pins and needles") {
        out.push("tingling".into());
    }
    out
}

/// The routine's exercises that work `area` (all of them when it names none).
fn exercises_for<'a>(content: &'a Content, routine: &Routine, area: Option<&str>) -> Vec<&'a Exercise> {
    let all: Vec<&Exercise> = routine.steps.iter().filter_map(|s| content.exercise(&s.exercise)).collect();
    let area = words(area.unwrap_or(""));
    let hit: Vec<&Exercise> = all
        .iter()
        .copied()
        .filter(|e| e.muscles.iter().any(|m| area.contains(&words(m).trim_end_matches('s').to_string())))
        .collect();
    if hit.is_empty() {
        all
    } else {
        hit
    }
}

/// A check-in as the athlete submitted it.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    pub session_id: i64,
    pub guild_id: i64,
    pub user_id: i64,
    pub routine_id: &'a str,
    pub pain: &'a str,
    pub area: &'a str,
    pub note: &'a str,
}

/// What [`record`] saved.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub check_in: CheckIn,
    /// The red flags, in words (empty: none).
    pub flags: Vec<String>,
    /// The stop signs of the exercises concerned, for a red flag.
    pub stop_signs: Vec<String>,
    /// The alert to post in the coaches channel, with its outbox id (none
    /// when no channel is set or it is not a red flag).
    pub alert: Option<(Option<i64>, NewMessage)>,
}

/// Checks and stores a check-in; a red flag's alert goes into the outbox
/// with it, for `coaches_channel` (when set). `alert_body` renders the
/// alert's text as a message body.
pub async fn record(
    pool: &SqlitePool,
    content: &Content,
    sub: &Submission<'_>,
    coaches_channel: Option<i64>,
    alert_body: impl Fn(&str) -> String,
    now_ms: i64,
) -> Result<Recorded, CheckInError> {
    let pain = parse_pain(sub.pain)?;
    if !check_ins::took_part(pool, sub.session_id, sub.user_id).await? {
        return Err(CheckInError::NotInSession);
    }
    let routine = content.routine(sub.routine_id);
    let area = match_area(&areas(content, routine), sub.area);
    let note = Some(truncate(sub.note.trim(), MAX_NOTE_CHARS)).filter(|n| !n.is_empty());
    let flags = red_flags(pain, area.as_deref(), note.as_deref());
    let exercises = routine.map(|r| exercises_for(content, r, area.as_deref())).unwrap_or_default();
    let stop_signs: Vec<String> = if flags.is_empty() {
        Vec::new()
    } else {
        let mut signs: Vec<String> = exercises.iter().flat_map(|e| e.stop_signs.iter().cloned()).collect();
        signs.dedup();
        signs
    };
    let check_in = CheckIn {
        session_id: sub.session_id,
        user_id: sub.user_id,
        guild_id: sub.guild_id,
        routine_id: sub.routine_id.to_string(),
        pain,
        area,
        note,
        red_flag: !flags.is_empty(),
        at_ms: now_ms,
    };
    let alert = match coaches_channel.filter(|_| !flags.is_empty()) {
        Some(channel) => {
            let names: Vec<&str> = exercises.iter().map(|e| e.name.as_str()).collect();
            let mut text = format!(
                "**Check-in red flag**: <@{}> after {} ({}): {}.",
                store::discord_id(sub.user_id),
                routine.map_or(sub.routine_id, |r| r.name.as_str()),
                if names.is_empty() { "no exercise named".to_string() } else { names.join(", ") },
                flags.join(", ")
            );
            if let Some(a) = &check_in.area {
                text.push_str(&format!("\nWhere: {a}"));
            }
            if let Some(n) = &check_in.note {
                text.push_str(&format!("\nNote: {n}"));
            }
            if !stop_signs.is_empty() {
                text.push_str("\nStop signs of these exercises:");
                for s in &stop_signs {
                    text.push_str(&format!("\n• {s}"));
                }
            }
            text.push_str(
                "\nOnly coaches see this channel's alerts. If in doubt, refer them to a qualified professional.",
            );
            Some(NewMessage {
                channel_id: channel,
                priority: outbox::POST,
                body: alert_body(&text),
                session_id: None,
                expires_at_ms: None,
            })
        }
        None => None,
    };
    let id = check_ins::record(pool, &check_in, alert.as_ref()).await?;
    Ok(Recorded { check_in, flags, stop_signs, alert: alert.map(|m| (id, m)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pain_is_a_whole_number_from_0_to_10() {
        assert_eq!(parse_pain(" 7 ").unwrap(), 7);
        assert_eq!(parse_pain("3/10").unwrap(), 3);
        assert_eq!(parse_pain("0").unwrap(), 0);
        for bad in ["11", "-1", "", "seven", "2.5", "25:99"] {
            assert!(matches!(parse_pain(bad), Err(CheckInError::Pain(_))), "{bad}");
        }
    }

    #[test]
    fn where_matches_a_choice_or_keeps_what_was_typed() {
        let areas: Vec<String> =
            ["left hamstrings", "right hamstrings", "left psoas", NOWHERE].map(String::from).to_vec();
        assert_eq!(match_area(&areas, "L hamstring").as_deref(), Some("left hamstrings"));
        assert_eq!(match_area(&areas, "my RIGHT hamstrings!").as_deref(), Some("right hamstrings"));
        assert_eq!(match_area(&areas, "nowhere in particular").as_deref(), Some(NOWHERE));
        assert_eq!(match_area(&areas, "lower back").as_deref(), Some("lower back"));
        assert_eq!(match_area(&areas, "   "), None);
        assert_eq!(match_area(&areas, &"x".repeat(100)).map(|a| a.chars().count()), Some(MAX_AREA_CHARS));
    }

    #[test]
    fn red_flags_are_high_pain_sharp_pain_numbness_and_tingling() {
        assert!(red_flags(6, None, None).is_empty());
        assert_eq!(red_flags(7, None, None), ["pain 7/10"]);
        assert_eq!(red_flags(2, None, Some("Sharp twinge")), ["sharp pain"]);
        assert_eq!(red_flags(2, Some("left foot"), Some("went numb, then pins and needles")), ["numbness", "tingling"]);
        assert!(red_flags(3, Some("hamstrings"), Some("felt tight, good session")).is_empty());
    }
}
