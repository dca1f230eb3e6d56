//! Registry pages: list with filters (shareable URL), detail with history,
//! create/edit forms, the village recognition checklist, the search page.

use super::api::{self as regapi, parse_kinds};
use super::{display_value, edit_scope, field_label, field_unit, load, read_scope, RegistryQuery};
use crate::ctx::{self, Ctx};
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, page_offset, Json, Path, Query, PAGE_SIZE};
use crate::i18n::{t, t_args, Lang};
use crate::views::{field_errors, pager, render};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use langnghe_core::registry as rules;
use langnghe_core::registry::CraftGroup;
use langnghe_core::vnfmt;
use langnghe_store::registry::spec::{Entity, Kind};
use langnghe_store::registry::{self as store, ListQuery, Record, Val};
use minijinja::context;
use minijinja::value::Value as MjValue;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tower_sessions::Session;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    let mut r = Router::new()
        .route("/search", get(search_page))
        .route("/registry", get(registry_home));
    for e in Entity::ALL {
        let base = format!("/{}", e.slug());
        r = r
            .route(
                &base,
                get(move |s: State<AppState>, c: Ctx, q: Query<RegistryQuery>| {
                    list_page(e, s, c, q)
                })
                .post(
                    move |s: State<AppState>, c: Ctx, session: Session, body: Bytes| {
                        create_page(e, s, c, session, body)
                    },
                ),
            )
            .route(
                &format!("{base}/new"),
                get(
                    move |s: State<AppState>,
                          c: Ctx,
                          q: Query<std::collections::HashMap<String, String>>| {
                        new_page(e, s, c, q)
                    },
                ),
            )
            .route(
                &format!("{base}/{{id}}"),
                get(move |s: State<AppState>, c: Ctx, p: Path<String>| detail_page(e, s, c, p))
                    .post(
                        move |s: State<AppState>,
                              c: Ctx,
                              session: Session,
                              p: Path<String>,
                              body: Bytes| {
                            update_page(e, s, c, session, p, body)
                        },
                    ),
            )
            .route(
                &format!("{base}/{{id}}/edit"),
                get(move |s: State<AppState>, c: Ctx, p: Path<String>| edit_page(e, s, c, p)),
            );
    }
    r.route(
        "/villages/{id}/recognition",
        axum::routing::post(recognition_page),
    )
}

fn title(lang: Lang, e: Entity) -> String {
    t(lang, &format!("entity-{}-plural", e.kind()))
}

fn singular(lang: Lang, e: Entity) -> String {
    t(lang, &format!("entity-{}", e.kind()))
}

/// Filter controls a list page offers, with their options.
fn filters(lang: Lang, e: Entity, q: &RegistryQuery) -> Vec<MjValue> {
    let mut out = vec![];
    let sel = |key: &str, label: String, options: Vec<(String, String)>, value: &Option<String>| {
        context! { key => key, label => label, options => options, value => value.clone().unwrap_or_default() }
    };
    let enum_opts = |field: &str, values: &[&str]| -> Vec<(String, String)> {
        values
            .iter()
            .map(|v| (v.to_string(), t(lang, &super::validate::enum_key(field, v))))
            .collect()
    };
    use langnghe_store::registry::spec::*;
    let yes_no = || -> Vec<(String, String)> {
        vec![
            ("true".into(), t(lang, "yes")),
            ("false".into(), t(lang, "no")),
        ]
    };
    match e {
        Entity::Village => {
            out.push(sel(
                "status",
                field_label(lang, e, "status"),
                enum_opts("status", VILLAGE_STATUSES),
                &q.status,
            ));
            out.push(sel(
                "craft_group",
                field_label(lang, e, "craft_group"),
                enum_opts("craft_group", &CraftGroup::TEXTS),
                &q.craft_group,
            ));
            out.push(sel(
                "environment_class",
                field_label(lang, e, "environment_class"),
                enum_opts("environment_class", ENVIRONMENT_CLASSES),
                &q.environment_class,
            ));
            out.push(sel(
                "environment_overdue",
                t(lang, "filter-environment-overdue"),
                vec![("true".into(), t(lang, "yes"))],
                &q.environment_overdue,
            ));
            out.push(sel(
                "tourism",
                field_label(lang, e, "tourism"),
                yes_no(),
                &q.tourism,
            ));
        }
        Entity::Craft => {
            out.push(sel(
                "craft_group",
                field_label(lang, e, "craft_group"),
                enum_opts("craft_group", &CraftGroup::TEXTS),
                &q.craft_group,
            ));
            out.push(sel(
                "traditional",
                field_label(lang, e, "is_traditional"),
                yes_no(),
                &q.traditional,
            ));
        }
        Entity::Establishment => out.push(sel(
            "kind",
            field_label(lang, e, "kind"),
            enum_opts("kind", ESTABLISHMENT_KINDS),
            &q.kind,
        )),
        Entity::Artisan => out.push(sel(
            "title",
            field_label(lang, e, "title"),
            enum_opts("title", ARTISAN_TITLES),
            &q.title,
        )),
        Entity::Product => {
            out.push(sel(
                "ocop_stars",
                field_label(lang, e, "ocop_stars"),
                enum_opts("ocop_stars", OCOP_STARS),
                &q.ocop_stars,
            ));
            out.push(sel(
                "ocop_status",
                t(lang, "filter-ocop-status"),
                vec![
                    ("expiring".into(), t(lang, "ocop-expiring")),
                    ("expired".into(), t(lang, "ocop-expired")),
                ],
                &q.ocop_status,
            ));
        }
        Entity::Assessment => out.push(sel(
            "classification",
            field_label(lang, e, "classification"),
            enum_opts("classification", ENVIRONMENT_CLASSES),
            &q.classification,
        )),
        Entity::Document => {}
    }
    out
}

