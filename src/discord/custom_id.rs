//! Every button's custom id, as one typed value: built with `Display`,
//! read back with `FromStr`, so a button cannot be made in one shape and
//! parsed in another.
//!
//! Wire format (unchanged since the first release, so buttons on old messages
//! keep working): `hf:s:{session}:{action}[:l]`, `hf:r:{routine}[:{reminder}]`,
//! `hf:a:{owner}:{entry}`, `hf:f:{user}:{yes|no}`, and the check-in's
//! button `hf:c:{session}` and modal `hf:m:{session}`. Routine, owner and entry
//! ids are content slugs, which never contain `:`.

use std::fmt;
use std::str::FromStr;

/// What a session button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAction {
    Join,
    Leave,
    Start,
    Pause,
    Resume,
    Skip,
    Stop,
}

impl SessionAction {
    pub const ALL: [SessionAction; 7] = [
        SessionAction::Join,
        SessionAction::Leave,
        SessionAction::Start,
        SessionAction::Pause,
        SessionAction::Resume,
        SessionAction::Skip,
        SessionAction::Stop,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SessionAction::Join => "join",
            SessionAction::Leave => "leave",
            SessionAction::Start => "start",
            SessionAction::Pause => "pause",
            SessionAction::Resume => "resume",
            SessionAction::Skip => "skip",
            SessionAction::Stop => "stop",
        }
    }
}

/// A button's custom id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomId {
    /// A session control; `lobby` marks the lobby message, whose embed is
    /// refreshed in place.
    Session { session: i64, action: SessionAction, lobby: bool },
    /// A routine card's Start session; on a reminder's post, `reminder` is
    /// that reminder (its event's interested members join the lobby).
    StartRoutine { routine: String, reminder: Option<i64> },
    /// A "did you mean" answer: an entry or passage of the answer index.
    Answer { owner: String, entry: String },
    /// The `/me forget` confirmation, for one user.
    Forget { user: u64, confirm: bool },
    /// A session summary's Check in button.
    CheckIn { session: i64 },
    /// The check-in modal of a session.
    CheckInForm { session: i64 },
}

/// Discord's limit on a custom id.
pub const MAX_LEN: usize = crate::limits::CUSTOM_ID;

impl CustomId {
    /// The id as Discord takes it, or none when it would be too long (the
    /// caller leaves that button out rather than send a broken one).
    pub fn encode(&self) -> Option<String> {
        let s = self.to_string();
        (s.chars().count() <= MAX_LEN).then_some(s)
    }

    /// A fixed name per kind of button, for metrics labels (an id comes from
    /// the client and must not create new label values).
    pub fn metric_name(&self) -> &'static str {
        match self {
            CustomId::Session { action, .. } => match action {
                SessionAction::Join => "button session join",
                SessionAction::Leave => "button session leave",
                SessionAction::Start => "button session start",
                SessionAction::Pause => "button session pause",
                SessionAction::Resume => "button session resume",
                SessionAction::Skip => "button session skip",
                SessionAction::Stop => "button session stop",
            },
            CustomId::StartRoutine { .. } => "button routine start",
            CustomId::Answer { .. } => "button answer",
            CustomId::Forget { .. } => "button forget",
            CustomId::CheckIn { .. } => "button check in",
            CustomId::CheckInForm { .. } => "modal check in",
        }
    }
}

impl fmt::Display for CustomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustomId::Session { session, action, lobby } => {
                write!(f, "hf:s:{session}:{}", action.name())?;
                if *lobby {
                    f.write_str(":l")?;
                }
                Ok(())
            }
            CustomId::StartRoutine { routine, reminder: None } => write!(f, "hf:r:{routine}"),
            CustomId::StartRoutine { routine, reminder: Some(r) } => write!(f, "hf:r:{routine}:{r}"),
            CustomId::Answer { owner, entry } => write!(f, "hf:a:{owner}:{entry}"),
            CustomId::Forget { user, confirm } => write!(f, "hf:f:{user}:{}", if *confirm { "yes" } else { "no" }),
            CustomId::CheckIn { session } => write!(f, "hf:c:{session}"),
            CustomId::CheckInForm { session } => write!(f, "hf:m:{session}"),
        }
    }
}

