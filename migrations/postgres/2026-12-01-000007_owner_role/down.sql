DROP TRIGGER audit_log_no_truncate ON audit_log;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_known;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_known CHECK (action IN (
    'block', 'unblock', 'grant_staff', 'revoke_staff', 'sign_out_everywhere'
));
ALTER TABLE users DROP CONSTRAINT users_owner_is_staff;
ALTER TABLE users DROP COLUMN is_owner;
