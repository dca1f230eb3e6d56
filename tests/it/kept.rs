//! What the server keeps under the plans' and the registry's revisions (web
//! `kept`, migrations 0014 and 0015): after every kind of change, by the API
//! or by another program writing to the database, what a reader gets equals a
//! recomputation; editing a village moves the registry's revision and not the
//! plans', and the kept figures do not change when the tables that do not
//! count are emptied; every other table has the revision's triggers on both
//! dialects, the registry's tables the registry's.

use crate::{api, lao_cai_plan};
use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use langnghe_store::revision::{Revisions, Shared, NOT_COUNTED, REGISTRY, TOKENS};
use serde_json::{json, Value};

/// What is kept from the registry (with the geography and the plans): the
/// village lists and the maps.
const FROM_THE_REGISTRY: &[&str] = &[
    "/api/v1/villages",
    "/api/v1/villages?limit=2&sort=-name",
    "/api/v1/products",
    "/api/v1/map?era=new&measure=villages",
    "/api/v1/map?era=old&measure=reporting",
];

/// Every kept figure and answer from the plans this reader can ask for: the
/// overview, the lists of programmes, reports and agencies, the to-do list,
/// and per programme its dashboard, its latest consolidation with and without
/// the units (the status, and the body as JSON where it is JSON), its
/// indicators and its printable summary.
async fn figures(c: &mut Client, programs: &[i64]) -> Vec<(String, u16, Value)> {
    let mut paths = vec!["/api/v1/dashboard".to_string()];
    for p in programs {
        paths.push(format!("/api/v1/programs/{p}/dashboard"));
        paths.push(format!("/api/v1/programs/{p}/consolidation"));
        paths.push(format!("/api/v1/programs/{p}/consolidation?units=false"));
        paths.push(format!("/api/v1/programs/{p}/indicators"));
    }
    for p in [
        "/api/v1/programs",
        "/api/v1/programs?q=316",
        "/api/v1/reports",
        "/api/v1/reports?unit=B%C3%A1t%20X%C3%A1t",
        "/api/v1/agencies?limit=100",
        "/api/v1/agencies?sort=name&limit=3",
        "/api/v1/me/todo",
    ] {
        paths.push(p.to_string());
    }
    read_all(c, paths).await
}

/// What each path answers: the status and the body (JSON where it is JSON).
async fn read_all(c: &mut Client, paths: Vec<String>) -> Vec<(String, u16, Value)> {
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
    out
}

/// Every kept figure and answer this reader can ask for, from the plans and
/// from the registry, with each programme's printable summary.
async fn everything(c: &mut Client, programs: &[i64]) -> Vec<(String, u16, Value)> {
    let mut out = figures(c, programs).await;
    out.extend(read_all(c, FROM_THE_REGISTRY.iter().map(|p| p.to_string()).collect()).await);
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
    langnghe_store::revision::both(&app.db)
        .await
        .expect("revisions")
        .0
}

