-- A reminder made with `event:true` keeps its next occurrence as a Discord
-- scheduled event: `event` says it wants one, `event_id` is Discord's id once
-- created, `event_start_ms` the start the event was last set to (when it
-- differs from next_fire_ms, the event is moved).
ALTER TABLE reminders ADD COLUMN event INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminders ADD COLUMN event_id INTEGER;
ALTER TABLE reminders ADD COLUMN event_start_ms INTEGER;

-- Events whose reminder was removed: deleted in Discord, then here. Written in
-- the transaction that removes the reminder, so a crash cannot forget one.
CREATE TABLE event_deletions (
    guild_id INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    PRIMARY KEY (guild_id, event_id)
);

-- Members who marked a reminder's event "interested" (from the gateway); they
-- are added to the lobby opened from that reminder's post.
CREATE TABLE event_interest (
    guild_id INTEGER NOT NULL,
    event_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (event_id, user_id)
);
CREATE INDEX event_interest_user ON event_interest (user_id);
