-- The invitee list reads id, phone and invited_at of fifty rows per page; with the phone in the
-- index (SQLite has no INCLUDE, so it is a last key column) the page is read from the index
-- alone, without one table lookup per row.
-- Kept in step with migrations/postgres: same index name and key.

DROP INDEX users_invitees_idx;
CREATE INDEX users_invitees_idx ON users (invited_by_id, invited_at DESC, id DESC, phone);
