//! The Discord adapter: the poise framework and gateway client, the shared
//! [`Data`], error handling at the edge, and the bridge from the session
//! runner to channel messages. src/app.rs builds the handles it runs with.
//!
//! Commands parse their options, call the core (content, search, runner,
//! store) and render the result; nothing here decides a rule of the domain.

pub mod access;
pub mod calendar;
pub mod commands;
pub mod components;
pub mod custom_id;
pub mod data;
pub mod error;
pub mod lobby;
pub mod options;
pub mod outbound;
pub mod render;
pub mod reply;

use std::sync::Arc;
use std::time::Instant;

use poise::serenity_prelude as serenity;

pub use data::{Context, Data, Error};
use outbound::{Outbound, Priority};

use tokio_util::sync::CancellationToken;

use crate::config::{Config, Token};
use crate::content::{Content, Routine};
use crate::metrics::InteractionOutcome;
use crate::reminders::ReminderSink;
use crate::session::runner::{Delivery, Sink};
use crate::store::outbox::{Done, NewMessage};
use crate::store::{self, Reminder, StoreError};

/// What the bot asks the gateway for: servers, and who marks a scheduled
/// event interested (neither is privileged).
pub const INTENTS: serenity::GatewayIntents =
    serenity::GatewayIntents::GUILDS.union(serenity::GatewayIntents::GUILD_SCHEDULED_EVENTS);

/// Discord's own REST base.
pub const DISCORD_BASE: &str = "https://discord.com";

/// Posts session announcements (as cues) and reminders (as posts) through
/// the outbound queue.
pub struct DiscordSink {
    pub outbound: Outbound,
    pub content: Arc<Content>,
}

impl Sink for DiscordSink {
    /// Every announcement becomes an outbox message: its request body (with
    /// its nonce), a cue's expiry (the end of the phase it announces), and
    /// summaries as ordinary posts.
    fn stage(&self, delivery: &Delivery) -> Vec<NewMessage> {
        delivery
            .announcements
            .iter()
            .map(|a| {
                let summary = a.summary.is_some();
                NewMessage {
                    channel_id: store::db_id(delivery.view.channel_id),
                    priority: if summary { store::outbox::SUMMARY } else { store::outbox::CUE },
                    body: render::announcement(&delivery.view, a).to_string(),
                    session_id: Some(delivery.view.id),
                    expires_at_ms: if summary { None } else { a.ends_at_ms },
                }
            })
            .collect()
    }

    /// Not used while `stage` stages every announcement; sends them unstored.
    fn deliver(&self, delivery: Delivery) {
        let messages = Sink::stage(self, &delivery).into_iter().map(|m| (None, m)).collect();
        Sink::send_staged(self, messages);
    }

    /// Edits the lobby to say the session started, with the in-session buttons.
    fn started(&self, view: &crate::session::runner::View) {
        if let Some(message) = view.lobby_message {
            self.outbound.edit(view.channel_id, message, render::lobby_started(&self.content, view));
        }
    }

    fn send_staged(&self, messages: Vec<(Option<i64>, NewMessage)>) {
        for (id, m) in messages {
            send_message(&self.outbound, id, &m.body, m.channel_id, m.priority, m.expires_at_ms);
        }
    }
}

/// Queues one outbox message (a body that is not JSON, which only a damaged
/// row can hold, is logged and skipped).
pub fn send_message(
    outbound: &Outbound,
    id: Option<i64>,
    body: &str,
    channel_id: i64,
    priority: i64,
    expires_at_ms: Option<i64>,
) {
    match serde_json::from_str(body) {
        Ok(body) => {
            let priority = match priority {
                store::outbox::CUE => Priority::Cue,
                store::outbox::SUMMARY => Priority::Summary,
                _ => Priority::Post,
            };
            outbound.send_stored(id, store::discord_id(channel_id), body, priority, expires_at_ms);
        }
        Err(e) => tracing::error!(outbox = ?id, error = %e, "an outbox message is not JSON; not sent"),
    }
}

impl ReminderSink for DiscordSink {
    fn stage(&self, reminder: &Reminder, routine: &Routine, late_by_ms: Option<i64>) -> NewMessage {
        NewMessage {
            channel_id: reminder.channel_id,
            priority: store::outbox::POST,
            body: render::routine::reminder_body(&self.content, reminder, routine, late_by_ms).to_string(),
            session_id: None,
            expires_at_ms: None,
        }
    }

    fn send_staged(&self, posts: Vec<(Option<i64>, NewMessage)>) {
        Sink::send_staged(self, posts);
    }
}

/// What [`replay_outbox`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Replayed {
    /// Queued again, in order.
    pub resent: usize,
    /// Cues whose phase was over: dropped.
    pub stale: usize,
}

