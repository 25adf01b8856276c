-- The outbox: one row per text message, written in the transaction that creates its code and
-- sent by the delivery worker. The body (which holds the code) is sealed with a key derived from
-- SECRET_KEY and emptied once the message is sent or given up, so the table reveals no code.
-- State: pending → sending → sent → delivered, or failed, or expired (its code could no longer
-- be used: it expired or a newer code retired it; such a message is never sent).
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

CREATE TABLE sms_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone TEXT NOT NULL,
    body BYTEA NOT NULL,
    -- the code's end: the message is not sent at or after it
    expires_at TIMESTAMP NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    -- while sending: until when the claiming worker holds it; a later worker may take it over
    claimed_until TIMESTAMP NULL,
    provider TEXT NULL,
    provider_message_id TEXT NULL,
    last_error TEXT NULL,
    -- sent with every try of this message, so a provider that supports it sends it once
    idempotency_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT sms_messages_state_known CHECK (state IN (
        'pending', 'sending', 'sent', 'delivered', 'failed', 'expired'
    )),
    CONSTRAINT sms_messages_attempts_range CHECK (attempts >= 0)
);
CREATE UNIQUE INDEX sms_messages_idempotency_key_idx ON sms_messages (idempotency_key);
CREATE INDEX sms_messages_state_due_idx ON sms_messages (state, next_attempt_at);
CREATE INDEX sms_messages_phone_state_idx ON sms_messages (phone, state);
CREATE INDEX sms_messages_provider_id_idx ON sms_messages (provider, provider_message_id);
CREATE INDEX sms_messages_created_idx ON sms_messages (created_at);
