//! Group-session benchmark (plain binary, issue 4):
//! `cargo bench --bench sessions` (10,000 then 100,000 sessions, each in its
//! own process so that memory figures do not carry over), or
//! `cargo bench --bench sessions -- 10000` for one size.
//!
//! N sessions run concurrently in one process on one [`Runner`] with the
//! system clock, a temporary SQLite file and a null sink that only records
//! timing. Each session: one per-side exercise, 5-second holds, 3 rounds,
//! no rest (get ready 10 s, then L 5 / switch 5 / R 5 three times: 55 s).
//! The timer loop runs while the sessions are created. Every lobby ends at
//! a common start second (a lead after the run begins, long enough to
//! create all N first: default 5 s + N/1500 s) plus `i % 5 + 1` seconds, so
//! all N sessions are live at once and change phase on five consecutive
//! seconds, N/5 at each boundary. With `HOLDFAST_BENCH_LEAD=0` each lobby
//! ends `i % 5 + 1` s after its own creation instead, so ticks overlap the
//! creation (lateness is reported separately for phases due before and
//! after the last session was created).
//!
//! Lateness of a phase = when the sink received its announcement (system
//! clock, sub-millisecond) − when it was due. The engine starts phase k+1 at
//! phase k's deadline (a whole second) and every phase lasts whole seconds,
//! so a timed phase was due at exactly `ends_at_ms − secs × 1000`; Done was due
//! at the last phase's deadline, which the sink remembers per session.
//!
//! Also measured: how long a command waits for the runner (a probe calls
//! `live_count()` every 25 ms, which takes the same table lock as
//! `/session join` and the controls), peak resident memory (VmHWM), the time
//! to create the sessions and the database size.
//!
//! Environment: `HOLDFAST_BENCH_LEAD` (seconds, see above),
//! `HOLDFAST_BENCH_CREATORS` (parallel creating tasks, default 1),
//! `HOLDFAST_BENCH_ROUNDS` (default 3), `HOLDFAST_BENCH_HOLD` (default 5).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use holdfast::session::clock::{Clock, SystemClock};
use holdfast::session::engine::{AnnouncementKind, Event, Plan, PlanStep, Session};
use holdfast::session::runner::{Delivery, Runner, Sink, StartSpec};
use holdfast::store::batch::{self, SessionWrite};
use holdfast::store::{self, CreditRecord, SessionState};

const CHILD_ENV: &str = "HOLDFAST_BENCH_SESSIONS_CHILD";
const DEFAULT_SIZES: [usize; 2] = [10_000, 100_000];
/// Whole-run guard: give up (and say so) after this long.
const MAX_RUN: Duration = Duration::from_secs(20 * 60);

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Unix time in milliseconds with sub-millisecond precision (the same
/// realtime clock `SystemClock` reads through chrono).
fn now_ms_f64() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_nanos() as f64 / 1e6)
}

/// What the sink collects. Buffers are sized up front (and touched) before
/// the baseline memory reading, so they are not counted as session memory.
struct Recorded {
    /// Lateness (ms) of phases due before all sessions were created.
    during: Vec<f32>,
    /// Lateness (ms) of phases due after that.
    after: Vec<f32>,
    /// Per due second: phase changes, least and greatest lateness (ms).
    per_second: HashMap<i64, (u32, f32, f32)>,
    /// Each session's current deadline (for the Done announcement).
    deadline: HashMap<i64, i64>,
    /// Announcements that are not timed phases or Done (none expected).
    other: u64,
}

struct Recorder {
    /// Phases due at or after this instant (Unix ms) count as "after
    /// creation"; `i64::MAX` while creating.
    created_at_ms: AtomicI64,
    /// Time spent inside `deliver` (ns), to show the sink is cheap.
    busy_ns: AtomicU64,
    rec: Mutex<Recorded>,
}

impl Recorder {
    fn new(expected: usize, sessions: usize) -> Self {
        let touched = |n: usize| {
            let mut v = vec![1.0f32; n];
            v.clear();
            v
        };
        let rec = Recorded {
            during: touched(expected),
            after: touched(expected),
            per_second: HashMap::with_capacity(4096),
            deadline: HashMap::with_capacity(sessions),
            other: 0,
        };
        Self { created_at_ms: AtomicI64::new(i64::MAX), busy_ns: AtomicU64::new(0), rec: Mutex::new(rec) }
    }
}

