-- The plans' revision: a number that every committed change to what a plan's
-- figures are computed from moves on, in the same transaction as the change.
-- The server keeps a programme's consolidation, dashboard and overview figures
-- under the revision it read before computing them, and computes again once the
-- revision has moved (web `kept`), so a figure is never older than the last
-- committed change, however many readers ask for it.
--
-- Every table moves it except those the kept figures never read: the registry
-- (villages and what hangs off them, crafts, OCOP products, environmental
-- assessments), the audit log, sessions, API tokens and notifications. Editing
-- a village therefore keeps the plans' figures; approving a report, changing a
-- target or renaming an agency does not. A test proves the list (store
-- `revision::NOT_COUNTED`) and the triggers agree on both dialects, and another
-- that the kept figures equal a recomputation after each kind of change.
CREATE TABLE data_revisions (
    area TEXT PRIMARY KEY,
    n    BIGINT NOT NULL
);

INSERT INTO data_revisions (area, n) VALUES ('plans', 0);

-- SQLite has row triggers only: one per row changed (a bulk load pays one
-- UPDATE of this row per row it writes).
CREATE TRIGGER meta_rev_i AFTER INSERT ON meta BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER meta_rev_u AFTER UPDATE ON meta BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER meta_rev_d AFTER DELETE ON meta BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER admin_units_rev_i AFTER INSERT ON admin_units BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER admin_units_rev_u AFTER UPDATE ON admin_units BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER admin_units_rev_d AFTER DELETE ON admin_units BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER admin_unit_links_rev_i AFTER INSERT ON admin_unit_links BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER admin_unit_links_rev_u AFTER UPDATE ON admin_unit_links BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER admin_unit_links_rev_d AFTER DELETE ON admin_unit_links BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER admin_unit_cover_rev_i AFTER INSERT ON admin_unit_cover BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER admin_unit_cover_rev_u AFTER UPDATE ON admin_unit_cover BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER admin_unit_cover_rev_d AFTER DELETE ON admin_unit_cover BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER agencies_rev_i AFTER INSERT ON agencies BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER agencies_rev_u AFTER UPDATE ON agencies BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER agencies_rev_d AFTER DELETE ON agencies BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER users_rev_i AFTER INSERT ON users BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER users_rev_u AFTER UPDATE ON users BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER users_rev_d AFTER DELETE ON users BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER legal_documents_rev_i AFTER INSERT ON legal_documents BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER legal_documents_rev_u AFTER UPDATE ON legal_documents BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER legal_documents_rev_d AFTER DELETE ON legal_documents BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER programs_rev_i AFTER INSERT ON programs BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER programs_rev_u AFTER UPDATE ON programs BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER programs_rev_d AFTER DELETE ON programs BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER program_legal_basis_rev_i AFTER INSERT ON program_legal_basis BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER program_legal_basis_rev_u AFTER UPDATE ON program_legal_basis BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER program_legal_basis_rev_d AFTER DELETE ON program_legal_basis BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER indicators_rev_i AFTER INSERT ON indicators BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER indicators_rev_u AFTER UPDATE ON indicators BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER indicators_rev_d AFTER DELETE ON indicators BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER targets_rev_i AFTER INSERT ON targets BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER targets_rev_u AFTER UPDATE ON targets BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER targets_rev_d AFTER DELETE ON targets BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER indicator_actuals_rev_i AFTER INSERT ON indicator_actuals BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER indicator_actuals_rev_u AFTER UPDATE ON indicator_actuals BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER indicator_actuals_rev_d AFTER DELETE ON indicator_actuals BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER tasks_rev_i AFTER INSERT ON tasks BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER tasks_rev_u AFTER UPDATE ON tasks BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER tasks_rev_d AFTER DELETE ON tasks BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER task_agencies_rev_i AFTER INSERT ON task_agencies BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER task_agencies_rev_u AFTER UPDATE ON task_agencies BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER task_agencies_rev_d AFTER DELETE ON task_agencies BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER task_indicators_rev_i AFTER INSERT ON task_indicators BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER task_indicators_rev_u AFTER UPDATE ON task_indicators BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER task_indicators_rev_d AFTER DELETE ON task_indicators BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER budget_lines_rev_i AFTER INSERT ON budget_lines BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER budget_lines_rev_u AFTER UPDATE ON budget_lines BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER budget_lines_rev_d AFTER DELETE ON budget_lines BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER budget_amounts_rev_i AFTER INSERT ON budget_amounts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER budget_amounts_rev_u AFTER UPDATE ON budget_amounts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER budget_amounts_rev_d AFTER DELETE ON budget_amounts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER program_appendices_rev_i AFTER INSERT ON program_appendices BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER program_appendices_rev_u AFTER UPDATE ON program_appendices BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER program_appendices_rev_d AFTER DELETE ON program_appendices BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_periods_rev_i AFTER INSERT ON report_periods BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_periods_rev_u AFTER UPDATE ON report_periods BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_periods_rev_d AFTER DELETE ON report_periods BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER reports_rev_i AFTER INSERT ON reports BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER reports_rev_u AFTER UPDATE ON reports BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER reports_rev_d AFTER DELETE ON reports BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_lines_rev_i AFTER INSERT ON report_lines BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_lines_rev_u AFTER UPDATE ON report_lines BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_lines_rev_d AFTER DELETE ON report_lines BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_events_rev_i AFTER INSERT ON report_events BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_events_rev_u AFTER UPDATE ON report_events BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_events_rev_d AFTER DELETE ON report_events BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_attachments_rev_i AFTER INSERT ON report_attachments BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_attachments_rev_u AFTER UPDATE ON report_attachments BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER report_attachments_rev_d AFTER DELETE ON report_attachments BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER schemes_rev_i AFTER INSERT ON schemes BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER schemes_rev_u AFTER UPDATE ON schemes BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER schemes_rev_d AFTER DELETE ON schemes BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER scheme_contents_rev_i AFTER INSERT ON scheme_contents BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER scheme_contents_rev_u AFTER UPDATE ON scheme_contents BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER scheme_contents_rev_d AFTER DELETE ON scheme_contents BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER scheme_steps_rev_i AFTER INSERT ON scheme_steps BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER scheme_steps_rev_u AFTER UPDATE ON scheme_steps BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER scheme_steps_rev_d AFTER DELETE ON scheme_steps BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER applications_rev_i AFTER INSERT ON applications BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER applications_rev_u AFTER UPDATE ON applications BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER applications_rev_d AFTER DELETE ON applications BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER application_events_rev_i AFTER INSERT ON application_events BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER application_events_rev_u AFTER UPDATE ON application_events BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER application_events_rev_d AFTER DELETE ON application_events BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER contracts_rev_i AFTER INSERT ON contracts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER contracts_rev_u AFTER UPDATE ON contracts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER contracts_rev_d AFTER DELETE ON contracts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER contract_items_rev_i AFTER INSERT ON contract_items BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER contract_items_rev_u AFTER UPDATE ON contract_items BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER contract_items_rev_d AFTER DELETE ON contract_items BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER monitoring_visits_rev_i AFTER INSERT ON monitoring_visits BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER monitoring_visits_rev_u AFTER UPDATE ON monitoring_visits BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER monitoring_visits_rev_d AFTER DELETE ON monitoring_visits BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER disbursements_rev_i AFTER INSERT ON disbursements BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER disbursements_rev_u AFTER UPDATE ON disbursements BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER disbursements_rev_d AFTER DELETE ON disbursements BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER activities_rev_i AFTER INSERT ON activities BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER activities_rev_u AFTER UPDATE ON activities BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER activities_rev_d AFTER DELETE ON activities BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER plan_drafts_rev_i AFTER INSERT ON plan_drafts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER plan_drafts_rev_u AFTER UPDATE ON plan_drafts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER plan_drafts_rev_d AFTER DELETE ON plan_drafts BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER program_places_rev_i AFTER INSERT ON program_places BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER program_places_rev_u AFTER UPDATE ON program_places BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER program_places_rev_d AFTER DELETE ON program_places BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER period_totals_rev_i AFTER INSERT ON period_totals BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER period_totals_rev_u AFTER UPDATE ON period_totals BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
CREATE TRIGGER period_totals_rev_d AFTER DELETE ON period_totals BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'plans'; END;
