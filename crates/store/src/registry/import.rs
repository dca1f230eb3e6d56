//! The spreadsheet import's bulk paths: what validation reads once up front
//! (the admin units its codes name, and which of them the importer's scope
//! covers: two queries instead of two per distinct code), and the batch
//! INSERTs of `insert_all` (values bound by reference; on PostgreSQL one
//! array per column through `UNNEST`, one statement per batch).

use super::spec::Entity;
use super::{col_type, folded_column, unique_what, Col, Val, Values};
use crate::{with_db, Backend, Db, Result, StoreError, Tx};
use langnghe_core::geo::CodedUnit;
use std::collections::{HashMap, HashSet};
use time::{Date, OffsetDateTime};

/// Every admin unit by code, and the ids of those the scope covers.
pub struct UnitCodes {
    pub by_code: HashMap<String, Vec<CodedUnit>>,
    pub covered: HashSet<i64>,
}

/// All admin units by code (geography is public reference data, ~15.000 rows)
/// and the ids of the units `scope_id` covers (`admin_unit_cover`, as
/// `geo::covers` asks it one unit at a time).
pub async fn unit_codes(db: &Db, scope_id: i64) -> Result<UnitCodes> {
    type Row = (i64, String, String, Option<Date>, Option<Date>);
    let rows: Vec<Row> = with_db!(db, |c| sqlx::query_as(
        "SELECT id, code, level, valid_from, valid_to FROM admin_units"
    )
    .fetch_all(c)
    .await?);
    let covered: Vec<i64> = with_db!(db, |c| sqlx::query_scalar(
        "SELECT unit_id FROM admin_unit_cover WHERE scope_id = $1"
    )
    .bind(scope_id)
    .fetch_all(c)
    .await?);
    let mut by_code: HashMap<String, Vec<CodedUnit>> = HashMap::with_capacity(rows.len());
    for (id, code, level, valid_from, valid_to) in rows {
        by_code.entry(code).or_default().push(CodedUnit {
            id,
            level,
            valid_from,
            valid_to,
        });
    }
    Ok(UnitCodes {
        by_code,
        covered: covered.into_iter().collect(),
    })
}

/// One column of a bulk INSERT: the field it is written from, its type, and
/// whether it is the field's folded shadow column (`ethnic_group_folded`).
pub(super) struct BulkCol {
    pub name: String,
    key: &'static str,
    col: Col,
    folded: bool,
}

/// The columns a row writes, in the order `write_columns` lists them.
pub(super) fn bulk_cols(e: Entity, values: &Values) -> Vec<BulkCol> {
    let mut out = vec![];
    for fl in e.fields() {
        let Some(col) = fl.column() else { continue };
        if !values.contains_key(fl.key) {
            continue;
        }
        if let Some(fc) = folded_column(fl) {
            out.push(BulkCol {
                name: fc,
                key: fl.key,
                col: Col::Text,
                folded: true,
            });
        }
        out.push(BulkCol {
            name: col.to_string(),
            key: fl.key,
            col: col_type(fl.kind),
            folded: false,
        });
    }
    out
}

/// Does `values` write exactly the columns `cols` (a batch shares its columns)?
pub(super) fn same_cols(e: Entity, cols: &[BulkCol], values: &Values) -> bool {
    let mut it = cols.iter().filter(|c| !c.folded);
    for fl in e.fields() {
        if fl.column().is_none() || !values.contains_key(fl.key) {
            continue;
        }
        match it.next() {
            Some(c) if c.key == fl.key => {}
            _ => return false,
        }
    }
    it.next().is_none()
}

/// The folded text of a shadow column (`NULL` when the field is not text).
fn folded(v: Option<&Val>) -> Option<String> {
    match v {
        Some(Val::Text(s)) => Some(langnghe_core::text::fold_vi(s)),
        _ => None,
    }
}

/// Rows per bulk INSERT: SQLite binds at most 32.766 values a statement;
/// PostgreSQL binds one array per column, so its batches are only bounded by
/// memory and by how often the job reports progress.
pub(super) fn batch_rows(backend: Backend, cols: usize) -> usize {
    match backend {
        Backend::Sqlite => (32_000 / (cols + 2)).clamp(1, 5_000),
        Backend::Postgres => 5_000,
    }
}

/// Bind one validated value by reference (a NULL typed as its column).
macro_rules! bind_val {
    ($q:expr, $v:expr, $col:expr) => {
        match $v {
            Some(Val::I64(i)) => $q.bind(*i),
            Some(Val::F64(x)) => $q.bind(*x),
            Some(Val::Text(s)) => $q.bind(s.as_str()),
            Some(Val::Date(d)) => $q.bind(*d),
            Some(Val::Bool(b)) => $q.bind(*b),
            _ => match $col {
                Col::I64 => $q.bind(None::<i64>),
                Col::F64 => $q.bind(None::<f64>),
                Col::Date => $q.bind(None::<Date>),
                Col::Bool => $q.bind(None::<bool>),
                _ => $q.bind(None::<&str>),
            },
        }
    };
}

