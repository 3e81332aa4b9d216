//! The restriction service: a coach's individual restrictions for an
//! athlete (avoid an exercise, one side only, hold at most N s, until a
//! date), checked against the content, and what they mean in a session.
//!
//! The session runs for everyone as planned; a restricted athlete joins with
//! [`PersonalLimit`]s, is told privately what applies to them, and is
//! credited with what they did.

use chrono::NaiveDate;
use chrono_tz::Tz;
use sqlx::SqlitePool;

use crate::content::{Content, Exercise};
use crate::schedule;
use crate::session::engine::{Adjustment, PersonalLimit, Plan, Side};
use crate::store::restrictions::{self, NewRestriction, Restriction, Rule, MAX_HOLD_SECS};
use crate::store::{progress, StoreError};

/// The longest note a coach may add.
pub const MAX_NOTE_CHARS: usize = 200;

/// A rule as a coach chose it, before it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleChoice {
    /// Avoid entirely.
    Avoid,
    /// Left side only.
    LeftOnly,
    /// Right side only.
    RightOnly,
    /// Hold at most `seconds` (whatever was typed; checked here).
    MaxHold(Option<i64>),
}

impl std::str::FromStr for RuleChoice {
    type Err = String;

    /// `avoid`, `left only`, `right only`, `max hold` (spaces, `_` or `-`).
    fn from_str(s: &str) -> Result<Self, String> {
        let key: String = s.chars().filter(char::is_ascii_alphanumeric).flat_map(char::to_lowercase).collect();
        match key.as_str() {
            "avoid" | "avoidentirely" => Ok(RuleChoice::Avoid),
            "leftonly" | "left" => Ok(RuleChoice::LeftOnly),
            "rightonly" | "right" => Ok(RuleChoice::RightOnly),
            "maxhold" | "holdatmost" => Ok(RuleChoice::MaxHold(None)),
            _ => Err(format!(
                "\"{}\" is not a rule: choose avoid, left only, right only or max hold",
                crate::content::render::truncate(s, 40)
            )),
        }
    }
}

/// Why a restriction could not be set.
#[derive(Debug, thiserror::Error)]
pub enum RestrictError {
    /// No such exercise in the content.
    #[error("unknown exercise {0}")]
    UnknownExercise(String),
    /// One side only, on an exercise that has no sides.
    #[error("{0} is not done per side")]
    NoSides(String),
    /// Max hold without seconds.
    #[error("max hold needs seconds")]
    SecondsMissing,
    /// Seconds outside 1–600.
    #[error("{0} s is out of range")]
    Seconds(i64),
    /// `until` that does not parse.
    #[error("{0}")]
    BadDate(String),
    /// `until` before today.
    #[error("until {0} is in the past")]
    UntilInPast(NaiveDate),
    /// A note over [`MAX_NOTE_CHARS`].
    #[error("note of {0} characters")]
    NoteTooLong(usize),
    /// The athlete is a bot.
    #[error("not a person")]
    NotAPerson,
    /// From the store.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A restriction to set, as the coach gave it.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub guild_id: i64,
    pub athlete: i64,
    pub exercise: &'a str,
    pub rule: RuleChoice,
    pub until: Option<&'a str>,
    pub note: Option<&'a str>,
    pub coach: i64,
}

/// Checks a request against the content and today's date in `tz`, and
/// stores it (replacing the athlete's earlier one on that exercise). Returns
/// the restriction as stored and whether one was replaced. Nothing is stored
/// when a check fails.
pub async fn set(
    pool: &SqlitePool,
    content: &Content,
    req: &Request<'_>,
    tz: Tz,
    now_ms: i64,
) -> Result<(Restriction, bool), RestrictError> {
    let exercise =
        content.find_exercise(req.exercise).ok_or_else(|| RestrictError::UnknownExercise(req.exercise.into()))?;
    let rule = match req.rule {
        RuleChoice::Avoid => Rule::Avoid,
        RuleChoice::LeftOnly | RuleChoice::RightOnly if !exercise.per_side => {
            return Err(RestrictError::NoSides(exercise.name.clone()))
        }
        RuleChoice::LeftOnly => Rule::LeftOnly,
        RuleChoice::RightOnly => Rule::RightOnly,
        RuleChoice::MaxHold(None) => return Err(RestrictError::SecondsMissing),
        RuleChoice::MaxHold(Some(s)) => match u32::try_from(s) {
            Ok(secs) if (1..=MAX_HOLD_SECS).contains(&secs) => Rule::MaxHold(secs),
            _ => return Err(RestrictError::Seconds(s)),
        },
    };
    let until = match req.until.map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(text) => {
            let date = schedule::parse_date(text).map_err(RestrictError::BadDate)?;
            if schedule::today(now_ms, tz).is_some_and(|today| date < today) {
                return Err(RestrictError::UntilInPast(date));
            }
            let end = progress::local_day_start_ms(tz, date.succ_opt().unwrap_or(date));
            Some((date.format("%Y-%m-%d").to_string(), end))
        }
    };
    let note = req.note.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = note {
        let chars = n.chars().count();
        if chars > MAX_NOTE_CHARS {
            return Err(RestrictError::NoteTooLong(chars));
        }
    }
    let new = NewRestriction {
        guild_id: req.guild_id,
        user_id: req.athlete,
        exercise_id: exercise.id.clone(),
        rule,
        until: until.clone(),
        note: note.map(str::to_string),
        set_by: req.coach,
    };
    let replaced = restrictions::set(pool, &new, now_ms).await?;
    let stored = Restriction {
        id: 0,
        guild_id: new.guild_id,
        user_id: new.user_id,
        exercise_id: new.exercise_id,
        rule,
        until_date: until.as_ref().map(|u| u.0.clone()),
        ends_at_ms: until.map(|u| u.1),
        note: new.note,
        set_by: Some(req.coach),
        created_at_ms: now_ms,
    };
    Ok((stored, replaced))
}

