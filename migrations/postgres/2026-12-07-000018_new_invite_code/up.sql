-- A person may give themselves a new invite code (the old one stops working for new entries;
-- entries made stay, they are by account): the audit log records it, and its rows are what the
-- limit on new codes counts.
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_known;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_known CHECK (action IN (
    'block', 'unblock', 'grant_staff', 'revoke_staff', 'sign_out_everywhere',
    'grant_owner', 'revoke_owner', 'retry_message', 'change_phone', 'delete_account',
    'new_invite_code'
));
