//! Store: connecting, forgetting a user, concurrent writers and backups.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use holdfast::store::{
    self, guilds, progress, reminders, sessions, users, CreditRecord, NewReminder, NewSession, SessionState, StoreError,
};
use sqlx::{Row, SqlitePool};

fn url(dir: &tempfile::TempDir, name: &str) -> String {
    format!("sqlite://{}", dir.path().join(name).display())
}

async fn db() -> (tempfile::TempDir, SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let pool = store::connect(&url(&dir, "t.db")).await.unwrap();
    (dir, pool)
}

fn new_session(channel: i64, host: i64, engine: &str) -> NewSession {
    NewSession {
        guild_id: 10,
        channel_id: channel,
        host_id: host,
        routine_id: "hips".into(),
        state: SessionState::Lobby,
        engine: Some(engine.into()),
        deadline_ms: Some(5_000),
    }
}

fn credit(session_id: i64, user: i64, seq: i64, at_ms: i64) -> CreditRecord {
    CreditRecord {
        session_id,
        user_id: user,
        phase_seq: seq,
        guild_id: 10,
        exercise_id: "couch".into(),
        side: Some("left".into()),
        seconds: 60,
        planned_seconds: None,
        at_ms,
    }
}

fn reminder(guild: i64, creator: Option<i64>, next: i64) -> NewReminder {
    NewReminder {
        guild_id: guild,
        channel_id: 100,
        routine_id: "hips".into(),
        role_id: None,
        time_of_day: "18:00".parse().unwrap(),
        days: holdfast::schedule::Days::DAILY,
        timezone: Tz::UTC,
        next_fire_ms: next,
        created_by: creator,
        every_weeks: 1,
        anchor: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        until: None,
        event: false,
    }
}

/// Every user table in the database, from sqlite_master, so that a table
/// added later cannot escape the checks.
async fn tables(pool: &SqlitePool) -> Vec<String> {
    sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .fetch_all(pool)
        .await
        .unwrap()
}

