//! The registry: versions (no lost update), exact audit chains,
//! imports beside other writers, deep pages by cursor.

use crate::api;
use crate::concurrency::{audit_chain, burst, token_client};
use http::{header, Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use serde_json::{json, Value};

/// The first demo village: (id, path of its API record).
async fn a_village(c: &mut Client) -> (i64, String) {
    let list = api(c, "/api/v1/villages?limit=1&sort=name").await;
    let id = list["items"][0]["id"].as_i64().expect("a demo village");
    (id, format!("/api/v1/villages/{id}"))
}

/// A change of one village: its `workers` count plus one.
fn increment_workers(rec: &Value) -> Value {
    json!({"workers": rec["workers"].as_i64().unwrap_or(0) + 1})
}

pub async fn registry_versions_refuse_lost_updates(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = token_client(&app).await;
    let (id, path) = a_village(&mut c).await;
    let r = c.get(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    let rec = r.json();
    let v = rec["version"].as_i64().expect("a version in the body");
    assert_eq!(
        r.headers.get(header::ETAG).and_then(|h| h.to_str().ok()),
        Some(format!("\"{v}\"").as_str()),
        "the version is the ETag"
    );
    // No version: 428, nothing written.
    let r = c
        .json(Method::PUT, &path, json!({"workers": 1_234_567}))
        .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "version_required");
    assert_eq!(api(&mut c, &path).await["version"], v, "nothing written");
    // The version read: accepted; the version moves on and is the new ETag.
    let r = c
        .json(Method::PUT, &path, json!({"workers": 4321, "version": v}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], v + 1);
    assert_eq!(
        r.headers.get(header::ETAG).and_then(|h| h.to_str().ok()),
        Some(format!("\"{}\"", v + 1).as_str())
    );
    // The same version again is stale: 409 with the record as stored.
    let r = c
        .json(Method::PUT, &path, json!({"workers": 1, "version": v}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let err = r.json()["error"].clone();
    assert_eq!(err["code"], "stale_version");
    assert_eq!(err["current"]["version"], v + 1, "{err}");
    assert_eq!(err["current"]["workers"], 4321);
    assert_eq!(err["current"]["id"], id);
    // If-Match works like the body; a bad version names the field.
    let req = http::Request::builder()
        .method(Method::PUT)
        .uri(&path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, format!("\"{}\"", v + 1))
        .body(axum::body::Body::from(json!({"workers": 4322}).to_string()))
        .expect("request");
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], v + 2);
    let r = c
        .json(Method::PUT, &path, json!({"workers": 1, "version": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "version");
    // Every kind of registry record answers its version (and refuses without one).
    for slug in [
        "documents",
        "crafts",
        "establishments",
        "artisans",
        "products",
        "environment-assessments",
    ] {
        let list = api(&mut c, &format!("/api/v1/{slug}?limit=1")).await;
        let Some(rid) = list["items"][0]["id"].as_i64() else {
            continue;
        };
        let p = format!("/api/v1/{slug}/{rid}");
        let rec = api(&mut c, &p).await;
        let rv = rec["version"].as_i64().expect("version");
        let r = c.json(Method::PUT, &p, json!({})).await;
        assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{p}");
        let r = c.json(Method::PUT, &p, json!({"version": rv})).await;
        assert_eq!(r.status, StatusCode::OK, "{p}: {}", r.body);
        assert_eq!(r.json()["version"], rv + 1, "{p}");
    }

    // The edit page carries the version; a stale save is a 409 page with what I
    // typed beside what is stored, carrying the stored version.
    let mut admin = app.admin().await;
    let rec = api(&mut c, &path).await;
    let v = rec["version"].as_i64().expect("v");
    let form = admin.get(&format!("/villages/{id}/edit")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body
            .contains(&format!("name=\"version\" value=\"{v}\"")),
        "hidden version"
    );
    let r = c
        .json(
            Method::PUT,
            &path,
            json!({"name": "Tên người khác lưu", "version": v}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let version = v.to_string();
    let unit = rec["admin_unit_code"].as_str().expect("unit").to_string();
    let as_of = if unit.len() == 3 { "2025-06-30" } else { "" };
    let status = rec["status"].as_str().unwrap_or("recognised").to_string();
    let fields = [
        ("name", "Tên tôi gõ"),
        ("admin_unit_code", unit.as_str()),
        ("admin_unit_as_of", as_of),
        ("status", status.as_str()),
        ("version", version.as_str()),
    ];
    let r = admin.form(&format!("/villages/{id}"), &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("Bạn nhập") && r.body.contains("Đã lưu"));
    assert!(r.body.contains("Tên tôi gõ"), "typing kept");
    assert!(r.body.contains("Tên người khác lưu"), "stored shown");
    assert!(r
        .body
        .contains(&format!("name=\"version\" value=\"{}\"", v + 1)));
    let stored = api(&mut c, &path).await;
    assert_eq!(stored["name"], "Tên người khác lưu", "nothing overwritten");
    // Saving again with the stored version overwrites deliberately.
    let next = (v + 1).to_string();
    let mut again = fields.to_vec();
    again.retain(|(k, _)| *k != "version");
    again.push(("version", next.as_str()));
    let r = admin.form(&format!("/villages/{id}"), &again).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(api(&mut c, &path).await["name"], "Tên tôi gõ");
    // A form without its version is refused, not saved.
    let mut none = fields.to_vec();
    none.retain(|(k, _)| *k != "version");
    admin.get(&format!("/villages/{id}/edit")).await;
    let r = admin.form(&format!("/villages/{id}"), &none).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED, "{}", r.body);
}

pub async fn registry_concurrent_updates_lose_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = token_client(&app).await;
    let (id, path) = a_village(&mut c).await;
    let start = api(&mut c, &path).await["workers"].as_i64().unwrap_or(0);
    let (rows_before, _) = audit_chain(&mut c, "village", id).await;
    // 50 clients read-modify-write one village.
    let one = vec![path.clone()];
    let r = burst(&c, &one, 50, 2, increment_workers).await;
    assert_eq!(r.server_errors, 0, "{r:?}");
    assert!(r.other.is_empty(), "{:?}", r.other);
    assert_eq!(r.ok + r.conflict, 100, "every loser got 409");
    assert!(r.ok >= 1);
    let end = api(&mut c, &path).await["workers"].as_i64().unwrap_or(0);
    assert_eq!(
        end - start,
        r.ok as i64,
        "every acknowledged write is in the record: 0 lost"
    );
    // Every 2xx is one audit row, and each row's before is the previous row's after.
    let (rows, breaks) = audit_chain(&mut c, "village", id).await;
    assert_eq!(
        rows - rows_before,
        r.ok,
        "one audit row per acknowledged write"
    );
    assert_eq!(breaks, 0, "before-images are exact");
    // Distinct villages at once: every write succeeds.
    let list = api(&mut c, "/api/v1/villages?limit=20&sort=name").await;
    let paths: Vec<String> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| format!("/api/v1/villages/{}", v["id"]))
        .collect();
    let d = burst(&c, &paths, paths.len(), 2, increment_workers).await;
    assert_eq!(d.server_errors, 0, "{d:?}");
    assert_eq!(d.conflict, 0, "{d:?}");
    assert_eq!(d.ok, paths.len() * 2, "{:?}", d.other);
}

/// Ids of a list walked page by page with `after`, and the number of pages.
async fn walk(c: &mut Client, base: &str, limit: usize) -> (Vec<i64>, usize) {
    let mut ids = vec![];
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &after {
            None => format!("{base}&limit={limit}"),
            Some(a) => format!("{base}&limit={limit}&after={a}"),
        };
        let page = api(c, &path).await;
        pages += 1;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= limit, "{path}");
        ids.extend(items.iter().filter_map(|i| i["id"].as_i64()));
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => {
                assert!(page["next"].is_null(), "next is null on the last page");
                break;
            }
        }
        assert!(pages < 10_000, "the walk ends");
    }
    (ids, pages)
}