fn list_columns(lang: Lang, e: Entity) -> Vec<MjValue> {
    e.fields()
        .iter()
        .filter(|f| f.list)
        .map(|f| {
            let mut label = field_label(lang, e, f.key);
            if let Some(u) = field_unit(lang, f) {
                label = format!("{label} ({u})");
            }
            context! {
                key => f.key,
                label => label,
                num => matches!(f.kind, Kind::Int { .. } | Kind::Money | Kind::Decimal { .. }),
                sort => f.sort,
            }
        })
        .collect()
}

/// A record's fields as label/value pairs (display strings) plus link targets.
fn display(lang: Lang, e: Entity, rec: &Record, only_list: bool) -> Vec<MjValue> {
    e.fields()
        .iter()
        .filter(|f| !only_list || f.list)
        .map(|f| {
            let link = match f.kind {
                Kind::Ref(target) => rec
                    .get(f.key)
                    .and_then(Value::as_i64)
                    .map(|id| format!("/{}/{id}", target.slug())),
                Kind::Unit => rec
                    .get("admin_unit_code")
                    .and_then(Value::as_str)
                    .map(|c| format!("/admin-units/{c}?as_of=2025-06-30")),
                _ => None,
            };
            let links: Vec<(String, String)> = match f.kind {
                Kind::Refs(target) => rec
                    .get(f.key)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .map(|x| {
                                (
                                    format!(
                                        "/{}/{}",
                                        target.slug(),
                                        x.get("id").and_then(Value::as_i64).unwrap_or(0)
                                    ),
                                    x.get("name")
                                        .and_then(Value::as_str)
                                        .unwrap_or("")
                                        .to_string(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => vec![],
            };
            let value = display_value(lang, f, rec);
            let cite = match f.kind {
                Kind::Text { .. } | Kind::LongText => citation_pieces(lang, &value),
                _ => None,
            };
            context! {
                key => f.key,
                label => field_label(lang, e, f.key),
                cite => cite,
                value => value,
                unit => field_unit(lang, f),
                num => matches!(f.kind, Kind::Int { .. } | Kind::Money | Kind::Decimal { .. }),
                link => link,
                links => links,
            }
        })
        .collect()
}

/// A value that shows nothing in a list cell.
fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    }
}

/// A seed document's citation: "Kế hoạch 316/KH-UBND, mục II.2.a, II.3.c".
pub fn citation(lang: Lang, seed: u16, sections: &[String]) -> String {
    let doc = t(lang, &format!("cite-doc-{seed:03}"));
    let (appendix, secs): (Vec<&String>, Vec<&String>) =
        sections.iter().partition(|s| s.as_str() == "PB01");
    let mut parts = vec![doc];
    if !secs.is_empty() {
        let list: Vec<&str> = secs.iter().map(|s| s.as_str()).collect();
        parts.push(t_args(
            lang,
            "cite-section",
            &[("section", list.join(", "))],
        ));
    }
    if !appendix.is_empty() {
        parts.push(t(lang, "cite-appendix"));
    }
    parts.join(", ")
}

/// A text with its seed references replaced by their citations (plain text).
fn cite_plain(lang: Lang, text: &str) -> String {
    match citation_pieces(lang, text) {
        None => text.to_string(),
        Some(pieces) => pieces
            .iter()
            .map(|p| {
                p.get_attr("cite")
                    .ok()
                    .filter(|v| !v.is_none())
                    .or_else(|| p.get_attr("text").ok())
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .unwrap_or_default()
            })
            .collect(),
    }
}

/// A text holding seed references (`Nguồn: 003:86`) as pieces: plain text and
/// citations with their raw form; `None` when it cites nothing.
fn citation_pieces(lang: Lang, text: &str) -> Option<Vec<MjValue>> {
    use langnghe_core::cite::{group, segments, Segment};
    let segs = segments(text);
    if !segs.iter().any(|s| matches!(s, Segment::Refs(_))) {
        return None;
    }
    let source_word = format!("{}: ", t(lang, "cite-source"));
    Some(
        segs.into_iter()
            .map(|s| match s {
                Segment::Text(t) => {
                    // The seed loader wrote "Nguồn: " before its references.
                    let t = match t.strip_suffix("Nguồn: ") {
                        Some(head) => format!("{head}{source_word}"),
                        None => t,
                    };
                    context! { text => t, cite => None::<String>, raw => None::<String> }
                }
                Segment::Refs(refs) => {
                    let label = group(&refs)
                        .into_iter()
                        .map(|(seed, secs)| citation(lang, seed, &secs))
                        .collect::<Vec<_>>()
                        .join("; ");
                    let raw = refs.iter().map(|r| r.raw()).collect::<Vec<_>>().join(",");
                    context! { text => None::<String>, cite => label, raw => raw }
                }
            })
            .collect(),
    )
}

/// Which list columns a page shows: those with a value in some row in view,
/// unless `cols=` names them (the first column always).
struct ColumnChoice {
    keys: Vec<&'static str>,
    shown: Vec<bool>,
    /// Empty in every row in view.
    empty: Vec<bool>,
}

impl ColumnChoice {
    fn of(e: Entity, items: &[Record], q: &RegistryQuery) -> Self {
        let list_fields: Vec<_> = e.fields().iter().filter(|f| f.list).collect();
        let keys: Vec<&'static str> = list_fields.iter().map(|f| f.key).collect();
        let empty: Vec<bool> = list_fields
            .iter()
            .map(|f| {
                let k = if f.kind == Kind::Unit {
                    "admin_unit_code"
                } else {
                    f.key
                };
                !items.is_empty() && items.iter().all(|r| is_blank(r.get(k)))
            })
            .collect();
        let chosen: Option<Vec<String>> = non_empty(&q.cols).map(|c| {
            c.split(',')
                .map(|k| k.trim().to_string())
                .filter(|k| keys.contains(&k.as_str()))
                .collect()
        });
        let shown: Vec<bool> = keys
            .iter()
            .enumerate()
            .map(|(j, k)| match &chosen {
                _ if j == 0 => true,
                Some(c) => c.iter().any(|x| x == k),
                None => !empty[j],
            })
            .collect();
        ColumnChoice { keys, shown, empty }
    }

    /// Columns hidden because they are empty in every row in view.
    fn hidden_empty(&self) -> usize {
        self.shown
            .iter()
            .zip(&self.empty)
            .filter(|(s, e)| !**s && **e)
            .count()
    }

    /// The rows in view, their shown cells only.
    fn rows(&self, lang: Lang, e: Entity, items: &[Record]) -> Vec<MjValue> {
        items
            .iter()
            .map(|r| {
                let cells: Vec<MjValue> = display(lang, e, r, true)
                    .into_iter()
                    .zip(&self.shown)
                    .filter(|(_, s)| **s)
                    .map(|(c, _)| c)
                    .collect();
                context! { id => r.get("id").and_then(Value::as_i64), cells => cells }
            })
            .collect()
    }

    /// The shown column headers, and the chooser: a link per column (but the
    /// first) that toggles it, keeping every other choice.
    fn headers(
        &self,
        lang: Lang,
        e: Entity,
        q: &RegistryQuery,
        sort: &str,
    ) -> (Vec<MjValue>, Vec<MjValue>) {
        let all_columns = list_columns(lang, e);
        let base_no_cols = q.to_query_string(&["sort", "cols"]);
        let chooser: Vec<MjValue> = all_columns
            .iter()
            .zip(self.keys.iter().zip(&self.shown).zip(&self.empty))
            .skip(1)
            .map(|(c, ((k, s), empty))| {
                let next: Vec<&str> = self
                    .keys
                    .iter()
                    .zip(&self.shown)
                    .filter(|(k2, s2)| if *k2 == k { !*s } else { **s2 })
                    .map(|(k2, _)| *k2)
                    .collect();
                let href = format!(
                    "?{base_no_cols}&{}",
                    serde_urlencoded::to_string([("sort", sort), ("cols", &next.join(","))])
                        .unwrap_or_default()
                );
                context! { label => c.get_attr("label").ok(), shown => *s, empty => *empty, href => href }
            })
            .collect();
        let columns: Vec<MjValue> = all_columns
            .into_iter()
            .zip(&self.shown)
            .filter(|(_, s)| **s)
            .map(|(c, _)| c)
            .collect();
        (columns, chooser)
    }
}

async fn list_page(
    e: Entity,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RegistryQuery>,
) -> AppResult<Response> {
    if non_empty(&q.format).is_some() {
        return regapi::list(&state, &ctx, e, &q).await;
    }
    let scope = read_scope(&ctx)?;
    let (page, offset) = page_offset(q.page);
    let fallback = || {
        let mut lq = ListQuery::new(e, scope);
        lq.sort = e.fields()[0].key;
        (lq, None)
    };
    let parsed = super::list_query_unit(&state, ctx.lang, scope, e, &q).await;
    let ((mut lq, unit_choice), errors) = crate::common::or_fallback(parsed, fallback)?;
    let unit_id = unit_choice.as_ref().map(|u| u.id);
    let unit_label = crate::places::unit_label(&state.db, ctx.lang, unit_id).await?;
    lq.limit = PAGE_SIZE;
    lq.offset = offset;
    let (items, total, next) = store::list_page(&state.db, &lq).await?;
    let cols = ColumnChoice::of(e, &items, &q);
    let sort = non_empty(&q.sort).unwrap_or_else(|| e.default_sort().to_string());
    let (columns, chooser) = cols.headers(ctx.lang, e, &q, &sort);
    let page_ctx = context! {
        title => title(ctx.lang, e),
        entity => e.kind(),
        slug => e.slug(),
        singular => singular(ctx.lang, e),
        columns => columns,
        chooser => chooser,
        hidden_empty => cols.hidden_empty(),
        rows => cols.rows(ctx.lang, e, &items),
        pager => crate::views::pager_after(ctx.lang, page, PAGE_SIZE, total, next.map(|c| c.encode())),
        filters => filters(ctx.lang, e, &q),
        q => q.q.clone().unwrap_or_default(),
        unit => q.unit.clone().or(q.commune.clone()).or(q.district.clone()).or(q.province.clone()).unwrap_or_default(),
        as_of => q.as_of.clone().unwrap_or_default(),
        unit_label => unit_label,
        ethnic_group => q.ethnic_group.clone().unwrap_or_default(),
        has_ethnic => e.fields().iter().any(|f| f.key.starts_with("ethnic_group")),
        has_unit => e.fields().iter().any(|f| f.kind == Kind::Unit),
        sort => sort,
        query_base => q.to_query_string(&["sort"]),
        query_all => q.to_query_string(&[]),
        importable => e.importable(),
        errors => field_errors(ctx.lang, &errors),
    };
    Ok(render(&state, &ctx, "registry/list.html", page_ctx)?.into_response())
}

async fn registry_home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Html<String>> {
    let scope = read_scope(&ctx)?;
    let mut cards = vec![];
    for e in Entity::ALL {
        let mut lq = ListQuery::new(e, scope);
        lq.sort = e.fields()[0].key;
        lq.limit = 1;
        let (_, total) = store::list(&state.db, &lq).await?;
        cards.push(context! { slug => e.slug(), title => title(ctx.lang, e), total => total });
    }
    let page = context! { title => t(ctx.lang, "registry-title"), cards => cards };
    render(&state, &ctx, "registry/home.html", page)
}

/// A village's recognition checklists (Decree 52/2018 art. 5) from its record: the
/// craft-village criteria and the traditional-village ones. Page and API share it.
fn village_checklists(rec: &Record) -> (Vec<rules::Criterion>, Vec<rules::Criterion>) {
    let i = |k: &str| rec.get(k).and_then(Value::as_i64);
    let facts = rules::VillageFacts {
        households_total: i("households_total"),
        households_in_craft: i("households_in_craft"),
        stable_since_year: i("stable_since_year").map(|y| y as i32),
        as_of_year: crate::common::today().year(),
        environment_ok: rec.get("environment_ok").and_then(Value::as_bool),
    };
    let village = rules::craft_village_checklist(&facts, &rules::Thresholds::default());
    let trad = rules::traditional_village_checklist(
        &village,
        rec.get("crafts_traditional").and_then(Value::as_bool),
    );
    (village, trad)
}

/// Village extras: recognition checklist, environment status.
fn village_rules(lang: Lang, rec: &Record, last_assessed: Option<time::Date>) -> MjValue {
    let th = rules::Thresholds::default();
    let (village, trad) = village_checklists(rec);
    let mut checks: Vec<MjValue> = village.iter().map(|c| criterion(lang, c)).collect();
    if let Some(last) = trad.last() {
        checks.push(criterion(lang, last));
    }
    context! {
        checks => checks,
        overall => rules::overall(&village).as_str(),
        traditional_overall => rules::overall(&trad).as_str(),
        last_assessed => last_assessed.map(vnfmt::format_date),
        environment_due => rules::environment_due(last_assessed, &th).map(vnfmt::format_date),
        environment_overdue => rules::environment_overdue(last_assessed, crate::common::today(), &th),
    }
}

fn criterion(lang: Lang, c: &rules::Criterion) -> MjValue {
    let label = match lang {
        Lang::Vi => rules::criterion_label_vi(c.key),
        Lang::En => rules::criterion_label_en(c.key),
    }
    .unwrap_or(c.key);
    context! { key => c.key, label => label, status => c.status.as_str(), detail => c.detail.clone() }
}

async fn village_context(
    state: &AppState,
    scope: i64,
    rec: &mut Record,
) -> AppResult<Option<time::Date>> {
    // Does the village have a recognised traditional craft?
    let crafts: Vec<i64> = rec
        .get("crafts")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.get("id").and_then(Value::as_i64))
                .collect()
        })
        .unwrap_or_default();
    let mut any_trad = None;
    for cid in crafts {
        if let Some(c) = store::get(&state.db, Entity::Craft, scope, cid).await? {
            match c.get("is_traditional").and_then(Value::as_bool) {
                Some(true) => any_trad = Some(true),
                Some(false) if any_trad.is_none() => any_trad = Some(false),
                _ => {}
            }
        }
    }
    rec.insert(
        "crafts_traditional".into(),
        any_trad.map(Value::Bool).unwrap_or(Value::Null),
    );
    let id = rec.get("id").and_then(Value::as_i64).unwrap_or(0);
    let mut lq = ListQuery::new(Entity::Assessment, scope);
    lq.eq.push(("village_id", Val::I64(id)));
    lq.sort = "assessed_on";
    lq.desc = true;
    lq.limit = 1;
    let (latest, _) = store::list(&state.db, &lq).await?;
    Ok(latest
        .first()
        .and_then(|a| a.get("assessed_on").and_then(Value::as_str))
        .and_then(|s| vnfmt::parse_date(s).ok()))
}

