//! The plans' figures kept under the plans' revision (web `kept`, migration
//! 0014): after every kind of change, by the API or by another program writing
//! to the database, what a reader gets equals a recomputation; editing a
//! village does not move the revision, and the kept figures do not change when
//! the tables that do not count are emptied; every other table has the
//! revision's triggers on both dialects.

use crate::{api, lao_cai_plan};
use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use langnghe_store::revision::NOT_COUNTED;
use serde_json::{json, Value};

/// Every kept figure this reader can ask for: the overview, and per programme
/// its dashboard, its latest consolidation with and without the units (the
/// status, and the body as JSON where it is JSON) and its printable summary.
async fn figures(c: &mut Client, programs: &[i64]) -> Vec<(String, u16, Value)> {
    let mut paths = vec!["/api/v1/dashboard".to_string()];
    for p in programs {
        paths.push(format!("/api/v1/programs/{p}/dashboard"));
        paths.push(format!("/api/v1/programs/{p}/consolidation"));
        paths.push(format!("/api/v1/programs/{p}/consolidation?units=false"));
    }
    let mut out = vec![];
    for path in paths {
        let r = c.get(&path).await;
        assert!(
            r.status != StatusCode::INTERNAL_SERVER_ERROR,
            "{path}: {}",
            r.body
        );
        let mut body = serde_json::from_str(&r.body).unwrap_or(Value::String(r.body.clone()));
        // An error names its request: not a figure.
        if let Some(e) = body.get_mut("error").and_then(Value::as_object_mut) {
            e.remove("request_id");
        }
        out.push((path, r.status.as_u16(), body));
    }
    // The printable summary: the same document bytes for the same model.
    for p in programs {
        let path = format!("/api/v1/programs/{p}/summary.pdf");
        let f = c.get_file(&path).await;
        let mut h = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&f.bytes, &mut h);
        let digest = Value::String(format!(
            "{} bytes, {:x}",
            f.bytes.len(),
            std::hash::Hasher::finish(&h)
        ));
        out.push((path, f.status.as_u16(), digest));
    }
    out
}

async fn revision(app: &TestApp) -> i64 {
    langnghe_store::revision::plans(&app.db)
        .await
        .expect("revision")
}

