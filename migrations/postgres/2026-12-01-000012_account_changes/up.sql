-- A person changes their number or deletes their account, each confirmed with a code.
-- - login_codes records what a code is for: signing in (any number), or confirming an
--   account's change of number (sent to the new number) or its deletion (sent to its number);
--   a code serves only its purpose and, for the latter two, only its account.
-- - A deleted account keeps its row, because the people who entered its code keep their entry
--   and the audit log refers to it, but nothing personal: its number becomes `+0` and its id
--   (no real number starts with a 0 country code, so the number is free again), its name and
--   rights are gone, and its own entry is removed from its inviter's count.
-- - The audit log records both.
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

ALTER TABLE login_codes ADD COLUMN purpose TEXT NOT NULL DEFAULT 'sign_in';
ALTER TABLE login_codes ADD COLUMN user_id BIGINT NULL REFERENCES users (id) ON DELETE CASCADE;
ALTER TABLE login_codes ADD CONSTRAINT login_codes_purpose_known
    CHECK (purpose IN ('sign_in', 'change_phone', 'delete_account'));
ALTER TABLE login_codes ADD CONSTRAINT login_codes_purpose_account
    CHECK ((purpose = 'sign_in') = (user_id IS NULL));

ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP NULL;
ALTER TABLE users ADD CONSTRAINT users_deleted_keeps_nothing CHECK (deleted_at IS NULL OR (
    NOT is_active AND NOT is_staff AND NOT is_owner AND display_name IS NULL
    AND invited_by_id IS NULL AND substr(phone, 1, 2) = '+0'
));

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_known;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_known CHECK (action IN (
    'block', 'unblock', 'grant_staff', 'revoke_staff', 'sign_out_everywhere',
    'grant_owner', 'revoke_owner', 'retry_message', 'change_phone', 'delete_account'
));
