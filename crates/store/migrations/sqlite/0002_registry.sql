-- Registry: legal documents, crafts, craft villages, establishments, artisans,
-- products, environment assessments; one search index over all of them.

CREATE TABLE legal_documents (
    id              INTEGER PRIMARY KEY,
    number          TEXT,
    seq             INTEGER,
    year            INTEGER,
    kind            TEXT,
    kind_folded     TEXT,
    issuer          TEXT,
    issuer_agency_id INTEGER REFERENCES agencies (id),
    issued_on       TEXT,
    title           TEXT NOT NULL,
    admin_unit_id   INTEGER REFERENCES admin_units (id),
    file_name       TEXT,
    file_type       TEXT,
    file_bytes      BLOB,
    notes           TEXT,
    key             TEXT UNIQUE,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (number, issued_on)
);

CREATE TABLE crafts (
    id              INTEGER PRIMARY KEY,
    key             TEXT UNIQUE,
    name            TEXT NOT NULL,
    craft_group     TEXT NOT NULL,
    is_traditional  BOOLEAN,
    ethnic_groups   TEXT,
    ethnic_groups_folded TEXT,
    first_known_year INTEGER,
    still_practised BOOLEAN,
    cultural_identity BOOLEAN,
    named_artisan_or_village BOOLEAN,
    recognition_doc_id INTEGER REFERENCES legal_documents (id),
    admin_unit_id   INTEGER REFERENCES admin_units (id),
    notes           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE villages (
    id              INTEGER PRIMARY KEY,
    key             TEXT UNIQUE,
    name            TEXT NOT NULL,
    hamlet          TEXT,
    admin_unit_id   INTEGER NOT NULL REFERENCES admin_units (id),
    status          TEXT NOT NULL,
    recognition_doc_id INTEGER REFERENCES legal_documents (id),
    households_total INTEGER,
    households_in_craft INTEGER,
    workers         INTEGER,
    production_value INTEGER,
    avg_income      INTEGER,
    stable_since_year INTEGER,
    environment_ok  BOOLEAN,
    tourism         BOOLEAN,
    environment_class TEXT,
    ethnic_group    TEXT,
    ethnic_group_folded TEXT,
    lat             REAL,
    lon             REAL,
    notes           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX villages_unit ON villages (admin_unit_id);
CREATE INDEX villages_status ON villages (status);

CREATE TABLE village_crafts (
    village_id INTEGER NOT NULL REFERENCES villages (id),
    craft_id   INTEGER NOT NULL REFERENCES crafts (id),
    PRIMARY KEY (village_id, craft_id)
);
CREATE INDEX village_crafts_craft ON village_crafts (craft_id);

CREATE TABLE establishments (
    id              INTEGER PRIMARY KEY,
    key             TEXT UNIQUE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    tax_code        TEXT UNIQUE,
    village_id      INTEGER REFERENCES villages (id),
    admin_unit_id   INTEGER NOT NULL REFERENCES admin_units (id),
    workers         INTEGER,
    main_products   TEXT,
    notes           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX establishments_unit ON establishments (admin_unit_id);

CREATE TABLE artisans (
    id              INTEGER PRIMARY KEY,
    key             TEXT UNIQUE,
    name            TEXT NOT NULL,
    title           TEXT NOT NULL,
    year_awarded    INTEGER,
    craft_id        INTEGER REFERENCES crafts (id),
    village_id      INTEGER REFERENCES villages (id),
    admin_unit_id   INTEGER NOT NULL REFERENCES admin_units (id),
    ethnic_group    TEXT,
    ethnic_group_folded TEXT,
    notes           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX artisans_unit ON artisans (admin_unit_id);

CREATE TABLE products (
    id              INTEGER PRIMARY KEY,
    key             TEXT UNIQUE,
    name            TEXT NOT NULL,
    producer        TEXT,
    establishment_id INTEGER REFERENCES establishments (id),
    village_id      INTEGER REFERENCES villages (id),
    admin_unit_id   INTEGER NOT NULL REFERENCES admin_units (id),
    ocop_score      REAL,
    ocop_stars      TEXT,
    ocop_year       INTEGER,
    ocop_certified_on TEXT,
    ocop_expires_on TEXT,
    ocop_doc_id     INTEGER REFERENCES legal_documents (id),
    brand           TEXT,
    collective_trademark TEXT,
    geographical_indication TEXT,
    notes           TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX products_unit ON products (admin_unit_id);

CREATE TABLE environment_assessments (
    id              INTEGER PRIMARY KEY,
    village_id      INTEGER NOT NULL REFERENCES villages (id),
    admin_unit_id   INTEGER NOT NULL REFERENCES admin_units (id),
    assessed_on     TEXT NOT NULL,
    water_samples   INTEGER,
    air_samples     INTEGER,
    classification  TEXT NOT NULL,
    document_id     INTEGER REFERENCES legal_documents (id),
    notes           TEXT,
    key             TEXT UNIQUE,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX environment_village ON environment_assessments (village_id, assessed_on);

-- One search index for every registry record: the folded text (case, diacritics
-- and đ removed by the application), ranked by FTS5's bm25 with the name
-- weighing ten times the other text.
CREATE VIRTUAL TABLE search_fts USING fts5 (
    name_folded,
    other_folded,
    kind UNINDEXED,
    entity_id UNINDEXED,
    admin_unit_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0'
);
