//! Registry records (documents, crafts, villages, establishments, artisans,
//! products, environment assessments), read and written generically from
//! their spec (`spec.rs`), always inside a user's admin-unit scope, audited,
//! and kept in one search index.

pub mod import;
pub mod search;
pub mod spec;

use crate::audit::{self, Actor, AuditAction};
use crate::write::{Expected, Write};
use crate::{bind_args, with_db, with_tx, Arg, Backend, Db, Result, Sql, StoreError, Tx};
use serde_json::{json, Map, Value};
use spec::{Entity, Field, Kind};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

/// A record as the API and pages show it.
pub type Record = Map<String, Value>;

/// A validated value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    I64(i64),
    F64(f64),
    Text(String),
    Date(time::Date),
    Bool(bool),
    Ids(Vec<i64>),
}

/// Validated values by field key (for `Unit` fields the key holds the unit id).
pub type Values = BTreeMap<&'static str, Val>;

#[derive(Debug, Clone, Copy)]
enum Col {
    I64,
    F64,
    Text,
    Bool,
    Date,
    Time,
}

fn col_type(k: Kind) -> Col {
    match k {
        Kind::Int { .. } | Kind::Money | Kind::Year | Kind::Unit | Kind::Ref(_) | Kind::Agency => {
            Col::I64
        }
        Kind::Decimal { .. } => Col::F64,
        Kind::Date => Col::Date,
        Kind::Bool => Col::Bool,
        Kind::Text { .. } | Kind::LongText | Kind::Enum(_) | Kind::TaxCode | Kind::DocNumber => {
            Col::Text
        }
        Kind::Refs(_) => Col::I64,
    }
}

/// Columns of the main SELECT, with how to decode them.
struct Select {
    sql: String,
    cols: Vec<(String, Col)>,
}

fn select(e: Entity) -> Select {
    let mut cols: Vec<(String, Col)> = vec![("id".into(), Col::I64)];
    let mut exprs = vec!["t.id".to_string()];
    let mut joins = String::new();
    for (i, fl) in e.fields().iter().enumerate() {
        match fl.kind {
            Kind::Refs(_) => {}
            Kind::Unit => {
                exprs.push("t.admin_unit_id".into());
                cols.push(("admin_unit_id".into(), Col::I64));
                exprs.push("u.code AS admin_unit_code".into());
                cols.push(("admin_unit_code".into(), Col::Text));
                exprs.push("u.name AS admin_unit_name".into());
                cols.push(("admin_unit_name".into(), Col::Text));
                joins.push_str(" LEFT JOIN admin_units u ON u.id = t.admin_unit_id");
            }
            Kind::Agency => {
                exprs.push(format!("t.{}", fl.key));
                cols.push((fl.key.to_string(), Col::I64));
                let alias = format!("r{i}");
                joins.push_str(&format!(
                    " LEFT JOIN agencies {alias} ON {alias}.id = t.{}",
                    fl.key
                ));
                exprs.push(format!("{alias}.name AS {}_label", fl.key));
                cols.push((format!("{}_label", fl.key), Col::Text));
            }
            Kind::Ref(target) => {
                exprs.push(format!("t.{}", fl.key));
                cols.push((fl.key.to_string(), Col::I64));
                let alias = format!("r{i}");
                joins.push_str(&format!(
                    " LEFT JOIN {} {alias} ON {alias}.id = t.{}",
                    target.table(),
                    fl.key
                ));
                exprs.push(format!("{} AS {}_label", target.label_expr(&alias), fl.key));
                cols.push((format!("{}_label", fl.key), Col::Text));
            }
            k => {
                exprs.push(format!("t.{}", fl.key));
                cols.push((fl.key.to_string(), col_type(k)));
            }
        }
    }
    if e == Entity::Document {
        // The attached file: its name, type and size (the bytes are fetched on their own).
        exprs.push("t.file_name".into());
        cols.push(("file_name".into(), Col::Text));
        exprs.push("t.file_type".into());
        cols.push(("file_type".into(), Col::Text));
        exprs.push("CAST(LENGTH(t.file_bytes) AS BIGINT) AS file_size".into());
        cols.push(("file_size".into(), Col::I64));
    }
    // Changes name the version they were based on (no lost update).
    exprs.push("t.version".into());
    cols.push(("version".into(), Col::I64));
    for c in ["created_at", "updated_at"] {
        exprs.push(format!("t.{c}"));
        cols.push((c.into(), Col::Time));
    }
    Select {
        sql: format!("SELECT {} FROM {} t{joins}", exprs.join(", "), e.table()),
        cols,
    }
}

/// Decode rows of either driver into JSON records (expanded once per driver).
macro_rules! decode_rows {
    ($rows:expr, $cols:expr) => {{
        use sqlx::Row as _;
        let mut out = Vec::with_capacity($rows.len());
        for row in $rows.iter() {
            let mut m = Map::new();
            for (name, col) in $cols.iter() {
                let v = match col {
                    Col::I64 => row
                        .try_get::<Option<i64>, _>(name.as_str())?
                        .map(Value::from),
                    Col::F64 => row
                        .try_get::<Option<f64>, _>(name.as_str())?
                        .map(Value::from),
                    Col::Text => row
                        .try_get::<Option<String>, _>(name.as_str())?
                        .map(Value::from),
                    Col::Bool => row
                        .try_get::<Option<bool>, _>(name.as_str())?
                        .map(Value::from),
                    Col::Date => row
                        .try_get::<Option<time::Date>, _>(name.as_str())?
                        .map(|d| Value::from(d.to_string())),
                    Col::Time => row
                        .try_get::<Option<OffsetDateTime>, _>(name.as_str())?
                        .and_then(|t| {
                            t.format(&time::format_description::well_known::Rfc3339)
                                .ok()
                        })
                        .map(Value::from),
                };
                m.insert(name.clone(), v.unwrap_or(Value::Null));
            }
            out.push(m);
        }
        out
    }};
}

