//! Administrative units of both structures, their links and coverage.

use crate::{bind_args, with_db, with_tx, Arg, Db, Result, Sql, StoreError, Tx};
use langnghe_core::geo::{self, CommuneLink, Era, Level, UnitNode};
use langnghe_core::text::fold_vi;
use serde::Serialize;
use time::Date;

/// An administrative unit as stored; the API answers `web::geo::AdminUnitView`.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AdminUnit {
    #[serde(skip)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: String,
    #[serde(rename = "type")]
    pub unit_type: String,
    pub parent_code: Option<String>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    #[serde(skip)]
    pub era: String,
    #[serde(skip)]
    pub parent_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
}

impl AdminUnit {
    pub fn valid_on(&self, day: Date) -> bool {
        geo::valid_on(self.valid_from, self.valid_to, day)
    }
}

/// A link to a predecessor or successor, with the partly-merged flag.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedUnit {
    #[serde(flatten)]
    pub unit: AdminUnit,
    pub partly: bool,
}

#[derive(Debug, sqlx::FromRow)]
struct LinkedRow {
    #[sqlx(flatten)]
    unit: AdminUnit,
    partly: bool,
}

const SELECT_UNIT: &str =
    "SELECT u.id, u.code, u.name, u.level, u.unit_type, p.code AS parent_code, \
     u.valid_from, u.valid_to, u.era, u.parent_id, u.lat, u.lon \
     FROM admin_units u LEFT JOIN admin_units p ON p.id = u.parent_id";

/// Filters of the unit list.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub level: Option<Level>,
    pub parent_id: Option<i64>,
    pub as_of: Option<Date>,
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

fn push_valid_on(sql: &mut Sql, day: Date) {
    sql.push(
        " AND (u.valid_from IS NULL OR u.valid_from <= ?) AND (u.valid_to IS NULL OR u.valid_to >= ?)",
        [Arg::Date(day), Arg::Date(day)],
    );
}

fn filter_sql(select: &str, f: &UnitFilter) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" WHERE 1 = 1", []);
    match f.level {
        Some(level) => {
            sql.push(" AND u.level = ?", [Arg::Text(level.as_str().into())]);
        }
        None => {
            sql.push(" AND u.level <> 'country'", []);
        }
    }
    if let Some(p) = f.parent_id {
        sql.push(" AND u.parent_id = ?", [Arg::I64(p)]);
    }
    if let Some(day) = f.as_of {
        push_valid_on(&mut sql, day);
    }
    if let Some(q) = &f.q {
        let terms = langnghe_core::text::search_terms(q);
        if terms.is_empty() && !q.trim().is_empty() {
            // Only punctuation: nothing can match (it is never a wildcard).
            sql.push(" AND 1 = 0", []);
        }
        for term in terms {
            sql.push(
                " AND u.name_folded LIKE ? ESCAPE '\\'",
                [Arg::Text(format!("%{}%", crate::like_escape(&term)))],
            );
        }
    }
    sql
}

/// Units matching the filter, ordered by level then code, with the total count.
pub async fn list(db: &Db, f: &UnitFilter) -> Result<(Vec<AdminUnit>, i64)> {
    let mut sql = filter_sql(SELECT_UNIT, f);
    sql.push(
        " ORDER BY CASE u.level WHEN 'country' THEN 0 WHEN 'province' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, u.code, u.era LIMIT ? OFFSET ?",
        [Arg::I64(f.limit), Arg::I64(f.offset)],
    );
    let count = filter_sql("SELECT COUNT(*) FROM admin_units u", f);
    crate::fetch_page::<AdminUnit>(db, &sql, &count).await
}

/// The unit with this official code in force on `day`.
pub async fn by_code(db: &Db, code: &str, day: Date) -> Result<Option<AdminUnit>> {
    let mut sql = Sql::new(SELECT_UNIT);
    sql.push(" WHERE u.code = ?", [Arg::Text(code.to_string())]);
    push_valid_on(&mut sql, day);
    sql.push(" ORDER BY u.level LIMIT 1", []);
    crate::fetch_optional::<AdminUnit>(db, &sql).await
}

