CREATE TABLE audit_log_previous (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id BIGINT NULL REFERENCES users (id) ON DELETE RESTRICT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    target_id BIGINT NULL REFERENCES users (id) ON DELETE RESTRICT,
    target_label TEXT NOT NULL,
    ip TEXT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT audit_log_action_known CHECK (action IN (
        'block', 'unblock', 'grant_staff', 'revoke_staff', 'sign_out_everywhere'
    ))
);
INSERT INTO audit_log_previous SELECT * FROM audit_log
    WHERE action NOT IN ('grant_owner', 'revoke_owner');
DROP TABLE audit_log;
ALTER TABLE audit_log_previous RENAME TO audit_log;
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
ALTER TABLE users DROP COLUMN is_owner;
