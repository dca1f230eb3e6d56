//! The plan page's inline add
//! forms keep what was typed after an error (422, the field named and linked),
//! and the report list takes its unit by code or by name.

use crate::lao_cai_plan;
use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use serde_json::{json, Value};

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap_or_default()
        .trim_start_matches('=')
        .to_string()
}

async fn api_get(c: &mut Client, path: &str) -> Value {
    let r = c.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.json()
}

pub async fn plan_inline_forms_keep_typing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;
    let page = coord.get(&format!("/programs/{program}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("error-summary"),
        "no error before a post"
    );

    // A task with a date that does not exist.
    let r = coord
        .form(
            &format!("/programs/{program}/tasks"),
            &[
                ("section", "II.9"),
                ("text", "Xây dựng nhãn hiệu chè Y Tý"),
                ("lead_agency", ""),
                ("coordinating", ""),
                ("indicators", ""),
                ("start_on", "1/3/2026"),
                ("due_on", "31/02/2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Xây dựng nhãn hiệu chè Y Tý</textarea>"));
    assert!(r.body.contains("value=\"31/02/2026\""), "the date is kept");
    assert!(r.body.contains("value=\"II.9\""), "the section is kept");
    assert!(r.body.contains("value=\"1/3/2026\""));
    assert!(r.body.contains("class=\"error-summary\""));
    assert!(r.body.contains("href=\"#f-t-due\">Hạn: "), "{}", r.body);
    assert!(r.body.contains("aria-describedby=\"f-t-due-error\""));
    assert!(!r.body.contains(">error-"), "no raw key");
    // The form is open.
    assert!(r
        .body
        .contains("<details class=\"add-form\" open><summary>Thêm nhiệm vụ"));
    // Nothing was stored.
    let tasks = api_get(&mut coord, &format!("/api/v1/programs/{program}/tasks")).await;
    assert!(!tasks.to_string().contains("nhãn hiệu chè Y Tý"));

    // An indicator with no target, in English.
    let mut en = app
        .user("dieu.phoi.en", "coordinator", "lc-so-nnptnt", "15")
        .await;
    en.get(&format!("/programs/{program}")).await;
    let r = en.form("/lang", &[("lang", "en")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    en.get(&format!("/programs/{program}")).await;
    let r = en
        .form(
            &format!("/programs/{program}/indicators"),
            &[
                ("code", "9.9"),
                ("name", "Số hộ làm nghề được tập huấn"),
                ("unit", "hộ"),
                ("milestone", "2025"),
                ("target", ""),
                ("baseline_value", "mười"),
                ("baseline_year", ""),
                ("direction", "lower"),
                ("split", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("value=\"Số hộ làm nghề được tập huấn\""));
    assert!(r.body.contains("value=\"mười\""));
    assert!(r.body.contains("<option value=\"lower\" selected>"));
    assert!(
        r.body.contains("href=\"#f-i-target\">Target: "),
        "{}",
        r.body
    );
    assert!(r.body.contains("href=\"#f-i-baseline_value\">"));

    // A budget line with money that is not money.
    let r = coord
        .form(
            &format!("/programs/{program}/budget"),
            &[
                ("line", "Hỗ trợ quảng bá"),
                ("source_of_funds", "central"),
                ("planned", "ba tỷ"),
                ("year", ""),
                ("allocated", ""),
                ("disbursed", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("value=\"ba tỷ\""));
    assert!(r.body.contains("<option value=\"central\" selected>"));
    assert!(
        r.body.contains("href=\"#f-b-planned\">Kế hoạch: "),
        "{}",
        r.body
    );

    // The API twin names the field.
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/tasks"),
            json!({"text": "Nhiệm vụ", "lead_agency": "", "due_on": "31/02/2026"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields = r.json()["error"]["fields"].clone();
    assert!(
        fields
            .as_array()
            .expect("fields")
            .iter()
            .any(|f| f["field"] == "due_on"),
        "{fields}"
    );
}

pub async fn reports_filter_by_unit_name(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "annual", "year": "2026"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let all = api_get(&mut coord, "/api/v1/reports?limit=500").await;
    let by_code = api_get(&mut coord, "/api/v1/reports?unit=082&limit=500").await;
    let n = by_code["total"].as_i64().unwrap_or(0);
    assert!(n >= 1, "Bát Xát reports: {by_code}");
    assert!(n < all["total"].as_i64().unwrap_or(0), "a filter, not all");
    for name in ["Bát Xát", "bat xat", "Huyện Bát Xát"] {
        let v = api_get(
            &mut coord,
            &format!("/api/v1/reports?unit={}&limit=500", enc(name)),
        )
        .await;
        assert_eq!(v, by_code, "unit={name}");
    }
    // The province takes in the reports of its districts.
    let prov = api_get(
        &mut coord,
        &format!("/api/v1/reports?unit={}&limit=500", enc("Lào Cai")),
    )
    .await;
    assert!(prov["total"].as_i64().unwrap_or(0) >= n);
    // A name of several units: 422 naming `unit`, with the candidates.
    let r = coord
        .get(&format!("/api/v1/reports?unit={}", enc("Tân Thịnh")))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let body = r.json();
    assert_eq!(body["error"]["fields"][0]["field"], "unit", "{body}");
    assert!(body["error"]["fields"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("Tân Thịnh"));
    // The page: the unit read by name, or the error beside the field with what was typed.
    let p = coord
        .get(&format!("/reports?unit={}", enc("Bát Xát")))
        .await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Lọc theo: Huyện Bát Xát"), "{}", p.body);
    let p = coord
        .get(&format!("/reports?unit={}", enc("Tân Thịnh")))
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.body.contains("value=\"Tân Thịnh\""));
    assert!(p.body.contains("href=\"#f-unit\">Địa bàn: "), "{}", p.body);
}