/// The unit with this code in a given era (for data recorded with a known structure).
pub async fn by_era_code(db: &Db, era: Era, code: &str) -> Result<Option<AdminUnit>> {
    let sql = format!("{SELECT_UNIT} WHERE u.era = $1 AND u.code = $2 LIMIT 1");
    Ok(with_db!(db, |c| sqlx::query_as::<_, AdminUnit>(&sql)
        .bind(era.as_str())
        .bind(code)
        .fetch_optional(c)
        .await?))
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<AdminUnit>> {
    let sql = format!("{SELECT_UNIT} WHERE u.id = $1");
    Ok(with_db!(db, |c| sqlx::query_as::<_, AdminUnit>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await?))
}

/// The chain of parents, country first, ending with the unit itself.
pub async fn ancestry(db: &Db, unit: &AdminUnit) -> Result<Vec<AdminUnit>> {
    let mut chain = vec![unit.clone()];
    let mut next = unit.parent_id;
    while let Some(id) = next {
        let Some(p) = by_id(db, id).await? else { break };
        next = p.parent_id;
        chain.push(p);
        if chain.len() > 6 {
            break;
        }
    }
    chain.reverse();
    Ok(chain)
}

pub async fn successors(db: &Db, id: i64) -> Result<Vec<LinkedUnit>> {
    linked(db, id, "l.old_id", "l.new_id").await
}

pub async fn predecessors(db: &Db, id: i64) -> Result<Vec<LinkedUnit>> {
    linked(db, id, "l.new_id", "l.old_id").await
}

async fn linked(db: &Db, id: i64, from: &str, to: &str) -> Result<Vec<LinkedUnit>> {
    let sql = format!(
        "SELECT u.id, u.code, u.name, u.level, u.unit_type, p.code AS parent_code, \
         u.valid_from, u.valid_to, u.era, u.parent_id, u.lat, u.lon, l.partly \
         FROM admin_unit_links l JOIN admin_units u ON u.id = {to} \
         LEFT JOIN admin_units p ON p.id = u.parent_id WHERE {from} = $1 \
         ORDER BY CASE u.level WHEN 'province' THEN 1 WHEN 'district' THEN 2 ELSE 3 END DESC, u.code"
    );
    let rows: Vec<LinkedRow> = with_db!(db, |c| sqlx::query_as::<_, LinkedRow>(&sql)
        .bind(id)
        .fetch_all(c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|r| LinkedUnit {
            unit: r.unit,
            partly: r.partly,
        })
        .collect())
}

/// Roll a unit up to the unit(s) standing for it on `day` (itself if still in force).
pub async fn rollup(db: &Db, id: i64, day: Date) -> Result<Vec<AdminUnit>> {
    // The chain is at most one reform deep today; load what the pure function asks for.
    let Some(start) = by_id(db, id).await? else {
        return Ok(vec![]);
    };
    let mut known = std::collections::HashMap::new();
    known.insert(start.id, start.clone());
    let mut succ_map: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    let mut frontier = vec![start.id];
    for _ in 0..4 {
        let mut next = vec![];
        for f in frontier {
            let s = successors(db, f).await?;
            succ_map.insert(f, s.iter().map(|l| l.unit.id).collect());
            for l in s {
                next.push(l.unit.id);
                known.insert(l.unit.id, l.unit);
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    let ids = geo::rollup(
        id,
        day,
        |u| {
            known.get(&u).map(|x| geo::Validity {
                valid_from: x.valid_from,
                valid_to: x.valid_to,
            })
        },
        |u| succ_map.get(&u).cloned().unwrap_or_default(),
    );
    Ok(ids
        .into_iter()
        .filter_map(|i| known.get(&i).cloned())
        .collect())
}

/// Is `unit_id` wholly within `scope_id` (across the reform)?
pub async fn covers(db: &Db, scope_id: i64, unit_id: i64) -> Result<bool> {
    let n: i64 = with_db!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM admin_unit_cover WHERE scope_id = $1 AND unit_id = $2"
    )
    .bind(scope_id)
    .bind(unit_id)
    .fetch_one(c)
    .await?);
    Ok(n > 0)
}

pub async fn count(db: &Db) -> Result<i64> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM admin_units"
    )
    .fetch_one(c)
    .await?))
}

