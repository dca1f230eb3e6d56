//! The scenarios, each run against a fresh store of the given backend.

use crate::{api, names};
use http::{Method, StatusCode};
use langnghe_it::{Backend, TestApp};
use langnghe_store::{geo, seed, users};
use serde_json::{json, Value};
use unicode_normalization::UnicodeNormalization;

fn d(s: &str) -> time::Date {
    langnghe_core::vnfmt::parse_date(s).expect("date")
}

pub async fn geography_counts_and_codes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = app.client();
    let count = |v: &Value| v["total"].as_i64().expect("total");
    let old = "as_of=2017-01-01";
    assert_eq!(
        count(
            &api(
                &mut c,
                &format!("/api/v1/admin-units?level=province&{old}&limit=1")
            )
            .await
        ),
        63
    );
    assert_eq!(
        count(
            &api(
                &mut c,
                &format!("/api/v1/admin-units?level=district&{old}&limit=1")
            )
            .await
        ),
        696
    );
    assert_eq!(
        count(
            &api(
                &mut c,
                &format!("/api/v1/admin-units?level=commune&{old}&limit=1")
            )
            .await
        ),
        10_035
    );
    assert_eq!(
        count(
            &api(
                &mut c,
                "/api/v1/admin-units?level=province&as_of=2026-01-01&limit=1"
            )
            .await
        ),
        34
    );
    assert_eq!(
        count(
            &api(
                &mut c,
                "/api/v1/admin-units?level=commune&as_of=2026-01-01&limit=1"
            )
            .await
        ),
        3_321
    );
    assert_eq!(
        count(
            &api(
                &mut c,
                "/api/v1/admin-units?level=district&as_of=2026-01-01&limit=1"
            )
            .await
        ),
        0
    );

    let hn = api(&mut c, "/api/v1/admin-units/01?as_of=2017-01-01").await;
    assert_eq!(hn["name"], "Thành phố Hà Nội");
    assert_eq!(hn["type"], "thành phố");
    assert_eq!(hn["valid_to"], "2025-06-30");
    let lc = api(&mut c, "/api/v1/admin-units/10?as_of=2017-01-01").await;
    assert_eq!(lc["name"], "Tỉnh Lào Cai");
    let bx = api(&mut c, "/api/v1/admin-units/082?as_of=2017-01-01").await;
    assert_eq!(bx["name"], "Huyện Bát Xát");
    assert_eq!(bx["parent_code"], "10");
    assert_eq!(bx["level"], "district");
    // The children of old Lào Cai: its 9 district-level units.
    let kids = api(&mut c, "/api/v1/admin-units?parent=10&as_of=2017-01-01").await;
    assert_eq!(count(&kids), 9, "{kids}");
    // Xã Bát Tràng, Huyện Gia Lâm (old) maps to the new Xã Bát Tràng.
    let bt = api(&mut c, "/api/v1/admin-units/00583?as_of=2017-01-01").await;
    assert_eq!(bt["name"], "Xã Bát Tràng");
    assert_eq!(bt["parent_code"], "018");
    let succ: Vec<&str> = bt["successors"]
        .as_array()
        .expect("successors")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or(""))
        .collect();
    assert!(succ.contains(&"Xã Bát Tràng"), "{succ:?}");
    let new_bt = bt["successors"]
        .as_array()
        .expect("s")
        .iter()
        .find(|s| s["name"] == "Xã Bát Tràng")
        .expect("new Bát Tràng")
        .clone();
    assert_eq!(new_bt["code"], "00577");
    assert_eq!(new_bt["valid_from"], "2025-07-01");
    let preds = api(&mut c, "/api/v1/admin-units/00577").await;
    assert!(preds["predecessors"]
        .as_array()
        .expect("p")
        .iter()
        .any(|p| p["code"] == "00583"));
}

pub async fn codes_resolve_by_date(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = app.client();
    // "15" was Yên Bái and is now the new Lào Cai.
    assert_eq!(
        api(&mut c, "/api/v1/admin-units/15?as_of=2017-01-01").await["name"],
        "Tỉnh Yên Bái"
    );
    assert_eq!(
        api(&mut c, "/api/v1/admin-units/15?as_of=30/6/2025").await["name"],
        "Tỉnh Yên Bái"
    );
    assert_eq!(
        api(&mut c, "/api/v1/admin-units/15?as_of=2025-07-01").await["name"],
        "Tỉnh Lào Cai"
    );
    assert_eq!(
        api(&mut c, "/api/v1/admin-units/15").await["name"],
        "Tỉnh Lào Cai"
    );
    // Old Lào Cai "10" does not exist today.
    assert_eq!(
        c.get("/api/v1/admin-units/10").await.status,
        StatusCode::NOT_FOUND
    );
    let new_lc = api(&mut c, "/api/v1/admin-units/15").await;
    let preds: Vec<&str> = new_lc["predecessors"]
        .as_array()
        .expect("p")
        .iter()
        .map(|p| p["code"].as_str().unwrap_or(""))
        .collect();
    assert!(preds.contains(&"10") && preds.contains(&"15"), "{preds:?}");
}