/// Sends, in order, what was decided before the last stop but not confirmed
/// by Discord (a resend carries its first nonce with `enforce_nonce`, so
/// Discord does not post it twice); a cue whose phase is over at `now_ms` is
/// dropped, since the restored session announces where it is instead. Done
/// rows older than a day are deleted.
pub async fn replay_outbox(pool: &sqlx::SqlitePool, outbound: &Outbound, now_ms: i64) -> Result<Replayed, StoreError> {
    let mut replayed = Replayed::default();
    for m in store::outbox::pending(pool).await? {
        if m.expires_at_ms.is_some_and(|t| t <= now_ms) {
            store::outbox::mark(pool, m.id, Done::Stale, now_ms).await?;
            replayed.stale += 1;
        } else {
            send_message(outbound, Some(m.id), &m.body, m.channel_id, m.priority, m.expires_at_ms);
            replayed.resent += 1;
        }
    }
    store::outbox::prune(pool, now_ms - 86_400_000).await?;
    Ok(replayed)
}

/// Marks the outbox row of a message Discord has answered for good: sent,
/// or refused.
pub async fn outbox_done(pool: &sqlx::SqlitePool, sent: &outbound::Sent) -> Result<(), StoreError> {
    let (id, done) = match sent {
        outbound::Sent::Ok { outbox: Some(id), .. } => (*id, Done::Sent),
        outbound::Sent::Failed { outbox: Some(id), .. } => (*id, Done::Refused),
        outbound::Sent::Dropped { outbox: Some(id), .. } => (*id, Done::Stale),
        _ => return Ok(()),
    };
    store::outbox::mark(pool, id, done, store::now_ms()).await
}

/// Counts a finished command: its outcome and, when `pre_command` stamped
/// it, how long it took.
async fn count(ctx: Context<'_>, outcome: InteractionOutcome) {
    let elapsed = ctx.invocation_data::<Instant>().await.map(|started| started.elapsed());
    ctx.data().metrics.interaction(&ctx.command().qualified_name, outcome, elapsed);
}

/// The metrics name of a button, from a fixed set (a custom id comes from
/// the client and must not make new label values).
fn button_name(custom_id: &str) -> &'static str {
    custom_id.parse::<custom_id::CustomId>().map_or("button other", |id| id.metric_name())
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    use poise::FrameworkError as F;
    let (ctx, outcome, text) = match error {
        F::Command { error, ctx, .. } => {
            let (answer, text) = error::reply_text(&error, error::Origin::Command(&ctx.command().qualified_name));
            (ctx, answer.outcome(&ctx.data().metrics), text)
        }
        F::ArgumentParse { error, input, ctx, .. } => {
            let what = input.map(|i| format!(" `{}`", crate::content::render::truncate(&i, 100))).unwrap_or_default();
            (ctx, InteractionOutcome::Refused, format!("I couldn't read that option{what}: {error}"))
        }
        F::GuildOnly { ctx, .. } => {
            (ctx, InteractionOutcome::Refused, "This command works only in a server.".to_string())
        }
        F::SubcommandRequired { ctx } => {
            (ctx, InteractionOutcome::Refused, "Pick one of this command's subcommands.".to_string())
        }
        F::CommandPanic { ctx, payload, .. } => {
            let id = error::new_error_id();
            tracing::error!(error_id = %id, command = %ctx.command().qualified_name, payload = ?payload, "command panicked");
            (ctx, InteractionOutcome::Error, error::internal_text(&id))
        }
        F::CommandStructureMismatch { ctx, description, .. } => {
            tracing::warn!(description, "command structure mismatch (stale registration?)");
            (
                poise::Context::Application(ctx),
                InteractionOutcome::Error,
                "This command changed; please try again in a minute.".to_string(),
            )
        }
        other => {
            if let Some(ctx) = other.ctx() {
                let outcome = if matches!(other, F::PermissionFetchFailed { .. }) {
                    InteractionOutcome::Error
                } else {
                    InteractionOutcome::Refused
                };
                count(ctx, outcome).await;
            }
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "error while handling an error");
            }
            return;
        }
    };
    count(ctx, outcome).await;
    if let Err(e) = reply::private(ctx, text).await {
        tracing::warn!(error = %e, "could not send an error reply");
    }
}

