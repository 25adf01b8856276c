ALTER TABLE sms_messages DROP CONSTRAINT sms_messages_channel_known;
ALTER TABLE sms_messages DROP COLUMN channel;
DROP TABLE email_verifications;
ALTER TABLE users DROP CONSTRAINT users_deleted_has_no_email;
ALTER TABLE users DROP CONSTRAINT users_email_verified;
ALTER TABLE users DROP COLUMN email_verified_at;
ALTER TABLE users DROP COLUMN email;