async fn detail_page(
    e: Entity,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    detail_html(e, &state, &ctx, &id, None).await
}

/// A record's page; for a village whose recognition form was refused, the
/// form shows what was typed and why it was refused.
async fn detail_html(
    e: Entity,
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    recognition: Option<(&Recognition, &[FieldError])>,
) -> AppResult<Html<String>> {
    let (state, ctx, id) = (state.clone(), ctx, id.to_string());
    let scope = read_scope(ctx)?;
    let mut rec = load(&state, e, scope, &id).await?;
    let rid = rec.get("id").and_then(Value::as_i64).unwrap_or(0);
    let history: Vec<MjValue> = regapi::history(&state, e, rid)
        .await?
        .iter()
        .map(|h| {
            context! {
                at => h.entry.at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                actor => h.entry.actor_name,
                action => h.entry.action,
                changes => changes(ctx.lang, e, h.before.as_ref(), h.after.as_ref()),
            }
        })
        .collect();
    let rules_ctx = match e {
        Entity::Village => {
            let last = village_context(&state, scope, &mut rec).await?;
            Some(village_rules(ctx.lang, &rec, last))
        }
        _ => None,
    };
    let extra = match e {
        Entity::Craft => {
            let th = rules::Thresholds::default();
            let b = |k: &str| rec.get(k).and_then(Value::as_bool);
            let facts = rules::CraftFacts {
                first_known_year: rec
                    .get("first_known_year")
                    .and_then(Value::as_i64)
                    .map(|y| y as i32),
                as_of_year: crate::common::today().year(),
                still_practised: b("still_practised"),
                cultural_identity: b("cultural_identity"),
                named_artisan_or_village: b("named_artisan_or_village"),
            };
            let checks = rules::traditional_craft_checklist(&facts, &th);
            Some(
                context! { checks => checks.iter().map(|c| criterion(ctx.lang, c)).collect::<Vec<_>>(), overall => rules::overall(&checks).as_str() },
            )
        }
        Entity::Product => rec
            .get("ocop_certified_on")
            .and_then(Value::as_str)
            .and_then(|s| vnfmt::parse_date(s).ok())
            .map(|d| {
                let st =
                    rules::ocop_status(d, crate::common::today(), &rules::Thresholds::default());
                let (key, days) = match st {
                    rules::CertStatus::Valid => ("ocop-valid", 0),
                    rules::CertStatus::ExpiringSoon { days_left } => ("ocop-expiring", days_left),
                    rules::CertStatus::Expired { days_ago } => ("ocop-expired", days_ago),
                };
                context! { ocop_status => key, ocop_days => days }
            }),
        _ => None,
    };
    let name = rec
        .get(e.label_column())
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
        .unwrap_or_default();
    let page = context! {
        title => name,
        entity => e.kind(),
        slug => e.slug(),
        plural => title(ctx.lang, e),
        id => rid,
        fields => display(ctx.lang, e, &rec, false),
        history => history,
        rules => rules_ctx,
        extra => extra,
        today => crate::common::today().to_string(),
        updated_at => rec.get("updated_at").cloned().unwrap_or(Value::Null),
        file_name => rec.get("file_name").cloned().unwrap_or(Value::Null),
        file_size => rec.get("file_size").and_then(Value::as_i64).unwrap_or(0),
        recognition_form => recognition.map(|(r, _)| r.clone()).unwrap_or_else(|| Recognition {
            issuer: Some("UBND tỉnh".into()),
            ..Recognition::default()
        }),
        errors => recognition.map(|(_, errs)| crate::views::field_errors(ctx.lang, errs)).unwrap_or_default(),
    };
    render(&state, ctx, "registry/detail.html", page)
}

