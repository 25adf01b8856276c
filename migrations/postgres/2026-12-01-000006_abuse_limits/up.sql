-- Limits that hold against many addresses and never lock the owner out.
-- - login_codes records the client's network (IPv4 address or IPv6 /64), the number's prefix
--   (all but the last 4 digits), the code's length, and whether it was used to sign in: the
--   per-address limit counts only codes that did not end in a sign-in.
-- - check_failures has one row per failed check of a code: the per-address limit on wrong
--   checks, the lock of one address out of one number, and the number's day budget of checks
--   against short codes are counted from it. It replaces login_failures (a number-wide lock).
-- - sign_in_events records the number's region, for the dashboard's figures by country.
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

ALTER TABLE login_codes ADD COLUMN client_net TEXT NOT NULL DEFAULT '';
ALTER TABLE login_codes ADD COLUMN phone_prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE login_codes ADD COLUMN code_length INTEGER NOT NULL DEFAULT 4;
ALTER TABLE login_codes ADD COLUMN signed_in BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE login_codes ADD CONSTRAINT login_codes_code_length_range CHECK (code_length BETWEEN 4 AND 8);
DROP INDEX login_codes_client_ip_created_idx;
CREATE INDEX login_codes_client_net_created_idx ON login_codes (client_net, created_at);
CREATE INDEX login_codes_prefix_created_idx ON login_codes (phone_prefix, created_at);
CREATE INDEX login_codes_created_idx ON login_codes (created_at);

CREATE TABLE check_failures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone TEXT NOT NULL,
    client_net TEXT NOT NULL,
    -- the length of the code the wrong guess was compared with; NULL when no code was usable
    code_length INTEGER NULL,
    -- a later sign-in by the same number from the same network: a typo, not abuse
    forgiven BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT check_failures_code_length_range CHECK (code_length IS NULL OR code_length BETWEEN 4 AND 8)
);
CREATE INDEX check_failures_net_created_idx ON check_failures (client_net, created_at);
CREATE INDEX check_failures_phone_created_idx ON check_failures (phone, created_at);

DROP TABLE login_failures;

ALTER TABLE sign_in_events ADD COLUMN region TEXT NOT NULL DEFAULT '';
