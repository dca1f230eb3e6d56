-- The registry's revision moves at commit (on PostgreSQL).
--
-- Migration 0015 moved it in a trigger before each statement's first row: the
-- revision's row stayed locked from a village's INSERT to the commit, through
-- the statements after it (the record read back, its search entry, its audit
-- row) and the commit's flush, and every other registry writer waited for all
-- of it. Under the load benchmark's mixed workload (10 % new villages at 200
-- connections) an INSERT INTO villages waited 38 ms on average and the writes
-- were the workload's slowest requests (p99 221 ms).
--
-- Now the statement's trigger only notes, once a transaction, that the
-- registry moved (a row in `revision_moves`, keyed by the transaction); a
-- deferred trigger on that row moves the revision when the transaction
-- commits and removes the note. The revision's row is locked only for the
-- commit itself. Nothing else changes for a reader: the revision and the
-- change are still committed together, and a rolled-back transaction (or
-- savepoint) takes its note with it.
--
-- The plans' revision keeps its lock before the first row (migration 0014):
-- its writers change many rows of shared tables at once (a report's lines and
-- the period's totals), and meeting on the revision first is what keeps them
-- from deadlocking on each other's rows.
CREATE TABLE revision_moves (
    tx   BIGINT NOT NULL,
    area TEXT NOT NULL,
    PRIMARY KEY (tx, area)
);

CREATE FUNCTION revision_moves_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_revisions SET n = n + 1 WHERE area = NEW.area;
    DELETE FROM revision_moves WHERE tx = NEW.tx AND area = NEW.area;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER revision_moves_commit AFTER INSERT ON revision_moves
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION revision_moves_at_commit();

CREATE OR REPLACE FUNCTION registry_revision_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO revision_moves (tx, area) VALUES (txid_current(), 'registry')
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
