//! Support schemes: Hà Nội's 2017 craft-village brand scheme of the demo at every stage, and a scheme
//! defined, registered, checked, selected, contracted, accepted and settled
//! through the API, with the indicator and the budget line moving.

use crate::api;
use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use serde_json::{json, Value};

async fn post(c: &mut Client, path: &str, body: Value) -> langnghe_it::Resp {
    c.json(Method::POST, path, body).await
}

pub async fn scheme_demo_shows_every_stage(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let list = api(&mut admin, "/api/v1/schemes").await;
    let s = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["key"] == "hn-2017-thuong-hieu")
        .cloned()
        .expect("the 2017 brand scheme");
    assert_eq!(s["budget_dong"], 3_000_000_000_i64);
    let id = s["id"].as_i64().expect("id");
    let v = api(&mut admin, &format!("/api/v1/schemes/{id}")).await;
    assert_eq!(v["contents"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        v["steps"].as_array().map(Vec::len),
        Some(9),
        "the 9 steps of Hà Nội's 2017 craft-village brand scheme"
    );
    assert_eq!(v["liquidate_by"], "2017-11-25");
    let sel = api(&mut admin, &format!("/api/v1/schemes/{id}/selection")).await;
    let items = sel["items"].as_array().expect("items");
    assert!(items.len() >= 10);
    for i in items {
        for f in [
            "applicant",
            "district",
            "rank",
            "selected",
            "amount",
            "reason",
        ] {
            assert!(i.get(f).is_some(), "{f} in {i}");
        }
    }
    let total: i64 = items
        .iter()
        .map(|i| i["amount"].as_i64().unwrap_or(0))
        .sum();
    assert!(total <= 3_000_000_000, "never over budget: {total}");
    assert!(
        items.iter().any(|i| i["reason_code"] == "over_budget"
            && i["reason"].as_str().unwrap_or("").contains("kinh phí")),
        "one is left out for the budget, with the reason: {sel}"
    );
    assert!(
        items.iter().any(|i| i["reason_code"] == "ineligible"),
        "one is not eligible"
    );
    // Every stage is visible: settled, contracted, not selected.
    let apps = api(&mut admin, &format!("/api/v1/schemes/{id}/applications")).await;
    let states: Vec<&str> = apps["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["state"].as_str().unwrap_or(""))
        .collect();
    for st in [
        "settled",
        "contracted",
        "selected",
        "not_selected",
        "ineligible",
    ] {
        assert!(states.contains(&st), "{st} in {states:?}");
    }
    assert!(
        apps["items"]
            .as_array()
            .expect("i")
            .iter()
            .all(|a| a["sample"] == true),
        "marked as sample data"
    );
    // The settled one moved the budget line and the indicator.
    let prog = v["program_id"].as_i64().expect("program");
    let budget = api(&mut admin, &format!("/api/v1/programs/{prog}/budget")).await;
    assert_eq!(
        budget["items"][0]["disbursed_dong"], 280_000_000_i64,
        "{budget}"
    );
    let inds = api(&mut admin, &format!("/api/v1/programs/{prog}/indicators")).await;
    let training = inds["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|i| i["code"] == "II.2.1")
        .cloned()
        .expect("II.2.1");
    assert_eq!(training["achievement"]["actual"], 1.0, "{training}");
    // Pages render.
    for p in [
        "/schemes".to_string(),
        format!("/schemes/{id}"),
        "/contracts".into(),
    ] {
        let r = admin.get(&p).await;
        assert_eq!(r.status, StatusCode::OK, "{p}: {}", r.body);
    }
    let page = admin.get(&format!("/schemes/{id}")).await;
    assert!(page.body.contains("<svg"), "the timeline chart");
    assert!(page.body.contains("Dữ liệu mẫu"));
}

pub async fn scheme_end_to_end_through_the_api(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut dept = app.user("so.ct", "coordinator", "hn-so-ct", "01").await;
    let progs = api(&mut dept, "/api/v1/programs?q=thuong&limit=50").await;
    let prog = progs["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|p| p["key"] == "hn-2017-thuong-hieu")
        .and_then(|p| p["id"].as_i64())
        .expect("programme");
    // 1. Define: two contents, rules, a budget that fits two full villages only.
    let bad = post(
        &mut dept,
        "/api/v1/schemes",
        json!({"program_id": prog, "title": "", "year": 2026, "budget": "nhiều", "contents": []}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for f in ["title", "budget", "contents"] {
        assert!(bad.body.contains(&format!("\"{f}\"")), "{f}: {}", bad.body);
    }
    let r = post(
        &mut dept,
        "/api/v1/schemes",
        json!({"program_id": prog, "title": "Hỗ trợ thương hiệu 2026", "year": 2026, "budget": "500 triệu đồng",
               "contents": [{"key": "dao-tao", "name": "Tập huấn", "unit_cost": "100.000.000", "indicator": "II.2.1"},
                            {"key": "nhan-dien", "name": "Bộ nhận diện", "unit_cost": "150 triệu đồng"}],
               "eligibility": ["village_recognised", "registered_through_unit"],
               "priority": [{"kind": "registered_in", "years": [2024, 2025]}, {"kind": "all_contents"}],
               "fair_share": "round_robin", "liquidate_by": "25/11/2026",
               "steps": [{"text": "Nhận hồ sơ", "lead": "hn-so-ct", "start_on": "1/5/2026", "due_on": "31/5/2026"},
                         {"text": "Thanh lý hợp đồng", "due_on": "25/11/2026"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sid = r.json()["id"].as_i64().expect("id");
    assert_eq!(r.json()["budget_dong"], 500_000_000_i64);

    // 2. Registration through two districts.
    let mut gl = app
        .user("gia.lam", "officer", "hn-ubnd-gia-lam", "018")
        .await;
    let mut hd = app
        .user("ha.dong", "officer", "hn-ubnd-ha-dong", "268")
        .await;
    let villages = api(&mut gl, "/api/v1/villages?limit=100").await;
    let bt = villages["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|v| v["name"] == "Làng nghề gốm sứ Bát Tràng")
        .and_then(|v| v["id"].as_i64())
        .expect("Bát Tràng");
    let r = post(&mut gl, &format!("/api/v1/schemes/{sid}/applications"), json!({"village_id": bt.to_string(), "contents": "dao-tao,nhan-dien", "earlier_years": "2025", "representative": "UBND xã Bát Tràng", "legal_status": "1", "has_seal": "1", "bank_account": "1"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a_bt = r.json()["id"].as_i64().expect("id");
    let again = post(
        &mut gl,
        &format!("/api/v1/schemes/{sid}/applications"),
        json!({"village_id": bt.to_string(), "contents": "dao-tao"}),
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "registered once: {}",
        again.body
    );
    let r = post(&mut gl, &format!("/api/v1/schemes/{sid}/applications"), json!({"applicant": "Làng nghề mây tre Phú Thị", "recognised_by": "Quyết định số 2319/QĐ-UBND ngày 16/5/2012", "contents": "dao-tao,nhan-dien"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a_pt = r.json()["id"].as_i64().expect("id");
    let r = post(&mut hd, &format!("/api/v1/schemes/{sid}/applications"), json!({"applicant": "Làng nghề lụa Vạn Phúc (cơ sở 2)", "recognised_by": "Quyết định số 1/QĐ-UBND ngày 2/1/2010", "contents": "dao-tao,nhan-dien", "representative": "HTX lụa Vạn Phúc", "legal_status": "1", "has_seal": "1", "bank_account": "1"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a_vp = r.json()["id"].as_i64().expect("id");
    // A district may not register for another one.
    let r = post(
        &mut hd,
        &format!("/api/v1/schemes/{sid}/applications"),
        json!({"applicant": "X", "unit_agency": "hn-ubnd-gia-lam", "contents": "dao-tao"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Each district sees its own applicants; the department all.
    assert_eq!(
        api(&mut gl, &format!("/api/v1/schemes/{sid}/applications")).await["total"],
        2
    );
    assert_eq!(
        api(&mut hd, &format!("/api/v1/schemes/{sid}/applications")).await["total"],
        1
    );
    // Hà Đông forwards; Gia Lâm forgets to.
    let r = post(
        &mut hd,
        &format!("/api/v1/schemes/{sid}/forward"),
        json!({}),
    )
    .await;
    assert_eq!(r.json()["forwarded"], 1);
    // 3. Eligibility: Gia Lâm's are not forwarded yet → not checked; forward, check again.
    let r = post(
        &mut dept,
        &format!("/api/v1/schemes/{sid}/eligibility"),
        json!({}),
    )
    .await;
    assert_eq!(r.json()["eligible"], 1, "{}", r.body);
    post(
        &mut gl,
        &format!("/api/v1/schemes/{sid}/forward"),
        json!({}),
    )
    .await;
    let r = post(
        &mut dept,
        &format!("/api/v1/schemes/{sid}/eligibility"),
        json!({}),
    )
    .await;
    assert_eq!(r.json()["eligible"], 3, "{}", r.body);
    let bt_view = api(&mut dept, &format!("/api/v1/applications/{a_bt}")).await;
    assert!(
        bt_view["reason"]
            .as_str()
            .unwrap_or("")
            .contains("công nhận"),
        "{bt_view}"
    );
    // The officer may not select.
    assert_eq!(
        post(
            &mut gl,
            &format!("/api/v1/schemes/{sid}/selection"),
            json!({})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // 4. Selection: 3 × 250 triệu against 500 triệu → one left out, with the reason.
    let r = post(
        &mut dept,
        &format!("/api/v1/schemes/{sid}/selection"),
        json!({}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json()["items"].as_array().cloned().expect("items");
    assert_eq!(items.iter().filter(|i| i["selected"] == true).count(), 2);
    let out = items
        .iter()
        .find(|i| i["selected"] == false)
        .cloned()
        .expect("one not selected");
    assert_eq!(out["reason_code"], "over_budget");
    assert!(
        out["reason"].as_str().unwrap_or("").contains("còn 0 đồng")
            || out["reason"].as_str().unwrap_or("").contains("còn"),
        "{out}"
    );
    // Bát Tràng registered in 2025: rank 1.
    assert_eq!(items[0]["application_id"], a_bt);
    // The district's view of the selection holds only its applicants.
    let mine = api(&mut hd, &format!("/api/v1/schemes/{sid}/selection")).await;
    assert_eq!(mine["total"], 1);
    // The unit was told.
    let notes = api(&mut hd, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("Vạn Phúc"), "{notes}");
    // 5. Decision, then contracts: the representative is checked.
    let r = post(
        &mut dept,
        &format!("/api/v1/schemes/{sid}/decision"),
        json!({"number": "5432/QĐ-UBND", "issued_on": "30/8/2026"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let selected: Vec<i64> = items
        .iter()
        .filter(|i| i["selected"] == true)
        .map(|i| i["application_id"].as_i64().unwrap_or(0))
        .collect();
    if selected.contains(&a_pt) {
        let r = post(
            &mut dept,
            &format!("/api/v1/applications/{a_pt}/contract"),
            json!({"number": "03/2026/HĐ"}),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no representative: {}",
            r.body
        );
        assert!(r.body.contains("has_seal"), "{}", r.body);
    }
    let r = post(
        &mut dept,
        &format!("/api/v1/applications/{a_bt}/contract"),
        json!({"number": "01/2026/HĐ-SCT", "date": "15/9/2026"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["state"], "contracted");
    assert_eq!(v["contract"]["amount_dong"], 250_000_000_i64);
    assert!(v["contract"]["parties"]
        .as_str()
        .unwrap_or("")
        .contains("UBND xã Bát Tràng"));
    // 6. Monitoring, acceptance per content, liquidation, settlement.
    let r = post(
        &mut dept,
        &format!("/api/v1/applications/{a_bt}/visit"),
        json!({"date": "20/10/2026", "progress": "50", "note": "Đã tập huấn xong"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = post(
        &mut dept,
        &format!("/api/v1/applications/{a_bt}/liquidate"),
        json!({}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "not accepted yet: {}",
        r.body
    );
    for k in ["dao-tao", "nhan-dien"] {
        let r = post(
            &mut dept,
            &format!("/api/v1/applications/{a_bt}/accept"),
            json!({"content": k, "date": "10/11/2026"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    assert_eq!(
        api(&mut dept, &format!("/api/v1/applications/{a_bt}")).await["state"],
        "accepted"
    );
    post(
        &mut dept,
        &format!("/api/v1/applications/{a_bt}/liquidate"),
        json!({"date": "20/11/2026"}),
    )
    .await;
    let too_much = post(
        &mut dept,
        &format!("/api/v1/applications/{a_bt}/settle"),
        json!({"amount": "900.000.000"}),
    )
    .await;
    assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &mut dept,
        &format!("/api/v1/applications/{a_bt}/settle"),
        json!({"date": "15/12/2026", "amount": "250.000.000"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "settled");
    // 7. The indicator and the budget line moved.
    let inds = api(&mut dept, &format!("/api/v1/programs/{prog}/indicators")).await;
    let training = inds["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|i| i["code"] == "II.2.1")
        .cloned()
        .expect("II.2.1");
    let sources: Vec<String> = training["actuals"]
        .as_array()
        .expect("a")
        .iter()
        .filter_map(|a| a["source"].as_str().map(String::from))
        .collect();
    assert!(
        sources.contains(&format!("application:{a_bt}:dao-tao")),
        "{sources:?}"
    );
    let budget = api(&mut dept, &format!("/api/v1/programs/{prog}/budget")).await;
    let amounts = budget.to_string();
    assert!(amounts.contains("250000000"), "{amounts}");
    // Contracts list, scoped; audit rows.
    // (the demo has one contract in each of the two districts)
    let gl_k = api(&mut gl, "/api/v1/contracts").await;
    assert!(gl_k.to_string().contains("01/2026/HĐ-SCT"), "{gl_k}");
    let hd_k = api(&mut hd, "/api/v1/contracts").await;
    assert!(!hd_k.to_string().contains("01/2026/HĐ-SCT"), "{hd_k}");
    assert!(!hd_k.to_string().contains("Bát Tràng"), "{hd_k}");
    let mut admin = app.admin().await;
    let audit = api(
        &mut admin,
        &format!("/api/v1/audit?entity=application&entity_id={a_bt}&limit=100"),
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("i")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    for a in [
        "register",
        "forward",
        "check",
        "select",
        "contract",
        "accept",
        "liquidate",
        "settle",
    ] {
        assert!(actions.contains(&a), "{a} audited: {actions:?}");
    }
    let _ = a_vp;
}

pub async fn activities_and_schemes_prefill_reports(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut dept = app.user("so.ct", "coordinator", "hn-so-ct", "01").await;
    let progs = api(&mut dept, "/api/v1/programs?q=thuong&limit=50").await;
    let prog = progs["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|p| p["key"] == "hn-2017-thuong-hieu")
        .and_then(|p| p["id"].as_i64())
        .expect("programme");
    // Bad input is named; nothing is written.
    let r = post(&mut dept, &format!("/api/v1/programs/{prog}/activities"), json!({"kind": "training", "title": "Lớp tập huấn", "held_on": "31/2/2026", "participants": "20", "employed_after": "25"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for f in ["held_on", "employed_after"] {
        assert!(r.body.contains(&format!("\"{f}\"")), "{f}: {}", r.body);
    }
    assert_eq!(
        api(&mut dept, &format!("/api/v1/programs/{prog}/activities")).await["total"],
        0
    );
    let r = post(&mut dept, &format!("/api/v1/programs/{prog}/activities"), json!({"kind": "training", "title": "Lớp tập huấn xây dựng thương hiệu tại Bát Tràng", "held_on": "10/3/2026", "indicator": "II.2.1", "participants": "30", "employed_after": "25", "cost": "45.000.000"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let acts = api(&mut dept, &format!("/api/v1/programs/{prog}/activities")).await;
    assert_eq!(acts["items"][0]["employed_after"], 25);
    // The indicator counts it.
    let inds = api(&mut dept, &format!("/api/v1/programs/{prog}/indicators")).await;
    let training = inds["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|i| i["code"] == "II.2.1")
        .cloned()
        .expect("II.2.1");
    assert!(
        training["actuals"].to_string().contains("activity:"),
        "{training}"
    );
    // The 2026 report of the lead department is pre-filled from the records.
    let r = post(
        &mut dept,
        &format!("/api/v1/programs/{prog}/periods"),
        json!({"kind": "annual", "year": "2026", "confirm_past_due": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pid = r.json()["id"].as_i64().expect("id");
    let reports = api(&mut dept, &format!("/api/v1/reports?period_id={pid}")).await;
    let mut found = false;
    for rep in reports["items"].as_array().expect("items") {
        let v = api(&mut dept, &format!("/api/v1/reports/{}", rep["id"])).await;
        for l in v["lines"].as_array().expect("lines") {
            if l["indicator_code"] == "II.2.1" && l["category"] == "" {
                assert_eq!(l["source"], "computed", "{l}");
                assert_eq!(l["computed_value"], 1.0, "{l}");
                found = true;
            }
        }
    }
    assert!(found, "a report carries II.2.1");
    let page = dept.get(&format!("/programs/{prog}/activities")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains("Lớp tập huấn xây dựng thương hiệu tại Bát Tràng"));
}

pub async fn scheme_reviewer_decides_custom_rules(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut dept = app.user("so.ct", "coordinator", "hn-so-ct", "01").await;
    let progs = api(&mut dept, "/api/v1/programs?q=thuong&limit=50").await;
    let prog = progs["items"]
        .as_array()
        .expect("i")
        .iter()
        .find(|p| p["key"] == "hn-2017-thuong-hieu")
        .and_then(|p| p["id"].as_i64())
        .expect("programme");
    let r = post(&mut dept, "/api/v1/schemes", json!({"program_id": prog, "title": "Thử điều kiện thẩm định", "year": 2026, "budget": "1 tỷ đồng",
        "contents": [{"key": "dao-tao", "name": "Tập huấn", "unit_cost": "100.000.000"}],
        "eligibility": ["registered_through_unit", "custom:ho-so:Hồ sơ đăng ký đầy đủ"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let sid = r.json()["id"].as_i64().expect("id");
    let mut gl = app
        .user("gia.lam", "officer", "hn-ubnd-gia-lam", "018")
        .await;
    let r = post(
        &mut gl,
        &format!("/api/v1/schemes/{sid}/applications"),
        json!({"applicant": "Làng nghề thử", "contents": "dao-tao"}),
    )
    .await;
    let aid = r.json()["id"].as_i64().expect("id");
    post(
        &mut gl,
        &format!("/api/v1/schemes/{sid}/forward"),
        json!({}),
    )
    .await;
    post(
        &mut dept,
        &format!("/api/v1/schemes/{sid}/eligibility"),
        json!({}),
    )
    .await;
    let a = api(&mut dept, &format!("/api/v1/applications/{aid}")).await;
    assert_eq!(a["state"], "ineligible", "no reviewer opinion yet: {a}");
    // The unit sees why.
    let mine = api(&mut gl, &format!("/api/v1/applications/{aid}")).await;
    assert!(
        mine["reason"]
            .as_str()
            .unwrap_or("")
            .contains("Hồ sơ đăng ký đầy đủ"),
        "{mine}"
    );
    let bad = post(
        &mut dept,
        &format!("/api/v1/applications/{aid}/review"),
        json!({"rule": "khac", "passed": "1", "note": "x"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = post(
        &mut dept,
        &format!("/api/v1/applications/{aid}/review"),
        json!({"rule": "ho-so", "passed": "1", "note": "Đủ giấy tờ theo mẫu"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let a = r.json();
    assert_eq!(a["state"], "eligible", "{a}");
    assert!(
        a["reason"]
            .as_str()
            .unwrap_or("")
            .contains("Đủ giấy tờ theo mẫu"),
        "{a}"
    );
}
