//! The demo: the data of the four seed documents (agencies, registry, plans and
//! the 2017 brand scheme) and an invented reporting history marked as sample
//! data, loaded by `serve --demo`. Kept out of the production store: the server
//! calls it only when asked for the demo; its data files are in `data/` here.

pub mod history;
pub mod programs;
pub mod schemes;

use langnghe_core::geo::Era;
use langnghe_store::audit::Actor;
use langnghe_store::seed::{date, opt, tsv_rows};
use langnghe_store::{agencies, geo, Db, Result, StoreError};

const AGENCIES_TSV: &str = include_str!("../data/agencies.tsv");

/// Load the demo, idempotently: what is there already is never touched.
/// `history`: also the sample reporting periods and reports (see [`history`]).
pub async fn ensure(db: &Db, history: bool) -> Result<usize> {
    let mut added = ensure_demo(db).await?;
    if history {
        added += history::ensure(db).await?;
    }
    Ok(added)
}

/// The loader the store's preparation calls for `serve --demo`.
pub fn loader() -> langnghe_store::init::DemoLoader {
    |db, history| Box::pin(ensure(db, history))
}

/// One agency of the demo file.
#[derive(Debug, Clone)]
pub struct DemoAgency {
    pub key: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub unit_code: String,
    pub unit_era: Era,
    pub parent_key: Option<String>,
}

pub fn demo_agencies() -> Result<Vec<DemoAgency>> {
    tsv_rows(AGENCIES_TSV)?
        .into_iter()
        .map(|r| {
            let f = |i: usize| r.get(i).unwrap_or("").to_string();
            Ok(DemoAgency {
                key: f(0),
                name: f(1),
                short_name: f(2),
                kind: f(3),
                unit_code: f(4),
                unit_era: Era::parse(&f(5)).unwrap_or(Era::Old),
                parent_key: opt(&f(6)),
            })
        })
        .collect()
}

/// Insert the demo agencies that are not there yet (by key); never touches existing rows.
pub async fn ensure_demo(db: &Db) -> Result<usize> {
    let actor = Actor::system("demo");
    let mut added = 0;
    let list = demo_agencies()?;
    // Parents first: the file lists them before children, but be safe and loop.
    for _ in 0..3 {
        for a in &list {
            if agencies::id_by_key(db, &a.key).await?.is_some() {
                continue;
            }
            let parent_id = match &a.parent_key {
                Some(pk) => match agencies::id_by_key(db, pk).await? {
                    Some(id) => Some(id),
                    None => continue,
                },
                None => None,
            };
            let unit = geo::by_era_code(db, a.unit_era, &a.unit_code)
                .await?
                .ok_or_else(|| {
                    StoreError::Data(format!("agency {}: unknown unit {}", a.key, a.unit_code))
                })?;
            let input = agencies::AgencyInput {
                name: a.name.clone(),
                short_name: a.short_name.clone(),
                kind: a.kind.clone(),
                admin_unit_id: unit.id,
                parent_id,
            };
            agencies::create(db, &actor, Some(&a.key), &input).await?;
            added += 1;
        }
    }
    added += ensure_registry_demo(db).await?;
    added += crate::programs::ensure_plans(db).await?;
    added += crate::schemes::ensure_schemes(db).await?;
    Ok(added)
}

const CRAFTS_TSV: &str = include_str!("../data/crafts.tsv");
const VILLAGES_TSV: &str = include_str!("../data/villages.tsv");
const DOCUMENTS_TSV: &str = include_str!("../data/documents.tsv");

