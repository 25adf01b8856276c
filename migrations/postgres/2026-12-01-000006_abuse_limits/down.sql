ALTER TABLE sign_in_events DROP COLUMN region;
CREATE TABLE login_failures (
    phone TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT login_failures_not_negative CHECK (failures >= 0)
);
DROP TABLE check_failures;
DROP INDEX login_codes_created_idx;
DROP INDEX login_codes_prefix_created_idx;
DROP INDEX login_codes_client_net_created_idx;
CREATE INDEX login_codes_client_ip_created_idx ON login_codes (client_ip, created_at);
ALTER TABLE login_codes DROP CONSTRAINT login_codes_code_length_range;
ALTER TABLE login_codes DROP COLUMN signed_in;
ALTER TABLE login_codes DROP COLUMN code_length;
ALTER TABLE login_codes DROP COLUMN phone_prefix;
ALTER TABLE login_codes DROP COLUMN client_net;
