//! The reporting cycle: periods, assignments, entry on the web and in
//! Excel, checks, workflow with optimistic locking, timeliness and reminders,
//! consolidation of approved reports only, and the official outputs.

use crate::{api, lao_cai_plan};
use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use serde_json::{json, Value};

async fn open_h1(c: &mut Client, program: i64) -> Value {
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "first_half", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()
}

/// The one report a unit's officer sees.
async fn my_report(c: &mut Client) -> Value {
    let list = api(c, "/api/v1/reports").await;
    assert_eq!(
        list["total"], 1,
        "an officer sees only their unit's report: {list}"
    );
    let id = list["items"][0]["id"].as_i64().expect("id");
    api(c, &format!("/api/v1/reports/{id}")).await
}

fn line<'a>(report: &'a Value, code: &str, category: &str) -> &'a Value {
    report["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["indicator_code"] == code && l["category"] == category)
        .unwrap_or_else(|| panic!("line {code} {category} in {}", report["lines"]))
}

async fn save(c: &mut Client, id: i64, body: Value) -> langnghe_it::Resp {
    c.json(Method::PUT, &format!("/api/v1/reports/{id}"), body)
        .await
}

async fn act(c: &mut Client, id: i64, action: &str, body: Value) -> langnghe_it::Resp {
    c.json(
        Method::POST,
        &format!("/api/v1/reports/{id}/{action}"),
        body,
    )
    .await
}

