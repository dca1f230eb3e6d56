//! Both schemas proven equal: an empty SQLite and an empty PostgreSQL database,
//! each migrated by the store, described in the same words — tables, columns
//! (normalised type, nullability, default, primary key), indexes (columns,
//! uniqueness) and foreign keys — and compared. Every difference fails the test
//! by its name, except the few that are the design (listed with their reason).

use langnghe_store::Db;
use sqlx::Row;
use std::collections::BTreeSet;

/// Differences that are deliberate: (the line, why).
const BY_DESIGN: &[(&str, &str)] = &[
    // Full-text search: SQLite's FTS5 virtual table (and its shadow tables) is
    // PostgreSQL's `search_entries.document` tsvector with a GIN index.
    ("sqlite only: table search_fts", "FTS5 virtual table"),
    ("sqlite only: table search_fts_config", "FTS5 shadow table"),
    ("sqlite only: table search_fts_data", "FTS5 shadow table"),
    ("sqlite only: table search_fts_docsize", "FTS5 shadow table"),
    ("sqlite only: table search_fts_idx", "FTS5 shadow table"),
    ("sqlite only: table search_fts_content", "FTS5 shadow table"),
    (
        "postgres only: table search_index",
        "the search entries with their tsvector",
    ),
    (
        "postgres only: column search_index.admin_unit_id integer null default=none",
        "search entry",
    ),
    (
        "postgres only: column search_index.doc tsvector null default=none",
        "search entry",
    ),
    (
        "postgres only: column search_index.entity_id integer not null default=none pk",
        "search entry",
    ),
    (
        "postgres only: column search_index.kind text not null default=none pk",
        "search entry",
    ),
    (
        "postgres only: column search_index.name_folded text not null default=none",
        "search entry",
    ),
    (
        "postgres only: column search_index.other_folded text not null default=none",
        "search entry",
    ),
    (
        "postgres only: index search_index(admin_unit_id)",
        "search entry",
    ),
    (
        "postgres only: index search_index(doc)",
        "the GIN index of the tsvector",
    ),
    // PostgreSQL moves the registry's revision at commit, from a note a
    // transaction leaves here (migration 0016); SQLite has one writer at a
    // time and moves it in the statement.
    (
        "postgres only: table revision_moves",
        "a moved revision's note until its commit",
    ),
    (
        "postgres only: column revision_moves.area text not null default=none pk",
        "a moved revision's note",
    ),
    (
        "postgres only: column revision_moves.tx integer not null default=none pk",
        "a moved revision's note",
    ),
];

/// A type as both stores hold it: SQLite keeps dates and times as TEXT.
fn norm_type(t: &str) -> &'static str {
    let t = t.to_ascii_lowercase();
    match t.as_str() {
        "integer" | "bigint" | "int8" | "int" | "int4" | "smallint" => "integer",
        "real" | "double precision" | "float8" | "double" => "real",
        "boolean" | "bool" => "boolean",
        "blob" | "bytea" => "blob",
        "tsvector" => "tsvector",
        "text"
        | "date"
        | "timestamp with time zone"
        | "timestamptz"
        | "character varying"
        | "varchar" => "text",
        _ => "other",
    }
}

/// A default as both stores print it: `'draft'::text` → `'draft'`, TRUE → 1.
fn norm_default(d: Option<String>) -> String {
    let Some(d) = d else {
        return "none".into();
    };
    let d = d.trim().trim_start_matches('(').trim_end_matches(')');
    let d = match d.split_once("::") {
        Some((v, _)) => v,
        None => d,
    };
    match d.to_ascii_lowercase().as_str() {
        "true" => "1".into(),
        "false" => "0".into(),
        _ => d.to_string(),
    }
}

