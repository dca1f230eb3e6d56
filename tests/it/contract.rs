//! The API contract: what the OpenAPI document says is what the server does.

use http::{Method, StatusCode};
use langnghe_it::{Backend, TestApp};
use serde_json::json;

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
