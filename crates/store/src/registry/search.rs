//! One search box over the registry: the application folds text (case,
//! diacritics, đ → d) into the index; SQLite matches with FTS5 (bm25 ranking),
//! PostgreSQL with a `simple` tsvector and GIN (ts_rank). Terms are alphanumeric
//! only (`core::text::search_terms`), so no query syntax can be injected.

use super::spec::{Entity, Kind};
use super::Record;
use crate::{bind_args, with_db, with_tx, Arg, Backend, Db, Result, Sql, Tx};
use langnghe_core::text::{fold_vi, search_terms};
use serde::Serialize;
use serde_json::Value;

/// The name and the other searchable text of a record, folded.
pub fn texts(e: Entity, rec: &Record) -> (String, String) {
    let s = |k: &str| rec.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut name = s(e.label_column());
    if name.is_empty() {
        name = s("title");
    }
    let mut other = vec![];
    for f in e.fields() {
        if !f.search || f.key == e.label_column() {
            continue;
        }
        match f.kind {
            Kind::Refs(_) => {
                if let Some(items) = rec.get(f.key).and_then(Value::as_array) {
                    for it in items {
                        other.push(
                            it.get("name")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string(),
                        );
                    }
                }
            }
            _ => other.push(s(f.key)),
        }
    }
    // Where it is: the unit's name helps ("gom bat trang").
    other.push(s("admin_unit_name"));
    (fold_vi(&name), fold_vi(&other.join(" ")))
}

/// The SQLite FTS rowid of a record: its id and its kind together.
fn fts_rowid(e: Entity, id: i64) -> i64 {
    let k = Entity::ALL.iter().position(|x| *x == e).unwrap_or(0) as i64;
    id * 16 + k
}

/// Replace the index entry of a record.
pub async fn index_tx(tx: &mut Tx, backend: Backend, e: Entity, rec: &Record) -> Result<()> {
    let id = rec.get("id").and_then(Value::as_i64).unwrap_or(0);
    let unit = rec.get("admin_unit_id").and_then(Value::as_i64);
    let (name, other) = texts(e, rec);
    match backend {
        Backend::Sqlite => {
            // The FTS rowid encodes (kind, id): replacing an entry is a rowid lookup,
            // not a scan of the index (which made bulk imports quadratic).
            let rowid = fts_rowid(e, id);
            with_tx!(tx, |c| sqlx::query(
                "DELETE FROM search_fts WHERE rowid = $1"
            )
            .bind(rowid)
            .execute(&mut *c)
            .await?
            .rows_affected());
            with_tx!(tx, |c| {
                sqlx::query(
                "INSERT INTO search_fts (rowid, name_folded, other_folded, kind, entity_id, admin_unit_id) VALUES ($1, $2, $3, $4, $5, $6)"
            )
            .bind(rowid)
            .bind(&name)
            .bind(&other)
            .bind(e.kind())
            .bind(id)
            .bind(unit)
            .execute(c)
            .await?
            .rows_affected()
            });
        }
        Backend::Postgres => {
            with_tx!(tx, |c| {
                sqlx::query(
                "INSERT INTO search_index (kind, entity_id, admin_unit_id, name_folded, other_folded) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (kind, entity_id) DO UPDATE SET admin_unit_id = excluded.admin_unit_id, \
                 name_folded = excluded.name_folded, other_folded = excluded.other_folded"
            )
            .bind(e.kind())
            .bind(id)
            .bind(unit)
            .bind(&name)
            .bind(&other)
            .execute(c)
            .await?
            .rows_affected()
            });
        }
    }
    Ok(())
}

/// Index freshly inserted records in bulk (an import). SQLite: multi-row
/// statements of plain `?` (6 values a row, under its 32.766); PostgreSQL: one
/// `INSERT … SELECT … FROM UNNEST` of one array per column.
pub async fn index_many(tx: &mut Tx, backend: Backend, e: Entity, recs: &[Record]) -> Result<()> {
    let mut entries = Entries::default();
    entries.extend(e, recs);
    write_entries(tx, backend, e, &entries).await
}

