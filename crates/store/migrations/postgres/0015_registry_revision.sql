-- The registry's revision: a number that every committed change to the
-- registry (villages and what hangs off them, crafts, OCOP products,
-- environmental assessments) moves on, in the same transaction as the change.
-- The server keeps what it answers from the registry (a village list, the map,
-- the overview's registry counts) under this revision together with the plans'
-- (migration 0014), which every other table moves (the geography, agencies,
-- users): a registry answer is computed again once either has moved, while a
-- plan's figures stay kept through the registry's daily work. A test proves
-- the list (store `revision::REGISTRY`) and the triggers agree on both
-- dialects, and another that what is kept equals a recomputation after each
-- kind of change.
INSERT INTO data_revisions (area, n) VALUES ('registry', 0);

-- As for the plans' revision: one trigger a statement, before its first row.
CREATE FUNCTION registry_revision_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_revisions SET n = n + 1 WHERE area = 'registry';
    RETURN NULL;
END
$$;

CREATE TRIGGER villages_reg BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON villages FOR EACH STATEMENT EXECUTE FUNCTION registry_revision_moves();
CREATE TRIGGER village_crafts_reg BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON village_crafts FOR EACH STATEMENT EXECUTE FUNCTION registry_revision_moves();
CREATE TRIGGER artisans_reg BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON artisans FOR EACH STATEMENT EXECUTE FUNCTION registry_revision_moves();
CREATE TRIGGER establishments_reg BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON establishments FOR EACH STATEMENT EXECUTE FUNCTION registry_revision_moves();
CREATE TRIGGER crafts_reg BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON crafts FOR EACH STATEMENT EXECUTE FUNCTION registry_revision_moves();
CREATE TRIGGER products_reg BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON products FOR EACH STATEMENT EXECUTE FUNCTION registry_revision_moves();
CREATE TRIGGER environment_assessments_reg BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON environment_assessments FOR EACH STATEMENT EXECUTE FUNCTION registry_revision_moves();
