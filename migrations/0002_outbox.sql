-- The outbox: every message the bot decides to post on its own (session cues and summaries) is
-- stored here in the same transaction as the state change that caused it, sent from here, and
-- marked sent when Discord answers. A resend after a crash carries the same nonce with
-- enforce_nonce, so Discord returns the first message instead of making a second.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    channel_id    INTEGER NOT NULL,
    -- 0: a session cue (time-critical), 1: a session summary, 2: any other post (a reminder).
    priority      INTEGER NOT NULL CHECK (priority IN (0, 1, 2)),
    -- The request body (JSON), nonce included.
    body          TEXT    NOT NULL,
    -- The session it belongs to, if any.
    session_id    INTEGER,
    -- A cue is stale once its phase is over: not sent after that (the session shows what is
    -- current instead). NULL: never stale.
    expires_at_ms INTEGER,
    created_at_ms INTEGER NOT NULL,
    -- Set once Discord has the message (or refused it for good, or it went stale).
    done_at_ms    INTEGER,
    -- 'sent', 'refused' or 'stale' once done.
    outcome       TEXT CHECK (outcome IN ('sent', 'refused', 'stale'))
);

CREATE INDEX outbox_pending ON outbox (id) WHERE done_at_ms IS NULL;
