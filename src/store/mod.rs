//! SQLite storage through sqlx: one file per table group.