async fn fetch_records(db: &Db, sql: &Sql, cols: &[(String, Col)]) -> Result<Vec<Record>> {
    Ok(with_db!(db, |c| {
        let rows = bind_args!(sqlx::query(&sql.text), sql.args)
            .fetch_all(c)
            .await?;
        decode_rows!(rows, cols)
    }))
}

/// Attach the many-to-many references (a village's crafts) to records.
async fn attach_refs(db: &Db, e: Entity, records: &mut [Record]) -> Result<()> {
    if e != Entity::Village || records.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = records
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_i64))
        .collect();
    let mut sql = Sql::new("SELECT vc.village_id, c.id, c.name FROM village_crafts vc JOIN crafts c ON c.id = vc.craft_id WHERE vc.village_id IN ");
    sql.push_ids(&ids);
    sql.push(" ORDER BY c.name", []);
    let rows: Vec<(i64, i64, String)> =
        with_db!(db, |c| bind_args!(sqlx::query_as(&sql.text), sql.args)
            .fetch_all(c)
            .await?);
    let mut by: BTreeMap<i64, Vec<Value>> = BTreeMap::new();
    for (vid, cid, name) in rows {
        by.entry(vid)
            .or_default()
            .push(json!({"id": cid, "name": name}));
    }
    for r in records.iter_mut() {
        let id = r.get("id").and_then(Value::as_i64).unwrap_or(0);
        r.insert(
            "crafts".into(),
            Value::Array(by.remove(&id).unwrap_or_default()),
        );
    }
    Ok(())
}

/// Which records a scope reaches: those whose unit lies within it (and, for
/// entities whose unit is optional, also those with no unit).
fn push_scope(sql: &mut Sql, e: Entity, scope_id: i64) {
    if scope_id == crate::geo::COUNTRY_ID {
        // The whole country covers every unit: no condition to evaluate.
        return;
    }
    if e.unit_required() {
        sql.push(
            " AND t.admin_unit_id IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = ?)",
            [Arg::I64(scope_id)],
        );
    } else {
        sql.push(
            " AND (t.admin_unit_id IS NULL OR t.admin_unit_id IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = ?))",
            [Arg::I64(scope_id)],
        );
    }
}

/// Filters computed from the legal rules (dates come from the caller's "today").
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Special {
    /// Products whose OCOP certificate expired before this date.
    OcopExpired { today: time::Date },
    /// Products whose certificate expires from `today` up to `until`.
    OcopExpiring {
        today: time::Date,
        until: time::Date,
    },
    /// Villages with no environment assessment on or after `since`.
    EnvironmentOverdue { since: time::Date },
}

/// A list request: scope, filters, search text, sort and page.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub entity: Entity,
    pub scope_id: i64,
    /// Only records within this admin unit (any level, either structure).
    pub within_unit: Option<i64>,
    /// Exact filters on enum, bool, year or text fields: (field key, value).
    pub eq: Vec<(&'static str, Val)>,
    /// Villages whose crafts belong to this Decree 52 group.
    pub craft_group: Option<String>,
    pub q: Option<String>,
    /// Conditions the legal rules define over dates.
    pub special: Vec<Special>,
    pub sort: &'static str,
    pub desc: bool,
    pub limit: i64,
    pub offset: i64,
    /// Keyset paging: the rows after this one (in place of `offset`).
    pub after: Option<crate::cursor::Cursor>,
}

impl ListQuery {
    pub fn new(entity: Entity, scope_id: i64) -> ListQuery {
        ListQuery {
            entity,
            scope_id,
            within_unit: None,
            eq: vec![],
            craft_group: None,
            q: None,
            special: vec![],
            sort: "name",
            desc: false,
            limit: 50,
            offset: 0,
            after: None,
        }
    }
}

fn val_arg(v: &Val) -> Arg {
    match v {
        Val::Null => Arg::NullText,
        Val::I64(i) => Arg::I64(*i),
        Val::F64(x) => Arg::F64(*x),
        Val::Text(s) => Arg::Text(s.clone()),
        Val::Date(d) => Arg::Date(*d),
        Val::Bool(b) => Arg::Bool(*b),
        Val::Ids(_) => Arg::NullText,
    }
}