async fn exec(app: &TestApp, sql: &str) {
    langnghe_store::with_db!(&app.db, |c| sqlx::query(sql)
        .execute(c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .rows_affected());
}

/// What each reader gets now (kept where it was kept) equals a recomputation.
/// Returns the admin's figures.
async fn assert_kept_is_fresh(
    app: &TestApp,
    readers: &mut [&mut Client],
    programs: &[i64],
    after: &str,
) -> Vec<(String, u16, Value)> {
    let mut kept = vec![];
    for c in readers.iter_mut() {
        kept.push(figures(c, programs).await);
    }
    assert!(
        app.state.kept.kept().0 > 0,
        "after {after}: something is kept"
    );
    app.state.kept.clear();
    for (c, k) in readers.iter_mut().zip(&kept) {
        let fresh = figures(c, programs).await;
        for (a, b) in k.iter().zip(&fresh) {
            assert_eq!(a, b, "after {after}: kept and recomputed differ");
        }
    }
    kept.swap_remove(0)
}

pub async fn kept_figures_equal_a_recomputation_after_every_change(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let mut bx = app
        .user("bat.xat", "officer", "lc-ubnd-bat-xat", "082")
        .await;
    let plan = lao_cai_plan(&mut coord).await;
    let programs = vec![plan];

    // Warm, then change, then compare; each step's change must move the
    // revision (or, for a village, must not).
    let start = assert_kept_is_fresh(
        &app,
        &mut [&mut admin, &mut coord, &mut bx],
        &programs,
        "start",
    )
    .await;
    let r0 = revision(&app).await;

    // 1. A period opened (late, confirmed).
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{plan}/periods"),
            json!({"kind": "first_half", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r1 = revision(&app).await;
    assert!(r1 > r0, "opening a period moves the revision");
    let opened = assert_kept_is_fresh(
        &app,
        &mut [&mut admin, &mut coord, &mut bx],
        &programs,
        "a period",
    )
    .await;
    assert_ne!(start, opened, "the consolidation now has a period");

    // 2. Bát Xát's report filled in, submitted and approved.
    let list = api(&mut bx, "/api/v1/reports").await;
    let rid = list["items"][0]["id"].as_i64().expect("report");
    let rep = api(&mut bx, &format!("/api/v1/reports/{rid}")).await;
    let line = rep["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["indicator_code"] == "I.2.1" && l["category"] == "")
        .and_then(|l| l["id"].as_i64())
        .expect("line I.2.1");
    let r = bx
        .json(
            Method::PUT,
            &format!("/api/v1/reports/{rid}"),
            json!({"version": rep["version"], "lines": [{"id": line, "value": "7"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_kept_is_fresh(
        &app,
        &mut [&mut admin, &mut coord, &mut bx],
        &programs,
        "a draft",
    )
    .await;
    for (who, action) in [("bx", "submit"), ("coord", "approve")] {
        let c = if who == "bx" { &mut bx } else { &mut coord };
        let r = c
            .json(
                Method::POST,
                &format!("/api/v1/reports/{rid}/{action}"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
    }
    let approved = assert_kept_is_fresh(
        &app,
        &mut [&mut admin, &mut coord, &mut bx],
        &programs,
        "an approval",
    )
    .await;
    assert_ne!(opened, approved, "the approval moves the figures");

    // 3. Another program renames the agency and changes a target straight in
    //    the database: the triggers see it as they see the server's writes.
    exec(
        &app,
        "UPDATE agencies SET name = name || ' (đổi tên)' WHERE key = 'lc-ubnd-bat-xat'",
    )
    .await;
    let renamed = assert_kept_is_fresh(
        &app,
        &mut [&mut admin, &mut coord, &mut bx],
        &programs,
        "a rename",
    )
    .await;
    assert!(
        serde_json::to_string(&renamed)
            .unwrap_or_default()
            .contains("(đổi tên)"),
        "the new name is shown"
    );
    exec(
        &app,
        "UPDATE targets SET value = value * 2 WHERE value IS NOT NULL",
    )
    .await;
    let doubled = assert_kept_is_fresh(
        &app,
        &mut [&mut admin, &mut coord, &mut bx],
        &programs,
        "targets",
    )
    .await;
    assert_ne!(renamed, doubled, "the targets move the achievement");

    // 4. A village: the registry's daily work keeps the plans' figures.
    let before = revision(&app).await;
    let r = admin
        .json(
            Method::POST,
            "/api/v1/villages",
            json!({"name": "Làng nghề thử số liệu giữ", "admin_unit_code": "02701",
                   "admin_unit_as_of": "2017-01-01", "status": "new"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(revision(&app).await, before, "a village keeps the revision");
    assert_kept_is_fresh(
        &app,
        &mut [&mut admin, &mut coord, &mut bx],
        &programs,
        "a village",
    )
    .await;
    app.assert_totals_kept().await;
}

/// The tables that do not move the revision, emptied behind the server's back
/// (renamed away, an empty copy in their place): every kept figure stays what
/// it was, while the overview's registry counts, read live, go to zero.
/// Sessions and API tokens stay: the readers need them to be let in.
pub async fn kept_figures_do_not_read_the_tables_that_do_not_count(b: Backend) {
    let app = TestApp::spawn(b).await;
    crate::demo_history::start_demo(&app).await;
    let mut admin = app.admin().await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let plan = lao_cai_plan(&mut coord).await;
    let programs = vec![plan];
    let before = figures(&mut admin, &programs).await;
    let coord_before = figures(&mut coord, &programs).await;
    let villages = |f: &[(String, u16, Value)]| f[0].2["villages"].clone();
    assert_ne!(villages(&before), json!([]), "the demo has villages");
    for t in NOT_COUNTED {
        let other_dialect = match b {
            Backend::Sqlite => "search_index",
            Backend::Postgres => "search_fts",
        };
        if matches!(*t, "sessions" | "api_tokens") || *t == other_dialect {
            continue;
        }
        exec(&app, &format!("ALTER TABLE {t} RENAME TO hidden_{t}")).await;
        exec(
            &app,
            &format!("CREATE TABLE {t} AS SELECT * FROM hidden_{t} WHERE 1 = 0"),
        )
        .await;
    }
    app.state.kept.clear();
    for (c, was) in [(&mut admin, &before), (&mut coord, &coord_before)] {
        let now = figures(c, &programs).await;
        assert_eq!(now[0].2["villages"], json!([]), "the registry is empty now");
        assert_eq!(now[0].2["programs"], was[0].2["programs"], "overview");
        for (a, b) in was[1..].iter().zip(&now[1..]) {
            assert_eq!(a, b, "{}", a.0);
        }
    }
}

/// Every table but the uncounted ones moves the revision, on both dialects;
/// the uncounted ones do not.
pub async fn every_counted_table_moves_the_plans_revision(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (tables, triggered): (Vec<String>, Vec<(String, String)>) = match b {
        Backend::Sqlite => langnghe_store::with_db!(&app.db, |c| {
            let t = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .fetch_all(c)
            .await
            .expect("tables");
            let g = sqlx::query_as(
                "SELECT tbl_name, upper(substr(sql, instr(sql, 'AFTER ') + 6, 6)) FROM sqlite_master \
                 WHERE type = 'trigger' AND sql LIKE '%UPDATE data_revisions SET n = n + 1%' \
                 ORDER BY 1, 2",
            )
            .fetch_all(c)
            .await
            .expect("triggers");
            (t, g)
        }),
        Backend::Postgres => langnghe_store::with_db!(&app.db, |c| {
            let t = sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
            )
            .fetch_all(c)
            .await
            .expect("tables");
            let g = sqlx::query_as(
                "SELECT event_object_table::text, event_manipulation::text \
                 FROM information_schema.triggers \
                 WHERE action_statement = 'EXECUTE FUNCTION plans_revision_moves()' \
                 AND action_timing = 'BEFORE' AND action_orientation = 'STATEMENT' \
                 ORDER BY 1, 2",
            )
            .fetch_all(c)
            .await
            .expect("triggers");
            (t, g)
        }),
    };
    let events = |table: &str| -> Vec<String> {
        let mut e: Vec<String> = triggered
            .iter()
            .filter(|(t, _)| t == table)
            .map(|(_, e)| e.trim().to_string())
            .collect();
        e.sort();
        e
    };
    let mut counted = 0;
    for t in &tables {
        // SQLite's full-text index keeps its own shadow tables.
        if t == "_sqlx_migrations" || t == "data_revisions" || t.starts_with("search_fts_") {
            continue;
        }
        if NOT_COUNTED.contains(&t.as_str()) {
            assert_eq!(events(t), Vec::<String>::new(), "{t} does not count");
        } else {
            assert_eq!(events(t), ["DELETE", "INSERT", "UPDATE"], "{t}");
            counted += 1;
        }
    }
    assert!(counted >= 36, "{counted} tables counted");
    for t in NOT_COUNTED {
        let here = match b {
            Backend::Sqlite => *t != "search_index",
            Backend::Postgres => *t != "search_fts",
        };
        assert_eq!(tables.iter().any(|x| x == t), here, "{t} is a table here");
    }
    // And it moves: a change to one counted table, in its transaction.
    let before = revision(&app).await;
    exec(&app, "UPDATE programs SET title = title").await;
    assert!(revision(&app).await > before);
}
