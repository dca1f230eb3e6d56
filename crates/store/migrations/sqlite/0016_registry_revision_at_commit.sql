-- Nothing to do on SQLite: PostgreSQL's migration 0016 moves the registry's
-- revision at commit instead of before a statement's first row, so that its
-- writers do not wait on the revision's row through each other's whole
-- transactions. SQLite has one writer at a time: the revision's row is never
-- waited on, and its triggers (migration 0015) stay as they are. The number is
-- kept so that both dialects' migrations stay numbered alike.
SELECT 1;
