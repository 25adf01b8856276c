DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP INDEX users_date_joined_idx;
DROP INDEX users_invitee_count_idx;
DROP TABLE audit_log;
DROP TABLE sign_in_events;