async fn registry_revision(app: &TestApp) -> i64 {
    langnghe_store::revision::both(&app.db)
        .await
        .expect("revisions")
        .1
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
        kept.push(everything(c, programs).await);
    }
    assert!(
        app.state.kept.kept().0 > 0,
        "after {after}: something is kept"
    );
    app.state.kept.clear();
    for (c, k) in readers.iter_mut().zip(&kept) {
        let fresh = everything(c, programs).await;
        assert_eq!(k.len(), fresh.len());
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
    // Bát Xát's officer reads the province's plan that contains it, kept or not.
    let path = format!("/api/v1/programs/{plan}/indicators");
    assert_eq!(bx.get(&path).await.status, StatusCode::OK, "{path}");

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

    // 4. A village: the registry's daily work keeps the plans' figures, and
    //    moves what is kept from the registry.
    let before = revision(&app).await;
    let registry_before = registry_revision(&app).await;
    let villages_before = api(&mut admin, "/api/v1/villages").await["total"].clone();
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
    assert!(
        registry_revision(&app).await > registry_before,
        "a village moves the registry's revision"
    );
    let villages_after = api(&mut admin, "/api/v1/villages").await["total"].clone();
    assert_eq!(
        villages_after.as_i64(),
        villages_before.as_i64().map(|n| n + 1),
        "the kept village list was dropped"
    );
    assert_kept_is_fresh(
        &app,
        &mut [&mut admin, &mut coord, &mut bx],
        &programs,
        "a village",
    )
    .await;
    assert!(
        app.state.kept.kept_from_registry().0 > 0,
        "answers from the registry are kept"
    );

    // 5. Another program renames every village and takes the stars of an
    //    OCOP product straight in the database.
    exec(&app, "UPDATE villages SET name = name || ' (đổi tên)'").await;
    exec(&app, "UPDATE products SET ocop_stars = NULL").await;
    let renamed = assert_kept_is_fresh(
        &app,
        &mut [&mut admin, &mut coord, &mut bx],
        &programs,
        "villages renamed",
    )
    .await;
    let list = renamed
        .iter()
        .find(|(p, _, _)| p == "/api/v1/villages")
        .map(|(_, _, v)| v.to_string())
        .unwrap_or_default();
    assert!(
        list.contains("(đổi tên)"),
        "the new names are listed: {list}"
    );
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

/// The registry's revision moves with a committed change and not with a
/// rolled-back one; on PostgreSQL it moves at commit, once a transaction
/// (migration 0016), so that a registry writer does not wait for another's
/// open transaction: the second commits while the first is still open.
pub async fn registry_revision_moves_at_commit(b: Backend) {
    let app = TestApp::spawn(b).await;
    exec(
        &app,
        "INSERT INTO crafts (key, name, craft_group, created_at, updated_at) VALUES \
         ('rev-a', 'Rev A', 'other', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), \
         ('rev-b', 'Rev B', 'other', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    )
    .await;
    // A change to one craft inside an open transaction, on either dialect.
    macro_rules! touch {
        ($tx:expr, $key:literal) => {
            sqlx::query(concat!(
                "UPDATE crafts SET name = name WHERE key = '",
                $key,
                "'"
            ))
            .execute(&mut *$tx)
            .await
            .expect("touch")
        };
    }
    match &app.db {
        langnghe_store::Db::Sqlite(_, w) => {
            let r0 = registry_revision(&app).await;
            let mut tx = w.begin().await.expect("begin");
            touch!(tx, "rev-a");
            tx.rollback().await.expect("rollback");
            assert_eq!(registry_revision(&app).await, r0, "rolled back: not moved");
            let mut tx = w.begin().await.expect("begin");
            touch!(tx, "rev-a");
            tx.commit().await.expect("commit");
            assert!(registry_revision(&app).await > r0, "committed: moved");
        }
        langnghe_store::Db::Pg(pool) => {
            let r0 = registry_revision(&app).await;
            let mut tx = pool.begin().await.expect("begin");
            touch!(tx, "rev-a");
            tx.rollback().await.expect("rollback");
            assert_eq!(registry_revision(&app).await, r0, "rolled back: not moved");

            // The first writer changes twice and stays open.
            let mut first = pool.begin().await.expect("begin");
            touch!(first, "rev-a");
            touch!(first, "rev-a");
            assert_eq!(
                registry_revision(&app).await,
                r0,
                "not committed: not moved"
            );
            // The second does not wait for it.
            let second = async {
                let mut tx = pool.begin().await.expect("begin");
                touch!(tx, "rev-b");
                tx.commit().await.expect("commit");
            };
            tokio::time::timeout(std::time::Duration::from_secs(5), second)
                .await
                .expect("the second writer waited for the first's open transaction");
            assert_eq!(
                registry_revision(&app).await,
                r0 + 1,
                "the second committed"
            );
            first.commit().await.expect("commit");
            assert_eq!(
                registry_revision(&app).await,
                r0 + 2,
                "the first committed: moved once for its two statements"
            );
            let notes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM revision_moves")
                .fetch_one(pool)
                .await
                .expect("notes");
            assert_eq!(notes, 0, "every note removed at its commit");
        }
    }
}

/// Every table but the uncounted ones moves the plans' revision, on both
/// dialects; the uncounted ones do not; the registry's tables, and only they,
/// move the registry's.
pub async fn every_counted_table_moves_the_plans_revision(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (tables, plans) = triggers(&app, b, "plans").await;
    let (_, registry) = triggers(&app, b, "registry").await;
    let (_, tokens) = triggers(&app, b, "tokens").await;
    let events = |triggered: &[(String, String)], table: &str| -> Vec<String> {
        let mut e: Vec<String> = triggered
            .iter()
            .filter(|(t, _)| t == table)
            .map(|(_, e)| e.trim().to_string())
            .collect();
        e.sort();
        e
    };
    let all = ["DELETE", "INSERT", "UPDATE"];
    let none = Vec::<String>::new();
    let mut counted = 0;
    for t in &tables {
        // SQLite's full-text index keeps its own shadow tables.
        // PostgreSQL's notes of a moved revision live only until their commit (0016).
        if t == "_sqlx_migrations"
            || t == "data_revisions"
            || t == "revision_moves"
            || t.starts_with("search_fts_")
        {
            continue;
        }
        if NOT_COUNTED.contains(&t.as_str()) {
            assert_eq!(events(&plans, t), none, "{t} does not count");
        } else {
            assert_eq!(events(&plans, t), all, "{t}");
            counted += 1;
        }
        if REGISTRY.contains(&t.as_str()) {
            assert_eq!(events(&registry, t), all, "{t} is the registry's");
        } else {
            assert_eq!(events(&registry, t), none, "{t} is not the registry's");
        }
        if TOKENS.contains(&t.as_str()) {
            assert_eq!(events(&tokens, t), all, "{t} moves the tokens'");
        } else {
            assert_eq!(events(&tokens, t), none, "{t} does not move the tokens'");
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
    for t in REGISTRY {
        assert!(
            NOT_COUNTED.contains(t),
            "{t}: the registry does not move the plans"
        );
    }
    // And they move: a change to one table, in its transaction.
    let before = revision(&app).await;
    let registry_before = registry_revision(&app).await;
    exec(&app, "UPDATE programs SET title = title").await;
    assert!(revision(&app).await > before);
    assert_eq!(registry_revision(&app).await, registry_before);
    exec(&app, "UPDATE crafts SET name = name").await;
    assert!(registry_revision(&app).await > registry_before);
}

/// The tables of the schema, and (table, event) of each trigger that moves
/// `area`'s revision.
async fn triggers(app: &TestApp, b: Backend, area: &str) -> (Vec<String>, Vec<(String, String)>) {
    match b {
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
                 WHERE type = 'trigger' \
                 AND sql LIKE '%UPDATE data_revisions SET n = n + 1 WHERE area = ''' || $1 || '''%' \
                 ORDER BY 1, 2",
            )
            .bind(area)
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
                 WHERE action_statement = 'EXECUTE FUNCTION ' || $1 || '_revision_moves()' \
                 AND action_timing = 'BEFORE' AND action_orientation = 'STATEMENT' \
                 ORDER BY 1, 2",
            )
            .bind(area)
            .fetch_all(c)
            .await
            .expect("triggers");
            (t, g)
        }),
    }
}

async fn revisions(app: &TestApp) -> Revisions {
    langnghe_store::revision::all(&app.db)
        .await
        .expect("revisions")
}

/// What a token lets in is kept under the tokens' and the plans' revisions
/// (web `tokens`, migration 0017): a token's time of use keeps it; an
/// account changed or a token revoked by another program writing to the
/// database is seen by the next request.
pub async fn tokens_are_kept_under_their_revisions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = langnghe_store::users::by_username(&app.db, "admin")
        .await
        .expect("q")
        .expect("admin");
    let actor = langnghe_store::audit::Actor::system("test");
    let token = langnghe_store::users::create_token(&app.db, &actor, admin.id, "t")
        .await
        .expect("token");
    let other = langnghe_store::users::create_token(&app.db, &actor, admin.id, "u")
        .await
        .expect("token");
    let mut c = app.client();
    c.bearer = Some(token);
    let me = c.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json()["lang"], "vi");
    assert_eq!(app.state.tokens.len(), 1, "kept");
    let mut w = app.client();
    w.bearer = Some("not-a-token".into());
    assert_eq!(w.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.state.tokens.len(), 1, "a wrong token is not kept");

    // The time of use is written without moving a revision: still kept.
    let before = revisions(&app).await;
    app.state.flush_usage().await.expect("flush");
    assert_eq!(revisions(&app).await, before, "use moves nothing");
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::OK);
    assert_eq!(app.state.tokens.len(), 1);

    // The account changed by another program: the next request sees it.
    exec(
        &app,
        "UPDATE users SET lang = 'en', version = version + 1 WHERE username = 'admin'",
    )
    .await;
    let after = revisions(&app).await;
    assert!(after.plans > before.plans, "an account moves the plans'");
    let me = c.get("/api/v1/me").await;
    assert_eq!(me.json()["lang"], "en", "{}", me.body);

    // Another token of the account revoked: only the tokens' revision moves;
    // this token still lets in, that one no longer.
    let mut o = app.client();
    o.bearer = Some(other.clone());
    assert_eq!(o.get("/api/v1/me").await.status, StatusCode::OK);
    assert_eq!(app.state.tokens.len(), 2);
    let hash = langnghe_store::users::token_hash(&other);
    exec(
        &app,
        &format!(
            "UPDATE api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE token_hash = '{hash}'"
        ),
    )
    .await;
    let revoked = revisions(&app).await;
    assert!(
        revoked.tokens > after.tokens,
        "a revoked token moves the tokens'"
    );
    assert_eq!(
        (revoked.plans, revoked.registry),
        (after.plans, after.registry)
    );
    assert_eq!(o.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::OK);
    assert_eq!(app.state.tokens.len(), 1, "the revoked token is not kept");

    // The account deactivated by another program: refused.
    exec(
        &app,
        "UPDATE users SET active = FALSE, version = version + 1 WHERE username = 'admin'",
    )
    .await;
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

/// Requests that ask for the revisions at the same time share one read
/// (store `revision::Shared`), and each still gets revisions at least as new
/// as every change committed before it asked.
pub async fn revisions_are_read_once_for_requests_at_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let shared = Shared::default();
    let mut made = 0;
    for round in 0..10 {
        exec(&app, "UPDATE programs SET title = title").await;
        exec(&app, "UPDATE crafts SET name = name").await;
        let committed = revisions(&app).await;
        let reads = shared.reads();
        let got = futures_util::future::join_all((0..20).map(|_| shared.read(&app.db))).await;
        for r in got {
            let r = r.expect("read");
            assert!(
                r.plans >= committed.plans && r.registry >= committed.registry,
                "round {round}: {r:?} older than {committed:?}"
            );
        }
        assert!(shared.reads() > reads, "round {round}: read");
        made += shared.reads() - reads;
    }
    // Two reads a round when every caller asks in the first poll; tokio's
    // budget a poll may leave some callers to the next read.
    assert!(made <= 100, "200 callers, 20 at once: {made} reads");
    // One after another: a read each, each after the change before it.
    for _ in 0..3 {
        exec(&app, "UPDATE programs SET title = title").await;
        let committed = revisions(&app).await;
        let reads = shared.reads();
        assert_eq!(shared.read(&app.db).await.expect("read"), committed);
        assert_eq!(shared.reads(), reads + 1);
    }
    // Through the server: requests at once share reads.
    let admin = langnghe_store::users::by_username(&app.db, "admin")
        .await
        .expect("q")
        .expect("admin");
    let token = langnghe_store::users::create_token(
        &app.db,
        &langnghe_store::audit::Actor::system("test"),
        admin.id,
        "t",
    )
    .await
    .expect("token");
    let reads = app.state.kept.revision_reads();
    let mut clients: Vec<Client> = (0..16)
        .map(|_| {
            let mut c = app.client();
            c.bearer = Some(token.clone());
            c
        })
        .collect();
    let answers =
        futures_util::future::join_all(clients.iter_mut().map(|c| c.get("/api/v1/me"))).await;
    for a in answers {
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    }
    let made = app.state.kept.revision_reads() - reads;
    assert!((1..16).contains(&made), "16 requests at once, {made} reads");
}
