-- How many people entered a person's code since the person last looked at the list ("3 new"):
-- counted up by each entry in the same statement as invitee_count, and down by what the person
-- was shown (never below zero, never above invitee_count).
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

ALTER TABLE users ADD COLUMN unseen_invitees BIGINT NOT NULL DEFAULT 0
    CONSTRAINT users_unseen_invitees_range CHECK (unseen_invitees >= 0 AND unseen_invitees <= invitee_count);
