-- Entering someone's invite code: when it happened, a maintained count of invitees (so the
-- profile never counts 100,000 rows), the index for the newest-first invitee list, and the
-- per-person log of tries that the rate limit counts.
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

ALTER TABLE users ADD COLUMN invited_at TIMESTAMP NULL
    CONSTRAINT users_invited_at_with_inviter CHECK ((invited_at IS NULL) = (invited_by_id IS NULL));
ALTER TABLE users ADD COLUMN invitee_count BIGINT NOT NULL DEFAULT 0
    CONSTRAINT users_invitee_count_not_negative CHECK (invitee_count >= 0);

DROP INDEX users_invited_by_id_idx;
CREATE INDEX users_invitees_idx ON users (invited_by_id, invited_at DESC, id DESC);

CREATE TABLE invite_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invite_attempts_user_created_idx ON invite_attempts (user_id, created_at);