fn filtered(db: &Db, select_sql: &str, q: &ListQuery) -> Sql {
    let e = q.entity;
    let mut sql = Sql::new(select_sql);
    sql.push(" WHERE 1 = 1", []);
    push_scope(&mut sql, e, q.scope_id);
    if let Some(u) = q.within_unit {
        sql.push(
            " AND t.admin_unit_id IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = ?)",
            [Arg::I64(u)],
        );
    }
    for (key, v) in &q.eq {
        if let Some(col) = e.field(key).and_then(|f| f.column()) {
            match v {
                Val::Null => {
                    sql.push(&format!(" AND t.{col} IS NULL"), []);
                }
                Val::Text(s) if e.field(key).and_then(folded_column).is_some() => {
                    // Free-text filters (ethnic group) match part of the text, folded.
                    sql.push(
                        &format!(" AND t.{col}_folded LIKE ? ESCAPE '\\'"),
                        [Arg::Text(format!(
                            "%{}%",
                            crate::like_escape(&langnghe_core::text::fold_vi(s))
                        ))],
                    );
                }
                other => {
                    sql.push(&format!(" AND t.{col} = ?"), [val_arg(other)]);
                }
            }
        }
    }
    if let (Some(g), Entity::Village) = (&q.craft_group, e) {
        sql.push(
            " AND EXISTS (SELECT 1 FROM village_crafts vc JOIN crafts c ON c.id = vc.craft_id WHERE vc.village_id = t.id AND c.craft_group = ?)",
            [Arg::Text(g.clone())],
        );
    }
    for sp in &q.special {
        match (sp, e) {
            (Special::OcopExpired { today }, Entity::Product) => {
                sql.push(" AND t.ocop_expires_on < ?", [Arg::Date(*today)]);
            }
            (Special::OcopExpiring { today, until }, Entity::Product) => {
                sql.push(
                    " AND t.ocop_expires_on >= ? AND t.ocop_expires_on <= ?",
                    [Arg::Date(*today), Arg::Date(*until)],
                );
            }
            (Special::EnvironmentOverdue { since }, Entity::Village) => {
                sql.push(
                    " AND NOT EXISTS (SELECT 1 FROM environment_assessments ea WHERE ea.village_id = t.id AND ea.assessed_on >= ?)",
                    [Arg::Date(*since)],
                );
            }
            _ => {}
        }
    }
    if let Some(text) = &q.q {
        search::push_match(&mut sql, db.backend(), e, text);
    }
    sql
}

pub async fn list(db: &Db, q: &ListQuery) -> Result<(Vec<Record>, i64)> {
    let (items, total, _) = list_page(db, q).await?;
    Ok((items, total))
}

/// How a list is ordered: the column, how its values are bound, whether it may be NULL.
struct Order {
    col: String,
    ty: Col,
    nullable: bool,
}

fn order(e: Entity, sort: &str) -> Order {
    match e.field(sort) {
        Some(Field {
            kind: Kind::Unit, ..
        }) => Order {
            col: "u.code".into(),
            ty: Col::Text,
            nullable: !e.unit_required(),
        },
        Some(fl) if fl.sort => Order {
            col: format!("t.{}", fl.column().unwrap_or("id")),
            ty: col_type(fl.kind),
            nullable: !fl.required,
        },
        _ => Order {
            col: format!("t.{}", e.label_column()),
            ty: e
                .field(e.label_column())
                .map(|f| col_type(f.kind))
                .unwrap_or(Col::Text),
            nullable: true,
        },
    }
}

/// The sort a cursor names: `name`, or `-name` when descending.
fn sort_key(q: &ListQuery) -> String {
    format!("{}{}", if q.desc { "-" } else { "" }, q.sort)
}

/// The cursor's sort value bound as the column's type; `None` when it does not fit.
fn cursor_arg(ty: Col, v: &Value) -> Option<Arg> {
    Some(match ty {
        Col::I64 => Arg::I64(v.as_i64()?),
        Col::F64 => Arg::F64(v.as_f64()?),
        Col::Text => Arg::Text(v.as_str()?.to_string()),
        Col::Bool => Arg::Bool(v.as_bool()?),
        Col::Date => Arg::Date(
            time::Date::parse(
                v.as_str()?,
                &time::format_description::well_known::Iso8601::DATE,
            )
            .ok()?,
        ),
        Col::Time => return None,
    })
}

/// Does the cursor of this query belong to its sort (and hold a value of the right type)?
pub fn cursor_fits(q: &ListQuery) -> bool {
    match &q.after {
        None => true,
        Some(c) => {
            let o = order(q.entity, q.sort);
            c.sort == sort_key(q)
                && (c.value.is_null() && o.nullable || cursor_arg(o.ty, &c.value).is_some())
        }
    }
}

/// One page of a list, its total, and the cursor of the page after it (`None` on the last).
/// With `after`, the page starts after that row (keyset: as fast deep as on page 1).
pub async fn list_page(
    db: &Db,
    q: &ListQuery,
) -> Result<(Vec<Record>, i64, Option<crate::cursor::Cursor>)> {
    let e = q.entity;
    let sel = select(e);
    let mut sql = filtered(db, &sel.sql, q);
    let o = order(e, q.sort);
    let col = &o.col;
    let dir = if q.desc { "DESC" } else { "ASC" };
    let cmp = if q.desc { "<" } else { ">" };
    if let Some(c) = &q.after {
        if !cursor_fits(q) {
            return Err(StoreError::Invalid("after".into()));
        }
        match cursor_arg(o.ty, &c.value) {
            // NULLs come last: after a NULL only NULLs with a greater id.
            None => {
                sql.push(
                    &format!(" AND {col} IS NULL AND t.id > ?"),
                    [Arg::I64(c.id)],
                );
            }
            // Ascending on a column that is never NULL: a row-value comparison,
            // which both stores answer as a range of the (column, id) index.
            Some(v) if !q.desc && !o.nullable => {
                sql.push(&format!(" AND ({col}, t.id) > (?, ?)"), [v, Arg::I64(c.id)]);
            }
            Some(v) => {
                let nulls = if o.nullable {
                    format!(" OR {col} IS NULL")
                } else {
                    String::new()
                };
                sql.push(
                    &format!(" AND ({col} {cmp} ? OR ({col} = ? AND t.id > ?){nulls})"),
                    [v.clone(), v, Arg::I64(c.id)],
                );
            }
        }
    }
    if o.nullable {
        // NULLs last in both dialects.
        sql.push(
            &format!(" ORDER BY CASE WHEN {col} IS NULL THEN 1 ELSE 0 END, {col} {dir}, t.id"),
            [],
        );
    } else {
        // A column that is never NULL orders by itself, so its index serves the page.
        sql.push(&format!(" ORDER BY {col} {dir}, t.id"), []);
    }
    let offset = if q.after.is_some() { 0 } else { q.offset };
    // One row more than the page says whether there is a next one.
    sql.push(
        " LIMIT ? OFFSET ?",
        [Arg::I64(q.limit + 1), Arg::I64(offset)],
    );
    let count = filtered(db, &format!("SELECT COUNT(*) FROM {} t", e.table()), q);
    let mut items = fetch_records(db, &sql, &sel.cols).await?;
    let total: i64 = with_db!(db, |c| bind_args!(
        sqlx::query_scalar(&count.text),
        count.args
    )
    .fetch_one(c)
    .await?);
    let more = items.len() as i64 > q.limit;
    items.truncate(q.limit.max(0) as usize);
    let next = match items.last() {
        Some(last) if more => Some(crate::cursor::Cursor {
            sort: sort_key(q),
            value: last
                .get(sort_value_key(e, q.sort))
                .cloned()
                .unwrap_or(Value::Null),
            id: last.get("id").and_then(Value::as_i64).unwrap_or(0),
        }),
        _ => None,
    };
    attach_refs(db, e, &mut items).await?;
    Ok((items, total, next))
}

