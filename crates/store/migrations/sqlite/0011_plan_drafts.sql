-- Plan documents read into drafts: the text as read (offsets of the proposal
-- refer to it), the proposal (JSON, every item tied to its passage), where and
-- by whom it was read, and the programme it became once accepted.
CREATE TABLE plan_drafts (
    id            INTEGER PRIMARY KEY,
    title         TEXT,
    file_name     TEXT,
    text          TEXT NOT NULL,
    proposal      TEXT NOT NULL,
    scope_unit_id INTEGER NOT NULL REFERENCES admin_units (id),
    created_by    INTEGER REFERENCES users (id),
    program_id    INTEGER REFERENCES programs (id),
    accepted_at   TEXT,
    created_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX plan_drafts_scope ON plan_drafts (scope_unit_id);

-- The places a programme names (crafts and villages to conserve or develop),
-- with the admin unit they were matched to.
CREATE TABLE program_places (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES programs (id),
    name          TEXT NOT NULL,
    admin_unit_id INTEGER REFERENCES admin_units (id),
    craft         TEXT,
    ethnic_group  TEXT,
    source        TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX program_places_program ON program_places (program_id);
