-- Invitees as their inviter and staff see them.
-- - unseen_invitees: how many people entered a person's code since the person last looked at
--   the list ("3 new"):
--   counted up by each entry in the same statement as invitee_count, and down by what the person
--   was shown (never below zero, never above invitee_count).
-- - invite_entries: each entry, by whom, of whose code, when, from which client network (as the
--   per-address limits count it), so staff see inviters whose invitees came in bunches from
--   one network. A deleted account's entry goes with it.
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

ALTER TABLE users ADD COLUMN unseen_invitees BIGINT NOT NULL DEFAULT 0
    CONSTRAINT users_unseen_invitees_range CHECK (unseen_invitees >= 0 AND unseen_invitees <= invitee_count);

CREATE TABLE invite_entries (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    inviter_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_net TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invite_entries_inviter_created_idx ON invite_entries (inviter_id, created_at);
