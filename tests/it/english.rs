//! Issue 11 item 7 for schemes: eligibility and selection reasons are
//! catalogue keys with arguments, given in the request's language.

use crate::api;
use http::StatusCode;
use langnghe_it::{Backend, TestApp};
use serde_json::Value;

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
