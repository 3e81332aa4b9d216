-- Holdfast: initial schema.
--
-- Conventions: times are INTEGER Unix milliseconds (UTC), Discord ids are
-- INTEGER (the u64 snowflake cast to i64), timezones are IANA names.
-- A released migration is never edited: add a new numbered file instead.

-- Per-server settings. A missing row means "all defaults".
CREATE TABLE guild_settings (
    guild_id      INTEGER PRIMARY KEY,
    coach_role_id INTEGER,
    timezone      TEXT,
    updated_at_ms INTEGER NOT NULL
);

-- Per-user settings. A missing row means "no timezone of their own".
CREATE TABLE users (
    user_id       INTEGER PRIMARY KEY,
    timezone      TEXT,
    updated_at_ms INTEGER NOT NULL
);

-- Group sessions. `engine` holds the session engine's state as JSON while
-- the session is live; when it ends it is replaced by a summary without user
-- ids (or NULL), so forgetting a user never has to rewrite JSON.
CREATE TABLE sessions (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    channel_id       INTEGER NOT NULL,
    host_id          INTEGER,
    routine_id       TEXT    NOT NULL,
    state            TEXT    NOT NULL
        CHECK (state IN ('lobby', 'running', 'paused', 'done', 'stopped', 'abandoned')),
    engine           TEXT,
    deadline_ms      INTEGER,
    lobby_message_id INTEGER,
    created_at_ms    INTEGER NOT NULL,
    updated_at_ms    INTEGER NOT NULL,
    ended_at_ms      INTEGER
);

-- One live session per channel.
CREATE UNIQUE INDEX sessions_live_channel
    ON sessions (channel_id) WHERE state IN ('lobby', 'running', 'paused');
-- Restart recovery reads every live session.
CREATE INDEX sessions_live ON sessions (state) WHERE state IN ('lobby', 'running', 'paused');
CREATE INDEX sessions_host ON sessions (host_id) WHERE host_id IS NOT NULL;

CREATE TABLE participants (
    session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    joined_at_ms INTEGER NOT NULL,
    left_at_ms   INTEGER,
    PRIMARY KEY (session_id, user_id)
) WITHOUT ROWID;

CREATE INDEX participants_user ON participants (user_id);

-- One row per hold a user was credited with: at most one per
-- (session, user, phase), so a replay after a crash never counts twice.
CREATE TABLE hold_credits (
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    phase_seq   INTEGER NOT NULL,
    guild_id    INTEGER NOT NULL,
    exercise_id TEXT    NOT NULL,
    side        TEXT,
    seconds     INTEGER NOT NULL CHECK (seconds >= 0),
    at_ms       INTEGER NOT NULL,
    PRIMARY KEY (session_id, user_id, phase_seq)
) WITHOUT ROWID;

-- Personal progress: a range scan per user, covering what the query reads.
CREATE INDEX hold_credits_user_time
    ON hold_credits (user_id, at_ms, seconds, exercise_id, guild_id);
-- Team report: a range scan per guild. (The last activity of an idle member
-- reads hold_credits_user_time backwards; every extra index keyed by user
-- costs writes a page per credited user.)
CREATE INDEX hold_credits_guild_time ON hold_credits (guild_id, at_ms);

-- Recurring reminders. `days` is a bitmask, Monday = 1 ... Sunday = 64.
CREATE TABLE reminders (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    channel_id    INTEGER NOT NULL,
    routine_id    TEXT    NOT NULL,
    role_id       INTEGER,
    time_of_day   TEXT    NOT NULL,
    days          INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),
    timezone      TEXT    NOT NULL,
    next_fire_ms  INTEGER NOT NULL,
    last_fired_ms INTEGER,
    created_by    INTEGER,
    created_at_ms INTEGER NOT NULL
);

CREATE INDEX reminders_guild ON reminders (guild_id);
CREATE INDEX reminders_next_fire ON reminders (next_fire_ms);
CREATE INDEX reminders_created_by ON reminders (created_by) WHERE created_by IS NOT NULL;
