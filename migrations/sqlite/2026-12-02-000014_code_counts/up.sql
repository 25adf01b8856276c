-- Codes issued per minute, for the limits that count many codes: a number block's (`scope` is
-- its prefix) and the whole service's (`scope` is 'all'). A limit sums at most an hour of these
-- rows, and counts only the window's first, partial minute in login_codes itself, instead of
-- counting every code of the hour. The service's count is spread over 8 rows a minute
-- (`shard`, from the code's id) so that requests at the same moment do not queue on one row.
-- Rows past the window are purged. Filled from the codes already sent.
-- Kept in step with migrations/postgres: same tables, columns, constraints and indexes.

CREATE TABLE code_counts (
    scope TEXT NOT NULL,
    minute TIMESTAMP NOT NULL,
    shard SMALLINT NOT NULL,
    codes INTEGER NOT NULL,
    PRIMARY KEY (scope, minute, shard),
    CONSTRAINT code_counts_codes_positive CHECK (codes > 0),
    CONSTRAINT code_counts_shard_range CHECK (shard BETWEEN 0 AND 7),
    CONSTRAINT code_counts_whole_minute CHECK (minute = strftime('%Y-%m-%d %H:%M:00', minute))
);

INSERT INTO code_counts (scope, minute, shard, codes)
SELECT 'all', strftime('%Y-%m-%d %H:%M:00', created_at), 0, count(*)
FROM login_codes
WHERE created_at > strftime('%Y-%m-%d %H:%M:%S', 'now', '-2 hours')
GROUP BY 2;

INSERT INTO code_counts (scope, minute, shard, codes)
SELECT phone_prefix, strftime('%Y-%m-%d %H:%M:00', created_at), 0, count(*)
FROM login_codes
WHERE created_at > strftime('%Y-%m-%d %H:%M:%S', 'now', '-2 hours')
GROUP BY 1, 2;
