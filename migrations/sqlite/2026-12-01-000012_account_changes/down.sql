-- login_codes.user_id is a foreign key, which SQLite cannot drop: copy the table without it
CREATE TABLE login_codes_next (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone TEXT NOT NULL,
    code_hmac TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    consumed_at TIMESTAMP NULL,
    client_ip TEXT NOT NULL,
    client_net TEXT NOT NULL DEFAULT '',
    phone_prefix TEXT NOT NULL DEFAULT '',
    code_length INTEGER NOT NULL DEFAULT 4
        CONSTRAINT login_codes_code_length_range CHECK (code_length BETWEEN 4 AND 8),
    signed_in BOOLEAN NOT NULL DEFAULT 0,
    CONSTRAINT login_codes_attempts_not_negative CHECK (attempts >= 0),
    CONSTRAINT login_codes_expiry_after_creation CHECK (expires_at > created_at)
);
INSERT INTO login_codes_next (id, phone, code_hmac, created_at, expires_at, attempts, consumed_at,
        client_ip, client_net, phone_prefix, code_length, signed_in)
    SELECT id, phone, code_hmac, created_at, expires_at, attempts, consumed_at,
        client_ip, client_net, phone_prefix, code_length, signed_in
    FROM login_codes WHERE purpose = 'sign_in';
DROP TABLE login_codes;
ALTER TABLE login_codes_next RENAME TO login_codes;
CREATE INDEX login_codes_phone_created_idx ON login_codes (phone, created_at);
CREATE INDEX login_codes_client_net_created_idx ON login_codes (client_net, created_at);
CREATE INDEX login_codes_prefix_created_idx ON login_codes (phone_prefix, created_at);
CREATE INDEX login_codes_created_idx ON login_codes (created_at);

ALTER TABLE users DROP COLUMN deleted_at;

-- a CHECK changes only with the table: copy it, rows and all, with the new list of actions
CREATE TABLE audit_log_next (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id BIGINT NULL REFERENCES users (id) ON DELETE RESTRICT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    target_id BIGINT NULL REFERENCES users (id) ON DELETE RESTRICT,
    target_label TEXT NOT NULL,
    ip TEXT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT audit_log_action_known CHECK (action IN (
        'block', 'unblock', 'grant_staff', 'revoke_staff', 'sign_out_everywhere',
        'grant_owner', 'revoke_owner', 'retry_message'
    ))
);
INSERT INTO audit_log_next (id, actor_id, actor_label, action, target_id, target_label, ip, created_at)
    SELECT id, actor_id, actor_label, action, target_id, target_label, ip, created_at FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_next RENAME TO audit_log;
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_target_idx ON audit_log (target_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