/// Per table, how many rows hold `id` in any column, as a number or inside text.
async fn rows_mentioning(pool: &SqlitePool, id: i64) -> BTreeMap<String, i64> {
    let mut found = BTreeMap::new();
    for table in tables(pool).await {
        let columns: Vec<String> = sqlx::query(&format!("PRAGMA table_info(\"{table}\")"))
            .fetch_all(pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
        assert!(!columns.is_empty(), "{table} has no columns?");
        let cond: Vec<String> =
            columns.iter().map(|c| format!("\"{c}\" = ?1 OR instr(CAST(\"{c}\" AS TEXT), ?2) > 0")).collect();
        let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE {}", cond.join(" OR "));
        let n: i64 = sqlx::query_scalar(&sql).bind(id).bind(id.to_string()).fetch_one(pool).await.unwrap();
        if n > 0 {
            found.insert(table, n);
        }
    }
    found
}

const ME: i64 = 284_736_190_558_212_097;
const OTHER: i64 = 391_004_455_120_873_472;

/// ME and OTHER in every table that holds people: settings, sessions ME
/// hosted and joined, credits, reminders, a posted summary naming both.
/// Returns the sessions (ended, theirs, live).
async fn populate(pool: &SqlitePool) -> (i64, i64, i64) {
    let pool = pool.clone();
    users::set_user_timezone(&pool, ME, Some(Tz::Europe__Oslo)).await.unwrap();
    users::set_user_timezone(&pool, OTHER, Some(Tz::Europe__Oslo)).await.unwrap();
    guilds::set_coach_role(&pool, 10, Some(77)).await.unwrap();
    // A session ME hosted and finished, one OTHER hosts that ME joined, and a
    // live one ME hosts whose engine JSON names ME.
    let ended = sessions::create_session(&pool, &new_session(100, ME, &format!("[{ME}]")), 1).await.unwrap();
    sessions::finish_session(&pool, ended, SessionState::Done, Some(r#"{"steps":4}"#), 2).await.unwrap();
    let theirs = sessions::create_session(&pool, &new_session(101, OTHER, "{}"), 1).await.unwrap();
    sessions::join_session(&pool, theirs, ME, 3).await.unwrap();
    sessions::leave_session(&pool, theirs, ME, 4).await.unwrap();
    let live = sessions::create_session(&pool, &new_session(102, ME, &format!("{{\"p\":[{ME}]}}")), 5).await.unwrap();
    sessions::join_session(&pool, live, OTHER, 6).await.unwrap();
    let mut c = Vec::new();
    for (i, s) in [ended, theirs, live].into_iter().enumerate() {
        c.push(credit(s, ME, 1, 10 + i as i64));
        c.push(credit(s, OTHER, 1, 10 + i as i64));
    }
    progress::insert_credits(&pool, &c).await.unwrap();
    reminders::add_reminder(&pool, &reminder(10, Some(ME), 1_000), 7).await.unwrap();
    reminders::add_reminder(&pool, &reminder(10, Some(OTHER), 1_000), 7).await.unwrap();
    // A summary that was posted, naming both, and a cue naming nobody.
    let posted = |body: String| holdfast::store::outbox::NewMessage {
        channel_id: 100,
        priority: holdfast::store::outbox::POST,
        body,
        session_id: Some(ended),
        expires_at_ms: None,
    };
    holdfast::store::outbox::insert(
        &pool,
        &[posted(format!("{{\"content\":\"<@{ME}> <@{OTHER}>\"}}")), posted("{\"content\":\"Hold\"}".into())],
        9,
    )
    .await
    .unwrap();
    (ended, theirs, live)
}

#[tokio::test]
async fn forget_leaves_no_row_behind() {
    let (_dir, pool) = db().await;
    let (_ended, theirs, live) = populate(&pool).await;

    // The check sees ME in every table that holds them.
    let before = rows_mentioning(&pool, ME).await;
    for t in ["users", "sessions", "participants", "hold_credits", "reminders", "outbox"] {
        assert!(before.contains_key(t), "{t} missing from {before:?}");
    }

    let report = users::forget_user(&pool, ME).await.unwrap();
    assert_eq!(report.credits, 3);
    assert_eq!(report.participations, 3);
    assert_eq!(report.hosted_sessions, 2);
    assert_eq!(report.reminders, 1);
    assert!(report.settings);
    assert_eq!(report.live_sessions, vec![theirs, live]);

    // Only the live engine JSON can still name ME; the runner drops ME from
    // each listed session and saves it.
    assert_eq!(rows_mentioning(&pool, ME).await, BTreeMap::from([("sessions".to_owned(), 1)]));
    sessions::save_session(&pool, live, SessionState::Lobby, Some(r#"{"p":[]}"#), Some(5_000), 8).await.unwrap();
    assert_eq!(rows_mentioning(&pool, ME).await, BTreeMap::new());

    // Everyone else's data is untouched; the sessions and reminder remain.
    let after = rows_mentioning(&pool, OTHER).await;
    assert_eq!(after.get("hold_credits"), Some(&3));
    assert_eq!(after.get("users"), Some(&1));
    assert_eq!(sessions::get_session(&pool, live).await.unwrap().host_id, None);
    assert_eq!(reminders::list_for_guild(&pool, 10).await.unwrap().len(), 2);
    let p = progress::user_progress(&pool, ME, None, Tz::UTC, 365, 100).await.unwrap();
    assert_eq!((p.holds, p.best_streak), (0, 0));
    // Forgetting twice is harmless.
    assert_eq!(users::forget_user(&pool, ME).await.unwrap(), users::ForgetReport::default());
}

#[tokio::test]
async fn connect_creates_the_database_with_its_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    assert!(!path.exists());
    let pool = store::connect(&url(&dir, "new.db")).await.unwrap();
    assert!(path.exists());
    let t = tables(&pool).await;
    for want in ["guild_settings", "users", "sessions", "participants", "hold_credits", "reminders"] {
        assert!(t.iter().any(|n| n == want), "{want} not in {t:?}");
    }
    let mut conn = pool.acquire().await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await.unwrap();
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&mut *conn).await.unwrap();
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(&mut *conn).await.unwrap();
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *conn).await.unwrap();
    assert_eq!((mode.as_str(), fk, busy, sync), ("wal", 1, 5_000, 1));
    drop(conn);
    pool.close().await;
    // A second start finds the schema and applies nothing twice.
    let pool = store::connect(&url(&dir, "new.db")).await.unwrap();
    guilds::set_coach_role(&pool, 1, Some(2)).await.unwrap();
    // In memory works too (tests, tools).
    let mem = store::connect("sqlite::memory:").await.unwrap();
    guilds::set_coach_role(&mem, 1, Some(2)).await.unwrap();
    assert_eq!(guilds::get_guild_settings(&mem, 1).await.unwrap().coach_role_id, Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_never_see_busy() {
    let dir = tempfile::tempdir().unwrap();
    // Two pools on one file behave like two processes.
    let a = store::connect(&url(&dir, "t.db")).await.unwrap();
    let b = store::connect(&url(&dir, "t.db")).await.unwrap();
    for i in 0..40 {
        reminders::add_reminder(&a, &reminder(i % 2, None, 0), 0).await.unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..6i64 {
        let pool = if w % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let s = sessions::create_session(&pool, &new_session(1_000 + w, w, "{}"), 0).await?;
            let mut claimed = 0;
            for round in 0..40i64 {
                let batch: Vec<CreditRecord> = (0..25).map(|k| credit(s, w, round * 25 + k, round)).collect();
                assert_eq!(progress::insert_credits(&pool, &batch).await?, 25);
                sessions::save_session(&pool, s, SessionState::Running, Some("{}"), Some(round), round).await?;
                claimed += reminders::claim_due(&pool, 10, |_| i64::MAX).await?.due.len();
                users::set_user_timezone(&pool, w, Some(Tz::UTC)).await?;
                progress::user_progress(&pool, w, None, Tz::UTC, 30, round).await?;
            }
            users::forget_user(&pool, 99).await?;
            Ok::<usize, StoreError>(claimed)
        }));
    }
    let mut claimed = 0;
    for t in tasks {
        claimed += t.await.unwrap().unwrap();
    }
    // Every reminder was claimed exactly once across all writers.
    assert_eq!(claimed, 40);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM hold_credits").fetch_one(&b).await.unwrap();
    assert_eq!(n, 6 * 40 * 25);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_is_consistent_and_refuses_to_overwrite() {
    let (dir, pool) = db().await;
    users::set_user_timezone(&pool, ME, Some(Tz::Asia__Tokyo)).await.unwrap();
    reminders::add_reminder(&pool, &reminder(10, Some(ME), 9), 1).await.unwrap();
    let s = sessions::create_session(&pool, &new_session(100, ME, "{}"), 1).await.unwrap();
    // A writer keeps committing 100-credit transactions during the backup.
    let writer = {
        let pool = pool.clone();
        tokio::spawn(async move {
            for round in 0..60i64 {
                let batch: Vec<CreditRecord> = (0..100).map(|k| credit(s, ME, round * 100 + k, round)).collect();
                progress::insert_credits(&pool, &batch).await.unwrap();
            }
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let path = dir.path().join("backup.db");
    store::backup(&pool, &path).await.unwrap();
    writer.await.unwrap();

    let copy = store::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let ok: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&copy).await.unwrap();
    assert_eq!(ok, "ok");
    let credits: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM hold_credits").fetch_one(&copy).await.unwrap();
    assert_eq!(credits % 100, 0, "a backup holds whole transactions only");
    // Same rows in every table, once the writer is done and a second backup is made.
    let path2 = dir.path().join("backup2.db");
    store::backup(&pool, &path2).await.unwrap();
    let copy2 = store::connect(&format!("sqlite://{}", path2.display())).await.unwrap();
    assert_eq!(tables(&copy2).await, tables(&pool).await);
    let mut conn = copy2.acquire().await.unwrap();
    sqlx::query("ATTACH DATABASE ? AS live")
        .bind(dir.path().join("t.db").to_str().unwrap())
        .execute(&mut *conn)
        .await
        .unwrap();
    for table in tables(&pool).await {
        let count = |db: &str| format!("SELECT COUNT(*) FROM {db}.\"{table}\"");
        let n: i64 = sqlx::query_scalar(&count("main")).fetch_one(&mut *conn).await.unwrap();
        let m: i64 = sqlx::query_scalar(&count("live")).fetch_one(&mut *conn).await.unwrap();
        assert_eq!(n, m, "{table}");
        for (x, y) in [("main", "live"), ("live", "main")] {
            let sql =
                format!("SELECT COUNT(*) FROM (SELECT * FROM {x}.\"{table}\" EXCEPT SELECT * FROM {y}.\"{table}\")");
            let diff: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *conn).await.unwrap();
            assert_eq!(diff, 0, "{table}: rows in {x} not in {y}");
        }
    }
    sqlx::query("DETACH DATABASE live").execute(&mut *conn).await.unwrap();
    drop(conn);
    assert_eq!(users::get_user_timezone(&copy2, ME).await.unwrap(), Some(Tz::Asia__Tokyo));

    // An existing file is never overwritten.
    let before = std::fs::read(&path).unwrap();
    let err = store::backup(&pool, &path).await.unwrap_err();
    assert!(matches!(err, StoreError::BackupExists(ref p) if p == &path), "{err:?}");
    assert!(err.to_string().contains("already exists"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[tokio::test]
async fn backup_database_from_url_needs_an_existing_database() {
    let (dir, pool) = db().await;
    guilds::set_coach_role(&pool, 1, Some(2)).await.unwrap();
    let path = dir.path().join("copy.db");
    store::backup_database(&url(&dir, "t.db"), &path).await.unwrap();
    let copy = store::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    assert_eq!(guilds::get_guild_settings(&copy, 1).await.unwrap().coach_role_id, Some(2));
    assert!(matches!(store::backup_database(&url(&dir, "t.db"), &path).await, Err(StoreError::BackupExists(_))));
    // No database there: an error, and no empty database is created.
    let missing = dir.path().join("missing.db");
    assert!(store::backup_database(&url(&dir, "missing.db"), &dir.path().join("x.db")).await.is_err());
    assert!(!missing.exists());
}

#[tokio::test]
async fn export_holds_everything_stored_about_the_user_and_nothing_about_others() {
    let (_dir, pool) = db().await;
    populate(&pool).await;
    let export = users::export_user(&pool, ME).await.unwrap();
    assert_eq!(export["user_id"], ME.to_string());
    assert_eq!(export["settings"]["timezone"], "Europe/Oslo");
    let len = |k: &str| export[k].as_array().map_or(0, Vec::len);
    assert_eq!(
        (
            len("sessions_joined"),
            len("hold_credits"),
            len("sessions_hosted"),
            len("reminders_created"),
            len("posted_messages")
        ),
        (3, 3, 2, 1, 1),
        "{export:#}"
    );
    // Every table that holds ME is in the export; OTHER's own rows are not.
    for table in rows_mentioning(&pool, ME).await.keys() {
        let section = match table.as_str() {
            "users" => "settings",
            "participants" => "sessions_joined",
            "hold_credits" => "hold_credits",
            "sessions" => "sessions_hosted",
            "reminders" => "reminders_created",
            "outbox" => "posted_messages",
            other => panic!("a table the export does not know: {other}"),
        };
        assert!(!export[section].is_null(), "{section}");
    }
    let text = export.to_string();
    assert!(!text.contains(&format!("\"user_id\":\"{OTHER}\"")));
    assert_eq!(users::export_user(&pool, 12345).await.unwrap()["hold_credits"].as_array().map(Vec::len), Some(0));
}