/// A custom id that is not one of ours (or is from a version that no longer
/// exists).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Holdfast button: {0:?}")]
pub struct UnknownCustomId(pub String);

impl FromStr for CustomId {
    type Err = UnknownCustomId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownCustomId(s.chars().take(MAX_LEN).collect());
        let parts: Vec<&str> = s.split(':').collect();
        let id = match parts.as_slice() {
            ["hf", "s", session, action, rest @ ..] => {
                let session = session.parse::<i64>().map_err(|_| unknown())?;
                let action = SessionAction::ALL.into_iter().find(|a| a.name() == *action).ok_or_else(unknown)?;
                let lobby = match rest {
                    [] => false,
                    ["l"] => true,
                    _ => return Err(unknown()),
                };
                CustomId::Session { session, action, lobby }
            }
            ["hf", "r", routine] if !routine.is_empty() => {
                CustomId::StartRoutine { routine: (*routine).to_string(), reminder: None }
            }
            ["hf", "r", routine, reminder] if !routine.is_empty() => CustomId::StartRoutine {
                routine: (*routine).to_string(),
                reminder: Some(reminder.parse().map_err(|_| unknown())?),
            },
            ["hf", "a", owner, entry] if !owner.is_empty() && !entry.is_empty() => {
                CustomId::Answer { owner: (*owner).to_string(), entry: (*entry).to_string() }
            }
            ["hf", "f", user, choice] => CustomId::Forget {
                user: user.parse::<u64>().map_err(|_| unknown())?,
                confirm: match *choice {
                    "yes" => true,
                    "no" => false,
                    _ => return Err(unknown()),
                },
            },
            ["hf", "c", session] => CustomId::CheckIn { session: session.parse().map_err(|_| unknown())? },
            ["hf", "m", session] => CustomId::CheckInForm { session: session.parse().map_err(|_| unknown())? },
            _ => return Err(unknown()),
        };
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn custom_id() -> impl Strategy<Value = CustomId> {
        let slug = "[a-z0-9][a-z0-9-]{0,30}";
        prop_oneof![
            (any::<i64>(), 0..SessionAction::ALL.len(), any::<bool>()).prop_map(|(session, a, lobby)| {
                CustomId::Session { session, action: SessionAction::ALL[a], lobby }
            }),
            (slug, proptest::option::of(any::<i64>()))
                .prop_map(|(routine, reminder)| CustomId::StartRoutine { routine, reminder }),
            (slug, slug).prop_map(|(owner, entry)| CustomId::Answer { owner, entry }),
            (any::<u64>(), any::<bool>()).prop_map(|(user, confirm)| CustomId::Forget { user, confirm }),
            any::<i64>().prop_map(|session| CustomId::CheckIn { session }),
            any::<i64>().prop_map(|session| CustomId::CheckInForm { session }),
        ]
    }

    proptest! {
        #[test]
        fn every_id_reads_back_as_itself(id in custom_id()) {
            prop_assert_eq!(id.to_string().parse::<CustomId>(), Ok(id));
        }

        #[test]
        fn any_string_parses_or_is_refused_without_panic(s in "\\PC{0,120}") {
            let _ = s.parse::<CustomId>();
        }
    }

    #[test]
    fn the_wire_format_is_the_one_old_messages_carry() {
        let id = CustomId::Session { session: 12, action: SessionAction::Join, lobby: true };
        assert_eq!(id.to_string(), "hf:s:12:join:l");
        assert_eq!(
            "hf:a:psoas-smash:hold-time".parse(),
            Ok(CustomId::Answer { owner: "psoas-smash".into(), entry: "hold-time".into() })
        );
        assert_eq!("hf:f:7:no".parse(), Ok(CustomId::Forget { user: 7, confirm: false }));
        for bad in ["", "hf", "hf:s:x:join", "hf:s:1:dance", "hf:s:1:join:x", "hf:f:7:maybe", "hf:r:", "other:thing"] {
            assert!(bad.parse::<CustomId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn too_long_ids_are_not_encoded() {
        let id = CustomId::Answer { owner: "a".repeat(60), entry: "b".repeat(60) };
        assert_eq!(id.encode(), None);
    }
}