pub async fn registry_cursor_walks_every_row_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = token_client(&app).await;
    // Ties on the sort value: five villages of one name, some with no worker count.
    let (_, path) = a_village(&mut c).await;
    let v = api(&mut c, &path).await;
    let unit = v["admin_unit_code"].as_str().expect("unit").to_string();
    let as_of = if unit.len() == 3 { "2025-06-30" } else { "" };
    for i in 0..5 {
        let workers = if i % 2 == 0 { Value::Null } else { json!(77) };
        let r = c
            .json(
                Method::POST,
                "/api/v1/villages",
                json!({"name": "Làng trùng tên", "admin_unit_code": unit, "admin_unit_as_of": as_of,
                       "status": "new", "workers": workers}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    for sort in [
        "name",
        "-name",
        "workers",
        "-workers",
        "admin_unit",
        "-production_value",
    ] {
        let base = format!("/api/v1/villages?sort={sort}");
        let all = api(&mut c, &format!("{base}&limit=500")).await;
        let expected: Vec<i64> = all["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["id"].as_i64())
            .collect();
        assert_eq!(expected.len() as i64, all["total"].as_i64().expect("total"));
        assert!(all["next"].is_null());
        let (ids, pages) = walk(&mut c, &base, 4).await;
        assert_eq!(ids, expected, "sort {sort}: every row once, in order");
        assert!(pages > 5, "{pages}");
        // Offsets and cursors agree page by page.
        let p3 = api(&mut c, &format!("{base}&limit=4&offset=8")).await;
        let by_offset: Vec<i64> = p3["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["id"].as_i64())
            .collect();
        assert_eq!(by_offset, expected[8..12].to_vec(), "sort {sort}");
    }
    // Filters hold along the walk.
    let base = "/api/v1/villages?sort=name&q=trung+ten";
    let (ids, _) = walk(&mut c, base, 2).await;
    assert_eq!(ids.len(), 5);
    // A bad cursor, or one of another sort, is a 422 naming `after`.
    let first = api(&mut c, "/api/v1/villages?sort=name&limit=2").await;
    let next = first["next"].as_str().expect("next").to_string();
    for bad in [
        "/api/v1/villages?sort=name&after=xyz".to_string(),
        format!("/api/v1/villages?sort=-name&after={next}"),
        format!("/api/v1/villages?sort=workers&after={next}"),
    ] {
        let r = c.get(&bad).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
        assert_eq!(r.json()["error"]["fields"][0]["field"], "after", "{bad}");
    }
    // The page's "next" link goes by cursor.
    let mut admin = app.admin().await;
    let page = admin.get("/villages?sort=name").await;
    assert_eq!(page.status, StatusCode::OK);
    if api(&mut c, "/api/v1/villages?limit=1").await["total"]
        .as_i64()
        .unwrap_or(0)
        > 50
    {
        assert!(page.body.contains("&amp;after="), "next link by cursor");
    }
    let r = admin.get("/villages?sort=name&after=xyz").await;
    assert_eq!(r.status, StatusCode::OK, "the page shows the error");
    // The audit log walks the same way, newest first.
    let all = api(&mut c, "/api/v1/audit?limit=500").await;
    let expected: Vec<i64> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["id"].as_i64())
        .collect();
    let (ids, _) = walk(&mut c, "/api/v1/audit?entity=", 50).await;
    assert_eq!(ids.len() as i64, all["total"].as_i64().expect("total"));
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, each once"
    );
    assert_eq!(
        ids[..expected.len()].to_vec(),
        expected,
        "cursor and offset agree"
    );
    let r = c.get("/api/v1/audit?after=xyz").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "after");
}

pub async fn registry_import_beside_other_writers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = token_client(&app).await;
    let mut admin = app.admin().await;
    let (_, path) = a_village(&mut c).await;
    let rows = 3_000;
    let mut csv = String::from(
        "Tên làng nghề (*),Mã địa bàn (*),Mã đọc tại ngày,Nghề,Tình trạng (*),Tổng số hộ (hộ)\n",
    );
    for i in 0..rows {
        csv.push_str(&format!(
            "Làng Nhậpkhẩu {i},00583,30/6/2025,Nghề gốm sứ,new,{}\n",
            100 + i
        ));
    }
    admin.get("/villages/import").await;
    let r = crate::registry::upload(
        &mut admin,
        "/api/v1/villages/import",
        "lang.csv",
        csv.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let job = r.json()["id"].as_str().expect("job id").to_string();
    // While it runs: another person's read-modify-writes and reads get their
    // answer (or a 503 when the lock is not had in time), never another 5xx.
    let mut statuses: Vec<StatusCode> = vec![];
    let mut reads: Vec<StatusCode> = vec![];
    let mut finished = None;
    for _ in 0..600 {
        let rec = c.get(&path).await;
        reads.push(rec.status);
        if rec.status == StatusCode::OK {
            let mut body = increment_workers(&rec.json());
            body["version"] = rec.json()["version"].clone();
            statuses.push(c.json(Method::PUT, &path, body).await.status);
        }
        let j = c.get(&format!("/api/v1/imports/{job}")).await;
        reads.push(j.status);
        if j.status == StatusCode::OK && j.json()["status"] != "running" {
            finished = Some(j.json());
            break;
        }
    }
    let j = finished.expect("the import finishes");
    assert_eq!(j["status"], "done", "{j}");
    assert_eq!(j["done"], rows);
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{statuses:?}"
    );
    // (A token's reads may still wait for its last-use mark: then a 503, never a 500.)
    assert!(
        reads
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE),
        "{reads:?}"
    );
    assert!(!statuses.is_empty());
    let v = api(&mut c, "/api/v1/villages?q=nhapkhau&limit=1").await;
    assert_eq!(v["total"], rows, "every row in");
    // Each imported record has its creation in its history, and its search entry.
    let id = v["items"][0]["id"].as_i64().expect("id");
    let h = api(&mut c, &format!("/api/v1/villages/{id}/history")).await;
    assert_eq!(h["items"][0]["action"], "create", "{h}");
    assert_eq!(h["items"][0]["after"]["id"], id);
    let s = api(&mut c, "/api/v1/search?q=nhapkhau+2999&kind=village").await;
    assert!(s["total"].as_i64().unwrap_or(0) >= 1, "{s}");
    let one = api(&mut c, &format!("/api/v1/villages/{id}")).await;
    assert_eq!(
        one["crafts"].as_array().map(Vec::len),
        Some(1),
        "crafts linked"
    );
}
