//! The map: both structures, figures live and scoped,
//! 422 naming the field; each on SQLite and PostgreSQL.

use http::{Method, StatusCode};
use langnghe_it::{Backend, Client, TestApp};
use serde_json::{json, Value};

async fn map_json(c: &mut Client, query: &str) -> Value {
    let r = c.get(&format!("/api/v1/map?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.json()
}

/// (in_scope, value) of a province in a map answer.
fn figure(m: &Value, code: &str) -> (bool, Option<f64>) {
    let f = m["features"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["properties"]["code"] == code))
        .unwrap_or_else(|| panic!("province {code} in {}", m["era"]));
    (
        f["properties"]["in_scope"].as_bool().unwrap_or(false),
        f["properties"]["value"].as_f64(),
    )
}

fn field_of_422(r: &langnghe_it::Resp) -> String {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    r.json()["error"]["fields"][0]["field"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

pub async fn map_has_63_then_34_provinces_with_shapes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    for (era, n) in [("old", 63), ("new", 34)] {
        let m = map_json(&mut admin, &format!("era={era}")).await;
        assert_eq!(m["type"], "FeatureCollection");
        let fs = m["features"].as_array().expect("features");
        assert_eq!(fs.len(), n, "{era}");
        for f in fs {
            let t = f["geometry"]["type"].as_str().unwrap_or("");
            assert!(t == "Polygon" || t == "MultiPolygon", "{era} {f}");
            assert_eq!(
                f["properties"]["in_scope"], true,
                "the admin sees every province"
            );
            assert!(f["properties"]["value"].is_number());
        }
        // The page draws the same provinces and a table beside them.
        let page = admin.get(&format!("/map?era={era}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            page.body.matches("<path class=\"map-prov ").count(),
            n,
            "{era}"
        );
        assert!(page.body.contains("class=\"data-table map-table\""));
    }
    // The demo's villages are in Lào Cai: old 10, and new 15 (Lào Cai + Yên Bái).
    let old = map_json(&mut admin, "era=old").await;
    let new = map_json(&mut admin, "era=new").await;
    assert!(figure(&old, "10").1.unwrap_or(0.0) > 0.0);
    assert_eq!(figure(&old, "10").1, figure(&new, "15").1);
    let pts = admin.get("/api/v1/map/villages?era=old&province=10").await;
    assert_eq!(pts.status, StatusCode::OK, "{}", pts.body);
    let pts = pts.json();
    let fs = pts["features"].as_array().expect("points");
    assert_eq!(
        fs.len() as f64,
        figure(&old, "10").1.unwrap_or(0.0) - pts["unplaced"].as_f64().unwrap_or(0.0)
    );
    assert!(fs.iter().all(|f| f["geometry"]["type"] == "Point"
        && f["properties"]["url"]
            .as_str()
            .unwrap_or("")
            .starts_with("/villages/")));
}

pub async fn map_figures_move_when_a_village_is_recognised(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let before_old = map_json(&mut admin, "era=old&measure=recognised").await;
    let before_new = map_json(&mut admin, "era=new&measure=villages").await;
    let r = admin
        .json(
            Method::POST,
            "/api/v1/villages",
            json!({"name": "Làng nghề thử bản đồ", "admin_unit_code": "02701",
                   "admin_unit_as_of": "2017-01-01", "status": "recognised"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_i64().expect("id");
    let after_old = map_json(&mut admin, "era=old&measure=recognised").await;
    let after_new = map_json(&mut admin, "era=new&measure=villages").await;
    let plus_one = |a: &Value, b: &Value, code: &str| {
        figure(b, code).1.unwrap_or(0.0) - figure(a, code).1.unwrap_or(0.0)
    };
    assert_eq!(plus_one(&before_old, &after_old, "10"), 1.0, "old Lào Cai");
    assert_eq!(plus_one(&before_new, &after_new, "15"), 1.0, "new Lào Cai");
    assert_eq!(
        plus_one(&before_old, &after_old, "01"),
        0.0,
        "Hà Nội unmoved"
    );
    let pts = map_json(&mut admin, "era=old&province=10&points=ocop").await;
    assert_eq!(pts["province"], "10");
    let pts = admin
        .get("/api/v1/map/villages?era=old&province=10&points=ocop")
        .await
        .json();
    let mine = pts["features"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["properties"]["id"] == id))
        .cloned()
        .expect("the new village is a point");
    assert_eq!(mine["properties"]["class"], "ocop-none");
    assert_eq!(mine["properties"]["url"], format!("/villages/{id}"));
}

pub async fn map_counts_only_the_readers_scope(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    let password = "Mật-khẩu-thử-2026-dài";
    let r = admin
        .json(
            Method::POST,
            "/api/v1/users",
            json!({"username": "xem.batxat", "display_name": "Bát Xát", "password": password,
                   "role": "viewer", "agency": "lc-ubnd-bat-xat", "scope": "082", "scope_as_of": "1/1/2017"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut bx = app.client();
    assert_eq!(
        bx.login("xem.batxat", password).await.status,
        StatusCode::SEE_OTHER
    );
    let in_scope = bx.get("/api/v1/villages?limit=1").await.json()["total"]
        .as_f64()
        .expect("total");
    let whole = map_json(&mut admin, "era=old").await;
    for era in ["old", "new"] {
        let m = map_json(&mut bx, &format!("era={era}")).await;
        let lao_cai = if era == "old" { "10" } else { "15" };
        assert_eq!(
            figure(&m, lao_cai),
            (true, Some(in_scope)),
            "{era}: Bát Xát's villages only"
        );
        assert_eq!(
            figure(&m, "01"),
            (false, None),
            "{era}: Hà Nội is drawn without figures"
        );
        let shown = m["features"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|f| f["properties"]["in_scope"] == true)
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(shown, 1, "{era}: only the province holding Bát Xát");
        let pts = bx
            .get(&format!("/api/v1/map/villages?era={era}"))
            .await
            .json();
        let n = pts["features"].as_array().map(Vec::len).unwrap_or(0) as f64
            + pts["unplaced"].as_f64().unwrap_or(0.0);
        assert_eq!(n, in_scope, "{era}: points in scope only");
    }
    assert!(
        figure(&whole, "10").1.unwrap_or(0.0) > in_scope,
        "the demo has villages outside Bát Xát"
    );
    let page = bx.get("/map?era=old").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("map-prov map-out"));
}

pub async fn map_bad_parameters_name_their_field(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut admin = app.admin().await;
    for (q, field) in [
        ("measure=households", "measure"),
        ("era=2017", "era"),
        ("points=stars", "points"),
        ("province=99", "province"),
        ("era=new&province=10", "province"),
        ("measure=achievement", "program"),
        ("program=abc", "program"),
        ("program=999999", "program"),
    ] {
        for path in ["/api/v1/map", "/api/v1/map/villages"] {
            let r = admin.get(&format!("{path}?{q}")).await;
            assert_eq!(field_of_422(&r), field, "{path}?{q}");
        }
    }
    // The page keeps what was typed and names the field.
    let page = admin.get("/map?era=old&measure=households").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("households"),
        "{}",
        &page.body[..200.min(page.body.len())]
    );
    assert!(page.body.contains("error-summary"));
    // Without a login: 401.
    let mut anon = app.client();
    assert_eq!(
        anon.get("/api/v1/map").await.status,
        StatusCode::UNAUTHORIZED
    );
}