pub async fn reporting_cycle_end_to_end(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;

    // 1. The H1 period by the plan's own rules (Lào Cai: due 20/6), cut-off per Decree 09/2019.
    let period = open_h1(&mut coord, program).await;
    assert_eq!(period["label"], "6 tháng đầu năm 2023");
    assert_eq!(period["data_from"], "2022-12-15");
    assert_eq!(period["data_to"], "2023-06-14");
    assert_eq!(period["due_on"], "2023-06-20");
    assert_eq!(period["milestone"], "2025");
    let pid = period["id"].as_i64().expect("id");
    // Opening it twice is refused, naming the field.
    let again = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "first_half", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert!(again.body.contains("\"year\""), "{}", again.body);
    // An ad hoc report needs its own dates and title.
    let bad = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "ad_hoc", "year": "2023"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    for f in ["label", "due_on"] {
        assert!(bad.body.contains(&format!("\"{f}\"")), "{f}: {}", bad.body);
    }

    // 2. Assignments: every agency with tasks or indicators gets one report.
    let st = api(&mut coord, &format!("/api/v1/periods/{pid}")).await;
    let units: Vec<&str> = st["units"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["agency_name"].as_str().unwrap_or(""))
        .collect();
    for u in [
        "Ủy ban nhân dân huyện Bát Xát",
        "Ủy ban nhân dân thị xã Sa Pa",
        "Ủy ban nhân dân huyện Mường Khương",
        "Sở Công Thương tỉnh Lào Cai",
        "Sở Tài nguyên và Môi trường tỉnh Lào Cai",
        "Sở Nông nghiệp và Phát triển nông thôn tỉnh Lào Cai",
    ] {
        assert!(units.contains(&u), "{u} must report: {units:?}");
    }
    assert_eq!(st["expected"].as_u64(), Some(units.len() as u64));

    // The district's report lists exactly what it owns, with targets and categories.
    let mut bx = app
        .user("bat.xat", "officer", "lc-ubnd-bat-xat", "082")
        .await;
    let rep = my_report(&mut bx).await;
    let rid = rep["id"].as_i64().expect("id");
    assert_eq!(rep["agency_name"], "Ủy ban nhân dân huyện Bát Xát");
    let codes: std::collections::BTreeSet<&str> = rep["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["indicator_code"].as_str().unwrap_or(""))
        .collect();
    for c in ["I.2.1", "I.2.2", "I.2.3", "II.4.a", "I.2.6", "PB.B.6"] {
        assert!(codes.contains(c), "Bát Xát owns {c}: {codes:?}");
    }
    for c in ["PB.A.II.1", "PB.A.IIIb.1", "I.2.7"] {
        assert!(!codes.contains(c), "Bát Xát does not own {c}: {codes:?}");
    }
    let ln = line(&rep, "I.2.1", "LN");
    assert_eq!(ln["target_text"], "11 (2025)", "the category target: {ln}");
    // The province's total target, marked by scope and said in the reader's language.
    assert_eq!(line(&rep, "I.2.1", "")["target_scope"], "province");
    assert!(line(&rep, "I.2.1", "")["target_shown"]
        .as_str()
        .unwrap_or("")
        .starts_with("Toàn tỉnh:"));
    // Values computed from the registry are pre-filled and marked.
    let computed = line(&rep, "I.2.2", "LN");
    assert_eq!(computed["source"], "computed", "{computed}");
    assert!(computed["computed_value"].is_number(), "{computed}");

    // 3./4. Entry with checks: a typo is kept as typed; errors block submission.
    let l_total = line(&rep, "I.2.1", "")["id"].as_i64().expect("id");
    let l_ln = line(&rep, "I.2.1", "LN")["id"].as_i64().expect("id");
    let l_ntt = line(&rep, "I.2.1", "NTT")["id"].as_i64().expect("id");
    let l_lntt = line(&rep, "I.2.1", "LNTT")["id"].as_i64().expect("id");
    let l_pct = line(&rep, "I.2.6", "")["id"].as_i64().expect("id");
    let r = save(
        &mut bx,
        rid,
        json!({"version": rep["version"], "results": "Khôi phục nghề dệt thổ cẩm tại xã Y Tý.",
        "lines": [
            {"id": l_total, "value": "5"}, {"id": l_ln, "value": "2"},
            {"id": l_ntt, "value": "hai"}, {"id": l_lntt, "value": "-1"}
        ]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let saved = r.json();
    assert_eq!(
        line(&saved, "I.2.1", "NTT")["value_text"],
        "hai",
        "kept as typed"
    );
    assert!(line(&saved, "I.2.1", "NTT")["value"].is_null());
    let codes: Vec<&str> = saved["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or(""))
        .collect();
    assert!(
        codes.contains(&"not_a_number") && codes.contains(&"negative"),
        "{codes:?}"
    );
    let refused = act(&mut bx, rid, "submit", json!({})).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("I.2.1 (NTT)"),
        "names the line: {}",
        refused.body
    );

    // Split sums: 5 ≠ 2 + 2 + 2.
    let v = saved["version"].clone();
    let r = save(
        &mut bx,
        rid,
        json!({"version": v, "lines": [{"id": l_ntt, "value": "2"}, {"id": l_lntt, "value": "2"}]}),
    )
    .await;
    let saved = r.json();
    assert!(
        saved["findings"].to_string().contains("split_mismatch"),
        "{}",
        saved["findings"]
    );
    // Percentages in range.
    let r = save(
        &mut bx,
        rid,
        json!({"version": saved["version"], "lines": [{"id": l_total, "value": "6"}, {"id": l_pct, "value": "3"}]}),
    )
    .await;
    let saved = r.json();
    assert_eq!(saved["findings"], json!([]), "{}", saved["findings"]);

    // 5. Optimistic locking: a save against an old version is a conflict with both versions.
    let stale = save(
        &mut bx,
        rid,
        json!({"version": rep["version"], "lines": [{"id": l_total, "value": "9"}]}),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let c = stale.json();
    assert_eq!(c["yours"]["lines"][0]["value"], "9");
    assert_eq!(
        line(&json!({"lines": c["current_lines"]}), "I.2.1", "")["value_text"],
        "6"
    );
    assert!(
        c["message"].as_str().unwrap_or("").contains("bat.xat"),
        "{c}"
    );

    // Submit; the officer may not approve; the coordinator returns with a comment.
    let r = act(&mut bx, rid, "submit", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "submitted");
    assert_eq!(
        act(&mut bx, rid, "approve", json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let no_reason = act(&mut coord, rid, "return", json!({})).await;
    assert_eq!(
        no_reason.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_reason.body
    );
    let r = act(
        &mut coord,
        rid,
        "return",
        json!({"reason": "Số liệu I.2.1 chưa khớp danh sách làng nghề"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let back = api(&mut bx, &format!("/api/v1/reports/{rid}")).await;
    assert_eq!(back["state"], "returned");
    assert_eq!(
        back["return_reason"],
        "Số liệu I.2.1 chưa khớp danh sách làng nghề"
    );
    let notes = api(&mut bx, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("bị trả lại"), "{notes}");
    // Fix and resubmit; approve.
    let r = save(
        &mut bx,
        rid,
        json!({"version": back["version"], "lines": [{"id": l_total, "value": "7"}, {"id": l_ln, "value": "3"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        act(&mut bx, rid, "submit", json!({})).await.status,
        StatusCode::OK
    );
    let r = act(&mut coord, rid, "approve", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["state"], "approved");
    // Approved reports are not editable any more.
    let late = save(
        &mut bx,
        rid,
        json!({"version": r.json()["version"], "lines": []}),
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);

    // Sa Pa: submitted, not approved. Sở Công Thương: a draft with values. Neither counts.
    let mut sp = app.user("sa.pa", "officer", "lc-ubnd-sa-pa", "088").await;
    let sp_rep = my_report(&mut sp).await;
    let sp_id = sp_rep["id"].as_i64().expect("id");
    let sp_total = line(&sp_rep, "I.2.1", "")["id"].as_i64().expect("id");
    let r = save(
        &mut sp,
        sp_id,
        json!({"version": sp_rep["version"], "lines": [{"id": sp_total, "value": "40"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        act(&mut sp, sp_id, "submit", json!({})).await.status,
        StatusCode::OK
    );
    let mut ct = app.user("so.ct", "officer", "lc-so-ct", "10").await;
    let ct_rep = my_report(&mut ct).await;
    let ct_id = ct_rep["id"].as_i64().expect("id");
    let ct_line = line(&ct_rep, "PB.A.II.2", "")["id"].as_i64().expect("id");
    save(
        &mut ct,
        ct_id,
        json!({"version": ct_rep["version"], "lines": [{"id": ct_line, "value": "4"}]}),
    )
    .await;
    // Bảo Thắng: approved too, so the sum has two terms.
    let mut bt = app
        .user("bao.thang", "officer", "lc-ubnd-bao-thang", "086")
        .await;
    let bt_rep = my_report(&mut bt).await;
    let bt_id = bt_rep["id"].as_i64().expect("id");
    let bt_total = line(&bt_rep, "I.2.1", "")["id"].as_i64().expect("id");
    let bt_ln = line(&bt_rep, "I.2.1", "LN")["id"].as_i64().expect("id");
    save(
        &mut bt,
        bt_id,
        json!({"version": bt_rep["version"], "difficulties": "Thiếu vốn, mặt bằng sản xuất.",
               "lines": [{"id": bt_total, "value": "4"}, {"id": bt_ln, "value": "1"}]}),
    )
    .await;
    assert_eq!(
        act(&mut bt, bt_id, "submit", json!({})).await.status,
        StatusCode::OK
    );
    assert_eq!(
        act(&mut coord, bt_id, "approve", json!({})).await.status,
        StatusCode::OK
    );

    // 7. Consolidation: approved reports only; totals equal the sum of approved unit values.
    let cons = api(
        &mut coord,
        &format!("/api/v1/programs/{program}/consolidation?period={pid}"),
    )
    .await;
    assert_eq!(cons["approved"], 2);
    let approved_ids = [rid, bt_id];
    let mut expected: std::collections::HashMap<(String, String), f64> = Default::default();
    for id in approved_ids {
        let r = api(&mut coord, &format!("/api/v1/reports/{id}")).await;
        for l in r["lines"].as_array().expect("lines") {
            if let Some(v) = l["value"].as_f64() {
                if l["aggregation"] == "sum" {
                    *expected
                        .entry((
                            l["indicator_code"].as_str().unwrap_or("").into(),
                            l["category"].as_str().unwrap_or("").into(),
                        ))
                        .or_default() += v;
                }
            }
        }
    }
    let rows = cons["rows"].as_array().expect("rows");
    for row in rows.iter().filter(|r| r["unit"] != "%") {
        let key = (
            row["code"].as_str().unwrap_or("").to_string(),
            row["category"].as_str().unwrap_or("").to_string(),
        );
        let units_sum: f64 = row["units"]
            .as_array()
            .expect("units")
            .iter()
            .map(|u| u["value"].as_f64().unwrap_or(0.0))
            .sum();
        match expected.get(&key) {
            Some(v) => {
                assert_eq!(row["period_value"].as_f64(), Some(*v), "{key:?}: {row}");
                assert_eq!(units_sum, *v, "{key:?}");
            }
            None => assert!(
                row["period_value"].is_null() || key.0 == "I.2.2" || key.0 == "PB.A.IIIb.1",
                "{key:?} has no approved value: {row}"
            ),
        }
    }
    let i21 = rows
        .iter()
        .find(|r| r["code"] == "I.2.1" && r["category"] == "")
        .expect("I.2.1");
    assert_eq!(
        i21["period_value"], 11.0,
        "7 (Bát Xát) + 4 (Bảo Thắng); Sa Pa's 40 is not approved"
    );
    let pb = rows
        .iter()
        .find(|r| r["code"] == "PB.A.II.2" && r["category"] == "")
        .expect("PB.A.II.2");
    assert!(pb["period_value"].is_null(), "a draft is not counted: {pb}");
    // Old districts roll up into today's units.
    let bx_unit = &i21["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["agency_name"] == "Ủy ban nhân dân huyện Bát Xát")
        .expect("Bát Xát")["today_unit"];
    // Huyện Bát Xát no longer exists: its area is in today's communes.
    assert!(
        bx_unit.as_str().unwrap_or("").contains("Xã Y Tý"),
        "{bx_unit}"
    );
    // Achievement against the 2025 target of the LN category (11): 3 + 1 = 4 → 36,4 %.
    let ln = rows
        .iter()
        .find(|r| r["code"] == "I.2.1" && r["category"] == "LN")
        .expect("LN");
    assert_eq!(ln["period_value"], 4.0);
    assert_eq!(ln["percent_text"], "36,4 %", "{ln}");
    // The narrative of each approved unit is gathered.
    assert!(
        cons["narratives"].to_string().contains("Thiếu vốn"),
        "{}",
        cons["narratives"]
    );
    assert!(!cons["narratives"].to_string().contains("Sa Pa"));

    // 8. The official outputs.
    let pdf = coord
        .send_raw(
            http::Request::get(format!(
                "/api/v1/programs/{program}/consolidation.pdf?period={pid}"
            ))
            .body(axum::body::Body::empty())
            .expect("req"),
        )
        .await;
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    if let Some(text) = pdf_text(&pdf) {
        for s in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "/BC-",
            "Nơi nhận",
            "BÁO CÁO",
            "6 tháng đầu năm 2023",
            "Thiếu vốn",
        ] {
            assert!(text.contains(s), "PDF lacks {s:?}:\n{text}");
        }
    }
    let docx = coord
        .send_raw(
            http::Request::get(format!(
                "/api/v1/programs/{program}/consolidation.docx?period={pid}"
            ))
            .body(axum::body::Body::empty())
            .expect("req"),
        )
        .await;
    let xml = zip_entry(&docx, "word/document.xml");
    for s in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Nơi nhận",
        "Thiếu vốn",
    ] {
        assert!(xml.contains(s), "DOCX lacks {s:?}");
    }
    let annex = coord
        .send_raw(
            http::Request::get(format!(
                "/api/v1/programs/{program}/consolidation.xlsx?period={pid}"
            ))
            .body(axum::body::Body::empty())
            .expect("req"),
        )
        .await;
    let sheet = langnghe_reports::read_table(&annex, "a.xlsx", &Default::default()).expect("xlsx");
    assert!(sheet
        .rows
        .iter()
        .any(|r| r.cells.iter().any(|c| c == "Ủy ban nhân dân huyện Bát Xát")));

    // Units see their own reports only, and not the consolidation.
    let other = bx.get(&format!("/api/v1/reports/{sp_id}")).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let cons_unit = bx
        .get(&format!(
            "/api/v1/programs/{program}/consolidation?period={pid}"
        ))
        .await;
    assert_eq!(cons_unit.status, StatusCode::FORBIDDEN);

    // Lock, then reopen with a reason (coordinator), audited.
    assert_eq!(
        act(&mut coord, rid, "lock", json!({})).await.status,
        StatusCode::OK
    );
    let r = act(
        &mut coord,
        rid,
        "reopen",
        json!({"reason": "Bổ sung số liệu OCOP"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let view = r.json();
    assert_eq!(view["state"], "returned");
    let actions: Vec<&str> = view["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        actions,
        ["submit", "return", "submit", "approve", "lock", "reopen"]
    );
    let mut admin = app.admin().await;
    let audit = api(
        &mut admin,
        &format!("/api/v1/audit?entity=report&entity_id={rid}&limit=100"),
    )
    .await;
    let audited: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    for a in ["update", "submit", "return", "approve", "lock", "reopen"] {
        assert!(audited.contains(&a), "{a} audited: {audited:?}");
    }
    // After reopening it is no longer counted.
    let cons = api(
        &mut coord,
        &format!("/api/v1/programs/{program}/consolidation?period={pid}"),
    )
    .await;
    let i21 = cons["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["code"] == "I.2.1" && r["category"] == "")
        .cloned()
        .expect("I.2.1");
    assert_eq!(i21["period_value"], 4.0);
    // The kept period totals followed every move (approve, lock, reopen).
    assert!(app.assert_totals_kept().await >= 1);
}

pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("langnghe-pdf-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join("r.pdf");
    std::fs::write(&file, pdf).ok()?;
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&file)
        .arg("-")
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "pdftotext (poppler-utils) is needed in CI"
            );
            eprintln!("skipped: pdftotext missing");
            None
        }
    }
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut f = z.by_name(name).expect("entry");
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8");
    s
}

use crate::registry::upload;

/// Rewrite a downloaded report workbook: `values` maps line id → (value, comment).
fn fill_workbook(bytes: &[u8], values: &[(i64, &str)], results: &str) -> Vec<u8> {
    use langnghe_reports::{read_table_sheet, Cell, Column, ColumnKind, Table};
    let mut tables = vec![];
    for name in ["Thông tin", "Số liệu", "Thuyết minh"] {
        let s = read_table_sheet(bytes, "r.xlsx", Some(name), &Default::default()).expect(name);
        let columns: Vec<Column> = s
            .headers
            .iter()
            .map(|h| Column::new(h.clone(), h.clone(), ColumnKind::Text))
            .collect();
        let rows = s
            .rows
            .iter()
            .map(|r| {
                let mut cells: Vec<String> = r.cells.clone();
                if name == "Số liệu" {
                    if let Some((_, v)) = values.iter().find(|(id, _)| id.to_string() == cells[0]) {
                        cells[7] = v.to_string();
                    }
                }
                if name == "Thuyết minh" && cells[0] == "1. Kết quả đạt được" {
                    cells[1] = results.to_string();
                }
                cells.into_iter().map(Cell::Text).collect()
            })
            .collect();
        tables.push(Table {
            sheet_name: name.into(),
            title: None,
            columns,
            rows,
        });
    }
    langnghe_reports::to_xlsx_book(&tables).expect("xlsx")
}

pub async fn report_excel_round_trip_is_all_or_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;
    open_h1(&mut coord, program).await;
    let mut bx = app
        .user("bat.xat", "officer", "lc-ubnd-bat-xat", "082")
        .await;
    let rep = my_report(&mut bx).await;
    let rid = rep["id"].as_i64().expect("id");
    let bytes = bx
        .send_raw(
            http::Request::get(format!("/api/v1/reports/{rid}/xlsx"))
                .body(axum::body::Body::empty())
                .expect("req"),
        )
        .await;
    let total = line(&rep, "I.2.1", "")["id"].as_i64().expect("id");
    let ln = line(&rep, "I.2.1", "LN")["id"].as_i64().expect("id");
    let ntt = line(&rep, "I.2.1", "NTT")["id"].as_i64().expect("id");

    // A bad cell rejects the whole file and names the cell; nothing is written.
    bx.get(&format!("/reports/{rid}")).await;
    let bad = fill_workbook(
        &bytes,
        &[(total, "5"), (ln, "hai"), (ntt, "2,5")],
        "Kết quả từ Excel",
    );
    let r = upload(
        &mut bx,
        &format!("/api/v1/reports/{rid}/xlsx"),
        "bc.xlsx",
        &bad,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Ô H"), "names the cell: {}", r.body);
    assert!(
        r.body.contains("I.2.1 (LN)") && r.body.contains("I.2.1 (NTT)"),
        "{}",
        r.body
    );
    let after = api(&mut bx, &format!("/api/v1/reports/{rid}")).await;
    assert_eq!(after["version"], rep["version"], "nothing written");
    assert_eq!(line(&after, "I.2.1", "")["value_text"], "");

    // A good file is loaded whole.
    let good = fill_workbook(
        &bytes,
        &[(total, "5"), (ln, "3"), (ntt, "2")],
        "Kết quả từ Excel",
    );
    let r = upload(
        &mut bx,
        &format!("/api/v1/reports/{rid}/xlsx"),
        "bc.xlsx",
        &good,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(line(&v, "I.2.1", "")["value"], 5.0);
    assert_eq!(line(&v, "I.2.1", "NTT")["value"], 2.0);
    assert_eq!(v["results"], "Kết quả từ Excel");
    // The same file again is stale: its version was used up.
    let r = upload(
        &mut bx,
        &format!("/api/v1/reports/{rid}/xlsx"),
        "bc.xlsx",
        &good,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // Another report's file is refused.
    let mut sp = app.user("sa.pa", "officer", "lc-ubnd-sa-pa", "088").await;
    let sp_rep = my_report(&mut sp).await;
    sp.get(&format!("/reports/{}", sp_rep["id"])).await;
    let r = upload(
        &mut sp,
        &format!("/api/v1/reports/{}/xlsx", sp_rep["id"]),
        "bc.xlsx",
        &good,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // The web form: save, conflict shows both versions and keeps what was typed.
    let page = bx.get(&format!("/reports/{rid}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("name=\"value-{total}\"")),
        "editable form"
    );
    let version = v["version"].as_i64().expect("version");
    let r = bx
        .form(
            &format!("/reports/{rid}"),
            &[
                ("version", &version.to_string()),
                (&format!("value-{total}"), "6"),
                (&format!("value-{ln}"), "4"),
                ("results", "Sửa trên web"),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = bx
        .form(
            &format!("/reports/{rid}"),
            &[
                ("version", &version.to_string()),
                (&format!("value-{total}"), "8"),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("Có người khác vừa lưu báo cáo này"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("value=\"8\""),
        "what was typed stays in the form"
    );
    let now = api(&mut bx, &format!("/api/v1/reports/{rid}")).await;
    assert_eq!(
        line(&now, "I.2.1", "")["value"],
        6.0,
        "the first save stands"
    );

    // Attachments: recognised by content; others refused.
    bx.get(&format!("/reports/{rid}")).await;
    let r = upload(
        &mut bx,
        &format!("/api/v1/reports/{rid}/attachments"),
        "bc.pdf",
        b"%PDF-1.4 test",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = upload(
        &mut bx,
        &format!("/api/v1/reports/{rid}/attachments"),
        "x.pdf",
        b"MZ\x90\x00",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let v = api(&mut bx, &format!("/api/v1/reports/{rid}")).await;
    assert_eq!(v["attachments"].as_array().map(Vec::len), Some(1));
}

pub async fn timeliness_and_reminders(b: Backend) {
    let catcher = langnghe_it::smtp::SmtpCatcher::start().await;
    let config = langnghe_web::WebConfig {
        mail: Some(langnghe_web::mail::MailConfig {
            smtp_url: catcher.url(),
            from: "langnghe@laocai.gov.vn".into(),
        }),
        ..Default::default()
    };
    let app = TestApp::spawn_with(b, config).await;
    let mut admin = app.admin().await;
    let r = admin
        .json(
            Method::POST,
            "/api/v1/users",
            json!({"username": "bat.xat", "password": "pw-Mật-khẩu-2026", "role": "officer",
                   "agency": "lc-ubnd-bat-xat", "scope": "082", "email": "vanphong@batxat.laocai.gov.vn"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let bad = admin
        .json(
            Method::POST,
            "/api/v1/users",
            json!({"username": "x.y", "password": "pw-Mật-khẩu-2026", "role": "officer",
                   "agency": "lc-ubnd-bat-xat", "scope": "082", "email": "khong phai thu"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut bx = app.client();
    assert_eq!(
        bx.login("bat.xat", "pw-Mật-khẩu-2026").await.status,
        StatusCode::SEE_OTHER
    );
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;

    // An ad hoc report due in 3 days, and an old one long overdue.
    let today = time::OffsetDateTime::now_utc()
        .to_offset(langnghe_core::vnfmt::VIETNAM_OFFSET)
        .date();
    let fmt = langnghe_core::vnfmt::format_date;
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "ad_hoc", "year": today.year().to_string(), "label": "Báo cáo đột xuất về làng nghề có nguy cơ mai một",
                   "data_from": fmt(today - time::Duration::days(30)), "data_to": fmt(today - time::Duration::days(1)),
                   "due_on": fmt(today + time::Duration::days(3)), "remind_days": "5"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let soon = r.json()["id"].as_i64().expect("id");
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "first_half", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    let old = r.json()["id"].as_i64().expect("id");

    // Reminders: in the app and by e-mail, once.
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/periods/{soon}/reminders"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let s = r.json();
    assert!(s["notified"].as_u64().unwrap_or(0) >= 1, "{s}");
    assert_eq!(s["emailed"], 1, "one user has an address: {s}");
    let mails = catcher
        .wait_for(1, std::time::Duration::from_secs(10))
        .await;
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].to,
        vec!["vanphong@batxat.laocai.gov.vn".to_string()]
    );
    assert!(
        mails[0].subject().contains("Nhắc hạn báo cáo"),
        "{}",
        mails[0].subject()
    );
    assert!(
        mails[0].body_text().contains("còn 3 ngày"),
        "{}",
        mails[0].body_text()
    );
    let again = coord
        .json(
            Method::POST,
            &format!("/api/v1/periods/{soon}/reminders"),
            json!({}),
        )
        .await
        .json();
    assert_eq!(again["notified"], 0, "sent once: {again}");
    let notes = api(&mut bx, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("Nhắc hạn"), "{notes}");
    // The officer may not send reminders.
    let r = bx
        .json(
            Method::POST,
            &format!("/api/v1/periods/{soon}/reminders"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Timeliness: submitted after 20/6/2023 is late; the others are overdue.
    let list = api(&mut bx, &format!("/api/v1/reports?period_id={old}")).await;
    let rid = list["items"][0]["id"].as_i64().expect("id");
    assert_eq!(
        act(&mut bx, rid, "submit", json!({})).await.status,
        StatusCode::OK
    );
    let st = api(&mut coord, &format!("/api/v1/periods/{old}")).await;
    let bx_status = st["units"]
        .as_array()
        .expect("units")
        .iter()
        .find(|u| u["report_id"] == rid)
        .cloned()
        .expect("Bát Xát");
    assert_eq!(bx_status["status"], "late", "{bx_status}");
    assert!(bx_status["status_label"]
        .as_str()
        .unwrap_or("")
        .starts_with("Trễ"));
    assert!(st["units"]
        .as_array()
        .expect("units")
        .iter()
        .filter(|u| u["report_id"] != rid)
        .all(|u| u["status"] == "overdue"));
    assert_eq!(st["submitted"], 1);
    assert_eq!(st["on_time"], 0);
    let page = coord.get(&format!("/periods/{old}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Trễ"), "the page shows late units");
    assert!(page.body.contains("quá hạn"), "and overdue ones");
    // The soon-due period: not yet submitted, not overdue.
    let st = api(&mut coord, &format!("/api/v1/periods/{soon}")).await;
    assert!(st["units"]
        .as_array()
        .expect("u")
        .iter()
        .all(|u| u["status"] == "missing"));
}

pub async fn reporting_pages_render(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;
    let page = coord.get(&format!("/programs/{program}/periods")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Mở kỳ báo cáo"));
    // The form: a wrong date is named, nothing is created.
    let r = coord
        .form(
            &format!("/programs/{program}/periods"),
            &[
                ("kind", "first_half"),
                ("year", "2023"),
                ("due_on", "31/2/2023"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("f-due_on"));
    let r = coord
        .form(
            &format!("/programs/{program}/periods"),
            &[
                ("kind", "first_half"),
                ("year", "2023"),
                ("confirm_past_due", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let period_page = coord.get(&r.location()).await;
    assert_eq!(period_page.status, StatusCode::OK, "{}", period_page.body);
    assert!(period_page.body.contains("Ủy ban nhân dân huyện Bát Xát"));
    let reports = coord.get("/reports").await;
    assert_eq!(reports.status, StatusCode::OK, "{}", reports.body);
    let list = api(&mut coord, "/api/v1/reports?limit=1").await;
    let rid = list["items"][0]["id"].as_i64().expect("id");
    let rp = coord.get(&format!("/reports/{rid}")).await;
    assert_eq!(rp.status, StatusCode::OK, "{}", rp.body);
    let cons = coord
        .get(&format!("/programs/{program}/consolidation"))
        .await;
    assert_eq!(cons.status, StatusCode::OK, "{}", cons.body);
    assert!(cons.body.contains("Chưa có báo cáo nào được phê duyệt"));
    let notes = coord.get("/notifications").await;
    assert_eq!(notes.status, StatusCode::OK);
    // English.
    coord.accept_language = Some("en".into());
    let doc = api(&mut coord, "/api/v1/openapi.json").await;
    for p in [
        "/api/v1/programs/{id}/periods",
        "/api/v1/reports",
        "/api/v1/reports/{id}",
        "/api/v1/reports/{id}/submit",
        "/api/v1/reports/{id}/return",
        "/api/v1/reports/{id}/approve",
        "/api/v1/reports/{id}/reopen",
        "/api/v1/programs/{id}/consolidation",
        "/api/v1/programs/{id}/consolidation.pdf",
        "/api/v1/programs/{id}/consolidation.docx",
        "/api/v1/programs/{id}/consolidation.xlsx",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} documented");
    }
}
