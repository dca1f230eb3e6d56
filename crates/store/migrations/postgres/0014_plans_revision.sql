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

-- One trigger a statement, before its first row: the revision's row is locked
-- before any row the statement changes, so two writers meet on it first and
-- wait in turn instead of deadlocking on each other's rows.
CREATE FUNCTION plans_revision_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_revisions SET n = n + 1 WHERE area = 'plans';
    RETURN NULL;
END
$$;

CREATE TRIGGER meta_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON meta FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER admin_units_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_units FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER admin_unit_links_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_unit_links FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER admin_unit_cover_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_unit_cover FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER agencies_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON agencies FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER users_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER legal_documents_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON legal_documents FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER programs_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON programs FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER program_legal_basis_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON program_legal_basis FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER indicators_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON indicators FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER targets_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON targets FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER indicator_actuals_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON indicator_actuals FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER tasks_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON tasks FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER task_agencies_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON task_agencies FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER task_indicators_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON task_indicators FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER budget_lines_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON budget_lines FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER budget_amounts_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON budget_amounts FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER program_appendices_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON program_appendices FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER report_periods_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON report_periods FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER reports_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON reports FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER report_lines_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON report_lines FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER report_events_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON report_events FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER report_attachments_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON report_attachments FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER schemes_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON schemes FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER scheme_contents_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON scheme_contents FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER scheme_steps_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON scheme_steps FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER applications_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON applications FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER application_events_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON application_events FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER contracts_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON contracts FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER contract_items_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON contract_items FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER monitoring_visits_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON monitoring_visits FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER disbursements_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON disbursements FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER activities_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON activities FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER plan_drafts_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON plan_drafts FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER program_places_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON program_places FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
CREATE TRIGGER period_totals_rev BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON period_totals FOR EACH STATEMENT EXECUTE FUNCTION plans_revision_moves();
