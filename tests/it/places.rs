//! Places by name and registry pages for officials,
//! each on SQLite and PostgreSQL.

use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use serde_json::{json, Value};

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_string()
}

async fn get_json(c: &mut Client, path: &str) -> Value {
    let r = c.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.json()
}

fn labels(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["label"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The village of the demo with this exact name (searched through the API).
async fn village_id(c: &mut Client, name: &str) -> i64 {
    let v = get_json(c, &format!("/api/v1/villages?q={}&limit=50", enc(name))).await;
    v["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["name"] == name))
        .and_then(|i| i["id"].as_i64())
        .unwrap_or_else(|| panic!("no village {name}: {v}"))
}

pub async fn places_name_search_with_parents_and_era(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    // No diacritics, any case.
    let v = get_json(&mut admin, "/api/v1/admin-units/search?q=y%20ty").await;
    let l = labels(&v);
    assert!(
        l.iter()
            .any(|s| s == "Xã Y Tý — Huyện Bát Xát — Tỉnh Lào Cai (trước 1/7/2025)"),
        "{l:?}"
    );
    assert!(
        l.iter()
            .any(|s| s == "Xã Y Tý — Tỉnh Lào Cai (từ 1/7/2025)"),
        "{l:?}"
    );
    let old = v["items"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|i| i["era"] == "old" && i["name"] == "Xã Y Tý")
        })
        .cloned()
        .expect("old Y Tý");
    assert_eq!(old["code"], "02701");
    assert_eq!(
        old["as_of"], "2025-06-30",
        "the date that makes the code mean it"
    );
    assert_eq!(old["parents"], json!(["Huyện Bát Xát", "Tỉnh Lào Cai"]));
    // A parent narrows; the level filter too.
    let v = get_json(
        &mut admin,
        "/api/v1/admin-units/search?q=bat%20xat&level=district",
    )
    .await;
    assert_eq!(
        labels(&v),
        vec!["Huyện Bát Xát — Tỉnh Lào Cai (trước 1/7/2025)"]
    );
    // In English.
    // In English (the geography is public: no login needed).
    let mut anon = app.client();
    anon.accept_language = Some("en".into());
    let v = get_json(
        &mut anon,
        "/api/v1/admin-units/search?q=Y%20T%C3%BD&level=commune",
    )
    .await;
    assert!(
        labels(&v)
            .iter()
            .any(|s| s == "Xã Y Tý — Huyện Bát Xát — Tỉnh Lào Cai (before 1 Jul 2025)"),
        "{v}"
    );
    // Bad input names its field.
    let r = admin
        .get("/api/v1/admin-units/search?q=x&level=planet")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("\"level\""), "{}", r.body);
    // The plain page without JavaScript: results link back with the code and its date.
    let r = admin
        .get("/admin-units/pick?q=y+ty&field=unit&as_of_field=as_of&return=%2Fvillages%3Fstatus%3Dat_risk")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body
            .contains("href=\"/villages?status=at_risk&amp;unit=02701&amp;as_of=2025-06-30\""),
        "{}",
        r.body
    );
    assert!(r
        .body
        .contains("Xã Y Tý — Huyện Bát Xát — Tỉnh Lào Cai (trước 1/7/2025)"));
    // Never a link to another site.
    let r = admin
        .get("/admin-units/pick?q=y+ty&field=unit&return=%2F%2Fevil.example%2F")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("evil.example"), "{}", r.body);
}

pub async fn places_filters_take_names(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let by_code = get_json(&mut admin, "/api/v1/villages?province=15&limit=500").await;
    let total = by_code["total"].as_i64().expect("total");
    assert!(total >= 30, "the Lào Cai villages of the demo: {total}");
    for name in ["Lào Cai", "lao cai", "Tỉnh Lào Cai"] {
        let v = get_json(
            &mut admin,
            &format!("/api/v1/villages?province={}&limit=500", enc(name)),
        )
        .await;
        assert_eq!(v["total"], by_code["total"], "province={name}");
        assert_eq!(v["items"], by_code["items"], "province={name}");
    }
    // The generic unit filter: a bare name means the largest unit of that name.
    let v = get_json(
        &mut admin,
        &format!("/api/v1/villages?unit={}&limit=500", enc("Lào Cai")),
    )
    .await;
    assert_eq!(v["total"], by_code["total"]);
    // A district by name, before the reform.
    let bx = get_json(&mut admin, "/api/v1/villages?unit=082&as_of=2025-06-30").await;
    let bx_name = get_json(
        &mut admin,
        &format!("/api/v1/villages?unit={}", enc("Huyện Bát Xát")),
    )
    .await;
    assert_eq!(bx["total"], bx_name["total"]);
    assert!(bx["total"].as_i64().unwrap_or(0) > 0);
    // The page: the filter shows which unit it was read as; no "mã 'Lào Cai'" error.
    let r = admin
        .get(&format!("/villages?unit={}", enc("Lào Cai")))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        !r.body.contains("Không có đơn vị hành chính mã"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Lọc theo: Tỉnh Lào Cai (từ 1/7/2025)"),
        "{}",
        r.body
    );
}

