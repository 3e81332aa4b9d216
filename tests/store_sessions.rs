//! Store: sessions, participants, reminders and settings on a real SQLite file.

use chrono_tz::Tz;
use holdfast::schedule::{Days, TimeOfDay};
use holdfast::store::{self, guilds, reminders, sessions, users, NewReminder, NewSession, SessionState, StoreError};
use sqlx::SqlitePool;

async fn db() -> (tempfile::TempDir, SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let pool = store::connect(&url).await.unwrap();
    (dir, pool)
}

fn lobby(channel: i64, host: i64) -> NewSession {
    NewSession {
        guild_id: 10,
        channel_id: channel,
        host_id: host,
        routine_id: "hips".into(),
        state: SessionState::Lobby,
        engine: Some(r#"{"phase":0}"#.into()),
        deadline_ms: None,
    }
}

#[tokio::test]
async fn one_live_session_per_channel() {
    let (_dir, pool) = db().await;
    let a = sessions::create_session(&pool, &lobby(100, 1), 1_000).await.unwrap();
    let err = sessions::create_session(&pool, &lobby(100, 2), 1_001).await.unwrap_err();
    assert!(matches!(err, StoreError::ChannelBusy), "{err:?}");
    // Another channel is fine.
    sessions::create_session(&pool, &lobby(101, 2), 1_002).await.unwrap();
    // Once the first ends, the channel is free again.
    sessions::finish_session(&pool, a, SessionState::Done, Some(r#"{"steps":3}"#), 2_000).await.unwrap();
    let b = sessions::create_session(&pool, &lobby(100, 2), 2_001).await.unwrap();
    assert_ne!(a, b);
    let live = sessions::live_session_in_channel(&pool, 100).await.unwrap().unwrap();
    assert_eq!(live.id, b);
}

#[tokio::test]
async fn session_lifecycle_round_trips() {
    let (_dir, pool) = db().await;
    let id = sessions::create_session(&pool, &lobby(100, 1), 1_000).await.unwrap();
    let s = sessions::get_session(&pool, id).await.unwrap();
    assert_eq!((s.state, s.host_id, s.created_at_ms), (SessionState::Lobby, Some(1), 1_000));
    assert_eq!(s.engine.as_deref(), Some(r#"{"phase":0}"#));

    sessions::set_lobby_message(&pool, id, 555).await.unwrap();
    sessions::save_session(&pool, id, SessionState::Running, Some("{\"phase\":1}"), Some(31_000), 2_000).await.unwrap();
    let s = sessions::get_session(&pool, id).await.unwrap();
    assert_eq!(s.state, SessionState::Running);
    assert_eq!((s.deadline_ms, s.lobby_message_id, s.updated_at_ms), (Some(31_000), Some(555), 2_000));
    assert_eq!(sessions::live_sessions(&pool).await.unwrap(), vec![s]);

    // save_session only takes live states; finish_session only ended ones.
    let err = sessions::save_session(&pool, id, SessionState::Done, None, None, 3_000).await;
    assert!(matches!(err, Err(StoreError::InvalidState(_))));
    let err = sessions::finish_session(&pool, id, SessionState::Paused, None, 3_000).await;
    assert!(matches!(err, Err(StoreError::InvalidState(_))));

    sessions::finish_session(&pool, id, SessionState::Stopped, None, 3_000).await.unwrap();
    let s = sessions::get_session(&pool, id).await.unwrap();
    assert_eq!((s.state, s.engine, s.deadline_ms, s.ended_at_ms), (SessionState::Stopped, None, None, Some(3_000)));
    assert!(sessions::live_sessions(&pool).await.unwrap().is_empty());
    assert!(sessions::live_session_in_channel(&pool, 100).await.unwrap().is_none());

    // An ended session cannot be saved or finished again.
    let err = sessions::save_session(&pool, id, SessionState::Running, None, None, 4_000).await;
    assert!(matches!(err, Err(StoreError::NotFound)));
    let err = sessions::finish_session(&pool, id, SessionState::Done, None, 4_000).await;
    assert!(matches!(err, Err(StoreError::NotFound)));
    assert!(matches!(sessions::get_session(&pool, 999).await, Err(StoreError::NotFound)));
    assert!(matches!(sessions::set_lobby_message(&pool, 999, 1).await, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn join_leave_rejoin() {
    let (_dir, pool) = db().await;
    let id = sessions::create_session(&pool, &lobby(100, 1), 1_000).await.unwrap();
    // The host is in from the start; joining twice changes nothing.
    assert!(!sessions::join_session(&pool, id, 1, 1_100).await.unwrap());
    assert!(sessions::join_session(&pool, id, 2, 1_200).await.unwrap());
    assert!(!sessions::join_session(&pool, id, 2, 1_300).await.unwrap());
    assert!(sessions::leave_session(&pool, id, 2, 1_400).await.unwrap());
    assert!(!sessions::leave_session(&pool, id, 2, 1_500).await.unwrap());
    assert!(!sessions::leave_session(&pool, id, 3, 1_500).await.unwrap());
    let p = sessions::participants(&pool, id).await.unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!((p[0].user_id, p[0].left_at_ms), (1, None));
    assert_eq!((p[1].user_id, p[1].joined_at_ms, p[1].left_at_ms), (2, 1_200, Some(1_400)));
    // Rejoin keeps the first join time and clears the leave.
    assert!(sessions::join_session(&pool, id, 2, 1_600).await.unwrap());
    let p = sessions::participants(&pool, id).await.unwrap();
    assert_eq!((p[1].joined_at_ms, p[1].left_at_ms), (1_200, None));
    // No joining an ended or missing session.
    sessions::finish_session(&pool, id, SessionState::Done, None, 2_000).await.unwrap();
    assert!(!sessions::join_session(&pool, id, 4, 2_100).await.unwrap());
    assert!(!sessions::join_session(&pool, 999, 4, 2_100).await.unwrap());
}

fn reminder(guild: i64, next: i64) -> NewReminder {
    NewReminder {
        guild_id: guild,
        channel_id: 100,
        routine_id: "hips".into(),
        role_id: Some(77),
        time_of_day: "07:30".parse().unwrap(),
        days: Days::from_bits(0b001_0101).unwrap(),
        timezone: Tz::Europe__Berlin,
        next_fire_ms: next,
        created_by: Some(5),
        every_weeks: 1,
        anchor: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        until: None,
        event: false,
    }
}

#[tokio::test]
async fn reminders_add_list_remove_and_limit() {
    let (_dir, pool) = db().await;
    let first = reminders::add_reminder(&pool, &reminder(1, 10_000), 1).await.unwrap();
    for i in 1..reminders::MAX_REMINDERS_PER_GUILD {
        reminders::add_reminder(&pool, &reminder(1, 10_000 + i), 1).await.unwrap();
    }
    let err = reminders::add_reminder(&pool, &reminder(1, 5), 1).await.unwrap_err();
    assert!(matches!(err, StoreError::TooManyReminders { limit: 25 }), "{err:?}");
    // Another server has its own limit.
    let other = reminders::add_reminder(&pool, &reminder(2, 20_000), 1).await.unwrap();

    let list = reminders::list_for_guild(&pool, 1).await.unwrap();
    assert_eq!(list.len(), 25);
    assert_eq!(list[0].id, first);
    assert_eq!(list[0].timezone, Tz::Europe__Berlin);
    assert_eq!((list[0].days.bits(), list[0].role_id, list[0].created_by), (21, Some(77), Some(5)));
    assert_eq!(list[0].time_of_day.to_string(), "07:30");

    // Removal only within the server.
    assert!(matches!(reminders::remove_reminder(&pool, 1, other).await, Err(StoreError::NotFound)));
    reminders::remove_reminder(&pool, 2, other).await.unwrap();
    reminders::remove_reminder(&pool, 1, first).await.unwrap();
    assert_eq!(reminders::list_for_guild(&pool, 1).await.unwrap().len(), 24);
    reminders::add_reminder(&pool, &reminder(1, 9), 1).await.unwrap();

    // A malformed time or an empty day set cannot even be built; a stored
    // row that does not decode is an error, never a default.
    assert!("7:3".parse::<TimeOfDay>().is_err());
    assert!(Days::from_bits(0).is_none());
    sqlx::query("UPDATE reminders SET timezone = 'Mars/Olympus_Mons' WHERE id = ?")
        .bind(first + 1)
        .execute(&pool)
        .await
        .unwrap();
    let err = reminders::list_for_guild(&pool, 1).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { table: "reminders", .. }), "{err:?}");
}

#[tokio::test]
async fn claim_due_advances_exactly_once() {
    let (_dir, pool) = db().await;
    assert_eq!(reminders::next_due(&pool).await.unwrap(), None);
    let a = reminders::add_reminder(&pool, &reminder(1, 1_000), 0).await.unwrap();
    let b = reminders::add_reminder(&pool, &reminder(1, 2_000), 0).await.unwrap();
    let c = reminders::add_reminder(&pool, &reminder(2, 9_000), 0).await.unwrap();
    assert_eq!(reminders::next_due(&pool).await.unwrap(), Some(1_000));

    let claimed = reminders::claim_due(&pool, 2_500, |r| r.next_fire_ms + 86_400_000).await.unwrap();
    assert_eq!(claimed.due.iter().map(|r| (r.id, r.next_fire_ms)).collect::<Vec<_>>(), vec![(a, 1_000), (b, 2_000)]);
    assert!(claimed.broken.is_empty());
    // Claiming again at the same time finds nothing: no double fire.
    assert!(reminders::claim_due(&pool, 2_500, |_| 0).await.unwrap().due.is_empty());
    assert_eq!(reminders::next_due(&pool).await.unwrap(), Some(9_000));
    let list = reminders::list_for_guild(&pool, 1).await.unwrap();
    assert_eq!((list[0].next_fire_ms, list[0].last_fired_ms), (86_401_000, Some(2_500)));

    // A bad advance function cannot make a reminder fire in a loop.
    let claimed = reminders::claim_due(&pool, 10_000, |_| 0).await.unwrap();
    assert_eq!(claimed.due.len(), 1);
    assert_eq!(claimed.due[0].id, c);
    assert_eq!(reminders::next_due(&pool).await.unwrap(), Some(10_001));
    reminders::set_next_fire(&pool, c, 50).await.unwrap();
    assert_eq!(reminders::next_due(&pool).await.unwrap(), Some(50));
    assert!(matches!(reminders::set_next_fire(&pool, 999, 1).await, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn guild_and_user_settings() {
    let (_dir, pool) = db().await;
    let g = guilds::get_guild_settings(&pool, 1).await.unwrap();
    assert_eq!((g.coach_role_id, g.timezone), (None, None));
    guilds::set_coach_role(&pool, 1, Some(42)).await.unwrap();
    guilds::set_guild_timezone(&pool, 1, Some(Tz::America__Chicago)).await.unwrap();
    let g = guilds::get_guild_settings(&pool, 1).await.unwrap();
    assert_eq!((g.coach_role_id, g.timezone), (Some(42), Some(Tz::America__Chicago)));
    guilds::set_coach_role(&pool, 1, None).await.unwrap();
    assert_eq!(guilds::get_guild_settings(&pool, 1).await.unwrap().timezone, Some(Tz::America__Chicago));
    assert_eq!(guilds::get_guild_settings(&pool, 1).await.unwrap().coach_role_id, None);

    assert_eq!(users::get_user_timezone(&pool, 7).await.unwrap(), None);
    assert_eq!(users::resolve_timezone(&pool, 7, None).await.unwrap(), Tz::UTC);
    assert_eq!(users::resolve_timezone(&pool, 7, Some(1)).await.unwrap(), Tz::America__Chicago);
    users::set_user_timezone(&pool, 7, Some(Tz::Asia__Kolkata)).await.unwrap();
    assert_eq!(users::resolve_timezone(&pool, 7, Some(1)).await.unwrap(), Tz::Asia__Kolkata);
    users::set_user_timezone(&pool, 7, None).await.unwrap();
    assert_eq!(users::get_user_timezone(&pool, 7).await.unwrap(), None);

    assert!(guilds::delete_guild_settings(&pool, 1).await.unwrap());
    assert!(!guilds::delete_guild_settings(&pool, 1).await.unwrap());
}

#[tokio::test]
async fn ids_round_trip_above_i64_max() {
    let (_dir, pool) = db().await;
    let big: u64 = u64::MAX - 5;
    guilds::set_coach_role(&pool, store::db_id(big), Some(store::db_id(big - 1))).await.unwrap();
    let g = guilds::get_guild_settings(&pool, store::db_id(big)).await.unwrap();
    assert_eq!(g.coach_role_id.map(store::discord_id), Some(big - 1));
}

#[tokio::test]
async fn batch_applies_writes_and_credits_in_one_go() {
    use holdfast::store::batch::{self, Applied, SessionWrite};
    use holdfast::store::{progress, CreditRecord};
    let (_dir, pool) = db().await;
    let a = sessions::create_session(&pool, &lobby(100, 1), 0).await.unwrap();
    let b = sessions::create_session(&pool, &lobby(101, 2), 0).await.unwrap();
    let credit = |s: i64, seq: i64| CreditRecord {
        session_id: s,
        user_id: 1,
        phase_seq: seq,
        guild_id: 10,
        exercise_id: "couch".into(),
        side: Some("left".into()),
        seconds: 30,
        planned_seconds: None,
        at_ms: 500,
    };
    let writes = vec![
        SessionWrite::Save {
            id: a,
            state: SessionState::Running,
            engine: "{\"p\":2}".into(),
            deadline_ms: Some(9_000),
        },
        SessionWrite::Finish { id: b, state: SessionState::Done, summary: None },
    ];
    let credits = vec![credit(a, 1), credit(a, 2), credit(b, 1)];
    let applied = batch::apply(&pool, &writes, &credits, 1_000).await.unwrap();
    assert_eq!(applied, Applied { sessions: 2, credits: 3 });
    let s = sessions::get_session(&pool, a).await.unwrap();
    assert_eq!((s.state, s.deadline_ms, s.updated_at_ms), (SessionState::Running, Some(9_000), 1_000));
    assert_eq!(sessions::get_session(&pool, b).await.unwrap().ended_at_ms, Some(1_000));
    // A replay: the ended session stays ended, no credit counts twice.
    let applied = batch::apply(&pool, &writes, &credits, 2_000).await.unwrap();
    assert_eq!(applied, Applied { sessions: 1, credits: 0 });
    assert_eq!(sessions::get_session(&pool, b).await.unwrap().state, SessionState::Done);
    assert_eq!(progress::user_progress(&pool, 1, None, Tz::UTC, 1, 1_000).await.unwrap().holds, 3);
    // A write with the wrong kind of state is refused before anything changes.
    let bad = [SessionWrite::Save { id: a, state: SessionState::Done, engine: String::new(), deadline_ms: None }];
    assert!(matches!(batch::apply(&pool, &bad, &[], 3_000).await, Err(StoreError::InvalidState(_))));
    assert_eq!(batch::apply(&pool, &[], &[], 3_000).await.unwrap(), Applied::default());
}
