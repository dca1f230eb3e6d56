//! The map's figures, counted in the database per province of the chosen era,
//! over the rows inside the reader's scope only; and the province shapes
//! shipped in `data/geo/provinces-{old,new}.json` (see data/README.md).
//!
//! A record counts for a province when its admin unit lies within that
//! province (`admin_unit_cover`, which spans both structures): a village
//! entered under an old commune counts for the new province the commune went
//! to, and the other way round.

use crate::geo::within;
use crate::{Arg, Db, Result, Sql, StoreError};
use langnghe_core::map::MapEra;
use langnghe_core::report::ReportState;
use serde::Serialize;
use std::sync::OnceLock;

const PROVINCES_OLD: &str = include_str!("../../../data/geo/provinces-old.json");
const PROVINCES_NEW: &str = include_str!("../../../data/geo/provinces-new.json");

/// The shape of one province: its official code and GeoJSON geometry.
#[derive(Debug, Clone)]
pub struct Shape {
    pub code: String,
    /// The GeoJSON geometry as shipped (Polygon or MultiPolygon).
    pub geometry: serde_json::Value,
    /// Every ring as (lon, lat) points, for drawing.
    pub rings: Vec<Vec<(f64, f64)>>,
}

fn parse_shapes(text: &str) -> Result<Vec<Shape>> {
    let fc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| StoreError::Data(format!("provinces: {e}")))?;
    let features = fc
        .get("features")
        .and_then(|f| f.as_array())
        .ok_or_else(|| StoreError::Data("provinces: no features".into()))?;
    let mut out = Vec::with_capacity(features.len());
    for f in features {
        let code = f
            .pointer("/properties/code")
            .and_then(|c| c.as_str())
            .ok_or_else(|| StoreError::Data("provinces: feature without code".into()))?
            .to_string();
        let geometry = f.get("geometry").cloned().unwrap_or_default();
        let polygons: Vec<&serde_json::Value> = match geometry.get("type").and_then(|t| t.as_str())
        {
            Some("Polygon") => geometry.get("coordinates").into_iter().collect(),
            Some("MultiPolygon") => geometry
                .get("coordinates")
                .and_then(|c| c.as_array())
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            _ => vec![],
        };
        let mut rings = vec![];
        for poly in polygons {
            for ring in poly.as_array().into_iter().flatten() {
                let pts: Vec<(f64, f64)> = ring
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .collect();
                rings.push(pts);
            }
        }
        out.push(Shape {
            code,
            geometry,
            rings,
        });
    }
    Ok(out)
}

/// The province shapes of an era, parsed once.
pub fn shapes(era: MapEra) -> Result<&'static [Shape]> {
    static OLD: OnceLock<std::result::Result<Vec<Shape>, String>> = OnceLock::new();
    static NEW: OnceLock<std::result::Result<Vec<Shape>, String>> = OnceLock::new();
    let (cell, text) = match era {
        MapEra::Old => (&OLD, PROVINCES_OLD),
        MapEra::New => (&NEW, PROVINCES_NEW),
    };
    cell.get_or_init(|| parse_shapes(text).map_err(|e| e.to_string()))
        .as_deref()
        .map_err(|e| StoreError::Data(e.clone()))
}

use crate::fetch_all as fetch;

/// A province of the era and whether the reader may see its figures.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Province {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The province and the reader's scope share at least one unit.
    pub in_scope: bool,
}

/// The provinces of an era; `in_scope` when the province overlaps the scope.
pub async fn provinces(db: &Db, era: MapEra, scope_id: i64) -> Result<Vec<Province>> {
    let mut sql = Sql::new("");
    sql.push(
        "SELECT p.id, p.code, p.name, \
         CASE WHEN EXISTS (SELECT 1 FROM admin_unit_cover a JOIN admin_unit_cover b ON b.unit_id = a.unit_id \
           WHERE a.scope_id = p.id AND b.scope_id = ?) THEN TRUE ELSE FALSE END AS in_scope \
         FROM admin_units p WHERE p.level = 'province' AND p.era = ? ORDER BY p.code",
        [Arg::I64(scope_id), Arg::Text(era.as_str().into())],
    );
    fetch(db, &sql).await
}

/// A figure of one province: `value` counted, over `total` when a share.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Figure {
    pub code: String,
    pub value: Option<f64>,
    pub total: Option<f64>,
}

