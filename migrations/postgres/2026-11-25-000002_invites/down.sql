DROP TABLE invite_attempts;
DROP INDEX users_invitees_idx;
CREATE INDEX users_invited_by_id_idx ON users (invited_by_id);
ALTER TABLE users DROP COLUMN invitee_count;
ALTER TABLE users DROP COLUMN invited_at;
