//! The Discord simulator against serenity and poise themselves, without the bot: a tiny poise
//! framework registers a command, receives READY and GUILD_CREATE, answers a slash command, an
//! autocomplete and a button, and survives a gateway close; raw clients check the gateway
//! protocol, rate limits and body validation.

mod selftest;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use holdfast_sim::*;
use poise::serenity_prelude as serenity;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as Ws;

type Error = Box<dyn std::error::Error + Send + Sync>;
type Context<'a> = poise::Context<'a, Data, Error>;
const WAIT: Duration = Duration::from_secs(5);

/// What the tiny bot reports back to the test.
struct Data {
    events: mpsc::UnboundedSender<&'static str>,
}

/// Replies with an embed and a button.
#[poise::command(slash_command)]
async fn ping(
    ctx: Context<'_>,
    #[description = "A word to echo"]
    #[autocomplete = "complete_word"]
    word: Option<String>,
) -> Result<(), Error> {
    let embed = serenity::CreateEmbed::new().title("Pong").description(word.unwrap_or_else(|| "nothing".into()));
    let row = serenity::CreateActionRow::Buttons(vec![serenity::CreateButton::new("again").label("Again")]);
    ctx.send(poise::CreateReply::default().embed(embed).components(vec![row])).await?;
    Ok(())
}

/// Defers, then answers with a follow-up.
#[poise::command(slash_command)]
async fn slow(ctx: Context<'_>) -> Result<(), Error> {
    ctx.defer_ephemeral().await?;
    ctx.say("done").await?;
    Ok(())
}

async fn complete_word(_ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let words = ["alpha", "beta", "gamma"].into_iter().filter(|w| w.starts_with(partial));
    serenity::CreateAutocompleteResponse::new()
        .set_choices(words.map(|w| serenity::AutocompleteChoice::new(w, w)).collect())
}

async fn on_event(ctx: &serenity::Context, event: &serenity::FullEvent, data: &Data) -> Result<(), Error> {
    match event {
        serenity::FullEvent::GuildCreate { .. } => drop(data.events.send("guild_create")),
        serenity::FullEvent::Resume { .. } => drop(data.events.send("resumed")),
        serenity::FullEvent::InteractionCreate { interaction: serenity::Interaction::Component(press) } => {
            let update = serenity::CreateInteractionResponseMessage::new().content("again!").components(vec![]);
            press.create_response(ctx, serenity::CreateInteractionResponse::UpdateMessage(update)).await?;
        }
        _ => {}
    }
    Ok(())
}

struct Bot {
    cache: Arc<serenity::Cache>,
    shards: Arc<serenity::ShardManager>,
    events: mpsc::UnboundedReceiver<&'static str>,
}

impl Bot {
    async fn next_event(&mut self) -> &'static str {
        tokio::time::timeout(WAIT, self.events.recv()).await.expect("no event from the bot").expect("bot stopped")
    }
}

fn http(sim: &Simulator) -> serenity::Http {
    serenity::HttpBuilder::new("sim-token").proxy(sim.base_url()).ratelimiter_disabled(true).build()
}

