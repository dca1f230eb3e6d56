//! Reference data shipped with the binary: the official geography (both
//! structures and the mapping) and the demo data built from the seed documents.
//! Loading is idempotent: a second start adds nothing and overwrites no edit.

use crate::audit::Actor;
use crate::geo::{self, UnitRecord};
use crate::{agencies, meta, users, Db, Result, StoreError};
use langnghe_core::geo::{Era, Level};
use std::io::Read;

const UNITS_GZ: &[u8] = include_bytes!("../../../data/geo/units.tsv.gz");
const MAPPING_GZ: &[u8] = include_bytes!("../../../data/geo/mapping.tsv.gz");
const AGENCIES_TSV: &str = include_str!("../../../data/demo/agencies.tsv");

fn gunzip(bytes: &[u8]) -> Result<String> {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut s)
        .map_err(|e| StoreError::Data(format!("geography file: {e}")))?;
    Ok(s)
}

fn tsv_rows(text: &str) -> Result<Vec<csv::StringRecord>> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .from_reader(text.as_bytes());
    rdr.records()
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Data(format!("tsv: {e}")))
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn date(s: &str) -> Result<Option<time::Date>> {
    if s.is_empty() {
        return Ok(None);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, fmt)
        .map(Some)
        .map_err(|e| StoreError::Data(format!("date {s}: {e}")))
}

/// Parse the embedded official lists.
/// One row of the official mapping: (new commune code, old code, partly merged).
pub type MappingRow = (String, String, bool);

pub fn official_units() -> Result<(Vec<UnitRecord>, Vec<MappingRow>)> {
    let mut units = Vec::new();
    for r in tsv_rows(&gunzip(UNITS_GZ)?)? {
        let field = |i: usize| r.get(i).unwrap_or("");
        let era =
            Era::parse(field(0)).ok_or_else(|| StoreError::Data(format!("era {}", field(0))))?;
        let level = Level::parse(field(3))
            .ok_or_else(|| StoreError::Data(format!("level {}", field(3))))?;
        units.push(UnitRecord {
            era,
            code: field(1).to_string(),
            name: field(2).to_string(),
            level,
            unit_type: field(4).to_string(),
            parent_code: opt(field(5)),
            valid_from: date(field(6))?,
            valid_to: date(field(7))?,
            lat: field(8).parse().ok(),
            lon: field(9).parse().ok(),
        });
    }
    let mut mapping = Vec::new();
    for r in tsv_rows(&gunzip(MAPPING_GZ)?)? {
        let field = |i: usize| r.get(i).unwrap_or("").to_string();
        mapping.push((field(0), field(1), field(2) == "1"));
    }
    Ok((units, mapping))
}

/// Load the geography once; later starts find it and do nothing.
pub async fn ensure_geography(db: &Db) -> Result<bool> {
    if geo::count(db).await? > 0 {
        return Ok(false);
    }
    let (units, mapping) = official_units()?;
    geo::load(db, &units, &mapping).await?;
    let mut tx = db.begin().await?;
    meta::set(&mut tx, "geography", "vietnamadminunits-1.0.4").await?;
    tx.commit().await?;
    Ok(true)
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
    added += crate::plan_seed::ensure_plans(db).await?;
    added += crate::scheme_seed::ensure_schemes(db).await?;
    Ok(added)
}

/// The system agency the first admin belongs to, created on first start.
pub const SYSTEM_AGENCY_KEY: &str = "system";

/// Create the first admin when there is no user yet; returns its password (shown once).
pub async fn ensure_admin(db: &Db) -> Result<Option<String>> {
    if users::count(db).await? > 0 {
        return Ok(None);
    }
    let actor = Actor::system("setup");
    let agency_id = match agencies::id_by_key(db, SYSTEM_AGENCY_KEY).await? {
        Some(id) => id,
        None => {
            let input = agencies::AgencyInput {
                name: "Quản trị hệ thống".into(),
                short_name: "QTHT".into(),
                kind: "other".into(),
                admin_unit_id: geo::COUNTRY_ID,
                parent_id: None,
            };
            agencies::create(db, &actor, Some(SYSTEM_AGENCY_KEY), &input)
                .await?
                .id
        }
    };
    let password = users::generate_password();
    users::create(
        db,
        &actor,
        &users::NewUser {
            username: "admin".into(),
            display_name: "Quản trị viên".into(),
            password: password.clone(),
            role: "admin".into(),
            agency_id,
            scope_unit_id: geo::COUNTRY_ID,
            lang: "vi".into(),
            email: None,
        },
    )
    .await?;
    Ok(Some(password))
}

const CRAFTS_TSV: &str = include_str!("../../../data/demo/crafts.tsv");
const VILLAGES_TSV: &str = include_str!("../../../data/demo/villages.tsv");
const DOCUMENTS_TSV: &str = include_str!("../../../data/demo/documents.tsv");

/// The registry named by the seed documents: legal documents, crafts, villages.
/// Names, places and links only (the seeds give no per-village figures). Idempotent by key.
pub async fn ensure_registry_demo(db: &Db) -> Result<usize> {
    use crate::registry::spec::Entity;
    use crate::registry::{self, Val, Values};
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
