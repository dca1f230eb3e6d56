//! Plans and schemes under real use: no lost update on any of their
//! records, actions decided on the row as it is once locked, and every scheme
//! output scoped like the JSON it is built from.

use crate::api;
use crate::concurrency::token_client;
use crate::reporting::pdf_text;
use http::{header, Method, Request, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use serde_json::{json, Value};

/// The demo's 2017 brand-building plan of Hà Nội and its support scheme.
async fn demo_ids(c: &mut Client) -> (i64, i64) {
    let progs = api(c, "/api/v1/programs?q=thuong&limit=50").await;
    let prog = progs["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["key"] == "hn-2017-thuong-hieu")
        .and_then(|p| p["id"].as_i64())
        .expect("programme");
    let schemes = api(c, "/api/v1/schemes").await;
    let scheme = schemes["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["program_id"] == prog)
        .and_then(|s| s["id"].as_i64())
        .expect("scheme");
    (prog, scheme)
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Audit rows of one record, and of the whole log.
async fn audit_counts(c: &mut Client, entity: &str, id: i64) -> (i64, i64) {
    let mine = api(
        c,
        &format!("/api/v1/audit?entity={entity}&entity_id={id}&limit=1"),
    )
    .await["total"]
        .as_i64()
        .expect("total");
    let all = api(c, "/api/v1/audit?limit=1").await["total"]
        .as_i64()
        .expect("total");
    (mine, all)
}

/// One record kind: where it is read and changed, its audit entity, a field
/// the change shows in, and the body that changes it.
struct Case {
    path: String,
    entity: &'static str,
    field: &'static str,
    body: Value,
}

/// GET gives the version and the ETag; PUT without a version is 428; with it,
/// 200, a new version and exactly one audit row holding the exact before and
/// after; the old version again is 409 with the stored record; nothing else moved.
async fn refuses_lost_update(c: &mut Client, case: Case) {
    let r = c.get(&case.path).await;
    assert_eq!(r.status, StatusCode::OK, "{}: {}", case.path, r.body);
    let rec = r.json();
    let v = rec["version"].as_i64().expect("version in the JSON");
    assert_eq!(
        r.headers.get(header::ETAG).and_then(|h| h.to_str().ok()),
        Some(format!("\"{v}\"").as_str()),
        "{}: ETag",
        case.path
    );
    let id = rec["id"].as_i64().expect("id");
    let before_text = text(&rec[case.field]);
    let (mine0, all0) = audit_counts(c, case.entity, id).await;

    let r = c.json(Method::PUT, &case.path, case.body.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::PRECONDITION_REQUIRED,
        "{}: {}",
        case.path,
        r.body
    );
    assert_eq!(r.json()["error"]["code"], "version_required");
    assert_eq!(audit_counts(c, case.entity, id).await, (mine0, all0));

    let mut body = case.body.clone();
    body["version"] = json!(v);
    let r = c.json(Method::PUT, &case.path, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}: {}", case.path, r.body);
    let saved = r.json();
    assert_eq!(saved["version"], v + 1, "{}", case.path);
    assert_eq!(
        r.headers.get(header::ETAG).and_then(|h| h.to_str().ok()),
        Some(format!("\"{}\"", v + 1).as_str())
    );
    let after_text = text(&saved[case.field]);
    assert_ne!(before_text, after_text, "{}: the change shows", case.path);
    let (mine1, all1) = audit_counts(c, case.entity, id).await;
    assert_eq!(
        (mine1, all1),
        (mine0 + 1, all0 + 1),
        "{}: one audit row",
        case.path
    );
    let row = &api(
        c,
        &format!(
            "/api/v1/audit?entity={}&entity_id={id}&limit=1",
            case.entity
        ),
    )
    .await["items"][0];
    assert_eq!(row["action"], "update", "{row}");
    assert_eq!(row["before"]["version"], v, "{row}");
    assert_eq!(row["after"]["version"], v + 1, "{row}");
    assert_eq!(text(&row["before"][case.field]), before_text, "{row}");
    assert_eq!(text(&row["after"][case.field]), after_text, "{row}");

    // The version read before that change is stale now: 409 with the stored record.
    let mut stale = body;
    stale["version"] = json!(v);
    let r = c.json(Method::PUT, &case.path, stale).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}: {}", case.path, r.body);
    let err = r.json();
    assert_eq!(err["error"]["code"], "stale_version");
    assert_eq!(err["error"]["current"]["version"], v + 1, "{err}");
    assert_eq!(text(&err["error"]["current"][case.field]), after_text);
    assert_eq!(audit_counts(c, case.entity, id).await, (mine1, all1));
}

pub async fn plan_records_refuse_lost_updates(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = token_client(&app).await;
    let (prog, scheme) = demo_ids(&mut c).await;

    // The programme.
    let p = api(&mut c, &format!("/api/v1/programs/{prog}")).await;
    let specific: Vec<String> =
        serde_json::from_str(p["objectives_specific"].as_str().unwrap_or("[]")).unwrap_or_default();
    let program = Case {
        path: format!("/api/v1/programs/{prog}"),
        entity: "program",
        field: "title",
        body: json!({
            "code": p["code"], "title": format!("{} (đã sửa)", text(&p["title"])), "kind": p["kind"],
            "document_number": p["document_number"], "document_date": p["document_date"],
            "period_start": p["period_start"], "period_end": p["period_end"],
            "lead_agency": text(&p["lead_agency_id"]), "objectives_general": p["objectives_general"],
            "objectives_specific": specific.join("\n"),
        }),
    };
    refuses_lost_update(&mut c, program).await;

    // An indicator, its total target, a task and a budget line of the programme.
    let inds = api(&mut c, &format!("/api/v1/programs/{prog}/indicators")).await;
    let ind = inds["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["targets"].as_array().is_some_and(|t| !t.is_empty()))
        .cloned()
        .expect("an indicator with a target");
    let indicator = Case {
        path: format!("/api/v1/indicators/{}", ind["id"]),
        entity: "indicator",
        field: "name",
        body: json!({
            "code": ind["code"], "name": format!("{} (đã sửa)", text(&ind["name"])), "unit": ind["unit"],
            "aggregation": ind["aggregation"], "direction": ind["direction"],
            "baseline_value": ind["baseline_value"].as_f64().map(|v| v.to_string().replace('.', ",")),
            "baseline_year": ind["baseline_year"].as_i64().map(|y| y.to_string()),
        }),
    };
    refuses_lost_update(&mut c, indicator).await;
    let total = ind["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .find(|t| t["dimension"] == "total" && t["parent_id"].is_null())
        .cloned()
        .expect("a total target");
    let target = Case {
        path: format!("/api/v1/targets/{}", total["id"]),
        entity: "target",
        field: "milestone",
        body: json!({ "milestone": "2018", "target": total["text"] }),
    };
    refuses_lost_update(&mut c, target).await;

    let tasks = api(&mut c, &format!("/api/v1/programs/{prog}/tasks")).await;
    let t = tasks["items"][0].clone();
    let coordinating: Vec<String> = t["coordinating"]
        .as_array()
        .map(|a| a.iter().map(|x| text(&x[0])).collect())
        .unwrap_or_default();
    let codes: Vec<String> = t["indicator_codes"]
        .as_array()
        .map(|a| a.iter().map(text).collect())
        .unwrap_or_default();
    let task = Case {
        path: format!("/api/v1/tasks/{}", t["id"]),
        entity: "task",
        field: "status",
        body: json!({
            "section": t["section"], "text": t["text"], "lead_agency": text(&t["lead_agency_id"]),
            "coordinating": coordinating.join(", "), "indicators": codes.join(", "),
            "start_on": t["start_on"], "due_on": t["due_on"], "status": "in_progress",
        }),
    };
    refuses_lost_update(&mut c, task).await;

    let budget = api(&mut c, &format!("/api/v1/programs/{prog}/budget")).await;
    let l = budget["items"][0].clone();
    let line = Case {
        path: format!("/api/v1/budget-lines/{}", l["id"]),
        entity: "budget_line",
        field: "planned_dong",
        body: json!({
            "line": l["line"], "source_of_funds": l["source_of_funds"],
            "planned": (l["planned_dong"].as_i64().unwrap_or(0) + 1_000_000).to_string(),
        }),
    };
    refuses_lost_update(&mut c, line).await;

    // The scheme: every field its form sets, the budget raised.
    let s = api(&mut c, &format!("/api/v1/schemes/{scheme}")).await;
    let code_of = |id: &Value| {
        inds["items"]
            .as_array()
            .and_then(|a| a.iter().find(|i| i["id"] == *id))
            .map(|i| i["code"].clone())
            .unwrap_or(Value::Null)
    };
    let contents: Vec<Value> = s["contents"]
        .as_array()
        .expect("contents")
        .iter()
        .map(|c| json!({"key": c["key"], "name": c["name"], "unit_cost": text(&c["unit_cost_dong"]), "indicator": code_of(&c["indicator_id"])}))
        .collect();
    let steps: Vec<Value> = s["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|st| json!({"text": st["text"], "lead": text(&st["lead_agency_id"]), "start_on": st["start_on"], "due_on": st["due_on"], "coordinating": st["coordinating"]}))
        .collect();
    let eligibility: Vec<Value> = s["eligibility_rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["kind"].clone())
        .collect();
    let scheme_case = Case {
        path: format!("/api/v1/schemes/{scheme}"),
        entity: "scheme",
        field: "budget_dong",
        body: json!({
            "program_id": prog, "title": s["title"], "year": s["year"],
            "budget": (s["budget_dong"].as_i64().unwrap_or(0) + 500_000_000).to_string(),
            "contents": contents, "eligibility": eligibility, "priority": s["priority_rules"],
            "fair_share": s["fair_share"], "fair_cap": s["fair_cap"], "liquidate_by": s["liquidate_by"],
            "budget_line_id": s["budget_line_id"], "lead_agency": text(&s["lead_agency_id"]),
            "partner_agency": text(&s["partner_agency_id"]), "steps": steps,
        }),
    };
    refuses_lost_update(&mut c, scheme_case).await;
    // A step keeps the day it was done; the rules refuse what would break the scheme.
    let after = api(&mut c, &format!("/api/v1/schemes/{scheme}")).await;
    assert_eq!(after["steps"], s["steps"], "steps kept as they were");
    let mut body = json!({
        "program_id": prog, "title": s["title"], "year": s["year"], "budget": "1.000.000",
        "contents": [], "steps": [], "version": after["version"],
    });
    body["contents"] = json!([{"key": "dao-tao", "name": "Đào tạo", "unit_cost": "60.000.000"}]);
    let r = c
        .json(Method::PUT, &format!("/api/v1/schemes/{scheme}"), body)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(
        r.json()["error"]["fields"][0]["field"],
        "budget",
        "{}",
        r.body
    );
}

/// A split total and its parts must still add up after a change of either.
pub async fn target_changes_keep_splits_whole(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = token_client(&app).await;
    let r = c
        .json(
            Method::POST,
            "/api/v1/programs",
            json!({"code": "KT-10", "title": "Kế hoạch thử", "kind": "plan", "period_start": "1/1/2026",
                "period_end": "31/12/2028", "lead_agency": "hn-so-ct"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let prog = r.json()["id"].as_i64().expect("id");
    let r = c
        .json(
            Method::POST,
            &format!("/api/v1/programs/{prog}/indicators"),
            json!({"code": "1", "name": "Lao động được đào tạo", "unit": "người", "milestone": "2028",
                "target": "100", "split": "Nông nghiệp = 60\nPhi nông nghiệp = 40"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let inds = api(&mut c, &format!("/api/v1/programs/{prog}/indicators")).await;
    let targets = inds["items"][0]["targets"].as_array().expect("t").clone();
    let total = targets
        .iter()
        .find(|t| t["parent_id"].is_null())
        .expect("total");
    // The total alone no longer matches its parts: refused, by name.
    let r = c
        .json(
            Method::PUT,
            &format!("/api/v1/targets/{}", total["id"]),
            json!({"milestone": "2028", "target": "120", "version": total["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "split");
    // With a new split that adds up: one change, the split replaced.
    let r = c
        .json(
            Method::PUT,
            &format!("/api/v1/targets/{}", total["id"]),
            json!({"milestone": "2028", "target": "120", "split": "Nông nghiệp = 70\nPhi nông nghiệp = 50",
                "version": total["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let inds = api(&mut c, &format!("/api/v1/programs/{prog}/indicators")).await;
    let parts: Vec<String> = inds["items"][0]["targets"]
        .as_array()
        .expect("t")
        .iter()
        .filter(|t| !t["parent_id"].is_null())
        .map(|t| format!("{}={}", text(&t["category"]), text(&t["text"])))
        .collect();
    assert_eq!(parts, vec!["Nông nghiệp=70", "Phi nông nghiệp=50"]);
    // The old parts are gone; a part that would break the sum is refused.
    let new_part = inds["items"][0]["targets"]
        .as_array()
        .expect("t")
        .iter()
        .find(|t| t["category"] == "Nông nghiệp")
        .cloned()
        .expect("part");
    let r = c
        .json(
            Method::PUT,
            &format!("/api/v1/targets/{}", new_part["id"]),
            json!({"milestone": "2028", "target": "75", "version": new_part["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = c
        .json(
            Method::PUT,
            &format!("/api/v1/targets/{}", new_part["id"]),
            json!({"milestone": "2028", "target": "70", "split": "X = 70", "version": new_part["version"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Wording the rules do not read is named.
    let r = c
        .json(
            Method::PUT,
            &format!("/api/v1/targets/{}", total["id"]),
            json!({"milestone": "2028", "target": "khoảng chừng", "version": total["version"].as_i64().unwrap_or(1) + 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "target");
}

/// Outcome of 20 clients firing the same request at once.
#[derive(Debug, Default)]
struct Fired {
    ok: usize,
    refused: usize,
    server_errors: usize,
    other: Vec<(StatusCode, String)>,
}

async fn fire(c: &Client, clients: usize, path: &str, body: Value) -> Fired {
    let mut handles = vec![];
    for _ in 0..clients {
        let mut c = c.clone();
        let (path, body) = (path.to_string(), body.clone());
        handles.push(tokio::spawn(async move {
            let r = c.json(Method::POST, &path, body).await;
            (r.status, r.body)
        }));
    }
    let mut out = Fired::default();
    for h in handles {
        let (status, body) = h.await.expect("client task");
        match status {
            s if s.is_success() => out.ok += 1,
            StatusCode::CONFLICT => out.refused += 1,
            s if s.is_server_error() => out.server_errors += 1,
            s => out.other.push((s, body)),
        }
    }
    out
}

async fn audit_actions(c: &mut Client, app_id: i64) -> Vec<String> {
    api(
        c,
        &format!("/api/v1/audit?entity=application&entity_id={app_id}&limit=500"),
    )
    .await["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| text(&r["action"]))
        .collect()
}

pub async fn concurrent_transitions_make_one_move(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut c = token_client(&app).await;
    let (_, scheme) = demo_ids(&mut c).await;
    // The demo's Vạn Phúc has a contract signed, nothing accepted yet.
    let apps = api(&mut c, &format!("/api/v1/schemes/{scheme}/applications")).await;
    let app_id = apps["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["state"] == "contracted")
        .and_then(|a| a["id"].as_i64())
        .expect("a contracted application");
    let path = |action: &str| format!("/api/v1/applications/{app_id}/{action}");
    let view = api(&mut c, &format!("/api/v1/applications/{app_id}")).await;
    let keys: Vec<String> = view["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| text(&i["content_key"]))
        .collect();
    assert!(keys.len() >= 2, "{keys:?}");
    // 20 people accept the same content at once: one acceptance.
    let f = fire(
        &c,
        20,
        &path("accept"),
        json!({"content": keys[0], "date": "10/11/2017"}),
    )
    .await;
    assert_eq!((f.ok, f.refused, f.server_errors), (1, 19, 0), "{f:?}");
    assert!(f.other.is_empty(), "{:?}", f.other);
    let accepted = audit_actions(&mut c, app_id).await;
    assert_eq!(accepted.iter().filter(|a| *a == "accept").count(), 1);
    let v = api(&mut c, &format!("/api/v1/applications/{app_id}")).await;
    let sources: Vec<String> = v["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "accept_content")
        .map(|e| text(&e["note"]))
        .collect();
    assert_eq!(sources, vec![keys[0].clone()]);
    for k in &keys[1..] {
        let r = c
            .json(
                Method::POST,
                &path("accept"),
                json!({"content": k, "date": "10/11/2017"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    assert_eq!(
        api(&mut c, &format!("/api/v1/applications/{app_id}")).await["state"],
        "accepted"
    );
    // 20 liquidations at once: one.
    let f = fire(&c, 20, &path("liquidate"), json!({"date": "20/11/2017"})).await;
    assert_eq!((f.ok, f.refused, f.server_errors), (1, 19, 0), "{f:?}");
    assert!(f.other.is_empty(), "{:?}", f.other);
    // 20 settlements at once: one payment, added once to the budget line.
    let f = fire(&c, 20, &path("settle"), json!({"date": "15/12/2017"})).await;
    assert_eq!((f.ok, f.refused, f.server_errors), (1, 19, 0), "{f:?}");
    let v = api(&mut c, &format!("/api/v1/applications/{app_id}")).await;
    assert_eq!(v["state"], "settled");
    assert_eq!(v["disbursements"].as_array().map(Vec::len), Some(1));
    let actions = audit_actions(&mut c, app_id).await;
    for (a, n) in [("liquidate", 1), ("settle", 1), ("accept", keys.len())] {
        assert_eq!(
            actions.iter().filter(|x| *x == a).count(),
            n,
            "{a}: {actions:?}"
        );
    }
    // A refusal says why; a stale version given is 409 with the stored record.
    let r = c.json(Method::POST, &path("liquidate"), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let err = r.json();
    assert_eq!(err["error"]["code"], "refused");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("nghiệm thu"),
        "{err}"
    );
    let r = c
        .json(
            Method::POST,
            &path("visit"),
            json!({"note": "x", "version": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let err = r.json();
    assert_eq!(err["error"]["code"], "stale_version");
    assert_eq!(err["error"]["current"]["state"], "settled");
}

pub async fn status_change_and_edit_lose_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let c = token_client(&app).await;
    for round in 0..6 {
        let mut c1 = c.clone();
        let r = c1
            .json(
                Method::POST,
                "/api/v1/programs",
                json!({"code": format!("ST-{round}"), "title": "Trước", "kind": "plan", "period_start": "1/1/2026",
                    "period_end": "31/12/2026", "lead_agency": "hn-so-ct"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let p = r.json();
        let id = p["id"].as_i64().expect("id");
        let put = json!({"code": p["code"], "title": "Sau", "kind": "plan", "period_start": "1/1/2026",
            "period_end": "31/12/2026", "lead_agency": "hn-so-ct", "version": p["version"]});
        let (mut a, mut b2) = (c.clone(), c.clone());
        let status = tokio::spawn(async move {
            a.json(
                Method::POST,
                &format!("/api/v1/programs/{id}/status"),
                json!({"status": "approved"}),
            )
            .await
        });
        let edit = tokio::spawn(async move {
            b2.json(Method::PUT, &format!("/api/v1/programs/{id}"), put)
                .await
        });
        let (s, e) = (status.await.expect("status"), edit.await.expect("edit"));
        assert_eq!(s.status, StatusCode::OK, "{}", s.body);
        let now = api(&mut c1, &format!("/api/v1/programs/{id}")).await;
        // The status change is never undone by the edit.
        assert_eq!(now["status"], "approved", "round {round}: {now}");
        match e.status {
            StatusCode::OK => {
                assert_eq!(now["title"], "Sau");
                assert_eq!(now["version"], 3);
            }
            StatusCode::CONFLICT => {
                // Based on the version before the status change: refused, nothing lost.
                assert_eq!(e.json()["error"]["current"]["status"], "approved");
                assert_eq!(now["title"], "Trước");
                assert_eq!(now["version"], 2);
            }
            other => panic!("round {round}: {other} {}", e.body),
        }
    }
}

/// A user created through the API with a scope read at a date (a district
/// before the 2025 reform), logged in.
async fn scoped_user(app: &TestApp, username: &str, role: &str, agency: &str) -> Client {
    let mut admin = app.admin().await;
    let password = "Gia-Lâm-mật-khẩu-2026";
    let r = admin
        .json(
            Method::POST,
            "/api/v1/users",
            json!({"username": username, "display_name": username, "password": password, "role": role,
                "agency": agency, "scope": "018", "scope_as_of": "2017-01-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut c = app.client();
    let r = c.login(username, password).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c
}

async fn pdf(c: &mut Client, path: &str) -> Vec<u8> {
    let bytes = c
        .send_raw(
            Request::builder()
                .uri(path)
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert!(bytes.starts_with(b"%PDF"), "{path}: not a PDF");
    bytes
}

pub async fn scheme_outputs_follow_scope(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = token_client(&app).await;
    let (_, scheme) = demo_ids(&mut admin).await;
    let all = api(
        &mut admin,
        &format!("/api/v1/schemes/{scheme}/applications"),
    )
    .await;
    let chosen = |v: &Value| -> Vec<(String, String)> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|a| {
                [
                    "selected",
                    "contracted",
                    "accepted",
                    "liquidated",
                    "settled",
                ]
                .contains(&a["state"].as_str().unwrap_or(""))
            })
            .map(|a| (text(&a["applicant"]), text(&a["district"])))
            .collect()
    };
    let everyone = chosen(&all);
    assert!(everyone.len() > 4, "{everyone:?}");
    for role in ["viewer", "officer"] {
        let mut gl = scoped_user(&app, &format!("gl.{role}"), role, "hn-ubnd-gia-lam").await;
        let mine = chosen(&api(&mut gl, &format!("/api/v1/schemes/{scheme}/applications")).await);
        assert!(!mine.is_empty(), "{role}: Gia Lâm has selected applicants");
        assert!(
            mine.iter().all(|(_, d)| d.contains("Gia Lâm")),
            "{role}: {mine:?}"
        );
        let others: Vec<&(String, String)> =
            everyone.iter().filter(|x| !mine.contains(x)).collect();
        assert!(!others.is_empty());
        for path in [
            format!("/api/v1/schemes/{scheme}/decision.pdf"),
            format!("/schemes/{scheme}/decision.pdf"),
        ] {
            let Some(text) = pdf_text(&pdf(&mut gl, &path).await) else {
                return;
            };
            let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains("TRÍCH QUYẾT ĐỊNH"), "{role} {path}:\n{text}");
            assert!(
                flat.contains(&format!("({} đơn vị", mine.len())),
                "{role} {path}:\n{text}"
            );
            for (name, district) in &others {
                assert!(
                    !flat.contains(name.as_str()) && !flat.contains(district.as_str()),
                    "{role} {path}: {name} ({district}) is outside Gia Lâm:\n{text}"
                );
            }
        }
        // The selection list is scoped the same way.
        let sel = api(&mut gl, &format!("/api/v1/schemes/{scheme}/selection")).await;
        let ids: Vec<i64> = sel["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["application_id"].as_i64())
            .collect();
        let visible: Vec<i64> = api(&mut gl, &format!("/api/v1/schemes/{scheme}/applications"))
            .await["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|a| a["id"].as_i64())
            .collect();
        assert!(
            ids.iter().all(|i| visible.contains(i)),
            "{ids:?} ⊄ {visible:?}"
        );
    }
    // The department reads the whole decision.
    let mut dept = app.user("so.ct", "coordinator", "hn-so-ct", "01").await;
    if let Some(text) =
        pdf_text(&pdf(&mut dept, &format!("/api/v1/schemes/{scheme}/decision.pdf")).await)
    {
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(!flat.contains("TRÍCH"), "{text}");
        assert!(
            flat.contains(&format!("danh sách {} đơn vị", everyone.len())),
            "{text}"
        );
    }
}

/// The pages: edit links on the plan and scheme pages, forms with the hidden
/// version, and a stale save that keeps what was typed beside what is stored.
pub async fn plan_and_scheme_pages_keep_typing_on_conflict(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut api_c = token_client(&app).await;
    let (prog, scheme) = demo_ids(&mut api_c).await;
    let mut dept = app.user("so.ct", "coordinator", "hn-so-ct", "01").await;
    let page = dept.get(&format!("/programs/{prog}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for link in [
        format!("/programs/{prog}/edit"),
        "/indicators/".into(),
        "/targets/".into(),
        "/tasks/".into(),
        "/budget-lines/".into(),
    ] {
        assert!(page.body.contains(&link), "{link}");
    }
    // A task: the form carries the version; someone else saves; my save is a 409
    // page with both values and my typing, carrying the stored version.
    let tasks = api(&mut api_c, &format!("/api/v1/programs/{prog}/tasks")).await;
    let t = tasks["items"][0].clone();
    let tid = t["id"].as_i64().expect("id");
    let form = dept.get(&format!("/tasks/{tid}/edit")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let v = t["version"].as_i64().expect("v");
    assert!(form
        .body
        .contains(&format!("name=\"version\" value=\"{v}\"")));
    let lead = text(&t["lead_agency_id"]);
    let r = api_c
        .json(
            Method::PUT,
            &format!("/api/v1/tasks/{tid}"),
            json!({"text": t["text"], "lead_agency": lead, "status": "done", "version": v}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let version = v.to_string();
    let fields = [
        ("section", ""),
        ("text", "Nội dung tôi gõ"),
        ("lead_agency", lead.as_str()),
        ("coordinating", ""),
        ("indicators", ""),
        ("start_on", ""),
        ("due_on", ""),
        ("status", "in_progress"),
        ("version", version.as_str()),
    ];
    let r = dept.form(&format!("/tasks/{tid}"), &fields).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("Bạn nhập") && r.body.contains("Đã lưu"));
    assert!(r.body.contains("Nội dung tôi gõ"), "typing kept");
    assert!(r
        .body
        .contains(&format!("name=\"version\" value=\"{}\"", v + 1)));
    let mut again = fields.to_vec();
    again.retain(|(k, _)| *k != "version");
    let next = (v + 1).to_string();
    again.push(("version", next.as_str()));
    let r = dept.form(&format!("/tasks/{tid}"), &again).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let now = api(&mut api_c, &format!("/api/v1/tasks/{tid}")).await;
    assert_eq!(now["text"], "Nội dung tôi gõ");
    assert_eq!(now["status"], "in_progress");
    // The programme form, in English too.
    let r = dept.get(&format!("/programs/{prog}/edit")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"version\""));
    // The scheme page links to its form; the form shows what is stored.
    let page = dept.get(&format!("/schemes/{scheme}")).await;
    assert!(page.body.contains(&format!("/schemes/{scheme}/edit")));
    let form = dept.get(&format!("/schemes/{scheme}/edit")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains("dao-tao |"), "contents one per line");
    // A district officer does not get the forms.
    let mut gl = scoped_user(&app, "gl.officer", "officer", "hn-ubnd-gia-lam").await;
    assert_eq!(
        gl.get(&format!("/schemes/{scheme}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let r = gl
        .json(
            Method::PUT,
            &format!("/api/v1/tasks/{tid}"),
            json!({"text": "x", "lead_agency": lead, "version": 1}),
        )
        .await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.status
    );
}