/// What changed between two versions of a record, as people read it (labels and display values).
fn changes(
    lang: Lang,
    e: Entity,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Vec<(String, String, String)> {
    let empty = Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    e.fields()
        .iter()
        .filter_map(|f| {
            let (x, y) = (display_value(lang, f, b), display_value(lang, f, a));
            (x != y).then(|| {
                let cited = |v: String| match f.kind {
                    Kind::Text { .. } | Kind::LongText => cite_plain(lang, &v),
                    _ => v,
                };
                (field_label(lang, e, f.key), cited(x), cited(y))
            })
        })
        .collect()
}

/// Form inputs for every editable field, with the values to show.
async fn form_fields(
    state: &AppState,
    lang: Lang,
    e: Entity,
    scope: i64,
    input: &Map<String, Value>,
) -> AppResult<Vec<MjValue>> {
    let mut out = vec![];
    for f in e.fields().iter().filter(|f| !f.derived) {
        let s = |k: &str| {
            input
                .get(k)
                .map(|v| {
                    v.as_str().map(str::to_string).unwrap_or_else(|| {
                        if v.is_null() {
                            String::new()
                        } else {
                            v.to_string()
                        }
                    })
                })
                .unwrap_or_default()
        };
        let (widget, options): (&str, Vec<(String, String)>) = match f.kind {
            Kind::LongText => ("textarea", vec![]),
            Kind::Date => ("date", vec![]),
            Kind::Bool => (
                "select",
                vec![
                    ("true".into(), t(lang, "yes")),
                    ("false".into(), t(lang, "no")),
                ],
            ),
            Kind::Enum(values) => (
                "select",
                values
                    .iter()
                    .map(|v| (v.to_string(), t(lang, &super::validate::enum_key(f.key, v))))
                    .collect(),
            ),
            Kind::Unit => ("unit", vec![]),
            Kind::Ref(target) => (
                "select",
                store::options(&state.db, target, scope, 2000)
                    .await?
                    .into_iter()
                    .map(|(id, l)| (id.to_string(), l))
                    .collect(),
            ),
            Kind::Refs(target) => (
                "checkboxes",
                store::options(&state.db, target, scope, 2000)
                    .await?
                    .into_iter()
                    .map(|(id, l)| (id.to_string(), l))
                    .collect(),
            ),
            Kind::Int { .. } | Kind::Money | Kind::Decimal { .. } | Kind::Year => {
                ("number", vec![])
            }
            _ => ("text", vec![]),
        };
        let selected: Vec<String> = match input.get(f.key) {
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| {
                    x.get("id").map(|i| i.to_string()).unwrap_or_else(|| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string())
                    })
                })
                .collect(),
            Some(Value::String(v)) => vec![v.clone()],
            Some(Value::Number(n)) => vec![n.to_string()],
            Some(Value::Bool(b)) => vec![b.to_string()],
            _ => vec![],
        };
        out.push(context! {
            key => f.key,
            label => field_label(lang, e, f.key),
            hint => {
                let k = format!("hint-{}", f.key);
                let h = t(lang, &k);
                (h != k).then_some(h)
            },
            unit => field_unit(lang, f),
            widget => widget,
            options => options,
            selected => selected,
            value => s(f.key),
            required => f.required,
            unit_code => s("admin_unit_code"),
            unit_as_of => s("admin_unit_as_of"),
        });
    }
    Ok(out)
}

