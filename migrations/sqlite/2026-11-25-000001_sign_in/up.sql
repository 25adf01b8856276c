-- Accounts, signed-in sessions, one-time codes and per-phone failure state.
-- Kept in step with migrations/postgres: same tables, columns, constraints and indexes.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    invite_code TEXT NOT NULL,
    invited_by_id BIGINT NULL REFERENCES users (id) ON DELETE RESTRICT,
    is_active BOOLEAN NOT NULL DEFAULT 1,
    is_staff BOOLEAN NOT NULL DEFAULT 0,
    date_joined TIMESTAMP NOT NULL,
    last_login TIMESTAMP NULL,
    CONSTRAINT users_phone_e164 CHECK (substr(phone, 1, 1) = '+' AND length(phone) BETWEEN 8 AND 16),
    CONSTRAINT users_invite_code_length CHECK (length(invite_code) = 6),
    CONSTRAINT users_not_self_invited CHECK (invited_by_id IS NULL OR invited_by_id <> id)
);
CREATE UNIQUE INDEX users_phone_key ON users (phone);
CREATE UNIQUE INDEX users_invite_code_key ON users (invite_code);
CREATE INDEX users_invited_by_id_idx ON users (invited_by_id);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    user_agent TEXT NULL,
    ip TEXT NULL,
    CONSTRAINT sessions_token_hash_length CHECK (length(token_hash) = 64),
    CONSTRAINT sessions_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE TABLE login_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    code_hmac TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    consumed_at TIMESTAMP NULL,
    client_ip TEXT NOT NULL,
    CONSTRAINT login_codes_attempts_not_negative CHECK (attempts >= 0),
    CONSTRAINT login_codes_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX login_codes_phone_created_idx ON login_codes (phone, created_at);
CREATE INDEX login_codes_client_ip_created_idx ON login_codes (client_ip, created_at);

CREATE TABLE login_failures (
    phone TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT login_failures_not_negative CHECK (failures >= 0)
);