/// Rows first, then the provinces containing each row's unit (`CROSS JOIN`
/// keeps that order on SQLite; PostgreSQL plans it as an ordinary join).
fn province_of(rows: &str, alias: &str) -> String {
    format!("FROM {rows} {alias} {}", province_of_join(alias))
}

/// The joins of [`province_of`] after its first table.
fn province_of_join(alias: &str) -> String {
    format!(
        "CROSS JOIN admin_unit_cover c CROSS JOIN admin_units p \
         WHERE c.unit_id = {alias}.admin_unit_id AND p.id = c.scope_id AND "
    )
}

/// Villages per province; `recognised_only`: status recognised or traditional.
///
/// Counted per unit first (the village index by unit alone), then each
/// counted unit's provinces: the walk to the provinces is per unit holding
/// villages, not per village (a thousand villages in one commune were a
/// thousand walks, 2,4 ms at ~3.000 villages, most of the mixed workload's
/// time in the database).
pub async fn villages(
    db: &Db,
    era: MapEra,
    scope_id: i64,
    recognised_only: bool,
) -> Result<Vec<Figure>> {
    let mut sql = Sql::new("");
    sql.push(
        &format!(
            "SELECT p.code, CAST(SUM(g.n) AS DOUBLE PRECISION) AS value, CAST(NULL AS DOUBLE PRECISION) AS total \
             FROM (SELECT v.admin_unit_id, COUNT(*) AS n FROM villages v WHERE {}",
            within("v.admin_unit_id", scope_id, "?"),
        ),
        [Arg::I64(scope_id)],
    );
    if recognised_only {
        sql.push(" AND v.status IN ('recognised', 'traditional')", []);
    }
    sql.push(
        &format!(
            " GROUP BY v.admin_unit_id) g {} p.level = 'province' AND p.era = ? \
             GROUP BY p.code ORDER BY p.code",
            province_of_join("g")
        ),
        [Arg::Text(era.as_str().into())],
    );
    fetch_in_written_order(db, &sql).await
}

/// Rows of a query whose joins are to run in the order it names its tables,
/// on PostgreSQL as on SQLite (where a `CROSS JOIN` keeps its order).
/// PostgreSQL's planner estimates ten cover rows for any scope (the average:
/// a commune covers itself, a province ~416 units), so for the map of
/// villages it walked every province's cover rows (14.149) to meet a few
/// dozen villages: 2,8-3,6 ms. Joined in the written order (villages, then
/// the units covering each, then the provinces among them) it probes the
/// cover by unit: 0,5 ms on the demo (`EXPLAIN ANALYZE`). The join methods
/// stay the planner's, so a large registry is still hashed.
async fn fetch_in_written_order<T: crate::Row>(db: &Db, sql: &Sql) -> Result<Vec<T>> {
    match db {
        Db::Pg(pool) => {
            // One round trip for both.
            let mut tx = pool
                .begin_with("BEGIN; SET LOCAL join_collapse_limit = 1")
                .await?;
            let rows = crate::bind_args!(sqlx::query_as::<_, T>(&sql.text), sql.args)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(rows)
        }
        Db::Sqlite(..) => fetch(db, sql).await,
    }
}

/// Approved (or locked) reports over expected reports, per province, in the
/// periods still open (some report not locked); one programme or all.
pub async fn reporting_rate(
    db: &Db,
    era: MapEra,
    scope_id: i64,
    program_id: Option<i64>,
) -> Result<Vec<Figure>> {
    let mut sql = Sql::new("");
    sql.push(
        &format!(
            "SELECT p.code, CAST(COUNT(CASE WHEN r.state IN ({APPROVED}) THEN 1 END) AS DOUBLE PRECISION) AS value, \
             CAST(COUNT(r.id) AS DOUBLE PRECISION) AS total \
             {} p.level = 'province' AND p.era = ? AND {} \
             AND r.period_id IN (SELECT rp.id FROM report_periods rp WHERE \
               EXISTS (SELECT 1 FROM reports o WHERE o.period_id = rp.id AND o.state <> ?)",
            province_of("reports", "r"),
            within("r.admin_unit_id", scope_id, "?"),
            APPROVED = crate::states::report_approved(),
        ),
        [
            Arg::Text(era.as_str().into()),
            Arg::I64(scope_id),
            Arg::Text(ReportState::Locked.as_str().into()),
        ],
    );
    // The periods still open (some report not locked), probed per period on
    // the (period, state) index rather than by reading every report.
    if let Some(pid) = program_id {
        sql.push(" AND rp.program_id = ?", [Arg::I64(pid)]);
    }
    sql.push(")", []);
    sql.push(" GROUP BY p.code ORDER BY p.code", []);
    fetch(db, &sql).await
}

