//! Errors that help, and English that is whole.
//! Duplicates name their field, state refusals carry a message key (never
//! "This … already exists"), period names, numbers and system text follow the
//! reader's language.

use crate::{api, lao_cai_plan};
use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use serde_json::{json, Value};

async fn open_h1_2023(c: &mut Client, program: i64) -> i64 {
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "first_half", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().expect("period id")
}

async fn english(c: &mut Client) {
    let r = c.form("/lang", &[("lang", "en")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

fn error(r: &langnghe_it::Resp) -> Value {
    r.json()["error"].clone()
}

pub async fn duplicates_name_their_field_in_both_languages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let user = json!({"username": "trung.ten", "display_name": "Người Trùng Tên", "password": "một mật khẩu đủ dài 2026",
        "role": "officer", "agency": "hn-ubnd-gia-lam", "scope": "018"});
    let r = admin
        .json(Method::POST, "/api/v1/users", user.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = admin
        .json(Method::POST, "/api/v1/users", user.clone())
        .await;
    let e = error(&r);
    assert!(
        matches!(
            r.status,
            StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{}",
        r.body
    );
    assert_eq!(e["fields"][0]["field"], "username", "{}", r.body);
    assert!(
        e["fields"][0]["key"]
            .as_str()
            .is_some_and(|k| !k.is_empty()),
        "{}",
        r.body
    );
    let vi_msg = e["fields"][0]["message"].as_str().unwrap_or("").to_string();
    assert!(
        !vi_msg.is_empty() && !vi_msg.contains("error-"),
        "{}",
        r.body
    );

    // A registry document with a number already used: 409, naming `number`, in both languages.
    let doc = json!({"number": "Quyết định số 4892/QĐ-UBND ngày 29/9/2015", "title": "Trùng"});
    let r = admin
        .json(Method::POST, "/api/v1/documents", doc.clone())
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let e = error(&r);
    assert_eq!(e["code"], "conflict");
    assert_eq!(e["key"], "error-conflict");
    assert_eq!(e["fields"][0]["field"], "number", "{}", r.body);
    assert_eq!(e["fields"][0]["key"], "error-duplicate", "{}", r.body);
    assert!(
        e["message"].as_str().unwrap_or("").contains("số, ký hiệu"),
        "{}",
        r.body
    );
    english(&mut admin).await;
    let r = admin.json(Method::POST, "/api/v1/documents", doc).await;
    let e = error(&r);
    assert_eq!(e["fields"][0]["field"], "number", "{}", r.body);
    assert_eq!(e["message"], "This number already exists.", "{}", r.body);
    assert_eq!(
        e["fields"][0]["message"], "This value already exists.",
        "{}",
        r.body
    );
    let r = admin.json(Method::POST, "/api/v1/users", user).await;
    let e = error(&r);
    assert_eq!(e["fields"][0]["field"], "username", "{}", r.body);
    let en_msg = e["fields"][0]["message"].as_str().unwrap_or("");
    assert_ne!(
        en_msg, vi_msg,
        "the English answer is in English: {}",
        r.body
    );
    assert!(en_msg.is_ascii(), "{}", r.body);
}

pub async fn state_conflicts_carry_a_message_key(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;
    let pid = open_h1_2023(&mut coord, program).await;
    let list = api(&mut coord, &format!("/api/v1/reports?period={pid}")).await;
    let rep = &list["items"][0];
    let rid = rep["id"].as_i64().expect("report id");
    let full = api(&mut coord, &format!("/api/v1/reports/{rid}")).await;
    // Approving a draft: the state does not allow it.
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/reports/{rid}/approve"),
            json!({"version": full["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let e = error(&r);
    assert_eq!(e["code"], "refused", "{}", r.body);
    assert_eq!(e["key"], "report-error-not-submitted", "{}", r.body);
    assert_eq!(e["fields"][0]["field"], "state", "{}", r.body);
    let msg = e["message"].as_str().unwrap_or("");
    assert!(
        msg.contains("Đang soạn") || msg.contains("Nháp") || msg.contains('"'),
        "{msg}"
    );
    for wrapped in ["already exists", "Đã có", " này."] {
        assert!(!msg.contains(wrapped), "wrapped again: {msg}");
    }
    english(&mut coord).await;
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/reports/{rid}/approve"),
            json!({"version": full["version"]}),
        )
        .await;
    let e = error(&r);
    assert_eq!(
        e["message"], "Only a submitted report can be reviewed; this one is \"Draft\".",
        "{}",
        r.body
    );
    // A scheme refusal is a key too (the demo scheme is past registration or not).
    let schemes = api(&mut coord, "/api/v1/schemes").await;
    assert!(schemes["items"].is_array(), "{schemes}");
}

/// Vietnamese words the system itself writes; seed data (names of places,
/// agencies, villages, plan titles) is Vietnamese legitimately and is not here.
const SYSTEM_VI: [&str; 9] = [
    "Toàn tỉnh",
    "tháng đầu năm",
    "Đúng hạn",
    "Chưa nộp",
    "quá hạn",
    "Lưu",
    "Đăng xuất",
    "Trang chủ",
    "Kỳ báo cáo",
];

pub async fn english_is_whole_on_the_main_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;
    let pid = open_h1_2023(&mut coord, program).await;
    let mut bx = app
        .user("bat.xat", "officer", "lc-ubnd-bat-xat", "082")
        .await;
    let mine = api(&mut bx, "/api/v1/reports").await;
    let rid = mine["items"][0]["id"].as_i64().expect("report id");

    // Vietnamese first: the province-wide target and the period name as written.
    let page = bx.get(&format!("/reports/{rid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Toàn tỉnh:"), "vi keeps its words");
    assert!(page.body.contains("6 tháng đầu năm 2023"));

    english(&mut bx).await;
    let page = bx.get(&format!("/reports/{rid}")).await;
    assert!(
        page.body.contains("Province-wide:"),
        "the shared target in English"
    );
    assert!(
        page.body.contains("First half of 2023"),
        "the period in English"
    );
    for w in SYSTEM_VI {
        assert!(!page.body.contains(w), "/reports/{rid} (en) shows {w:?}");
    }

    let mut admin = app.admin().await;
    english(&mut admin).await;
    let pages = [
        "/".to_string(),
        "/programs".into(),
        format!("/programs/{program}"),
        format!("/programs/{program}/periods"),
        format!("/periods/{pid}"),
        "/reports".into(),
        format!("/reports/{rid}"),
        format!("/programs/{program}/consolidation?period={pid}"),
        "/notifications".into(),
        "/schemes".into(),
        "/villages".into(),
        "/agencies".into(),
        "/users".into(),
        "/admin-units".into(),
        "/registry".into(),
    ];
    let mut crawled = 0;
    for p in &pages {
        let r = admin.get(p).await;
        assert_eq!(r.status, StatusCode::OK, "{p}");
        for w in SYSTEM_VI {
            assert!(!r.body.contains(w), "{p} (en) shows {w:?}");
        }
        crawled += 1;
    }
    assert_eq!(crawled, pages.len());
    let cons = admin
        .get(&format!("/programs/{program}/consolidation?period={pid}"))
        .await;
    assert!(
        cons.body
            .contains("official documents (PDF, DOCX) are in Vietnamese"),
        "English pages say the official files stay Vietnamese"
    );
    let periods = admin.get(&format!("/programs/{program}/periods")).await;
    assert!(
        periods.body.contains("First half of 2023"),
        "period name from kind and year"
    );
}

pub async fn numbers_follow_the_language(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let all = api(&mut admin, "/api/v1/admin-units?level=commune&limit=1").await;
    let total = all["total"].as_i64().expect("total");
    assert!(
        total >= 1000,
        "enough units for a thousands separator: {total}"
    );
    let vi = langnghe_core::vnfmt::format_int(total);
    let en = vi.replace('.', ",");
    let page = admin.get("/admin-units?level=commune").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&vi), "vi writes {vi}");
    english(&mut admin).await;
    let page = admin.get("/admin-units?level=commune").await;
    assert!(page.body.contains(&en), "en writes {en}");
    assert!(!page.body.contains(&vi), "en does not write {vi}");
}

pub async fn forms_keep_typing_and_name_fields(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;
    coord.get(&format!("/programs/{program}/periods")).await;
    // The period form: a word where a number goes, two bad dates.
    let r = coord
        .form(
            &format!("/programs/{program}/periods"),
            &[
                ("kind", "ad_hoc"),
                ("year", "2026"),
                ("label", "Kiểm tra nhanh"),
                ("data_from", "32/13/2026"),
                ("data_to", "hôm qua"),
                ("due_on", "1/12/2026"),
                ("remind_days", "năm"),
                ("jump_factor", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(!r.body.contains("error-number"), "no raw key");
    assert!(
        r.body.contains("“năm” không phải là số"),
        "says what was typed"
    );
    for (f, v) in [
        ("data_from", "32/13/2026"),
        ("data_to", "hôm qua"),
        ("remind_days", "năm"),
        ("label", "Kiểm tra nhanh"),
    ] {
        assert!(r.body.contains(&format!("value=\"{v}\"")), "{f} keeps {v}");
        assert!(
            r.body.contains(&format!("href=\"#f-{f}\"")) || f == "label",
            "the summary links {f}"
        );
    }
    assert!(r.body.contains("aria-invalid=\"true\""));
    assert!(
        r.body.contains("aria-describedby=\"f-data_from-error"),
        "{}",
        r.body
    );
    // The summary names the fields: the two date errors are not alike any more.
    assert!(
        r.body.contains("Số liệu từ ngày: Ngày không hợp lệ"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Số liệu đến ngày: Ngày không hợp lệ"));

    // The recognition form keeps what was typed and shows why, in place.
    let mut admin = app.admin().await;
    let villages = api(&mut admin, "/api/v1/villages?limit=1").await;
    let vid = villages["items"][0]["id"].as_i64().expect("village");
    admin.get(&format!("/villages/{vid}")).await;
    let r = admin
        .form(
            &format!("/villages/{vid}/recognition"),
            &[
                ("number", "1234/QĐ-UBND"),
                ("issued_on", "31/2/2024"),
                ("issuer", "UBND tỉnh Lào Cai"),
                ("status", "traditional"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("class=\"error-summary\""),
        "the summary is on the page"
    );
    assert!(
        r.body.contains("href=\"#f-issued_on\""),
        "linked to the field"
    );
    for v in ["1234/QĐ-UBND", "31/2/2024", "UBND tỉnh Lào Cai"] {
        assert!(r.body.contains(&format!("value=\"{v}\"")), "keeps {v}");
    }
    assert!(r.body.contains("value=\"traditional\" selected"));
}
