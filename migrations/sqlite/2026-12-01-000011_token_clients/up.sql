-- API tokens record the client that asked for them, as sessions do, for "where I am signed in".
-- Kept in step with migrations/postgres: same tables, columns, constraints and indexes.

ALTER TABLE api_tokens ADD COLUMN user_agent TEXT NULL;
ALTER TABLE api_tokens ADD COLUMN ip TEXT NULL;