/// The record key holding the value a list is sorted by.
fn sort_value_key(e: Entity, sort: &str) -> &'static str {
    match e.field(sort) {
        Some(Field {
            kind: Kind::Unit, ..
        }) => "admin_unit_code",
        Some(fl) if fl.sort => fl.key,
        _ => e.label_column(),
    }
}

/// One record if it exists inside the scope (`None` otherwise: existence does not leak).
pub async fn get(db: &Db, e: Entity, scope_id: i64, id: i64) -> Result<Option<Record>> {
    let sel = select(e);
    let mut sql = Sql::new(&sel.sql);
    sql.push(" WHERE t.id = ?", [Arg::I64(id)]);
    push_scope(&mut sql, e, scope_id);
    let mut rows = fetch_records(db, &sql, &sel.cols).await?;
    attach_refs(db, e, &mut rows).await?;
    Ok(rows.pop())
}

async fn get_tx(tx: &mut Tx, e: Entity, id: i64) -> Result<Record> {
    let sel = select(e);
    let mut sql = Sql::new(&sel.sql);
    sql.push(" WHERE t.id = ?", [Arg::I64(id)]);
    let cols = &sel.cols;
    let mut rows: Vec<Record> = with_tx!(tx, |c| {
        let rows = bind_args!(sqlx::query(&sql.text), sql.args)
            .fetch_all(&mut *c)
            .await?;
        decode_rows!(rows, cols)
    });
    let mut rec = rows.pop().ok_or(StoreError::NotFound)?;
    if e == Entity::Village {
        let crafts: Vec<(i64, String)> = with_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT c.id, c.name FROM village_crafts vc JOIN crafts c ON c.id = vc.craft_id WHERE vc.village_id = $1 ORDER BY c.name"
        )
        .bind(id)
        .fetch_all(c)
        .await?
        });
        rec.insert(
            "crafts".into(),
            Value::Array(
                crafts
                    .into_iter()
                    .map(|(id, name)| json!({"id": id, "name": name}))
                    .collect(),
            ),
        );
    }
    Ok(rec)
}

/// The folded shadow column of a free-text filter field (case, diacritics, đ ignored).
fn folded_column(fl: &Field) -> Option<String> {
    (fl.filter && matches!(fl.kind, Kind::Text { .. })).then(|| format!("{}_folded", fl.key))
}

fn write_columns(e: Entity, values: &Values) -> Vec<(String, Arg)> {
    let mut out = vec![];
    for fl in e.fields() {
        let Some(col) = fl.column() else { continue };
        let Some(v) = values.get(fl.key) else {
            continue;
        };
        if let Some(fc) = folded_column(fl) {
            let folded = match v {
                Val::Text(s) => Arg::Text(langnghe_core::text::fold_vi(s)),
                _ => Arg::NullText,
            };
            out.push((fc, folded));
        }
        let col = col.to_string();
        let arg = match (v, col_type(fl.kind)) {
            (Val::Null, Col::I64) => Arg::Null,
            (Val::Null, Col::F64) => Arg::NullF64,
            (Val::Null, Col::Date) => Arg::NullDate,
            (Val::Null, Col::Bool) => Arg::NullBool,
            (Val::Null, _) => Arg::NullText,
            (v, _) => val_arg(v),
        };
        out.push((col, arg));
    }
    out
}