async fn on_event(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    _framework: poise::FrameworkContext<'_, Data, Error>,
    data: &Data,
) -> Result<(), Error> {
    match event {
        serenity::FullEvent::InteractionCreate { interaction: serenity::Interaction::Component(press) } => {
            let started = Instant::now();
            let outcome = components::handle(ctx, data, press).await;
            data.metrics.interaction(button_name(&press.data.custom_id), outcome, Some(started.elapsed()));
        }
        serenity::FullEvent::InteractionCreate { interaction: serenity::Interaction::Modal(form) } => {
            let started = Instant::now();
            let outcome = components::handle_modal(ctx, data, form).await;
            data.metrics.interaction(button_name(&form.data.custom_id), outcome, Some(started.elapsed()));
        }
        serenity::FullEvent::Ready { data_about_bot } => {
            tracing::info!(user = %data_about_bot.user.name, guilds = data_about_bot.guilds.len(), "connected to Discord");
            data.metrics.gateway_ready();
        }
        serenity::FullEvent::GuildDelete { incomplete, .. } if !incomplete.unavailable => {
            // Removed from the server (not an outage): its data goes after the grace period.
            let guild = store::db_id(incomplete.id.get());
            store::guilds::mark_departed(&data.pool, guild, store::now_ms()).await?;
            tracing::info!(
                guild = incomplete.id.get(),
                grace_days = data.config.database.departed_grace_days,
                "removed from a server; its data will be deleted after the grace period unless the bot returns"
            );
        }
        serenity::FullEvent::GuildCreate { guild, .. } => {
            let returned = store::guilds::mark_present(&data.pool, store::db_id(guild.id.get())).await?;
            if returned {
                tracing::info!(
                    guild = guild.id.get(),
                    "back in a server before its grace period ended; its data is kept"
                );
            }
        }
        serenity::FullEvent::GuildScheduledEventUserAdd { subscribed: s } => {
            data.events.interest(s.guild_id.get(), s.scheduled_event_id.get(), s.user_id.get(), true).await?;
        }
        serenity::FullEvent::GuildScheduledEventUserRemove { unsubscribed: s } => {
            data.events.interest(s.guild_id.get(), s.scheduled_event_id.get(), s.user_id.get(), false).await?;
        }
        serenity::FullEvent::Resume { .. } => {
            tracing::info!("gateway session resumed");
            data.metrics.gateway_resumed();
        }
        _ => {}
    }
    Ok(())
}

/// Builds serenity's HTTP client: through `api_base` (rate limiter off, as
/// serenity requires for a proxy) or to Discord itself.
pub fn http(config: &Config, token: &str) -> serenity::Http {
    let mut builder = serenity::HttpBuilder::new(token);
    if let Some(base) = config.api_base() {
        builder = builder.proxy(base).ratelimiter_disabled(true);
    }
    builder.build()
}

/// The gateway's address, from `GET /gateway` of the API base in use, asked
/// again with a growing pause (0.5 s … 30 s) until it answers; `None` when
/// `shutdown` comes first.
async fn gateway_url(http: &serenity::Http, shutdown: &CancellationToken) -> Option<String> {
    let mut pause = std::time::Duration::from_millis(500);
    loop {
        match http.get_gateway().await {
            Ok(gateway) => return Some(gateway.url),
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = pause.as_millis(), "cannot reach the Discord API to find the gateway");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = shutdown.cancelled() => return None,
        }
        pause = (pause * 2).min(std::time::Duration::from_secs(30));
    }
}

/// Runs the Discord adapter with these handles: registers the commands,
/// serves interactions until `shutdown` is cancelled, then closes the
/// gateway. Everything else (store, runner, queue, timers) is built and
/// stopped by the composition root (src/app.rs).
pub async fn serve(data: Data, token: &Token, shutdown: CancellationToken) -> anyhow::Result<()> {
    let config = data.config.clone();
    // serenity falls back to Discord's own gateway host when the configured
    // API base does not answer; so ask it first, and wait for it.
    let Some(ws_url) = gateway_url(&http(&config, token.expose()), &shutdown).await else {
        return Ok(());
    };
    let metrics = data.metrics.clone();
    let guild = config.discord.guild_id;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |e| Box::pin(on_error(e)),
            pre_command: |ctx| Box::pin(async move { ctx.set_invocation_data(Instant::now()).await }),
            post_command: |ctx| Box::pin(count(ctx, InteractionOutcome::Ok)),
            event_handler: |framework, event| {
                Box::pin(
                    async move { on_event(framework.serenity_context, event, framework, framework.user_data).await },
                )
            },
            ..Default::default()
        })
        .setup(move |ctx, _ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                match guild {
                    Some(g) => poise::builtins::register_in_guild(ctx, commands, serenity::GuildId::new(g)).await?,
                    None => poise::builtins::register_globally(ctx, commands).await?,
                }
                tracing::info!(count = commands.len(), guild = ?guild, "slash commands registered");
                Ok(data)
            })
        })
        .build();

    let mut client =
        serenity::ClientBuilder::new_with_http(http(&config, token.expose()), INTENTS).framework(framework).await?;
    *client.ws_url.lock().await = ws_url;
    let shards = client.shard_manager.clone();
    {
        // /healthz: connected when every shard is (serenity keeps each
        // shard's connection stage in its manager).
        let shards = shards.clone();
        metrics.health().probe_gateway(move || {
            let shards = shards.clone();
            Box::pin(async move {
                let runners = shards.runners.lock().await;
                !runners.is_empty() && runners.values().all(|r| r.stage == serenity::ConnectionStage::Connected)
            })
        });
    }
    tokio::spawn(async move {
        shutdown.cancelled().await;
        tracing::info!("shutting down: closing the gateway");
        shards.shutdown_all().await;
    });
    client.start().await?;
    Ok(())
}
