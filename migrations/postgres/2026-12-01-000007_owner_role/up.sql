-- The owner role: above staff, granted and taken on the command line only; only owners change
-- staff rights, no staff action applies to an owner, and the last owner stays.
-- The audit log records the role's grants and removals; it can no longer be emptied with
-- TRUNCATE either (UPDATE and DELETE were refused already).
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

ALTER TABLE users ADD COLUMN is_owner BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD CONSTRAINT users_owner_is_staff CHECK (NOT is_owner OR is_staff);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_known;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_known CHECK (action IN (
    'block', 'unblock', 'grant_staff', 'revoke_staff', 'sign_out_everywhere',
    'grant_owner', 'revoke_owner'
));

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