/// The search entries of records, built apart from writing them (an import
/// builds one batch's while the store writes the batch before).
#[derive(Debug, Default)]
pub struct Entries {
    ids: Vec<i64>,
    units: Vec<Option<i64>>,
    names: Vec<String>,
    others: Vec<String>,
}

impl Entries {
    /// Add the entries of `recs`.
    pub fn extend(&mut self, e: Entity, recs: &[Record]) {
        for r in recs {
            self.ids
                .push(r.get("id").and_then(Value::as_i64).unwrap_or(0));
            self.units
                .push(r.get("admin_unit_id").and_then(Value::as_i64));
            let (name, other) = texts(e, r);
            self.names.push(name);
            self.others.push(other);
        }
    }
}

/// Write (or replace) the entries inside the transaction.
pub async fn write_entries(tx: &mut Tx, backend: Backend, e: Entity, en: &Entries) -> Result<()> {
    if en.ids.is_empty() {
        return Ok(());
    }
    let (ids, units, names, others) = (&en.ids, &en.units, &en.names, &en.others);
    match (tx, backend) {
        (Tx::Sqlite(t), _) => {
            let rowids: Vec<i64> = ids.iter().map(|id| fts_rowid(e, *id)).collect();
            for start in (0..ids.len()).step_by(5_000) {
                let end = (start + 5_000).min(ids.len());
                // A rowid could only be taken by an entry left behind: replace it.
                let mut del = String::from("DELETE FROM search_fts WHERE rowid IN (");
                let mut ins = String::from(
                    "INSERT INTO search_fts (rowid, name_folded, other_folded, kind, entity_id, admin_unit_id) VALUES ",
                );
                for i in start..end {
                    let first = i == start;
                    del.push_str(if first { "?" } else { ", ?" });
                    ins.push_str(if first {
                        "(?, ?, ?, ?, ?, ?)"
                    } else {
                        ", (?, ?, ?, ?, ?, ?)"
                    });
                }
                del.push(')');
                let mut q = sqlx::query(&del);
                for r in &rowids[start..end] {
                    q = q.bind(*r);
                }
                q.execute(&mut **t).await?;
                let mut q = sqlx::query(&ins);
                for i in start..end {
                    q = q
                        .bind(rowids[i])
                        .bind(names[i].as_str())
                        .bind(others[i].as_str())
                        .bind(e.kind())
                        .bind(ids[i])
                        .bind(units[i]);
                }
                q.execute(&mut **t).await?;
            }
        }
        (Tx::Pg(t), _) => {
            sqlx::query(
                "INSERT INTO search_index (kind, entity_id, admin_unit_id, name_folded, other_folded) \
                 SELECT $1, u.id, u.unit, u.name, u.other \
                 FROM UNNEST($2::bigint[], $3::bigint[], $4::text[], $5::text[]) AS u(id, unit, name, other) \
                 ON CONFLICT (kind, entity_id) DO UPDATE SET admin_unit_id = excluded.admin_unit_id, \
                 name_folded = excluded.name_folded, other_folded = excluded.other_folded",
            )
            .bind(e.kind())
            .bind(ids)
            .bind(units)
            .bind(names)
            .bind(others)
            .execute(&mut **t)
            .await?;
        }
    }
    Ok(())
}

/// The dialect's query text for these terms (prefix match on every term).
fn match_expr(backend: Backend, terms: &[String]) -> String {
    match backend {
        Backend::Sqlite => terms
            .iter()
            .map(|t| format!("\"{t}\"*"))
            .collect::<Vec<_>>()
            .join(" AND "),
        Backend::Postgres => terms
            .iter()
            .map(|t| format!("{t}:*"))
            .collect::<Vec<_>>()
            .join(" & "),
    }
}

