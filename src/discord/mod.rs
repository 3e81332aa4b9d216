//! The Discord layer: client setup, the shared [`Data`], error handling, and
//! the bridge from the session runner to channel messages.
//!
//! Commands parse their options, call the core (content, search, runner,
//! store) and render the result; nothing here decides a rule of the domain.

pub mod commands;
pub mod components;
pub mod custom_id;
pub mod data;
pub mod outbound;
pub mod reminders;
pub mod render;
pub mod reply;

use std::sync::Arc;
use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;

pub use data::{Context, Data, Error};
use outbound::{Outbound, Priority};

use crate::config::Config;
use crate::content::{Content, FaqIndex};
use crate::metrics::{Metrics, Outcome};
use crate::session::clock::SystemClock;
use crate::session::runner::{Delivery, Runner, Sink};
use crate::store;

/// Discord's own REST base.
pub const DISCORD_BASE: &str = "https://discord.com";

/// Posts session announcements through the outbound queue, as cues.
pub struct DiscordSink {
    pub outbound: Outbound,
}

impl Sink for DiscordSink {
    fn deliver(&self, delivery: Delivery) {
        for a in &delivery.announcements {
            let body = render::announcement(&delivery.view, a);
            self.outbound.send(delivery.view.channel_id, body, Priority::Cue);
        }
    }
}

/// Counts a finished command: its outcome and, when `pre_command` stamped
/// it, how long it took.
async fn count(ctx: Context<'_>, outcome: Outcome) {
    let elapsed = ctx.invocation_data::<Instant>().await.map(|started| started.elapsed());
    ctx.data().metrics.interaction(&ctx.command().qualified_name, outcome, elapsed);
}

/// Whether a command's error came from the database.
fn is_database_error(error: &Error) -> bool {
    use crate::session::runner::RunnerError;
    use store::StoreError;
    matches!(error.downcast_ref::<StoreError>(), Some(StoreError::Other(_) | StoreError::Migrate(_)))
        || matches!(error.downcast_ref::<RunnerError>(), Some(RunnerError::Store(_)))
        || error.downcast_ref::<sqlx::Error>().is_some()
}

