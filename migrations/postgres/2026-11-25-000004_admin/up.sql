-- Administration: the sign-in attempt log, the append-only audit log, and the index behind
-- "top inviters" and sorting users by invitee count.
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

CREATE TABLE sign_in_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone TEXT NOT NULL,
    user_id BIGINT NULL REFERENCES users (id) ON DELETE SET NULL,
    ip TEXT NOT NULL,
    outcome TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT sign_in_events_outcome_known CHECK (outcome IN (
        'code_sent', 'code_refused', 'signed_in', 'wrong_code', 'code_dead', 'code_expired', 'locked', 'blocked'
    ))
);
CREATE INDEX sign_in_events_created_idx ON sign_in_events (created_at);
CREATE INDEX sign_in_events_phone_created_idx ON sign_in_events (phone, created_at);

CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_target_idx ON audit_log (target_id, id);

CREATE INDEX users_invitee_count_idx ON users (invitee_count DESC, id DESC);
CREATE INDEX users_date_joined_idx ON users (date_joined DESC, id DESC);

-- Audit rows are never edited or removed.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
