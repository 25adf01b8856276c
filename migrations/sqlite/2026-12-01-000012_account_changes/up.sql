-- A person changes their number or deletes their account, each confirmed with a code.
-- - login_codes records what a code is for: signing in (any number), or confirming an
--   account's change of number (sent to the new number) or its deletion (sent to its number);
--   a code serves only its purpose and, for the latter two, only its account.
-- - A deleted account keeps its row, because the people who entered its code keep their entry
--   and the audit log refers to it, but nothing personal: its number becomes `+0` and its id
--   (no real number starts with a 0 country code, so the number is free again), its name and
--   rights are gone, and its own entry is removed from its inviter's count.
-- - The audit log records both.
-- Kept in step with migrations/postgres: same tables, columns, constraints and indexes.

ALTER TABLE login_codes ADD COLUMN purpose TEXT NOT NULL DEFAULT 'sign_in'
    CONSTRAINT login_codes_purpose_known
    CHECK (purpose IN ('sign_in', 'change_phone', 'delete_account'));
ALTER TABLE login_codes ADD COLUMN user_id BIGINT NULL REFERENCES users (id) ON DELETE CASCADE
    CONSTRAINT login_codes_purpose_account CHECK ((purpose = 'sign_in') = (user_id IS NULL));

ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP NULL
    CONSTRAINT users_deleted_keeps_nothing CHECK (deleted_at IS NULL OR (
        NOT is_active AND NOT is_staff AND NOT is_owner AND display_name IS NULL
        AND invited_by_id IS NULL AND substr(phone, 1, 2) = '+0'
    ));

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
        'grant_owner', 'revoke_owner', 'retry_message', 'change_phone', 'delete_account'
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
