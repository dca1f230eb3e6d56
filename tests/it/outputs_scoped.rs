//! Every output is scoped. The PDF, DOCX, XLSX and CSV files
//! apply exactly the scope of the JSON they are built from.
//!
//! The test walks every download route of the OpenAPI document (a GET whose 200
//! answer is not JSON, or which takes `format`), fills its ids from the demo data
//! (every programme and its periods, every report and its attachments, scheme,
//! registry list and document file), and fetches each file as an admin, as an officer and a viewer
//! of Huyện Gia Lâm, as a viewer of Lào Cai and as a viewer of one of its
//! districts (Bảo Thắng, whose province plan has other districts' values). Each file is read back as text
//! (pdftotext, the XML inside DOCX/XLSX, CSV as is) and must name nothing the
//! user's own JSON lists do not show: the out-of-scope names are what the
//! admin's lists show and the user's do not (registry records, agencies,
//! applicants and their districts), and what the units outside the user's scope
//! wrote in their reports. The JSON twin of each file is held to the same rule.
//! Every file must come with an `attachment` filename and its content type; a
//! user whose JSON twin answers 403/404 gets 403/404 for the file, never the file,
//! and a client without a session gets 401.
//!
//! A download route the test does not know how to fill fails the test, so a new
//! one cannot be skipped silently.

use crate::api;
use http::{Method, StatusCode};
use langnghe_it::files::{normalize, text_of};
use langnghe_it::{Backend, Client, FileResp, TestApp};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV: &str = "text/csv";

/// The registry lists (`format=xlsx|csv` exports the filtered list).
const REGISTRY: [&str; 7] = [
    "villages",
    "crafts",
    "establishments",
    "artisans",
    "products",
    "documents",
    "environment-assessments",
];

/// How the test fills a download route's path and finds its JSON twin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fill {
    /// `/api/v1/<entity>?format=…`: the whole list.
    RegistryList,
    /// `/api/v1/programs/{id}/appendix?format=xlsx`: every programme.
    Appendix,
    /// `/api/v1/programs/{id}/consolidation.<ext>?period=…`: every programme × period.
    Consolidation,
    /// `/api/v1/programs/{id}/summary.pdf`: every programme (its twin: the programme's tasks,
    /// which name the same agencies).
    Summary,
    /// `/api/v1/reports/{id}/xlsx`: every report.
    Report,
    /// `/api/v1/schemes/{id}/decision.pdf`: every scheme.
    Scheme,
    /// `/api/v1/documents/{id}/file`: every document with a file (uploaded by the person).
    DocumentFile,
    /// `/api/v1/reports/{id}/attachments/{aid}`: every file attached to a report.
    Attachment,
}

/// The download routes this test knows, with the formats each is asked for
/// (empty: the route's own content type).
fn known(path: &str) -> Option<(Fill, Vec<&'static str>)> {
    if let Some(e) = path.strip_prefix("/api/v1/") {
        if REGISTRY.contains(&e) {
            return Some((Fill::RegistryList, vec!["xlsx", "csv"]));
        }
    }
    Some(match path {
        "/api/v1/programs/{id}/appendix" => (Fill::Appendix, vec!["xlsx"]),
        "/api/v1/programs/{id}/consolidation.pdf"
        | "/api/v1/programs/{id}/consolidation.docx"
        | "/api/v1/programs/{id}/consolidation.xlsx" => (Fill::Consolidation, vec![]),
        "/api/v1/programs/{id}/summary.pdf" => (Fill::Summary, vec![]),
        "/api/v1/reports/{id}/xlsx" => (Fill::Report, vec![]),
        "/api/v1/schemes/{id}/decision.pdf" => (Fill::Scheme, vec![]),
        "/api/v1/documents/{id}/file" => (Fill::DocumentFile, vec![]),
        "/api/v1/reports/{id}/attachments/{aid}" => (Fill::Attachment, vec![]),
        _ => return None,
    })
}

/// One download route of the OpenAPI document.
#[derive(Debug, Clone)]
struct Route {
    template: String,
    /// The content type the document declares for 200 ("" when none).
    declared: String,
    fill: Fill,
    formats: Vec<&'static str>,
}