/// One unit as read from the data file.
#[derive(Debug, Clone)]
pub struct UnitRecord {
    pub era: Era,
    pub code: String,
    pub name: String,
    pub level: Level,
    pub unit_type: String,
    pub parent_code: Option<String>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// The id of the country unit (both structures hang under it).
pub const COUNTRY_ID: i64 = 1;
pub const COUNTRY_CODE: &str = "VN";

/// The condition "`column` is a unit within the scope bound at `param`" (`?`
/// or `$n`). For the country, which covers every unit, it is only that the
/// column is set (`param > 0` keeps the argument's place): SQLite builds an
/// `IN (SELECT …)` list before reading the first row, and the country's list is
/// every unit of both eras (14.150, about 2 ms a query) where a province's few
/// hundred cost nothing.
pub(crate) fn within(column: &str, scope_id: i64, param: &str) -> String {
    if scope_id == COUNTRY_ID {
        format!("({column} IS NOT NULL AND {param} > 0)")
    } else {
        format!("{column} IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = {param})")
    }
}

/// Load the official lists and the commune mapping into an empty store, with the
/// derived successions and coverage, in one transaction.
pub async fn load(db: &Db, units: &[UnitRecord], mapping: &[(String, String, bool)]) -> Result<()> {
    use std::collections::HashMap;
    let mut ids: HashMap<(Era, Level, &str), i64> = HashMap::new();
    let mut rows: Vec<(i64, &UnitRecord, Option<i64>)> = Vec::with_capacity(units.len());
    // Parents first: provinces, then districts, then communes.
    let mut ordered: Vec<&UnitRecord> = units.iter().collect();
    ordered.sort_by_key(|u| (u.level, u.era.as_str(), u.code.clone()));
    for (i, u) in ordered.iter().enumerate() {
        ids.insert((u.era, u.level, u.code.as_str()), i as i64 + 2);
    }
    for (i, u) in ordered.iter().enumerate() {
        let parent = match (&u.parent_code, u.level) {
            (None, _) => Some(COUNTRY_ID),
            (Some(pc), Level::Commune) => {
                let lvl = if u.era == Era::Old {
                    Level::District
                } else {
                    Level::Province
                };
                ids.get(&(u.era, lvl, pc.as_str())).copied()
            }
            (Some(pc), _) => ids.get(&(u.era, Level::Province, pc.as_str())).copied(),
        };
        let Some(parent) = parent else {
            return Err(StoreError::Data(format!(
                "unit {} {} has unknown parent {:?}",
                u.era.as_str(),
                u.code,
                u.parent_code
            )));
        };
        rows.push((i as i64 + 2, u, Some(parent)));
    }
    let mut links = Vec::with_capacity(mapping.len());
    for (new, old, partly) in mapping {
        let n = ids.get(&(Era::New, Level::Commune, new.as_str()));
        // Island districts without communes map whole, by their 3-digit district code.
        let old_level = if old.len() == 3 {
            Level::District
        } else {
            Level::Commune
        };
        let o = ids.get(&(Era::Old, old_level, old.as_str()));
        match (n, o) {
            (Some(n), Some(o)) => links.push(CommuneLink {
                old: *o,
                new: *n,
                partly: *partly,
            }),
            _ => {
                return Err(StoreError::Data(format!(
                    "mapping row {new} ← {old} names an unknown commune"
                )))
            }
        }
    }
    let mut nodes = vec![UnitNode {
        id: COUNTRY_ID,
        era: Era::Both,
        level: Level::Country,
        parent: None,
    }];
    nodes.extend(rows.iter().map(|(id, u, p)| UnitNode {
        id: *id,
        era: u.era,
        level: u.level,
        parent: *p,
    }));
    let derived = geo::derive(&nodes, &links);

    let mut tx = db.begin().await?;
    insert_batched(
        &mut tx,
        "INSERT INTO admin_units (id, era, code, name, name_folded, level, unit_type, parent_id, valid_from, valid_to, lat, lon) VALUES ",
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        std::iter::once(vec![
            Arg::I64(COUNTRY_ID),
            Arg::Text("both".into()),
            Arg::Text(COUNTRY_CODE.into()),
            Arg::Text("Việt Nam".into()),
            Arg::Text("viet nam".into()),
            Arg::Text("country".into()),
            Arg::Text("quốc gia".into()),
            Arg::Null,
            Arg::NullDate,
            Arg::NullDate,
            Arg::NullF64,
            Arg::NullF64,
        ])
        .chain(rows.iter().map(|(id, u, parent)| {
            vec![
                Arg::I64(*id),
                Arg::Text(u.era.as_str().into()),
                Arg::Text(u.code.clone()),
                Arg::Text(u.name.clone()),
                Arg::Text(fold_vi(&u.name)),
                Arg::Text(u.level.as_str().into()),
                Arg::Text(u.unit_type.clone()),
                parent.map(Arg::I64).unwrap_or(Arg::Null),
                u.valid_from.map(Arg::Date).unwrap_or(Arg::NullDate),
                u.valid_to.map(Arg::Date).unwrap_or(Arg::NullDate),
                u.lat.map(Arg::F64).unwrap_or(Arg::NullF64),
                u.lon.map(Arg::F64).unwrap_or(Arg::NullF64),
            ]
        })),
    )
    .await?;
    insert_batched(
        &mut tx,
        "INSERT INTO admin_unit_links (old_id, new_id, partly) VALUES ",
        "(?, ?, ?)",
        derived
            .successions
            .iter()
            .map(|s| vec![Arg::I64(s.old), Arg::I64(s.new), Arg::Bool(s.partly)]),
    )
    .await?;
    insert_batched(
        &mut tx,
        "INSERT INTO admin_unit_cover (scope_id, unit_id) VALUES ",
        "(?, ?)",
        derived
            .cover
            .iter()
            .map(|(s, u)| vec![Arg::I64(*s), Arg::I64(*u)]),
    )
    .await?;
    tx.commit().await
}

/// Multi-row INSERT in batches (both dialects accept `VALUES (…), (…)`).
pub async fn insert_batched<I>(tx: &mut Tx, head: &str, row: &str, rows: I) -> Result<()>
where
    I: Iterator<Item = Vec<Arg>>,
{
    let per_row = row.matches('?').count().max(1);
    let batch = (8000 / per_row).max(1);
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let mut sql = Sql::new(head);
        let mut first = true;
        for r in rows.by_ref().take(batch) {
            if !first {
                sql.push(", ", []);
            }
            first = false;
            sql.push(row, r);
        }
        // Plain `?` on SQLite: thousands of `$n` are looked up by walking a list.
        let text = sql.text_for(tx.backend());
        with_tx!(tx, |c| {
            bind_args!(sqlx::query(&text), sql.args).execute(c).await?;
        });
    }
    Ok(())
}

