//! Individual restrictions: the service's checks (nothing is stored when one
//! fails), a restricted athlete in a session run by the real runner, and
//! what progress, the team report, forgetting and the export make of it.

use std::sync::Arc;

use chrono_tz::Tz;
use holdfast::content::Content;
use holdfast::restrict::{self, Request, RestrictError, RuleChoice};
use holdfast::session::clock::ManualClock;
use holdfast::session::engine::{Plan, PlanStep};
use holdfast::session::runner::{Delivery, Runner, Sink, StartSpec};
use holdfast::store::{self, restrictions, users};

const T0: i64 = 1_790_000_000_000; // 2026-09-21 (a Monday), 14:13 UTC
const GUILD: i64 = 10;
const CHANNEL: u64 = 20;
const HOST: u64 = 111_222_333_444;
const ATHLETE: u64 = 222_333_444_555;
const COACH: i64 = 999;

struct Null;
impl Sink for Null {
    fn deliver(&self, _: Delivery) {}
}

fn content() -> Content {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    holdfast::content::load::load_dir(&dir).expect("the project's content loads")
}

async fn db() -> (tempfile::TempDir, sqlx::SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    (dir, store::connect(&url).await.unwrap())
}

fn request(exercise: &str, rule: RuleChoice) -> Request<'_> {
    Request { guild_id: GUILD, athlete: store::db_id(ATHLETE), exercise, rule, until: None, note: None, coach: COACH }
}

async fn count(pool: &sqlx::SqlitePool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM athlete_restrictions").fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn bad_restrictions_get_a_specific_error_and_store_nothing() {
    let (_dir, pool) = db().await;
    let mut c = content();
    // Every exercise of the content is done per side; one that is not, for the test.
    c.exercises.iter_mut().find(|e| e.id == "knuckle-massage").unwrap().per_side = false;
    let bad = [
        (request("foam roller of doom", RuleChoice::Avoid), "unknown exercise"),
        (request("knuckle-massage", RuleChoice::LeftOnly), "not done per side"),
        (request("psoas-smash", RuleChoice::MaxHold(None)), "needs seconds"),
        (request("psoas-smash", RuleChoice::MaxHold(Some(0))), "0 s"),
        (request("psoas-smash", RuleChoice::MaxHold(Some(601))), "601 s"),
        (Request { until: Some("2026-09-20"), ..request("psoas-smash", RuleChoice::Avoid) }, "in the past"),
        (Request { until: Some("2026-13-01"), ..request("psoas-smash", RuleChoice::Avoid) }, "not a date"),
        (Request { note: Some(&"x".repeat(201)), ..request("psoas-smash", RuleChoice::Avoid) }, "201"),
    ];
    for (req, expect) in bad {
        let e = restrict::set(&pool, &c, &req, Tz::UTC, T0).await.unwrap_err();
        assert!(!matches!(e, RestrictError::Store(_)), "{e}");
        assert!(e.to_string().contains(expect), "expected {expect:?} in {e}");
    }
    assert_eq!(count(&pool).await, 0, "nothing stored");
    // Today is fine; in Auckland it is already the 22nd, so the 21st is past there.
    let today = Request { until: Some("2026-09-21"), ..request("psoas-smash", RuleChoice::Avoid) };
    restrict::set(&pool, &c, &today, Tz::UTC, T0).await.unwrap();
    let e = restrict::set(&pool, &c, &today, "Pacific/Auckland".parse().unwrap(), T0).await.unwrap_err();
    assert!(matches!(e, RestrictError::UntilInPast(_)), "{e}");
    assert!("max hold".parse::<RuleChoice>().is_ok() && "left_only".parse::<RuleChoice>().is_ok());
    assert!("sideways".parse::<RuleChoice>().unwrap_err().contains("avoid, left only"));
}

