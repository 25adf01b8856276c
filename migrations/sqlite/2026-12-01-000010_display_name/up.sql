-- An optional display name: 1 to 64 characters (NFC, no control or invisible characters, as the
-- application writes it); NULL when the person has none.
-- Kept in step with migrations/postgres: same tables, columns, constraints and indexes.

ALTER TABLE users ADD COLUMN display_name TEXT NULL
    CONSTRAINT users_display_name_length
    CHECK (display_name IS NULL OR length(display_name) BETWEEN 1 AND 64);