/// Resolve a code: as of `day` when given; else the unit in force today, else
/// the last unit that carried the code before the reform (e.g. district "018").
pub async fn resolve(
    db: &Db,
    code: &str,
    day: Option<Date>,
    today: Date,
) -> Result<Option<AdminUnit>> {
    if code == COUNTRY_CODE {
        return by_id(db, COUNTRY_ID).await;
    }
    if let Some(d) = day {
        return by_code(db, code, d).await;
    }
    if let Some(u) = by_code(db, code, today).await? {
        return Ok(Some(u));
    }
    let before = geo::REFORM_DATE.previous_day().unwrap_or(geo::REFORM_DATE);
    by_code(db, code, before).await
}

/// [`rollup`] for many units at once, in a handful of queries: each unit
/// with the unit(s) standing for it on `day` (itself when still in force).
pub async fn rollup_many(
    db: &Db,
    ids: &[i64],
    day: Date,
) -> Result<std::collections::HashMap<i64, (AdminUnit, Vec<AdminUnit>)>> {
    use std::collections::HashMap;
    let mut known: HashMap<i64, AdminUnit> = HashMap::new();
    let load = |ids: Vec<i64>| {
        let mut sql = Sql::new(SELECT_UNIT);
        sql.push(" WHERE u.id IN ", []);
        sql.push_ids(&ids);
        sql
    };
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    for chunk in ids.chunks(500) {
        let sql = load(chunk.to_vec());
        let rows: Vec<AdminUnit> = with_db!(db, |c| crate::bind_args!(
            sqlx::query_as::<_, AdminUnit>(&sql.text),
            sql.args
        )
        .fetch_all(c)
        .await?);
        for u in rows {
            known.insert(u.id, u);
        }
    }
    let mut succ: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut frontier: Vec<i64> = known
        .values()
        .filter(|u| !u.valid_on(day))
        .map(|u| u.id)
        .collect();
    for _ in 0..4 {
        if frontier.is_empty() {
            break;
        }
        let mut next = vec![];
        for chunk in frontier.chunks(500) {
            let mut sql =
                Sql::new("SELECT l.old_id, l.new_id FROM admin_unit_links l WHERE l.old_id IN ");
            sql.push_ids(chunk);
            let links: Vec<(i64, i64)> = with_db!(db, |c| crate::bind_args!(
                sqlx::query_as::<_, (i64, i64)>(&sql.text),
                sql.args
            )
            .fetch_all(c)
            .await?);
            for (o, n) in links {
                succ.entry(o).or_default().push(n);
                if !known.contains_key(&n) {
                    next.push(n);
                }
            }
        }
        next.sort_unstable();
        next.dedup();
        for chunk in next.chunks(500) {
            let sql = load(chunk.to_vec());
            let rows: Vec<AdminUnit> = with_db!(db, |c| crate::bind_args!(
                sqlx::query_as::<_, AdminUnit>(&sql.text),
                sql.args
            )
            .fetch_all(c)
            .await?);
            for u in rows {
                known.insert(u.id, u);
            }
        }
        frontier = next
            .into_iter()
            .filter(|id| known.get(id).is_some_and(|u| !u.valid_on(day)))
            .collect();
    }
    let mut out = HashMap::new();
    for id in ids {
        let Some(start) = known.get(id).cloned() else {
            continue;
        };
        let now = geo::rollup(
            *id,
            day,
            |u| {
                known.get(&u).map(|x| geo::Validity {
                    valid_from: x.valid_from,
                    valid_to: x.valid_to,
                })
            },
            |u| succ.get(&u).cloned().unwrap_or_default(),
        );
        let units = now
            .into_iter()
            .filter_map(|i| known.get(&i).cloned())
            .collect();
        out.insert(*id, (start, units));
    }
    Ok(out)
}

