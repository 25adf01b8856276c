DROP TABLE invite_entries;
ALTER TABLE users DROP COLUMN unseen_invitees;
