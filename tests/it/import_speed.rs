//! Import speed: `insert_all` builds the records it indexes and audits
//! from the values written (no read-back). They must be exactly what a single
//! create writes and what a read gives back.

use langnghe_it::{Backend, TestApp};
use langnghe_store::audit::{self, Actor, AuditFilter};
use langnghe_store::geo::COUNTRY_ID;
use langnghe_store::registry::{self, search, spec::Entity, Val, Values};
use serde_json::Value;

/// A village with every field set (crafts out of name order, a decimal, booleans, a reference).
async fn full_village(app: &TestApp, name: &str) -> Values {
    let db = &app.db;
    let day = time::Date::from_calendar_date(2017, time::Month::January, 1).expect("date");
    let unit = langnghe_store::geo::by_code(db, "00583", day)
        .await
        .expect("geo")
        .expect("unit 00583");
    let mut crafts: Vec<(i64, String)> = registry::options(db, Entity::Craft, COUNTRY_ID, 100)
        .await
        .expect("crafts");
    assert!(crafts.len() >= 2, "demo crafts");
    // Listed by label: take the last two, id order reversed from name order.
    crafts.reverse();
    let doc = registry::options(db, Entity::Document, COUNTRY_ID, 1)
        .await
        .expect("documents")
        .first()
        .map(|(id, _)| Val::I64(*id))
        .unwrap_or(Val::Null);
    let mut v = Values::new();
    v.insert("name", Val::Text(name.into()));
    v.insert("hamlet", Val::Text("Thôn Zuyđông".into()));
    v.insert("admin_unit", Val::I64(unit.id));
    v.insert(
        "crafts",
        Val::Ids(vec![crafts[0].0, crafts[1].0, crafts[0].0]),
    );
    v.insert("status", Val::Text("new".into()));
    v.insert("recognition_doc_id", doc);
    v.insert("households_total", Val::I64(120));
    v.insert("households_in_craft", Val::I64(80));
    v.insert("workers", Val::I64(250));
    v.insert("production_value", Val::I64(12_500_000_000));
    v.insert("avg_income", Val::I64(6_200_000));
    v.insert("stable_since_year", Val::I64(1998));
    v.insert("environment_ok", Val::Bool(true));
    v.insert("tourism", Val::Bool(false));
    v.insert("environment_class", Val::Null);
    v.insert("ethnic_group", Val::Text("Kinh".into()));
    v.insert("lat", Val::F64(21.028_511));
    v.insert("lon", Val::F64(105.804_817_1));
    v.insert("notes", Val::Text("Ghi chú \"đặc biệt\" <b>".into()));
    v
}

async fn after_image(app: &TestApp, id: i64) -> Value {
    let (rows, _) = audit::list(
        &app.db,
        &AuditFilter {
            entity: Some("village".into()),
            entity_id: Some(id.to_string()),
            limit: 10,
            ..AuditFilter::default()
        },
    )
    .await
    .expect("audit");
    assert_eq!(rows.len(), 1, "one audit row for a new record");
    assert_eq!(rows[0].action, "create");
    serde_json::from_str(rows[0].after_json.as_deref().expect("after")).expect("json")
}

/// The record without what differs between two records: id and times.
fn sans_identity(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        for k in ["id", "created_at", "updated_at"] {
            m.remove(k);
        }
    }
    v
}

