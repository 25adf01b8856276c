-- Invite links (/i/CODE): each look-up of a code no account has, by the client's network, so
-- that one network can try only so many codes an hour (a link names its inviter, partly
-- masked: the limit keeps anyone from collecting them by trying codes).
-- Kept in step with migrations/sqlite: same tables, columns, constraints and indexes.

CREATE TABLE invite_link_misses (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_net TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invite_link_misses_net_created_idx ON invite_link_misses (client_net, created_at);