async fn form(
    state: &AppState,
    ctx: &Ctx,
    e: Entity,
    input: &Map<String, Value>,
    id: Option<i64>,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    form_with(state, ctx, e, input, id, errors, None).await
}

/// The form; after a stale save, `conflict` holds the rows typed vs stored.
async fn form_with(
    state: &AppState,
    ctx: &Ctx,
    e: Entity,
    input: &Map<String, Value>,
    id: Option<i64>,
    errors: &[FieldError],
    conflict: Option<Vec<crate::views::ConflictRow>>,
) -> AppResult<Html<String>> {
    let scope = edit_scope(ctx)?;
    let version = regapi::body_version(input).ok().flatten();
    let page = context! {
        version => version,
        conflict => conflict,
        title => if id.is_some() { t_args(ctx.lang, "registry-edit", &[("what", singular(ctx.lang, e))]) } else { t_args(ctx.lang, "registry-new", &[("what", singular(ctx.lang, e))]) },
        plural => title(ctx.lang, e),
        slug => e.slug(),
        id => id,
        fields => form_fields(state, ctx.lang, e, scope, input).await?,
        errors => errors.iter().map(|fe| {
            let label = field_label(ctx.lang, e, if fe.field == "admin_unit_as_of" { "admin_unit_as_of" } else { &fe.field });
            context! { field => fe.field, message => format!("{label}: {}", fe.message(ctx.lang)) }
        }).collect::<Vec<_>>(),
    };
    render(state, ctx, "registry/form.html", page)
}