/// A unit with the names of its parents, as pickers show it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct UnitChoice {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub unit: AdminUnit,
    /// The parent's name (none for provinces).
    pub parent_name: Option<String>,
    /// The grandparent's name (the province of an old commune).
    pub grandparent_name: Option<String>,
}

impl UnitChoice {
    /// Parent names, nearest first.
    pub fn parents(&self) -> Vec<String> {
        [&self.parent_name, &self.grandparent_name]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

const SELECT_CHOICE: &str =
    "SELECT u.id, u.code, u.name, u.level, u.unit_type, p.code AS parent_code, \
     u.valid_from, u.valid_to, u.era, u.parent_id, u.lat, u.lon, \
     CASE WHEN p.level = 'country' THEN NULL ELSE p.name END AS parent_name, \
     CASE WHEN g.level = 'country' THEN NULL ELSE g.name END AS grandparent_name \
     FROM admin_units u LEFT JOIN admin_units p ON p.id = u.parent_id \
     LEFT JOIN admin_units g ON g.id = p.parent_id";

/// Units matching the filter (as [`list`]) with their parents' names. Units
/// whose name is `key` (after a kind word) come first, then those starting
/// with it, then the rest; larger units and today's structure before others.
pub async fn choices(db: &Db, f: &UnitFilter, key: &str) -> Result<(Vec<UnitChoice>, i64)> {
    let mut sql = filter_sql(SELECT_CHOICE, f);
    let k = crate::like_escape(key);
    sql.push(
        " ORDER BY CASE WHEN u.name_folded = ? OR u.name_folded LIKE ? ESCAPE '\\' THEN 0 \
         WHEN u.name_folded LIKE ? ESCAPE '\\' OR u.name_folded LIKE ? ESCAPE '\\' THEN 1 ELSE 2 END, \
         CASE u.level WHEN 'province' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, \
         CASE WHEN u.valid_to IS NULL THEN 0 ELSE 1 END, u.name_folded, u.code LIMIT ? OFFSET ?",
        [
            Arg::Text(key.to_string()),
            Arg::Text(format!("% {k}")),
            Arg::Text(format!("{k}%")),
            Arg::Text(format!("% {k}%")),
            Arg::I64(f.limit),
            Arg::I64(f.offset),
        ],
    );
    let count = filter_sql("SELECT COUNT(*) FROM admin_units u", f);
    crate::fetch_page::<UnitChoice>(db, &sql, &count).await
}

/// Units whose folded name is `key` or ends with " `key`" (a kind word
/// before it), of a level and valid on a day when given; at most 200.
/// The caller decides which of them was meant ([`langnghe_core::place::pick`]).
pub async fn by_place_key(
    db: &Db,
    key: &str,
    level: Option<Level>,
    day: Option<Date>,
) -> Result<Vec<UnitChoice>> {
    let mut sql = Sql::new(SELECT_CHOICE);
    sql.push(
        " WHERE u.level <> 'country' AND (u.name_folded = ? OR u.name_folded LIKE ? ESCAPE '\\')",
        [
            Arg::Text(key.to_string()),
            Arg::Text(format!("% {}", crate::like_escape(key))),
        ],
    );
    if let Some(l) = level {
        sql.push(" AND u.level = ?", [Arg::Text(l.as_str().into())]);
    }
    if let Some(d) = day {
        push_valid_on(&mut sql, d);
    }
    sql.push(" ORDER BY u.level, u.code LIMIT 200", []);
    Ok(with_db!(db, |c| bind_args!(
        sqlx::query_as::<_, UnitChoice>(&sql.text),
        sql.args
    )
    .fetch_all(c)
    .await?))
}

/// One unit by id with its parents' names.
pub async fn choice_by_id(db: &Db, id: i64) -> Result<Option<UnitChoice>> {
    let mut sql = Sql::new(SELECT_CHOICE);
    sql.push(" WHERE u.id = ?", [Arg::I64(id)]);
    crate::fetch_optional::<UnitChoice>(db, &sql).await
}
