DROP INDEX users_invitees_idx;
CREATE INDEX users_invitees_idx ON users (invited_by_id, invited_at DESC, id DESC);
