//! Daily work: a district reads the plans that contain it (and edits
//! none of them), finds its tasks, and every person's home page lists what is
//! theirs to do, with days left or overdue.

use crate::api;
use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use serde_json::{json, Value};

async fn program_id(c: &mut Client, key: &str) -> i64 {
    let list = api(c, "/api/v1/programs?limit=100").await;
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["key"] == key)
        .and_then(|p| p["id"].as_i64())
        .unwrap_or_else(|| panic!("{key} listed: {list}"))
}

fn keys(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| p["key"].as_str().unwrap_or("").to_string())
        .collect()
}

/// (section, role) of each task of `/api/v1/me/tasks`.
async fn my_tasks(c: &mut Client, path: &str) -> Vec<(String, String, String)> {
    let v = api(c, path).await;
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| {
            (
                t["section"].as_str().unwrap_or("").to_string(),
                t["role"].as_str().unwrap_or("").to_string(),
                t["program_code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

pub async fn district_reads_the_plans_that_contain_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let lc = program_id(&mut admin, "lc-316-2022").await;
    let hn = program_id(&mut admin, "hn-2018-langnghe").await;

    // The Bát Xát officer reads the Lào Cai plan, not Hà Nội's.
    let mut bx = app
        .user("bat.xat", "officer", "lc-ubnd-bat-xat", "082")
        .await;
    let list = api(&mut bx, "/api/v1/programs?limit=100").await;
    let seen = keys(&list);
    assert!(seen.contains(&"lc-316-2022".to_string()), "{seen:?}");
    assert!(
        !seen.iter().any(|k| k.starts_with("hn-")),
        "no Hà Nội programme for Bát Xát: {seen:?}"
    );
    assert_eq!(list["total"].as_i64(), Some(seen.len() as i64));
    for path in [
        format!("/api/v1/programs/{lc}"),
        format!("/api/v1/programs/{lc}/indicators"),
        format!("/api/v1/programs/{lc}/tasks"),
        format!("/api/v1/programs/{lc}/periods"),
    ] {
        let r = bx.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }
    for path in [format!("/programs/{lc}"), format!("/programs/{lc}/periods")] {
        let r = bx.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        assert!(r.body.contains("316/KH-UBND"), "{path}");
    }
    for path in [
        format!("/api/v1/programs/{hn}"),
        format!("/programs/{hn}"),
        format!("/api/v1/programs/{hn}/tasks"),
    ] {
        assert_eq!(bx.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }

    // Its tasks: UBND huyện Bát Xát leads II.2.a.5, II.3.b.4, II.4.b.3 and II.4.b.4.
    for path in ["/api/v1/me/tasks", "/api/v1/tasks/mine"] {
        let tasks = my_tasks(&mut bx, path).await;
        for s in ["II.2.a.5", "II.3.b.4", "II.4.b.3", "II.4.b.4"] {
            assert!(
                tasks
                    .iter()
                    .any(|(sec, role, _)| sec == s && role == "lead"),
                "{path}: Bát Xát leads {s}: {tasks:?}"
            );
        }
        assert!(
            tasks.iter().all(
                |(_, _, code)| !code.contains("UBND-HN") && !code.to_lowercase().contains("hn")
            ),
            "{tasks:?}"
        );
    }
    let page = bx.get("/tasks/mine").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("II.2.a.5"), "the page lists the tasks");

    // Seeing is not editing: an officer is refused, a district coordinator does not
    // reach the province's plan for any write.
    let edit = bx
        .json(Method::PUT, &format!("/api/v1/programs/{lc}"), json!({}))
        .await;
    assert!(
        edit.status == StatusCode::FORBIDDEN || edit.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        edit.status
    );
    let mut bxc = app
        .user("bat.xat.dp", "coordinator", "lc-ubnd-bat-xat", "082")
        .await;
    let plan = api(&mut bxc, &format!("/api/v1/programs/{lc}")).await;
    let put = bxc
        .json(
            Method::PUT,
            &format!("/api/v1/programs/{lc}"),
            json!({"version": plan["version"], "code": plan["code"], "title": "Sửa trái phép",
                   "kind": plan["kind"], "period_start": plan["period_start"], "period_end": plan["period_end"],
                   "lead_agency": "lc-ubnd-bat-xat"}),
        )
        .await;
    assert_eq!(put.status, StatusCode::NOT_FOUND, "{}", put.body);
    let open = bxc
        .json(
            Method::POST,
            &format!("/api/v1/programs/{lc}/periods"),
            json!({"kind": "first_half", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(open.status, StatusCode::NOT_FOUND, "{}", open.body);
    let page = bxc.get(&format!("/programs/{lc}")).await;
    assert!(
        !page.body.contains(&format!("/programs/{lc}/edit")),
        "no edit link for a plan outside the scope"
    );
    let tasks = api(&mut bxc, &format!("/api/v1/programs/{lc}/tasks")).await;
    let tid = tasks["items"][0]["id"].as_i64().expect("a task");
    let t = bxc
        .json(
            Method::PUT,
            &format!("/api/v1/tasks/{tid}"),
            json!({"version": 1, "text": "x", "lead_agency": "lc-ubnd-bat-xat"}),
        )
        .await;
    assert_eq!(t.status, StatusCode::NOT_FOUND, "{}", t.body);
    let after = api(&mut admin, &format!("/api/v1/programs/{lc}")).await;
    assert_eq!(after["title"], plan["title"], "unchanged");

    // Gia Lâm (Hà Nội) the other way round: Hà Nội's plan, its coordinating task, not Lào Cai.
    let mut gl = app
        .user("gia.lam", "officer", "hn-ubnd-gia-lam", "018")
        .await;
    let seen = keys(&api(&mut gl, "/api/v1/programs?limit=100").await);
    assert!(seen.contains(&"hn-2018-langnghe".to_string()), "{seen:?}");
    assert!(!seen.contains(&"lc-316-2022".to_string()), "{seen:?}");
    assert_eq!(
        gl.get(&format!("/api/v1/programs/{hn}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        gl.get(&format!("/api/v1/programs/{lc}")).await.status,
        StatusCode::NOT_FOUND
    );
    let tasks = my_tasks(&mut gl, "/api/v1/tasks/mine").await;
    assert!(
        tasks.iter().any(|(_, role, _)| role == "coordinating"),
        "Gia Lâm coordinates a task of the 2018 plan: {tasks:?}"
    );
}

fn todo_items(v: &Value) -> Vec<Value> {
    v["items"].as_array().expect("items").clone()
}

pub async fn todo_lists_what_is_due_by_role(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let mut bx = app
        .user("bat.xat", "officer", "lc-ubnd-bat-xat", "082")
        .await;

    // Nothing yet: the empty states say why.
    let empty = api(&mut bx, "/api/v1/me/todo").await;
    assert!(
        todo_items(&empty).iter().all(|i| i["kind"] == "task_due"),
        "{empty}"
    );
    let home = bx.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Việc cần làm"));

    // A period due on 20/6/2023: long overdue today.
    let lc = program_id(&mut coord, "lc-316-2022").await;
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{lc}/periods"),
            json!({"kind": "first_half", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let pid = r.json()["id"].as_i64().expect("id");
    let today = time::OffsetDateTime::now_utc()
        .to_offset(langnghe_core::vnfmt::VIETNAM_OFFSET)
        .date();
    let overdue = (today - time::macros::date!(2023 - 06 - 20)).whole_days();
    // Written the Vietnamese way (1.263) from a thousand up.
    let overdue_vi = langnghe_core::vnfmt::format_int(overdue);

    let todo = api(&mut bx, "/api/v1/me/todo").await;
    let items = todo_items(&todo);
    assert_eq!(todo["total"].as_i64(), Some(items.len() as i64));
    let fill = items
        .iter()
        .find(|i| i["kind"] == "report_to_fill")
        .unwrap_or_else(|| panic!("a report to fill: {todo}"));
    assert_eq!(fill["due"], "2023-06-20");
    assert_eq!(fill["days_left"].as_i64(), Some(-overdue));
    assert_eq!(fill["state"], "overdue");
    assert_eq!(
        fill["days_text"].as_str(),
        Some(format!("quá hạn {overdue_vi} ngày").as_str())
    );
    let url = fill["url"].as_str().expect("url").to_string();
    let rid: i64 = url
        .strip_prefix("/reports/")
        .and_then(|s| s.parse().ok())
        .expect("a report link");
    assert_eq!(bx.get(&url).await.status, StatusCode::OK, "the link opens");
    let home = bx.get("/").await;
    assert!(home.body.contains(&url), "the home page links the report");
    assert!(home.body.contains(&format!("quá hạn {overdue_vi} ngày")));

    // The coordinator sees the late units of the period.
    let todo = api(&mut coord, "/api/v1/me/todo").await;
    let late = todo_items(&todo)
        .into_iter()
        .find(|i| i["kind"] == "units_late")
        .unwrap_or_else(|| panic!("late units: {todo}"));
    assert_eq!(late["url"], format!("/periods/{pid}"));
    assert!(
        late["title"]
            .as_str()
            .unwrap_or("")
            .contains("đơn vị chưa nộp"),
        "{late}"
    );

    // Submit → waits for review on the coordinator's list.
    let rep = api(&mut bx, &format!("/api/v1/reports/{rid}")).await;
    let sub = bx
        .json(
            Method::POST,
            &format!("/api/v1/reports/{rid}/submit"),
            json!({"version": rep["version"]}),
        )
        .await;
    assert_eq!(sub.status, StatusCode::OK, "{}", sub.body);
    let todo = api(&mut coord, "/api/v1/me/todo").await;
    let review = todo_items(&todo)
        .into_iter()
        .find(|i| i["kind"] == "report_to_review")
        .unwrap_or_else(|| panic!("a report to review: {todo}"));
    assert_eq!(review["url"], format!("/reports/{rid}"));
    assert!(review["title"].as_str().unwrap_or("").contains("Bát Xát"));
    assert!(
        !todo_items(&api(&mut bx, "/api/v1/me/todo").await)
            .iter()
            .any(|i| i["url"] == format!("/reports/{rid}")),
        "a submitted report leaves the officer's list"
    );

    // Returned with a reason: first on the officer's list, with the reason; one unread notification.
    let ret = coord
        .json(
            Method::POST,
            &format!("/api/v1/reports/{rid}/return"),
            json!({"reason": "Thiếu số liệu I.2.1"}),
        )
        .await;
    assert_eq!(ret.status, StatusCode::OK, "{}", ret.body);
    let todo = api(&mut bx, "/api/v1/me/todo").await;
    let first = &todo_items(&todo)[0];
    assert_eq!(first["kind"], "report_returned", "{todo}");
    assert_eq!(first["url"], format!("/reports/{rid}"));
    assert!(
        first["detail"]
            .as_str()
            .unwrap_or("")
            .contains("Thiếu số liệu I.2.1"),
        "{first}"
    );
    let home = bx.get("/").await;
    assert!(home.body.contains("Thiếu số liệu I.2.1"));
    assert!(
        home.body
            .contains("<span class=\"notif-count\" aria-hidden=\"true\">1</span>"),
        "the header counts the unread notification"
    );
    assert!(home.body.contains("1 thông báo chưa đọc"));

    // A viewer sees the programmes in scope with their progress.
    let mut viewer = app.user("lanh.dao", "viewer", "lc-so-nnptnt", "15").await;
    let todo = api(&mut viewer, "/api/v1/me/todo").await;
    let items = todo_items(&todo);
    assert!(!items.is_empty(), "{todo}");
    assert!(items.iter().all(|i| i["kind"] == "programme"), "{todo}");
    let prog = items
        .iter()
        .find(|i| i["url"] == format!("/programs/{lc}"))
        .unwrap_or_else(|| panic!("the Lào Cai plan: {todo}"));
    assert!(
        prog["detail"]
            .as_str()
            .unwrap_or("")
            .contains("Báo cáo đã duyệt: 0/"),
        "{prog}"
    );
    assert!(
        !items
            .iter()
            .any(|i| i["title"].as_str().unwrap_or("").contains("Hà Nội")),
        "scope: {todo}"
    );
    let home = viewer.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains(&format!("/programs/{lc}")));

    // Without a login: 401.
    let mut anon = app.client();
    assert_eq!(
        anon.get("/api/v1/me/todo").await.status,
        StatusCode::UNAUTHORIZED
    );
}
