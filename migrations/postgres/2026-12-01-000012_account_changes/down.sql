ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_known;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_known CHECK (action IN (
    'block', 'unblock', 'grant_staff', 'revoke_staff', 'sign_out_everywhere',
    'grant_owner', 'revoke_owner', 'retry_message'
));
ALTER TABLE users DROP CONSTRAINT users_deleted_keeps_nothing;
ALTER TABLE users DROP COLUMN deleted_at;
ALTER TABLE login_codes DROP CONSTRAINT login_codes_purpose_account;
ALTER TABLE login_codes DROP CONSTRAINT login_codes_purpose_known;
ALTER TABLE login_codes DROP COLUMN user_id;
ALTER TABLE login_codes DROP COLUMN purpose;
