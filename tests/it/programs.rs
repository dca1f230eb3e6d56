//! Plans: the seed plans loaded, the document's rates reproduced.

use crate::api;
use http::StatusCode;
use langnghe_it::{Backend, TestApp};

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
    // The printed "99" added projects, classes and fairs: the group row shows a total per unit.
    assert_eq!(ct["values"][0][1][0], "3 DA/MH; 6 Lớp; 90 Cuộc");
    assert_eq!(ct["values"][1][1][0], "5 DA/MH; 10 Lớp; 150 Cuộc");
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
        && r.cells.get(3).map(String::as_str) == Some("3 DA/MH; 6 Lớp; 90 Cuộc")));
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

pub async fn plans_entered_by_hand(b: Backend) {
    use http::Method;
    use serde_json::json;
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let r = admin.json(Method::POST, "/api/v1/programs", json!({
        "code": "HN-LN-2026", "title": "Kế hoạch phát triển làng nghề năm 2026 (thử)", "kind": "plan",
        "document_number": "Số: 999/KH-UBND", "document_date": "15/1/2026",
        "period_start": "1/1/2026", "period_end": "31/12/2028", "lead_agency": "hn-so-ct",
        "legal_basis": "52/2018/NĐ-CP\n801/QĐ-TTg", "objectives_specific": "Đào tạo 24.000 lao động\nCông nhận 10-12 làng nghề",
    })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let p = r.json();
    let id = p["id"].as_i64().expect("id");
    assert_eq!(p["status"], "draft");
    assert_eq!(p["document_number"], "999/KH-UBND");
    // Three indicators, three target forms; the split must add up.
    let bad = admin.json(Method::POST, &format!("/api/v1/programs/{id}/indicators"), json!({"code": "1", "name": "Đào tạo nghề", "unit": "lao động", "milestone": "2026-2028", "target": "24.000", "split": "Nông nghiệp = 13.265\nPhi nông nghiệp = 10.000"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["fields"][0]["field"], "split");
    let ok = admin.json(Method::POST, &format!("/api/v1/programs/{id}/indicators"), json!({"code": "1", "name": "Đào tạo nghề", "unit": "lao động", "milestone": "2026-2028", "target": "24.000", "split": "Nông nghiệp = 13.265\nPhi nông nghiệp = 10.735"})).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let r = admin.json(Method::POST, &format!("/api/v1/programs/{id}/indicators"), json!({"code": "2", "name": "Làng nghề được công nhận mới", "unit": "LN", "milestone": "2028", "target": "10-12"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = admin.json(Method::POST, &format!("/api/v1/programs/{id}/indicators"), json!({"code": "3", "name": "Kim ngạch xuất khẩu", "unit": "triệu USD", "milestone": "2028", "target": "tăng bình quân 12-15 %/năm"})).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "growth needs a baseline"
    );
    let r = admin.json(Method::POST, &format!("/api/v1/programs/{id}/indicators"), json!({"code": "3", "name": "Kim ngạch xuất khẩu", "unit": "triệu USD", "milestone": "2028", "target": "tăng bình quân 12-15 %/năm", "baseline_value": "200", "baseline_year": "2025"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = admin.json(Method::POST, &format!("/api/v1/programs/{id}/indicators"), json!({"code": "4", "name": "x", "unit": "lớp", "milestone": "2028", "target": "rất nhiều"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "target");
    // Two tasks, one budget line.
    for (lead, co) in [
        ("hn-so-ct", "hn-so-tc, hn-so-khdt"),
        ("hn-so-nnptnt", "hn-ubnd-gia-lam"),
    ] {
        let r = admin.json(Method::POST, &format!("/api/v1/programs/{id}/tasks"), json!({"section": "II.1", "text": "Tổ chức đào tạo nghề", "lead_agency": lead, "coordinating": co, "due_on": "30/11/2026"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/programs/{id}/tasks"),
            json!({"text": "x", "lead_agency": "no-such-agency"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin.json(Method::POST, &format!("/api/v1/programs/{id}/budget"), json!({"line": "Hỗ trợ xây dựng thương hiệu", "source_of_funds": "local", "planned": "3 tỷ đồng", "year": "2026", "allocated": "2,5 tỷ", "disbursed": "2 tỷ"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let budget = api(&mut admin, &format!("/api/v1/programs/{id}/budget")).await;
    assert_eq!(budget["items"][0]["planned_dong"], 3_000_000_000_i64);
    assert_eq!(budget["items"][0]["allocated_pct"], 83.33);
    assert_eq!(budget["items"][0]["disbursed_pct"], 80.0);
    // The page shows the plan and its matrix.
    let page = admin.get(&format!("/programs/{id}")).await;
    assert!(
        page.body.contains("10-12")
            && page.body.contains("task-matrix")
            && page.body.contains("Nông nghiệp")
    );
    let tasks = api(&mut admin, &format!("/api/v1/programs/{id}/tasks")).await;
    assert_eq!(
        tasks["items"][0]["coordinating"]
            .as_array()
            .expect("c")
            .len(),
        2
    );
    // Status moves forward one step at a time, audited.
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/programs/{id}/status"),
            json!({"status": "closed"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/programs/{id}/status"),
            json!({"status": "approved"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "approved");
    let audit = api(
        &mut admin,
        &format!("/api/v1/audit?entity=program&entity_id={id}"),
    )
    .await;
    assert!(audit["items"]
        .as_array()
        .expect("a")
        .iter()
        .any(|a| a["before"]["status"] == "draft" && a["after"]["status"] == "approved"));
    // Derive the 2026 plan: 24.000 over three years → 8.000; the range and growth carry.
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/programs/{id}/derive"),
            json!({"year": "2026"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let child = r.json();
    assert_eq!(child["kind"], "annual_plan");
    assert_eq!(child["parent_id"], id);
    let cid = child["id"].as_i64().expect("child");
    let ci = api(&mut admin, &format!("/api/v1/programs/{cid}/indicators")).await;
    let first = &ci["items"][0];
    assert_eq!(first["targets"][0]["text"], "8.000");
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/programs/{id}/derive"),
            json!({"year": "2031"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Achievement answers for an indicator without results yet.
    let iid = first["id"].as_i64().expect("indicator");
    let ach = api(&mut admin, &format!("/api/v1/indicators/{iid}/achievement")).await;
    assert_eq!(ach["status"], "no_data");
    assert_eq!(ach["target"], "8.000");
    // A result on the annual plan rolls up into the programme: 8.000 of 24.000.
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/indicators/{iid}/actuals"),
            json!({"period": "2026", "value": "8.000"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let ach = api(&mut admin, &format!("/api/v1/indicators/{iid}/achievement")).await;
    assert_eq!(ach["status"], "achieved");
    let parent_first = api(&mut admin, &format!("/api/v1/programs/{id}/indicators")).await["items"]
        [0]["id"]
        .as_i64()
        .expect("p");
    let ach = api(
        &mut admin,
        &format!("/api/v1/indicators/{parent_first}/achievement"),
    )
    .await;
    assert_eq!(ach["actual"], 8000.0);
    assert!(
        (ach["percent"].as_f64().expect("pct") - 33.33).abs() < 0.01,
        "{ach}"
    );
    assert_eq!(ach["status"], "below");
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/indicators/{iid}/actuals"),
            json!({"period": "2026", "value": "82.15"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ambiguous number refused"
    );
    // A task linked to indicators.
    let r = admin.json(Method::POST, &format!("/api/v1/programs/{id}/tasks"), json!({"text": "Xây dựng nhãn hiệu", "lead_agency": "hn-so-khcn", "indicators": "1, 2"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let tasks = api(&mut admin, &format!("/api/v1/programs/{id}/tasks")).await;
    assert!(tasks["items"]
        .as_array()
        .expect("t")
        .iter()
        .any(|t| t["indicator_codes"] == json!(["1", "2"])));
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/programs/{id}/tasks"),
            json!({"text": "x", "lead_agency": "hn-so-khcn", "indicators": "99"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Splits by admin unit and agency; targets entered for a year.
    let r = admin.json(Method::POST, &format!("/api/v1/programs/{id}/indicators"), json!({"code": "5", "name": "Làng nghề được hỗ trợ", "unit": "LN", "milestone": "2028", "target": "8", "split": "unit:018 = 5\nagency:hn-ubnd-ha-dong = 3"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let inds = api(&mut admin, &format!("/api/v1/programs/{id}/indicators")).await;
    let five = inds["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|i| i["code"] == "5")
        .expect("5")
        .clone();
    let dims: Vec<&str> = five["targets"]
        .as_array()
        .expect("t")
        .iter()
        .map(|t| t["dimension"].as_str().unwrap_or(""))
        .collect();
    assert!(dims.contains(&"unit") && dims.contains(&"agency"), "{five}");
    assert!(five["targets"].to_string().contains("Huyện Gia Lâm"));
    let r = admin.json(Method::POST, &format!("/api/v1/programs/{id}/indicators"), json!({"code": "6", "name": "x", "unit": "LN", "milestone": "2028", "target": "8", "split": "unit:99999 = 8"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/programs/{id}/derive"),
            json!({"year": "2027", "targets": {"1": "9.000"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let c27 = r.json()["id"].as_i64().expect("2027");
    let ci = api(&mut admin, &format!("/api/v1/programs/{c27}/indicators")).await;
    assert_eq!(
        ci["items"][0]["targets"][0]["text"], "9.000",
        "entered, not split evenly"
    );
    let two = ci["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|i| i["code"] == "2")
        .expect("2")
        .clone();
    assert_eq!(
        two["targets"][0]["text"], "3-4",
        "10-12 over three years, 2027's share"
    );
    // The browser form creates a programme too.
    admin.get("/programs/new").await;
    let r = admin
        .form(
            "/programs",
            &[
                ("code", "F-1"),
                ("title", "Kế hoạch nhập qua biểu mẫu"),
                ("kind", "plan"),
                ("period_start", "1/1/2026"),
                ("period_end", "31/12/2026"),
                ("lead_agency", "hn-so-ct"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = admin
        .form(
            "/programs",
            &[
                ("code", ""),
                ("title", ""),
                ("kind", "plan"),
                ("period_start", "31/12/2026"),
                ("period_end", "1/1/2026"),
                ("lead_agency", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("error-summary") && r.body.contains("#f-period_end"));
    // Viewers cannot enter plans.
    let mut viewer = app.user("xem.kehoach", "viewer", "hn-so-ct", "01").await;
    assert_eq!(viewer.json(Method::POST, "/api/v1/programs", json!({"code": "x", "title": "x", "kind": "plan", "period_start": "1/1/2026", "period_end": "2/1/2026", "lead_agency": "hn-so-ct"})).await.status, StatusCode::FORBIDDEN);
}

/// The plans under a programme side by side: the demo's plan 316 placed under a
/// national programme with the same indicator code; its figure in each period
/// is its consolidation's, read from the kept totals; scope both ways; an
/// unknown code is a 422 naming `indicator`; the page shows the table.
pub async fn plans_below_a_programme_by_indicator(b: Backend) {
    use langnghe_store::programs::{self as store, NewIndicator, NewProgram};
    let app = TestApp::spawn(b).await;
    crate::demo_history::start_demo(&app).await;
    let mut admin = app.admin().await;
    let list = api(&mut admin, "/api/v1/programs?q=316&limit=10").await;
    let plan = list["items"][0]["id"].as_i64().expect("plan 316");
    let actor = langnghe_store::audit::Actor::system("test");
    let mut w = app.db.write(&actor).await.expect("write");
    let national = store::insert_program(
        &mut w,
        &NewProgram {
            key: Some("test-801".into()),
            code: "801/QĐ-TTg".into(),
            title: "Chương trình bảo tồn và phát triển làng nghề Việt Nam".into(),
            kind: "programme".into(),
            document_id: None,
            period_start: time::macros::date!(2022 - 01 - 01),
            period_end: time::macros::date!(2030 - 12 - 31),
            parent_id: None,
            lead_agency_id: None,
            admin_unit_id: langnghe_store::geo::COUNTRY_ID,
            status: "active".into(),
            objectives_general: None,
            objectives_specific: vec![],
            notes: None,
        },
    )
    .await
    .expect("national programme");
    store::insert_indicator(
        &mut w,
        &NewIndicator {
            program_id: national,
            code: "I.2.1".into(),
            name: "Nghề, làng nghề được khôi phục, bảo tồn".into(),
            unit: "LN/NTT/LNTT".into(),
            aggregation: "sum".into(),
            direction: "higher".into(),
            baseline_value: None,
            baseline_year: None,
            sort_order: 0,
            source: None,
            notes: None,
        },
    )
    .await
    .expect("indicator");
    w.commit().await.expect("commit");
    // Plan 316 carries out the national programme: set through the API, as the
    // plan's coordinator would in its form.
    let view = api(&mut admin, &format!("/api/v1/programs/{plan}")).await;
    let vn = |iso: &serde_json::Value| {
        let iso = iso.as_str().unwrap_or("");
        format!("{}/{}/{}", &iso[8..10], &iso[5..7], &iso[0..4])
    };
    let mut body = serde_json::json!({
        "code": view["code"], "title": view["title"], "kind": view["kind"],
        "document_number": view["document_number"],
        "period_start": vn(&view["period_start"]), "period_end": vn(&view["period_end"]),
        "lead_agency": view["lead_agency_id"].to_string(),
        "version": view["version"], "parent": national.to_string(),
    });
    let r = admin
        .json(
            http::Method::PUT,
            &format!("/api/v1/programs/{plan}"),
            body.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["parent_id"], national);
    // The national programme cannot in turn carry out its own plan.
    let nat_view = api(&mut admin, &format!("/api/v1/programs/{national}")).await;
    let looped = serde_json::json!({
        "code": nat_view["code"], "title": nat_view["title"], "kind": "programme",
        "period_start": "01/01/2022", "period_end": "31/12/2030",
        "lead_agency": view["lead_agency_id"].to_string(),
        "version": nat_view["version"], "parent": plan.to_string(),
    });
    let r = admin
        .json(
            http::Method::PUT,
            &format!("/api/v1/programs/{national}"),
            looped,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("\"parent\""), "{}", r.body);
    // An unknown parent names the field too.
    body["parent"] = serde_json::json!("999999");
    body["version"] = serde_json::json!(view["version"].as_i64().unwrap_or(0) + 1);
    let r = admin
        .json(http::Method::PUT, &format!("/api/v1/programs/{plan}"), body)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("\"parent\""), "{}", r.body);

    let below = api(&mut admin, &format!("/api/v1/programs/{national}/plans")).await;
    assert_eq!(below["indicator"]["code"], "I.2.1", "{below}");
    assert_eq!(below["plans_in_reach"], 1);
    let plans = below["plans"].as_array().expect("plans");
    assert_eq!(plans.len(), 1, "{below}");
    assert_eq!(plans[0]["program_id"], plan);
    // The demo's periods are sample data, and the columns say so.
    assert!(
        below["periods"]
            .as_array()
            .is_some_and(|c| !c.is_empty() && c.iter().all(|c| c["sample"] == true)),
        "{below}"
    );
    // Each period's figure is the consolidation's period value of that period.
    let periods = api(&mut admin, &format!("/api/v1/programs/{plan}/periods")).await;
    let mut checked = 0;
    for p in periods.as_array().expect("periods") {
        let cons = api(
            &mut admin,
            &format!(
                "/api/v1/programs/{plan}/consolidation?period={}&units=false",
                p["id"]
            ),
        )
        .await;
        let row = cons["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["code"] == "I.2.1" && r["category"] == "")
            .cloned()
            .expect("I.2.1");
        assert!(
            row["units"].as_array().is_some_and(|u| u.is_empty()),
            "units=false leaves the breakdown out"
        );
        let col = below["periods"]
            .as_array()
            .expect("periods")
            .iter()
            .position(|c| c["label"] == p["label"]);
        let shown = col.map(|i| plans[0]["values"][i].clone());
        match row["period_value"].as_f64() {
            Some(v) => {
                assert_eq!(shown.and_then(|s| s.as_f64()), Some(v), "{}", p["label"]);
                checked += 1;
            }
            None => assert!(shown.is_none_or(|s| s.is_null()), "{}", p["label"]),
        }
    }
    assert!(checked >= 3, "periods with approved figures: {checked}");

    // Scope both ways: Lào Cai reads it; Hà Nội reads the programme, not the plan.
    let mut lc = app.user("xem.lc", "viewer", "lc-so-ct", "15").await;
    let r = api(&mut lc, &format!("/api/v1/programs/{national}/plans")).await;
    assert_eq!(r["plans"].as_array().map(Vec::len), Some(1), "{r}");
    let mut hn = app.user("xem.hn", "viewer", "hn-so-ct", "01").await;
    let r = api(&mut hn, &format!("/api/v1/programs/{national}/plans")).await;
    assert_eq!(r["plans_in_reach"], 0, "{r}");
    assert_eq!(r["plans"].as_array().map(Vec::len), Some(0));
    let page = hn.get(&format!("/programs/{national}")).await;
    assert!(
        !page.body.contains("316/KH-UBND"),
        "a plan out of reach is not named"
    );

    // A code the programme does not have: 422 naming the field; the page says so.
    let r = admin
        .get(&format!("/api/v1/programs/{national}/plans?indicator=X.9"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("\"indicator\""), "{}", r.body);
    let page = admin
        .get(&format!("/programs/{national}/plans?indicator=X.9"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("X.9") && page.body.contains("id=\"plans-below\""));
    let page = admin.get(&format!("/programs/{national}")).await;
    assert!(page.body.contains(&format!("/programs/{national}/plans")));
}
