DROP TABLE login_failures;
DROP TABLE login_codes;
DROP TABLE sessions;
DROP TABLE users;
