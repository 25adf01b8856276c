-- An email address per account, verified by a link: users.email holds the verified address
-- (NULL until one is); email_verifications holds each link sent (its 256-bit token stored only
-- as its SHA-256, single use, valid 24 hours), which the sending limits count. Mail goes
-- through the outbox with the texts: sms_messages gains its channel (a mail's body, sealed
-- like a text's, holds its subject line first).
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

ALTER TABLE users ADD COLUMN email TEXT NULL;
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP NULL;
ALTER TABLE users ADD CONSTRAINT users_email_verified
    CHECK ((email IS NULL) = (email_verified_at IS NULL) AND (email IS NULL OR length(email) BETWEEN 3 AND 254));
ALTER TABLE users ADD CONSTRAINT users_deleted_has_no_email CHECK (deleted_at IS NULL OR email IS NULL);

CREATE TABLE email_verifications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    -- used to verify, or retired by a newer link or a deletion
    used_at TIMESTAMP NULL,
    CONSTRAINT email_verifications_token_hash_length CHECK (length(token_hash) = 64),
    CONSTRAINT email_verifications_email_length CHECK (length(email) BETWEEN 3 AND 254),
    CONSTRAINT email_verifications_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX email_verifications_token_hash_key ON email_verifications (token_hash);
CREATE INDEX email_verifications_user_created_idx ON email_verifications (user_id, created_at);
CREATE INDEX email_verifications_email_created_idx ON email_verifications (email, created_at);
CREATE INDEX email_verifications_created_idx ON email_verifications (created_at);

ALTER TABLE sms_messages ADD COLUMN channel TEXT NOT NULL DEFAULT 'sms';
ALTER TABLE sms_messages ADD CONSTRAINT sms_messages_channel_known CHECK (channel IN ('sms', 'email'));
