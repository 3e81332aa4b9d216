//! End to end, for the person who runs the bot: the health and metrics
//! endpoint of the real `holdfast run` against the Discord simulator (the
//! counters move as commands run), and JSON logs that never show the token:
//! at start-up, on errors and on a failed login.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use holdfast_sim::bot::{boot, Bot, BotFiles, TOKEN};
use holdfast_sim::*;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);
const ANSWER: Duration = Duration::from_secs(5);

/// A port nobody listens on now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

async fn get(url: &str) -> (u16, String, String) {
    let r = reqwest::get(url).await.unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = r.status().as_u16();
    let ctype = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    (status, ctype, r.text().await.expect("body"))
}

/// `/metrics` as series → value (`name{labels}` exactly as exposed).
fn parse(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_string(), value.parse().ok()?))
        })
        .collect()
}

struct Scraper {
    base: String,
}

impl Scraper {
    async fn metrics(&self) -> HashMap<String, f64> {
        let (status, ctype, body) = get(&format!("{}/metrics", self.base)).await;
        assert_eq!(status, 200, "{body}");
        assert!(ctype.starts_with("application/openmetrics-text"), "{ctype}");
        assert!(body.ends_with("# EOF\n"), "{body}");
        parse(&body)
    }

    /// Scrapes until `series` reaches at least `want`; returns the last scrape.
    async fn until(&self, series: &str, want: f64) -> HashMap<String, f64> {
        let deadline = Instant::now() + ANSWER * 2;
        loop {
            let m = self.metrics().await;
            if m.get(series).copied().unwrap_or(0.0) >= want {
                return m;
            }
            assert!(Instant::now() < deadline, "{series} did not reach {want}: {m:#?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn healthz(&self) -> (u16, Value) {
        let (status, _, body) = get(&format!("{}/healthz", self.base)).await;
        (status, serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}")))
    }

    /// Polls `/healthz` until it answers `status`.
    async fn health_becomes(&self, status: u16) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let (got, body) = self.healthz().await;
            if got == status {
                return body;
            }
            assert!(Instant::now() < deadline, "/healthz stayed {got}: {body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn value(m: &HashMap<String, f64>, series: &str) -> f64 {
    m.get(series).copied().unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics_move_as_commands_run() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let addr = format!("127.0.0.1:{}", free_port());
    let bot = boot(&sim, &files, &[("HOLDFAST_METRICS_ADDR", &addr)]).await;
    let scrape = Scraper { base: format!("http://{addr}") };

    let health = scrape.health_becomes(200).await;
    assert_eq!(health, serde_json::json!({"status": "ok", "gateway": true, "database": true}));
    let before = scrape.metrics().await;
    assert_eq!(value(&before, "holdfast_gateway_reconnects_total"), 0.0, "{before:#?}");
    assert_eq!(value(&before, "holdfast_sessions_live"), 0.0);
    assert_eq!(value(&before, "holdfast_database_errors_total"), 0.0);

    // /help answers: ok; /routine post by an athlete is refused.
    let h = sim.send_interaction(slash("help").by(Invoker::athlete()).build()).await;
    sim.wait_response(&h, ANSWER).await;
    let h = sim
        .send_interaction(
            slash("routine").subcommand("post").string("name", "post-run-hamstrings").by(Invoker::athlete()).build(),
        )
        .await;
    let r = sim.wait_response(&h, ANSWER).await;
    assert!(r.to_string().contains("Only coaches"), "{r}");
    scrape.until(r#"holdfast_interactions_total{command="help",outcome="ok"}"#, 1.0).await;
    let m = scrape.until(r#"holdfast_interactions_total{command="routine post",outcome="refused"}"#, 1.0).await;
    assert_eq!(value(&m, r#"holdfast_interactions_total{command="help",outcome="ok"}"#), 1.0, "{m:#?}");
    assert_eq!(value(&m, r#"holdfast_interaction_duration_seconds_count{command="help"}"#), 1.0, "{m:#?}");
    assert!(value(&m, r#"holdfast_interaction_duration_seconds_sum{command="help"}"#) < 3.0, "{m:#?}");
    assert_eq!(value(&m, r#"holdfast_interaction_duration_seconds_count{command="routine post"}"#), 1.0);

    // A session: live while it runs; its cues are counted as they are posted.
    let h = sim
        .send_interaction(
            slash("session")
                .subcommand("start")
                .string("routine", "e2e-quick")
                .integer("hold", 5)
                .integer("start_in", 3)
                .by(Invoker::athlete())
                .build(),
        )
        .await;
    sim.wait_response(&h, ANSWER).await;
    let m = scrape.until(r#"holdfast_interactions_total{command="session start",outcome="ok"}"#, 1.0).await;
    assert_eq!(value(&m, "holdfast_sessions_live"), 1.0, "{m:#?}");
    // Buttons count too, by kind.
    let lobby = sim.wait_original(&h, |m| m["components"].is_array(), ANSWER).await;
    let join = lobby["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .find(|b| b["label"] == "Join")
        .and_then(|b| b["custom_id"].as_str().map(String::from))
        .unwrap_or_else(|| panic!("no Join button in {lobby}"));
    let press = sim.send_interaction(button(&join).on_message(lobby.clone()).by(Invoker::coach()).build()).await;
    sim.wait_response(&press, ANSWER).await;
    let m = scrape.until(r#"holdfast_interactions_total{command="button session join",outcome="ok"}"#, 1.0).await;
    assert_eq!(value(&m, r#"holdfast_interaction_duration_seconds_count{command="button session join"}"#), 1.0);
    let m = scrape.until("holdfast_cues_sent_total", 1.0).await;
    assert_eq!(value(&m, "holdfast_cue_lateness_seconds_count"), value(&m, "holdfast_cues_sent_total"), "{m:#?}");
    let h = sim.send_interaction(slash("session").subcommand("stop").by(Invoker::athlete()).build()).await;
    sim.wait_response(&h, ANSWER).await;
    let m = scrape.metrics().await;
    assert_eq!(value(&m, "holdfast_sessions_live"), 0.0, "{m:#?}");

    // A dropped gateway is resumed: one reconnection, healthy again.
    sim.close_gateway().await;
    sim.wait_ready_within(WAIT).await;
    scrape.until("holdfast_gateway_reconnects_total", 1.0).await;
    scrape.health_becomes(200).await;

    let m = scrape.metrics().await;
    assert_eq!(value(&m, "holdfast_database_errors_total"), 0.0, "{m:#?}");
    let (status, _, _) = get(&format!("http://{addr}/nothing")).await;
    assert_eq!(status, 404);
    sim.assert_no_violations();
    assert!(!bot.log_text().contains(TOKEN), "the token never appears in the log");
}

/// Every line is one JSON object, and none shows the token. Returns them.
fn json_lines(log: &str) -> Vec<Value> {
    assert!(!log.contains(TOKEN), "the token appears in the log:\n{log}");
    log.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}\n\nwhole log:\n{log}"));
            assert!(v.is_object() && v["level"].is_string() && v["timestamp"].is_string(), "{l}");
            v
        })
        .collect()
}

fn messages(lines: &[Value], level: &str) -> Vec<String> {
    lines.iter().filter(|v| v["level"] == level).map(std::string::ToString::to_string).collect()
}

/// Waits until the bot's log contains `text`.
async fn wait_log(bot: &Bot, text: &str) {
    let deadline = Instant::now() + WAIT;
    while !bot.log_text().contains(text) {
        assert!(Instant::now() < deadline, "no {text:?} in the log:\n{}", bot.log_text());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const JSON: (&str, &str) = ("HOLDFAST_LOG_FORMAT", "json");
// Libraries' debug output too: the token must not leak from there either.
const VERBOSE: (&str, &str) = ("RUST_LOG", "debug,h2=info,hyper=info,rustls=info,tungstenite=info");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_never_show_the_token_at_start_up_on_errors_or_a_failed_login() {
    let sim = Simulator::start().await;

    // Start-up refused: invalid content in a folder whose path contains the
    // token, so the error line would show it if anything let it through.
    let files = BotFiles::new();
    let bad = files.dir.path().join(TOKEN).join("content");
    std::fs::create_dir_all(bad.join("exercises")).unwrap();
    std::fs::write(bad.join("exercises/broken.toml"), "id = \"broken\"\nname = 3\n").unwrap();
    let mut bot = Bot::start(
        &sim.base_url(),
        GUILD_ID,
        &files,
        &[JSON, VERBOSE, ("HOLDFAST_CONTENT_DIR", bad.to_str().unwrap())],
    );
    wait_log(&bot, "content is invalid").await;
    let status = bot.stop().expect("status");
    assert_eq!(status.code(), Some(1), "refused to start");
    let lines = json_lines(&bot.log_text());
    let errors = messages(&lines, "ERROR");
    assert!(errors.iter().any(|e| e.contains("<redacted>") && e.contains("broken.toml")), "{errors:#?}");

    // Running: start-up lines, a command that fails (Discord answers 500),
    // then Discord closes the gateway with 4004 (authentication failed).
    let files = BotFiles::new();
    let mut bot = boot(&sim, &files, &[JSON, VERBOSE]).await;
    wait_log(&bot, "connected to Discord").await;
    sim.fail_next(route("POST", "/interactions/*/*/callback"), Fault::ServerError(500), 1);
    let h = sim.send_interaction(slash("help").by(Invoker::athlete()).build()).await;
    sim.wait_response(&h, ANSWER).await;
    wait_log(&bot, "command failed").await;
    sim.close_gateway_with(4004).await;
    wait_log(&bot, "stopped on an error").await;
    let status = bot.stop().expect("status");
    assert_eq!(status.code(), Some(1), "a failed login stops the bot");

    let log = bot.log_text();
    let lines = json_lines(&log);
    let text = |v: &Value| v.to_string();
    for want in ["sessions restored", "slash commands registered", "connected to Discord"] {
        assert!(lines.iter().any(|v| v["level"] == "INFO" && text(v).contains(want)), "{want} missing:\n{log}");
    }
    let errors = messages(&lines, "ERROR");
    assert!(errors.iter().any(|e| e.contains("command failed") && e.contains("\"command\":\"help\"")), "{errors:#?}");
    assert!(errors.iter().any(|e| e.contains("stopped on an error")), "{errors:#?}");
    assert!(errors.iter().any(|e| e.to_lowercase().contains("authentication")), "{errors:#?}");
}

#[test]
fn the_example_config_documents_every_key_and_is_accepted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("deploy/holdfast.example.toml");
    let text = std::fs::read_to_string(&path).expect("deploy/holdfast.example.toml");
    for (section, key, env) in [
        ("discord", "api_base", "HOLDFAST_DISCORD_API_BASE"),
        ("discord", "guild_id", "HOLDFAST_GUILD_ID"),
        ("database", "url", "HOLDFAST_DATABASE_URL"),
        ("content", "dir", "HOLDFAST_CONTENT_DIR"),
        ("log", "format", "HOLDFAST_LOG_FORMAT"),
        ("metrics", "addr", "HOLDFAST_METRICS_ADDR"),
    ] {
        assert!(text.contains(&format!("[{section}]")), "[{section}] missing");
        assert!(text.lines().any(|l| l.trim_start_matches("# ").starts_with(&format!("{key} = "))), "{key} missing");
        assert!(text.contains(env), "{env} missing");
    }
    assert!(text.contains("DISCORD_TOKEN"), "says where the token goes");
    // Every commented-out key, uncommented, is still a valid config.
    let uncommented: String = text
        .lines()
        .map(|l| match l.strip_prefix("# ") {
            Some(rest) if rest.split_once(" = ").is_some_and(|(k, _)| !k.contains(' ')) => rest,
            _ => l,
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.toml");
    std::fs::write(&full, uncommented).unwrap();
    for config in [&path, &full] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_holdfast"))
            .args(["check", "--config"])
            .arg(config)
            .current_dir(root)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
            .expect("run holdfast check");
        assert!(
            out.status.success(),
            "{}: {}{}",
            config.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// SIGTERM stops the bot within 10 s even while Discord cannot be reached
/// (the gateway never connects; serenity keeps retrying).
#[test]
fn sigterm_stops_it_quickly_even_with_discord_unreachable() {
    let files = BotFiles::new();
    // Port 9 (discard) on loopback: nothing listens, every connection is refused.
    let mut bot = Bot::start("http://127.0.0.1:9", 1, &files, &[]);
    std::thread::sleep(Duration::from_secs(2));
    let started = Instant::now();
    let status = bot.stop().expect("it was running");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "took {took:?}\n{}", bot.log_text());
    assert!(status.success(), "{status:?}\n{}", bot.log_text());
    assert!(bot.log_text().contains("stopped"), "{}", bot.log_text());
}

/// With the API base down, the bot keeps asking that base for the gateway
/// (never Discord's own host) and still stops at once on SIGTERM.
#[test]
fn with_the_api_base_down_it_never_falls_back_to_discords_own_gateway() {
    let files = BotFiles::new();
    let mut bot = Bot::start("http://127.0.0.1:9", 1, &files, &[]);
    std::thread::sleep(Duration::from_secs(3));
    let status = bot.stop().expect("it was running");
    let log = bot.log_text();
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("cannot reach the Discord API to find the gateway"), "{log}");
    assert!(!log.contains("gateway.discord.gg") && !log.contains("discord.com"), "{log}");
}

/// A second `holdfast run` on the same database refuses to start and names
/// the process that has it; the first one carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_on_the_same_database_refuses_to_start() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let mut first = boot(&sim, &files, &[]).await;
    let pid = first.pid().expect("running");
    let mut second = Bot::start(&sim.base_url(), GUILD_ID, &files, &[]);
    let status = second.wait_exit(Duration::from_secs(20)).expect("the second one exits by itself");
    let log = second.log_text();
    assert!(!status.success(), "{log}");
    assert!(log.contains("only one holdfast may run on a database"), "{log}");
    assert!(log.contains(&format!("pid {pid}")), "names the first process: {log}");
    // The first one still answers.
    let h = sim.send_interaction(slash("help").by(Invoker::athlete()).build()).await;
    assert!(!sim.wait_response(&h, Duration::from_secs(5)).await.is_null());
    assert!(first.stop().expect("running").success(), "{}", first.log_text());
}

/// Discord misbehaving while the bot runs: an invalid session (op 9), an
/// interaction for a command the bot does not have and one with no data,
/// and message posts failing with 5xx for a while. The bot identifies again,
/// answers what it can, loses no cue, and keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_rides_out_an_invalid_session_odd_interactions_and_a_run_of_5xx() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let bot = boot(&sim, &files, &[]).await;

    sim.invalidate_session(false);
    sim.wait_identify_count(2).await;

    // A command it never registered, and an interaction without its data.
    let unknown = sim.send_interaction(slash("no-such-command").by(Invoker::athlete()).build()).await;
    let mut bare = slash("help").by(Invoker::athlete()).build();
    bare.as_object_mut().unwrap().remove("data");
    sim.send_interaction(bare).await;
    let _ = unknown;

    // Channel posts fail with 502 five times in a row (about 15 s of backoff):
    // a cue whose phase ends meanwhile is given up, the rest go out after.
    sim.fail_next(route("POST", "/channels/*/messages"), Fault::ServerError(502), 5);
    let h = sim
        .send_interaction(
            slash("session")
                .subcommand("start")
                .string("routine", "e2e-quick")
                .integer("hold", 5)
                .integer("start_in", 0)
                .by(Invoker::athlete())
                .build(),
        )
        .await;
    sim.wait_response(&h, ANSWER).await;
    let done = sim
        .wait_for_message(
            CHANNEL_ID,
            |m| m["content"].as_str().is_some_and(|c| c.contains("Session complete")),
            Duration::from_secs(60),
        )
        .await;
    assert!(done.is_object());
    let posts = sim.requests_to("POST", "/channels/*/messages");
    assert_eq!(posts.iter().filter(|r| r.status == 502).count(), 5, "the fault was hit");
    // Still answering, and still alive.
    let h = sim.send_interaction(slash("help").by(Invoker::athlete()).build()).await;
    assert!(!sim.wait_response(&h, ANSWER).await.is_null());
    assert!(bot.pid().is_some());
    assert!(!bot.log_text().contains("panicked"), "{}", bot.log_text());
    sim.assert_no_violations();
}

/// Discord refusing the bot's intents (close 4014) stops it with a clear
/// error, as a refused token (4004) does, instead of retrying forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disallowed_intents_stop_it_with_a_clear_error() {
    let sim = Simulator::start().await;
    let files = BotFiles::new();
    let mut bot = boot(&sim, &files, &[]).await;
    sim.close_gateway_with(4014).await;
    let status = bot.wait_exit(Duration::from_secs(15)).expect("it stops by itself");
    assert_eq!(status.code(), Some(1), "{}", bot.log_text());
    assert!(bot.log_text().contains("stopped on an error"), "{}", bot.log_text());
}