pub async fn old_units_roll_up_to_today(b: Backend) {
    let app = TestApp::spawn(b).await;
    let old_lc = geo::by_code(&app.db, "10", d("2017-01-01"))
        .await
        .expect("q")
        .expect("10");
    let now = geo::rollup(&app.db, old_lc.id, d("2026-01-01"))
        .await
        .expect("rollup");
    assert_eq!(
        now.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(),
        vec!["15"]
    );
    assert_eq!(now[0].name, "Tỉnh Lào Cai");
    // Rolled up to a date before the reform, a unit stands for itself.
    let then = geo::rollup(&app.db, old_lc.id, d("2017-01-01"))
        .await
        .expect("rollup");
    assert_eq!(then[0].id, old_lc.id);
    // Huyện Gia Lâm rolls up to communes of today's Hà Nội.
    let gl = geo::by_code(&app.db, "018", d("2017-01-01"))
        .await
        .expect("q")
        .expect("018");
    let now = geo::rollup(&app.db, gl.id, d("2026-01-01"))
        .await
        .expect("rollup");
    assert!(now.iter().any(|u| u.name == "Xã Bát Tràng"));
    assert!(
        now.iter().all(|u| u.parent_code.as_deref() == Some("01")),
        "{now:?}"
    );
    let hn_now = geo::by_code(&app.db, "01", d("2026-01-01"))
        .await
        .expect("q")
        .expect("01");
    for u in &now {
        assert!(geo::covers(&app.db, hn_now.id, u.id).await.expect("covers"));
    }
}

