-- PostgreSQL's users table keeps room on each page for updated rows; SQLite has no such setting.
-- Kept in step with migrations/postgres.
SELECT 1;