async fn new_page(
    e: Entity,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(pre): Query<std::collections::HashMap<String, String>>,
) -> AppResult<Html<String>> {
    // The place picker without JavaScript comes back here with the unit chosen.
    let mut input = Map::new();
    for k in ["admin_unit_code", "admin_unit_as_of"] {
        if let Some(v) = pre.get(k).filter(|v| v.chars().count() <= 200) {
            input.insert(k.into(), Value::from(v.clone()));
        }
    }
    form(&state, &ctx, e, &input, None, &[]).await
}

/// Turn a record into the input a form shows when editing it.
fn record_to_input(rec: &Record) -> Map<String, Value> {
    let mut m = rec.clone();
    if let Some(code) = rec.get("admin_unit_code").cloned() {
        m.insert("admin_unit_code".into(), code);
        // Codes of pre-reform units are read at the day before the reform.
        let old = rec
            .get("admin_unit_code")
            .and_then(Value::as_str)
            .is_some_and(|c| c.len() == 3);
        if old {
            m.insert("admin_unit_as_of".into(), Value::from("2025-06-30"));
        }
    }
    m
}

async fn edit_page(
    e: Entity,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let scope = edit_scope(&ctx)?;
    let rec = load(&state, e, scope, &id).await?;
    let rid = rec.get("id").and_then(Value::as_i64);
    form(&state, &ctx, e, &record_to_input(&rec), rid, &[]).await
}

/// Parse a urlencoded form body into a JSON map; repeated keys (checkboxes) become arrays.
pub fn form_map(body: &[u8]) -> AppResult<Map<String, Value>> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| AppError::bad("error-form"))?;
    let mut m = Map::new();
    for (k, v) in pairs {
        if k == "csrf_token" {
            continue;
        }
        let multi = k == "crafts";
        match m.get_mut(&k) {
            Some(Value::Array(a)) => a.push(Value::String(v)),
            Some(_) => {}
            None if multi => {
                m.insert(k, Value::Array(vec![Value::String(v)]));
            }
            None => {
                m.insert(k, Value::String(v));
            }
        }
    }
    Ok(m)
}

/// The form body as a JSON map; a village form without ticked crafts means "no crafts".
fn form_input(e: Entity, body: &[u8]) -> AppResult<Map<String, Value>> {
    let mut input = form_map(body)?;
    if e == Entity::Village && !input.contains_key("crafts") {
        input.insert("crafts".into(), Value::Array(vec![]));
    }
    Ok(input)
}

/// After a create or an update from a form: to the record with a flash, or the form
/// again with the errors and what was typed.
async fn form_outcome(
    state: &AppState,
    ctx: &Ctx,
    session: &Session,
    e: Entity,
    input: &Map<String, Value>,
    id: Option<i64>,
    result: AppResult<Record>,
) -> AppResult<Response> {
    let errs = match result {
        Ok(rec) => {
            let rid = rec.get("id").and_then(Value::as_i64).unwrap_or(0);
            let name = rec
                .get(e.label_column())
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                })
                .unwrap_or_default();
            ctx::flash(
                session,
                "success",
                t_args(ctx.lang, "saved-named", &[("name", name)]),
            )
            .await;
            return Ok(Redirect::to(&format!("/{}/{rid}", e.slug())).into_response());
        }
        Err(AppError::Validation(errs)) => errs,
        Err(e @ AppError::Duplicate { .. }) => e.field_errors(),
        Err(err) => return Err(err),
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        form(state, ctx, e, input, id, &errs).await?,
    )
        .into_response())
}

async fn create_page(
    e: Entity,
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    body: Bytes,
) -> AppResult<Response> {
    edit_scope(&ctx)?;
    let input = form_input(e, &body)?;
    let result = regapi::create(&state, &ctx, e, &input).await;
    form_outcome(&state, &ctx, &session, e, &input, None, result).await
}