/// Insert one record with its references, search entry and audit row, inside `tx`.
pub async fn insert_tx(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    e: Entity,
    key: Option<&str>,
    values: &Values,
) -> Result<Record> {
    let now = OffsetDateTime::now_utc();
    let cols = write_columns(e, values);
    let mut sql = Sql::new(&format!("INSERT INTO {} (", e.table()));
    let names: Vec<&str> = cols.iter().map(|(c, _)| c.as_str()).collect();
    sql.push(&names.join(", "), []);
    sql.push(", key, created_at, updated_at) VALUES (", []);
    for (i, (_, a)) in cols.into_iter().enumerate() {
        sql.push(if i == 0 { "?" } else { ", ?" }, [a]);
    }
    sql.push(
        ", ?, ?, ?) RETURNING id",
        [
            key.map(|k| Arg::Text(k.into())).unwrap_or(Arg::NullText),
            Arg::Time(now),
            Arg::Time(now),
        ],
    );
    let id: i64 = with_tx!(tx, |c| bind_args!(sqlx::query_scalar(&sql.text), sql.args)
        .fetch_one(c)
        .await
        .map_err(|err| StoreError::from(err).on_unique(unique_what(e)))?);
    write_refs(tx, e, id, values, true).await?;
    let rec = get_tx(tx, e, id).await?;
    search::index_tx(tx, backend, e, &rec).await?;
    audit::record::<(), _>(
        tx,
        actor,
        AuditAction::Create,
        e.audit_entity(),
        &id.to_string(),
        None,
        Some(&rec),
    )
    .await?;
    Ok(rec)
}

fn unique_what(e: Entity) -> &'static str {
    match e {
        Entity::Establishment => "tax_code",
        Entity::Document => "number",
        // The key is made from the name (and place): a duplicate is the name again.
        _ => "name",
    }
}

/// A village's crafts as given; `new`: the village was just inserted, so it
/// has none to remove.
async fn write_refs(tx: &mut Tx, e: Entity, id: i64, values: &Values, new: bool) -> Result<()> {
    if e != Entity::Village {
        return Ok(());
    }
    let Some(Val::Ids(ids)) = values.get("crafts") else {
        return Ok(());
    };
    if !new {
        with_tx!(tx, |c| sqlx::query(
            "DELETE FROM village_crafts WHERE village_id = $1"
        )
        .bind(id)
        .execute(c)
        .await?
        .rows_affected());
    }
    let mut ids = ids.clone();
    ids.sort_unstable();
    ids.dedup();
    for cid in ids {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO village_crafts (village_id, craft_id) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(cid)
        .execute(c)
        .await?
        .rows_affected());
    }
    Ok(())
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    e: Entity,
    key: Option<&str>,
    values: &Values,
) -> Result<Record> {
    let mut w = db.write(actor).await?;
    let rec = insert_tx(w.tx(), db.backend(), actor, e, key, values).await?;
    w.commit().await?;
    Ok(rec)
}

/// Change a record that is at version `expected` (when given): only the fields
/// given; the audit row has the exact before and after. `Stale` when someone
/// changed it in between, `NotFound` when there is no such record.
pub async fn update(
    db: &Db,
    actor: &Actor,
    e: Entity,
    id: i64,
    expected: Expected,
    values: &Values,
) -> Result<Record> {
    let mut w = db.write(actor).await?;
    let after = update_in(&mut w, db.backend(), e, id, expected, values).await?;
    w.commit().await?;
    Ok(after)
}

