//! The API contract: what the OpenAPI document says is what the server does.

use http::{Method, StatusCode};
use langnghe_it::{Backend, TestApp};
use serde_json::json;

/// Open the 2024 annual period of the first demo programme (the demo the tests
/// spawn has none), so periods and reports have answers.
async fn open_annual_period(c: &mut langnghe_it::Client) {
    let programs = crate::api(c, "/api/v1/programs?limit=1").await;
    let program = programs["items"][0]["id"]
        .as_i64()
        .expect("a demo programme");
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "annual", "year": "2024", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// A JSON value of the wrong type for a field is a 422 naming the field, in the
/// caller's language; malformed JSON is a 400; nothing is written.
pub async fn wrong_json_types_name_the_field(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = crate::concurrency::token_client(&app).await;
    let before = crate::api(&mut c, "/api/v1/agencies?limit=1").await["total"].clone();
    for (body, field) in [
        (
            json!({"name": ["Sở"], "kind": "department", "admin_unit_code": "01"}),
            "name",
        ),
        (
            json!({"name": "Sở X", "kind": 7, "admin_unit_code": "01"}),
            "kind",
        ),
        (
            json!({"name": "Sở X", "kind": "department", "admin_unit_code": {"a": 1}}),
            "admin_unit_code",
        ),
        (
            json!({"kind": "department", "admin_unit_code": "01"}),
            "name",
        ),
    ] {
        let r = c.json(Method::POST, "/api/v1/agencies", body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        let e = r.json();
        assert_eq!(e["error"]["code"], "validation");
        assert_eq!(e["error"]["fields"][0]["field"], field, "{body}");
        let msg = e["error"]["fields"][0]["message"].as_str().unwrap_or("");
        assert!(!msg.is_empty() && !msg.contains("error-"), "{msg}");
    }
    let r = c
        .json(
            Method::POST,
            "/api/v1/agencies",
            json!({"name": "X", "kind": ["a"], "admin_unit_code": "01"}),
        )
        .await;
    assert!(
        r.json()["error"]["fields"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("kiểu không đúng"),
        "{}",
        r.body
    );
    let req = http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/agencies")
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from("{\"name\": "))
        .expect("request");
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "bad_request");
    assert_eq!(
        crate::api(&mut c, "/api/v1/agencies?limit=1").await["total"],
        before,
        "nothing written"
    );
}

/// Routes whose ids the demo data cannot give (an import job exists only while one
/// runs; a report attachment only once uploaded) — their answers are fuzzed instead.
const NOT_REACHABLE: &[&str] = &[
    "/api/v1/imports/{id}",
    "/api/v1/reports/{id}/attachments/{aid}",
];

/// Where the ids of a nested collection come from, when the path does not say it.
fn source_of(collection: &str) -> &str {
    match collection {
        "/api/v1/budget-lines" => "/api/v1/programs/{id}/budget",
        "/api/v1/indicators" => "/api/v1/programs/{id}/indicators",
        "/api/v1/tasks" => "/api/v1/programs/{id}/tasks",
        "/api/v1/periods" => "/api/v1/programs/{id}/periods",
        "/api/v1/applications" => "/api/v1/schemes/{id}/applications",
        other => other,
    }
}

/// The values a list answer offers for `{param}`: the items' ids (codes for admin units),
/// or, for a record that nests them (an indicator's targets), its children's ids.
fn harvest(route: &str, answer: &serde_json::Value) -> Vec<String> {
    let key = if route.starts_with("/api/v1/admin-units") {
        "code"
    } else {
        "id"
    };
    let list = answer["items"].as_array().or_else(|| answer.as_array());
    list.into_iter()
        .flatten()
        .filter_map(|i| match &i[key] {
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .take(12)
        .collect()
}

/// A key of the document as a JSON pointer in a URI fragment (`~`, `/`, braces escaped).
fn pointer_part(s: &str) -> String {
    s.replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

/// Every JSON answer of a GET route reachable with the demo data validates against the
/// schema the OpenAPI document declares for it (200): a field declared non-null that is
/// null, an enum that does not list a stored value, a required key missing — each fails
/// here, without the fuzz. Ids come from the lists (up to three per collection).
pub async fn answers_match_their_declared_schema(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = crate::concurrency::token_client(&app).await;
    let doc = crate::api(&mut c, "/api/v1/openapi.json").await;
    // The demo has no reporting period: open one so periods and reports have answers.
    open_annual_period(&mut c).await;
    // Nor artisans, establishments, products or assessments: one of each, with only
    // what is required, so every optional field answers null.
    let village = &crate::api(&mut c, "/api/v1/villages?limit=1").await["items"][0];
    let (village_id, code) = (village["id"].clone(), village["admin_unit_code"].clone());
    let craft_id = crate::api(&mut c, "/api/v1/crafts?limit=1").await["items"][0]["id"].clone();
    // Nor a plan draft: read one.
    let r = c
        .json(
            Method::POST,
            "/api/v1/plan-drafts",
            json!({ "text": "KẾ HOẠCH\nPHÁT TRIỂN LÀNG NGHỀ NĂM 2027\nI. MỤC TIÊU\n- Hỗ trợ 12 cơ sở sản xuất." }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = |r: langnghe_it::Resp| {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.json()["id"].clone()
    };
    let establishment = created(
        c.json(
            Method::POST,
            "/api/v1/establishments",
            json!({"name": "Cơ sở Kiểm Tra", "kind": "household", "admin_unit_code": code, "village_id": village_id}),
        )
        .await,
    );
    for (path, body) in [
        (
            "/api/v1/artisans",
            json!({"name": "Nghệ nhân Kiểm Tra", "title": "people", "admin_unit_code": code, "craft_id": craft_id, "village_id": village_id}),
        ),
        (
            "/api/v1/products",
            json!({"name": "Sản phẩm Kiểm Tra", "admin_unit_code": code, "establishment_id": establishment, "village_id": village_id}),
        ),
        (
            "/api/v1/environment-assessments",
            json!({"assessed_on": "2025-07-01", "classification": "meets", "village_id": village_id}),
        ),
    ] {
        created(c.json(Method::POST, path, body).await);
    }

    // The GET routes that answer JSON, the ones without parameters first.
    let mut routes: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter(|(_, item)| {
            item["get"]["responses"]["200"]["content"]["application/json"]["schema"].is_object()
        })
        .map(|(p, _)| p.clone())
        .collect();
    routes.sort_by_key(|p| (p.matches('{').count(), p.len(), p.clone()));

    let mut values: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut checked: Vec<String> = vec![];
    let mut unreached: Vec<String> = vec![];
    let mut problems: Vec<String> = vec![];
    // Nested routes may need ids harvested from other nested routes: a few rounds.
    for _round in 0..3 {
        for route in &routes {
            if checked.contains(route) || NOT_REACHABLE.contains(&route.as_str()) {
                continue;
            }
            // Fill each `{param}` from the collection the path names before it.
            let mut urls = vec![String::new()];
            let mut prefix = String::new();
            let mut fillable = true;
            for seg in route.split('/').filter(|s| !s.is_empty()) {
                if seg.starts_with('{') {
                    let source = source_of(&prefix).to_string();
                    let Some(vals) = values.get(&source).filter(|v| !v.is_empty()) else {
                        fillable = false;
                        break;
                    };
                    urls = urls
                        .iter()
                        .flat_map(|u| vals.iter().map(move |v| format!("{u}/{v}")))
                        .take(12)
                        .collect();
                    prefix.push('/');
                    prefix.push_str(seg);
                } else {
                    prefix.push('/');
                    prefix.push_str(seg);
                    for u in urls.iter_mut() {
                        u.push('/');
                        u.push_str(seg);
                    }
                }
            }
            if !fillable {
                continue;
            }
            let mut root = doc.clone();
            root["$ref"] = json!(format!(
                "#/paths/{}/get/responses/200/content/application~1json/schema",
                pointer_part(route)
            ));
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|e| panic!("{route}: the declared schema does not compile: {e}"));
            let mut answered = 0;
            for url in &urls {
                if answered == 3 {
                    break;
                }
                let r = c.get(url).await;
                // Some records have no such part (a programme without an appendix).
                if r.status == StatusCode::NOT_FOUND && route.contains('{') {
                    continue;
                }
                assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
                answered += 1;
                let answer = r.json();
                for e in validator.iter_errors(&answer) {
                    let at = e.instance_path().to_string();
                    problems.push(format!("GET {url} at {at}: {e}"));
                }
                values
                    .entry(route.clone())
                    .or_default()
                    .extend(harvest(route, &answer));
                // Targets come nested in their indicators.
                let nested = answer["items"].as_array().into_iter().flatten();
                let targets = values.entry("/api/v1/targets".into()).or_default();
                for t in std::iter::once(&answer).chain(nested) {
                    targets.extend(harvest("", &json!({"items": t["targets"]})));
                }
            }
            if answered > 0 {
                checked.push(route.clone());
            }
        }
    }
    for route in &routes {
        if !checked.contains(route) && !NOT_REACHABLE.contains(&route.as_str()) {
            unreached.push(route.clone());
        }
    }
    problems.truncate(40);
    assert!(
        problems.is_empty(),
        "answers that violate their declared schema:\n{}",
        problems.join("\n")
    );
    assert!(
        unreached.is_empty(),
        "JSON routes this test cannot fill (give them a source in `source_of`): {unreached:?}"
    );
    for must in [
        "/api/v1/villages/{id}",
        "/api/v1/crafts/{id}",
        "/api/v1/documents/{id}",
        "/api/v1/products/{id}",
        "/api/v1/artisans/{id}",
        "/api/v1/establishments/{id}",
        "/api/v1/environment-assessments/{id}",
        "/api/v1/reports",
        "/api/v1/periods/{id}",
    ] {
        assert!(checked.iter().any(|r| r == must), "{must} was not checked");
    }
}

/// The registry reads its bodies leniently ("17.800" for a number, a name for an id), but
/// a list or an object where one value is expected is a 422 naming the field — never
/// stored as its JSON text.
pub async fn registry_refuses_lists_for_single_values(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = crate::concurrency::token_client(&app).await;
    let village = &crate::api(&mut c, "/api/v1/villages?limit=1").await["items"][0];
    let code = village["admin_unit_code"].clone();
    let before = crate::api(&mut c, "/api/v1/villages?limit=1").await["total"].clone();
    for (body, field) in [
        (
            json!({"name": ["Làng A", "Làng B"], "status": "new", "admin_unit_code": code}),
            "name",
        ),
        (
            json!({"name": "Làng C", "status": "new", "admin_unit_code": code, "households_total": {"n": 3}}),
            "households_total",
        ),
        (
            json!({"name": "Làng D", "status": "new", "admin_unit_code": [code]}),
            "admin_unit_code",
        ),
    ] {
        let r = c.json(Method::POST, "/api/v1/villages", body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        let e = r.json();
        let fields = e["error"]["fields"].as_array().cloned().unwrap_or_default();
        assert!(
            fields.iter().any(|f| f["field"] == field
                && f["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("kiểu không đúng")),
            "{body}: {}",
            r.body
        );
    }
    assert_eq!(
        crate::api(&mut c, "/api/v1/villages?limit=1").await["total"],
        before,
        "nothing written"
    );
}

/// Workflow actions whose body is optional say so in the document, take an empty
/// body, and refuse a body that is JSON but not an object (serde would read a
/// struct from `[]`): a 422 naming `body`, the report unchanged.
pub async fn optional_action_bodies_are_objects_or_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = crate::concurrency::token_client(&app).await;
    let doc = crate::api(&mut c, "/api/v1/openapi.json").await;
    for p in [
        "/api/v1/reports/{id}/submit",
        "/api/v1/reports/{id}/return",
        "/api/v1/reports/{id}/reopen",
        "/api/v1/schemes/{id}/selection",
    ] {
        assert_eq!(
            doc["paths"][p]["post"]["requestBody"]["required"],
            json!(false),
            "{p}"
        );
    }
    open_annual_period(&mut c).await;
    let report = &crate::api(&mut c, "/api/v1/reports?limit=1").await["items"][0];
    let id = report["id"].as_i64().expect("a demo report");
    let status = report["status"].clone();
    for body in [json!([]), json!(["x"]), json!("x"), json!(3), json!(true)] {
        let r = c
            .json(
                Method::POST,
                &format!("/api/v1/reports/{id}/submit"),
                body.clone(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
        assert_eq!(r.json()["error"]["fields"][0]["field"], "body", "{body}");
    }
    // The same for a required body: an array in the order of the fields is no agency.
    let r = c
        .json(
            Method::POST,
            "/api/v1/agencies",
            json!(["Sở Mảng", "department", "01"]),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "body");
    let req = http::Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/reports/{id}/submit"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from("[1,"))
        .expect("request");
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let after = crate::api(&mut c, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(after["status"], status, "nothing changed");
    // No body is no reason, not an error of the body.
    let req = http::Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/reports/{id}/submit"))
        .body(axum::body::Body::empty())
        .expect("request");
    let r = c.send(req).await;
    assert!(
        r.status != StatusCode::UNPROCESSABLE_ENTITY && r.status != StatusCode::BAD_REQUEST,
        "{}: {}",
        r.status,
        r.body
    );
}
