//! Schemes: eligibility and selection reasons are
//! catalogue keys with arguments, given in the request's language.

use crate::api;
use http::{Method, StatusCode};
use langnghe_it::{Backend, TestApp};
use serde_json::{json, Value};

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

/// The user's language (it wins over Accept-Language for a signed-in user).
async fn switch(c: &mut langnghe_it::Client, lang: &str) {
    let r = c.form("/lang", &[("lang", lang)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

pub async fn scheme_reasons_follow_the_language(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let list = api(&mut admin, "/api/v1/schemes").await;
    let id = items(&list)
        .iter()
        .find(|s| s["key"] == "hn-2017-thuong-hieu")
        .and_then(|s| s["id"].as_i64())
        .expect("the 2017 brand scheme");

    // The selection, in English then in Vietnamese: same keys, each text in its language.
    for (lang, budget, not_eligible) in [
        ("en", "not enough budget", "Not eligible for support"),
        ("vi", "không đủ kinh phí", "Không đủ điều kiện hỗ trợ"),
    ] {
        switch(&mut admin, lang).await;
        let sel = api(&mut admin, &format!("/api/v1/schemes/{id}/selection")).await;
        let sel = items(&sel);
        let over = sel
            .iter()
            .find(|i| i["reason_code"] == "over_budget")
            .expect("one is left out for the budget");
        assert_eq!(over["reason_key"], "scheme-sel-over-budget");
        assert_eq!(over["reason_args"]["left"]["type"], "money");
        let text = over["reason"].as_str().unwrap_or("");
        assert!(text.contains(budget), "{lang}: {text}");
        let money = if lang == "en" { " VND" } else { " đồng" };
        assert!(
            text.contains(money),
            "{lang}: amounts in the language: {text}"
        );
        let inel = sel
            .iter()
            .find(|i| i["reason_code"] == "ineligible")
            .expect("one is not eligible");
        assert_eq!(inel["reason_key"], "scheme-sel-ineligible");
        assert!(
            inel["reason"]
                .as_str()
                .unwrap_or("")
                .starts_with(not_eligible),
            "{lang}: {inel}"
        );
    }

    // The applications: the stored reason is a key, read in the request's language.
    switch(&mut admin, "en").await;
    let apps = api(&mut admin, &format!("/api/v1/schemes/{id}/applications")).await;
    let apps = items(&apps);
    let checked = apps
        .iter()
        .find(|a| a["state"] == "ineligible")
        .expect("an ineligible application");
    assert_eq!(checked["reason_key"], "scheme-elig-summary", "{checked}");
    let en = checked["reason"].as_str().unwrap_or("").to_string();
    assert!(
        en.starts_with("Not ") || en.starts_with("Lacks "),
        "the check's reason in English: {en}"
    );
    let selected = apps
        .iter()
        .find(|a| a["state"] == "settled")
        .expect("a settled application");
    assert_eq!(selected["reason_key"], "scheme-sel-selected", "{selected}");
    assert!(
        selected["reason"]
            .as_str()
            .unwrap_or("")
            .contains(": selected"),
        "{selected}"
    );

    // One application: every rule's result with its key, in English and in Vietnamese.
    let aid = checked["id"].as_i64().expect("id");
    let one = api(&mut admin, &format!("/api/v1/applications/{aid}")).await;
    let results = one["eligibility_results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!results.is_empty(), "{one}");
    let failed = results
        .iter()
        .find(|r| r["passed"] == false)
        .expect("a failed rule");
    let key = failed["reason_key"].as_str().unwrap_or("").to_string();
    assert!(key.starts_with("scheme-elig-"), "{failed}");
    let en_reason = failed["reason"].as_str().unwrap_or("").to_string();
    switch(&mut admin, "vi").await;
    let one_vi = api(&mut admin, &format!("/api/v1/applications/{aid}")).await;
    let failed_vi = one_vi["eligibility_results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["reason_key"] == key.as_str()).cloned())
        .expect("the same rule in Vietnamese");
    assert_ne!(failed_vi["reason"], Value::from(en_reason.clone()));
    assert_eq!(one_vi["reason_key"], "scheme-elig-summary");

    // The English pages carry no Vietnamese reason.
    switch(&mut admin, "en").await;
    for p in [format!("/schemes/{id}"), format!("/applications/{aid}")] {
        let page = admin.get(&p).await;
        assert_eq!(page.status, StatusCode::OK, "{p}");
        for w in [
            "Xếp hạng",
            "không đủ kinh phí",
            "Không đủ điều kiện",
            "Chưa được công nhận",
            "Thiếu ",
        ] {
            assert!(!page.body.contains(w), "{p} (en) shows {w:?}");
        }
    }
    let page = admin.get(&format!("/applications/{aid}")).await;
    assert!(
        page.body.contains(&en_reason),
        "the rule's reason in English"
    );
}

/// Period names and the province-wide target: the official Vietnamese name
/// is kept as `label`, `name` follows the reader; the stored target is
/// neutral and each language says "province-wide" from its catalogue.
pub async fn period_names_and_shared_targets_follow_the_language(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let list = api(&mut coord, "/api/v1/programs?q=316&limit=10").await;
    let program = items(&list)
        .iter()
        .find(|p| p["key"] == "lc-316-2022")
        .and_then(|p| p["id"].as_i64())
        .expect("the Lào Cai plan");
    switch(&mut coord, "en").await;
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "first_half", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let opened = r.json();
    assert_eq!(opened["label"], "6 tháng đầu năm 2023", "the official name");
    assert_eq!(opened["name"], "First half of 2023");
    let pid = opened["id"].as_i64().expect("period id");
    let periods = coord
        .get(&format!("/api/v1/programs/{program}/periods"))
        .await
        .json();
    let p = periods
        .as_array()
        .and_then(|a| a.iter().find(|p| p["id"] == pid).cloned())
        .expect("the period in the list");
    assert_eq!(p["name"], "First half of 2023");
    let one = api(&mut coord, &format!("/api/v1/periods/{pid}")).await;
    assert_eq!(one["period"]["name"], "First half of 2023", "{one}");
    let cons = api(
        &mut coord,
        &format!("/api/v1/programs/{program}/consolidation?period={pid}"),
    )
    .await;
    assert_eq!(cons["period"]["name"], "First half of 2023");

    // The Bát Xát officer's report: in English, then in Vietnamese.
    let mut bx = app
        .user("bat.xat", "officer", "lc-ubnd-bat-xat", "082")
        .await;
    switch(&mut bx, "en").await;
    let mine = api(&mut bx, "/api/v1/reports").await;
    let first = items(&mine).first().cloned().expect("a report");
    assert_eq!(first["period_label"], "6 tháng đầu năm 2023");
    assert_eq!(first["period_name"], "First half of 2023");
    let rid = first["id"].as_i64().expect("report id");
    let report = api(&mut bx, &format!("/api/v1/reports/{rid}")).await;
    assert_eq!(report["period_name"], "First half of 2023");
    let lines = report["lines"].as_array().cloned().unwrap_or_default();
    let shared: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target_scope"] == "province")
        .collect();
    assert!(!shared.is_empty(), "a province-wide target: {report}");
    for l in &shared {
        let stored = l["target_text"].as_str().unwrap_or("");
        assert!(!stored.contains("Toàn tỉnh"), "stored neutral: {stored}");
        let shown = l["target_shown"].as_str().unwrap_or("");
        assert!(shown.starts_with("Province-wide: "), "{shown}");
        assert!(shown.ends_with(stored), "{shown} / {stored}");
    }
    let page = bx.get(&format!("/reports/{rid}")).await;
    assert!(page.body.contains("Province-wide:"));
    assert!(!page.body.contains("Toàn tỉnh"));
    let xlsx = bx.get_file(&format!("/reports/{rid}/xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.bytes)).expect("zip");
    let mut strings = String::new();
    {
        use std::io::Read;
        zip.by_name("xl/sharedStrings.xml")
            .expect("shared strings")
            .read_to_string(&mut strings)
            .expect("utf-8");
    }
    assert!(
        strings.contains("Province-wide: "),
        "the workbook in English"
    );
    assert!(!strings.contains("Toàn tỉnh"));
    assert!(
        strings.contains("6 tháng đầu năm 2023 (First half of 2023)"),
        "official name, then the reader's"
    );
    switch(&mut bx, "vi").await;
    let report = api(&mut bx, &format!("/api/v1/reports/{rid}")).await;
    assert_eq!(report["period_name"], "6 tháng đầu năm 2023");
    let l = report["lines"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["target_scope"] == "province").cloned())
        .expect("the shared line");
    assert!(
        l["target_shown"]
            .as_str()
            .unwrap_or("")
            .starts_with("Toàn tỉnh: "),
        "{l}"
    );
    let page = bx.get(&format!("/reports/{rid}")).await;
    assert!(page.body.contains("Toàn tỉnh:"));
}

/// Schemes: an action refused for its input answers 422
/// with the page, what was typed kept in its form and the summary linking
/// each message to its field; a stale page answers 409 the same way.
pub async fn scheme_action_errors_keep_what_was_typed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let list = api(&mut admin, "/api/v1/schemes").await;
    let sid = items(&list)
        .iter()
        .find(|s| s["key"] == "hn-2017-thuong-hieu")
        .and_then(|s| s["id"].as_i64())
        .expect("the 2017 brand scheme");
    let apps = api(&mut admin, &format!("/api/v1/schemes/{sid}/applications")).await;
    let aid = items(&apps)
        .iter()
        .find(|a| a["state"] == "contracted")
        .and_then(|a| a["id"].as_i64())
        .expect("a contracted application");
    let one = api(&mut admin, &format!("/api/v1/applications/{aid}")).await;
    for i in one["items"].as_array().cloned().unwrap_or_default() {
        let r = admin
            .json(
                Method::POST,
                &format!("/api/v1/applications/{aid}/accept"),
                json!({"content": i["content_key"], "date": "20/11/2017"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/applications/{aid}/liquidate"),
            json!({"date": "24/11/2017"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Settle with an amount above the contract: 422, the amount kept.
    let page = admin.get(&format!("/applications/{aid}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let r = admin
        .form(
            &format!("/applications/{aid}/settle"),
            &[("date", "30/11/2017"), ("amount", "987.654.321.000")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("value=\"987.654.321.000\""),
        "the typed amount is kept"
    );
    assert!(
        r.body.contains("value=\"30/11/2017\""),
        "the typed date too"
    );
    assert!(r.body.contains("id=\"error-summary\""));
    assert!(
        r.body.contains("href=\"#f-amount\""),
        "the message links to its field"
    );
    assert!(r.body.contains("Số tiền: "), "the summary names the field");

    // The scheme page: a register form with an error keeps every field.
    let page = admin.get(&format!("/schemes/{sid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let r = admin
        .form(
            &format!("/schemes/{sid}/decision"),
            &[("number", "5432/QĐ-UBND"), ("issued_on", "31/02/2017")],
        )
        .await;
    assert!(
        r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::CONFLICT,
        "{}",
        r.status
    );
    assert!(
        r.body.contains("value=\"5432/QĐ-UBND\""),
        "the decision number is kept"
    );
    assert!(r.body.contains("id=\"error-summary\""));
}