async fn update_page(
    e: Entity,
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let scope = edit_scope(&ctx)?;
    let existing = load(&state, e, scope, &id).await?;
    let rid = existing.get("id").and_then(Value::as_i64);
    let input = form_input(e, &body)?;
    let expected = crate::version::from_form(input.get("version").and_then(Value::as_str))?;
    let result = regapi::update(&state, &ctx, e, &id, &input, false, expected).await;
    if let Err(AppError::Stale { .. }) = result {
        // Keep what was typed; show it beside what is stored, with the stored
        // version, so saving again overwrites deliberately.
        let stored = load(&state, e, scope, &id).await?;
        let rows = conflict_rows(&state, ctx.lang, e, scope, &input, &stored).await?;
        let mut mine = input.clone();
        mine.insert(
            "version".into(),
            Value::from(regapi::record_version(&stored)),
        );
        let html = form_with(&state, &ctx, e, &mine, rid, &[], Some(rows)).await?;
        return Ok((StatusCode::CONFLICT, html).into_response());
    }
    form_outcome(&state, &ctx, &session, e, &input, rid, result).await
}

/// The fields where what was typed (`input`, already valid) differs from the
/// record as stored now, as people read them ("Bạn nhập / Đã lưu").
async fn conflict_rows(
    state: &AppState,
    lang: Lang,
    e: Entity,
    scope: i64,
    input: &Map<String, Value>,
    stored: &Record,
) -> AppResult<Vec<crate::views::ConflictRow>> {
    let mut lookup = super::validate::DbLookup::new(&state.db, scope).with_lang(lang);
    let values = super::validate::validate(e, input, &mut lookup, false)
        .await
        .unwrap_or_default();
    let mut rows = vec![];
    for f in e.fields().iter().filter(|f| !f.derived) {
        let Some(v) = values.get(f.key) else { continue };
        // The typed value as a record field, to be shown like the stored one.
        let mut mine = Record::new();
        let same = match (f.kind, v) {
            (Kind::Unit, Val::I64(u)) => {
                stored.get("admin_unit_id").and_then(Value::as_i64) == Some(*u)
            }
            (Kind::Refs(_), Val::Ids(ids)) => {
                let mut a = ids.clone();
                a.sort_unstable();
                a.dedup();
                let mut b: Vec<i64> = stored
                    .get(f.key)
                    .and_then(Value::as_array)
                    .map(|x| {
                        x.iter()
                            .filter_map(|c| c.get("id").and_then(Value::as_i64))
                            .collect()
                    })
                    .unwrap_or_default();
                b.sort_unstable();
                a == b
            }
            (_, v) => {
                let j = val_json(v);
                let s = stored.get(f.key).cloned().unwrap_or(Value::Null);
                j == s || (j.as_f64().is_some() && j.as_f64() == s.as_f64())
            }
        };
        if same {
            continue;
        }
        let shown_mine = match (f.kind, v) {
            (Kind::Unit, _) => input
                .get("admin_unit_code")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            (Kind::Ref(target), Val::I64(rid)) => store::get(&state.db, target, scope, *rid)
                .await?
                .and_then(|r| {
                    r.get(target.label_column())
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_default(),
            (Kind::Refs(target), Val::Ids(ids)) => store::options(&state.db, target, scope, 2000)
                .await?
                .into_iter()
                .filter(|(id, _)| ids.contains(id))
                .map(|(_, l)| l)
                .collect::<Vec<_>>()
                .join(", "),
            (Kind::Agency, _) => input
                .get(f.key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            (_, v) => {
                mine.insert(f.key.to_string(), val_json(v));
                display_value(lang, f, &mine)
            }
        };
        rows.push(crate::views::ConflictRow {
            field: f.key.to_string(),
            label: field_label(lang, e, f.key),
            mine: shown_mine,
            stored: display_value(lang, f, stored),
        });
    }
    Ok(rows)
}

/// A validated value as the JSON a record holds.
fn val_json(v: &Val) -> Value {
    match v {
        Val::Null => Value::Null,
        Val::I64(i) => Value::from(*i),
        Val::F64(x) => Value::from(*x),
        Val::Text(t) => Value::from(t.clone()),
        Val::Date(d) => Value::from(d.to_string()),
        Val::Bool(b) => Value::from(*b),
        Val::Ids(ids) => Value::from(ids.clone()),
    }
}

/// A recognition decision: the document that recognises the village, and what it recognises it as.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct Recognition {
    /// e.g. "1234/QĐ-UBND" or "Quyết định số 1234/QĐ-UBND ngày 15/3/2024".
    pub number: String,
    /// Date of the decision (if not in the number text).
    #[serde(default)]
    pub issued_on: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// `recognised` (làng nghề) or `traditional` (làng nghề truyền thống).
    pub status: String,
}

async fn record_recognition(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    r: &Recognition,
) -> AppResult<Record> {
    let scope = edit_scope(ctx)?;
    let village = load(state, Entity::Village, scope, id).await?;
    let vid = village.get("id").and_then(Value::as_i64).unwrap_or(0);
    if !matches!(r.status.as_str(), "recognised" | "traditional") {
        return Err(AppError::Validation(vec![FieldError::new(
            "status",
            "error-enum",
        )]));
    }
    if r.number.trim().is_empty() {
        return Err(AppError::Validation(vec![FieldError::new(
            "number",
            "error-required",
        )]));
    }
    let mut doc = Map::new();
    doc.insert("number".into(), Value::from(r.number.clone()));
    if let Some(d) = &r.issued_on {
        doc.insert("issued_on".into(), Value::from(d.clone()));
    }
    doc.insert(
        "issuer".into(),
        Value::from(r.issuer.clone().unwrap_or_default()),
    );
    let name = village.get("name").and_then(Value::as_str).unwrap_or("");
    let default_title = format!(
        "{} {name}",
        t(
            Lang::Vi,
            if r.status == "traditional" {
                "recognition-title-traditional"
            } else {
                "recognition-title"
            }
        )
    );
    doc.insert(
        "title".into(),
        Value::from(
            r.title
                .clone()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or(default_title),
        ),
    );
    if let Some(code) = village.get("admin_unit_code") {
        doc.insert("admin_unit_code".into(), code.clone());
        if code.as_str().is_some_and(|c| c.len() == 3) {
            doc.insert("admin_unit_as_of".into(), Value::from("2025-06-30"));
        }
    }
    let mut lookup = super::validate::DbLookup::new(&state.db, scope);
    let doc_values = super::validate::validate(Entity::Document, &doc, &mut lookup, false)
        .await
        .map_err(AppError::Validation)?;
    // The document and the village change together, or not at all.
    let actor = ctx.actor();
    let backend = state.db.backend();
    let mut w = state.db.write(&actor).await?;
    let created =
        store::insert_tx(w.tx(), backend, &actor, Entity::Document, None, &doc_values).await?;
    let doc_id = created.get("id").and_then(Value::as_i64).unwrap_or(0);
    let mut values = langnghe_store::registry::Values::new();
    values.insert("recognition_doc_id", Val::I64(doc_id));
    values.insert("status", Val::Text(r.status.clone()));
    let rec = store::update_in(&mut w, backend, Entity::Village, vid, None, &values).await?;
    w.commit().await?;
    Ok(rec)
}

async fn recognition_page(
    State(state): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let r: Recognition =
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::bad("error-form"))?;
    match record_recognition(&state, &ctx, &id, &r).await {
        Ok(_) => {
            ctx::flash(&session, "success", t(ctx.lang, "recognition-saved")).await;
            Ok(Redirect::to(&format!("/villages/{id}")).into_response())
        }
        // Show the page again with what was typed and why it was refused.
        Err(err @ (AppError::Validation(_) | AppError::Duplicate { .. })) => {
            let errs = err.field_errors();
            let html = detail_html(Entity::Village, &state, &ctx, &id, Some((&r, &errs))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(err) => Err(err),
    }
}

/// Record the decision recognising a village (creates the legal document and links it).
#[utoipa::path(post, path = "/api/v1/villages/{id}/recognition", tag = "registry", params(("id" = i64, Path)), request_body = Recognition,
    responses((status = 200, body = regapi::Object), (status = 403), (status = 404), (status = 422)))]
async fn recognition_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Json(r): Json<Recognition>,
) -> AppResult<Json<Record>> {
    Ok(Json(record_recognition(&state, &ctx, &id, &r).await?))
}

