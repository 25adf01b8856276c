-- An optional display name: 1 to 64 characters (NFC, no control or invisible characters, as the
-- application writes it); NULL when the person has none.
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

ALTER TABLE users ADD COLUMN display_name TEXT NULL;
ALTER TABLE users ADD CONSTRAINT users_display_name_length
    CHECK (display_name IS NULL OR char_length(display_name) BETWEEN 1 AND 64);