/// The metrics name of a button, from a fixed set (a custom id comes from
/// the client and must not make new label values).
fn button_name(custom_id: &str) -> &'static str {
    custom_id.parse::<custom_id::CustomId>().map_or("button other", |id| id.metric_name())
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    use poise::FrameworkError as F;
    if let Some(ctx) = error.ctx() {
        let outcome = match &error {
            F::Command { error, .. } if data::user_text(error).is_some() => Outcome::Refused,
            F::Command { error, .. } => {
                if is_database_error(error) {
                    ctx.data().metrics.database_error();
                }
                Outcome::Error
            }
            F::CommandPanic { .. } | F::CommandStructureMismatch { .. } | F::PermissionFetchFailed { .. } => {
                Outcome::Error
            }
            _ => Outcome::Refused,
        };
        count(ctx, outcome).await;
    }
    let (ctx, text) = match error {
        F::Command { error, ctx, .. } => match data::user_text(&error) {
            Some(text) => (ctx, text),
            None => {
                tracing::error!(command = %ctx.command().qualified_name, error = ?error, "command failed");
                (ctx, "Something went wrong on my side; it has been logged. Please try again.".to_string())
            }
        },
        F::ArgumentParse { error, input, ctx, .. } => {
            let what = input.map(|i| format!(" `{}`", crate::content::render::truncate(&i, 100))).unwrap_or_default();
            (ctx, format!("I couldn't read that option{what}: {error}"))
        }
        F::GuildOnly { ctx, .. } => (ctx, "This command works only in a server.".to_string()),
        F::SubcommandRequired { ctx } => (ctx, "Pick one of this command's subcommands.".to_string()),
        F::CommandPanic { ctx, payload, .. } => {
            tracing::error!(command = %ctx.command().qualified_name, payload = ?payload, "command panicked");
            (ctx, "Something went wrong on my side; it has been logged.".to_string())
        }
        F::CommandStructureMismatch { ctx, description, .. } => {
            tracing::warn!(description, "command structure mismatch (stale registration?)");
            (poise::Context::Application(ctx), "This command changed; please try again in a minute.".to_string())
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "error while handling an error");
            }
            return;
        }
    };
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
            let outcome = match components::handle(ctx, data, press).await {
                Ok(()) => Outcome::Ok,
                Err(e) => {
                    tracing::error!(custom_id = %press.data.custom_id, error = ?e, "button failed");
                    if is_database_error(&e) {
                        data.metrics.database_error();
                    }
                    Outcome::Error
                }
            };
            data.metrics.interaction(button_name(&press.data.custom_id), outcome, Some(started.elapsed()));
        }
        serenity::FullEvent::Ready { data_about_bot } => {
            tracing::info!(user = %data_about_bot.user.name, guilds = data_about_bot.guilds.len(), "connected to Discord");
            data.metrics.gateway_ready();
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

/// `holdfast run`: connects, registers commands, serves until SIGTERM/Ctrl-C.
pub async fn serve(config: Config, content: Content) -> anyhow::Result<()> {
    let token = config.token.clone().ok_or_else(|| anyhow::anyhow!(crate::run::NO_TOKEN))?;
    let pool = store::connect(&config.database.url).await?;
    let content = Arc::new(content);
    let index = Arc::new(FaqIndex::build(&content));
    let outbound = Outbound::new(config.api_base().unwrap_or(DISCORD_BASE), token.clone());
    let runner = Runner::new(pool.clone(), Arc::new(SystemClock), Arc::new(DiscordSink { outbound: outbound.clone() }));
    {
        let runner = runner.clone();
        let handle = tokio::runtime::Handle::current();
        outbound.on_gone(move |channel| {
            let runner = runner.clone();
            handle.spawn(async move { runner.abandon_channel(channel).await });
        });
    }
    let metrics = Arc::new(Metrics::new());
    {
        let m = metrics.clone();
        outbound.observe(move |sent| m.sent(sent));
        let m = metrics.clone();
        runner.on_db_error(move || m.database_error());
    }
    let endpoint = match config.metrics.addr.as_deref() {
        Some(addr) => {
            let endpoint =
                crate::metrics::Endpoint { metrics: metrics.clone(), pool: pool.clone(), runner: Some(runner.clone()) };
            let (_, task) = crate::metrics::serve(addr, endpoint)
                .await
                .map_err(|e| anyhow::anyhow!("cannot serve metrics on {addr} (metrics.addr): {e}"))?;
            Some(task)
        }
        None => None,
    };
    let restored = runner.restore().await?;
    tracing::info!(restored, "sessions restored");
    let timers = runner.spawn();
    let wake = Arc::new(tokio::sync::Notify::new());
    let reminder_task = reminders::spawn(
        pool.clone(),
        content.clone(),
        outbound.clone(),
        wake.clone(),
        Arc::new(SystemClock),
        Some(metrics.clone()),
    );

    let data = Data {
        pool: pool.clone(),
        content,
        index,
        runner: runner.clone(),
        outbound: outbound.clone(),
        reminders: wake,
        config: config.clone(),
        metrics: metrics.clone(),
    };
    let guild = config.discord.guild_id;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |e| Box::pin(on_error(e)),
            pre_command: |ctx| Box::pin(async move { ctx.set_invocation_data(Instant::now()).await }),
            post_command: |ctx| Box::pin(count(ctx, Outcome::Ok)),
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
        serenity::ClientBuilder::new_with_http(http(&config, token.expose()), serenity::GatewayIntents::GUILDS)
            .framework(framework)
            .await?;
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
        shutdown_signal().await;
        tracing::info!("shutting down: closing the gateway");
        shards.shutdown_all().await;
    });
    if let Err(e) = client.start().await {
        if let Some(task) = endpoint {
            task.abort();
        }
        return Err(e.into());
    }
    // The gateway is closed: no new commands. Sessions are stored on every
    // phase change; send what is still queued, then stop.
    timers.abort();
    runner.flush().await;
    reminder_task.abort();
    if !outbound.drain(Duration::from_secs(10)).await {
        tracing::warn!(pending = outbound.pending(), "stopped with messages still queued");
    }
    if let Some(task) = endpoint {
        task.abort();
    }
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