pub async fn registry_import_writes_what_a_create_writes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = &app.db;
    let actor = Actor::system("test");
    let single = full_village(&app, "Làng Đơnlẻ Gốm").await;
    let one = registry::create(db, &actor, Entity::Village, None, &single)
        .await
        .expect("create");
    let one_id = one["id"].as_i64().expect("id");
    let bulk = full_village(&app, "Làng Hàngloạt Một").await;
    let mut rows = vec![bulk.clone(); 3];
    rows[1].insert("name", Val::Text("Làng Hàngloạt Hai".into()));
    rows[2].insert("name", Val::Text("Làng Hàngloạt Ba".into()));
    rows[2].insert("crafts", Val::Ids(vec![]));
    rows[2].insert("lat", Val::Null);
    let n = registry::insert_all(db, &actor, Entity::Village, &rows, |_| {})
        .await
        .expect("insert_all");
    assert_eq!(n, 3);
    let (hits, _) = search::search(db, COUNTRY_ID, "hangloat mot", &[Entity::Village], 10, 0)
        .await
        .expect("search");
    assert_eq!(hits.len(), 1, "{hits:?}");
    let id = hits[0].id;
    // The audit after-image of an imported record is the record as a read gives it.
    let read = registry::get(db, Entity::Village, COUNTRY_ID, id)
        .await
        .expect("get")
        .expect("the record");
    let imported = after_image(&app, id).await;
    assert_eq!(imported, Value::Object(read.clone()));
    // … and what a single create writes, but for the name, the id and the times.
    let mut created = sans_identity(after_image(&app, one_id).await);
    created["name"] = Value::from("Làng Hàngloạt Một");
    assert_eq!(sans_identity(imported), created);
    assert_eq!(
        read["crafts"].as_array().map(Vec::len),
        Some(2),
        "crafts deduplicated, in name order: {read:?}"
    );
    // The search entries are built alike: same texts as the single create's.
    let (n_one, o_one) = search::texts(Entity::Village, &one);
    let (n_imp, o_imp) = search::texts(Entity::Village, &read);
    assert_eq!(o_one, o_imp);
    assert_ne!(n_one, n_imp);
    let (hits, _) = search::search(db, COUNTRY_ID, "zuydong", &[Entity::Village], 50, 0)
        .await
        .expect("search other texts");
    let found: Vec<i64> = hits.iter().map(|h| h.id).collect();
    assert!(found.contains(&one_id) && found.contains(&id), "{found:?}");
    // Every imported row's after-image equals its read, rows without crafts too.
    let (hits, _) = search::search(db, COUNTRY_ID, "hangloat", &[Entity::Village], 10, 0)
        .await
        .expect("search");
    assert_eq!(hits.len(), 3, "{hits:?}");
    for h in hits {
        let read = registry::get(db, Entity::Village, COUNTRY_ID, h.id)
            .await
            .expect("get")
            .expect("record");
        assert_eq!(after_image(&app, h.id).await, Value::Object(read));
    }
}

/// An import resolves admin unit codes against the units read once, in memory;
/// every row must get exactly what a form's lookup (two queries per code) gives:
/// the same unit, or the same "outside your scope" / "unknown code" message,
/// with and without an "as of" date, across levels and both structures.
pub async fn registry_import_resolves_codes_as_forms_do(b: Backend) {
    use langnghe_store::geo::{self, UnitFilter};
    use langnghe_web::i18n::Lang;
    use langnghe_web::registry::import::check_file;
    use langnghe_web::registry::validate::{validate, DbLookup};
    let app = TestApp::spawn(b).await;
    let db = &app.db;
    let today = langnghe_web::common::today();
    // Scope: Hà Nội, so that units of other provinces are outside it.
    let hn = geo::by_code(db, "01", today)
        .await
        .expect("geo")
        .expect("Hà Nội");
    let (units, _) = geo::list(
        db,
        &UnitFilter {
            limit: 1_000_000,
            ..UnitFilter::default()
        },
    )
    .await
    .expect("units");
    assert!(units.len() > 1_000, "geography loaded");
    let mut codes: Vec<String> = units.iter().step_by(97).map(|u| u.code.clone()).collect();
    // Bát Tràng (old commune of Hà Nội), Hà Nội itself, a code held at two
    // levels if any, the country's code, unknown ones.
    codes.extend(["00583", "01", "018", "79", "VN", "99999", "0"].map(String::from));
    let dates = ["", "1/1/2017", "30/6/2025", "1/7/2025", "1/1/2026"];
    let mut csv = String::from("Tên làng nghề (*),Mã địa bàn (*),Mã đọc tại ngày,Tình trạng (*)\n");
    let mut inputs = vec![];
    for code in &codes {
        for d in dates {
            let name = format!("Làng Mãthử {}", inputs.len());
            csv.push_str(&format!("{name},{code},{d},new\n"));
            let mut m = serde_json::Map::new();
            m.insert("name".into(), Value::from(name));
            m.insert("admin_unit_code".into(), Value::from(code.as_str()));
            m.insert("admin_unit_as_of".into(), Value::from(d));
            m.insert("status".into(), Value::from("new"));
            inputs.push(m);
        }
    }
    assert!(inputs.len() < 1_000, "every error is reported");
    // What a form's lookup gives, row by row.
    let mut expected_errors: Vec<(usize, String)> = vec![];
    let mut expected_ok: Vec<(usize, Values)> = vec![];
    for (i, input) in inputs.iter().enumerate() {
        let mut lookup = DbLookup::new(db, hn.id);
        match validate(Entity::Village, input, &mut lookup, false).await {
            Ok(v) => expected_ok.push((i, v)),
            Err(errs) => {
                for fe in errs {
                    expected_errors.push((i + 2, fe.message(Lang::En)));
                }
            }
        }
    }
    assert!(
        expected_ok.len() > 10 && expected_errors.len() > 10,
        "both outcomes are exercised: {} ok, {} errors",
        expected_ok.len(),
        expected_errors.len()
    );
    let got = check_file(
        &app.state,
        hn.id,
        Lang::En,
        Entity::Village,
        csv.as_bytes(),
        "x.csv",
    )
    .await
    .expect_err("some rows are out of scope or unknown");
    let mut got: Vec<(usize, String)> = got.into_iter().map(|e| (e.row, e.message)).collect();
    got.sort();
    expected_errors.sort();
    assert_eq!(got, expected_errors);
    // The rows a form accepts: the same values (the same unit) from the import.
    let mut ok_csv =
        String::from("Tên làng nghề (*),Mã địa bàn (*),Mã đọc tại ngày,Tình trạng (*)\n");
    for (i, _) in &expected_ok {
        let m = &inputs[*i];
        let s = |k: &str| m[k].as_str().unwrap_or("").to_string();
        ok_csv.push_str(&format!(
            "{},{},{},new\n",
            s("name"),
            s("admin_unit_code"),
            s("admin_unit_as_of")
        ));
    }
    let values = check_file(
        &app.state,
        hn.id,
        Lang::En,
        Entity::Village,
        ok_csv.as_bytes(),
        "ok.csv",
    )
    .await
    .expect("rows a form accepts");
    let want: Vec<Values> = expected_ok.into_iter().map(|(_, v)| v).collect();
    assert_eq!(values, want);
}

