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

CREATE TRIGGER villages_reg_i AFTER INSERT ON villages BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER villages_reg_u AFTER UPDATE ON villages BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER villages_reg_d AFTER DELETE ON villages BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER village_crafts_reg_i AFTER INSERT ON village_crafts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER village_crafts_reg_u AFTER UPDATE ON village_crafts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER village_crafts_reg_d AFTER DELETE ON village_crafts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER artisans_reg_i AFTER INSERT ON artisans BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER artisans_reg_u AFTER UPDATE ON artisans BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER artisans_reg_d AFTER DELETE ON artisans BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER establishments_reg_i AFTER INSERT ON establishments BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER establishments_reg_u AFTER UPDATE ON establishments BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER establishments_reg_d AFTER DELETE ON establishments BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER crafts_reg_i AFTER INSERT ON crafts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER crafts_reg_u AFTER UPDATE ON crafts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER crafts_reg_d AFTER DELETE ON crafts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER products_reg_i AFTER INSERT ON products BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER products_reg_u AFTER UPDATE ON products BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER products_reg_d AFTER DELETE ON products BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER environment_assessments_reg_i AFTER INSERT ON environment_assessments BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER environment_assessments_reg_u AFTER UPDATE ON environment_assessments BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
CREATE TRIGGER environment_assessments_reg_d AFTER DELETE ON environment_assessments BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'registry'; END;
