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

pub fn gunzip(bytes: &[u8]) -> Result<String> {
    let mut s = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut s)
        .map_err(|e| StoreError::Data(format!("geography file: {e}")))?;
    Ok(s)
}

pub fn tsv_rows(text: &str) -> Result<Vec<csv::StringRecord>> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .quoting(false)
        .from_reader(text.as_bytes());
    rdr.records()
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Data(format!("tsv: {e}")))
}

pub fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

pub fn date(s: &str) -> Result<Option<time::Date>> {
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