/// [`update`] inside a write that may change other records too.
pub async fn update_in(
    w: &mut Write<'_>,
    backend: Backend,
    e: Entity,
    id: i64,
    expected: Expected,
    values: &Values,
) -> Result<Record> {
    let now = OffsetDateTime::now_utc();
    w.lock(e.table(), id, expected).await?;
    let before = get_tx(w.tx(), e, id).await?;
    let cols = write_columns(e, values);
    let mut sql = Sql::new(&format!("UPDATE {} SET ", e.table()));
    for (col, a) in cols {
        sql.push(&format!("{col} = ?, "), [a]);
    }
    sql.push(
        "updated_at = ?, version = version + 1 WHERE id = ?",
        [Arg::Time(now), Arg::I64(id)],
    );
    with_tx!(w.tx(), |c| bind_args!(sqlx::query(&sql.text), sql.args)
        .execute(c)
        .await
        .map_err(|err| StoreError::from(err).on_unique(unique_what(e)))?
        .rows_affected());
    write_refs(w.tx(), e, id, values, false).await?;
    let after = get_tx(w.tx(), e, id).await?;
    search::index_tx(w.tx(), backend, e, &after).await?;
    w.audit(
        AuditAction::Update,
        e.audit_entity(),
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Insert many records in one write: all or nothing. `progress(n)` after each
/// batch. Rows go in multi-row INSERTs (as many as the store binds at once), then
/// their crafts, search entries and audit rows (one `create` row per record,
/// with the record as stored, as a single insert writes) in bulk too.
pub async fn insert_all<F: FnMut(usize)>(
    db: &Db,
    actor: &Actor,
    e: Entity,
    rows: &[Values],
    mut progress: F,
) -> Result<usize> {
    let backend = db.backend();
    // Microseconds, as both stores keep them: the records built in memory then
    // carry exactly the time a read gives back.
    let now = OffsetDateTime::now_utc();
    let now = now
        .replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
        .unwrap_or(now);
    let now_text = now
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|err| StoreError::Data(err.to_string()))?;
    let mut w = db.write(actor).await?;
    let cache = import::enlarge_cache(w.tx()).await?;
    let written: Result<()> = async {
        let mut start = 0;
        // The search entries and audit rows of the batch before, not written yet.
        let mut pending: Option<Derived> = None;
        while start < rows.len() {
            // A batch is rows with the same columns (a spreadsheet's rows all have them).
            let cols = import::bulk_cols(e, &rows[start]);
            let cap = import::batch_rows(backend, cols.len());
            let mut end = start + 1;
            while end < rows.len() && end - start < cap && import::same_cols(e, &cols, &rows[end]) {
                end += 1;
            }
            let batch = &rows[start..end];
            let names: Vec<String> = cols.iter().map(|c| c.name.clone()).collect();
            let returned = import::insert_rows(w.tx(), e, &cols, batch, now).await?;
            let ids: Vec<i64> = returned.iter().map(|(id, _)| *id).collect();
            if ids.len() != batch.len() {
                return Err(StoreError::Data(format!(
                    "{} rows inserted, {} ids returned",
                    batch.len(),
                    ids.len()
                )));
            }
            if e == Entity::Village {
                import::insert_crafts(w.tx(), &ids, batch).await?;
            }
            // The records as stored, built from the values just written (and the
            // labels of what they refer to) rather than read back: the same JSON a
            // read answers. A batch that leaves a column to its default is read back.
            // They are built (search texts, audit after-images) while the store
            // writes the previous batch's search entries and audit rows: the two
            // run on two threads (this one and the store's), one batch apart.
            let before = pending.take();
            let ready = if covers_all_columns(e, &names) {
                let labels = batch_labels(w.tx(), e, batch).await?;
                let (written, ready) = tokio::join!(
                    write_derived(w.tx(), backend, actor, e, before),
                    derive(e, &labels, &returned, batch, &now_text),
                );
                written?;
                ready
            } else {
                write_derived(w.tx(), backend, actor, e, before).await?;
                let recs = get_many_tx(w.tx(), e, &ids).await?;
                Derived::of(e, &recs)
            };
            pending = Some(ready);
            start = end;
            progress(start);
        }
        write_derived(w.tx(), backend, actor, e, pending.take()).await
    }
    .await;
    // The cache goes back to its size on failure too (the rollback drops the rest).
    let restored = import::restore_cache(w.tx(), cache).await;
    written?;
    restored?;
    w.commit().await?;
    Ok(rows.len())
}

/// What a batch of new records adds beside their rows: search entries and one
/// audit `create` row each (the record as a read gives it).
struct Derived {
    entries: search::Entries,
    ids: Vec<String>,
    afters: Vec<Option<String>>,
}

impl Derived {
    fn of(e: Entity, recs: &[Record]) -> Derived {
        let mut d = Derived {
            entries: search::Entries::default(),
            ids: Vec::with_capacity(recs.len()),
            afters: Vec::with_capacity(recs.len()),
        };
        d.add(e, recs);
        d
    }

    fn add(&mut self, e: Entity, recs: &[Record]) {
        self.entries.extend(e, recs);
        for r in recs {
            self.ids
                .push(r.get("id").and_then(Value::as_i64).unwrap_or(0).to_string());
            self.afters.push(serde_json::to_string(r).ok());
        }
    }
}

/// Build a batch's records and what they add, a few hundred at a time, giving
/// the thread back in between so the statements of the batch before go out
/// to the store as soon as it is ready for them.
async fn derive(
    e: Entity,
    labels: &Labels,
    returned: &[(i64, i64)],
    rows: &[Values],
    now_text: &str,
) -> Derived {
    const STEP: usize = 250;
    let mut d = Derived::of(e, &[]);
    for (ret, chunk) in returned.chunks(STEP).zip(rows.chunks(STEP)) {
        let recs = build_records(e, labels, ret, chunk, now_text);
        d.add(e, &recs);
        tokio::task::yield_now().await;
    }
    d
}

/// Write the search entries and audit rows of a batch (nothing for `None`).
async fn write_derived(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    e: Entity,
    d: Option<Derived>,
) -> Result<()> {
    let Some(d) = d else { return Ok(()) };
    search::write_entries(tx, backend, e, &d.entries).await?;
    audit::record_many_json(
        tx,
        actor,
        AuditAction::Create,
        e.audit_entity(),
        &d.ids,
        &d.afters,
    )
    .await
}

/// Does a batch with these write columns set every column of the entity (so no
/// column is left to its default)?
fn covers_all_columns(e: Entity, names: &[String]) -> bool {
    e.fields()
        .iter()
        .filter_map(|fl| fl.column())
        .all(|col| names.iter().any(|n| n == col))
}

/// A validated value as a read decodes it from its column.
fn val_json(v: &Val) -> Value {
    match v {
        Val::Null | Val::Ids(_) => Value::Null,
        Val::I64(i) => Value::from(*i),
        Val::F64(x) => Value::from(*x),
        Val::Text(s) => Value::from(s.as_str()),
        Val::Date(d) => Value::from(d.to_string()),
        Val::Bool(b) => Value::from(*b),
    }
}

/// `id → label columns` of the rows of `table` with these ids, in one query per
/// 5.000 ids (`label_exprs` over alias `a`), in the order of `order_by` if given.
async fn labels_by_id(
    tx: &mut Tx,
    table: &str,
    label_exprs: &[String],
    ids: &BTreeSet<i64>,
    order_by: Option<&str>,
) -> Result<Vec<(i64, Vec<Option<String>>)>> {
    let ids: Vec<i64> = ids.iter().copied().collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(5_000) {
        let mut sql = Sql::new(&format!(
            "SELECT a.id, {} FROM {table} a WHERE a.id IN ",
            label_exprs.join(", ")
        ));
        sql.push_ids(chunk);
        if let Some(o) = order_by {
            sql.push(&format!(" ORDER BY {o}"), []);
        }
        let n = label_exprs.len();
        let sql_text = sql.text_for(tx.backend());
        let rows: Vec<(i64, Vec<Option<String>>)> = with_tx!(tx, |c| {
            use sqlx::Row as _;
            let rows = bind_args!(sqlx::query(&sql_text), sql.args)
                .fetch_all(&mut *c)
                .await?;
            let mut v = Vec::with_capacity(rows.len());
            for row in rows.iter() {
                let id: i64 = row.try_get(0)?;
                let mut labels = Vec::with_capacity(n);
                for i in 0..n {
                    labels.push(row.try_get::<Option<String>, _>(i + 1)?);
                }
                v.push((id, labels));
            }
            v
        });
        out.extend(rows);
    }
    Ok(out)
}

/// The labels a batch's records show: per field, referenced id → label
/// columns; and each craft's name and rank in the store's own ORDER BY name.
struct Labels {
    by_field: BTreeMap<&'static str, BTreeMap<i64, Vec<Option<String>>>>,
    crafts: BTreeMap<i64, (usize, String)>,
}

/// One query per kind of label over the distinct ids of the batch.
async fn batch_labels(tx: &mut Tx, e: Entity, rows: &[Values]) -> Result<Labels> {
    // Distinct referenced ids per field that shows a label.
    let mut labels: BTreeMap<&'static str, BTreeMap<i64, Vec<Option<String>>>> = BTreeMap::new();
    for fl in e.fields() {
        let (table, exprs): (String, Vec<String>) = match fl.kind {
            Kind::Unit => ("admin_units".into(), vec!["a.code".into(), "a.name".into()]),
            Kind::Agency => ("agencies".into(), vec!["a.name".into()]),
            Kind::Ref(target) => (target.table().into(), vec![target.label_expr("a")]),
            _ => continue,
        };
        let ids: BTreeSet<i64> = rows
            .iter()
            .filter_map(|v| match v.get(fl.key) {
                Some(Val::I64(id)) => Some(*id),
                _ => None,
            })
            .collect();
        let found = labels_by_id(tx, &table, &exprs, &ids, None).await?;
        labels.insert(fl.key, found.into_iter().collect());
    }
    // Crafts: their names, and their rank in the store's own ORDER BY name.
    let mut crafts: BTreeMap<i64, (usize, String)> = BTreeMap::new();
    if e == Entity::Village {
        let ids: BTreeSet<i64> = rows
            .iter()
            .filter_map(|v| match v.get("crafts") {
                Some(Val::Ids(cs)) => Some(cs.iter().copied()),
                _ => None,
            })
            .flatten()
            .collect();
        let found = labels_by_id(tx, "crafts", &["a.name".into()], &ids, Some("a.name")).await?;
        for (rank, (id, mut names)) in found.into_iter().enumerate() {
            let name = names.pop().flatten().unwrap_or_default();
            crafts.insert(id, (rank, name));
        }
    }
    Ok(Labels {
        by_field: labels,
        crafts,
    })
}

/// The records of freshly inserted rows (`(id, version)` in the order of
/// `rows`) as [`get_many_tx`] would read them, built from the values written
/// and the batch's [`Labels`].
fn build_records(
    e: Entity,
    labels: &Labels,
    returned: &[(i64, i64)],
    rows: &[Values],
    now_text: &str,
) -> Vec<Record> {
    let crafts = &labels.crafts;
    let labels = &labels.by_field;
    let label = |key: &str, id: Option<&Val>, i: usize| -> Value {
        let Some(Val::I64(id)) = id else {
            return Value::Null;
        };
        labels
            .get(key)
            .and_then(|m| m.get(id))
            .and_then(|l| l.get(i).cloned().flatten())
            .map(Value::from)
            .unwrap_or(Value::Null)
    };
    let mut out = Vec::with_capacity(rows.len());
    for ((id, version), values) in returned.iter().zip(rows) {
        let mut m = Map::new();
        m.insert("id".into(), Value::from(*id));
        for fl in e.fields() {
            let v = values.get(fl.key);
            let json = || v.map(val_json).unwrap_or(Value::Null);
            match fl.kind {
                Kind::Refs(_) => {}
                Kind::Unit => {
                    m.insert("admin_unit_id".into(), json());
                    m.insert("admin_unit_code".into(), label(fl.key, v, 0));
                    m.insert("admin_unit_name".into(), label(fl.key, v, 1));
                }
                Kind::Agency | Kind::Ref(_) => {
                    m.insert(fl.key.to_string(), json());
                    m.insert(format!("{}_label", fl.key), label(fl.key, v, 0));
                }
                _ => {
                    m.insert(fl.key.to_string(), json());
                }
            }
        }
        if e == Entity::Document {
            for k in ["file_name", "file_type", "file_size"] {
                m.insert(k.into(), Value::Null);
            }
        }
        m.insert("version".into(), Value::from(*version));
        m.insert("created_at".into(), Value::from(now_text));
        m.insert("updated_at".into(), Value::from(now_text));
        if e == Entity::Village {
            let mut cs: Vec<(usize, i64, &str)> = match values.get("crafts") {
                Some(Val::Ids(cs)) => cs
                    .iter()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .filter_map(|c| crafts.get(c).map(|(rank, name)| (*rank, *c, name.as_str())))
                    .collect(),
                _ => vec![],
            };
            cs.sort_unstable();
            m.insert(
                "crafts".into(),
                Value::Array(
                    cs.into_iter()
                        .map(|(_, id, name)| json!({"id": id, "name": name}))
                        .collect(),
                ),
            );
        }
        out.push(m);
    }
    out
}

/// Records by id inside a transaction (in id order), with a village's crafts.
async fn get_many_tx(tx: &mut Tx, e: Entity, ids: &[i64]) -> Result<Vec<Record>> {
    let sel = select(e);
    let mut out: Vec<Record> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(5_000) {
        let mut sql = Sql::new(&sel.sql);
        sql.push(" WHERE t.id IN ", []);
        sql.push_ids(chunk);
        sql.push(" ORDER BY t.id", []);
        let cols = &sel.cols;
        let sql_text = sql.text_for(tx.backend());
        let mut recs: Vec<Record> = with_tx!(tx, |c| {
            let rows = bind_args!(sqlx::query(&sql_text), sql.args)
                .fetch_all(&mut *c)
                .await?;
            decode_rows!(rows, cols)
        });
        if e == Entity::Village {
            let mut q = Sql::new("SELECT vc.village_id, c.id, c.name FROM village_crafts vc JOIN crafts c ON c.id = vc.craft_id WHERE vc.village_id IN ");
            q.push_ids(chunk);
            q.push(" ORDER BY c.name", []);
            let q_text = q.text_for(tx.backend());
            let rows: Vec<(i64, i64, String)> =
                with_tx!(tx, |c| bind_args!(sqlx::query_as(&q_text), q.args)
                    .fetch_all(c)
                    .await?);
            let mut by: BTreeMap<i64, Vec<Value>> = BTreeMap::new();
            for (vid, cid, name) in rows {
                by.entry(vid)
                    .or_default()
                    .push(json!({"id": cid, "name": name}));
            }
            for r in recs.iter_mut() {
                let id = r.get("id").and_then(Value::as_i64).unwrap_or(0);
                r.insert(
                    "crafts".into(),
                    Value::Array(by.remove(&id).unwrap_or_default()),
                );
            }
        }
        out.append(&mut recs);
    }
    Ok(out)
}

/// (id, label) of records inside a scope, for select boxes and for matching names in imports.
pub async fn options(db: &Db, e: Entity, scope_id: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    let label = e.label_expr("t");
    let mut sql = Sql::new(&format!(
        "SELECT t.id, {label} FROM {} t WHERE 1 = 1",
        e.table()
    ));
    push_scope(&mut sql, e, scope_id);
    sql.push(&format!(" ORDER BY {label} LIMIT ?"), [Arg::I64(limit)]);
    Ok(with_db!(db, |c| bind_args!(
        sqlx::query_as(&sql.text),
        sql.args
    )
    .fetch_all(c)
    .await?))
}

/// Is the record with this id visible in the scope?
pub async fn visible(db: &Db, e: Entity, scope_id: i64, id: i64) -> Result<bool> {
    let mut sql = Sql::new(&format!("SELECT COUNT(*) FROM {} t WHERE 1 = 1", e.table()));
    sql.push(" AND t.id = ?", [Arg::I64(id)]);
    push_scope(&mut sql, e, scope_id);
    let n: i64 = with_db!(db, |c| bind_args!(sqlx::query_scalar(&sql.text), sql.args)
        .fetch_one(c)
        .await?);
    Ok(n > 0)
}

/// The id of a record by its key (demo data).
pub async fn id_by_key(db: &Db, e: Entity, key: &str) -> Result<Option<i64>> {
    let sql = format!("SELECT id FROM {} WHERE key = $1", e.table());
    Ok(with_db!(db, |c| sqlx::query_scalar(&sql)
        .bind(key)
        .fetch_optional(c)
        .await?))
}

pub async fn count(db: &Db, e: Entity) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {}", e.table());
    Ok(with_db!(db, |c| sqlx::query_scalar(&sql)
        .fetch_one(c)
        .await?))
}