/// One column of a batch as a PostgreSQL array.
enum PgArray<'a> {
    I64(Vec<Option<i64>>),
    F64(Vec<Option<f64>>),
    Text(Vec<Option<&'a str>>),
    Owned(Vec<Option<String>>),
    Date(Vec<Option<Date>>),
    Bool(Vec<Option<bool>>),
}

impl PgArray<'_> {
    fn sql_type(&self) -> &'static str {
        match self {
            PgArray::I64(_) => "bigint[]",
            PgArray::F64(_) => "double precision[]",
            PgArray::Text(_) | PgArray::Owned(_) => "text[]",
            PgArray::Date(_) => "date[]",
            PgArray::Bool(_) => "boolean[]",
        }
    }
}

fn mismatch(e: Entity, key: &str) -> StoreError {
    StoreError::Data(format!(
        "{}: a value of {key} does not fit its column",
        e.kind()
    ))
}

/// A batch's column `c` as an array (values of another type than the column's
/// are an error, never written as NULL).
fn pg_array<'a>(e: Entity, c: &BulkCol, batch: &'a [Values]) -> Result<PgArray<'a>> {
    let vals = batch.iter().map(|v| v.get(c.key));
    Ok(if c.folded {
        PgArray::Owned(vals.map(folded).collect())
    } else {
        match c.col {
            Col::I64 => PgArray::I64(
                vals.map(|v| match v {
                    Some(Val::I64(i)) => Ok(Some(*i)),
                    None | Some(Val::Null) | Some(Val::Ids(_)) => Ok(None),
                    Some(_) => Err(mismatch(e, c.key)),
                })
                .collect::<Result<_>>()?,
            ),
            Col::F64 => PgArray::F64(
                vals.map(|v| match v {
                    Some(Val::F64(x)) => Ok(Some(*x)),
                    Some(Val::I64(i)) => Ok(Some(*i as f64)),
                    None | Some(Val::Null) | Some(Val::Ids(_)) => Ok(None),
                    Some(_) => Err(mismatch(e, c.key)),
                })
                .collect::<Result<_>>()?,
            ),
            Col::Date => PgArray::Date(
                vals.map(|v| match v {
                    Some(Val::Date(d)) => Ok(Some(*d)),
                    None | Some(Val::Null) | Some(Val::Ids(_)) => Ok(None),
                    Some(_) => Err(mismatch(e, c.key)),
                })
                .collect::<Result<_>>()?,
            ),
            Col::Bool => PgArray::Bool(
                vals.map(|v| match v {
                    Some(Val::Bool(b)) => Ok(Some(*b)),
                    None | Some(Val::Null) | Some(Val::Ids(_)) => Ok(None),
                    Some(_) => Err(mismatch(e, c.key)),
                })
                .collect::<Result<_>>()?,
            ),
            Col::Text | Col::Time => PgArray::Text(
                vals.map(|v| match v {
                    Some(Val::Text(s)) => Ok(Some(s.as_str())),
                    None | Some(Val::Null) | Some(Val::Ids(_)) => Ok(None),
                    Some(_) => Err(mismatch(e, c.key)),
                })
                .collect::<Result<_>>()?,
            ),
        }
    })
}

