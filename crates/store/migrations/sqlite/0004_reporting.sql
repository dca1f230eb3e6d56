-- The reporting cycle: periods, one report per responsible unit, its lines
-- (indicator × disaggregation), narrative, attachments, workflow events and
-- reminders. Reports are never deleted: the law needs their history.

-- Co-leads of a task (chủ trì cùng) were folded into the coordinating list.
ALTER TABLE task_agencies ADD COLUMN role TEXT NOT NULL DEFAULT 'coordinating'
    CHECK (role IN ('co_lead', 'coordinating'));

-- An indicator whose value comes from records (registry, schemes): the name
-- of the computation, e.g. 'villages_recognised'.
ALTER TABLE indicators ADD COLUMN computed_from TEXT;

ALTER TABLE users ADD COLUMN email TEXT;

-- Due dates of the six-monthly and annual reports as the plan sets them
-- ('06-20', '12-20' in Lào Cai); empty means the Decree 09/2019 defaults.
ALTER TABLE programs ADD COLUMN report_due_first_half TEXT;
ALTER TABLE programs ADD COLUMN report_due_annual TEXT;

CREATE TABLE report_periods (
    id           INTEGER PRIMARY KEY,
    program_id   INTEGER NOT NULL REFERENCES programs (id),
    kind         TEXT NOT NULL CHECK (kind IN ('first_half', 'annual', 'ad_hoc')),
    year         INTEGER NOT NULL,
    label        TEXT NOT NULL,
    data_from    TEXT NOT NULL,
    data_to      TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    milestone    TEXT,
    remind_days  INTEGER NOT NULL DEFAULT 5,
    jump_factor  REAL NOT NULL DEFAULT 3,
    opened_by    INTEGER REFERENCES users (id),
    created_at   TEXT NOT NULL,
    UNIQUE (program_id, kind, year, label)
);
CREATE INDEX report_periods_program ON report_periods (program_id, data_to);

CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    period_id     INTEGER NOT NULL REFERENCES report_periods (id),
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    admin_unit_id INTEGER NOT NULL REFERENCES admin_units (id),
    state         TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'approved', 'locked')),
    version       INTEGER NOT NULL DEFAULT 1,
    results       TEXT NOT NULL DEFAULT '',
    difficulties  TEXT NOT NULL DEFAULT '',
    causes        TEXT NOT NULL DEFAULT '',
    proposals     TEXT NOT NULL DEFAULT '',
    return_reason TEXT,
    submitted_at  TEXT,
    first_submitted_at TEXT,
    approved_at   TEXT,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (period_id, agency_id)
);
CREATE INDEX reports_agency ON reports (agency_id);
CREATE INDEX reports_state ON reports (period_id, state);

CREATE TABLE report_lines (
    id             INTEGER PRIMARY KEY,
    report_id      INTEGER NOT NULL REFERENCES reports (id),
    indicator_id   INTEGER NOT NULL REFERENCES indicators (id),
    category       TEXT NOT NULL DEFAULT '',
    sort_order     INTEGER NOT NULL DEFAULT 0,
    target_text    TEXT,
    target_value   REAL,
    previous_value REAL,
    value_text     TEXT NOT NULL DEFAULT '',
    value          REAL,
    computed_value REAL,
    source         TEXT NOT NULL DEFAULT 'entered' CHECK (source IN ('entered', 'computed')),
    comment        TEXT NOT NULL DEFAULT '',
    UNIQUE (report_id, indicator_id, category)
);
CREATE INDEX report_lines_indicator ON report_lines (indicator_id);

CREATE TABLE report_events (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES reports (id),
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    reason     TEXT,
    actor_id   INTEGER,
    actor_name TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX report_events_report ON report_events (report_id, id);

CREATE TABLE report_attachments (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES reports (id),
    file_name   TEXT NOT NULL,
    file_type   TEXT NOT NULL,
    size        INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    removed_at  TEXT
);
CREATE INDEX report_attachments_report ON report_attachments (report_id);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    report_id  INTEGER REFERENCES reports (id),
    kind       TEXT NOT NULL,
    message    TEXT NOT NULL,
    link       TEXT,
    created_at TEXT NOT NULL,
    read_at    TEXT,
    emailed_at TEXT,
    UNIQUE (user_id, report_id, kind)
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);
