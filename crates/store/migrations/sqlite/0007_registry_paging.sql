-- Deep pages by cursor (issue 10): each registry list's default sort is served by
-- an index on (sort column, id), so the page after a cursor is an index range,
-- as fast on page 10.000 as on page 1.
CREATE INDEX villages_name_id ON villages (name, id);
CREATE INDEX crafts_name_id ON crafts (name, id);
CREATE INDEX establishments_name_id ON establishments (name, id);
CREATE INDEX artisans_name_id ON artisans (name, id);
CREATE INDEX products_name_id ON products (name, id);
CREATE INDEX legal_documents_issued_on_id ON legal_documents (issued_on, id);
CREATE INDEX environment_assessments_assessed_on_id ON environment_assessments (assessed_on, id);
