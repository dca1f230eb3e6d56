-- Foundation: geography, agencies, accounts, sessions, audit.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE admin_units (
    id          INTEGER PRIMARY KEY,
    era         TEXT NOT NULL CHECK (era IN ('old', 'new', 'both')),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('country', 'province', 'district', 'commune')),
    unit_type   TEXT NOT NULL,
    parent_id   INTEGER REFERENCES admin_units (id),
    valid_from  TEXT,
    valid_to    TEXT,
    lat         REAL,
    lon         REAL,
    UNIQUE (era, level, code)
);
CREATE INDEX admin_units_parent ON admin_units (parent_id);
CREATE INDEX admin_units_code ON admin_units (code);
CREATE INDEX admin_units_level ON admin_units (level, era);

-- Old unit → new unit of the corresponding level (derived from the official commune mapping).
CREATE TABLE admin_unit_links (
    old_id INTEGER NOT NULL REFERENCES admin_units (id),
    new_id INTEGER NOT NULL REFERENCES admin_units (id),
    partly BOOLEAN NOT NULL,
    PRIMARY KEY (old_id, new_id)
);
CREATE INDEX admin_unit_links_new ON admin_unit_links (new_id);

-- (scope, unit): unit lies wholly within scope, across both structures. Reflexive.
CREATE TABLE admin_unit_cover (
    scope_id INTEGER NOT NULL REFERENCES admin_units (id),
    unit_id  INTEGER NOT NULL REFERENCES admin_units (id),
    PRIMARY KEY (scope_id, unit_id)
);
CREATE INDEX admin_unit_cover_unit ON admin_unit_cover (unit_id);

CREATE TABLE agencies (
    id            INTEGER PRIMARY KEY,
    key           TEXT UNIQUE,
    name          TEXT NOT NULL,
    name_folded   TEXT NOT NULL,
    short_name    TEXT NOT NULL DEFAULT '',
    kind          TEXT NOT NULL,
    admin_unit_id INTEGER NOT NULL REFERENCES admin_units (id),
    parent_id     INTEGER REFERENCES agencies (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX agencies_unit ON agencies (admin_unit_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'officer', 'reviewer', 'viewer')),
    agency_id     INTEGER NOT NULL REFERENCES agencies (id),
    scope_unit_id INTEGER NOT NULL REFERENCES admin_units (id),
    lang          TEXT NOT NULL DEFAULT 'vi',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    request_id  TEXT,
    client_addr TEXT
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_at ON audit_log (at);

-- The audit log is append-only: no path may change or remove a row.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
