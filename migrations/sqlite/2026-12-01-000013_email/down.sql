ALTER TABLE sms_messages DROP COLUMN channel;
DROP TABLE email_verifications;
ALTER TABLE users DROP COLUMN email_verified_at;
ALTER TABLE users DROP COLUMN email;