/// Insert a batch of rows that write the same columns, in one statement;
/// `(id, version)` of each, in the order of `batch`.
///
/// SQLite: `INSERT … VALUES (?, …), (?, …) RETURNING id, version`, the values
/// bound by reference. PostgreSQL: one array per column,
/// `INSERT … SELECT … FROM UNNEST($1::bigint[], $2::text[], …) WITH ORDINALITY
/// … ORDER BY ord RETURNING id, version` — one statement and one parse however
/// many rows. Both stores hand ids out in row order (SQLite: max + 1 under the
/// write lock; PostgreSQL: one sequence called row by row in `ord` order);
/// the result is sorted by id so it matches `batch` whatever order RETURNING
/// lists them in.
pub(super) async fn insert_rows(
    tx: &mut Tx,
    e: Entity,
    cols: &[BulkCol],
    batch: &[Values],
    now: OffsetDateTime,
) -> Result<Vec<(i64, i64)>> {
    let mut names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
    names.extend(["created_at", "updated_at"]);
    let mut returned: Vec<(i64, i64)> = match tx {
        Tx::Sqlite(t) => {
            let marks = format!("({})", vec!["?"; names.len()].join(", "));
            let mut text =
                String::with_capacity(64 + names.len() * 16 + batch.len() * (marks.len() + 2));
            text.push_str(&format!(
                "INSERT INTO {} ({}) VALUES ",
                e.table(),
                names.join(", ")
            ));
            for i in 0..batch.len() {
                if i > 0 {
                    text.push_str(", ");
                }
                text.push_str(&marks);
            }
            text.push_str(" RETURNING id, version");
            let shadows: Vec<Option<String>> = batch
                .iter()
                .flat_map(|v| {
                    cols.iter()
                        .filter(|c| c.folded)
                        .map(|c| folded(v.get(c.key)))
                })
                .collect();
            let mut shadow = shadows.iter();
            let mut q = sqlx::query_as::<_, (i64, i64)>(&text);
            for v in batch {
                for c in cols {
                    q = if c.folded {
                        q.bind(shadow.next().and_then(|s| s.as_deref()))
                    } else {
                        bind_val!(q, v.get(c.key), c.col)
                    };
                }
                q = q.bind(now).bind(now);
            }
            q.fetch_all(&mut **t)
                .await
                .map_err(|err| StoreError::from(err).on_unique(unique_what(e)))?
        }
        Tx::Pg(t) => {
            let arrays: Vec<PgArray> = cols
                .iter()
                .map(|c| pg_array(e, c, batch))
                .collect::<Result<_>>()?;
            let n = arrays.len();
            let unnest: Vec<String> = arrays
                .iter()
                .enumerate()
                .map(|(i, a)| format!("${}::{}", i + 1, a.sql_type()))
                .collect();
            let mut alias: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
            let mut select = alias.clone();
            select.extend([
                format!("${}::timestamptz", n + 1),
                format!("${}::timestamptz", n + 1),
            ]);
            alias.push("ord".into());
            let text = format!(
                "INSERT INTO {} ({}) SELECT {} FROM UNNEST({}) WITH ORDINALITY AS u({}) ORDER BY ord RETURNING id, version",
                e.table(),
                names.join(", "),
                select.join(", "),
                unnest.join(", "),
                alias.join(", ")
            );
            let mut q = sqlx::query_as::<_, (i64, i64)>(&text);
            for a in &arrays {
                q = match a {
                    PgArray::I64(v) => q.bind(v),
                    PgArray::F64(v) => q.bind(v),
                    PgArray::Text(v) => q.bind(v),
                    PgArray::Owned(v) => q.bind(v),
                    PgArray::Date(v) => q.bind(v),
                    PgArray::Bool(v) => q.bind(v),
                };
            }
            q.bind(now)
                .fetch_all(&mut **t)
                .await
                .map_err(|err| StoreError::from(err).on_unique(unique_what(e)))?
        }
    };
    returned.sort_unstable();
    Ok(returned)
}

/// The crafts of freshly inserted villages (`ids` in the order of `rows`).
pub(super) async fn insert_crafts(tx: &mut Tx, ids: &[i64], rows: &[Values]) -> Result<()> {
    let mut villages: Vec<i64> = vec![];
    let mut crafts: Vec<i64> = vec![];
    for (id, v) in ids.iter().zip(rows) {
        if let Some(Val::Ids(cs)) = v.get("crafts") {
            let mut cs = cs.clone();
            cs.sort_unstable();
            cs.dedup();
            villages.extend(std::iter::repeat_n(*id, cs.len()));
            crafts.extend(cs);
        }
    }
    if villages.is_empty() {
        return Ok(());
    }
    match tx {
        Tx::Sqlite(t) => {
            for (vs, cs) in villages.chunks(10_000).zip(crafts.chunks(10_000)) {
                let mut text = String::with_capacity(64 + vs.len() * 8);
                text.push_str("INSERT INTO village_crafts (village_id, craft_id) VALUES ");
                for i in 0..vs.len() {
                    text.push_str(if i == 0 { "(?, ?)" } else { ", (?, ?)" });
                }
                let mut q = sqlx::query(&text);
                for (v, c) in vs.iter().zip(cs) {
                    q = q.bind(*v).bind(*c);
                }
                q.execute(&mut **t).await?;
            }
        }
        Tx::Pg(t) => {
            sqlx::query(
                "INSERT INTO village_crafts (village_id, craft_id) SELECT * FROM UNNEST($1::bigint[], $2::bigint[])",
            )
            .bind(&villages)
            .bind(&crafts)
            .execute(&mut **t)
            .await?;
        }
    }
    Ok(())
}

/// SQLite page cache for the length of an import (KiB, as `PRAGMA cache_size`
/// takes negative numbers): the villages' indexes, the search index and the
/// audit rows of 100.000 records outgrow the default 2 MB many times over, and
/// pages evicted mid-transaction are spilled to the WAL again and again.
const IMPORT_CACHE_KIB: i64 = 128 * 1024;

/// On SQLite, enlarge the connection's page cache for an import; returns the
/// size to restore afterwards (`None` on PostgreSQL).
pub(super) async fn enlarge_cache(tx: &mut Tx) -> Result<Option<i64>> {
    let Tx::Sqlite(t) = tx else {
        return Ok(None);
    };
    let before: i64 = sqlx::query_scalar("PRAGMA cache_size")
        .fetch_one(&mut **t)
        .await?;
    sqlx::query(&format!("PRAGMA cache_size = {}", -IMPORT_CACHE_KIB))
        .execute(&mut **t)
        .await?;
    Ok(Some(before))
}

/// Give the connection its page cache back (before the commit: the dirty pages
/// are written to the WAL once either way).
pub(super) async fn restore_cache(tx: &mut Tx, before: Option<i64>) -> Result<()> {
    if let (Tx::Sqlite(t), Some(n)) = (tx, before) {
        sqlx::query(&format!("PRAGMA cache_size = {n}"))
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}
