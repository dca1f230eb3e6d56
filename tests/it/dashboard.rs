//! The leaders' programme dashboard: the JSON shape, live figures
//! (approve a report, the dashboard moves), the scope both ways, 404 outside
//! it, the page with its chart and the chart's downloads.

use crate::{api, lao_cai_plan};
use http::{Method, StatusCode};
use langnghe_it::{Backend, TestApp};
use serde_json::{json, Value};

fn indicator<'a>(d: &'a Value, code: &str) -> &'a Value {
    d["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("indicator {code}: {d}"))
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

pub async fn programme_dashboard_is_live_and_scoped(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;
    let dash = format!("/api/v1/programs/{program}/dashboard");

    // Before any period: indicators with their targets, no reporting yet.
    let d = api(&mut coord, &dash).await;
    for key in [
        "indicators",
        "reporting",
        "budget",
        "budget_lines",
        "schemes",
        "units",
        "most_behind",
    ] {
        assert!(d[key].is_array(), "{key}: {d}");
    }
    let first = &d["indicators"][0];
    for key in [
        "code",
        "name",
        "unit",
        "value",
        "target",
        "target_year",
        "achievement",
        "status",
    ] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    assert_eq!(d["reporting"], json!([]));
    assert_eq!(indicator(&d, "I.2.1")["value"], Value::Null);
    // No period with an approved report: every series is there, with no point.
    assert!(
        d["trend"]
            .as_array()
            .is_some_and(|t| !t.is_empty() && t.iter().all(|s| s["points"] == json!([]))),
        "{}",
        d["trend"]
    );
    assert_eq!(indicator(&d, "I.2.1")["target_year"], 2025, "{d}");

    // A period opens: every expected report is counted, none approved.
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "first_half", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let d = api(&mut coord, &dash).await;
    let period = &d["reporting"][0];
    let expected = period["expected"].as_u64().expect("expected");
    assert!(expected > 2, "{period}");
    assert_eq!(period["approved"], 0);
    assert_eq!(period["missing"], expected, "due 20/6/2023, past: {period}");
    assert_eq!(d["most_behind"].as_array().map(Vec::len), Some(5), "{d}");

    // Bát Xát reports I.2.1 and is approved: the dashboard moves at once.
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
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (who, path) in [
        (&mut bx, format!("/api/v1/reports/{rid}/submit")),
        (&mut coord, format!("/api/v1/reports/{rid}/approve")),
    ] {
        let r = who.json(Method::POST, &path, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }
    let d = api(&mut coord, &dash).await;
    assert_eq!(d["reporting"][0]["approved"], 1, "{}", d["reporting"]);
    assert_eq!(d["reporting"][0]["late"], 1, "submitted after the due date");
    let i = indicator(&d, "I.2.1");
    assert_eq!(i["value"], 7.0, "the approved value is in: {i}");
    assert!(
        ["on_track", "behind", "ahead", "no_data"].contains(&i["status"].as_str().unwrap_or("")),
        "{i}"
    );
    assert!(d["as_of_period"].is_string(), "{d}");
    // The trend has that period as its one point, with the approved value, provisional.
    let series = d["trend"]
        .as_array()
        .and_then(|t| t.iter().find(|s| s["code"] == "I.2.1"))
        .expect("I.2.1 in the trend");
    assert_eq!(
        series["points"].as_array().map(Vec::len),
        Some(1),
        "{series}"
    );
    assert_eq!(series["points"][0]["value"], 7.0, "{series}");
    assert_eq!(series["points"][0]["provisional"], true, "{series}");
    assert_eq!(series["points"][0]["sample"], false, "{series}");
    assert_eq!(series["target"], i["target"]);
    // A second period: the series gains a point, oldest first.
    let r = coord
        .json(
            Method::POST,
            &format!("/api/v1/programs/{program}/periods"),
            json!({"kind": "annual", "year": "2023", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = api(&mut bx, "/api/v1/reports?limit=50").await;
    let rid2 = list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|x| x["id"].as_i64() != Some(rid)))
        .and_then(|x| x["id"].as_i64())
        .expect("the annual report");
    let rep = api(&mut bx, &format!("/api/v1/reports/{rid2}")).await;
    let r = bx
        .json(
            Method::PUT,
            &format!("/api/v1/reports/{rid2}"),
            json!({"version": rep["version"], "lines": [
                {"id": line_id(&rep, "I.2.1", ""), "value": "9"},
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (who, path) in [
        (&mut bx, format!("/api/v1/reports/{rid2}/submit")),
        (&mut coord, format!("/api/v1/reports/{rid2}/approve")),
    ] {
        let r = who.json(Method::POST, &path, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }
    let d2 = api(&mut coord, &dash).await;
    let series = d2["trend"]
        .as_array()
        .and_then(|t| t.iter().find(|s| s["code"] == "I.2.1"))
        .expect("I.2.1 in the trend");
    let points = series["points"].as_array().expect("points");
    assert_eq!(points.len(), 2, "{series}");
    assert_eq!(points[0]["period"], "6 tháng đầu năm 2023", "{series}");
    assert_eq!(points[1]["period"], "Năm 2023", "{series}");
    assert_eq!(
        points[1]["value"],
        indicator(&d2, "I.2.1")["value"],
        "the last point is the indicator's value: {series}"
    );

    // Scope inward: Bát Xát sees its province's plan, reporting only its own unit.
    let d = api(&mut bx, &dash).await;
    assert!(d["limited_to"].is_string(), "{d}");
    assert_eq!(d["reporting"][0]["expected"], 1, "{}", d["reporting"]);
    assert_eq!(
        d["units"].as_array().map(Vec::len),
        Some(1),
        "{}",
        d["units"]
    );

    // Outside: a Hà Nội officer gets 404, on the JSON, the page and the chart.
    let mut hn = app
        .user("gia.lam", "officer", "hn-ubnd-gia-lam", "018")
        .await;
    for path in [
        dash.clone(),
        format!("/programs/{program}/dashboard"),
        format!("/programs/{program}/dashboard/charts/achievement.svg"),
    ] {
        assert_eq!(hn.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        coord.get("/api/v1/programs/999999/dashboard").await.status,
        StatusCode::NOT_FOUND
    );

    // The page: the chart beside its table, and the downloads.
    let page = coord.get(&format!("/programs/{program}/dashboard")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"chart-achievement\""));
    assert!(page.body.contains("id=\"indicator-table\""));
    assert!(!page.body.contains("style=\""), "CSP: no inline style");
    let svg = coord
        .get(&format!(
            "/programs/{program}/dashboard/charts/achievement.svg"
        ))
        .await;
    assert_eq!(svg.status, StatusCode::OK);
    assert!(svg.body.starts_with("<svg "), "{}", svg.body);
    let csv = coord
        .get(&format!(
            "/programs/{program}/dashboard/charts/achievement.csv"
        ))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("I.2.1"), "{}", csv.body);
    let xlsx = coord
        .get(&format!("/programs/{program}/dashboard/charts/units.xlsx"))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    // The trend: one panel per indicator with a value, the table of periods beside.
    assert!(page.body.contains("id=\"chart-trend-0\""), "trend panel");
    assert!(page.body.contains("id=\"trend-table\""));
    assert!(
        page.body
            .contains("<th scope=\"col\" class=\"num\">6T/2023"),
        "short ticks"
    );
    let csv = coord
        .get(&format!("/programs/{program}/dashboard/charts/trend.csv"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.body.contains("I.2.1") && csv.body.contains("6 tháng đầu năm 2023"),
        "{}",
        csv.body
    );
    // Budget by year, the schemes funnel and the trend: chart, CSV and XLSX each.
    for stem in ["budget", "schemes", "trend"] {
        for ext in ["svg", "csv", "xlsx"] {
            let f = coord
                .get(&format!(
                    "/programs/{program}/dashboard/charts/{stem}.{ext}"
                ))
                .await;
            assert_eq!(f.status, StatusCode::OK, "{stem}.{ext}");
            if ext == "svg" {
                assert!(f.body.starts_with("<svg "), "{stem}: {}", f.body);
                assert!(!f.body.contains("style=\""), "{stem}: CSP");
            }
        }
    }
    // A programme with support applications: the funnel names the stages in words.
    let mut admin = app.admin().await;
    let list = api(&mut admin, "/api/v1/programs?limit=100").await;
    let mut funnel_seen = false;
    for p in list["items"].as_array().expect("items") {
        let id = p["id"].as_i64().expect("id");
        let d = api(&mut admin, &format!("/api/v1/programs/{id}/dashboard")).await;
        if d["schemes"].as_array().is_some_and(|s| !s.is_empty()) {
            let csv = admin
                .get(&format!("/programs/{id}/dashboard/charts/schemes.csv"))
                .await;
            assert_eq!(csv.status, StatusCode::OK);
            assert!(!csv.body.contains(",selected,"), "raw stage: {}", csv.body);
            let page = admin.get(&format!("/programs/{id}/dashboard")).await;
            assert!(page.body.contains("id=\"chart-schemes\""));
            funnel_seen = true;
        }
    }
    assert!(funnel_seen, "the demo has a programme with applications");
    assert_eq!(
        coord
            .get(&format!("/programs/{program}/dashboard/charts/nothing.svg"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

pub async fn province_overview_is_scoped_both_ways(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut coord = app
        .user("dieu.phoi", "coordinator", "lc-so-nnptnt", "15")
        .await;
    let program = lao_cai_plan(&mut coord).await;
    // Two OCOP products in Lào Cai, one expired and one expiring soon, for the
    // overview's counts by stars.
    let mut admin = app.admin().await;
    let today = langnghe_web::common::today();
    for (name, unit, score, days) in [
        ("Rượu San Lùng", "02740", 65, 37 * 31),
        ("Hương Kíp Tước", "02680", 91, 36 * 30 + 10),
    ] {
        let certified = (today - time::Duration::days(days)).to_string();
        let r = admin
            .json(
                Method::POST,
                "/api/v1/products",
                json!({"name": name, "admin_unit_code": unit, "admin_unit_as_of": "2017-01-01",
                       "ocop_score": score, "ocop_certified_on": certified}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let o = api(&mut coord, "/api/v1/dashboard").await;
    let ids: Vec<i64> = o["programs"]
        .as_array()
        .expect("programs")
        .iter()
        .filter_map(|p| p["id"].as_i64())
        .collect();
    assert!(ids.contains(&program), "{o}");
    // The overview reads every programme's plan and totals at once; each
    // programme's verdicts are those of its own dashboard.
    for p in o["programs"].as_array().expect("programs") {
        let d = api(
            &mut coord,
            &format!("/api/v1/programs/{}/dashboard", p["id"]),
        )
        .await;
        let statuses: Vec<&str> = d["indicators"]
            .as_array()
            .expect("indicators")
            .iter()
            .filter_map(|i| i["status"].as_str())
            .collect();
        assert_eq!(p["indicators"], statuses.len(), "{}: {p}", p["code"]);
        for s in ["on_track", "behind", "ahead", "no_data"] {
            let n = statuses.iter().filter(|x| **x == s).count();
            assert_eq!(p[s], n, "{} {s}: {p} vs {statuses:?}", p["code"]);
        }
    }
    for key in ["villages", "ocop"] {
        assert!(o[key].is_array(), "{key}: {o}");
    }
    assert!(o["environment_overdue"].is_i64(), "{o}");
    // The registry's counts (one statement) are what the registry's lists say.
    let mut statuses = 0;
    for v in o["villages"].as_array().expect("villages") {
        let listed = api(
            &mut coord,
            &format!(
                "/api/v1/villages?status={}&limit=1",
                v["key"].as_str().expect("key")
            ),
        )
        .await;
        assert_eq!(listed["total"], v["count"], "{v}");
        statuses += 1;
    }
    assert!(statuses > 0, "the demo has villages: {o}");
    let ocop = o["ocop"].as_array().expect("ocop");
    let stars: Vec<&str> = ocop.iter().filter_map(|p| p["stars"].as_str()).collect();
    assert_eq!(stars, ["3", "5"], "{o}");
    let sum = |k: &str| ocop.iter().filter_map(|p| p[k].as_i64()).sum::<i64>();
    assert_eq!((sum("expired"), sum("expiring")), (1, 1), "{o}");
    for p in ocop {
        let stars = p["stars"].as_str().expect("stars");
        let listed = api(
            &mut coord,
            &format!("/api/v1/products?ocop_stars={stars}&limit=1"),
        )
        .await;
        assert_eq!(listed["total"], p["products"], "{p}");
        for (status, n) in [("expired", &p["expired"]), ("expiring", &p["expiring"])] {
            let listed = api(
                &mut coord,
                &format!("/api/v1/products?ocop_stars={stars}&ocop_status={status}&limit=1"),
            )
            .await;
            assert_eq!(&listed["total"], n, "{status}: {p}");
        }
    }
    assert_eq!(o["limited_to"], Value::Null);
    let province_code = o["unit_code"].as_str().expect("code").to_string();

    // A Bát Xát officer asking for the province: its programmes, their own figures.
    let mut bx = app
        .user("bat.xat", "officer", "lc-ubnd-bat-xat", "082")
        .await;
    let o = api(&mut bx, &format!("/api/v1/dashboard?unit={province_code}")).await;
    assert!(o["limited_to"].is_string(), "{o}");
    assert!(
        o["programs"]
            .as_array()
            .expect("programs")
            .iter()
            .any(|p| p["id"] == program),
        "{o}"
    );
    // Hà Nội cannot read Lào Cai; an unknown code is a 422 naming the field.
    let mut hn = app
        .user("gia.lam", "officer", "hn-ubnd-gia-lam", "018")
        .await;
    let r = hn
        .get(&format!("/api/v1/dashboard?unit={province_code}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = hn.get("/api/v1/dashboard?unit=zz9").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "unit");
    // The unit by name, as every place filter takes it: the same answer as its code.
    let by_name = api(
        &mut bx,
        "/api/v1/dashboard?unit=T%E1%BB%89nh%20L%C3%A0o%20Cai",
    )
    .await;
    assert_eq!(by_name["unit_code"], province_code.as_str(), "{by_name}");
    assert_eq!(by_name["programs"], o["programs"]);
    // A code from before the reform still reads (Lào Cai was 10 until 1/7/2025).
    let old_code = bx.get("/api/v1/dashboard?unit=10").await;
    assert_eq!(old_code.status, StatusCode::OK, "{}", old_code.body);
    // A name that finds nothing: the page keeps what was typed, says why, 422.
    let page = bx
        .get("/dashboard?unit=Kh%C3%B4ng%20c%C3%B3%20n%C6%A1i%20n%C3%A0y")
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(page.body.contains("Không có nơi này"), "typed value kept");
    assert!(page.body.contains("class=\"error-summary\""));
    let page = coord.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("id=\"programs-table\""));
    assert!(page
        .body
        .contains(&format!("/programs/{program}/dashboard")));
}
