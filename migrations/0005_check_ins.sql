-- Check-ins after a session (pain 0-10, where, a note), and the channel where
-- a server's coaches are told of red flags.

ALTER TABLE guild_settings ADD COLUMN coaches_channel_id INTEGER;

-- One per (session, athlete): checking in again replaces the answer.
CREATE TABLE check_ins (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    guild_id   INTEGER NOT NULL,
    routine_id TEXT    NOT NULL,
    pain       INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
    area       TEXT,
    note       TEXT,
    red_flag   INTEGER NOT NULL DEFAULT 0 CHECK (red_flag IN (0, 1)),
    at_ms      INTEGER NOT NULL,
    PRIMARY KEY (session_id, user_id)
) WITHOUT ROWID;

CREATE INDEX check_ins_user_time ON check_ins (user_id, at_ms);
CREATE INDEX check_ins_guild_time ON check_ins (guild_id, at_ms);
