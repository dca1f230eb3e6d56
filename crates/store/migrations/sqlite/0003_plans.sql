-- Programmes and plans: legal basis, indicators with targets and actuals, tasks, budgets.

CREATE TABLE programs (
    id                 INTEGER PRIMARY KEY,
    key                TEXT UNIQUE,
    code               TEXT NOT NULL,
    title              TEXT NOT NULL,
    title_folded       TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('programme', 'plan', 'annual_plan', 'scheme_plan', 'project')),
    document_id        INTEGER REFERENCES legal_documents (id),
    period_start       TEXT NOT NULL,
    period_end         TEXT NOT NULL,
    parent_id          INTEGER REFERENCES programs (id),
    lead_agency_id     INTEGER REFERENCES agencies (id),
    admin_unit_id      INTEGER NOT NULL REFERENCES admin_units (id),
    status             TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'active', 'closed')),
    objectives_general TEXT,
    objectives_specific TEXT,
    notes              TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX programs_unit ON programs (admin_unit_id);
CREATE INDEX programs_parent ON programs (parent_id);

CREATE TABLE program_legal_basis (
    program_id  INTEGER NOT NULL REFERENCES programs (id),
    document_id INTEGER NOT NULL REFERENCES legal_documents (id),
    PRIMARY KEY (program_id, document_id)
);

CREATE TABLE indicators (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES programs (id),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    unit           TEXT NOT NULL,
    aggregation    TEXT NOT NULL CHECK (aggregation IN ('sum', 'average', 'latest', 'ratio')),
    direction      TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    baseline_value REAL,
    baseline_year  INTEGER,
    sort_order     INTEGER NOT NULL DEFAULT 0,
    source         TEXT,
    notes          TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX indicators_program ON indicators (program_id, sort_order);

-- A target as stated ("10-12", "trên 7.000"), parsed into `form` (JSON). Split rows
-- (by category, admin unit or agency) point at their total through parent_id.
CREATE TABLE targets (
    id            INTEGER PRIMARY KEY,
    indicator_id  INTEGER NOT NULL REFERENCES indicators (id),
    parent_id     INTEGER REFERENCES targets (id),
    milestone     TEXT NOT NULL,
    text          TEXT NOT NULL,
    form          TEXT NOT NULL,
    cumulative    BOOLEAN NOT NULL DEFAULT FALSE,
    dimension     TEXT NOT NULL DEFAULT 'total' CHECK (dimension IN ('total', 'category', 'unit', 'agency')),
    category      TEXT,
    admin_unit_id INTEGER REFERENCES admin_units (id),
    agency_id     INTEGER REFERENCES agencies (id),
    value         REAL,
    created_at    TEXT NOT NULL
);
CREATE INDEX targets_indicator ON targets (indicator_id);

CREATE TABLE indicator_actuals (
    id            INTEGER PRIMARY KEY,
    indicator_id  INTEGER NOT NULL REFERENCES indicators (id),
    period        TEXT NOT NULL,
    value         REAL NOT NULL,
    plan_value    REAL,
    plan_implied  BOOLEAN NOT NULL DEFAULT FALSE,
    rate_stated   TEXT,
    category      TEXT,
    admin_unit_id INTEGER REFERENCES admin_units (id),
    agency_id     INTEGER REFERENCES agencies (id),
    source        TEXT,
    notes         TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX actuals_indicator ON indicator_actuals (indicator_id);

CREATE TABLE tasks (
    id             INTEGER PRIMARY KEY,
    program_id     INTEGER NOT NULL REFERENCES programs (id),
    section        TEXT,
    text           TEXT NOT NULL,
    lead_agency_id INTEGER REFERENCES agencies (id),
    start_on       TEXT,
    due_on         TEXT,
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    sort_order     INTEGER NOT NULL DEFAULT 0,
    source         TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX tasks_program ON tasks (program_id, sort_order);
CREATE INDEX tasks_lead ON tasks (lead_agency_id);

CREATE TABLE task_agencies (
    task_id   INTEGER NOT NULL REFERENCES tasks (id),
    agency_id INTEGER NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (task_id, agency_id)
);
CREATE INDEX task_agencies_agency ON task_agencies (agency_id);

CREATE TABLE task_indicators (
    task_id      INTEGER NOT NULL REFERENCES tasks (id),
    indicator_id INTEGER NOT NULL REFERENCES indicators (id),
    PRIMARY KEY (task_id, indicator_id)
);

CREATE TABLE budget_lines (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES programs (id),
    line            TEXT NOT NULL,
    source_of_funds TEXT NOT NULL,
    planned_dong    INTEGER,
    sort_order      INTEGER NOT NULL DEFAULT 0,
    source          TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX budget_program ON budget_lines (program_id);

CREATE TABLE budget_amounts (
    id             INTEGER PRIMARY KEY,
    budget_line_id INTEGER NOT NULL REFERENCES budget_lines (id),
    year           INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('allocation', 'disbursement')),
    dong           INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (budget_line_id, year, kind)
);

-- An appendix table as the plan prints it ("Phụ biểu 01"): its rows as JSON.
CREATE TABLE program_appendices (
    program_id INTEGER NOT NULL REFERENCES programs (id),
    name       TEXT NOT NULL,
    title      TEXT NOT NULL,
    subtitle   TEXT,
    rows_json  TEXT NOT NULL,
    PRIMARY KEY (program_id, name)
);
