//! A consolidation that cannot mislead: coverage and
//! the units not yet approved in JSON, page and PDF; provisional verdicts;
//! composite targets compared per category; the milestone in force with its
//! year; opening a past-due period needs a confirmation; the plan page's
//! sections and the printable programme summary, scoped.

use crate::reporting::pdf_text;
use crate::{api, lao_cai_plan};
use http::{Method, StatusCode};
use langnghe_it::{Backend, TestApp};
use serde_json::{json, Value};

fn row<'a>(c: &'a Value, code: &str, category: &str) -> &'a Value {
    c["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["code"] == code && r["category"] == category)
        .unwrap_or_else(|| panic!("row {code} {category}"))
}

fn line_id(report: &Value, code: &str, category: &str) -> i64 {
    report["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["indicator_code"] == code && l["category"] == category)
        .and_then(|l| l["id"].as_i64())
        .unwrap_or_else(|| panic!("line {code} {category}"))
}

pub async fn consolidation_states_coverage_and_compares_per_category(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;
    let periods = format!("/api/v1/programs/{program}/periods");

    // 1. A period whose due date (20/6/2023) has passed is refused without the confirmation…
    let r = coord
        .json(
            Method::POST,
            &periods,
            json!({"kind": "first_half", "year": "2023"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let err = r.json();
    assert_eq!(
        err["error"]["fields"][0]["field"], "confirm_past_due",
        "{err}"
    );
    assert!(
        !err["error"]["fields"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("error-"),
        "a sentence, not a key: {err}"
    );
    assert_eq!(
        api(&mut coord, &periods).await,
        json!([]),
        "nothing was created"
    );
    // … on the form too: the checkbox is named in the error summary.
    let page = coord
        .form(
            &format!("/programs/{program}/periods"),
            &[("kind", "first_half"), ("year", "2023")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("href=\"#f-confirm_past_due\""));
    assert!(page.body.contains("id=\"f-confirm_past_due\""));
    // … and opened with it; the period says it was opened late.
    let r = coord
        .json(
            Method::POST,
            &periods,
            json!({"kind": "first_half", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pid = r.json()["id"].as_i64().expect("id");
    let st = api(&mut coord, &format!("/api/v1/periods/{pid}")).await;
    assert_eq!(st["opened_past_due"], true, "{}", st["opened_past_due"]);
    let expected = st["expected"].as_u64().expect("expected") as usize;
    assert!(expected > 2, "{expected}");
    let pp = coord.get(&format!("/periods/{pid}")).await;
    assert_eq!(pp.status, StatusCode::OK);
    assert!(
        pp.body.contains("id=\"opened-late\""),
        "the period page says so"
    );

    // The documents before any approval: rendered documents are kept by
    // content, so the ones after the approval below must be new ones.
    let pdf_path = format!("/api/v1/programs/{program}/consolidation.pdf?period={pid}");
    let before = coord.get_file(&pdf_path).await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(coord.get_file(&pdf_path).await.bytes, before.bytes, "kept");
    if let Some(text) = pdf_text(&before.bytes) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&format!("0/{expected} đơn vị đã được duyệt")),
            "{flat}"
        );
    }
    let xlsx_path = format!("/api/v1/programs/{program}/consolidation.xlsx?period={pid}");
    let xlsx_before = coord.get_file(&xlsx_path).await.bytes;

    // 2. One unit (Bát Xát) reports I.2.1 and is approved.
    let mut bx = app
        .user("bat.xat", "officer", "lc-ubnd-bat-xat", "082")
        .await;
    let list = api(&mut bx, "/api/v1/reports").await;
    let rid = list["items"][0]["id"].as_i64().expect("report");
    let rep = api(&mut bx, &format!("/api/v1/reports/{rid}")).await;
    let r = bx
        .json(
            Method::PUT,
            &format!("/api/v1/reports/{rid}"),
            json!({"version": rep["version"], "lines": [
                {"id": line_id(&rep, "I.2.1", ""), "value": "7"},
                {"id": line_id(&rep, "I.2.1", "LN"), "value": "3"},
                {"id": line_id(&rep, "I.2.1", "NTT"), "value": "2"},
                {"id": line_id(&rep, "I.2.1", "LNTT"), "value": "2"},
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = bx
        .json(
            Method::POST,
            &format!("/api/v1/reports/{rid}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/reports/{rid}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // 3. The JSON: coverage, the units missing, provisional verdicts.
    let c = api(
        &mut coord,
        &format!("/api/v1/programs/{program}/consolidation?period={pid}"),
    )
    .await;
    let cov = &c["coverage"];
    assert_eq!(cov["approved"], 1, "{cov}");
    assert_eq!(cov["expected"].as_u64(), Some(expected as u64), "{cov}");
    assert_eq!(cov["complete"], false);
    let missing: Vec<&str> = cov["missing"]
        .as_array()
        .expect("missing")
        .iter()
        .map(|m| m["agency_name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(missing.len(), expected - 1, "{missing:?}");
    assert!(
        missing.contains(&"Ủy ban nhân dân thị xã Sa Pa"),
        "{missing:?}"
    );
    assert!(
        !missing.contains(&"Ủy ban nhân dân huyện Bát Xát"),
        "Bát Xát is approved: {missing:?}"
    );
    assert_eq!(c["provisional"], true);

    // 4. I.2.1 "11 LN, 21 NTT, 13 LNTT": no verdict on the sum, one per category.
    let total = row(&c, "I.2.1", "");
    assert_eq!(total["period_value"], 7.0);
    assert_eq!(total["status"], "per_category", "{total}");
    assert!(
        total["percent"].is_null(),
        "no rate on a sum of unlike things: {total}"
    );
    assert_eq!(
        total["split_targets"],
        "2025 — LN: 11, NTT: 21, LNTT: 13; 2030 — LN: 8, NTT: 32, LNTT: 18"
    );
    assert_eq!(total["milestone"], "2025");
    assert_eq!(total["milestone_year"], 2025);
    let ln = row(&c, "I.2.1", "LN");
    assert_eq!(ln["target"], "11 (2025)", "{ln}");
    assert_eq!(ln["percent_text"], "27,3 %", "3 of 11: {ln}");
    assert_eq!(ln["status"], "below");
    assert_eq!(ln["provisional"], true, "1 of {expected} approved: {ln}");
    let ntt = row(&c, "I.2.1", "NTT");
    assert_eq!(ntt["percent_text"], "9,5 %", "2 of 21: {ntt}");
    // I.2.3 has a numeric target per category: it never says "no numeric target".
    assert_eq!(row(&c, "I.2.3", "")["status"], "per_category");

    // 5. The page in both languages, and the official PDF.
    let html = coord
        .get(&format!("/programs/{program}/consolidation?period={pid}"))
        .await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(
        html.body
            .contains(&format!("1/{expected} đơn vị đã được duyệt")),
        "coverage on the page"
    );
    assert!(html.body.contains("id=\"missing-units\""));
    assert!(html.body.contains("Ủy ban nhân dân thị xã Sa Pa"));
    assert!(html.body.contains("tạm tính"));
    assert!(html.body.contains("So sánh theo từng loại"));
    assert!(html
        .body
        .contains("2025 — LN: 11, NTT: 21, LNTT: 13; 2030 — LN: 8"));
    let r = coord.form("/lang", &[("lang", "en")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let html = coord
        .get(&format!("/programs/{program}/consolidation?period={pid}"))
        .await;
    assert!(
        html.body
            .contains(&format!("1 of {expected} units approved")),
        "coverage in English"
    );
    assert!(html.body.contains("provisional"));
    assert!(html.body.contains("Compared per category"));
    assert!(html.body.contains("Against the 2025 milestone"));
    let r = coord.form("/lang", &[("lang", "vi")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let pdf = coord
        .get_file(&format!(
            "/api/v1/programs/{program}/consolidation.pdf?period={pid}"
        ))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.bytes.starts_with(b"%PDF"));
    assert_ne!(pdf.bytes, before.bytes, "the approval gives a new document");
    assert_ne!(coord.get_file(&xlsx_path).await.bytes, xlsx_before);
    if let Some(text) = pdf_text(&pdf.bytes) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for s in [
            format!("{}/{} đơn vị đã được duyệt", 1, expected),
            "tạm tính".to_string(),
            "Các đơn vị chưa được duyệt báo cáo".to_string(),
            "Ủy ban nhân dân thị xã Sa Pa".to_string(),
        ] {
            assert!(flat.contains(&s), "PDF lacks {s:?}:\n{text}");
        }
    }
    let docx = coord
        .get_file(&format!(
            "/api/v1/programs/{program}/consolidation.docx?period={pid}"
        ))
        .await;
    assert_eq!(docx.status, StatusCode::OK);
    let xml = {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx.bytes)).expect("zip");
        let mut f = z.by_name("word/document.xml").expect("document.xml");
        let mut s = String::new();
        f.read_to_string(&mut s).expect("utf-8");
        s
    };
    assert!(
        xml.contains(&format!("1/{expected} đơn vị đã được duyệt")),
        "DOCX states the coverage"
    );

    // 6. A later period is measured against the next milestone, and says which.
    let r = coord
        .json(
            Method::POST,
            &periods,
            json!({"kind": "annual", "year": "2026", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let p26 = r.json()["id"].as_i64().expect("id");
    let c26 = api(
        &mut coord,
        &format!("/api/v1/programs/{program}/consolidation?period={p26}"),
    )
    .await;
    let ln26 = row(&c26, "I.2.1", "LN");
    assert_eq!(ln26["milestone_year"], 2030, "{ln26}");
    assert_eq!(ln26["target"], "8 (2030)", "{ln26}");
    assert_eq!(c26["coverage"]["approved"], 0);

    // 7. The plan (2022–2025) read after its end is measured against 2025, not its 2030 vision,
    //    and I.2.1 is compared per category there too.
    let inds = api(
        &mut coord,
        &format!("/api/v1/programs/{program}/indicators"),
    )
    .await;
    let i21 = inds["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["code"] == "I.2.1")
        .expect("I.2.1");
    assert_eq!(
        i21["achievement"]["milestone"], "2025",
        "{}",
        i21["achievement"]
    );
    assert_eq!(i21["achievement"]["status"], "per_category");
}

pub async fn plan_page_has_sections_and_a_scoped_summary_pdf(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let program = lao_cai_plan(&mut admin).await;

    // The plan page: a table of contents with its anchors, the matrix headed by short names.
    let page = admin.get(&format!("/programs/{program}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"plan-toc\""));
    for anchor in [
        "info",
        "objectives",
        "indicators",
        "tasks",
        "assignment",
        "budget",
        "appendix",
        "periods",
    ] {
        assert!(
            page.body.contains(&format!("href=\"#{anchor}\"")),
            "TOC entry {anchor}"
        );
        assert!(
            page.body.contains(&format!("id=\"{anchor}\"")),
            "section {anchor}"
        );
    }
    assert!(
        page.body
            .contains("<abbr title=\"Ủy ban nhân dân huyện Bát Xát\">"),
        "agency columns carry the full name"
    );
    assert!(
        !page.body.contains(
            "title=\"Ủy ban nhân dân huyện Bát Xát\">Ủy ban nhân dân huyện Bát Xát</abbr>"
        ),
        "the column header is the short name"
    );
    // Split targets with their year.
    assert!(
        page.body.contains("2025 — LN: 11"),
        "split targets with year"
    );
    assert!(page.body.contains("2030 — LN: 8"));

    // The printable summary: a PDF, on the page path and the API path.
    for path in [
        format!("/programs/{program}/summary.pdf"),
        format!("/api/v1/programs/{program}/summary.pdf"),
    ] {
        let f = admin.get_file(&path).await;
        assert_eq!(f.status, StatusCode::OK, "{path}");
        assert_eq!(f.header("content-type"), "application/pdf");
        assert!(f.bytes.starts_with(b"%PDF"), "{path}");
        if let Some(text) = pdf_text(&f.bytes) {
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for s in [
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "BẢN TÓM TẮT",
                "316/KH-UBND",
                "NHIỆM VỤ VÀ PHÂN CÔNG",
                "UBND TỈNH LÀO CAI",
                "theo loại: 2025 — LN:",
            ] {
                assert!(flat.contains(s), "summary lacks {s:?}:\n{text}");
            }
        }
    }
    // Outside the reader's scope: 404, as the programme itself.
    let mut gl = app
        .user("gia.lam", "officer", "hn-ubnd-gia-lam", "018")
        .await;
    assert_eq!(
        gl.get(&format!("/api/v1/programs/{program}")).await.status,
        StatusCode::NOT_FOUND
    );
    for path in [
        format!("/programs/{program}/summary.pdf"),
        format!("/api/v1/programs/{program}/summary.pdf"),
    ] {
        assert_eq!(
            gl.get_file(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        gl.get_file("/api/v1/programs/x/summary.pdf").await.status,
        StatusCode::NOT_FOUND
    );
}