async fn start_bot(sim: &Simulator) -> Bot {
    // serenity only logs the events it cannot parse; show its warnings when a test fails.
    let _ = tracing_subscriber::fmt().with_env_filter("warn").with_test_writer().try_init();
    let (tx, events) = mpsc::unbounded_channel();
    let options = poise::FrameworkOptions {
        commands: vec![ping(), slow()],
        event_handler: |framework, event| Box::pin(on_event(framework.serenity_context, event, framework.user_data)),
        ..Default::default()
    };
    let framework = poise::Framework::builder()
        .options(options)
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                let guild = serenity::GuildId::new(GUILD_ID);
                poise::builtins::register_in_guild(ctx, &framework.options().commands, guild).await?;
                Ok(Data { events: tx })
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http(sim), serenity::GatewayIntents::non_privileged())
        .framework(framework)
        .await
        .expect("client");
    let bot = Bot { cache: Arc::clone(&client.cache), shards: Arc::clone(&client.shard_manager), events };
    tokio::spawn(async move { client.start().await });
    bot
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poise_bot_registers_answers_and_survives_a_gateway_close() {
    let sim = Simulator::start_with(SimConfig { heartbeat_interval_ms: 200, ..SimConfig::default() }).await;
    let mut bot = start_bot(&sim).await;
    sim.wait_ready().await;
    assert_eq!(bot.next_event().await, "guild_create");
    let guild =
        bot.cache.guild(serenity::GuildId::new(GUILD_ID)).map(|g| (g.roles.len(), g.members.len(), g.channels.len()));
    assert_eq!(guild, Some((4, 5, 2)), "serenity dropped GUILD_CREATE");
    let commands = sim.wait_for_commands(WAIT).await;
    assert_eq!(commands[0]["name"], "ping");
    assert!(sim.requests_to("PUT", "/applications/*/guilds/*/commands")[0].status == 200);

    let h = sim.send_interaction(slash("ping").string("word", "hello").by(Invoker::coach()).build()).await;
    let reply = sim.wait_response(&h, WAIT).await;
    assert_eq!(reply["type"], 4);
    assert_eq!(reply["data"]["embeds"][0]["description"], "hello");
    assert_eq!(reply["data"]["components"][0]["components"][0]["custom_id"], "again");
    assert!(h.latency().expect("latency") < Duration::from_secs(3));

    let original = sim.original_message(&h).expect("original message");
    let press = sim.send_interaction(button("again").on_message(original.clone()).build()).await;
    assert_eq!(sim.wait_response(&press, WAIT).await["type"], 7);
    let id: u64 = original["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(sim.message(id).unwrap()["content"], "again!");

    let deferred = sim.send_interaction(slash("slow").build()).await;
    assert_eq!(sim.wait_response(&deferred, WAIT).await, json!({"type": 5, "data": {"attachments": [], "flags": 64}}));
    let done = sim.wait_original(&deferred, |m| m["content"] == "done", WAIT).await;
    assert_eq!(done["flags"].as_u64().unwrap() & 64, 64, "still ephemeral");
    assert_eq!(sim.followups(&deferred).len(), 1);

    let ac = sim.send_interaction(autocomplete("ping").focused("word", "al").build()).await;
    let choices = sim.wait_response(&ac, WAIT).await;
    assert_eq!(choices, json!({"type": 8, "data": {"choices": [{"name": "alpha", "value": "alpha"}]}}));

    sim.close_gateway().await;
    sim.wait_ready().await;
    assert_eq!(bot.next_event().await, "resumed");
    assert_eq!((sim.identify_count(), sim.resume_count(), sim.connection_count()), (1, 1, 2));
    assert!(sim.wait_heartbeats(1, WAIT).await, "serenity heartbeats every heartbeat_interval");
    let after = sim.send_interaction(slash("ping").build()).await;
    assert_eq!(sim.wait_response(&after, WAIT).await["data"]["embeds"][0]["description"], "nothing");

    bot.shards.shutdown_all().await;
    sim.assert_no_violations();
}

async fn recv_json(
    ws: &mut (impl StreamExt<Item = Result<Ws, tokio_tungstenite::tungstenite::Error>> + Unpin),
) -> Value {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.expect("gateway frame").expect("open").expect("frame") {
            Ws::Text(t) => return serde_json::from_str(&t).unwrap(),
            Ws::Close(frame) => return json!({"close": frame.map(|f| u16::from(f.code))}),
            _ => {}
        }
    }
}