/// Download routes of the OpenAPI document: GETs whose 200 answer is not JSON
/// (or has no declared content), and GETs that take `format`.
fn download_routes(doc: &Value) -> (Vec<Route>, Vec<String>) {
    let mut routes = vec![];
    let mut unknown = vec![];
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        let Some(get) = ops.get("get") else { continue };
        if path == "/api/v1/openapi.json" {
            continue;
        }
        let content = get["responses"]["200"]["content"].as_object();
        let types: Vec<String> = content
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        let takes_format = get["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "format"));
        let non_json = types.is_empty() || types.iter().any(|t| t != "application/json");
        if !(non_json || takes_format) {
            continue;
        }
        match known(path) {
            Some((fill, formats)) => routes.push(Route {
                template: path.clone(),
                declared: types
                    .iter()
                    .find(|t| *t != "application/json")
                    .cloned()
                    .unwrap_or_default(),
                fill,
                formats,
            }),
            None => unknown.push(format!("{path} (200: {types:?}, format: {takes_format})")),
        }
    }
    (routes, unknown)
}

/// Every string inside a JSON value.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn items(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        _ => v["items"].as_array().cloned().unwrap_or_default(),
    }
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or("").trim().to_string()
}

/// A user created through the API with a scope read at a date (a district
/// exists only before the 2025 reform); logged in.
async fn user_as_of(
    app: &TestApp,
    admin: &mut Client,
    username: &str,
    role: &str,
    agency: &str,
    scope: &str,
    as_of: &str,
) -> Client {
    let password = "Mật-khẩu-thử-2026-dài";
    let r = admin
        .json(
            Method::POST,
            "/api/v1/users",
            json!({"username": username, "display_name": username, "password": password,
                   "role": role, "agency": agency, "scope": scope, "scope_as_of": as_of}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{username}: {}", r.body);
    let mut c = app.client();
    let r = c.login(username, password).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "login {username}: {}",
        r.body
    );
    c
}

async fn program_by_code(admin: &mut Client, code: &str) -> i64 {
    items(&api(admin, "/api/v1/programs?limit=500").await)
        .iter()
        .find(|p| p["code"] == code)
        .and_then(|p| p["id"].as_i64())
        .unwrap_or_else(|| panic!("programme {code}"))
}

async fn open_period(admin: &mut Client, program: i64, kind: &str, year: &str) -> i64 {
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": kind, "year": year, "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_i64().expect("period id")
}

/// The admin enters a report on behalf of its unit (a number on its first line
/// and a sentence), the unit's submission is recorded and the report approved.
async fn approve_with(admin: &mut Client, period: i64, agency_name: &str, value: &str, said: &str) {
    let st = api(admin, &format!("/api/v1/periods/{period}")).await;
    let rid = items(&st["units"])
        .iter()
        .find(|u| u["agency_name"] == agency_name)
        .and_then(|u| u["report_id"].as_i64())
        .unwrap_or_else(|| panic!("{agency_name} reports in period {period}: {st}"));
    let rep = api(admin, &format!("/api/v1/reports/{rid}")).await;
    // A unit with tasks but no indicator reports in words only.
    let lines: Vec<Value> = rep["lines"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["category"] == ""))
        .and_then(|l| l["id"].as_i64())
        .map(|id| vec![json!({"id": id, "value": value})])
        .unwrap_or_default();
    let r = admin
        .json(
            Method::PUT,
            &format!("/api/v1/reports/{rid}"),
            json!({"version": rep["version"], "results": said, "difficulties": said,
                   "lines": lines}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "save {agency_name}: {}", r.body);
    for action in ["submit", "approve"] {
        let r = admin
            .json(
                Method::POST,
                &format!("/api/v1/reports/{rid}/{action}"),
                json!({}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{action} {agency_name}: {}",
            r.body
        );
    }
}

/// A small PDF for the document-file route (the file is the person's own upload).
fn tiny_pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec()
}

/// One filled download: the file's path and its JSON twin's.
#[derive(Debug, Clone)]
struct Target {
    template: String,
    fill: Fill,
    path: String,
    twin: String,
    /// The content type the file must have ("" = the type the JSON twin gives the file).
    want_type: String,
    /// The agency whose parents issue or receive the document (the People's
    /// Committee in the header, "Kính gửi"): not a unit with values.
    lead_agency: Option<i64>,
}

fn type_of(declared: &str, format: Option<&str>) -> String {
    match format {
        Some("xlsx") => XLSX.into(),
        Some("csv") => CSV.into(),
        Some(f) => panic!("format {f}"),
        None => declared.to_string(),
    }
}

/// What a user may read: the strings of their JSON lists, and the agencies in their scope.
struct Sight {
    corpus: String,
    agencies: BTreeSet<String>,
}

async fn sight(c: &mut Client) -> Sight {
    let mut all = vec![];
    let mut lists = vec![
        "/api/v1/programs?limit=500".to_string(),
        "/api/v1/schemes".into(),
        "/api/v1/reports?limit=500".into(),
        "/api/v1/agencies?limit=500".into(),
        "/api/v1/contracts".into(),
    ];
    lists.extend(REGISTRY.iter().map(|e| format!("/api/v1/{e}?limit=500")));
    let mut agencies = BTreeSet::new();
    for l in &lists {
        let r = c.get(l).await;
        if r.status != StatusCode::OK {
            continue;
        }
        let v = r.json();
        if l.starts_with("/api/v1/agencies") {
            agencies.extend(items(&v).iter().map(|a| text(a, "name")));
        }
        if l == "/api/v1/schemes" {
            for s in items(&v) {
                let id = s["id"].as_i64().unwrap_or(0);
                let a = c
                    .get(&format!("/api/v1/schemes/{id}/applications?limit=500"))
                    .await;
                if a.status == StatusCode::OK {
                    strings(&a.json(), &mut all);
                }
            }
        }
        strings(&v, &mut all);
    }
    Sight {
        corpus: normalize(&all.join("\n")),
        agencies,
    }
}

/// Names the admin can see, each with what it is; report texts with their agency.
struct Names {
    /// (normalized name, original, kind)
    entities: Vec<(String, String, String)>,
    /// (normalized text, original, agency name)
    by_agency: Vec<(String, String, String)>,
}

async fn admin_names(admin: &mut Client, consolidations: &[String]) -> Names {
    let mut entities = vec![];
    let mut push = |v: &str, kind: &str| {
        let n = normalize(v);
        if n.chars().count() >= 5 {
            entities.push((n, v.to_string(), kind.to_string()));
        }
    };
    for e in REGISTRY {
        for it in items(&api(admin, &format!("/api/v1/{e}?limit=500")).await) {
            push(&text(&it, "name"), e);
        }
    }
    for a in items(&api(admin, "/api/v1/agencies?limit=500").await) {
        push(&text(&a, "name"), "agency");
    }
    for s in items(&api(admin, "/api/v1/schemes").await) {
        let id = s["id"].as_i64().unwrap_or(0);
        let apps = api(
            admin,
            &format!("/api/v1/schemes/{id}/applications?limit=500"),
        )
        .await;
        for a in items(&apps) {
            push(&text(&a, "applicant"), "applicant");
            push(&text(&a, "unit_agency_name"), "agency");
            push(&text(&a, "district"), "district");
        }
    }
    for r in items(&api(admin, "/api/v1/reports?limit=500").await) {
        push(&text(&r, "agency_name"), "agency");
    }
    let mut by_agency = vec![];
    for path in consolidations {
        let r = admin.get(path).await;
        if r.status != StatusCode::OK {
            continue;
        }
        let c = r.json();
        for n in items(&c["narratives"]) {
            let agency = text(&n, "agency_name");
            for k in ["results", "difficulties", "causes", "proposals"] {
                let t = text(&n, k);
                if t.chars().count() >= 5 {
                    by_agency.push((normalize(&t), t, agency.clone()));
                }
            }
        }
        for row in items(&c["rows"]) {
            for u in items(&row["units"]) {
                let agency = text(&u, "agency_name");
                let unit = text(&u, "unit_name");
                by_agency.push((normalize(&agency), agency.clone(), agency.clone()));
                by_agency.push((normalize(&unit), unit, agency));
            }
        }
    }
    entities.sort();
    entities.dedup();
    by_agency.sort();
    by_agency.dedup();
    Names {
        entities,
        by_agency,
    }
}

/// The names a user must not find in their files: what the admin sees and the
/// user's lists do not show, and what units outside the user's scope wrote.
fn forbidden_for(names: &Names, s: &Sight) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = names
        .entities
        .iter()
        .filter(|(n, _, _)| !s.corpus.contains(n.as_str()))
        .cloned()
        .collect();
    for (n, orig, agency) in &names.by_agency {
        if !s.agencies.contains(agency) && !s.corpus.contains(n.as_str()) {
            out.push((n.clone(), orig.clone(), format!("written by {agency}")));
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// The parents of an agency (who issues or receives the document), normalized.
async fn issuers(admin: &mut Client, lead: Option<i64>) -> Vec<String> {
    let mut out = vec![];
    let mut next = lead;
    let mut hops = 0;
    while let Some(id) = next {
        let r = admin.get(&format!("/api/v1/agencies/{id}")).await;
        if r.status != StatusCode::OK || hops > 5 {
            break;
        }
        let a = r.json();
        if hops > 0 {
            out.push(normalize(&text(&a, "name")));
        }
        next = a["parent_id"].as_i64();
        hops += 1;
    }
    out
}

fn is_denied(s: StatusCode) -> bool {
    s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND
}

pub async fn every_output_is_scoped(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;

    // The reporting cycle has no period in the demo: open one on a Hà Nội plan
    // with units inside and outside Gia Lâm, and one on the Lào Cai plan.
    let hn = program_by_code(&mut admin, "HN-LN-2018").await;
    let lc = program_by_code(&mut admin, "316/KH-UBND").await;
    let hn_period = open_period(&mut admin, hn, "annual", "2018").await;
    let lc_period = open_period(&mut admin, lc, "first_half", "2023").await;
    for (agency, value, said) in [
        (
            "Ủy ban nhân dân huyện Gia Lâm",
            "3",
            "Gia Lâm mở ba lớp truyền nghề gốm cho lao động nông thôn.",
        ),
        (
            "Ủy ban nhân dân quận Hà Đông",
            "5",
            "Hà Đông quảng bá lụa Vạn Phúc tại hội chợ mùa thu.",
        ),
        (
            "Sở Công Thương thành phố Hà Nội",
            "7",
            "Sở Công Thương rà soát quy hoạch cụm công nghiệp làng nghề.",
        ),
    ] {
        approve_with(&mut admin, hn_period, agency, value, said).await;
    }
    for (agency, value, said) in [
        (
            "Ủy ban nhân dân huyện Bát Xát",
            "2",
            "Bát Xát khôi phục nghề dệt thổ cẩm tại xã Y Tý.",
        ),
        (
            "Ủy ban nhân dân huyện Bảo Thắng",
            "4",
            "Bảo Thắng thiếu mặt bằng cho cơ sở chế biến chè.",
        ),
    ] {
        approve_with(&mut admin, lc_period, agency, value, said).await;
    }

    // A document with a file, so the file route has something to serve.
    let docs = items(&api(&mut admin, "/api/v1/documents?limit=500").await);
    let doc_id = docs[0]["id"].as_i64().expect("a document");
    admin.get("/documents").await;
    let up = crate::registry::upload(
        &mut admin,
        &format!("/api/v1/documents/{doc_id}/file"),
        "van-ban.pdf",
        &tiny_pdf(),
    )
    .await;
    assert_eq!(up.status, StatusCode::OK, "upload: {}", up.body);
    // Files attached to reports still in draft: one of a Hà Nội department, one of Lào Cai's.
    for (period, agency) in [
        (hn_period, "Sở Du lịch thành phố Hà Nội"),
        (lc_period, "Sở Công Thương tỉnh Lào Cai"),
    ] {
        let st = api(&mut admin, &format!("/api/v1/periods/{period}")).await;
        let rid = items(&st["units"])
            .iter()
            .find(|u| u["agency_name"] == agency)
            .and_then(|u| u["report_id"].as_i64())
            .unwrap_or_else(|| panic!("{agency} reports in period {period}"));
        let up = crate::registry::upload(
            &mut admin,
            &format!("/api/v1/reports/{rid}/attachments"),
            "bien-ban.pdf",
            &tiny_pdf(),
        )
        .await;
        assert_eq!(up.status, StatusCode::CREATED, "attach: {}", up.body);
    }

    // The users: a district officer and viewer (Gia Lâm, before the reform), a province viewer.
    let gl_officer = user_as_of(
        &app,
        &mut admin,
        "canbo.gialam",
        "officer",
        "hn-ubnd-gia-lam",
        "018",
        "1/1/2017",
    )
    .await;
    let gl_viewer = user_as_of(
        &app,
        &mut admin,
        "xem.gialam",
        "viewer",
        "hn-ubnd-gia-lam",
        "018",
        "1/1/2017",
    )
    .await;
    let lc_viewer = user_as_of(
        &app,
        &mut admin,
        "xem.laocai",
        "viewer",
        "lc-so-ct",
        "10",
        "1/1/2017",
    )
    .await;

    // A district of Lào Cai, whose province plan has values from other districts.
    let bt_viewer = user_as_of(
        &app,
        &mut admin,
        "xem.baothang",
        "viewer",
        "lc-ubnd-bao-thang",
        "086",
        "1/1/2017",
    )
    .await;

    // A district reads its province's consolidation as an extract: the plan's totals,
    // its own units only (docs/decisions.md); the province reads it whole.
    let whole = api(
        &mut admin,
        &format!("/api/v1/programs/{lc}/consolidation?period={lc_period}"),
    )
    .await;
    let part = api(
        &mut bt_viewer.clone(),
        &format!("/api/v1/programs/{lc}/consolidation?period={lc_period}"),
    )
    .await;
    assert_eq!(part["limited_to"], "Huyện Bảo Thắng", "{part}");
    let totals = |c: &Value| -> Vec<Value> {
        items(&c["rows"])
            .iter()
            .map(|r| r["period_value"].clone())
            .collect()
    };
    assert_eq!(totals(&part), totals(&whole), "the totals are the plan's");
    let named = |c: &Value| -> BTreeSet<String> {
        items(&c["narratives"])
            .iter()
            .map(|n| text(n, "agency_name"))
            .collect()
    };
    assert_eq!(
        named(&part),
        BTreeSet::from(["Ủy ban nhân dân huyện Bảo Thắng".to_string()])
    );
    assert!(named(&whole).contains("Ủy ban nhân dân huyện Bát Xát"));
    let province = api(
        &mut lc_viewer.clone(),
        &format!("/api/v1/programs/{lc}/consolidation?period={lc_period}"),
    )
    .await;
    assert!(province["limited_to"].is_null(), "{province}");
    assert_eq!(named(&province), named(&whole));

    // The routes, from the OpenAPI document.
    let doc = api(&mut admin, "/api/v1/openapi.json").await;
    let (routes, unknown) = download_routes(&doc);
    assert!(
        unknown.is_empty(),
        "download routes this test does not know how to fill (teach `known` and `fill`): {unknown:#?}"
    );
    let fills: BTreeSet<Fill> = routes.iter().map(|r| r.fill).collect();
    for f in [
        Fill::RegistryList,
        Fill::Appendix,
        Fill::Consolidation,
        Fill::Summary,
        Fill::Report,
        Fill::Scheme,
        Fill::DocumentFile,
        Fill::Attachment,
    ] {
        assert!(
            fills.contains(&f),
            "{f:?}: no such download route in the OpenAPI document any more — update this test"
        );
    }

    // Ids from the admin's JSON: every programme and period, report, scheme, document file.
    let programs = items(&api(&mut admin, "/api/v1/programs?limit=500").await);
    let mut periods: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let mut lead_of_program: BTreeMap<i64, Option<i64>> = BTreeMap::new();
    for p in &programs {
        let id = p["id"].as_i64().expect("id");
        lead_of_program.insert(id, p["lead_agency_id"].as_i64());
        let ps = api(&mut admin, &format!("/api/v1/programs/{id}/periods")).await;
        periods.insert(
            id,
            items(&ps).iter().filter_map(|x| x["id"].as_i64()).collect(),
        );
    }
    let reports = items(&api(&mut admin, "/api/v1/reports?limit=500").await);
    let schemes = items(&api(&mut admin, "/api/v1/schemes").await);
    // (report, attachment, programme)
    let mut attachments: Vec<(i64, i64, i64)> = vec![];
    for rep in &reports {
        let id = rep["id"].as_i64().unwrap_or(0);
        let v = api(&mut admin, &format!("/api/v1/reports/{id}")).await;
        for a in items(&v["attachments"]) {
            let pid = rep["program_id"].as_i64().unwrap_or(0);
            attachments.push((id, a["id"].as_i64().unwrap_or(0), pid));
        }
    }
    let files: Vec<Value> = items(&api(&mut admin, "/api/v1/documents?limit=500").await)
        .into_iter()
        .filter(|d| d["file_name"].is_string())
        .collect();

    let mut targets: Vec<Target> = vec![];
    for r in &routes {
        let fmts: Vec<Option<&str>> = if r.formats.is_empty() {
            vec![None]
        } else {
            r.formats.iter().map(|f| Some(*f)).collect()
        };
        for fmt in fmts {
            let want_type = type_of(&r.declared, fmt);
            let q = fmt.map(|f| format!("format={f}"));
            let mut add = |path: String, twin: String, lead: Option<i64>| {
                targets.push(Target {
                    template: r.template.clone(),
                    fill: r.fill,
                    path,
                    twin,
                    want_type: want_type.clone(),
                    lead_agency: lead,
                })
            };
            match r.fill {
                Fill::RegistryList => add(
                    format!("{}?{}", r.template, q.clone().unwrap_or_default()),
                    format!("{}?limit=500", r.template),
                    None,
                ),
                Fill::Appendix => {
                    for p in &programs {
                        let id = p["id"].as_i64().unwrap_or(0);
                        let base = r.template.replace("{id}", &id.to_string());
                        add(
                            format!("{base}?{}", q.clone().unwrap_or_default()),
                            base,
                            lead_of_program[&id],
                        );
                    }
                }
                Fill::Summary => {
                    for p in &programs {
                        let id = p["id"].as_i64().unwrap_or(0);
                        add(
                            r.template.replace("{id}", &id.to_string()),
                            format!("/api/v1/programs/{id}/tasks"),
                            lead_of_program[&id],
                        );
                    }
                }
                Fill::Consolidation => {
                    for (id, ps) in &periods {
                        let base = r.template.replace("{id}", &id.to_string());
                        let twin = format!("/api/v1/programs/{id}/consolidation");
                        if ps.is_empty() {
                            add(base.clone(), twin.clone(), lead_of_program[id]);
                        }
                        for pid in ps {
                            add(
                                format!("{base}?period={pid}"),
                                format!("{twin}?period={pid}"),
                                lead_of_program[id],
                            );
                        }
                    }
                }
                Fill::Report => {
                    for rep in &reports {
                        let id = rep["id"].as_i64().unwrap_or(0);
                        let pid = rep["program_id"].as_i64().unwrap_or(0);
                        add(
                            r.template.replace("{id}", &id.to_string()),
                            format!("/api/v1/reports/{id}"),
                            lead_of_program.get(&pid).copied().flatten(),
                        );
                    }
                }
                Fill::Scheme => {
                    for s in &schemes {
                        let id = s["id"].as_i64().unwrap_or(0);
                        add(
                            r.template.replace("{id}", &id.to_string()),
                            format!("/api/v1/schemes/{id}/applications?limit=500"),
                            s["lead_agency_id"].as_i64(),
                        );
                    }
                }
                Fill::Attachment => {
                    for (rid, aid, pid) in &attachments {
                        add(
                            r.template
                                .replace("{id}", &rid.to_string())
                                .replace("{aid}", &aid.to_string()),
                            format!("/api/v1/reports/{rid}"),
                            lead_of_program.get(pid).copied().flatten(),
                        );
                    }
                }
                Fill::DocumentFile => {
                    for d in &files {
                        let id = d["id"].as_i64().unwrap_or(0);
                        add(
                            r.template.replace("{id}", &id.to_string()),
                            format!("/api/v1/documents/{id}"),
                            None,
                        );
                    }
                }
            }
        }
    }
    // The page twins (same path without /api/v1) that serve the same file.
    let mut pages = vec![];
    for t in &targets {
        let page = t.path.trim_start_matches("/api/v1").to_string();
        let r = admin.get_file(&page).await;
        let ct = r.header("content-type");
        if r.status == StatusCode::OK && !ct.starts_with("text/html") {
            pages.push(Target {
                path: page,
                template: format!("{} (page)", t.template.trim_start_matches("/api/v1")),
                ..t.clone()
            });
        }
    }
    targets.extend(pages);

    let consolidations: Vec<String> = targets
        .iter()
        .filter(|t| t.fill == Fill::Consolidation)
        .map(|t| t.twin.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names = admin_names(&mut admin, &consolidations).await;
    let mut issuer_names: BTreeMap<Option<i64>, Vec<String>> = BTreeMap::new();
    let leads: BTreeSet<Option<i64>> = targets.iter().map(|t| t.lead_agency).collect();
    for lead in leads {
        let v = issuers(&mut admin, lead).await;
        issuer_names.insert(lead, v);
    }

    // A programme's summary is the plan itself: whoever may read the plan (a district
    // reads the province plan that contains it) reads the agencies the plan names
    // (issuer, lead and coordinating agencies of its tasks and indicators), as its
    // page and JSON show them.
    let mut plan_texts: BTreeMap<String, String> = BTreeMap::new();
    for t in targets.iter().filter(|t| t.fill == Fill::Summary) {
        let base = t.twin.trim_end_matches("/tasks").to_string();
        let mut all = vec![];
        for part in ["", "/tasks", "/indicators"] {
            let r = admin.get(&format!("{base}{part}")).await;
            if r.status == StatusCode::OK {
                strings(&r.json(), &mut all);
            }
        }
        plan_texts.insert(t.path.clone(), normalize(&all.join("\n")));
    }

    let mut problems: Vec<String> = vec![];
    let mut leaks: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // template → user → status → count
    let mut walked: BTreeMap<String, BTreeMap<&str, BTreeMap<u16, usize>>> = BTreeMap::new();
    let anonymous = app.client();
    let mut users: Vec<(&str, Client)> = vec![
        ("admin", admin.clone()),
        ("gia-lam-officer", gl_officer),
        ("gia-lam-viewer", gl_viewer),
        ("lao-cai-viewer", lc_viewer),
        ("bao-thang-viewer", bt_viewer),
        ("anonymous", anonymous),
    ];
    for (who, c) in users.iter_mut() {
        let who: &str = who;
        let anon = who == "anonymous";
        let s = if anon {
            Sight {
                corpus: String::new(),
                agencies: BTreeSet::new(),
            }
        } else {
            sight(c).await
        };
        let forbidden = if who == "admin" || anon {
            vec![]
        } else {
            forbidden_for(&names, &s)
        };
        for t in &targets {
            let twin = c.get_file(&t.twin).await;
            let file = c.get_file(&t.path).await;
            *walked
                .entry(t.template.clone())
                .or_default()
                .entry(who)
                .or_default()
                .entry(file.status.as_u16())
                .or_default() += 1;
            if anon {
                if file.status.is_success() {
                    problems.push(format!("{}: served to a client without a session", t.path));
                }
                continue;
            }
            let twin_ok = twin.status == StatusCode::OK;
            if !twin_ok && !is_denied(twin.status) {
                problems.push(format!(
                    "{who}: twin {} answers {} (neither 200 nor 403/404)",
                    t.twin, twin.status
                ));
            }
            if !twin_ok {
                if !is_denied(file.status) {
                    problems.push(format!(
                        "{who}: {} answers {} while its JSON {} answers {}: no access must mean 403/404",
                        t.path, file.status, t.twin, twin.status
                    ));
                }
                continue;
            }
            if file.status != StatusCode::OK {
                problems.push(format!(
                    "{who}: {} answers {} while its JSON {} answers 200",
                    t.path, file.status, t.twin
                ));
                continue;
            }
            check_headers(who, t, &file, &twin, &mut problems);
            if forbidden.is_empty() {
                // The admin's files must still read back.
                if !matches!(t.fill, Fill::DocumentFile | Fill::Attachment) {
                    let _ = text_of(&t.want_type, &file.bytes);
                }
                continue;
            }
            let exempt = &issuer_names[&t.lead_agency];
            let plan_text = plan_texts.get(&t.path);
            let allowed = |n: &str| {
                exempt.iter().any(|e| e.contains(n)) || plan_text.is_some_and(|p| p.contains(n))
            };
            // The JSON twin is held to the same rule as the file.
            let mut twin_strings = vec![];
            strings(
                &serde_json::from_slice(&twin.bytes).unwrap_or(Value::Null),
                &mut twin_strings,
            );
            let twin_text = normalize(&twin_strings.join("\n"));
            for (n, orig, kind) in &forbidden {
                if twin_text.contains(n.as_str()) && !allowed(n) {
                    leaks
                        .entry(format!("{who}: {} (JSON)", t.twin))
                        .or_default()
                        .insert(format!("{orig} [{kind}]"));
                }
            }
            if t.fill == Fill::Consolidation {
                // The units named in a consolidation are units of the reader's scope.
                let v: Value = serde_json::from_slice(&twin.bytes).unwrap_or(Value::Null);
                let mut named: Vec<String> = items(&v["narratives"])
                    .iter()
                    .map(|n| text(n, "agency_name"))
                    .collect();
                for row in items(&v["rows"]) {
                    named.extend(items(&row["units"]).iter().map(|u| text(u, "agency_name")));
                }
                for a in named.iter().filter(|a| !s.agencies.contains(*a)) {
                    leaks
                        .entry(format!("{who}: {} (JSON)", t.twin))
                        .or_default()
                        .insert(format!("{a} [unit outside the scope]"));
                }
            }
            if matches!(t.fill, Fill::DocumentFile | Fill::Attachment) {
                // A person's own upload: served to whoever may read its record.
                continue;
            }
            let body = normalize(&text_of(&t.want_type, &file.bytes));
            for (n, orig, kind) in &forbidden {
                if body.contains(n.as_str()) && !allowed(n) {
                    leaks
                        .entry(format!("{who}: {}", t.path))
                        .or_default()
                        .insert(format!("{orig} [{kind}]"));
                }
            }
        }
    }

    // What was walked, so a route that stops being walked shows.
    let mut report = String::from("download routes walked (file status per user):\n");
    for (template, by_user) in &walked {
        report.push_str(&format!("  {template}\n"));
        for (who, st) in by_user {
            let s: Vec<String> = st.iter().map(|(k, v)| format!("{k}×{v}")).collect();
            report.push_str(&format!("      {who:<16} {}\n", s.join(" ")));
        }
    }
    eprintln!("{report}");
    let api_routes: BTreeSet<&str> = targets
        .iter()
        .filter(|t| t.template.starts_with("/api/v1"))
        .map(|t| t.template.as_str())
        .collect();
    assert_eq!(
        api_routes.len(),
        routes.len(),
        "every download route of the OpenAPI document is walked"
    );
    for r in &routes {
        let n: usize = walked
            .get(&r.template)
            .and_then(|u| u.get("admin"))
            .map(|s| s.values().sum())
            .unwrap_or(0);
        assert!(n > 0, "{}: nothing to fill it with", r.template);
    }
    // The admin gets every filled file (consolidations of programmes without a period aside).
    for t in &targets {
        if t.fill != Fill::Consolidation && t.fill != Fill::Appendix {
            let n = walked[&t.template]["admin"].get(&200).copied().unwrap_or(0);
            assert!(n > 0, "{}: the admin got no file", t.template);
        }
    }
    let mut failure = String::new();
    if !leaks.is_empty() {
        failure.push_str("out-of-scope names in outputs:\n");
        for (route, found) in &leaks {
            failure.push_str(&format!("  {route}\n"));
            for f in found {
                failure.push_str(&format!("      {f}\n"));
            }
        }
    }
    if !problems.is_empty() {
        failure.push_str("other problems:\n");
        for p in &problems {
            failure.push_str(&format!("  {p}\n"));
        }
    }
    assert!(failure.is_empty(), "{failure}");
}

fn check_headers(
    who: &str,
    t: &Target,
    file: &FileResp,
    twin: &FileResp,
    problems: &mut Vec<String>,
) {
    let ct = file.header("content-type");
    let want = if t.want_type.is_empty() {
        // A person's upload: the type its JSON twin gives it.
        let v = serde_json::from_slice::<Value>(&twin.bytes).unwrap_or(Value::Null);
        match t.fill {
            Fill::Attachment => {
                let aid: i64 = t.path.rsplit('/').next().unwrap_or("").parse().unwrap_or(0);
                items(&v["attachments"])
                    .iter()
                    .find(|a| a["id"].as_i64() == Some(aid))
                    .map(|a| text(a, "file_type"))
                    .unwrap_or_default()
            }
            _ => text(&v, "file_type"),
        }
    } else {
        t.want_type.clone()
    };
    let base = ct.split(';').next().unwrap_or("").trim();
    if base != want {
        problems.push(format!(
            "{who}: {} has content type {ct:?}, the OpenAPI document says {want:?}",
            t.path
        ));
    }
    let cd = file.header("content-disposition");
    if !(cd.starts_with("attachment")
        && cd.contains("filename=\"")
        && !cd.contains("filename=\"\""))
    {
        problems.push(format!(
            "{who}: {} has no attachment filename: {cd:?}",
            t.path
        ));
    }
    let ext = match want.as_str() {
        PDF => Some(".pdf"),
        DOCX => Some(".docx"),
        XLSX => Some(".xlsx"),
        CSV => Some(".csv"),
        _ => None,
    };
    if let Some(ext) = ext {
        let name = cd
            .split("filename=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("");
        if !name.ends_with(ext) {
            problems.push(format!("{who}: {} is named {name:?}, not *{ext}", t.path));
        }
    }
}