async fn sqlite_schema(db: &Db) -> BTreeSet<String> {
    let Db::Sqlite(pool, _) = db else {
        panic!("a SQLite store")
    };
    let mut out = BTreeSet::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '\\_sqlx%' ESCAPE '\\' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    for t in &tables {
        out.insert(format!("table {t}"));
        if t.starts_with("search_fts") {
            continue;
        }
        let cols = sqlx::query(&format!(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{t}')"
        ))
        .fetch_all(pool)
        .await
        .expect("columns");
        for c in cols {
            let name: String = c.get("name");
            let ty: String = c.get("type");
            let notnull: i64 = c.get("notnull");
            let pk: i64 = c.get("pk");
            let dflt: Option<String> = c.get("dflt_value");
            out.insert(format!(
                "column {t}.{name} {} {} default={}{}",
                norm_type(&ty),
                // A primary key is never NULL, whatever SQLite's flag says.
                if notnull == 1 || pk > 0 {
                    "not null"
                } else {
                    "null"
                },
                norm_default(dflt),
                if pk > 0 { " pk" } else { "" }
            ));
        }
        let idx = sqlx::query(&format!(
            "SELECT name, \"unique\", origin FROM pragma_index_list('{t}')"
        ))
        .fetch_all(pool)
        .await
        .expect("indexes");
        for i in idx {
            let name: String = i.get("name");
            let unique: i64 = i.get("unique");
            let origin: String = i.get("origin");
            if origin == "pk" {
                continue;
            }
            // An expression's column has no name (cid -2).
            let cols: Vec<Option<String>> = sqlx::query_scalar(&format!(
                "SELECT name FROM pragma_index_info('{name}') ORDER BY seqno"
            ))
            .fetch_all(pool)
            .await
            .expect("index columns");
            out.insert(if cols.iter().any(Option::is_none) {
                format!("expression index {name} on {t}")
            } else {
                format!(
                    "index {t}({}){}",
                    cols.into_iter().flatten().collect::<Vec<_>>().join(","),
                    if unique == 1 { " unique" } else { "" }
                )
            });
        }
        let fks = sqlx::query(&format!(
            "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('{t}')"
        ))
        .fetch_all(pool)
        .await
        .expect("foreign keys");
        for f in fks {
            let to_table: String = f.get("table");
            let from: String = f.get("from");
            let to: Option<String> = f.get("to");
            out.insert(format!(
                "fk {t}.{from} -> {to_table}.{}",
                to.unwrap_or_else(|| "id".into())
            ));
        }
    }
    out
}

async fn pg_schema(db: &Db) -> BTreeSet<String> {
    let Db::Pg(pool) = db else {
        panic!("a PostgreSQL store")
    };
    let mut out = BTreeSet::new();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_sqlx%' \
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let pk_cols: BTreeSet<(String, String)> = sqlx::query(
        "SELECT tc.table_name::text AS t, kcu.column_name::text AS c \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage kcu \
           ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
         WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY'",
    )
    .fetch_all(pool)
    .await
    .expect("primary keys")
    .into_iter()
    .map(|r| (r.get("t"), r.get("c")))
    .collect();
    for t in &tables {
        out.insert(format!("table {t}"));
        let cols = sqlx::query(
            "SELECT column_name::text AS name, data_type::text AS ty, is_nullable::text AS nullable, \
             column_default::text AS dflt FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1",
        )
        .bind(t)
        .fetch_all(pool)
        .await
        .expect("columns");
        for c in cols {
            let name: String = c.get("name");
            let ty: String = c.get("ty");
            let nullable: String = c.get("nullable");
            let dflt: Option<String> = c.get("dflt");
            let pk = pk_cols.contains(&(t.clone(), name.clone()));
            out.insert(format!(
                "column {t}.{name} {} {} default={}{}",
                norm_type(&ty),
                if nullable == "NO" { "not null" } else { "null" },
                norm_default(dflt),
                if pk { " pk" } else { "" }
            ));
        }
        // Indexes other than the primary key's, with their columns in order.
        let idx = sqlx::query(
            "SELECT i.relname::text AS name, ix.indisunique AS uniq, \
                    array_to_string(ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(n, o) \
                        JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.o), ',') AS cols, \
                    ix.indexprs IS NOT NULL AS expr \
             FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relname = $1 AND NOT ix.indisprimary",
        )
        .bind(t)
        .fetch_all(pool)
        .await
        .expect("indexes");
        for i in idx {
            let unique: bool = i.get("uniq");
            let cols: String = i.get("cols");
            let expr: bool = i.get("expr");
            let name: String = i.get("name");
            out.insert(if expr {
                format!("expression index {name} on {t}")
            } else {
                format!("index {t}({cols}){}", if unique { " unique" } else { "" })
            });
        }
        let fks = sqlx::query(
            "SELECT a.attname::text AS from_col, cf.relname::text AS to_table, af.attname::text AS to_col \
             FROM pg_constraint con \
             JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_class cf ON cf.oid = con.confrelid \
             JOIN unnest(con.conkey) WITH ORDINALITY AS k(n, o) ON TRUE \
             JOIN unnest(con.confkey) WITH ORDINALITY AS kf(n, o) ON kf.o = k.o \
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n \
             JOIN pg_attribute af ON af.attrelid = con.confrelid AND af.attnum = kf.n \
             WHERE con.contype = 'f' AND n.nspname = 'public' AND c.relname = $1",
        )
        .bind(t)
        .fetch_all(pool)
        .await
        .expect("foreign keys");
        for f in fks {
            let from: String = f.get("from_col");
            let to_table: String = f.get("to_table");
            let to: String = f.get("to_col");
            out.insert(format!("fk {t}.{from} -> {to_table}.{to}"));
        }
    }
    out
}

