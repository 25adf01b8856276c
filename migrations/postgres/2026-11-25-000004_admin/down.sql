DROP TRIGGER audit_log_no_update ON audit_log;
DROP FUNCTION audit_log_is_append_only();
DROP INDEX users_date_joined_idx;
DROP INDEX users_invitee_count_idx;
DROP TABLE audit_log;
DROP TABLE sign_in_events;