impl Sink for Recorder {
    fn deliver(&self, delivery: Delivery) {
        let entered = Instant::now();
        self.record(&delivery);
        drop(delivery);
        self.busy_ns.fetch_add(entered.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }
}

impl Recorder {
    fn record(&self, delivery: &Delivery) {
        let now = now_ms_f64();
        let split = self.created_at_ms.load(Ordering::Relaxed);
        let id = delivery.view.id;
        let mut r = self.rec.lock().unwrap();
        for a in &delivery.announcements {
            let due = match (a.kind, a.ends_at_ms, &a.phase) {
                (
                    AnnouncementKind::GetReady
                    | AnnouncementKind::NextExercise
                    | AnnouncementKind::Hold
                    | AnnouncementKind::SwitchSides
                    | AnnouncementKind::Rest,
                    Some(ends),
                    Some(phase),
                ) => {
                    r.deadline.insert(id, ends);
                    ends - i64::from(phase.secs) * 1000
                }
                (AnnouncementKind::Done, _, _) => {
                    if let Some(d) = r.deadline.remove(&id) {
                        d
                    } else {
                        r.other += 1;
                        continue;
                    }
                }
                _ => {
                    r.other += 1;
                    continue;
                }
            };
            let late = (now - due as f64) as f32;
            if due < split {
                r.during.push(late);
            } else {
                r.after.push(late);
            }
            let b = r.per_second.entry(due.div_euclid(1000)).or_insert((0, f32::MAX, f32::MIN));
            *b = (b.0 + 1, b.1.min(late), b.2.max(late));
        }
    }
}

/// `VmHWM` and `VmRSS` from /proc/self/status, in MiB.
fn memory_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// The first field of /proc/loadavg (other work on the machine distorts the
/// figures; it is printed with them).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default()
}

fn percentile(sorted: &[f32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i.min(sorted.len() - 1)])
}

fn summary(label: &str, mut v: Vec<f32>) -> String {
    v.sort_by(f32::total_cmp);
    format!(
        "{label}: {} phases, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        v.len(),
        percentile(&v, 0.5),
        percentile(&v, 0.99),
        v.last().copied().map_or(f64::NAN, f64::from),
    )
}

fn plan(hold_secs: u32, rounds: u32) -> Plan {
    Plan {
        routine_id: "bench-hips".into(),
        routine_name: "Bench hips".into(),
        steps: vec![PlanStep {
            exercise_id: "couch-stretch".into(),
            exercise_name: "Couch Stretch".into(),
            hold_secs,
            per_side: true,
            rounds,
            rest_secs: 0,
        }],
    }
}

/// Session `i`'s spec. Its lobby ends `i % 5 + 1` seconds after
/// `target_ms` (or after now, once `target_ms` has passed), so the sessions
/// change phase on five consecutive seconds, N/5 at each boundary.
fn spec(i: usize, plan: &Plan, target_ms: i64) -> StartSpec {
    let wait_secs = ((target_ms - SystemClock.now_ms()).max(0) + 999) / 1000;
    let i = i as u64;
    StartSpec {
        guild_id: 900_000_000_000_000_000 + i / 20,
        channel_id: 910_000_000_000_000_000 + i,
        host: 920_000_000_000_000_000 + i,
        plan: plan.clone(),
        start_in_secs: (wait_secs as u64 + i % 5 + 1) as u32,
        host_limits: Vec::new(),
    }
}

fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

