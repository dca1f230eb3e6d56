-- Issue 11 item 7: a province-wide target shown on a unit's report line is
-- marked by its scope, not by Vietnamese words written into its text, so each
-- language says it from the catalogue ("Toàn tỉnh: …" / "Province-wide: …").
-- Lines written before keep working: their prefix becomes the marker.
ALTER TABLE report_lines ADD COLUMN target_scope TEXT;
UPDATE report_lines
   SET target_scope = 'province', target_text = SUBSTR(target_text, 12)
 WHERE target_text LIKE 'Toàn tỉnh: %';