#[tokio::test]
async fn one_per_exercise_replaced_lifted_and_ended_on_its_last_day() {
    let (_dir, pool) = db().await;
    let c = content();
    let (_, replaced) =
        restrict::set(&pool, &c, &request("Psoas Smash", RuleChoice::Avoid), Tz::UTC, T0).await.unwrap();
    assert!(!replaced);
    let until = Request { until: Some("2026-09-22"), ..request("psoas-smash", RuleChoice::MaxHold(Some(30))) };
    let (stored, replaced) = restrict::set(&pool, &c, &until, Tz::UTC, T0).await.unwrap();
    assert!(replaced, "the second replaces the first");
    assert_eq!(stored.rule, restrictions::Rule::MaxHold(30));
    restrict::set(&pool, &c, &request("hamstring-smash", RuleChoice::RightOnly), Tz::UTC, T0).await.unwrap();
    let all = restrictions::of_athlete(&pool, GUILD, store::db_id(ATHLETE)).await.unwrap();
    assert_eq!(all.len(), 2);
    // Through the 22nd (UTC), not after.
    let end_of_22nd = 1_790_121_600_000; // 2026-09-23 00:00 UTC
    assert_eq!(restrict::active(&pool, GUILD, store::db_id(ATHLETE), end_of_22nd - 1).await.unwrap().len(), 2);
    let after = restrict::active(&pool, GUILD, store::db_id(ATHLETE), end_of_22nd).await.unwrap();
    assert_eq!(after.iter().map(|r| r.exercise_id.as_str()).collect::<Vec<_>>(), ["hamstring-smash"]);
    assert!(restrict::describe(&c, &all[1], end_of_22nd).contains("ended 2026-09-22"));
    // Other servers see nothing.
    assert!(restrict::active(&pool, GUILD + 1, store::db_id(ATHLETE), T0).await.unwrap().is_empty());
    assert_eq!(restrictions::lift(&pool, GUILD, store::db_id(ATHLETE), Some("psoas-smash")).await.unwrap(), 1);
    assert_eq!(restrictions::lift(&pool, GUILD, store::db_id(ATHLETE), Some("psoas-smash")).await.unwrap(), 0);
    assert_eq!(restrictions::lift(&pool, GUILD, store::db_id(ATHLETE), None).await.unwrap(), 1);
    assert_eq!(count(&pool).await, 0);
}