/// Attach (or replace) the file of a legal document; audited with its name and size.
pub async fn set_document_file(
    db: &Db,
    actor: &Actor,
    id: i64,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<Record> {
    let now = OffsetDateTime::now_utc();
    let mut w = db.write(actor).await?;
    w.lock(Entity::Document.table(), id, None).await?;
    let before = get_tx(w.tx(), Entity::Document, id).await?;
    with_tx!(w.tx(), |c| {
        sqlx::query(
        "UPDATE legal_documents SET file_name = $1, file_type = $2, file_bytes = $3, updated_at = $4, version = version + 1 WHERE id = $5"
    )
    .bind(name)
    .bind(content_type)
    .bind(bytes)
    .bind(now)
    .bind(id)
    .execute(c)
    .await?
    .rows_affected()
    });
    let after = get_tx(w.tx(), Entity::Document, id).await?;
    w.finish(
        AuditAction::AttachFile,
        Entity::Document.audit_entity(),
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// The attached file of a document visible in the scope: (name, content type, bytes).
pub async fn document_file(
    db: &Db,
    scope_id: i64,
    id: i64,
) -> Result<Option<(String, String, Vec<u8>)>> {
    if !visible(db, Entity::Document, scope_id, id).await? {
        return Ok(None);
    }
    type FileRow = (Option<String>, Option<String>, Option<Vec<u8>>);
    let row: Option<FileRow> = with_db!(db, |c| sqlx::query_as(
        "SELECT file_name, file_type, file_bytes FROM legal_documents WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await?);
    Ok(match row {
        Some((Some(n), Some(t), Some(b))) => Some((n, t, b)),
        _ => None,
    })
}

/// The legal document with this number (the first one, if several dates share it).
pub async fn document_by_number(db: &Db, number: &str) -> Result<Option<i64>> {
    Ok(with_db!(db, |c| sqlx::query_scalar(
        "SELECT id FROM legal_documents WHERE number = $1 ORDER BY id LIMIT 1"
    )
    .bind(number)
    .fetch_optional(c)
    .await?))
}