/// One indicator's reported value over the target stated in the same report
/// lines, summed per province, in the programme's latest period with an
/// approved report in scope (approved and locked reports only).
pub async fn achievement(
    db: &Db,
    era: MapEra,
    scope_id: i64,
    program_id: i64,
    indicator_id: i64,
) -> Result<Vec<Figure>> {
    let mut sql = Sql::new("");
    sql.push(
        &format!(
            "SELECT p.code, SUM(rl.value) AS value, SUM(rl.target_value) AS total \
             FROM report_lines rl CROSS JOIN reports r CROSS JOIN admin_unit_cover c CROSS JOIN admin_units p \
             WHERE r.id = rl.report_id AND c.unit_id = r.admin_unit_id AND p.id = c.scope_id \
             AND p.level = 'province' AND p.era = ? AND {R} \
             AND rl.indicator_id = ? AND r.state IN ({APPROVED}) \
             AND r.period_id = (SELECT rp.id FROM report_periods rp JOIN reports r2 ON r2.period_id = rp.id \
               WHERE rp.program_id = ? AND r2.state IN ({APPROVED}) AND {R2} \
               ORDER BY rp.data_to DESC, rp.id DESC LIMIT 1) \
             GROUP BY p.code ORDER BY p.code",
            APPROVED = crate::states::report_approved(),
            R = within("r.admin_unit_id", scope_id, "?"),
            R2 = within("r2.admin_unit_id", scope_id, "?"),
        ),
        [
            Arg::Text(era.as_str().into()),
            Arg::I64(scope_id),
            Arg::I64(indicator_id),
            Arg::I64(program_id),
            Arg::I64(scope_id),
        ],
    );
    fetch(db, &sql).await
}

/// Whether the indicator belongs to the programme.
pub async fn indicator_of(db: &Db, program_id: i64, indicator_id: i64) -> Result<Option<String>> {
    let mut sql = Sql::new("");
    sql.push(
        "SELECT code, name FROM indicators WHERE id = ? AND program_id = ?",
        [Arg::I64(indicator_id), Arg::I64(program_id)],
    );
    let rows: Vec<(String, String)> = fetch(db, &sql).await?;
    Ok(rows.into_iter().next().map(|(c, n)| format!("{c}. {n}")))
}

/// A village as a point: at its own position, else its commune's.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Point {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub environment_class: Option<String>,
    /// Most OCOP stars of the village's products ("3", "4", "5"), if any.
    pub ocop_stars: Option<String>,
    pub commune: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// The most points drawn on one map.
pub const POINT_LIMIT: i64 = 5000;

/// Villages in scope (and within `province`, when given).
pub async fn points(db: &Db, scope_id: i64, province: Option<i64>) -> Result<Vec<Point>> {
    let mut sql = Sql::new("");
    sql.push(
        &format!(
            "SELECT v.id, v.name, v.status, v.environment_class, \
             (SELECT MAX(pr.ocop_stars) FROM products pr WHERE pr.village_id = v.id) AS ocop_stars, \
             u.name AS commune, COALESCE(v.lat, u.lat) AS lat, COALESCE(v.lon, u.lon) AS lon \
             FROM villages v JOIN admin_units u ON u.id = v.admin_unit_id \
             WHERE {}",
            within("v.admin_unit_id", scope_id, "?")
        ),
        [Arg::I64(scope_id)],
    );
    if let Some(p) = province {
        sql.push(
            &format!(" AND {}", within("v.admin_unit_id", p, "?")),
            [Arg::I64(p)],
        );
    }
    sql.push(" ORDER BY v.id LIMIT ?", [Arg::I64(POINT_LIMIT)]);
    fetch(db, &sql).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_shapes_have_one_feature_per_province() {
        for era in [MapEra::Old, MapEra::New] {
            let s = shapes(era).unwrap();
            assert_eq!(s.len(), era.province_count());
            assert!(s.iter().all(|p| p.code.len() == 2 && !p.rings.is_empty()));
        }
    }
}