async fn run(n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let creators = env_u32("HOLDFAST_BENCH_CREATORS", 1).max(1) as usize;
    let rounds = env_u32("HOLDFAST_BENCH_ROUNDS", 3);
    let hold = env_u32("HOLDFAST_BENCH_HOLD", 5);
    let plan = plan(hold, rounds);
    // Timed phases per session (get ready + per round: L, switch, R) + Done.
    let per_session = 1 + 3 * rounds as usize + 1;
    let expected = n * per_session;

    let dir = tempfile::tempdir()?;
    let db = dir.path().join("sessions.db");
    let pool = store::connect(&format!("sqlite://{}", db.display())).await?;
    let sink = Arc::new(Recorder::new(expected, n));
    let runner = Runner::new(pool.clone(), Arc::new(SystemClock), sink.clone(), || {});
    let (_, base_rss) = memory_mib();

    let stop_timer = tokio_util::sync::CancellationToken::new();
    let timer = runner.spawn(stop_timer.clone());
    let stop = Arc::new(AtomicBool::new(false));
    // A command arrives every 25 ms, whatever the runner is doing, and
    // times its wait for the table lock (as `/session join` would).
    let waits = Arc::new(Mutex::new(Vec::<f32>::with_capacity(16_384)));
    let probe = {
        let (runner, stop, waits) = (runner.clone(), stop.clone(), waits.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(25));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !stop.load(Ordering::Relaxed) {
                every.tick().await;
                let (runner, waits) = (runner.clone(), waits.clone());
                tokio::spawn(async move {
                    let t = Instant::now();
                    runner.live_count().await;
                    let ms = t.elapsed().as_secs_f32() * 1e3;
                    waits.lock().unwrap().push(ms);
                });
            }
        })
    };

    // All lobbies end after creation (so that all N sessions are live at
    // once and creating does not compete with ticks) when the lead is long
    // enough; `HOLDFAST_BENCH_LEAD=0` starts each session 1-5 s after its
    // creation instead.
    let lead_secs =
        std::env::var("HOLDFAST_BENCH_LEAD").ok().and_then(|v| v.parse::<i64>().ok()).unwrap_or(5 + n as i64 / 1500);
    let target_ms = (SystemClock.now_ms() + lead_secs * 1000).div_euclid(1000) * 1000 + 1000;
    let load_before = load_average();
    let begin = Instant::now();
    let create = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..creators {
        let runner = runner.clone();
        let plan = plan.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(n / creators + 1);
            for i in (k..n).step_by(creators) {
                let t = Instant::now();
                runner.start(spec(i, &plan, target_ms)).await.map_err(|e| e.to_string())?;
                times.push(t.elapsed().as_secs_f32() * 1e3);
            }
            Ok::<_, String>(times)
        }));
    }
    let mut start_times = Vec::with_capacity(n);
    for t in tasks {
        start_times.extend(t.await??);
    }
    let create_secs = create.elapsed().as_secs_f64();
    sink.created_at_ms.store(now_ms_f64().ceil() as i64, Ordering::Relaxed);
    let live_after_create = runner.live_count().await;
    let (_, rss_created) = memory_mib();

    let mut peak_rss = rss_created;
    let mut peak_live = live_after_create;
    let mut timed_out = false;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let live = runner.live_count().await;
        peak_rss = peak_rss.max(memory_mib().1);
        peak_live = peak_live.max(live);
        if live == 0 {
            break;
        }
        if begin.elapsed() > MAX_RUN {
            timed_out = true;
            break;
        }
    }
    let run_secs = begin.elapsed().as_secs_f64();
    let load_after = load_average();
    let (hwm, rss_end) = memory_mib();
    stop.store(true, Ordering::Relaxed);
    probe.await?;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let waits = std::mem::take(&mut *waits.lock().unwrap());
    stop_timer.cancel();
    let _ = timer.await;
    // The database writer may still be catching up: wait for it, and say how long.
    let flush_started = Instant::now();
    runner.flush().await;
    println!("database writer caught up {:.1} s after the last session ended", flush_started.elapsed().as_secs_f64());

    let (done_rows, credit_rows): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM sessions WHERE state = 'done'), (SELECT COUNT(*) FROM hold_credits)",
    )
    .fetch_one(&pool)
    .await?;
    let wal = dir.path().join("sessions.db-wal");
    let (db_bytes, wal_bytes) = (file_size(&db), file_size(&wal));
    pool.close().await;

    let rec = {
        let mut r = sink.rec.lock().unwrap();
        Recorded {
            during: std::mem::take(&mut r.during),
            after: std::mem::take(&mut r.after),
            per_second: std::mem::take(&mut r.per_second),
            deadline: HashMap::new(),
            other: r.other,
        }
    };
    let announced = rec.during.len() + rec.after.len();
    let (busiest_sec, busiest) =
        rec.per_second.iter().map(|(s, b)| (*s, b.0)).max_by_key(|&(s, c)| (c, -s)).unwrap_or((0, 0));
    let seconds_with_changes = rec.per_second.len();
    // Per boundary: the first announcement's lateness (timer wake-up) and the
    // spread to the last one (the tick working through the due sessions).
    let mut wake: Vec<f32> = rec.per_second.values().map(|b| b.1).collect();
    let mut spread: Vec<f32> = rec.per_second.values().map(|b| b.2 - b.1).collect();
    wake.sort_by(f32::total_cmp);
    spread.sort_by(f32::total_cmp);
    let mut all = rec.during.clone();
    all.extend_from_slice(&rec.after);
    start_times.sort_by(f32::total_cmp);
    let mut waits = waits;
    waits.sort_by(f32::total_cmp);

    println!(
        "== {n} sessions (hold {hold} s, {rounds} rounds per side; lobbies end {lead_secs} s after the first start + 1-5 s; {creators} creating task(s)) =="
    );
    println!(
        "{} cores; 1-minute load average {load_before} before, {load_after} after (includes this run)",
        std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get)
    );
    if timed_out {
        println!("TIMED OUT after {run_secs:.0} s with sessions still live");
    }
    println!(
        "created {n} sessions in {create_secs:.2} s ({:.0}/s; Runner::start p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms); live after creation {live_after_create}, peak {peak_live}",
        n as f64 / create_secs,
        percentile(&start_times, 0.5),
        percentile(&start_times, 0.99),
        start_times.last().copied().unwrap_or(f32::NAN),
    );
    println!(
        "phases announced: {announced} (expected {expected}; other announcements {}); done rows {done_rows}, credits {credit_rows}; run {run_secs:.1} s",
        rec.other
    );
    println!("{}", summary("lateness, all", all));
    println!("{}", summary("lateness, due after creation", rec.after));
    println!("{}", summary("lateness, due while creating", rec.during));
    println!(
        "busiest second: {busiest} phase changes (due at {busiest_sec} s; {seconds_with_changes} seconds had changes, mean {:.0}/s)",
        announced as f64 / seconds_with_changes.max(1) as f64
    );
    println!(
        "sink: {:.2} µs per announcement, including dropping the delivery",
        sink.busy_ns.load(Ordering::Relaxed) as f64 / 1e3 / announced.max(1) as f64
    );
    println!(
        "per boundary ({} seconds): first announcement p50 {:.2} ms, max {:.2} ms late; last minus first p50 {:.2} ms, max {:.2} ms",
        wake.len(),
        percentile(&wake, 0.5),
        wake.last().copied().unwrap_or(f32::NAN),
        percentile(&spread, 0.5),
        spread.last().copied().unwrap_or(f32::NAN),
    );
    println!(
        "command wait for the runner lock (a live_count every 25 ms, {} samples): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.1}% waited > 10 ms",
        waits.len(),
        percentile(&waits, 0.5),
        percentile(&waits, 0.9),
        percentile(&waits, 0.99),
        waits.last().copied().unwrap_or(f32::NAN),
        100.0 * waits.iter().filter(|&&w| w > 10.0).count() as f64 / waits.len().max(1) as f64,
    );
    println!(
        "memory: peak resident (VmHWM) {hwm:.1} MiB; VmRSS baseline {base_rss:.1} MiB, after creation {rss_created:.1} MiB, peak sampled {peak_rss:.1} MiB, at end {rss_end:.1} MiB; ~{:.2} KiB per live session",
        (rss_created - base_rss) * 1024.0 / n as f64
    );
    println!("database: {:.1} MiB file + {:.1} MiB WAL", db_bytes as f64 / 1048576.0, wal_bytes as f64 / 1048576.0);
    tick_costs(&plan, busiest as usize).await?;
    println!();
    Ok(())
}

