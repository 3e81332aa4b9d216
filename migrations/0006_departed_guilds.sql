-- Servers the bot was removed from, and when: their data is deleted once the
-- grace period (database.departed_grace_days) has passed, unless the bot is
-- added back first (the row is then deleted).
CREATE TABLE departed_guilds (
    guild_id   INTEGER PRIMARY KEY,
    left_at_ms INTEGER NOT NULL
);
