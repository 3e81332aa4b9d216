//! Discord's scheduled events over the REST API: the [`Calendar`] the event
//! keeper (src/reminders/events.rs) keeps reminders' events with.
//!
//! Events are `EXTERNAL` (entity type 3): they need no voice channel, only a
//! location (the reminder's channel name) and an end time. Discord answers a
//! missing Manage Events with 403 and an event it no longer has with 404.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use crate::content::render::truncate;
use crate::reminders::events::{Calendar, CalendarError, CalendarFuture, EventSpec};

/// The bot's scheduled events, through serenity's HTTP client.
pub struct DiscordCalendar {
    pub http: Arc<serenity::Http>,
}

fn timestamp(ms: i64) -> Result<serenity::Timestamp, CalendarError> {
    serenity::Timestamp::from_millis(ms).map_err(|e| CalendarError::Other(format!("time {ms}: {e}")))
}

/// Sorts Discord's answer into what the keeper acts on.
fn classify(e: serenity::Error) -> CalendarError {
    match &e {
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r)) => match r.status_code.as_u16() {
            404 => CalendarError::Gone,
            403 => CalendarError::Forbidden,
            status => CalendarError::Other(format!("{status} {}", r.error.message)),
        },
        _ => CalendarError::Other(e.to_string()),
    }
}

impl DiscordCalendar {
    /// "#recovery": where the event happens, as its location reads.
    async fn location(&self, channel: u64) -> String {
        let name = match self.http.get_channel(serenity::ChannelId::new(channel)).await {
            Ok(serenity::Channel::Guild(c)) => format!("#{}", c.name),
            _ => "this server's recovery channel".to_owned(),
        };
        truncate(&format!("Discord, {name}"), crate::limits::EVENT_LOCATION)
    }
}

impl Calendar for DiscordCalendar {
    fn create<'a>(&'a self, event: &'a EventSpec) -> CalendarFuture<'a, u64> {
        Box::pin(async move {
            let builder = serenity::CreateScheduledEvent::new(
                serenity::ScheduledEventType::External,
                event.name.clone(),
                timestamp(event.start_ms)?,
            )
            .end_time(timestamp(event.end_ms)?)
            .description(event.description.clone())
            .location(self.location(event.channel_id).await);
            serenity::GuildId::new(event.guild_id)
                .create_scheduled_event(&self.http, builder)
                .await
                .map(|e| e.id.get())
                .map_err(classify)
        })
    }

    fn reschedule(&self, guild: u64, event: u64, start_ms: i64, end_ms: i64) -> CalendarFuture<'_, ()> {
        Box::pin(async move {
            let builder =
                serenity::EditScheduledEvent::new().start_time(timestamp(start_ms)?).end_time(timestamp(end_ms)?);
            serenity::GuildId::new(guild)
                .edit_scheduled_event(&self.http, serenity::ScheduledEventId::new(event), builder)
                .await
                .map(drop)
                .map_err(classify)
        })
    }

    fn interested(&self, guild: u64, event: u64) -> CalendarFuture<'_, Vec<u64>> {
        Box::pin(async move {
            let limit = crate::reminders::events::MAX_PRE_JOIN as u64;
            let users = self
                .http
                .get_scheduled_event_users(
                    serenity::GuildId::new(guild),
                    serenity::ScheduledEventId::new(event),
                    Some(limit),
                    None,
                    Some(false),
                )
                .await
                .map_err(classify)?;
            Ok(users.into_iter().filter(|u| !u.user.bot).map(|u| u.user.id.get()).collect())
        })
    }

    fn delete(&self, guild: u64, event: u64) -> CalendarFuture<'_, ()> {
        Box::pin(async move {
            serenity::GuildId::new(guild)
                .delete_scheduled_event(&self.http, serenity::ScheduledEventId::new(event))
                .await
                .map_err(classify)
        })
    }
}