#[tokio::test]
async fn raw_gateway_sequences_resumes_and_interaction_rules() {
    let sim =
        Simulator::start_with(SimConfig { interaction_deadline: Duration::from_millis(300), ..SimConfig::default() })
            .await;
    // serenity parses the URL with `url`, which adds the "/" path that a bare &str would lack.
    let url = format!("{}/?v=10&encoding=json", sim.gateway_url());
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str()).await.unwrap();
    assert_eq!(recv_json(&mut ws).await["d"]["heartbeat_interval"], 41_250);
    ws.send(Ws::Text(json!({"op": 1, "d": null}).to_string())).await.unwrap();
    assert_eq!(recv_json(&mut ws).await["op"], 11);
    ws.send(Ws::Text(json!({"op": 2, "d": {"token": "t", "intents": 1}}).to_string())).await.unwrap();
    let ready = recv_json(&mut ws).await;
    assert_eq!((ready["t"].as_str(), ready["s"].as_u64()), (Some("READY"), Some(1)));
    let session = ready["d"]["session_id"].as_str().unwrap().to_owned();
    assert_eq!(recv_json(&mut ws).await["s"], 2);
    let h = sim.send_interaction(slash("ping").build()).await;
    assert_eq!(recv_json(&mut ws).await["s"], 3);

    sim.close_gateway().await;
    assert_eq!(recv_json(&mut ws).await, json!({"close": 4000}));
    sim.dispatch(
        "TYPING_START",
        json!({"channel_id": CHANNEL_ID.to_string(), "user_id": OWNER_ID.to_string(), "timestamp": 0}),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url.as_str()).await.unwrap();
    recv_json(&mut ws).await;
    ws.send(Ws::Text(json!({"op": 6, "d": {"token": "t", "session_id": session, "seq": 3}}).to_string()))
        .await
        .unwrap();
    let missed = recv_json(&mut ws).await;
    assert_eq!((missed["t"].as_str(), missed["s"].as_u64()), (Some("TYPING_START"), Some(4)));
    assert_eq!(recv_json(&mut ws).await["t"], "RESUMED");
    ws.send(Ws::Text(json!({"op": 6, "d": {"token": "t", "session_id": "nope", "seq": 3}}).to_string())).await.unwrap();
    assert_eq!(recv_json(&mut ws).await, json!({"op": 9, "s": null, "t": null, "d": false}));

    let client = reqwest::Client::new();
    let callback = format!("{}/api/v10/interactions/{}/{}/callback", sim.base_url(), h.id, h.token);
    let answer = json!({"type": 4, "data": {"content": "ok"}});
    assert_eq!(client.post(&callback).json(&answer).send().await.unwrap().status(), 204);
    let again = client.post(&callback).json(&answer).send().await.unwrap();
    assert_eq!(again.json::<Value>().await.unwrap()["code"], 40060);
    let late = sim.send_interaction(slash("ping").build()).await;
    tokio::time::sleep(Duration::from_millis(350)).await; // let the 300 ms deadline pass
    let url = format!("{}/api/v10/interactions/{}/{}/callback", sim.base_url(), late.id, late.token);
    assert_eq!(client.post(&url).json(&answer).send().await.unwrap().status(), 404);
    let codes: Vec<String> = sim.violations().into_iter().map(|v| v.code).collect();
    assert_eq!(codes, ["SIM_ALREADY_ACKNOWLEDGED", "SIM_INTERACTION_EXPIRED"]);
}

#[tokio::test]
async fn rate_limits_are_answered_and_retries_recorded() {
    let sim = Simulator::start().await;
    // A client that reads the 429 itself and honours retry_after.
    let client = reqwest::Client::new();
    let url = format!("{}/api/v10/channels/{CHANNEL_ID}/messages", sim.base_url());
    let post = || client.post(&url).header("Authorization", "Bot sim-token").json(&json!({"content": "hello"})).send();
    sim.fail_next(route("POST", "/channels/*/messages"), Fault::RateLimited { retry_after: 0.2, global: false }, 1);
    let limited = post().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    assert_eq!(limited.headers()["x-ratelimit-remaining"], "0");
    let wait = limited.json::<Value>().await.unwrap()["retry_after"].as_f64().unwrap();
    tokio::time::sleep(Duration::from_secs_f64(wait)).await; // the retry itself must wait
    assert_eq!(post().await.unwrap().status(), 200);
    let posts = sim.requests_to("POST", "/channels/*/messages");
    assert_eq!(posts.iter().map(|r| r.status).collect::<Vec<_>>(), [429, 200]);
    assert!(posts[1].at - posts[0].at >= Duration::from_millis(200));
    assert_eq!(sim.channel_messages(CHANNEL_ID).len(), 1);
    assert!(sim.violations().is_empty());

    // serenity gets the 429 but keeps neither retry_after nor the headers; retrying at once is refused.
    sim.fail_next(route("POST", "/channels/*/messages"), Fault::RateLimited { retry_after: 5.0, global: false }, 1);
    let err = serenity::ChannelId::new(CHANNEL_ID).say(&http(&sim), "again").await.expect_err("429");
    let serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(resp)) = err else { panic!("{err:?}") };
    assert_eq!((resp.status_code.as_u16(), resp.error.code), (429, -1));
    assert_eq!(post().await.unwrap().status(), 429);
    let codes: Vec<String> = sim.violations().into_iter().map(|v| v.code).collect();
    assert_eq!(codes, ["SIM_IGNORED_RETRY_AFTER"]);
}

