-- Reminders that fit a season: every N weeks (counted from the week of anchor_date), a last
-- date, dates skipped and a pause. Dates are local dates (YYYY-MM-DD) in the reminder's timezone.
ALTER TABLE reminders ADD COLUMN every_weeks INTEGER NOT NULL DEFAULT 1 CHECK (every_weeks BETWEEN 1 AND 12);
-- A date in the first week it fires in; NULL (reminders made before this): the week it was created.
ALTER TABLE reminders ADD COLUMN anchor_date TEXT;
ALTER TABLE reminders ADD COLUMN until_date TEXT;
ALTER TABLE reminders ADD COLUMN paused_until TEXT;
-- Comma-separated dates.
ALTER TABLE reminders ADD COLUMN skip_dates TEXT NOT NULL DEFAULT '';
