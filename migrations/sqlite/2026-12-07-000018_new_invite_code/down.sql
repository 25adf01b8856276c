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
    SELECT id, actor_id, actor_label, action, target_id, target_label, ip, created_at FROM audit_log
    WHERE action <> 'new_invite_code';
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
