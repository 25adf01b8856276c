ALTER TABLE api_tokens DROP COLUMN user_agent;
ALTER TABLE api_tokens DROP COLUMN ip;