#[tokio::test]
async fn oversized_bodies_faults_and_multipart() {
    let sim = Simulator::start().await;
    let http = http(&sim);
    let channel = serenity::ChannelId::new(OTHER_CHANNEL_ID);
    let oversized = json!({"content": "x".repeat(2001), "tts": false, "embeds": []});
    let err = http.send_message(channel, vec![], &oversized).await.expect_err("400");
    let serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(resp)) = err else { panic!("{err:?}") };
    assert_eq!((resp.status_code.as_u16(), resp.error.code), (400, 50035));
    let v = sim.violations();
    assert_eq!(
        (v.len(), v[0].field.as_str(), v[0].route.as_str()),
        (1, "content", format!("POST /channels/{OTHER_CHANNEL_ID}/messages").as_str())
    );
    assert!(sim.channel_messages(OTHER_CHANNEL_ID).is_empty());

    sim.fail_next(route("*", "/channels/*/messages"), Fault::ServerError(502), 1);
    assert!(channel.say(&http, "a").await.is_err());
    sim.fail_next(route("POST", "/channels/*/messages"), Fault::Delay(Duration::from_millis(200)), 1);
    let started = Instant::now();
    let file = serenity::CreateAttachment::bytes(b"hello".to_vec(), "note.txt");
    let sent =
        channel.send_message(&http, serenity::CreateMessage::new().content("b").add_file(file)).await.expect("sent");
    assert!(started.elapsed() >= Duration::from_millis(200));
    let stored = sim.wait_for_message(OTHER_CHANNEL_ID, |m| m["content"] == "b", WAIT).await;
    assert_eq!(stored["id"], sent.id.to_string());
    let requests = sim.requests();
    assert!(requests[2].multipart, "serenity sends files as multipart with payload_json");
    assert_eq!(requests.iter().map(|r| r.status).collect::<Vec<_>>(), [400, 502, 200]);
    assert_eq!(sim.violations().len(), 1, "only the oversized message");
}

#[tokio::test]
async fn scheduled_events_are_validated_like_discord() {
    let sim = Simulator::start().await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/v10/guilds/{GUILD_ID}/scheduled-events", sim.base_url());
    let at = |mins: i64| (chrono::Utc::now() + chrono::Duration::minutes(mins)).to_rfc3339();
    let event = |start: String, end: Option<String>, location: Option<&str>| {
        let mut e = json!({"name": "Recovery", "privacy_level": 2, "entity_type": 3, "scheduled_start_time": start});
        if let Some(end) = end {
            e["scheduled_end_time"] = json!(end);
        }
        if let Some(l) = location {
            e["entity_metadata"] = json!({"location": l});
        }
        e
    };
    let post = |body: Value| client.post(&url).header("Authorization", "Bot t").json(&body).send();
    // A start in the past, an end before the start, no location, a voice event: refused.
    for bad in [
        event(at(-5), Some(at(30)), Some("#training")),
        event(at(60), Some(at(30)), Some("#training")),
        event(at(60), Some(at(90)), None),
        event(at(60), None, Some("#training")),
        json!({"name": "x", "privacy_level": 2, "entity_type": 2, "scheduled_start_time": at(60), "channel_id": "1"}),
    ] {
        assert_eq!(post(bad.clone()).await.unwrap().status(), 400, "{bad}");
    }
    assert!(sim.scheduled_events().is_empty());
    // A good one is made, moved and deleted; serenity reads it back.
    let made = post(event(at(60), Some(at(90)), Some("#training"))).await.unwrap();
    assert_eq!(made.status(), 200);
    let made: Value = made.json().await.unwrap();
    let parsed: serenity::ScheduledEvent = serde_json::from_value(made.clone()).unwrap();
    assert_eq!(parsed.name, "Recovery");
    let one = format!("{url}/{}", made["id"].as_str().unwrap());
    let moved = client
        .patch(&one)
        .header("Authorization", "Bot t")
        .json(&json!({"scheduled_start_time": at(120), "scheduled_end_time": at(150)}));
    assert_eq!(moved.send().await.unwrap().status(), 200);
    // Moving the start past its end is refused.
    let bad = client
        .patch(&one)
        .header("Authorization", "Bot t")
        .json(&json!({"scheduled_start_time": at(200)}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(client.delete(&one).header("Authorization", "Bot t").send().await.unwrap().status(), 204);
    assert_eq!(
        client.delete(&one).header("Authorization", "Bot t").send().await.unwrap().json::<Value>().await.unwrap()
            ["code"],
        10070
    );
    // Without Manage Events: 403.
    sim.set_bot_permissions(EVERYONE_PERMISSIONS);
    let denied = post(event(at(60), Some(at(90)), Some("#training"))).await.unwrap();
    assert_eq!(denied.json::<Value>().await.unwrap()["code"], 50013);
}