#[tokio::test]
async fn a_row_that_does_not_decode_is_corrupt_not_a_default() {
    let (_dir, pool) = db().await;
    sqlx::query(
        "INSERT INTO athlete_restrictions (guild_id, user_id, exercise_id, rule, max_secs, created_at_ms)
         VALUES (10, 5, 'psoas-smash', 'max_hold', 600, 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("PRAGMA ignore_check_constraints = ON").execute(&mut *conn).await.unwrap();
    sqlx::query("UPDATE athlete_restrictions SET max_secs = 9999").execute(&mut *conn).await.unwrap();
    drop(conn);
    let e = restrictions::of_athlete(&pool, 10, 5).await.unwrap_err();
    assert!(matches!(e, store::StoreError::Corrupt { table: "athlete_restrictions", .. }), "{e}");
}

fn plan() -> Plan {
    let step = |id: &str, name: &str, per_side| PlanStep {
        exercise_id: id.into(),
        exercise_name: name.into(),
        hold_secs: 20,
        per_side,
        rounds: 1,
        rest_secs: 0,
    };
    Plan {
        routine_id: "r".into(),
        routine_name: "R".into(),
        steps: vec![step("psoas-smash", "Psoas Smash", true), step("knuckle-massage", "Knuckle Massage", false)],
    }
}

/// A session of [`plan`] in [`GUILD`], hosted by [`HOST`].
fn spec(start_in_secs: u32) -> StartSpec {
    StartSpec {
        guild_id: store::discord_id(GUILD),
        channel_id: CHANNEL,
        host: HOST,
        plan: plan(),
        start_in_secs,
        host_limits: Vec::new(),
    }
}

/// Moves the clock to each deadline and ticks until the session is over.
async fn run_to_end(r: &Runner, clock: &ManualClock, id: i64) {
    while let Some(d) = r.view(id).await.and_then(|v| v.deadline_ms) {
        clock.set(d);
        r.tick().await;
    }
    r.flush().await;
}

#[tokio::test]
async fn a_restricted_athlete_is_told_what_applies_and_credited_with_what_they_did() {
    let (_dir, pool) = db().await;
    let c = content();
    restrict::set(&pool, &c, &request("psoas-smash", RuleChoice::MaxHold(Some(8))), Tz::UTC, T0).await.unwrap();
    restrict::set(&pool, &c, &request("knuckle-massage", RuleChoice::Avoid), Tz::UTC, T0).await.unwrap();
    // A restriction on an exercise the routine does not have says nothing.
    restrict::set(&pool, &c, &request("hamstring-smash", RuleChoice::Avoid), Tz::UTC, T0).await.unwrap();
    let active = restrict::active(&pool, GUILD, store::db_id(ATHLETE), T0).await.unwrap();
    let (limits, lines) = restrict::limits_for(&c, &active, &plan());
    assert_eq!(limits.len(), 2);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("Knuckle") && lines[0].contains("sit this one out"), "{lines:?}");
    assert!(lines[1].contains("hold 8 s, then rest while the others finish"), "{lines:?}");

    let clock = Arc::new(ManualClock::at(T0));
    let r = Runner::new(pool.clone(), Arc::new(clock.clone()), Arc::new(Null), || {});
    let spec = spec(10);
    let id = r.start(spec).await.unwrap().id;
    r.join(id, ATHLETE, limits).await.unwrap();
    run_to_end(&r, &clock, id).await;

    let tz = Tz::UTC;
    let host = store::progress::user_progress(
        &pool,
        store::db_id(HOST),
        None,
        tz,
        7,
        holdfast::session::clock::Clock::now_ms(&*clock),
    )
    .await
    .unwrap();
    assert_eq!((host.holds, host.total_secs, host.modified.holds, host.missed_secs), (3, 60, 0, 0));
    let me = store::progress::user_progress(
        &pool,
        store::db_id(ATHLETE),
        None,
        tz,
        7,
        holdfast::session::clock::Clock::now_ms(&*clock),
    )
    .await
    .unwrap();
    assert_eq!((me.holds, me.total_secs), (2, 16), "8 s a side on the psoas smash; knuckle massage sat out");
    assert_eq!((me.modified.holds, me.modified.secs), (3, 44));
    assert_eq!(me.missed_secs, 0, "modified is not missed");
    assert_eq!(me.sessions, 1);
    let report =
        store::report::team_report(&pool, GUILD, tz, 7, holdfast::session::clock::Clock::now_ms(&*clock), None)
            .await
            .unwrap();
    let line = report.iter().find(|a| a.user_id == store::db_id(ATHLETE)).unwrap();
    assert_eq!((line.hold_secs, line.modified_secs, line.missed_secs), (16, 44, 0));

    // The export names the restrictions and who looked; forgetting removes both.
    restrictions::record_view(&pool, GUILD, store::db_id(ATHLETE), COACH, "restrictions", T0).await.unwrap();
    let export = users::export_user(&pool, store::db_id(ATHLETE)).await.unwrap();
    assert_eq!(export["restrictions"].as_array().unwrap().len(), 3, "{export:#}");
    assert_eq!(export["coach_views_of_your_records"][0]["viewer_id"], COACH.to_string());
    assert!(export["hold_credits"].to_string().contains("\"planned_seconds\":20"), "{export:#}");
    let gone = users::forget_user(&pool, store::db_id(ATHLETE)).await.unwrap();
    assert_eq!(gone.restrictions, 3);
    let export = users::export_user(&pool, store::db_id(ATHLETE)).await.unwrap();
    assert!(
        export["restrictions"].as_array().unwrap().is_empty()
            && export["coach_views_of_your_records"].as_array().unwrap().is_empty()
    );
}

#[tokio::test]
async fn joining_late_is_missed_work_not_modified() {
    let (_dir, pool) = db().await;
    let clock = Arc::new(ManualClock::at(T0));
    let r = Runner::new(pool.clone(), Arc::new(clock.clone()), Arc::new(Null), || {});
    let spec = spec(0);
    let id = r.start(spec).await.unwrap().id;
    let mut joined = false;
    while let Some(d) = r.view(id).await.and_then(|v| v.deadline_ms) {
        clock.set(d);
        r.tick().await;
        // After the psoas smash's left side (get ready 10 s + hold 20 s).
        if !joined && d >= T0 + 30_000 {
            r.join(id, ATHLETE, Vec::new()).await.unwrap();
            joined = true;
        }
    }
    r.flush().await;
    let me = store::progress::user_progress(
        &pool,
        store::db_id(ATHLETE),
        None,
        Tz::UTC,
        7,
        holdfast::session::clock::Clock::now_ms(&*clock),
    )
    .await
    .unwrap();
    assert_eq!((me.total_secs, me.missed_secs, me.modified.holds), (40, 20, 0));
    // The team report says the same, for each member of the session.
    let now = holdfast::session::clock::Clock::now_ms(&*clock);
    let report = store::report::team_report(&pool, GUILD, Tz::UTC, 7, now, None).await.unwrap();
    let missed = |user: u64| report.iter().find(|a| a.user_id == store::db_id(user)).map(|a| a.missed_secs);
    assert_eq!((missed(ATHLETE), missed(HOST)), (Some(20), Some(0)), "{report:?}");
}

#[tokio::test]
async fn a_departed_servers_data_goes_after_the_grace_period_and_stays_if_the_bot_returns() {
    let (_dir, pool) = db().await;
    let c = content();
    let other = Request { guild_id: GUILD + 1, ..request("psoas-smash", RuleChoice::Avoid) };
    restrict::set(&pool, &c, &request("psoas-smash", RuleChoice::Avoid), Tz::UTC, T0).await.unwrap();
    restrict::set(&pool, &c, &other, Tz::UTC, T0).await.unwrap();
    store::guilds::set_guild_timezone(&pool, GUILD, Some(Tz::UTC)).await.unwrap();
    let clock = Arc::new(ManualClock::at(T0));
    let r = Runner::new(pool.clone(), Arc::new(clock.clone()), Arc::new(Null), || {});
    let spec = spec(0);
    let id = r.start(spec).await.unwrap().id;
    run_to_end(&r, &clock, id).await;
    let rows = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.unwrap() }
    };
    assert_eq!(rows("SELECT COUNT(*) FROM hold_credits").await, 3);

    let day = 86_400_000;
    store::guilds::mark_departed(&pool, GUILD, T0).await.unwrap();
    store::guilds::mark_departed(&pool, GUILD, T0 + day).await.unwrap(); // told twice: the first time counts
    assert!(store::guilds::purge_departed(&pool, T0).await.unwrap().is_empty(), "within the grace period");
    // Back before the end: nothing is deleted later.
    assert!(store::guilds::mark_present(&pool, GUILD).await.unwrap());
    assert!(store::guilds::purge_departed(&pool, T0 + 60 * day).await.unwrap().is_empty());
    // Gone for good: after the grace period, every row of that server goes, no other server's.
    store::guilds::mark_departed(&pool, GUILD, T0).await.unwrap();
    let purged = store::guilds::purge_departed(&pool, T0 + 30 * day).await.unwrap();
    assert_eq!(purged.len(), 1);
    assert_eq!((purged[0].guild_id, purged[0].left_at_ms), (GUILD, T0));
    assert_eq!(purged[0].rows, 3 + 1 + 1 + 1 + 1, "credits, participant, session, restriction, settings: {purged:?}");
    assert_eq!(rows("SELECT COUNT(*) FROM hold_credits").await, 0);
    assert_eq!(rows("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(rows("SELECT COUNT(*) FROM participants").await, 0);
    assert_eq!(rows("SELECT COUNT(*) FROM guild_settings").await, 0);
    assert_eq!(
        rows("SELECT COUNT(*) FROM athlete_restrictions WHERE guild_id = 11").await,
        1,
        "the other server's stays"
    );
    assert_eq!(rows("SELECT COUNT(*) FROM departed_guilds").await, 0);
    assert!(store::guilds::purge_departed(&pool, T0 + 90 * day).await.unwrap().is_empty(), "once");
}
