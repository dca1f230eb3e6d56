//! Plans (issue 4, first part): the seed plans loaded, the document's rates reproduced.

use http::StatusCode;
use langnghe_it::{Backend, Client, TestApp};
use serde_json::Value;

async fn api(c: &mut Client, path: &str) -> Value {
    let r = c.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.json()
}

/// Decimals a stated rate is written with: "71,2 %" → 1, "31,67 %" → 2, "100 %" → 0.
fn decimals(rate: &str) -> u32 {
    let r = rate.trim().trim_end_matches('%').trim();
    r.split_once(',')
        .map(|(_, d)| d.trim().len() as u32)
        .unwrap_or(0)
}

fn stated(rate: &str) -> f64 {
    langnghe_core::vnfmt::parse_number(rate.trim().trim_end_matches('%').trim()).expect("rate")
}

pub async fn plans_seed_rates_are_reproduced(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let list = api(&mut admin, "/api/v1/programs?limit=100").await;
    assert!(list["total"].as_i64().expect("t") >= 5, "{list}");
    let old = list["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|p| p["key"] == "hn-khuyencong-2011-2015")
        .expect("2011-2015 programme")
        .clone();
    assert_eq!(old["status"], "closed");
    let id = old["id"].as_i64().expect("id");
    let inds = api(&mut admin, &format!("/api/v1/programs/{id}/indicators")).await;
    let mut reproduced: Vec<f64> = vec![];
    for i in inds["items"].as_array().expect("i") {
        for a in i["actuals"].as_array().expect("a") {
            let (Some(rate), Some(plan)) = (a["rate_stated"].as_str(), a["plan_value"].as_f64())
            else {
                continue;
            };
            let value = a["value"].as_f64().expect("value");
            let pct = langnghe_core::plan::round_pct(value * 100.0 / plan, decimals(rate));
            assert!(
                (pct - stated(rate)).abs() < 1e-9,
                "{} {}: {value}/{plan} = {pct}, the document says {rate}",
                i["code"],
                i["name"]
            );
            reproduced.push(pct);
        }
    }
    for r in [71.2, 41.1, 94.7, 40.0, 20.0, 31.67, 100.0, 187.0, 130.0] {
        assert!(
            reproduced.iter().any(|x| (x - r).abs() < 1e-9),
            "rate {r} not reproduced: {reproduced:?}"
        );
    }
    // 17.800 of 25.000 trained workers is stated with its plan, not implied.
    let trained = inds["items"]
        .as_array()
        .expect("i")
        .iter()
        .flat_map(|i| i["actuals"].as_array().cloned().unwrap_or_default())
        .find(|a| a["value"] == 17800.0)
        .expect("17.800 workers");
    assert_eq!(trained["plan_value"], 25000.0);
    // The budget: 82,155 tỷ of the planned 86 tỷ allocated (95,53 %), 77,63 tỷ disbursed (94,5 %).
    let budget = api(&mut admin, &format!("/api/v1/programs/{id}/budget")).await;
    let line = &budget["items"][0];
    assert_eq!(line["planned_dong"], 86_000_000_000_i64);
    assert_eq!(line["allocated_dong"], 82_155_000_000_i64);
    assert_eq!(line["disbursed_dong"], 77_630_000_000_i64);
    assert_eq!(line["allocated_pct"], 95.53, "allocated / planned");
    let disbursed = langnghe_core::plan::round_pct(77_630_000_000.0 * 100.0 / 82_155_000_000.0, 1);
    assert_eq!(
        disbursed, 94.5,
        "disbursed / allocated, as the document writes it"
    );
    assert_eq!(
        langnghe_core::plan::round_pct(line["disbursed_pct"].as_f64().expect("pct"), 1),
        94.5
    );
    // The page shows it in Vietnamese.
    let page = admin.get(&format!("/programs/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("71,2 %"), "achievement on the page");
}

pub async fn plans_pages_tasks_and_scope(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let lc = api(&mut admin, "/api/v1/programs?q=316").await;
    let lc_id = lc["items"][0]["id"].as_i64().expect("316/KH-UBND");
    assert_eq!(lc["items"][0]["document_number"], "316/KH-UBND");
    let tasks = api(&mut admin, &format!("/api/v1/programs/{lc_id}/tasks")).await;
    assert!(tasks["total"].as_i64().expect("t") > 5, "{tasks}");
    assert!(tasks["items"]
        .as_array()
        .expect("t")
        .iter()
        .any(|t| !t["lead_agency_name"].is_null()));
    let inds = api(&mut admin, &format!("/api/v1/programs/{lc_id}/indicators")).await;
    let first = inds["items"][0]["id"].as_i64().expect("indicator");
    let ach = api(
        &mut admin,
        &format!("/api/v1/indicators/{first}/achievement?as_of=2025-12-31"),
    )
    .await;
    for k in ["actual", "target", "percent", "status"] {
        assert!(ach.get(k).is_some(), "{k}: {ach}");
    }
    let page = admin.get(&format!("/programs/{lc_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("task-matrix"));
    // An officer of Gia Lâm sees Hà Nội's district-level work only: no Lào Cai plan.
    let mut officer = app
        .user("canbo.kehoach", "officer", "hn-ubnd-gia-lam", "018")
        .await;
    assert_eq!(
        officer
            .get(&format!("/api/v1/programs/{lc_id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let mine = api(&mut officer, "/api/v1/me/tasks").await;
    assert!(mine["items"]
        .as_array()
        .expect("t")
        .iter()
        .all(|t| t["program_code"] != lc["items"][0]["code"]));
    // Sở Công Thương of Lào Cai has its tasks listed.
    let mut so_ct = app.user("soct.laocai", "officer", "lc-so-ct", "15").await;
    let mine = api(&mut so_ct, "/api/v1/me/tasks").await;
    assert!(mine["total"].as_i64().expect("t") > 0, "{mine}");
    let page = so_ct.get("/tasks/mine").await;
    assert_eq!(page.status, StatusCode::OK);
}

pub async fn plans_appendix_is_rendered_and_exported(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let lc = api(&mut admin, "/api/v1/programs?q=316").await["items"][0]["id"]
        .as_i64()
        .expect("316");
    let a = api(&mut admin, &format!("/api/v1/programs/{lc}/appendix")).await;
    assert_eq!(a["name"], "Phụ biểu 01");
    assert_eq!(a["milestones"], serde_json::json!(["2025", "2030"]));
    let ct = a["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["content"] == "Sở Công thương")
        .expect("Sở Công thương row");
    assert_eq!(ct["values"][0][1][0], "99");
    assert_eq!(ct["values"][1][1][0], "165");
    let page = admin.get(&format!("/programs/{lc}/appendix")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Đến năm 2030") && page.body.contains("LNTT"));
    let bytes = admin
        .clone()
        .send_raw(
            http::Request::get(format!("/programs/{lc}/appendix?format=xlsx"))
                .body(axum::body::Body::empty())
                .expect("r"),
        )
        .await;
    let sheet =
        langnghe_reports::read_table(&bytes, "pb.xlsx", &langnghe_reports::Limits::default())
            .expect("xlsx");
    assert!(
        sheet.headers.iter().any(|h| h == "Đến năm 2025: LN"),
        "{:?}",
        sheet.headers
    );
    assert!(sheet.rows.iter().any(|r| r.cells.get(1).map(String::as_str)
        == Some("Sở Công thương")
        && r.cells.get(3).map(String::as_str) == Some("99")));
    // Programmes without an appendix answer 404.
    let hn = api(&mut admin, "/api/v1/programs?q=2011").await["items"][0]["id"]
        .as_i64()
        .expect("hn");
    assert_eq!(
        admin
            .get(&format!("/api/v1/programs/{hn}/appendix"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
