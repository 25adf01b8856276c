-- Bearer tokens for the JSON API: only their SHA-256 is stored.
-- Kept in step with migrations/postgres: same tables, columns, constraints and indexes.

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    CONSTRAINT api_tokens_token_hash_length CHECK (length(token_hash) = 64),
    CONSTRAINT api_tokens_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX api_tokens_token_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);