/// Restrict a list to records matching the search text.
pub fn push_match(sql: &mut Sql, backend: Backend, e: Entity, q: &str) {
    let terms = search_terms(q);
    if terms.is_empty() {
        if !q.trim().is_empty() {
            sql.push(" AND 1 = 0", []);
        }
        return;
    }
    let expr = match_expr(backend, &terms);
    match backend {
        Backend::Sqlite => sql.push(
            " AND t.id IN (SELECT entity_id FROM search_fts WHERE search_fts MATCH ? AND kind = ?)",
            [Arg::Text(expr), Arg::Text(e.kind().into())],
        ),
        Backend::Postgres => sql.push(
            " AND t.id IN (SELECT entity_id FROM search_index WHERE kind = ? AND doc @@ to_tsquery('simple', ?))",
            [Arg::Text(e.kind().into()), Arg::Text(expr)],
        ),
    };
}

/// A search hit; the API answers `web::registry::api::HitView`.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub kind: String,
    pub id: i64,
    pub name: String,
    /// The name with matches wrapped in `<mark>` (HTML-escaped otherwise).
    pub highlighted: String,
    pub rank: f64,
}

#[derive(sqlx::FromRow)]
struct HitRow {
    kind: String,
    entity_id: i64,
    rank: f64,
}

/// Search every registry kind inside a scope, best first. Returns hits and the total count.
pub async fn search(
    db: &Db,
    scope_id: i64,
    q: &str,
    kinds: &[Entity],
    limit: i64,
    offset: i64,
) -> Result<(Vec<Hit>, i64)> {
    let terms = search_terms(q);
    if terms.is_empty() {
        return Ok((vec![], 0));
    }
    let expr = match_expr(db.backend(), &terms);
    let kind_list: Vec<Arg> = kinds.iter().map(|k| Arg::Text(k.kind().into())).collect();
    let placeholders = vec!["?"; kind_list.len().max(1)].join(", ");
    // The whole country covers every unit: skip the condition (still bind the id, as `? = ?`).
    let scope = if scope_id == crate::geo::COUNTRY_ID {
        "(? > 0)"
    } else {
        "(admin_unit_id IS NULL OR admin_unit_id IN (SELECT unit_id FROM admin_unit_cover WHERE scope_id = ?))"
    };
    let (mut sql, mut count) = match db.backend() {
        Backend::Sqlite => {
            let from = format!(" FROM search_fts WHERE search_fts MATCH ? AND kind IN ({placeholders}) AND {scope}");
            (
                Sql::new(&format!("SELECT kind, CAST(entity_id AS INTEGER) AS entity_id, -bm25(search_fts, 10.0, 1.0) AS rank{from}")),
                Sql::new(&format!("SELECT COUNT(*){from}")),
            )
        }
        Backend::Postgres => {
            let from = format!(" FROM search_index WHERE doc @@ to_tsquery('simple', ?) AND kind IN ({placeholders}) AND {scope}");
            (
                Sql::new(&format!("SELECT kind, entity_id, CAST(ts_rank(doc, to_tsquery('simple', ?)) AS DOUBLE PRECISION) AS rank{from}")),
                Sql::new(&format!("SELECT COUNT(*){from}")),
            )
        }
    };
    // Renumber the `?` placeholders with the arguments, in order.
    let mut args = vec![];
    if db.backend() == Backend::Postgres {
        args.push(Arg::Text(expr.clone()));
    }
    args.push(Arg::Text(expr.clone()));
    args.extend(kind_list.iter().cloned());
    args.push(Arg::I64(scope_id));
    let mut count_args = vec![Arg::Text(expr)];
    count_args.extend(kind_list);
    count_args.push(Arg::I64(scope_id));
    let text = std::mem::take(&mut sql.text);
    sql.push(&text, args);
    sql.push(
        " ORDER BY rank DESC, entity_id LIMIT ? OFFSET ?",
        [Arg::I64(limit), Arg::I64(offset)],
    );
    let ctext = std::mem::take(&mut count.text);
    count.push(&ctext, count_args);
    let (rows, total): (Vec<HitRow>, i64) = with_db!(db, |c| {
        let rows = bind_args!(sqlx::query_as::<_, HitRow>(&sql.text), sql.args)
            .fetch_all(c)
            .await?;
        let total: i64 = bind_args!(sqlx::query_scalar(&count.text), count.args)
            .fetch_one(c)
            .await?;
        (rows, total)
    });
    // One query per kind for the names of the page's hits (not one per hit).
    let mut names: std::collections::HashMap<(Entity, i64), String> =
        std::collections::HashMap::new();
    for e in Entity::ALL {
        let ids: Vec<i64> = rows
            .iter()
            .filter(|r| r.kind == e.kind())
            .map(|r| r.entity_id)
            .collect();
        if !ids.is_empty() {
            for (id, name) in labels(db, e, &ids).await? {
                names.insert((e, id), name);
            }
        }
    }
    let mut hits = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(e) = Entity::from_kind(&r.kind) else {
            continue;
        };
        let name = names.remove(&(e, r.entity_id)).unwrap_or_default();
        hits.push(Hit {
            highlighted: highlight(&name, &terms),
            kind: r.kind,
            id: r.entity_id,
            name,
            rank: r.rank,
        });
    }
    Ok((hits, total))
}