/// An import of many batches (the search entries and audit rows of one batch are
/// written while the next is built): one audit `create` row and one search
/// entry per record, in the records' order, each after-image the record as a
/// read gives it — across batch boundaries, and through a batch with other
/// columns (read back rather than built) in the middle.
pub async fn registry_import_of_many_batches_keeps_every_record_whole(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = &app.db;
    let actor = Actor::system("test");
    let bulk = full_village(&app, "Làng Nhiềulô").await;
    let n = 12_000;
    let mut rows: Vec<Values> = (0..n)
        .map(|i| {
            let mut r = bulk.clone();
            r.insert("name", Val::Text(format!("Làng Nhiềulô {i}")));
            r
        })
        .collect();
    for r in &mut rows[5_000..5_003] {
        r.remove("lat");
    }
    let written = registry::insert_all(db, &actor, Entity::Village, &rows, |_| {})
        .await
        .expect("insert_all");
    assert_eq!(written, n);
    let (audit_rows, _) = audit::list(
        db,
        &AuditFilter {
            entity: Some("village".into()),
            action: Some("create".into()),
            actor: Some("test".into()),
            limit: 100_000,
            ..AuditFilter::default()
        },
    )
    .await
    .expect("audit");
    assert_eq!(audit_rows.len(), n, "one audit row per record");
    // Newest first: the records' ids fall as the audit ids fall.
    let ids: Vec<i64> = audit_rows
        .iter()
        .map(|a| a.entity_id.parse().expect("an id"))
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "audit rows in record order"
    );
    let (hits, total) = search::search(db, COUNTRY_ID, "nhieulo", &[Entity::Village], 5, 0)
        .await
        .expect("search");
    assert_eq!(total, n as i64, "a search entry per record: {hits:?}");
    // The first and last record of the import, around each batch boundary and
    // the read-back batch: after-image = read.
    let first = *ids.last().expect("ids");
    for k in [
        0,
        1_449,
        1_450,
        4_999,
        5_000,
        5_002,
        5_003,
        9_999,
        10_000,
        n - 1,
    ] {
        let id = first + k as i64;
        let read = registry::get(db, Entity::Village, COUNTRY_ID, id)
            .await
            .expect("get")
            .expect("the record");
        assert_eq!(read["name"], format!("Làng Nhiềulô {k}"), "row {k}");
        assert_eq!(after_image(&app, id).await, Value::Object(read), "row {k}");
    }
}
