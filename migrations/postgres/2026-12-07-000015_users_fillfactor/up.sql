-- Room on each page of users for a row's new version, so that updating a column no index
-- covers (last_login at every sign-in) stays on its page and touches no index (a HOT update).
-- Applies to pages written from now on.
ALTER TABLE users SET (fillfactor = 90);
