//! Registry scenarios, each on SQLite and PostgreSQL.

use crate::{api, names};
use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use serde_json::{json, Value};
use unicode_normalization::UnicodeNormalization;

async fn create(c: &mut Client, path: &str, body: Value) -> Value {
    let r = c.json(Method::POST, path, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{path}: {}", r.body);
    r.json()
}

/// A multipart upload of one file (the browser's import form, with its CSRF field).
pub async fn upload(c: &mut Client, path: &str, filename: &str, bytes: &[u8]) -> langnghe_it::Resp {
    let boundary = "----langnghe-test-boundary";
    let mut body = Vec::new();
    if let Some(tok) = c.csrf.clone() {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{tok}\r\n").as_bytes());
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = http::Request::post(path)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .expect("request");
    c.send(req).await
}

pub async fn wait_job(c: &mut Client, id: &str) -> Value {
    for _ in 0..300 {
        let j = api(c, &format!("/api/v1/imports/{id}")).await;
        if j["status"] != "running" {
            return j;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import {id} did not finish");
}

pub async fn registry_demo_from_seeds(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let v = api(&mut admin, "/api/v1/villages?limit=500").await;
    assert_eq!(v["total"], 42, "every village the seeds name");
    let all = names(&v);
    for n in [
        "Làng nghề làm hương Kíp Tước",
        "Làng nghề chạm khắc bạc Ngũ Chỉ Sơn",
        "Làng nghề chạm khắc bạc Liên Minh",
        "Làng nghề nấu rượu San Lùng",
        "Làng nghề nấu rượu Cốc Ngù",
        "Làng nghề nấu rượu Bản Phố",
        "Làng nghề gốm sứ Bát Tràng",
        "Làng nghề dệt lụa Vạn Phúc",
    ] {
        assert!(all.iter().any(|x| x == n), "missing {n}");
    }
    let kt = v["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|x| x["name"] == "Làng nghề làm hương Kíp Tước")
        .expect("kt")
        .clone();
    assert_eq!(kt["hamlet"], "Kíp Tước");
    assert_eq!(kt["ethnic_group"], "Giáy");
    assert_eq!(kt["admin_unit_code"], "02680");
    assert_eq!(kt["admin_unit_name"], "Xã Hợp Thành");
    assert_eq!(kt["crafts"][0]["name"], "Nghề làm hương");
    // The seeds give no figures for these villages: none is invented.
    assert!(v["items"]
        .as_array()
        .expect("i")
        .iter()
        .all(|x| x["households_total"].is_null() && x["workers"].is_null()));
    let bt = v["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|x| x["name"] == "Làng nghề gốm sứ Bát Tràng")
        .expect("bt")
        .clone();
    assert_eq!(bt["status"], "traditional");
    assert_eq!(bt["admin_unit_code"], "00583");
    // Rolled up to today's units: the new Lào Cai ("15") covers the Lào Cai villages,
    // today's Hà Nội ("01") covers Bát Tràng and Vạn Phúc.
    let lc = api(&mut admin, "/api/v1/villages?unit=15&limit=500").await;
    assert_eq!(lc["total"], 40, "{}", lc["total"]);
    let hn = api(&mut admin, "/api/v1/villages?unit=01&limit=500").await;
    assert_eq!(hn["total"], 2);
    let crafts = api(&mut admin, "/api/v1/crafts?limit=500").await;
    assert_eq!(crafts["total"], 39);
    let docs = api(&mut admin, "/api/v1/documents?limit=500").await;
    assert_eq!(docs["total"], 27);
    assert!(docs["items"]
        .as_array()
        .expect("d")
        .iter()
        .any(|d| d["number"] == "316/KH-UBND" && d["issued_on"] == "2022-09-21"));
    assert!(docs["items"]
        .as_array()
        .expect("d")
        .iter()
        .any(|d| d["number"] == "52/2018/NĐ-CP" && d["year"] == 2018));
}

pub async fn registry_crud_validation_and_history(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let craft = api(&mut admin, "/api/v1/crafts?q=gom+su").await["items"][0]["id"]
        .as_i64()
        .expect("craft");
    let v = create(&mut admin, "/api/v1/villages", json!({
        "name": "Làng nghề gốm Phù Lãng", "admin_unit_code": "00583", "admin_unit_as_of": "30/6/2025",
        "status": "recognised", "crafts": [craft], "households_total": "1.200", "households_in_craft": 700,
        "workers": "3.500", "production_value": "82,155 tỷ đồng", "stable_since_year": 2015,
    })).await;
    assert_eq!(v["households_total"], 1200, "Vietnamese thousands");
    assert_eq!(
        v["production_value"], 82_155_000_000_i64,
        "money in đồng, exact"
    );
    assert_eq!(v["crafts"][0]["id"], craft);
    let id = v["id"].as_i64().expect("id");
    let r = admin
        .json(
            Method::PUT,
            &format!("/api/v1/villages/{id}"),
            json!({"workers": "3.600", "tourism": "có", "version": v["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["workers"], 3600);
    assert_eq!(r.json()["tourism"], true);
    assert_eq!(
        r.json()["households_total"],
        1200,
        "a partial update keeps other fields"
    );
    // The search index follows a rename (no stale entry left behind).
    let r = admin
        .json(
            Method::PUT,
            &format!("/api/v1/villages/{id}"),
            json!({"name": "Làng nghề gốm Phù Lãng Mới", "version": r.json()["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let s = api(&mut admin, "/api/v1/search?q=gom+phu+lang+moi&kind=village").await;
    assert_eq!(s["total"], 1, "{s}");
    assert_eq!(s["items"][0]["name"], "Làng nghề gốm Phù Lãng Mới");
    let s = api(
        &mut admin,
        "/api/v1/search?q=gom+phu+lang&kind=village&limit=100",
    )
    .await;
    let ids: Vec<i64> = s["items"]
        .as_array()
        .expect("i")
        .iter()
        .filter_map(|h| h["id"].as_i64())
        .collect();
    assert_eq!(
        ids.iter().filter(|x| **x == id).count(),
        1,
        "one entry per record: {s}"
    );
    let h = api(&mut admin, &format!("/api/v1/villages/{id}/history")).await;
    assert_eq!(h["total"], 3);
    assert_eq!(h["items"][1]["action"], "update");
    assert_eq!(h["items"][1]["before"]["workers"], 3500);
    assert_eq!(h["items"][1]["after"]["workers"], 3600);
    let page = admin.get(&format!("/villages/{id}")).await;
    assert!(
        page.body.contains("3.600") && page.body.contains("82.155.000.000"),
        "VN formats on the page"
    );
    // Field errors name the field and the reason.
    let r = admin.json(Method::POST, "/api/v1/villages", json!({
        "name": "", "admin_unit_code": "99999", "status": "khác", "households_total": "82.15", "households_in_craft": "-3",
    })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .expect("f")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or("").to_string())
        .collect();
    for f in [
        "name",
        "admin_unit_code",
        "status",
        "households_total",
        "households_in_craft",
    ] {
        assert!(fields.contains(&f.to_string()), "{f}: {}", r.body);
    }
    assert!(
        r.body.contains("82,15"),
        "ambiguous number explained: {}",
        r.body
    );
    let r = admin.json(Method::POST, "/api/v1/villages", json!({"name": "X", "admin_unit_code": "00583", "admin_unit_as_of": "2017-01-01", "status": "new", "households_total": 10, "households_in_craft": 20})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["error"]["fields"][0]["field"],
        "households_in_craft"
    );
    // Establishments: the tax code is checked (check digit) and unique.
    let r = admin.json(Method::POST, "/api/v1/establishments", json!({"name": "HTX gốm", "kind": "cooperative", "tax_code": "0100233489", "admin_unit_code": "00583", "admin_unit_as_of": "2017-01-01"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "tax_code");
    let est = create(&mut admin, "/api/v1/establishments", json!({"name": "HTX gốm sứ Bát Tràng", "kind": "cooperative", "tax_code": "0100233488", "village_id": id, "admin_unit_code": "00583", "admin_unit_as_of": "2017-01-01", "workers": 45})).await;
    assert_eq!(est["village_id_label"], "Làng nghề gốm Phù Lãng Mới");
    let r = admin.json(Method::POST, "/api/v1/establishments", json!({"name": "Khác", "kind": "household", "tax_code": "0100233488", "admin_unit_code": "00583", "admin_unit_as_of": "2017-01-01"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // Products: stars and expiry come from the score and the certificate date.
    let p = create(&mut admin, "/api/v1/products", json!({"name": "Bình hút lộc men rạn", "admin_unit_code": "00583", "admin_unit_as_of": "2017-01-01", "ocop_score": "72,5", "ocop_certified_on": "31/1/2023"})).await;
    assert_eq!(p["ocop_stars"], "4");
    assert_eq!(p["ocop_expires_on"], "2026-01-31");
    // Artisans and documents.
    let a = create(&mut admin, "/api/v1/artisans", json!({"name": "Nguyễn Văn A", "title": "Nghệ nhân ưu tú", "year_awarded": 2019, "craft_id": craft, "village_id": id, "admin_unit_code": "00583", "admin_unit_as_of": "2017-01-01"})).await;
    assert_eq!(
        a["title"], "meritorious",
        "labels are accepted for enum values"
    );
    // The seeds' 4892/QĐ-UBND of 29/9/2015 is already there: the same number and date is refused.
    let r = admin
        .json(
            Method::POST,
            "/api/v1/documents",
            json!({"number": "Quyết định số 4892/QĐ-UBND ngày 29/9/2015", "title": "Trùng"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("số, ký hiệu"),
        "{}",
        r.body
    );
    let d = create(&mut admin, "/api/v1/documents", json!({"number": "Quyết định số 5678/QĐ-UBND ngày 29/9/2015", "title": "Phê duyệt đề án thử nghiệm", "issuer": "UBND Thành phố Hà Nội"})).await;
    assert_eq!(d["number"], "5678/QĐ-UBND");
    assert_eq!(d["kind"], "QĐ");
    assert_eq!(d["seq"], 5678);
    assert_eq!(d["issued_on"], "2015-09-29");
    let r = admin
        .json(
            Method::POST,
            "/api/v1/documents",
            json!({"number": "không có số", "title": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Environment assessments take their village's unit.
    let e = create(&mut admin, "/api/v1/environment-assessments", json!({"village_id": id, "assessed_on": "15/3/2024", "water_samples": 3, "air_samples": 2, "classification": "meets"})).await;
    assert_eq!(e["admin_unit_code"], "00583");
}

pub async fn registry_rules_are_computed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let mk = |name: &str, total: Value, inc: Value| json!({"name": name, "admin_unit_code": "02680", "admin_unit_as_of": "2017-01-01", "status": "new", "households_total": total, "households_in_craft": inc, "stable_since_year": 2015, "environment_ok": true});
    let ok = create(
        &mut admin,
        "/api/v1/villages",
        mk("Làng A", json!(180), json!(45)),
    )
    .await["id"]
        .as_i64()
        .expect("a");
    let low = create(
        &mut admin,
        "/api/v1/villages",
        mk("Làng B", json!(180), json!(30)),
    )
    .await["id"]
        .as_i64()
        .expect("b");
    let unk = create(
        &mut admin,
        "/api/v1/villages",
        mk("Làng C", Value::Null, Value::Null),
    )
    .await["id"]
        .as_i64()
        .expect("c");
    let status = |v: &Value, key: &str| -> String {
        v["craft_village"]["criteria"]
            .as_array()
            .expect("c")
            .iter()
            .find(|c| c["key"] == key)
            .map(|c| c["status"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let a = api(&mut admin, &format!("/api/v1/villages/{ok}/checklist")).await;
    assert_eq!(status(&a, "households_share"), "met", "45/180 = 25 %: {a}");
    assert!(
        a["craft_village"]["criteria"].to_string().contains("25"),
        "the figures are shown: {a}"
    );
    assert_eq!(a["environment"]["overdue"], true, "never assessed");
    let bv = api(&mut admin, &format!("/api/v1/villages/{low}/checklist")).await;
    assert_eq!(
        status(&bv, "households_share"),
        "not_met",
        "30/180 = 16,7 %"
    );
    assert_eq!(bv["craft_village"]["status"], "not_met");
    let c = api(&mut admin, &format!("/api/v1/villages/{unk}/checklist")).await;
    assert_eq!(status(&c, "households_share"), "unknown");
    // An assessment this year takes village A off the overdue list.
    let this_year = langnghe_web::common::today();
    create(
        &mut admin,
        "/api/v1/environment-assessments",
        json!({"village_id": ok, "assessed_on": this_year.to_string(), "classification": "meets"}),
    )
    .await;
    let a = api(&mut admin, &format!("/api/v1/villages/{ok}/checklist")).await;
    assert_eq!(a["environment"]["overdue"], false);
    let overdue = api(
        &mut admin,
        "/api/v1/villages?environment_overdue=true&limit=500",
    )
    .await;
    let ids: Vec<i64> = overdue["items"]
        .as_array()
        .expect("i")
        .iter()
        .filter_map(|x| x["id"].as_i64())
        .collect();
    assert!(!ids.contains(&ok) && ids.contains(&low));
    // OCOP: expired and expiring-soon lists.
    let today = langnghe_web::common::today();
    let expired_cert = (today - time::Duration::days(37 * 31)).to_string();
    let expiring_cert = (today - time::Duration::days(36 * 30 + 10)).to_string();
    let p1 = create(&mut admin, "/api/v1/products", json!({"name": "Rượu San Lùng", "admin_unit_code": "02740", "admin_unit_as_of": "2017-01-01", "ocop_score": 65, "ocop_certified_on": expired_cert})).await;
    let p2 = create(&mut admin, "/api/v1/products", json!({"name": "Hương Kíp Tước", "admin_unit_code": "02680", "admin_unit_as_of": "2017-01-01", "ocop_score": 91, "ocop_certified_on": expiring_cert})).await;
    assert_eq!(p1["ocop_stars"], "3");
    assert_eq!(p2["ocop_stars"], "5");
    let exp = api(&mut admin, "/api/v1/products?ocop_status=expired").await;
    assert_eq!(names(&exp), vec!["Rượu San Lùng"]);
    let soon = api(&mut admin, "/api/v1/products?ocop_status=expiring").await;
    assert_eq!(names(&soon), vec!["Hương Kíp Tước"], "{soon}");
    let five = api(&mut admin, "/api/v1/products?ocop_stars=5").await;
    assert_eq!(five["total"], 1);
    // Recognition decision recorded on the village.
    let r = admin.json(Method::POST, &format!("/api/v1/villages/{ok}/recognition"), json!({"number": "Quyết định số 1234/QĐ-UBND ngày 15/3/2024", "status": "traditional", "issuer": "UBND tỉnh Lào Cai"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "traditional");
    assert_eq!(r.json()["recognition_doc_id_label"], "1234/QĐ-UBND");
    let page = admin.get(&format!("/villages/{ok}")).await;
    assert!(page.body.contains("1234/QĐ-UBND") && page.body.contains("Làng nghề truyền thống"));
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/villages/{ok}/recognition"),
            json!({"number": "", "status": "traditional"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

pub async fn registry_lists_filter_sort_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let by_old = api(
        &mut admin,
        "/api/v1/villages?province=10&as_of=2017-01-01&limit=500",
    )
    .await;
    assert_eq!(by_old["total"], 40);
    let sapa = api(&mut admin, "/api/v1/villages?district=088&limit=500").await;
    assert!(sapa["total"].as_i64().expect("t") >= 5, "{sapa}");
    assert!(names(&sapa).iter().any(|n| n.contains("Ngũ Chỉ Sơn")));
    let trad = api(&mut admin, "/api/v1/villages?traditional=true").await;
    assert_eq!(trad["total"], 2);
    let dao = api(
        &mut admin,
        "/api/v1/villages?ethnic_group=dao%20%C4%91%E1%BB%8F&limit=500",
    )
    .await;
    assert!(
        names(&dao).iter().any(|n| n.contains("Ngũ Chỉ Sơn")),
        "{dao}"
    );
    let g1 = api(&mut admin, "/api/v1/villages?craft_group=4&limit=500").await;
    assert!(g1["total"].as_i64().expect("t") > 0);
    let at_risk = api(&mut admin, "/api/v1/villages?status=at_risk&limit=1").await;
    assert_eq!(at_risk["items"].as_array().expect("i").len(), 1);
    let total = at_risk["total"].as_i64().expect("t");
    assert!(total > 10);
    let asc = api(&mut admin, "/api/v1/villages?sort=name&limit=5").await;
    let desc = api(&mut admin, "/api/v1/villages?sort=-name&limit=5").await;
    assert_ne!(asc["items"][0]["name"], desc["items"][0]["name"]);
    let p2 = api(&mut admin, "/api/v1/villages?sort=name&limit=5&offset=5").await;
    assert_ne!(asc["items"][0]["id"], p2["items"][0]["id"]);
    let trad_crafts = api(&mut admin, "/api/v1/crafts?traditional=true&limit=500").await;
    assert!(trad_crafts["items"]
        .as_array()
        .expect("c")
        .iter()
        .all(|c| c["is_traditional"] == true));
    for bad in [
        "sort=bogus",
        "status=xyz",
        "unit=99999",
        "as_of=30/2/2021",
        "traditional=maybe",
        "ocop_status=soon",
        "format=pdf",
    ] {
        let r = admin.get(&format!("/api/v1/villages?{bad}")).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    // The page keeps the filters in its URL and shows the count.
    let page = admin
        .get("/villages?status=at_risk&district=088&sort=-name")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Hiển thị 1-"));
    assert!(page.body.contains("format=xlsx") && page.body.contains("status=at_risk"));
}

pub async fn registry_search_is_ranked_and_folded(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let nfd: String = "chạm khắc bạc".nfd().collect();
    for q in [
        "cham+khac+bac",
        "Ch%E1%BA%A1m+kh%E1%BA%AFc",
        "CHAM KHAC".replace(' ', "+").as_str(),
        &langnghe_web::ctx::urlencode(&nfd),
    ] {
        let v = api(&mut admin, &format!("/api/v1/search?q={q}")).await;
        let first = &v["items"][0];
        assert!(
            first["name"]
                .as_str()
                .unwrap_or("")
                .to_lowercase()
                .contains("chạm khắc bạc"),
            "{q}: {v}"
        );
        assert!(
            first["highlighted"]
                .as_str()
                .unwrap_or("")
                .contains("<mark>"),
            "{v}"
        );
        for k in ["kind", "id", "name"] {
            assert!(!first[k].is_null(), "{k}");
        }
    }
    // Ranking: a name match comes before a match in other text.
    let v = api(&mut admin, "/api/v1/search?q=bat+trang").await;
    assert_eq!(v["items"][0]["name"], "Làng nghề gốm sứ Bát Tràng", "{v}");
    let v = api(&mut admin, "/api/v1/search?q=ruou&kind=village&limit=50").await;
    assert!(v["total"].as_i64().expect("t") >= 3);
    assert!(v["items"]
        .as_array()
        .expect("i")
        .iter()
        .all(|h| h["kind"] == "village"));
    let v = api(&mut admin, "/api/v1/search?q=%22*%29%28").await;
    assert_eq!(v["total"], 0, "syntax is never injected");
    let r = admin.get("/api/v1/search?q=x&kind=planet").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = admin.get("/search?q=van+phuc").await;
    assert!(
        page.body.contains("<mark>Vạn</mark> <mark>Phúc</mark>"),
        "highlighted on the page"
    );
    // The list filter uses the same index.
    let l = api(&mut admin, "/api/v1/villages?q=nau+ruou").await;
    assert!(l["total"].as_i64().expect("t") >= 3);
}

pub async fn registry_scope_hides_other_places(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut officer = app
        .user("canbo.gialam", "officer", "hn-ubnd-gia-lam", "018")
        .await;
    let v = api(&mut officer, "/api/v1/villages?limit=500").await;
    assert_eq!(names(&v), vec!["Làng nghề gốm sứ Bát Tràng"]);
    let s = api(
        &mut officer,
        "/api/v1/search?q=cham+khac+bac&kind=village,artisan,product,establishment",
    )
    .await;
    assert_eq!(s["total"], 0, "Lào Cai villages do not leak into search");
    let mut admin = app.admin().await;
    let lc = api(&mut admin, "/api/v1/villages?q=kip+tuoc").await["items"][0]["id"]
        .as_i64()
        .expect("lc");
    assert_eq!(
        officer.get(&format!("/api/v1/villages/{lc}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        officer.get(&format!("/villages/{lc}")).await.status,
        StatusCode::NOT_FOUND
    );
    let csv = officer.get("/api/v1/villages?format=csv").await;
    assert!(
        !csv.body.contains("Kíp Tước") && csv.body.contains("Bát Tràng"),
        "exports are scoped"
    );
    assert_eq!(officer.json(Method::POST, "/api/v1/villages", json!({"name": "x", "admin_unit_code": "00583", "admin_unit_as_of": "2017-01-01", "status": "new"})).await.status, StatusCode::FORBIDDEN);
    let mut coord = app
        .user("dieuphoi.gialam", "coordinator", "hn-ubnd-gia-lam", "018")
        .await;
    let r = coord.json(Method::POST, "/api/v1/villages", json!({"name": "x", "admin_unit_code": "02680", "admin_unit_as_of": "2017-01-01", "status": "new"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "admin_unit_code");
    let r = coord
        .json(
            Method::PUT,
            &format!("/api/v1/villages/{lc}"),
            json!({"name": "hijack"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Crafts have no unit: everyone in the province reads them.
    assert!(
        api(&mut officer, "/api/v1/crafts").await["total"]
            .as_i64()
            .expect("t")
            > 30
    );
}

pub async fn registry_export_xlsx_and_csv(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    create(&mut admin, "/api/v1/villages", json!({"name": "=HYPERLINK(\"http://x\")", "admin_unit_code": "00583", "admin_unit_as_of": "2017-01-01", "status": "new", "workers": 17800})).await;
    let r = admin.get("/api/v1/villages?unit=01&format=xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .contains(".xlsx"));
    let bytes = {
        let req = http::Request::get("/api/v1/villages?unit=01&format=xlsx")
            .body(axum::body::Body::empty())
            .expect("r");
        let mut c = admin.clone();
        let res = c.send_raw(req).await;
        res
    };
    let sheet =
        langnghe_reports::read_table(&bytes, "x.xlsx", &langnghe_reports::Limits::default())
            .expect("xlsx reads back");
    assert!(
        sheet.headers.iter().any(|h| h == "Tên làng nghề"),
        "{:?}",
        sheet.headers
    );
    assert!(sheet.headers.iter().any(|h| h.starts_with("Số lao động")));
    assert_eq!(sheet.rows.len(), 3, "Bát Tràng, Vạn Phúc and the new one");
    let name_col = sheet
        .headers
        .iter()
        .position(|h| h == "Tên làng nghề")
        .expect("name col");
    let workers_col = sheet
        .headers
        .iter()
        .position(|h| h.starts_with("Số lao động"))
        .expect("workers");
    let row = sheet
        .rows
        .iter()
        .find(|r| r.cells[name_col].starts_with("=HYPERLINK"))
        .expect("formula text kept as text");
    assert_eq!(row.cells[workers_col], "17800");
    let csv = admin.get("/api/v1/villages?unit=01&format=csv").await;
    assert!(csv.body.starts_with('\u{feff}'), "UTF-8 BOM");
    assert!(
        csv.body.contains("'=HYPERLINK"),
        "formula neutralised in CSV"
    );
    assert!(csv.body.contains("Làng nghề gốm sứ Bát Tràng"));
    let page_export = admin.get("/villages?unit=01&format=csv").await;
    assert_eq!(
        page_export.status,
        StatusCode::OK,
        "the page's export link works"
    );
}

pub async fn registry_import_is_all_or_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let tpl = admin.get("/villages/import/template.xlsx").await;
    assert_eq!(tpl.status, StatusCode::OK);
    let page = admin.get("/villages/import").await;
    assert!(page.body.contains("multipart/form-data"));
    let header = "Tên làng nghề (*),Thôn, bản,Mã địa bàn (*),Mã đọc tại ngày,Nghề,Tình trạng (*),Tổng số hộ (hộ)";
    let header = header.replace("Thôn, bản", "\"Thôn, bản\"");
    let good = format!("{header}\nLàng Xyzabc A,,00583,30/6/2025,Nghề gốm sứ,Làng nghề truyền thống,1.200\nLàng Xyzabc B,Thôn 1,00583,30/6/2025,,new,\n");
    let bad = format!("{good}Làng Xyzabc C,,99999,30/6/2025,,không rõ,12.5\n");
    let r = upload(
        &mut admin,
        "/api/v1/villages/import",
        "lang.csv",
        bad.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let errs = r.json();
    let rows: Vec<(i64, String)> = errs["items"]
        .as_array()
        .expect("e")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["column"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(rows.contains(&(4, "Mã địa bàn (*)".to_string())), "{errs}");
    assert!(rows.contains(&(4, "Tình trạng (*)".to_string())), "{errs}");
    assert!(rows.contains(&(4, "Tổng số hộ (hộ)".to_string())), "{errs}");
    assert!(
        rows.iter().all(|(r, _)| *r == 4),
        "only the bad row: {errs}"
    );
    assert_eq!(
        api(&mut admin, "/api/v1/villages?q=xyzabc").await["total"],
        0,
        "nothing imported"
    );
    // The same through the page (browser form with its CSRF field).
    admin.get("/villages/import").await;
    let r = upload(&mut admin, "/villages/import", "lang.csv", bad.as_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("import-errors") && r.body.contains("99999"));
    // Fixed: accepted, run as a job, all rows in.
    let r = upload(
        &mut admin,
        "/api/v1/villages/import",
        "lang.csv",
        good.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let job = wait_job(&mut admin, r.json()["id"].as_str().expect("id")).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["done"], 2);
    let v = api(&mut admin, "/api/v1/villages?q=xyzabc").await;
    assert_eq!(v["total"], 2);
    assert!(v["items"]
        .as_array()
        .expect("i")
        .iter()
        .any(|x| x["households_total"] == 1200 && x["status"] == "traditional"));
    // Importing the same file twice is fine (no unique names); a duplicate tax code is not.
    let est = "Tên cơ sở (*),Loại hình cơ sở (*),Mã số thuế,Mã địa bàn (*),Mã đọc tại ngày\nHTX A,cooperative,0100233488,00583,30/6/2025\nHTX B,household,0100233488,00583,30/6/2025\n";
    let r = upload(
        &mut admin,
        "/api/v1/establishments/import",
        "est.csv",
        est.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let job = wait_job(&mut admin, r.json()["id"].as_str().expect("id")).await;
    assert_eq!(
        job["status"], "failed",
        "duplicate tax code rolls everything back: {job}"
    );
    assert_eq!(
        api(&mut admin, "/api/v1/establishments?q=htx").await["total"],
        0,
        "nothing half-written"
    );
    // Not a spreadsheet, a zip bomb, an empty file, a file too large.
    let r = upload(
        &mut admin,
        "/api/v1/villages/import",
        "x.xlsx",
        b"\x89PNG\r\n\x1a\nnot a spreadsheet",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("xlsx"), "{}", r.body);
    let r = upload(&mut admin, "/api/v1/villages/import", "x.csv", b"").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let big = vec![b'a'; 21 * 1024 * 1024];
    let r = upload(&mut admin, "/api/v1/villages/import", "x.csv", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    let mut bomb = std::io::Cursor::new(Vec::new());
    {
        use std::io::Write;
        let mut z = zip::ZipWriter::new(&mut bomb);
        z.start_file::<_, ()>(
            "xl/worksheets/sheet1.xml",
            zip::write::FileOptions::default(),
        )
        .expect("zip");
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..300 {
            z.write_all(&zeros).expect("zip write");
        }
        z.finish().expect("zip finish");
    }
    let r = upload(
        &mut admin,
        "/api/v1/villages/import",
        "bomb.xlsx",
        bomb.get_ref(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("giải nén") || r.body.contains("uncompressed"),
        "{}",
        r.body
    );
    // Officers cannot import.
    let mut officer = app
        .user("canbo.import", "officer", "hn-ubnd-gia-lam", "018")
        .await;
    let r = upload(
        &mut officer,
        "/api/v1/villages/import",
        "lang.csv",
        good.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

pub async fn registry_document_files(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let so_ct = api(&mut admin, "/api/v1/agencies?q=so+cong+thuong+ha+noi").await["items"][0]["id"]
        .as_i64()
        .expect("so ct");
    let d = create(&mut admin, "/api/v1/documents", json!({"number": "Kế hoạch số 317/KH-UBND ngày 21 tháng 9 năm 2022", "title": "Bản sao thử", "issuer_agency_id": so_ct})).await;
    assert_eq!(
        d["issuer_agency_id_label"],
        "Sở Công Thương thành phố Hà Nội"
    );
    let id = d["id"].as_i64().expect("id");
    let pdf = "%PDF-1.7\n% Kế hoạch 316/KH-UBND\n%%EOF\n".as_bytes();
    let r = upload(
        &mut admin,
        &format!("/api/v1/documents/{id}/file"),
        "Kế hoạch 316.pdf",
        pdf,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["file_name"], "Kế hoạch 316.pdf");
    assert_eq!(r.json()["file_size"], pdf.len());
    let got = admin
        .clone()
        .send_raw(
            http::Request::get(format!("/api/v1/documents/{id}/file"))
                .body(axum::body::Body::empty())
                .expect("r"),
        )
        .await;
    assert_eq!(got, pdf.to_vec());
    let r = admin.get(&format!("/documents/{id}/file")).await;
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert!(r
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .starts_with("attachment"));
    let r = upload(
        &mut admin,
        &format!("/api/v1/documents/{id}/file"),
        "x.pdf",
        b"<html><script>alert(1)</script>",
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "content decides, not the name"
    );
    let h = api(&mut admin, &format!("/api/v1/documents/{id}/history")).await;
    assert_eq!(h["items"][0]["action"], "attach_file");
    let page = admin.get(&format!("/documents/{id}")).await;
    assert!(page.body.contains("Kế hoạch 316.pdf"));
    // Scope: an officer of Gia Lâm cannot fetch a Lào Cai document's file.
    let lc = create(&mut admin, "/api/v1/documents", json!({"number": "99/QĐ-UBND", "title": "Lào Cai", "admin_unit_code": "10", "admin_unit_as_of": "2017-01-01"})).await["id"].as_i64().expect("lc");
    upload(
        &mut admin,
        &format!("/api/v1/documents/{lc}/file"),
        "a.pdf",
        pdf,
    )
    .await;
    let mut officer = app
        .user("canbo.tep", "officer", "hn-ubnd-gia-lam", "018")
        .await;
    assert_eq!(
        officer
            .get(&format!("/api/v1/documents/{lc}/file"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        officer
            .get(&format!("/api/v1/documents/{id}/file"))
            .await
            .status,
        StatusCode::OK,
        "documents without a unit are for everyone"
    );
}