/// Migrate an empty database of each store and compare the descriptions.
pub async fn both_schemas_are_equal() {
    let dir =
        std::env::temp_dir().join(format!("langnghe-schema-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let lite = Db::open_sqlite(&dir.join("schema.sqlite"))
        .await
        .expect("open SQLite");
    lite.migrate().await.expect("migrate SQLite");
    let name = format!("langnghe_schema_{}", uuid::Uuid::new_v4().simple());
    let admin = Db::connect(&langnghe_it::pg_admin_url())
        .await
        .expect("PostgreSQL (scripts/test skips this test when there is none)");
    let Db::Pg(admin_pool) = &admin else {
        panic!("PostgreSQL")
    };
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(admin_pool)
        .await
        .expect("create database");
    let pg = Db::connect(&langnghe_it::pg_url_for(&name))
        .await
        .expect("connect");
    let result = async {
        pg.migrate().await.expect("migrate PostgreSQL");
        let described = (sqlite_schema(&lite).await, pg_schema(&pg).await);
        // The comparison can fail: a column on one side only is seen.
        if let Db::Sqlite(_, w) = &lite {
            sqlx::query("ALTER TABLE agencies ADD COLUMN probe TEXT")
                .execute(w)
                .await
                .expect("probe column");
        }
        let probed = sqlite_schema(&lite).await;
        assert!(
            probed.contains("column agencies.probe text null default=none")
                && !described
                    .1
                    .contains("column agencies.probe text null default=none"),
            "the probe column is described"
        );
        described
    }
    .await;
    pg.close().await;
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(admin_pool)
        .await;
    admin.close().await;
    lite.close().await;
    let _ = std::fs::remove_dir_all(&dir);

    let (s, p) = result;
    assert!(
        s.len() > 100 && p.len() > 100,
        "both described: {} / {}",
        s.len(),
        p.len()
    );
    let mut diffs: Vec<String> = s
        .difference(&p)
        .map(|d| format!("sqlite only: {d}"))
        .chain(p.difference(&s).map(|d| format!("postgres only: {d}")))
        .collect();
    // An exception that no longer happens is stale: it must go.
    for (k, why) in BY_DESIGN {
        assert!(diffs.iter().any(|d| d == k), "stale exception ({why}): {k}");
    }
    diffs.retain(|d| !BY_DESIGN.iter().any(|(k, _)| k == d));
    assert!(
        diffs.is_empty(),
        "the schemas differ ({} differences):\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

/// The store's PostgreSQL sessions assume SSD-like storage and no parallel query
/// where the server kept the defaults (4; two workers a gather), and keep an
/// administrator's own values.
pub async fn pg_sessions_are_tuned_for_short_reads() {
    use sqlx::Connection;
    const SETTINGS: &str = "SELECT current_setting('random_page_cost'), \
                            current_setting('max_parallel_workers_per_gather')";
    let url = langnghe_it::pg_admin_url();
    let mut plain = sqlx::PgConnection::connect(&url)
        .await
        .expect("PostgreSQL (scripts/test skips this test when there is none)");
    let server: (String, String) = sqlx::query_as(SETTINGS)
        .fetch_one(&mut plain)
        .await
        .expect("server settings");
    plain.close().await.expect("close");
    let db = Db::connect(&url).await.expect("connect");
    let Db::Pg(pool) = &db else {
        panic!("PostgreSQL")
    };
    let session: (String, String) = sqlx::query_as(SETTINGS)
        .fetch_one(pool)
        .await
        .expect("session settings");
    db.close().await;
    let want_cost = if server.0 == "4" {
        "1.1"
    } else {
        server.0.as_str()
    };
    let want_workers = if server.1 == "2" {
        "0"
    } else {
        server.1.as_str()
    };
    assert_eq!(
        (session.0.as_str(), session.1.as_str()),
        (want_cost, want_workers),
        "server {server:?}"
    );
}