/// The registry named by the seed documents: legal documents, crafts, villages.
/// Names, places and links only (the seeds give no per-village figures). Idempotent by key.
pub async fn ensure_registry_demo(db: &Db) -> Result<usize> {
    use langnghe_store::registry::spec::Entity;
    use langnghe_store::registry::{self, Val, Values};
    let actor = Actor::system("demo");
    let mut added = 0;
    let text = |s: &str| {
        if s.trim().is_empty() {
            Val::Null
        } else {
            Val::Text(s.trim().to_string())
        }
    };
    for r in tsv_rows(DOCUMENTS_TSV)? {
        let f = |i: usize| r.get(i).unwrap_or("").to_string();
        let key = format!(
            "doc-{}",
            langnghe_core::text::fold_vi(&format!("{} {}", f(0), f(4)))
                .replace(' ', "-")
                .chars()
                .take(80)
                .collect::<String>()
        );
        if registry::id_by_key(db, Entity::Document, &key)
            .await?
            .is_some()
        {
            continue;
        }
        let mut v = Values::new();
        v.insert("number", text(&f(0)));
        if let Ok(d) = langnghe_core::legal_doc::parse_doc_ref(&f(0)) {
            v.insert(
                "seq",
                d.seq.map(|s| Val::I64(i64::from(s))).unwrap_or(Val::Null),
            );
            v.insert(
                "year",
                d.year.map(|y| Val::I64(i64::from(y))).unwrap_or(Val::Null),
            );
        }
        v.insert("kind", text(&f(1)));
        v.insert("issuer", text(&f(2)));
        v.insert(
            "issued_on",
            date(&f(3))?.map(Val::Date).unwrap_or(Val::Null),
        );
        v.insert("title", Val::Text(f(4)));
        if let (Some(d), false) = (date(&f(3))?, matches!(v.get("year"), Some(Val::I64(_)))) {
            v.insert("year", Val::I64(i64::from(d.year())));
        }
        v.insert("notes", Val::Text(format!("Nguồn: {}", f(5))));
        registry::create(db, &actor, Entity::Document, Some(&key), &v).await?;
        added += 1;
    }
    for r in tsv_rows(CRAFTS_TSV)? {
        let f = |i: usize| r.get(i).unwrap_or("").to_string();
        if registry::id_by_key(db, Entity::Craft, &f(0))
            .await?
            .is_some()
        {
            continue;
        }
        let mut v = Values::new();
        v.insert("name", Val::Text(f(1)));
        v.insert("craft_group", Val::Text(f(2)));
        v.insert(
            "is_traditional",
            match f(3).as_str() {
                "1" => Val::Bool(true),
                "0" => Val::Bool(false),
                _ => Val::Null,
            },
        );
        v.insert("ethnic_groups", text(&f(4)));
        let note = [f(6), format!("Nguồn: {}", f(5))]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        v.insert("notes", Val::Text(note));
        registry::create(db, &actor, Entity::Craft, Some(&f(0)), &v).await?;
        added += 1;
    }
    for r in tsv_rows(VILLAGES_TSV)? {
        let f = |i: usize| r.get(i).unwrap_or("").to_string();
        if registry::id_by_key(db, Entity::Village, &f(0))
            .await?
            .is_some()
        {
            continue;
        }
        let unit = geo::by_era_code(db, Era::Old, &f(3))
            .await?
            .ok_or_else(|| StoreError::Data(format!("village {}: unknown unit {}", f(0), f(3))))?;
        let mut crafts = vec![];
        for k in f(5).split(',').map(str::trim).filter(|k| !k.is_empty()) {
            let id = registry::id_by_key(db, Entity::Craft, k)
                .await?
                .ok_or_else(|| StoreError::Data(format!("village {}: unknown craft {k}", f(0))))?;
            crafts.push(id);
        }
        let mut v = Values::new();
        v.insert("name", Val::Text(f(1)));
        v.insert("hamlet", text(&f(2)));
        v.insert("admin_unit", Val::I64(unit.id));
        v.insert("crafts", Val::Ids(crafts));
        v.insert("status", Val::Text(f(6)));
        v.insert(
            "tourism",
            if f(7) == "1" {
                Val::Bool(true)
            } else {
                Val::Null
            },
        );
        v.insert("ethnic_group", text(&f(8)));
        let note = [f(10), format!("Nguồn: {}", f(9))]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        v.insert("notes", Val::Text(note));
        registry::create(db, &actor, Entity::Village, Some(&f(0)), &v).await?;
        added += 1;
    }
    Ok(added)
}
