-- Individual restrictions a coach sets for one athlete on one exercise, and
-- what a restriction changed in a credit.

-- One restriction per (server, athlete, exercise): setting it again replaces it.
-- rule: 'avoid' (sit it out), 'one_side' (only `side`), 'max_hold' (at most `max_secs`).
-- until_date is the last local day it applies (in the server's timezone), and
-- ends_at_ms the instant that day ends; both NULL: until lifted.
CREATE TABLE athlete_restrictions (
    id            INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    exercise_id   TEXT    NOT NULL,
    rule          TEXT    NOT NULL CHECK (rule IN ('avoid', 'one_side', 'max_hold')),
    side          TEXT CHECK (side IN ('left', 'right')),
    max_secs      INTEGER CHECK (max_secs BETWEEN 1 AND 600),
    until_date    TEXT,
    ends_at_ms    INTEGER,
    note          TEXT,
    set_by        INTEGER,
    created_at_ms INTEGER NOT NULL,
    CHECK ((rule = 'one_side') = (side IS NOT NULL)),
    CHECK ((rule = 'max_hold') = (max_secs IS NOT NULL)),
    UNIQUE (guild_id, user_id, exercise_id)
);

CREATE INDEX athlete_restrictions_user ON athlete_restrictions (user_id);

-- What the group held when a restriction made the athlete's credit less
-- (modified work); NULL for a credit that is what the group did.
ALTER TABLE hold_credits ADD COLUMN planned_seconds INTEGER CHECK (planned_seconds >= seconds);

-- Each time a coach looked at an athlete's private records (restrictions,
-- check-ins): shown to the athlete in /me export. viewer_id is NULL once the
-- coach asked to be forgotten.
CREATE TABLE record_views (
    guild_id   INTEGER NOT NULL,
    subject_id INTEGER NOT NULL,
    viewer_id  INTEGER,
    what       TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL
);

CREATE INDEX record_views_subject ON record_views (subject_id, at_ms);