/// The recognition checklist of a village (Decree 52/2018 art. 5), computed from its data.
#[utoipa::path(get, path = "/api/v1/villages/{id}/checklist", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = regapi::Object), (status = 404)))]
async fn checklist_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let scope = read_scope(&ctx)?;
    let mut rec = load(&state, Entity::Village, scope, &id).await?;
    let last = village_context(&state, scope, &mut rec).await?;
    let th = rules::Thresholds::default();
    let today = crate::common::today();
    let (village, trad) = village_checklists(&rec);
    let show = |c: &rules::Criterion| serde_json::json!({"key": c.key, "status": c.status.as_str(), "detail": c.detail});
    Ok(Json(serde_json::json!({
        "craft_village": { "status": rules::overall(&village).as_str(), "criteria": village.iter().map(show).collect::<Vec<_>>() },
        "traditional_village": { "status": rules::overall(&trad).as_str(), "criteria": trad.iter().map(show).collect::<Vec<_>>() },
        "environment": {
            "last_assessed": last.map(|d| d.to_string()),
            "due": rules::environment_due(last, &th).map(|d| d.to_string()),
            "overdue": rules::environment_overdue(last, today, &th),
        }
    })))
}

pub fn village_api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(recognition_api))
        .routes(routes!(checklist_api))
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchPageQuery {
    q: Option<String>,
    kind: Option<String>,
    page: Option<i64>,
}

async fn search_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchPageQuery>,
) -> AppResult<Html<String>> {
    let scope = read_scope(&ctx)?;
    let kinds = parse_kinds(&q.kind).unwrap_or_default();
    let (page, offset) = page_offset(q.page);
    let text: String = q.q.clone().unwrap_or_default().chars().take(200).collect();
    let started = std::time::Instant::now();
    let (hits, total) = langnghe_store::registry::search::search(
        &state.db, scope, &text, &kinds, PAGE_SIZE, offset,
    )
    .await?;
    let elapsed_ms = started.elapsed().as_millis() as i64;
    let hits: Vec<MjValue> = hits
        .iter()
        .map(|h| {
            let e = Entity::from_kind(&h.kind).unwrap_or(Entity::Village);
            context! {
                href => format!("/{}/{}", e.slug(), h.id),
                kind_label => singular(ctx.lang, e),
                highlighted => MjValue::from_safe_string(h.highlighted.clone()),
            }
        })
        .collect();
    let page_ctx = context! {
        title => t(ctx.lang, "search-title"),
        q => text,
        kind => q.kind.clone().unwrap_or_default(),
        kinds => [Entity::Village, Entity::Craft, Entity::Artisan, Entity::Product, Entity::Establishment, Entity::Document].iter().map(|e| (e.kind(), title(ctx.lang, *e))).collect::<Vec<_>>(),
        hits => hits,
        pager => pager(ctx.lang, page, PAGE_SIZE, total),
        elapsed_ms => elapsed_ms,
        query_base => serde_urlencoded::to_string([("q", q.q.clone().unwrap_or_default()), ("kind", q.kind.clone().unwrap_or_default())]).unwrap_or_default(),
    };
    render(&state, &ctx, "registry/search.html", page_ctx)
}