/// (id, name) of the records of one kind with these ids.
async fn labels(db: &Db, e: Entity, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut sql = Sql::new(&format!(
        "SELECT t.id, {} FROM {} t WHERE t.id IN ",
        e.label_expr("t"),
        e.table()
    ));
    sql.push_ids(ids);
    let rows: Vec<(i64, Option<String>)> =
        with_db!(db, |c| bind_args!(sqlx::query_as(&sql.text), sql.args)
            .fetch_all(c)
            .await?);
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, n.unwrap_or_default()))
        .collect())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Wrap the parts of `name` matching any term (compared folded) in `<mark>`.
/// Folding maps each NFC character to at most one character, so positions carry over.
pub fn highlight(name: &str, terms: &[String]) -> String {
    let chars: Vec<char> = langnghe_core::text::nfc(name).chars().collect();
    let folded: Vec<char> = chars
        .iter()
        .map(|c| {
            let f = fold_vi(&c.to_string());
            f.chars()
                .next()
                .unwrap_or(if c.is_whitespace() { ' ' } else { *c })
        })
        .collect();
    let mut marked = vec![false; chars.len()];
    for t in terms {
        let tc: Vec<char> = t.chars().collect();
        if tc.is_empty() || tc.len() > folded.len() {
            continue;
        }
        for start in 0..=(folded.len() - tc.len()) {
            let at_word_start = start == 0 || !folded[start - 1].is_alphanumeric();
            if at_word_start && folded[start..start + tc.len()] == tc[..] {
                for m in marked.iter_mut().skip(start).take(tc.len()) {
                    *m = true;
                }
            }
        }
    }
    let mut out = String::new();
    let mut open = false;
    for (c, m) in chars.iter().zip(marked) {
        if m && !open {
            out.push_str("<mark>");
            open = true;
        }
        if !m && open {
            out.push_str("</mark>");
            open = false;
        }
        out.push_str(&escape(&c.to_string()));
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_folded_prefixes() {
        let t = vec!["bat".to_string(), "tra".to_string()];
        assert_eq!(
            highlight("Làng gốm Bát Tràng", &t),
            "Làng gốm <mark>Bát</mark> <mark>Trà</mark>ng"
        );
        assert_eq!(
            highlight("<b>Bát</b>", &["bat".into()]),
            "&lt;b&gt;<mark>Bát</mark>&lt;/b&gt;"
        );
        assert_eq!(
            highlight("Đồng Kỵ", &["dong".into()]),
            "<mark>Đồng</mark> Kỵ"
        );
    }

    #[test]
    fn match_expressions_are_quoted_prefixes() {
        let t = vec!["bat".to_string(), "trang".to_string()];
        assert_eq!(match_expr(Backend::Sqlite, &t), "\"bat\"* AND \"trang\"*");
        assert_eq!(match_expr(Backend::Postgres, &t), "bat:* & trang:*");
    }
}
