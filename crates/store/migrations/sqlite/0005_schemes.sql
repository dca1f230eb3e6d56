-- Support schemes (seed 002): contents with unit costs, eligibility and priority
-- rules, a budget; applications registered through the local unit, checked,
-- ranked and selected within the budget; the decision, contracts, monitoring,
-- acceptance per content, liquidation, settlement and disbursements. Nothing is
-- deleted: every change is an event.

CREATE TABLE schemes (
    id              INTEGER PRIMARY KEY,
    key             TEXT UNIQUE,
    program_id      INTEGER NOT NULL REFERENCES programs (id),
    budget_line_id  INTEGER REFERENCES budget_lines (id),
    title           TEXT NOT NULL,
    year            INTEGER NOT NULL,
    budget_dong     INTEGER NOT NULL,
    eligibility     TEXT NOT NULL DEFAULT '[]',
    priority        TEXT NOT NULL DEFAULT '[]',
    fair_share      TEXT NOT NULL DEFAULT 'round_robin' CHECK (fair_share IN ('none', 'round_robin', 'cap')),
    fair_cap        INTEGER,
    liquidate_by    TEXT,
    indicator_id    INTEGER REFERENCES indicators (id),
    lead_agency_id  INTEGER REFERENCES agencies (id),
    partner_agency_id INTEGER REFERENCES agencies (id),
    decision_doc_id INTEGER REFERENCES legal_documents (id),
    status          TEXT NOT NULL DEFAULT 'registration' CHECK (status IN ('registration', 'selection', 'decided', 'execution', 'closed')),
    notes           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX schemes_program ON schemes (program_id);

CREATE TABLE scheme_contents (
    id             INTEGER PRIMARY KEY,
    scheme_id      INTEGER NOT NULL REFERENCES schemes (id),
    key            TEXT NOT NULL,
    name           TEXT NOT NULL,
    unit_cost_dong INTEGER NOT NULL,
    indicator_id   INTEGER REFERENCES indicators (id),
    sort_order     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (scheme_id, key)
);

CREATE TABLE scheme_steps (
    id             INTEGER PRIMARY KEY,
    scheme_id      INTEGER NOT NULL REFERENCES schemes (id),
    ord            INTEGER NOT NULL,
    text           TEXT NOT NULL,
    lead_agency_id INTEGER REFERENCES agencies (id),
    coordinating   TEXT,
    start_on       TEXT,
    due_on         TEXT,
    done_on        TEXT,
    UNIQUE (scheme_id, ord)
);

CREATE TABLE applications (
    id               INTEGER PRIMARY KEY,
    scheme_id        INTEGER NOT NULL REFERENCES schemes (id),
    village_id       INTEGER REFERENCES villages (id),
    applicant        TEXT NOT NULL,
    unit_agency_id   INTEGER NOT NULL REFERENCES agencies (id),
    admin_unit_id    INTEGER NOT NULL REFERENCES admin_units (id),
    registered_on    TEXT NOT NULL,
    forwarded_on     TEXT,
    earlier_years    TEXT NOT NULL DEFAULT '[]',
    contents         TEXT NOT NULL DEFAULT '[]',
    representative   TEXT,
    recognised_by    TEXT,
    legal_status     BOOLEAN NOT NULL DEFAULT FALSE,
    has_seal         BOOLEAN NOT NULL DEFAULT FALSE,
    bank_account     BOOLEAN NOT NULL DEFAULT FALSE,
    state            TEXT NOT NULL CHECK (state IN ('registered', 'forwarded', 'eligible', 'ineligible', 'selected', 'not_selected', 'contracted', 'accepted', 'liquidated', 'settled')),
    eligibility      TEXT,
    review           TEXT NOT NULL DEFAULT '[]',
    rank             INTEGER,
    amount_dong      INTEGER NOT NULL DEFAULT 0,
    reason           TEXT,
    sample           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (scheme_id, village_id)
);
CREATE INDEX applications_scheme ON applications (scheme_id, state);
CREATE INDEX applications_unit ON applications (admin_unit_id);

CREATE TABLE application_events (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    action         TEXT NOT NULL,
    from_state     TEXT,
    to_state       TEXT NOT NULL,
    note           TEXT,
    actor_name     TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX application_events_app ON application_events (application_id, id);

CREATE TABLE contracts (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL UNIQUE REFERENCES applications (id),
    number         TEXT NOT NULL,
    signed_on      TEXT NOT NULL,
    parties        TEXT NOT NULL,
    amount_dong    INTEGER NOT NULL,
    end_on         TEXT,
    liquidated_on  TEXT,
    settled_on     TEXT,
    created_at     TEXT NOT NULL
);

CREATE TABLE contract_items (
    contract_id  INTEGER NOT NULL REFERENCES contracts (id),
    content_key  TEXT NOT NULL,
    amount_dong  INTEGER NOT NULL,
    accepted_on  TEXT,
    note         TEXT,
    PRIMARY KEY (contract_id, content_key)
);

CREATE TABLE monitoring_visits (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    visited_on     TEXT NOT NULL,
    progress_pct   INTEGER,
    note           TEXT NOT NULL,
    actor_name     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE TABLE disbursements (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    paid_on        TEXT NOT NULL,
    amount_dong    INTEGER NOT NULL,
    note           TEXT,
    created_at     TEXT NOT NULL
);

-- Activities that are not applications (training classes, fairs, new designs),
-- recorded the same way and counted towards their indicator.
CREATE TABLE activities (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES programs (id),
    indicator_id   INTEGER REFERENCES indicators (id),
    kind           TEXT NOT NULL CHECK (kind IN ('training', 'fair', 'design', 'other')),
    title          TEXT NOT NULL,
    held_on        TEXT NOT NULL,
    admin_unit_id  INTEGER NOT NULL REFERENCES admin_units (id),
    agency_id      INTEGER REFERENCES agencies (id),
    quantity       REAL NOT NULL DEFAULT 1,
    participants   INTEGER,
    employed_after INTEGER,
    cost_dong      INTEGER,
    notes          TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX activities_indicator ON activities (indicator_id, held_on);