/// The two halves of one tick at the busiest boundary, measured outside the
/// runner: the engine work per due session (done before each announcement
/// is delivered), and the one `batch::apply` transaction (done after, still
/// holding the runner's table lock).
async fn tick_costs(plan: &Plan, due: usize) -> Result<(), Box<dyn std::error::Error>> {
    let t0 = 1_790_000_000_000;
    let mut sessions: Vec<Session> = (0..due).map(|i| Session::new(i as i64 + 1, 7, plan.clone(), 1, t0).0).collect();
    let (mut handle, mut json, mut clone, mut bytes, mut ticks) = (0.0, 0.0, 0.0, 0usize, 0usize);
    let mut last_json = Vec::with_capacity(due);
    let mut running_json = Vec::new();
    while let Some(d) = sessions.first().and_then(Session::deadline_ms) {
        let t = Instant::now();
        for s in &mut sessions {
            s.handle(d, Event::Tick).map_err(|e| e.to_string())?;
        }
        handle += t.elapsed().as_secs_f64();
        let t = Instant::now();
        last_json.clear();
        for s in &sessions {
            last_json.push(serde_json::to_string(s)?);
        }
        json += t.elapsed().as_secs_f64();
        let t = Instant::now();
        for s in &sessions {
            std::hint::black_box((s.plan().clone(), s.roster().to_vec(), s.current_phase()));
        }
        clone += t.elapsed().as_secs_f64();
        ticks += due;
        if sessions[0].is_over() {
            break;
        }
        // Keep the JSON of running sessions for the store measurement.
        bytes = bytes.max(last_json.first().map_or(0, String::len));
        running_json.clone_from(&last_json);
    }
    let last_json = running_json;
    let per = |secs: f64| secs * 1e6 / ticks.max(1) as f64;
    println!(
        "tick cost per due session (engine only, {due} sessions): Session::handle {:.2} µs, engine JSON {:.2} µs ({bytes} bytes), View clones {:.2} µs => {:.1} ms of work before the last of {due} announcements",
        per(handle),
        per(json),
        per(clone),
        (per(handle) + per(json) + per(clone)) * due as f64 / 1e3,
    );

    let dir = tempfile::tempdir()?;
    let pool = store::connect(&format!("sqlite://{}", dir.path().join("tick.db").display())).await?;
    let mut tx = pool.begin().await?;
    for (i, j) in last_json.iter().enumerate() {
        sqlx::query(
            "INSERT INTO sessions (id, guild_id, channel_id, host_id, routine_id, state, engine, deadline_ms,
                                   created_at_ms, updated_at_ms) VALUES (?, 1, ?, 7, 'r', 'running', ?, 0, 0, 0)",
        )
        .bind(i as i64 + 1)
        .bind(i as i64 + 1)
        .bind(j)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let mut times = Vec::new();
    for round in 0..5i64 {
        let writes: Vec<SessionWrite> = last_json
            .iter()
            .enumerate()
            .map(|(i, j)| SessionWrite::Save {
                id: i as i64 + 1,
                state: SessionState::Running,
                engine: j.clone(),
                deadline_ms: Some(t0 + round),
            })
            .collect();
        // About half the phase changes end a hold and credit the host.
        let credits: Vec<CreditRecord> = (0..due as i64)
            .step_by(2)
            .map(|i| CreditRecord {
                session_id: i + 1,
                user_id: 7,
                phase_seq: round + 2,
                guild_id: 1,
                exercise_id: "couch-stretch".into(),
                side: Some("left".into()),
                seconds: 5,
                planned_seconds: None,
                at_ms: t0,
            })
            .collect();
        let t = Instant::now();
        batch::apply(&pool, &writes, &credits, t0).await?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "tick's store write (batch::apply of {due} session saves + {} credits, 5 runs): median {:.1} ms, max {:.1} ms (the table lock is held throughout)",
        due.div_ceil(2),
        times[times.len() / 2],
        times[times.len() - 1],
    );
    pool.close().await;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; sizes are the numeric arguments.
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.replace('_', "").parse().ok()).collect();
    let sizes = if sizes.is_empty() { DEFAULT_SIZES.to_vec() } else { sizes };
    if sizes.len() > 1 && std::env::var_os(CHILD_ENV).is_none() {
        // One process per size: peak memory (VmHWM) is per process.
        let exe = std::env::current_exe()?;
        for n in sizes {
            let status = std::process::Command::new(&exe).arg(n.to_string()).env(CHILD_ENV, "1").status()?;
            if !status.success() {
                return Err(format!("the {n}-session run failed: {status}").into());
            }
        }
        return Ok(());
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    for n in sizes {
        rt.block_on(run(n))?;
    }
    Ok(())
}