pub async fn search_folds_vietnamese(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = app.client();
    let nfd: String = "Bát Tràng".nfd().collect();
    assert_ne!(nfd, "Bát Tràng");
    for q in [
        "bat%20trang",
        "B%C3%A1t%20Tr%C3%A0ng",
        "BAT%20TRANG",
        "++bat+++trang+",
    ] {
        let v = api(&mut c, &format!("/api/v1/admin-units?q={q}")).await;
        assert!(names(&v).contains(&"Xã Bát Tràng".to_string()), "{q}: {v}");
    }
    let enc = langnghe_web::ctx::urlencode(&nfd);
    let v = api(&mut c, &format!("/api/v1/admin-units?q={enc}")).await;
    assert!(names(&v).contains(&"Xã Bát Tràng".to_string()), "NFD: {v}");
    let v = api(
        &mut c,
        "/api/v1/admin-units?q=duong&as_of=2017-01-01&level=commune&limit=500",
    )
    .await;
    assert!(names(&v).iter().any(|n| n.contains("Đường")), "duong: {v}");
    // As of 2017 the search finds the old commune, under Gia Lâm.
    let v = api(&mut c, "/api/v1/admin-units?q=bat+trang&as_of=2017-01-01").await;
    assert!(
        v["items"]
            .as_array()
            .expect("i")
            .iter()
            .any(|i| i["code"] == "00583"),
        "{v}"
    );
    // Metacharacters are text, not syntax.
    for q in ["%25", "_", "%27%20OR%201=1--", "%22*"] {
        let r = c.get(&format!("/api/v1/admin-units?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}");
    }
    let v = api(&mut c, "/api/v1/admin-units?q=%25").await;
    assert_eq!(v["total"], 0, "% is not a wildcard: {v}");
}

pub async fn admin_unit_list_filters_and_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = app.client();
    let a = api(
        &mut c,
        "/api/v1/admin-units?level=province&as_of=2017-01-01&limit=10&offset=0",
    )
    .await;
    let b2 = api(
        &mut c,
        "/api/v1/admin-units?level=province&as_of=2017-01-01&limit=10&offset=10",
    )
    .await;
    assert_eq!(a["items"].as_array().expect("a").len(), 10);
    assert_eq!(a["total"], 63);
    assert_ne!(a["items"][0]["code"], b2["items"][0]["code"]);
    assert_eq!(a["items"][0]["code"], "01");
    let item = &a["items"][0];
    for k in [
        "code",
        "name",
        "level",
        "type",
        "parent_code",
        "valid_from",
        "valid_to",
    ] {
        assert!(item.get(k).is_some(), "missing {k}: {item}");
    }
    let r = c.get("/api/v1/admin-units?level=planet").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "level");
    let r = c.get("/api/v1/admin-units?as_of=31/2/2020").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "as_of");
    let r = c.get("/api/v1/admin-units?parent=99999").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c.get("/api/v1/admin-units?limit=abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

pub async fn unit_detail_has_links_across_reform(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let r = admin.get("/admin-units/00583?as_of=2017-01-01").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<h1>Xã Bát Tràng</h1>"), "{}", r.body);
    assert!(r.body.contains("id=\"successors\""));
    assert!(r.body.contains("/admin-units/00577?as_of=2025-07-01"));
    assert!(r.body.contains("Huyện Gia Lâm"));
    let r = admin.get("/admin-units/00577").await;
    assert!(
        r.body.contains("/admin-units/00583?as_of=2025-06-30"),
        "predecessor link"
    );
    assert_eq!(
        admin.get("/admin-units/99999").await.status,
        StatusCode::NOT_FOUND
    );
}

pub async fn agencies_from_the_seeds(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let v = api(&mut admin, "/api/v1/agencies?limit=500").await;
    let all = names(&v);
    for expected in [
        "Sở Công Thương thành phố Hà Nội",
        "Sở Nông nghiệp và Phát triển nông thôn thành phố Hà Nội",
        "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Hà Nội",
        "Trung tâm Xúc tiến Đầu tư, Thương mại, Du lịch thành phố Hà Nội",
        "Cục Thuế thành phố Hà Nội",
        "Liên minh Hợp tác xã thành phố Hà Nội",
        "Ủy ban nhân dân huyện Gia Lâm",
        "Sở Văn hóa và Thể thao tỉnh Lào Cai",
        "Chi cục Phát triển nông thôn tỉnh Lào Cai",
        "Ủy ban nhân dân huyện Bát Xát",
    ] {
        assert!(all.iter().any(|n| n == expected), "missing {expected}");
    }
    let tt = v["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|a| a["name"] == "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Hà Nội")
        .expect("tt");
    assert_eq!(tt["parent_name"], "Sở Công Thương thành phố Hà Nội");
    assert_eq!(tt["admin_unit_code"], "01");
    let q = api(&mut admin, "/api/v1/agencies?q=so%20cong%20thuong").await;
    assert_eq!(q["total"], 2, "{q}");
    let k = api(
        &mut admin,
        "/api/v1/agencies?kind=people_committee&limit=500",
    )
    .await;
    assert!(
        names(&k).iter().all(|n| n.starts_with("Ủy ban nhân dân")),
        "{k}"
    );
}

pub async fn login_logout_and_sessions_survive_restart(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = app.client();
    let r = c.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=%2F");
    let r = c.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"]["code"], "unauthorized");
    let r = c.login("admin", "wrong-password").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("error-summary"));
    let before = c.cookie.clone();
    let r = c.login("admin", &app.admin_password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_ne!(c.cookie, before, "session id changes at login");
    let cookie_header = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(cookie_header.contains("HttpOnly"), "{cookie_header}");
    assert!(cookie_header.contains("SameSite=Lax"), "{cookie_header}");
    let me = api(&mut c, "/api/v1/me").await;
    assert_eq!(me["username"], "admin");
    assert_eq!(me["role"], "admin");
    // A new server on the same store knows the session.
    let state2 = langnghe_web::AppState::new(app.db.clone(), Default::default()).expect("state");
    let mut c2 = c.with_router(langnghe_web::app(state2));
    assert_eq!(api(&mut c2, "/api/v1/me").await["username"], "admin");
    let r = c2.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = c2.form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c2.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    // The old cookie is dead too.
    let mut c3 = c.with_router(app.router.clone());
    assert_eq!(c3.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    // An open redirect is not possible through next=.
    let mut c4 = app.client();
    c4.get("/login").await;
    let r = c4
        .form(
            "/login",
            &[
                ("username", "admin"),
                ("password", &app.admin_password),
                ("next", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(r.location(), "/");
}

pub async fn csrf_is_required_for_state_changes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let good = admin.csrf.clone();
    admin.csrf = Some("forged".into());
    let r = admin
        .form(
            "/agencies",
            &[
                ("name", "X"),
                ("kind", "other"),
                ("admin_unit_code", "01"),
                ("admin_unit_as_of", "2017-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    admin.csrf = Some("forged".into());
    let r = admin
        .json(
            Method::POST,
            "/api/v1/agencies",
            json!({"name": "X", "kind": "other", "admin_unit_code": "01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "csrf");
    // Login needs the token too (no login CSRF).
    let mut c = app.client();
    let r = c
        .form(
            "/login",
            &[("username", "admin"), ("password", &app.admin_password)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    admin.csrf = good;
    let r = admin
        .form(
            "/agencies",
            &[
                ("name", "Phòng Kinh tế huyện Gia Lâm"),
                ("kind", "sub_department"),
                ("admin_unit_code", "018"),
                ("admin_unit_as_of", "2017-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

pub async fn login_is_throttled(b: Backend) {
    // A first wait of 10 s: longer than an attempt takes in a debug build.
    let app = TestApp::spawn_with(
        b,
        langnghe_web::WebConfig {
            login_throttle: langnghe_core::throttle::Policy {
                base: time::Duration::seconds(10),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await;
    let mut c = app.client();
    for _ in 0..3 {
        assert_eq!(
            c.login("admin", "not-the-password").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    // The same client waits (growing with each failure), even with the
    // right password; other clients do not (see auth_security).
    let r = c.login("admin", &app.admin_password).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "this client waits");
    assert!(r.headers.contains_key("retry-after"));
    assert!(r.body.contains("giây"), "{}", r.body);
    let mut audit = app.client();
    // Failed logins are audited.
    let (rows, _) = langnghe_store::audit::list(
        &app.db,
        &langnghe_store::audit::AuditFilter {
            action: Some("login_failed".into()),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .expect("audit");
    assert_eq!(rows.len(), 3);
    let _ = audit.get("/healthz").await;
}

pub async fn password_change(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    admin.get("/account/password").await;
    let r = admin
        .form(
            "/account/password",
            &[("current", "wrong"), ("new", "short"), ("confirm", "other")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for f in ["#f-current", "#f-new", "#f-confirm"] {
        assert!(r.body.contains(f), "error summary links to {f}");
    }
    let new = "Làng nghề Bát Tràng 2026";
    let r = admin
        .form(
            "/account/password",
            &[
                ("current", &app.admin_password),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut c = app.client();
    assert_eq!(
        c.login("admin", &app.admin_password).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(c.login("admin", new).await.status, StatusCode::SEE_OTHER);
}

pub async fn api_tokens_authenticate(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = users::by_username(&app.db, "admin")
        .await
        .expect("q")
        .expect("admin");
    let token = users::create_token(
        &app.db,
        &langnghe_store::audit::Actor::system("test"),
        admin.id,
        "ci",
    )
    .await
    .expect("token");
    let mut c = app.client();
    c.bearer = Some(token.clone());
    assert_eq!(api(&mut c, "/api/v1/me").await["username"], "admin");
    // Writes with a token need no CSRF token.
    let r = c.json(Method::POST, "/api/v1/agencies", json!({"name": "Hiệp hội Làng nghề Việt Nam", "kind": "association", "admin_unit_code": "01"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    c.bearer = Some("lnt_wrong".into());
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    // Only the hash is stored.
    let stored: Vec<String> = match &app.db {
        langnghe_store::Db::Sqlite(p, _) => sqlx::query_scalar("SELECT token_hash FROM api_tokens")
            .fetch_all(p)
            .await
            .expect("q"),
        langnghe_store::Db::Pg(p) => sqlx::query_scalar("SELECT token_hash FROM api_tokens")
            .fetch_all(p)
            .await
            .expect("q"),
    };
    assert!(!stored.contains(&token));
    assert!(stored.contains(&users::token_hash(&token)));
    // Through the API as well.
    let mut admin_c = app.admin().await;
    let r = admin_c
        .json(Method::POST, "/api/v1/me/tokens", json!({"name": "sync"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let t2 = r.json()["token"].as_str().expect("token").to_string();
    let mut c2 = app.client();
    c2.bearer = Some(t2);
    assert_eq!(api(&mut c2, "/api/v1/me").await["username"], "admin");
}

/// An account lists its API tokens (never their secrets) and revokes one, by
/// the API and on its page: the token is refused from the next request on,
/// stays listed with the time it was revoked, and the revocation is one
/// audit row; another account's token is 404.
pub async fn api_tokens_are_listed_and_revoked(b: Backend) {
    async fn revoke(c: &mut langnghe_it::Client, id: impl std::fmt::Display) -> langnghe_it::Resp {
        c.json(
            Method::POST,
            &format!("/api/v1/me/tokens/{id}/revoke"),
            json!({}),
        )
        .await
    }
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let mut made = vec![];
    for name in ["sync", "báo cáo"] {
        let r = admin
            .json(Method::POST, "/api/v1/me/tokens", json!({ "name": name }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        made.push(r.json()["token"].as_str().expect("token").to_string());
    }
    let mut c = app.client();
    c.bearer = Some(made[0].clone());
    assert_eq!(api(&mut c, "/api/v1/me").await["username"], "admin");

    let list = api(&mut admin, "/api/v1/me/tokens").await;
    assert_eq!(list["total"], 2, "{list}");
    let text = list.to_string();
    assert!(!text.contains(&made[0]) && !text.contains("hash"), "{text}");
    let sync = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["name"] == "sync")
        .expect("sync")
        .clone();
    assert_eq!(sync["revoked_at"], Value::Null);
    let id = sync["id"].as_i64().expect("id");

    // Another account cannot see or revoke it.
    let mut other = app.user("canbo.tokens", "officer", "hn-so-ct", "01").await;
    assert_eq!(api(&mut other, "/api/v1/me/tokens").await["total"], 0);
    let r = revoke(&mut other, id).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = revoke(&mut other, "abc").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(api(&mut c, "/api/v1/me").await["username"], "admin");

    // Revoked by the API: refused from the next request on, still listed.
    let r = revoke(&mut admin, id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let at = r.json()["revoked_at"].clone();
    assert!(at.is_string(), "{}", r.body);
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    // Again: nothing changes.
    let r = revoke(&mut admin, id).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["revoked_at"], at);
    let list = api(&mut admin, "/api/v1/me/tokens").await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][1]["name"], "sync", "the revoked one last");
    let audit = langnghe_store::audit::list(
        &app.db,
        &langnghe_store::audit::AuditFilter {
            entity: Some("api_token".into()),
            entity_id: Some(id.to_string()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .expect("audit")
    .0;
    assert_eq!(audit.len(), 2, "created and revoked once");

    // On the page: listed with a button; the button revokes the other one.
    let page = admin.get("/account/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("báo cáo") && page.body.contains("Đã thu hồi"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(&made[1]), "no secret on the page");
    let other_id = list["items"][0]["id"].as_i64().expect("id");
    let mut c2 = app.client();
    c2.bearer = Some(made[1].clone());
    assert_eq!(c2.get("/api/v1/me").await.status, StatusCode::OK);
    let r = admin
        .form(&format!("/account/tokens/{other_id}/revoke"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/account/tokens");
    assert_eq!(c2.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let page = admin.get("/account/tokens").await;
    assert!(
        page.body.contains("Đã thu hồi khóa “báo cáo”"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/revoke\""), "nothing left to revoke");
    // Without the form's CSRF token: refused, nothing revoked.
    let r = admin
        .form(
            &format!("/account/tokens/{other_id}/revoke"),
            &[("csrf_token", "wrong")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

pub async fn roles_limit_what_users_do(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut viewer = app.user("viewer.hn", "viewer", "hn-so-ct", "01").await;
    assert_eq!(viewer.get("/api/v1/agencies").await.status, StatusCode::OK);
    let r = viewer.json(Method::POST, "/api/v1/agencies", json!({"name": "X", "kind": "other", "admin_unit_code": "01", "admin_unit_as_of": "2017-01-01"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        viewer.get("/api/v1/users").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer.get("/api/v1/audit").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(viewer.get("/users").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        viewer.get("/agencies/new").await.status,
        StatusCode::FORBIDDEN
    );
    let mut coord = app.user("coord.hn", "coordinator", "hn-so-ct", "01").await;
    let r = coord.json(Method::POST, "/api/v1/agencies", json!({"name": "Phòng Kinh tế quận Hà Đông", "kind": "sub_department", "admin_unit_code": "268", "admin_unit_as_of": "2017-01-01"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // A coordinator cannot make accounts.
    let r = coord.json(Method::POST, "/api/v1/users", json!({"username": "x.y", "password": "long enough pw", "role": "admin", "agency": "hn-so-ct", "scope": "VN"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

pub async fn scope_hides_other_districts_everywhere(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let r = admin.json(Method::POST, "/api/v1/agencies", json!({"name": "Ủy ban nhân dân huyện Ba Vì", "short_name": "UBND huyện Ba Vì", "kind": "people_committee", "admin_unit_code": "271", "admin_unit_as_of": "2017-01-01"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ba_vi = r.json()["id"].as_i64().expect("id");
    let lao_cai = api(
        &mut admin,
        "/api/v1/agencies?q=so%20cong%20thuong%20lao%20cai",
    )
    .await["items"][0]["id"]
        .as_i64()
        .expect("lc");
    let gia_lam = api(&mut admin, "/api/v1/agencies?q=gia%20lam").await["items"][0]["id"]
        .as_i64()
        .expect("gl");

    for role in ["officer", "coordinator"] {
        let mut u = app
            .user(&format!("{role}.gialam"), role, "hn-ubnd-gia-lam", "018")
            .await;
        let list = api(&mut u, "/api/v1/agencies?limit=500").await;
        let ids: Vec<i64> = list["items"]
            .as_array()
            .expect("i")
            .iter()
            .filter_map(|a| a["id"].as_i64())
            .collect();
        assert_eq!(ids, vec![gia_lam], "{role} sees only Gia Lâm: {list}");
        assert_eq!(list["total"], 1);
        for id in [ba_vi, lao_cai] {
            assert_eq!(
                u.get(&format!("/api/v1/agencies/{id}")).await.status,
                StatusCode::NOT_FOUND
            );
            assert_eq!(
                u.get(&format!("/agencies/{id}")).await.status,
                StatusCode::NOT_FOUND
            );
            assert_eq!(
                u.get(&format!("/agencies/{id}/edit")).await.status,
                if role == "officer" {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::NOT_FOUND
                }
            );
            let r = u.json(Method::PUT, &format!("/api/v1/agencies/{id}"), json!({"name": "hijack", "kind": "other", "admin_unit_code": "018", "admin_unit_as_of": "2017-01-01"})).await;
            assert!(
                matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                "{role} PUT {id}: {}",
                r.status
            );
            u.get("/agencies").await;
            let r = u
                .form(
                    &format!("/agencies/{id}"),
                    &[
                        ("name", "hijack"),
                        ("kind", "other"),
                        ("admin_unit_code", "018"),
                        ("admin_unit_as_of", "2017-01-01"),
                    ],
                )
                .await;
            assert!(
                matches!(r.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                "{role} form {id}: {}",
                r.status
            );
        }
        // Search and filtered lists leak nothing either.
        for q in ["ba%20vi", "lao%20cai", "so"] {
            let v = api(&mut u, &format!("/api/v1/agencies?q={q}")).await;
            assert!(
                names(&v).iter().all(|n| n.contains("Gia Lâm")),
                "{role} q={q}: {v}"
            );
        }
        let page = u.get("/agencies?q=ba+vi").await;
        assert!(!page.body.contains("Ba Vì"), "{role} page search leaks");
        let page = u.get("/agencies").await;
        assert!(!page.body.contains("Lào Cai") && !page.body.contains("Ba Vì"));
        assert!(page.body.contains("1-1"), "count shows 1");
        let home = u.get("/").await;
        assert!(
            home.body.contains(">1 cơ quan") || home.body.contains("1 cơ quan"),
            "home count"
        );
        if role == "coordinator" {
            // Cannot create in Ba Vì, can in Gia Lâm.
            let r = u.json(Method::POST, "/api/v1/agencies", json!({"name": "X", "kind": "other", "admin_unit_code": "271", "admin_unit_as_of": "2017-01-01"})).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(r.json()["error"]["fields"][0]["field"], "admin_unit_code");
            let r = u.json(Method::POST, "/api/v1/agencies", json!({"name": "Hợp tác xã gốm Bát Tràng", "kind": "other", "admin_unit_code": "00583", "admin_unit_as_of": "2017-01-01", "parent_id": lao_cai.to_string()})).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "parent outside scope: {}",
                r.body
            );
            let r = u.json(Method::POST, "/api/v1/agencies", json!({"name": "Hợp tác xã gốm Bát Tràng", "kind": "other", "admin_unit_code": "00583", "admin_unit_as_of": "2017-01-01"})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
    }
    // Nothing changed in Ba Vì.
    let v = api(&mut admin, &format!("/api/v1/agencies/{ba_vi}")).await;
    assert_eq!(v["name"], "Ủy ban nhân dân huyện Ba Vì");
}

pub async fn scope_follows_geography_across_the_reform(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let r = admin.json(Method::POST, "/api/v1/agencies", json!({"name": "Sở Công Thương tỉnh Yên Bái", "kind": "department", "admin_unit_code": "15", "admin_unit_as_of": "2017-01-01"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Scope "15" today = the new Lào Cai, which absorbed old Lào Cai "10" and old Yên Bái "15".
    let mut u = app
        .user("officer.laocai", "officer", "lc-so-ct", "15")
        .await;
    let v = api(&mut u, "/api/v1/agencies?limit=500").await;
    let all = names(&v);
    assert!(all.contains(&"Sở Công Thương tỉnh Lào Cai".to_string()));
    assert!(all.contains(&"Ủy ban nhân dân huyện Bát Xát".to_string()));
    assert!(all.contains(&"Sở Công Thương tỉnh Yên Bái".to_string()));
    assert!(!all.iter().any(|n| n.contains("Hà Nội")), "{all:?}");
    assert_eq!(v["total"], 25);
    // A user scoped to old Lào Cai "10" does not see Yên Bái.
    let mut old = app
        .user("officer.laocai.old", "officer", "lc-so-ct", "10")
        .await;
    let v = api(&mut old, "/api/v1/agencies?limit=500").await;
    assert!(!names(&v).iter().any(|n| n.contains("Yên Bái")));
    assert_eq!(v["total"], 24);
}

pub async fn one_write_makes_one_audit_row(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let id = api(&mut admin, "/api/v1/agencies?q=trung%20tam%20khuyen%20cong").await["items"][0]
        ["id"]
        .as_i64()
        .expect("id");
    let before = api(
        &mut admin,
        &format!("/api/v1/audit?entity=agency&entity_id={id}"),
    )
    .await["total"]
        .as_i64()
        .expect("t");
    let total_before = api(&mut admin, "/api/v1/audit?limit=1").await["total"]
        .as_i64()
        .expect("t");
    let r = admin.json(Method::PUT, &format!("/api/v1/agencies/{id}"), json!({
        "name": "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp Hà Nội",
        "short_name": "TTKC Hà Nội", "kind": "centre", "admin_unit_code": "01", "admin_unit_as_of": "2017-01-01",
        "version": 1,
    })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let total_after = api(&mut admin, "/api/v1/audit?limit=1").await["total"]
        .as_i64()
        .expect("t");
    assert_eq!(total_after, total_before + 1, "exactly one audit row");
    let rows = api(
        &mut admin,
        &format!("/api/v1/audit?entity=agency&entity_id={id}"),
    )
    .await;
    assert_eq!(rows["total"].as_i64().expect("t"), before + 1);
    let row = &rows["items"][0];
    assert_eq!(row["action"], "update");
    assert_eq!(row["actor_name"], "admin");
    assert_eq!(row["before"]["short_name"], "Trung tâm KC&TVPTCN");
    assert_eq!(row["after"]["short_name"], "TTKC Hà Nội");
    assert_eq!(
        row["before"]["parent_name"],
        "Sở Công Thương thành phố Hà Nội"
    );
    assert_eq!(row["after"]["parent_name"], Value::Null);
    assert!(!row["request_id"].as_str().unwrap_or("").is_empty());
    // The admin page shows and filters it; the agency page shows its history.
    let page = admin
        .get(&format!("/audit?entity=agency&entity_id={id}"))
        .await;
    assert!(page.body.contains("TTKC Hà Nội"));
    let page = admin.get(&format!("/agencies/{id}")).await;
    assert!(page.body.contains("TTKC Hà Nội") && page.body.contains("Cập nhật"));
}

pub async fn audit_log_is_append_only(b: Backend) {
    let app = TestApp::spawn(b).await;
    let upd = "UPDATE audit_log SET actor_name = 'x'";
    let del = "DELETE FROM audit_log";
    for sql in [upd, del] {
        let res = match &app.db {
            langnghe_store::Db::Sqlite(p, _) => sqlx::query(sql).execute(p).await.map(|_| ()),
            langnghe_store::Db::Pg(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        };
        let err = res.expect_err("the database refuses");
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    // No route changes audit rows.
    let mut admin = app.admin().await;
    for m in [Method::PUT, Method::PATCH, Method::DELETE, Method::POST] {
        let r = admin.json(m.clone(), "/api/v1/audit", json!({})).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{m}");
    }
}

pub async fn language_switch_is_remembered(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = app.client();
    let r = c.get("/login").await;
    assert!(r.body.contains("<html lang=\"vi\">") && r.body.contains("Đăng nhập"));
    c.accept_language = Some("en-GB,en;q=0.9".into());
    let r = c.get("/login").await;
    assert!(r.body.contains("<html lang=\"en\">") && r.body.contains("Log in"));
    c.accept_language = None;
    let mut admin = app.admin().await;
    admin.get("/").await;
    let r = admin.form("/lang", &[("lang", "en")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = admin.get("/agencies").await;
    assert!(
        r.body.contains("<html lang=\"en\">") && r.body.contains("Agencies"),
        "{}",
        &r.body[..300]
    );
    // Remembered per user: a new session starts in English.
    let mut again = app.admin().await;
    let r = again.get("/").await;
    assert!(r.body.contains("<html lang=\"en\">"));
    assert_eq!(api(&mut again, "/api/v1/me").await["lang"], "en");
    // API errors speak the user's language.
    let r = again.get("/api/v1/agencies/999999").await;
    assert_eq!(r.json()["error"]["message"], "Page or record not found.");
    let r = again
        .json(Method::PATCH, "/api/v1/me", json!({"lang": "vi"}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = again.get("/api/v1/agencies/999999").await;
    assert_eq!(
        r.json()["error"]["message"],
        "Không tìm thấy trang hoặc dữ liệu."
    );
    let r = again
        .json(Method::PATCH, "/api/v1/me", json!({"lang": "fr"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

pub async fn bad_input_gets_clear_4xx(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let csrf = admin.csrf.clone().expect("csrf");
    let raw = |ct: &str, body: Vec<u8>| {
        http::Request::post("/api/v1/agencies")
            .header("content-type", ct)
            .header("x-csrf-token", csrf.clone())
            .body(axum::body::Body::from(body))
            .expect("req")
    };
    let r = admin
        .send(raw("application/json", b"{not json".to_vec()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "bad_request");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("JSON"));
    let r = admin.send(raw("text/plain", b"{}".to_vec())).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("application/json"));
    let r = admin
        .send(raw("application/json", vec![b' '; 2 * 1024 * 1024]))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "too_large");
    let r = admin
        .json(
            Method::POST,
            "/api/v1/agencies",
            json!({"name": "", "kind": "bogus", "admin_unit_code": "987"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"].as_array().expect("f").len(),
        3,
        "{}",
        r.body
    );
    let body = r.json();
    let msgs: Vec<String> = body["error"]["fields"]
        .as_array()
        .expect("f")
        .iter()
        .map(|f| format!("{}: {}", f["field"], f["message"]))
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("name") && m.contains("bắt buộc")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("admin_unit_code") && m.contains("987")),
        "{msgs:?}"
    );
    // Form: the page is shown again with the typed values and the errors.
    admin.get("/agencies/new").await;
    let r = admin
        .form(
            "/agencies",
            &[
                ("name", "Hợp tác xã mây tre đan"),
                ("kind", "other"),
                ("admin_unit_code", "12345678"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("error-summary") && r.body.contains("href=\"#f-admin_unit_code\""));
    assert!(
        r.body.contains("value=\"Hợp tác xã mây tre đan\""),
        "typed value kept"
    );
    // Unknown ids and routes.
    assert_eq!(
        admin.get("/api/v1/agencies/abc").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/api/v1/nothing-here").await.json()["error"]["code"],
        "not_found"
    );
    let r = admin
        .send(
            http::Request::builder()
                .method("DELETE")
                .uri("/api/v1/agencies")
                .header("x-csrf-token", csrf.clone())
                .body(axum::body::Body::empty())
                .expect("r"),
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.json()["error"]["code"], "bad_request");
    // Invalid UTF-8 in a query string.
    let r = admin.get("/api/v1/admin-units?q=%FF%FE%C3").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = admin.get("/admin-units?q=%FF%FE&as_of=%C3%28").await;
    assert!(
        r.status.is_success() || r.status.is_client_error(),
        "{}",
        r.status
    );
    assert!(
        r.body.contains("error-summary"),
        "as_of error shown on the page"
    );
}

pub async fn hostile_strings_are_stored_intact_and_escaped(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let long = "Làng nghề ".repeat(1000);
    let hostile = [
        "Robert'); DROP TABLE agencies;--",
        "<script>alert('x')</script> Sở \"Công\" Thương",
        "\u{202E}Bát Tràng\u{202C} \u{200F}RTL",
        "%_\\ LIKE 'meta' ; -- /* */",
    ];
    let mut ids = vec![];
    for h in hostile {
        let r = admin.json(Method::POST, "/api/v1/agencies", json!({"name": h, "short_name": h, "kind": "other", "admin_unit_code": "01", "admin_unit_as_of": "2017-01-01"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{h}: {}", r.body);
        assert_eq!(r.json()["name"], h, "stored intact");
        ids.push(r.json()["id"].as_i64().expect("id"));
    }
    for (id, h) in ids.iter().zip(hostile) {
        let v = api(&mut admin, &format!("/api/v1/agencies/{id}")).await;
        assert_eq!(v["name"], h);
        let page = admin.get(&format!("/agencies/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("<script>alert"), "escaped");
    }
    let page = admin.get("/agencies?q=%3Cscript%3E").await;
    assert!(!page.body.contains("<script>alert") && page.body.contains("&lt;script&gt;"));
    // NUL, control characters, 10.000 characters: refused with a named field, never a 500.
    let r = admin.json(Method::POST, "/api/v1/agencies", json!({"name": "Sở\u{0}Công", "kind": "other", "admin_unit_code": "01", "admin_unit_as_of": "2017-01-01"})).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "NUL is refused at the door: {}",
        r.body
    );
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("ký tự điều khiển"));
    for (name, field) in [("a\u{7}b", "name"), (long.as_str(), "name")] {
        let r = admin.json(Method::POST, "/api/v1/agencies", json!({"name": name, "kind": "other", "admin_unit_code": "01", "admin_unit_as_of": "2017-01-01"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["error"]["fields"][0]["field"], field);
    }
    let r = admin
        .json(
            Method::POST,
            "/api/v1/agencies",
            json!({"name": "x", "kind": long, "admin_unit_code": long, "parent_id": long}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Every input of this issue gets the same treatment.
    for q in [
        "%00",
        "%3Cscript%3E",
        "%E2%80%AE",
        &"a".repeat(10_000),
        "%27%3B--",
    ] {
        for path in [
            "/api/v1/admin-units",
            "/api/v1/agencies",
            "/api/v1/users",
            "/api/v1/audit",
            "/admin-units",
            "/agencies",
            "/users",
            "/audit",
        ] {
            for param in [
                "q", "as_of", "level", "parent", "kind", "sort", "entity", "from", "limit",
            ] {
                let r = admin.get(&format!("{path}?{param}={q}")).await;
                assert!(
                    !r.status.is_server_error(),
                    "{path}?{param}=…: {}",
                    r.status
                );
            }
        }
        let r = admin.get(&format!("/admin-units/{q}")).await;
        assert!(!r.status.is_server_error());
        let r = admin.get(&format!("/login?next={q}")).await;
        assert!(!r.status.is_server_error());
    }
    let mut c = app.client();
    for (u, p) in [
        ("admin'--", "x"),
        ("\u{0}", "\u{0}"),
        (long.as_str(), long.as_str()),
        ("<script>", "x"),
    ] {
        let r = c.login(u, p).await;
        let expected = if u.contains('\u{0}') {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(r.status, expected, "{}", r.status);
        assert!(!r.body.contains("<script>"));
    }
    let r = admin.json(Method::POST, "/api/v1/users", json!({"username": "<b>x</b>", "display_name": "\u{7}", "password": "\u{7}", "role": "root", "agency": "'; --", "scope": long})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["fields"].as_array().expect("f").len() >= 5,
        "{}",
        r.body
    );
}

pub async fn pages_render_for_admin(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    for (path, must) in [
        ("/", "Trang chủ"),
        ("/admin-units", "Tỉnh Lào Cai"),
        (
            "/admin-units?level=province&as_of=2017-01-01",
            "Tỉnh Yên Bái",
        ),
        ("/admin-units?parent=01", "Xã Bát Tràng"),
        ("/admin-units?parent=018&as_of=2017-01-01", "Xã Bát Tràng"),
        ("/admin-units/15?as_of=2017-01-01", "Tỉnh Yên Bái"),
        ("/agencies", "Sở Công Thương"),
        ("/agencies?sort=-name&kind=department", "Sở"),
        ("/agencies/new", "csrf_token"),
        ("/users", "admin"),
        ("/users/new", "csrf_token"),
        ("/audit", "Nhật ký"),
        ("/account/password", "Mật khẩu hiện tại"),
        ("/account/tokens", "Tạo khóa"),
        ("/api", "admin-units"),
        ("/healthz", "ok"),
        ("/readyz", "ready"),
    ] {
        let r = admin.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.body.contains(must), "{path} lacks {must}");
    }
    let r = admin.get("/static/app.css").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .headers
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .contains("max-age"));
    let r = admin.get("/static/vendor/htmx.min.js").await;
    assert_eq!(r.status, StatusCode::OK);
    // Numbers in Vietnamese format on pages.
    let r = admin
        .get("/admin-units?level=commune&as_of=2017-01-01")
        .await;
    assert!(r.body.contains("10.035"), "count formatted");
    // Create a user on the page.
    let agency = api(&mut admin, "/api/v1/agencies?q=ubnd%20gia%20lam").await;
    let _ = agency;
    let gl = api(&mut admin, "/api/v1/agencies?q=uy%20ban%20gia%20lam").await["items"][0]["id"]
        .as_i64()
        .expect("gl");
    admin.get("/users/new").await;
    let r = admin
        .form(
            "/users",
            &[
                ("username", "canbo.gialam"),
                ("display_name", "Nguyễn Văn A"),
                ("password", "Gốm sứ Bát Tràng 1"),
                ("role", "officer"),
                ("agency", &gl.to_string()),
                ("scope", "018"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = admin.get("/users").await;
    assert!(r.body.contains("canbo.gialam") && r.body.contains("Huyện Gia Lâm"));
    let r = admin
        .form(
            "/users",
            &[
                ("username", "canbo.gialam"),
                ("password", "Gốm sứ Bát Tràng 1"),
                ("role", "officer"),
                ("agency", &gl.to_string()),
                ("scope", "018"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("đã có"));
}

pub async fn start_is_idempotent_and_keeps_edits(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let units = geo::count(&app.db).await.expect("count");
    let agencies_before = api(&mut admin, "/api/v1/agencies?limit=1").await["total"]
        .as_i64()
        .expect("t");
    let id = api(&mut admin, "/api/v1/agencies?q=cuc%20thue").await["items"][0]["id"]
        .as_i64()
        .expect("id");
    let r = admin.json(Method::PUT, &format!("/api/v1/agencies/{id}"), json!({"name": "Cục Thuế thành phố Hà Nội (đã sửa)", "kind": "tax", "admin_unit_code": "01", "admin_unit_as_of": "2017-01-01", "version": 1})).await;
    assert_eq!(r.status, StatusCode::OK);
    // What `serve --demo` does at every start.
    app.db.migrate().await.expect("migrate");
    assert!(!seed::ensure_geography(&app.db).await.expect("geo"));
    assert_eq!(langnghe_demo::ensure_demo(&app.db).await.expect("demo"), 0);
    assert_eq!(seed::ensure_admin(&app.db).await.expect("admin"), None);
    assert_eq!(geo::count(&app.db).await.expect("count"), units);
    assert_eq!(
        api(&mut admin, "/api/v1/agencies?limit=1").await["total"]
            .as_i64()
            .expect("t"),
        agencies_before
    );
    assert_eq!(
        api(&mut admin, &format!("/api/v1/agencies/{id}")).await["name"],
        "Cục Thuế thành phố Hà Nội (đã sửa)"
    );
}

pub async fn openapi_describes_every_api_route(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = app.client();
    let doc = api(&mut c, "/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/api/v1/admin-units",
        "/api/v1/admin-units/{code}",
        "/api/v1/agencies",
        "/api/v1/agencies/{id}",
        "/api/v1/users",
        "/api/v1/me",
        "/api/v1/me/tokens",
        "/api/v1/audit",
        "/api/v1/openapi.json",
    ] {
        assert!(paths.contains_key(p), "{p} undocumented");
    }
    // Registry entities are described field by field, from their spec.
    let village = &doc["components"]["schemas"]["Village"]["properties"];
    assert!(village["status"]["enum"]
        .as_array()
        .expect("enum")
        .iter()
        .any(|v| v == "traditional"));
    assert_eq!(
        village["production_value"]["type"],
        json!(["integer", "null"])
    );
    for p in [
        "/api/v1/villages",
        "/api/v1/crafts",
        "/api/v1/establishments",
        "/api/v1/artisans",
        "/api/v1/products",
        "/api/v1/environment-assessments",
        "/api/v1/documents",
        "/api/v1/search",
        "/api/v1/villages/import",
        "/api/v1/imports/{id}",
    ] {
        assert!(paths.contains_key(p), "{p} undocumented");
    }
    assert!(doc["paths"]["/api/v1/villages"]["get"]["responses"]["200"]
        .to_string()
        .contains("#/components/schemas/Village"));
    // Every documented path answers (no 404 from the router) and vice versa the list is complete:
    // routes come from the same OpenApiRouter that builds the document.
    let mut admin = app.admin().await;
    for (p, item) in paths {
        if item.get("get").is_none() {
            continue;
        }
        let url = p.replace("{code}", "01").replace("{id}", "1");
        let r = admin.get(&url).await;
        assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{p}");
        assert!(!r.status.is_server_error(), "{p}");
    }
    // Lists share one shape.
    for p in [
        "/api/v1/admin-units",
        "/api/v1/agencies",
        "/api/v1/users",
        "/api/v1/audit",
    ] {
        let v = api(&mut admin, &format!("{p}?limit=2&offset=1")).await;
        assert!(v["items"].is_array() && v["total"].is_i64(), "{p}");
        assert!(v["items"].as_array().expect("i").len() <= 2);
    }
}