pub async fn places_ambiguous_or_unknown_names_are_422(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let r = admin
        .get(&format!("/api/v1/villages?unit={}", enc("Tân Thịnh")))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let body = r.json();
    let f = &body["error"]["fields"][0];
    assert_eq!(f["field"], "unit", "{body}");
    let msg = f["message"].as_str().unwrap_or("");
    assert!(msg.contains("Có nhiều đơn vị tên “Tân Thịnh”"), "{msg}");
    assert!(
        msg.matches("Xã Tân Thịnh —").count() >= 2,
        "candidates with their parents: {msg}"
    );
    // Unknown names say so (not "mã").
    let r = admin
        .get(&format!("/api/v1/villages?province={}", enc("Atlantis")))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.json();
    assert_eq!(body["error"]["fields"][0]["field"], "province");
    assert!(body["error"]["fields"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("Không tìm thấy đơn vị hành chính “Atlantis”"));
    // The same on the village form.
    let r = admin
        .json(
            Method::POST,
            "/api/v1/villages",
            json!({"name": "Làng thử", "admin_unit_code": "Tân Thịnh", "status": "new"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let body = r.json();
    assert_eq!(
        body["error"]["fields"][0]["field"], "admin_unit_code",
        "{body}"
    );
    assert!(body["error"]["fields"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("Xã Tân Thịnh —"));
    // And on the HTML form, which keeps what was typed.
    let _ = admin.get("/villages/new").await;
    let r = admin
        .form(
            "/villages",
            &[
                ("name", "Làng thử"),
                ("admin_unit_code", "Tân Thịnh"),
                ("status", "new"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("href=\"#f-admin_unit_code\""), "{}", r.body);
    assert!(r.body.contains("value=\"Tân Thịnh\""), "{}", r.body);
}

pub async fn places_forms_accept_a_unique_name(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    // The village form: a name with its district means the pre-reform commune.
    let r = admin
        .json(
            Method::POST,
            "/api/v1/villages",
            json!({"name": "Làng thử Y Tý", "admin_unit_code": "Y Tý, Bát Xát", "status": "new"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = r.json();
    assert_eq!(v["admin_unit_code"], "02701", "{v}");
    // A picker label is read back as the unit it names.
    let r = admin
        .json(
            Method::POST,
            "/api/v1/villages",
            json!({"name": "Làng thử nhãn", "admin_unit_code": "Xã Y Tý — Tỉnh Lào Cai (từ 1/7/2025)", "status": "new"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    let d = get_json(&mut admin, &format!("/api/v1/villages/{id}")).await;
    assert_eq!(d["admin_unit_code"], "02701");
    // The HTML form too.
    let _ = admin.get("/villages/new").await;
    let r = admin
        .form(
            "/villages",
            &[
                ("name", "Làng thử form"),
                ("admin_unit_code", "bat xat"),
                ("status", "new"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The user form's scope.
    let r = admin
        .json(
            Method::POST,
            "/api/v1/users",
            json!({"username": "bx.officer", "display_name": "Cán bộ Bát Xát", "password": "pw-Mật-khẩu-2026",
                   "role": "officer", "agency": "lc-so-ct", "scope": "Huyện Bát Xát"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The no-JS picker comes back to the new-village form with the unit filled in.
    let r = admin
        .get("/villages/new?admin_unit_code=02701&admin_unit_as_of=2025-06-30")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("value=\"02701\""), "{}", r.body);
    assert!(r.body.contains("value=\"2025-06-30\""));
    assert!(r.body.contains("data-place-picker"));
    assert!(r.body.contains("/admin-units/pick?field=admin_unit_code"));
}

pub async fn places_village_page_cites_documents(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let id = village_id(&mut admin, "Làng nghề nấu rượu thóc Làng Mới").await;
    let r = admin.get(&format!("/villages/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("Nguồn: <cite class=\"citation\" title=\"Tham chiếu nội bộ: 003:86\">Kế hoạch 316/KH-UBND, mục II.2.a</cite>"),
        "{}",
        r.body
    );
    // Two references in two sections of one plan.
    let id2 = village_id(&mut admin, "Làng nghề làm cốm Hợp Thành").await;
    let r = admin.get(&format!("/villages/{id2}")).await;
    assert!(
        r.body
            .contains("Kế hoạch 316/KH-UBND, mục II.2.a, II.3.c</cite>"),
        "{}",
        r.body
    );
    // Officials see the citation, not the internal reference.
    let mut viewer = app.user("xem.laocai", "viewer", "lc-so-ct", "15").await;
    let r = viewer.get(&format!("/villages/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Kế hoạch 316/KH-UBND, mục II.2.a"));
    assert!(!r.body.contains("003:86"), "{}", r.body);
    let r = viewer.form("/lang", &[("lang", "en")]).await;
    assert!(r.status.is_redirection(), "{}", r.body);
    let r = viewer.get(&format!("/villages/{id}")).await;
    assert!(
        r.body
            .contains("Source: <cite class=\"citation\">Plan 316/KH-UBND, section II.2.a</cite>"),
        "{}",
        r.body
    );
}

pub async fn places_empty_columns_are_hidden(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    // The Lào Cai villages of the demo carry no figures.
    let r = admin.get("/villages?province=15").await;
    assert_eq!(r.status, StatusCode::OK);
    let head = r.body.split("<tbody>").next().unwrap_or("").to_string();
    assert!(
        !head.contains("<th scope=\"col\" class=\"num\">"),
        "numeric columns hidden: {head}"
    );
    assert!(head.contains("Tên làng nghề"), "{head}");
    assert!(r.body.contains("3 cột trống đã ẩn"), "{}", r.body);
    // The chooser shows one again; sort and paging links keep the choice.
    let r = admin
        .get("/villages?province=15&cols=name,admin_unit,crafts,status,workers")
        .await;
    let head = r.body.split("<tbody>").next().unwrap_or("").to_string();
    assert!(head.contains("Số lao động"), "{head}");
    assert!(!head.contains("Số hộ"), "{head}");
    assert!(
        r.body
            .contains("cols=name%2Cadmin_unit%2Ccrafts%2Cstatus%2Cworkers"),
        "links keep cols"
    );
    // A column with a value in view is shown.
    let r = admin
        .json(
            Method::POST,
            "/api/v1/villages",
            json!({"name": "Làng có số liệu", "admin_unit_code": "02701", "admin_unit_as_of": "2025-06-30", "status": "new", "workers": 120}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = admin
        .get(&format!("/villages?q={}", enc("Làng có số liệu")))
        .await;
    let head = r.body.split("<tbody>").next().unwrap_or("").to_string();
    assert!(head.contains("Số lao động"), "{head}");
}

pub async fn places_exports_say_what_they_hold(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let path = format!(
        "/api/v1/villages?province={}&status=at_risk&format=xlsx",
        enc("Lào Cai")
    );
    let r = admin.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cd = r
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::UtcOffset::from_hms(7, 0, 0).expect("offset"))
        .date();
    assert!(
        cd.contains(&format!("filename=\"lang-nghe_Lao-Cai_{today}.xlsx\"")),
        "{cd}"
    );
    assert!(
        cd.contains("filename*=UTF-8''L%C3%A0ng%20ngh%E1%BB%81_L%C3%A0o%20Cai_"),
        "{cd}"
    );
    let bytes = {
        let req = http::Request::get(&path)
            .body(axum::body::Body::empty())
            .expect("r");
        admin.clone().send_raw(req).await
    };
    // The title row names the filters and the date (the first shared string).
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("zip");
    let mut strings = String::new();
    {
        use std::io::Read;
        zip.by_name("xl/sharedStrings.xml")
            .expect("shared strings")
            .read_to_string(&mut strings)
            .expect("utf-8");
    }
    let title = strings
        .split("<t>")
        .nth(1)
        .and_then(|s| s.split("</t>").next())
        .unwrap_or("")
        .to_string();
    assert!(title.starts_with("Làng nghề — Bộ lọc: "), "{title}");
    assert!(
        title.contains("Địa bàn: Tỉnh Lào Cai (từ 1/7/2025)"),
        "{title}"
    );
    assert!(title.contains("at_risk"), "{title}");
    assert!(
        title.ends_with(&format!(
            "Ngày xuất: {}/{}/{}",
            today.day(),
            u8::from(today.month()),
            today.year()
        )),
        "{title}"
    );
    let table =
        langnghe_reports::read_table(&bytes, "x.xlsx", &langnghe_reports::Limits::default())
            .expect("reads back");
    assert!(!table.rows.is_empty());
    assert!(
        table.headers.iter().any(|h| h == "Tên làng nghề"),
        "{:?}",
        table.headers
    );
    // CSV stays machine-readable: header first, no title row.
    let r = admin
        .get(&format!(
            "/api/v1/villages?province={}&format=csv",
            enc("Lào Cai")
        ))
        .await;
    assert!(
        r.body.trim_start_matches('\u{feff}').starts_with("ID,"),
        "{}",
        &r.body[..80.min(r.body.len())]
    );
    let cd = r
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        cd.contains(&format!("lang-nghe_Lao-Cai_{today}.csv\"")),
        "{cd}"
    );
}
