//! A demo that lives: `serve --demo` builds a reporting
//! history for plan 316/KH-UBND and the khuyến công programme 2016-2020,
//! idempotently, every invented value marked as sample data; the seed's own
//! figures stay as stated.

use crate::api;
use crate::reporting::pdf_text;
use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use langnghe_store::init::{prepare, Prepare};
use serde_json::{json, Value};
use std::time::Duration;

async fn program(c: &mut Client, q: &str, key: &str) -> i64 {
    let list = api(c, &format!("/api/v1/programs?q={q}&limit=50")).await;
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|p| p["key"] == key)
        .and_then(|p| p["id"].as_i64())
        .unwrap_or_else(|| panic!("programme {key}"))
}

async fn reports_of(c: &mut Client, period: i64) -> Vec<Value> {
    let r = api(c, &format!("/api/v1/reports?period_id={period}&limit=500")).await;
    r["items"].as_array().expect("items").clone()
}

/// (id, state, version, submitted_at) of every report of the programme: equal
/// before and after a second start means the start changed nothing.
async fn fingerprint(c: &mut Client, program: i64) -> Vec<(i64, String, i64, String)> {
    let r = api(
        c,
        &format!("/api/v1/reports?program_id={program}&limit=500"),
    )
    .await;
    let mut v: Vec<(i64, String, i64, String)> = r["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|x| {
            (
                x["id"].as_i64().unwrap_or(0),
                x["state"].as_str().unwrap_or("").to_string(),
                x["version"].as_i64().unwrap_or(0),
                x["submitted_at"].to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

pub(crate) async fn start_demo(app: &TestApp) -> usize {
    prepare(
        &app.db,
        Duration::from_secs(60),
        || {},
        Prepare {
            demo: Some(langnghe_demo::loader()),
            ..Prepare::default()
        },
    )
    .await
    .expect("prepare --demo")
    .demo_added
}

pub async fn demo_history_is_idempotent_mixed_and_marked_sample(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let lc = program(&mut admin, "316", "lc-316-2022").await;
    let kc16 = program(&mut admin, "HN-KC", "hn-khuyencong-2016-2020").await;
    let kc11 = program(&mut admin, "HN-KC", "hn-khuyencong-2011-2015").await;
    let seed_actuals = api(&mut admin, &format!("/api/v1/programs/{kc11}/indicators")).await;

    let added = start_demo(&app).await;
    assert!(added >= 11, "6 + 5 periods added, said {added}");
    // The history's approvals keep their periods' totals.
    let holding = app.assert_totals_kept().await;
    assert!(holding >= 8, "periods with approved values: {holding}");

    // Plan 316: six six-monthly periods H1 2023 … H2 2025, all sample data.
    let periods = api(&mut admin, &format!("/api/v1/programs/{lc}/periods")).await;
    let periods = periods.as_array().expect("periods").clone();
    let mut seen: Vec<(String, i64)> = periods
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap_or("").to_string(),
                p["year"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    seen.sort();
    let mut want = vec![];
    for y in 2023..=2025 {
        want.push(("annual".to_string(), y));
        want.push(("first_half".to_string(), y));
    }
    want.sort();
    assert_eq!(seen, want, "the periods of plan 316");
    assert!(periods.iter().all(|p| p["sample"] == true), "{periods:?}");

    // Past periods: every unit in, most approved, some late, one went back once.
    let mut late = 0;
    let mut returned_once = 0;
    for p in periods
        .iter()
        .filter(|p| !(p["kind"] == "annual" && p["year"] == 2025))
    {
        let pid = p["id"].as_i64().expect("id");
        let rs = reports_of(&mut admin, pid).await;
        assert!(
            rs.len() >= 10,
            "a report per responsible unit: {}",
            rs.len()
        );
        assert!(rs
            .iter()
            .all(|r| r["state"] == "approved" && r["sample"] == true));
        let due = p["due_on"].as_str().expect("due");
        late += rs
            .iter()
            .filter(|r| {
                r["first_submitted_at"].as_str().unwrap_or("") > &format!("{due}T23:59:59")[..]
            })
            .count();
        for r in &rs {
            let id = r["id"].as_i64().expect("id");
            let full = api(&mut admin, &format!("/api/v1/reports/{id}")).await;
            let events = full["events"].as_array().expect("events");
            // Dated in the past, in the period's time, never "now".
            for e in events {
                let at = e["at"].as_str().expect("at");
                assert!(at < "2026-01-01", "event of {id} at {at}");
            }
            if events.iter().any(|e| e["action"] == "return") {
                returned_once += 1;
                assert!(events
                    .iter()
                    .any(|e| e["reason"].as_str().is_some_and(|s| !s.is_empty())));
            }
        }
    }
    assert!(late >= 1, "some reports of past periods were late");
    assert!(returned_once >= 1, "a report was returned with a reason");

    // The latest period (H2 2025): partly in — approved, waiting, one returned, drafts.
    let latest = periods
        .iter()
        .find(|p| p["kind"] == "annual" && p["year"] == 2025)
        .expect("H2 2025");
    let latest_id = latest["id"].as_i64().expect("id");
    let rs = reports_of(&mut admin, latest_id).await;
    let count = |s: &str| rs.iter().filter(|r| r["state"] == s).count();
    assert!(
        count("approved") >= 1 && count("approved") < rs.len(),
        "{rs:?}"
    );
    assert!(count("submitted") >= 1, "some waiting for review");
    assert!(count("draft") >= 1, "some not in yet");
    assert_eq!(count("returned"), 1, "one returned");
    let ret = rs
        .iter()
        .find(|r| r["state"] == "returned")
        .expect("returned");
    assert!(
        ret["return_reason"].as_str().is_some_and(|s| s.len() > 10),
        "{ret}"
    );
    assert!(latest["submitted"].as_i64() < latest["reports"].as_i64());

    // Values move: some unit's cumulative count grows across the years.
    let consol = api(
        &mut admin,
        &format!("/api/v1/programs/{lc}/consolidation?period={latest_id}"),
    )
    .await;
    assert_eq!(consol["period"]["sample"], true);

    // Pages and official outputs say it is sample data.
    let page = admin.get(&format!("/periods/{latest_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"sample-note\"") && page.body.contains("Dữ liệu mẫu"));
    let page = admin.get(&format!("/programs/{lc}/periods")).await;
    assert!(page.body.contains("badge-sample"));
    let page = admin
        .get(&format!("/programs/{lc}/consolidation?period={latest_id}"))
        .await;
    assert!(page.body.contains("id=\"sample-note\""));
    // The dashboards built on those periods say so too (JSON, page, overview).
    let d = api(&mut admin, &format!("/api/v1/programs/{lc}/dashboard")).await;
    assert_eq!(d["sample"], true, "{d}");
    let page = admin.get(&format!("/programs/{lc}/dashboard")).await;
    assert!(page.body.contains("id=\"sample-note\""));
    // The trend runs over the six sample periods, every point marked; the chart
    // files carry the mark on their own (a download leaves the page behind).
    let series = &d["trend"][0];
    let points = series["points"].as_array().expect("points");
    assert_eq!(points.len(), 6, "{series}");
    assert!(points.iter().all(|p| p["sample"] == true), "{series}");
    // Every point of every indicator is what that period's consolidation says
    // (the trend reads the values once; the consolidation computes one period):
    // the cumulative value of the total line, and provisional exactly when it is.
    let trend = d["trend"].as_array().expect("trend");
    for p in points {
        let pid = p["period_id"].as_i64().expect("period id");
        let c = api(
            &mut admin,
            &format!("/api/v1/programs/{lc}/consolidation?period={pid}"),
        )
        .await;
        for s in trend {
            let point = s["points"]
                .as_array()
                .and_then(|ps| ps.iter().find(|x| x["period_id"] == pid))
                .expect("a point per period");
            let row = c["rows"]
                .as_array()
                .and_then(|rs| {
                    rs.iter()
                        .find(|r| r["indicator_id"] == s["indicator_id"] && r["category"] == "")
                })
                .expect("the total line");
            assert_eq!(point["value"], row["cumulative"], "{} at {pid}", s["code"]);
            assert_eq!(
                point["provisional"], c["provisional"],
                "{} at {pid}",
                s["code"]
            );
        }
    }
    assert!(
        trend
            .iter()
            .any(|s| s["points"].as_array().is_some_and(|ps| ps
                .iter()
                .filter(|p| p["value"].is_number())
                .count()
                >= 4)),
        "some indicator has values across the years"
    );
    assert_eq!(
        points.last().map(|p| p["provisional"].clone()),
        Some(json!(true)),
        "the latest period is partly in"
    );
    for f in ["achievement.svg", "units.svg", "trend.svg"] {
        let r = admin
            .get(&format!("/programs/{lc}/dashboard/charts/{f}"))
            .await;
        assert!(r.body.contains("Dữ liệu mẫu"), "{f}: {}", r.body);
    }
    for f in ["achievement.csv", "units.csv", "trend.csv"] {
        let r = admin
            .get(&format!("/programs/{lc}/dashboard/charts/{f}"))
            .await;
        let mut lines = r.body.lines();
        assert!(
            lines.next().is_some_and(|h| h.ends_with("Dữ liệu mẫu")),
            "{f}: {}",
            r.body
        );
        assert!(
            lines.all(|l| l.ends_with("Dữ liệu mẫu")),
            "{f}: every row marked"
        );
    }
    let o = api(&mut admin, "/api/v1/dashboard").await;
    let listed = o["programs"].as_array().expect("programs");
    assert!(
        listed.iter().any(|p| p["id"] == lc && p["sample"] == true),
        "{o}"
    );
    let rid = ret["id"].as_i64().expect("id");
    let page = admin.get(&format!("/reports/{rid}")).await;
    assert!(page.body.contains("id=\"sample-note\""));
    let pdf = admin
        .get_file(&format!(
            "/programs/{lc}/consolidation.pdf?period={latest_id}"
        ))
        .await;
    assert_eq!(pdf.status, StatusCode::OK);
    if let Some(text) = pdf_text(&pdf.bytes) {
        assert!(text.contains("DỮ LIỆU MẪU"), "watermark in the PDF");
    }
    let xlsx = admin
        .get_file(&format!(
            "/programs/{lc}/consolidation.xlsx?period={latest_id}"
        ))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);

    // Hà Nội khuyến công 2016-2020: annual periods 2016 … 2020 with values.
    let kp = api(&mut admin, &format!("/api/v1/programs/{kc16}/periods")).await;
    let mut years: Vec<i64> = kp
        .as_array()
        .expect("periods")
        .iter()
        .map(|p| {
            assert_eq!(p["kind"], "annual");
            assert_eq!(p["sample"], true);
            p["year"].as_i64().unwrap_or(0)
        })
        .collect();
    years.sort();
    assert_eq!(years, vec![2016, 2017, 2018, 2019, 2020]);
    let first = kp[0]["id"].as_i64().expect("id");
    let mut valued = 0;
    for r in reports_of(&mut admin, first).await {
        let full = api(&mut admin, &format!("/api/v1/reports/{}", r["id"])).await;
        valued += full["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .filter(|l| l["value"].is_number())
            .count();
    }
    assert!(valued >= 5, "values entered: {valued}");

    // 2011-2015: only what the evaluation of 2011-2015 (in the 2016-2020 programme) states — no period, the actuals unchanged.
    assert_eq!(
        api(&mut admin, &format!("/api/v1/programs/{kc11}/periods")).await,
        json!([])
    );
    let after = api(&mut admin, &format!("/api/v1/programs/{kc11}/indicators")).await;
    assert_eq!(after, seed_actuals, "the seed's figures are never altered");
    let trained = after["items"]
        .as_array()
        .expect("i")
        .iter()
        .flat_map(|i| i["actuals"].as_array().cloned().unwrap_or_default())
        .find(|a| a["value"] == 17800.0)
        .expect("17.800 workers");
    assert_eq!(trained["plan_value"], 25000.0);
    assert_eq!(trained["rate_stated"], "71,2%");

    // A second start changes nothing.
    let before = (
        fingerprint(&mut admin, lc).await,
        fingerprint(&mut admin, kc16).await,
        api(&mut admin, &format!("/api/v1/programs/{lc}/periods")).await,
    );
    assert_eq!(start_demo(&app).await, 0, "nothing added the second time");
    let again = (
        fingerprint(&mut admin, lc).await,
        fingerprint(&mut admin, kc16).await,
        api(&mut admin, &format!("/api/v1/programs/{lc}/periods")).await,
    );
    assert_eq!(before, again);

    // A period someone opens is real data, never marked.
    let r = admin
        .json(
            Method::POST,
            &format!("/api/v1/programs/{lc}/periods"),
            json!({"kind": "first_half", "year": "2026", "confirm_past_due": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let opened = r.json();
    let pid = opened["period"]["id"]
        .as_i64()
        .or(opened["id"].as_i64())
        .expect("period id");
    let st = api(&mut admin, &format!("/api/v1/periods/{pid}")).await;
    assert_eq!(st["period"]["sample"], false, "{st}");
    let rs = reports_of(&mut admin, pid).await;
    assert!(rs.iter().all(|r| r["sample"] == false));
    let page = admin.get(&format!("/periods/{pid}")).await;
    assert!(!page.body.contains("id=\"sample-note\""));
}
