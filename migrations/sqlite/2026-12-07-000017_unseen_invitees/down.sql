ALTER TABLE users DROP COLUMN unseen_invitees;
