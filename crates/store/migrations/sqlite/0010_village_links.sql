-- The records of a village, found by the village: the map's points ask each
-- village for its best OCOP rating, and a village's page lists its products,
-- establishments and artisans. Without these, each ask read the whole table
-- (the dashboard bench: village points of Hà Nội took 2,3 s at 100.000 records).
CREATE INDEX products_village ON products (village_id);
CREATE INDEX establishments_village ON establishments (village_id);
CREATE INDEX artisans_village ON artisans (village_id);