/// The athlete's restrictions that apply now in a server.
pub async fn active(
    pool: &SqlitePool,
    guild_id: i64,
    athlete: i64,
    now_ms: i64,
) -> Result<Vec<Restriction>, StoreError> {
    let mut all = restrictions::of_athlete(pool, guild_id, athlete).await?;
    all.retain(|r| r.is_active(now_ms));
    Ok(all)
}

/// What a rule means in a session.
pub fn adjustment(rule: Rule) -> Adjustment {
    match rule {
        Rule::Avoid => Adjustment::SitOut,
        Rule::LeftOnly => Adjustment::OnlySide { side: Side::Left },
        Rule::RightOnly => Adjustment::OnlySide { side: Side::Right },
        Rule::MaxHold(secs) => Adjustment::MaxHold { secs },
    }
}

/// The personal limits for the exercises of `plan`, with a line each saying
/// what the athlete does ("Psoas smash: sit this one out ...").
pub fn limits_for(content: &Content, restrictions: &[Restriction], plan: &Plan) -> (Vec<PersonalLimit>, Vec<String>) {
    let mut limits = Vec::new();
    let mut lines = Vec::new();
    for r in restrictions {
        let Some(step) = plan.steps.iter().find(|s| s.exercise_id == r.exercise_id) else { continue };
        let adjustment = adjustment(r.rule);
        let what = match adjustment {
            Adjustment::SitOut => "sit this one out: rest while the others hold".to_string(),
            Adjustment::OnlySide { side } => {
                let (only, other) = if side == Side::Left { ("left", "right") } else { ("right", "left") };
                if step.per_side {
                    format!("{only} side only: rest while the others do the {other} side")
                } else {
                    format!("{only} side only")
                }
            }
            Adjustment::MaxHold { secs } if secs < step.hold_secs => {
                format!("hold {secs} s, then rest while the others finish their {} s", step.hold_secs)
            }
            Adjustment::MaxHold { secs } => format!("at most {secs} s a hold (today's holds are {} s)", step.hold_secs),
        };
        let note = r.note.as_deref().map(|n| format!(" (coach's note: {n})")).unwrap_or_default();
        lines.push(format!("{}: {what}{note}", exercise_name(content, &r.exercise_id)));
        limits.push(PersonalLimit { exercise_id: r.exercise_id.clone(), adjustment });
    }
    (limits, lines)
}

/// "avoid entirely", "left side only", "hold at most 30 s".
pub fn rule_text(rule: Rule) -> String {
    match rule {
        Rule::Avoid => "avoid entirely".into(),
        Rule::LeftOnly => "left side only".into(),
        Rule::RightOnly => "right side only".into(),
        Rule::MaxHold(secs) => format!("hold at most {secs} s"),
    }
}

/// One line of a list: exercise, rule, until, note.
pub fn describe(content: &Content, r: &Restriction, now_ms: i64) -> String {
    let until = match (&r.until_date, r.is_active(now_ms)) {
        (Some(d), true) => format!(", until {d}"),
        (Some(d), false) => format!(", ended {d}"),
        (None, _) => String::new(),
    };
    let note = r.note.as_deref().map(|n| format!(" — {n}")).unwrap_or_default();
    format!("**{}**: {}{until}{note}", exercise_name(content, &r.exercise_id), rule_text(r.rule))
}

fn exercise_name(content: &Content, id: &str) -> String {
    content.exercise(id).map_or_else(|| id.to_string(), |e: &Exercise| e.name.clone())
}
