//! The map (`/map`) and its JSON twins (`/api/v1/map`, `/api/v1/map/villages`):
//! provinces of either structure coloured by a measure counted live in the
//! database, villages as points. Server-rendered SVG, no script, no tiles.

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{non_empty, Json, Query};
use crate::i18n::{t, t_args, Lang};
use crate::kept::{At, Key};
use crate::views::render;
use crate::AppState;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use langnghe_core::access::Action;
use langnghe_core::map::{self as rules, BBox, MapEra, Measure, PointsBy, Projection};
use langnghe_store::map as store;
use minijinja::{context, Value as MjValue};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn pages() -> Router<AppState> {
    Router::new().route("/map", get(map_page))
}

pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(map_api))
        .routes(routes!(villages_api))
}

/// What the map shows; every parameter may be left out.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MapQuery {
    /// `new` (34 provinces, from 1 July 2025; the default) or `old` (63 provinces, before).
    pub era: Option<String>,
    /// `villages` (default), `recognised`, `reporting_rate` or `achievement` (needs `program` and `indicator`).
    pub measure: Option<String>,
    /// Programme id: `achievement` needs it; `reporting_rate` is narrowed to it.
    pub program: Option<String>,
    /// Indicator id of `program` (for `achievement`).
    pub indicator: Option<String>,
    /// Official code of a province of `era`: zoom to it, villages within it only.
    pub province: Option<String>,
    /// Colour the village points by `status` (default), `ocop`, `environment`; `none` hides them.
    pub points: Option<String>,
}

struct Resolved {
    era: MapEra,
    measure: Measure,
    points: PointsBy,
    program: Option<(i64, String)>,
    indicator: Option<(i64, String)>,
    province: Option<store::Province>,
    provinces: std::sync::Arc<Vec<store::Province>>,
}

fn parse_id(field: &str, raw: &Option<String>, errors: &mut Vec<FieldError>) -> Option<i64> {
    let s = non_empty(raw)?;
    match s.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            errors.push(FieldError::new(field, "map-error-id").arg("value", s));
            None
        }
    }
}

async fn resolve(
    state: &AppState,
    kept: &At<'_>,
    scope_id: i64,
    q: &MapQuery,
) -> AppResult<Resolved> {
    let mut errors = vec![];
    let era = match non_empty(&q.era) {
        None => MapEra::New,
        Some(s) => MapEra::parse(&s).unwrap_or_else(|| {
            errors.push(FieldError::new("era", "map-error-era").arg("value", s));
            MapEra::New
        }),
    };
    let measure = match non_empty(&q.measure) {
        None => Measure::Villages,
        Some(s) => Measure::parse(&s).unwrap_or_else(|| {
            errors.push(FieldError::new("measure", "map-error-measure").arg("value", s));
            Measure::Villages
        }),
    };
    let points = match non_empty(&q.points) {
        None => PointsBy::Status,
        Some(s) => PointsBy::parse(&s).unwrap_or_else(|| {
            errors.push(FieldError::new("points", "map-error-points").arg("value", s));
            PointsBy::Status
        }),
    };
    let program_id = parse_id("program", &q.program, &mut errors);
    let indicator_id = parse_id("indicator", &q.indicator, &mut errors);
    let mut program = None;
    if let Some(id) = program_id {
        match langnghe_store::programs::get_visible(&state.db, scope_id, id).await? {
            Some(p) => program = Some((p.id, format!("{} {}", p.code, p.title))),
            None => errors.push(FieldError::new("program", "map-error-program").arg("value", id)),
        }
    }
    let mut indicator = None;
    if measure == Measure::Achievement {
        match (&program, indicator_id) {
            (None, _) if program_id.is_none() => {
                errors.push(FieldError::new("program", "map-error-program-needed"))
            }
            (Some((pid, _)), Some(iid)) => match store::indicator_of(&state.db, *pid, iid).await? {
                Some(name) => indicator = Some((iid, name)),
                None => errors
                    .push(FieldError::new("indicator", "map-error-indicator").arg("value", iid)),
            },
            (Some(_), None) if !errors.iter().any(|e| e.field == "indicator") => {
                errors.push(FieldError::new("indicator", "map-error-indicator-needed"))
            }
            _ => {}
        }
    }
    // The geography's: kept under the plans' revision, through the registry's work.
    let provinces = kept
        .get(
            Key::Provinces {
                era,
                scope: scope_id,
            },
            || async { Ok(store::provinces(&state.db, era, scope_id).await?) },
        )
        .await?;
    let province = match non_empty(&q.province) {
        None => None,
        Some(code) => match provinces.iter().find(|p| p.code == code) {
            Some(p) => Some(p.clone()),
            None => {
                errors.push(
                    FieldError::new("province", "map-error-province")
                        .arg("code", code)
                        .arg_key("value", &format!("map-era-{}", era.as_str())),
                );
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(Resolved {
        era,
        measure,
        points,
        program,
        indicator,
        province,
        provinces,
    })
}

/// One class of the legend.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LegendBin {
    /// 0 (lightest) … 4 (darkest); the `bin` of the features.
    pub bin: i64,
    /// Lower bound (a share 0..1 for `reporting_rate` and `achievement`).
    pub from: f64,
    /// Upper bound, included.
    pub to: f64,
    /// The bounds as the reader reads them ("0–3", "20–40 %").
    pub label: String,
}

/// The figures of one province.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProvinceProps {
    /// Official 2-digit code in the chosen era.
    pub code: String,
    pub name: String,
    /// False: the province lies outside the caller's scope; no figure is given.
    pub in_scope: bool,
    /// The measure: a count, or a share 0..1 (`reporting_rate`, `achievement`);
    /// null outside the scope, or for a share with nothing to divide by.
    pub value: Option<f64>,
    /// Shares: the numerator (approved reports; value reported).
    pub numerator: Option<f64>,
    /// Shares: the denominator (expected reports; target reported).
    pub denominator: Option<f64>,
    /// The legend class of `value`; null when `value` is null.
    pub bin: Option<i64>,
}

/// A province as a GeoJSON feature.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProvinceFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: String,
    pub properties: ProvinceProps,
    /// GeoJSON Polygon or MultiPolygon, WGS84 longitude/latitude, 0.001° precision.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
}

/// The provinces of an era with a measure: a GeoJSON FeatureCollection.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProvinceMap {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `old` or `new`.
    pub era: String,
    /// `villages`, `recognised`, `reporting_rate` or `achievement`.
    pub measure: String,
    /// The province zoomed to, if any.
    pub province: Option<String>,
    pub bins: Vec<LegendBin>,
    /// A caveat on the figures in the caller's language (e.g. only one province has data).
    pub note: Option<String>,
    /// 63 (old) or 34 (new) provinces, by code.
    pub features: Vec<ProvinceFeature>,
}

fn bin_label(lang: Lang, b: &rules::Bin, ratio: bool) -> String {
    if ratio {
        let pc = |f: f64| format!("{}", (f * 100.0).round() as i64);
        let to = if b.index + 1 == rules::BINS {
            format!("{}+", pc(b.to))
        } else {
            pc(b.to)
        };
        match lang {
            Lang::En => format!("{}–{to}%", pc(b.from)),
            Lang::Vi => format!("{}–{to} %", pc(b.from)),
        }
    } else if b.from == b.to {
        format!("{}", b.from as i64)
    } else {
        format!("{}–{}", b.from as i64, b.to as i64)
    }
}

struct Computed {
    map: ProvinceMap,
    bbox: BBox,
}

async fn compute(state: &AppState, lang: Lang, scope_id: i64, r: &Resolved) -> AppResult<Computed> {
    let figures = match r.measure {
        Measure::Villages => store::villages(&state.db, r.era, scope_id, false).await?,
        Measure::Recognised => store::villages(&state.db, r.era, scope_id, true).await?,
        Measure::ReportingRate => {
            store::reporting_rate(&state.db, r.era, scope_id, r.program.as_ref().map(|p| p.0))
                .await?
        }
        Measure::Achievement => match (&r.program, &r.indicator) {
            (Some((pid, _)), Some((iid, _))) => {
                store::achievement(&state.db, r.era, scope_id, *pid, *iid).await?
            }
            _ => vec![],
        },
    };
    let ratio = r.measure.is_ratio();
    let mut props: Vec<ProvinceProps> = r
        .provinces
        .iter()
        .map(|p| {
            let f = figures.iter().find(|f| f.code == p.code);
            let (value, numerator, denominator) = if !p.in_scope {
                (None, None, None)
            } else if ratio {
                let num = f.and_then(|f| f.value);
                let den = f.and_then(|f| f.total);
                let share = match (num, den) {
                    (Some(n), Some(d)) if d > 0.0 => Some(n / d),
                    _ => None,
                };
                (share, num, den)
            } else {
                (Some(f.and_then(|f| f.value).unwrap_or(0.0)), None, None)
            };
            ProvinceProps {
                code: p.code.clone(),
                name: p.name.clone(),
                in_scope: p.in_scope,
                value,
                numerator,
                denominator,
                bin: None,
            }
        })
        .collect();
    let values: Vec<f64> = props.iter().filter_map(|p| p.value).collect();
    let bins = rules::bins(&values, ratio);
    for p in &mut props {
        p.bin = p.value.map(|v| rules::bin_of(v, &bins) as i64);
    }
    let with_data = props.iter().filter(|p| p.value.is_some()).count();
    let note = if ratio && with_data == 0 {
        Some(t(lang, "map-note-no-data"))
    } else if ratio && with_data == 1 {
        let name = props
            .iter()
            .find(|p| p.value.is_some())
            .map(|p| p.name.clone())
            .unwrap_or_default();
        Some(t_args(lang, "map-note-one-province", &[("name", name)]))
    } else {
        None
    };
    let shapes = store::shapes(r.era)?;
    let mut bbox = BBox::EMPTY;
    let mut features = Vec::with_capacity(props.len());
    for p in props {
        let shape = shapes.iter().find(|s| s.code == p.code);
        if let Some(s) = shape {
            let zoomed = r
                .province
                .as_ref()
                .map(|z| z.code == p.code)
                .unwrap_or(true);
            if zoomed {
                for ring in &s.rings {
                    for (lon, lat) in ring {
                        bbox.add(*lon, *lat);
                    }
                }
            }
        }
        features.push(ProvinceFeature {
            kind: "Feature".into(),
            geometry: shape
                .map(|s| s.geometry.clone())
                .unwrap_or(serde_json::Value::Null),
            properties: p,
        });
    }
    Ok(Computed {
        map: ProvinceMap {
            kind: "FeatureCollection".into(),
            era: r.era.as_str().into(),
            measure: r.measure.as_str().into(),
            province: r.province.as_ref().map(|p| p.code.clone()),
            bins: bins
                .iter()
                .map(|b| LegendBin {
                    bin: b.index as i64,
                    from: b.from,
                    to: b.to,
                    label: bin_label(lang, b, ratio),
                })
                .collect(),
            note,
            features,
        },
        bbox,
    })
}

/// Provinces of an era as GeoJSON, each with a measure counted now from the
/// records inside the caller's scope (provinces outside it carry no figure).
#[utoipa::path(get, path = "/api/v1/map", tag = "map",
    params(MapQuery),
    responses((status = 200, body = ProvinceMap, content_type = "application/json"),
        (status = 422, description = "a parameter that is not valid: `fields` names it")))]
async fn map_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MapQuery>,
) -> AppResult<axum::response::Response> {
    let user = ctx.require(Action::Read)?;
    // The map reads the registry, the plans and the geography: kept under both revisions.
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let key = Key::answer(crate::kept::Area::Registry, &ctx)?;
    kept.answer(key, || async {
        let r = resolve(&state, &kept, user.scope_unit_id, &q).await?;
        Ok(compute(&state, ctx.lang, user.scope_unit_id, &r).await?.map)
    })
    .await
}

/// A village's point properties.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VillageProps {
    pub id: i64,
    pub name: String,
    /// recognised, traditional, at_risk, restoring, new, inactive.
    pub status: String,
    /// meets, minor, polluted; null when not assessed.
    pub environment_class: Option<String>,
    /// Most OCOP stars among the village's products; null without any.
    pub ocop_stars: Option<String>,
    /// The commune the village lies in (its point when the village has none of its own).
    pub commune: String,
    /// The colour class the point is drawn with, by `points`.
    pub class: String,
    /// The village's page.
    pub url: String,
}

/// A GeoJSON Point geometry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PointGeometry {
    /// Always `Point`.
    #[serde(rename = "type")]
    pub kind: String,
    /// [longitude, latitude], WGS84.
    pub coordinates: Vec<f64>,
}

/// A village as a GeoJSON feature.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VillageFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    pub kind: String,
    pub properties: VillageProps,
    pub geometry: PointGeometry,
}

/// The villages in scope as points: a GeoJSON FeatureCollection.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VillagePoints {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    pub kind: String,
    /// status, ocop, environment or none.
    pub points: String,
    pub features: Vec<VillageFeature>,
    /// Villages with neither a position nor a commune position (not drawn).
    pub unplaced: i64,
    /// True when more villages matched than the limit (5 000) drawn.
    pub truncated: bool,
}

fn point_class(by: PointsBy, p: &store::Point) -> String {
    match by {
        PointsBy::Status | PointsBy::None => p.status.clone(),
        PointsBy::Ocop => match p.ocop_stars.as_deref() {
            Some(s) if !s.is_empty() => format!("ocop-{s}"),
            _ => "ocop-none".into(),
        },
        PointsBy::Environment => p
            .environment_class
            .clone()
            .unwrap_or_else(|| "unassessed".into()),
    }
}

fn class_label(lang: Lang, by: PointsBy, class: &str) -> String {
    match by {
        PointsBy::Status | PointsBy::None => t(lang, &format!("enum-status-{class}")),
        PointsBy::Ocop => match class.strip_prefix("ocop-") {
            Some("none") | None => t(lang, "map-ocop-none"),
            Some(n) => t_args(lang, "map-ocop-stars", &[("n", n.to_string())]),
        },
        PointsBy::Environment if class == "unassessed" => t(lang, "map-env-unassessed"),
        PointsBy::Environment => t(lang, &format!("enum-environment_class-{class}")),
    }
}

async fn village_points(state: &AppState, scope_id: i64, r: &Resolved) -> AppResult<VillagePoints> {
    let rows = store::points(&state.db, scope_id, r.province.as_ref().map(|p| p.id)).await?;
    let truncated = rows.len() as i64 >= store::POINT_LIMIT;
    let mut unplaced = 0;
    let mut features = vec![];
    for p in rows {
        let (Some(lat), Some(lon)) = (p.lat, p.lon) else {
            unplaced += 1;
            continue;
        };
        features.push(VillageFeature {
            kind: "Feature".into(),
            geometry: PointGeometry {
                kind: "Point".into(),
                coordinates: vec![lon, lat],
            },
            properties: VillageProps {
                class: point_class(r.points, &p),
                url: format!("/villages/{}", p.id),
                id: p.id,
                name: p.name,
                status: p.status,
                environment_class: p.environment_class,
                ocop_stars: p.ocop_stars,
                commune: p.commune,
            },
        });
    }
    Ok(VillagePoints {
        kind: "FeatureCollection".into(),
        points: r.points.as_str().into(),
        features,
        unplaced,
        truncated,
    })
}

/// The villages inside the caller's scope (and inside `province` of `era`
/// when given) as GeoJSON points, at the village's own position or its commune's.
#[utoipa::path(get, path = "/api/v1/map/villages", tag = "map",
    params(MapQuery),
    responses((status = 200, body = VillagePoints, content_type = "application/json"),
        (status = 422, description = "a parameter that is not valid: `fields` names it")))]
async fn villages_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MapQuery>,
) -> AppResult<Json<VillagePoints>> {
    let user = ctx.require(Action::Read)?;
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let r = resolve(&state, &kept, user.scope_unit_id, &q).await?;
    Ok(Json(village_points(&state, user.scope_unit_id, &r).await?))
}

fn link(r: &Resolved, province: Option<&str>) -> String {
    let mut q: Vec<(&str, String)> = vec![
        ("era", r.era.as_str().into()),
        ("measure", r.measure.as_str().into()),
        ("points", r.points.as_str().into()),
    ];
    if let Some((id, _)) = &r.program {
        q.push(("program", id.to_string()));
    }
    if let Some((id, _)) = &r.indicator {
        q.push(("indicator", id.to_string()));
    }
    if let Some(p) = province {
        q.push(("province", p.into()));
    }
    format!(
        "/map?{}",
        serde_urlencoded::to_string(q).unwrap_or_default()
    )
}

/// The registry list of villages within a province of the era.
fn list_link(era: MapEra, code: &str) -> String {
    let as_of = match era {
        MapEra::Old => "2017-01-01".to_string(),
        MapEra::New => crate::common::today().to_string(),
    };
    format!(
        "/villages?{}",
        serde_urlencoded::to_string([("province", code), ("as_of", &as_of)]).unwrap_or_default()
    )
}

fn fmt_value(lang: Lang, v: Option<f64>, ratio: bool) -> String {
    match v {
        None => "—".into(),
        Some(v) if ratio => {
            let n = langnghe_core::vnfmt::format_decimal_trim(v * 100.0, 1);
            let n = crate::views::in_lang(lang, n);
            match lang {
                Lang::En => format!("{n}%"),
                Lang::Vi => format!("{n} %"),
            }
        }
        Some(v) => crate::views::in_lang(lang, langnghe_core::vnfmt::format_int(v as i64)),
    }
}

const SVG_WIDTH: f64 = 600.0;

/// Each province drawn: its outline, its bin's class and its figures.
fn province_shapes(
    lang: Lang,
    r: &Resolved,
    computed: &Computed,
    proj: &Projection,
) -> AppResult<Vec<MjValue>> {
    let ratio = r.measure.is_ratio();
    let shapes = store::shapes(r.era)?;
    let mut provinces = vec![];
    for f in &computed.map.features {
        let p = &f.properties;
        let d = shapes
            .iter()
            .find(|s| s.code == p.code)
            .map(|s| rules::svg_path(&s.rings, proj))
            .unwrap_or_default();
        let class = match (p.in_scope, p.bin) {
            (false, _) => "map-out".to_string(),
            (true, None) => "map-nodata".to_string(),
            (true, Some(b)) => format!("map-bin-{b}"),
        };
        provinces.push(context! {
            code => p.code, name => p.name, in_scope => p.in_scope, d => d, class => class,
            value_text => fmt_value(lang, p.value, ratio),
            numerator => p.numerator.map(|v| fmt_value(lang, Some(v), false)),
            denominator => p.denominator.map(|v| fmt_value(lang, Some(v), false)),
            href => link(r, Some(&p.code)),
            list_href => list_link(r.era, &p.code),
            selected => r.province.as_ref().is_some_and(|z| z.code == p.code),
        });
    }
    Ok(provinces)
}

/// The villages as points on the map, and the legend of their classes with counts.
fn point_marks(
    lang: Lang,
    by: PointsBy,
    pts: Option<&VillagePoints>,
    proj: &Projection,
) -> (Vec<MjValue>, Vec<MjValue>) {
    let mut points = vec![];
    let mut classes: Vec<(String, i64)> = vec![];
    for f in pts.iter().flat_map(|p| &p.features) {
        let (x, y) = proj.xy(f.geometry.coordinates[0], f.geometry.coordinates[1]);
        let class = &f.properties.class;
        match classes.iter_mut().find(|(c, _)| c == class) {
            Some((_, n)) => *n += 1,
            None => classes.push((class.clone(), 1)),
        }
        points.push(context! {
            x => format!("{x:.1}"), y => format!("{y:.1}"), class => class,
            name => f.properties.name, url => f.properties.url,
            label => class_label(lang, by, class),
            commune => f.properties.commune,
        });
    }
    classes.sort();
    let legend = classes
        .iter()
        .map(|(c, n)| context! { class => c, label => class_label(lang, by, c), count => n })
        .collect();
    (points, legend)
}

/// The programmes in the reader's scope and the chosen programme's indicators,
/// for the form's choices.
async fn choices(
    state: &AppState,
    scope: i64,
    r: &Resolved,
) -> AppResult<(Vec<MjValue>, Vec<MjValue>)> {
    let programs = langnghe_store::programs::list(&state.db, scope, None, 200, 0)
        .await?
        .0
        .into_iter()
        .map(|p| context! { id => p.id, label => format!("{} {}", p.code, p.title) })
        .collect();
    let indicators = match &r.program {
        Some((pid, _)) => langnghe_store::programs::indicators(&state.db, *pid)
            .await?
            .into_iter()
            .map(|i| context! { id => i.id, label => format!("{}. {}", i.code, i.name) })
            .collect(),
        None => vec![],
    };
    Ok((programs, indicators))
}

/// The map asked for; when the query is wrong, the default map with the errors
/// (what was typed stays in the form).
async fn resolve_or_default(
    state: &AppState,
    kept: &At<'_>,
    scope: i64,
    q: &MapQuery,
) -> AppResult<(Resolved, Vec<FieldError>)> {
    match resolve(state, kept, scope, q).await {
        Ok(r) => Ok((r, vec![])),
        Err(AppError::Validation(errs)) => Ok((
            resolve(state, kept, scope, &MapQuery::default()).await?,
            errs,
        )),
        Err(e) => Err(e),
    }
}

/// What was typed in the map's form, as typed.
fn typed(q: &MapQuery) -> minijinja::Value {
    context! {
        era => q.era.clone().unwrap_or_default(),
        measure => q.measure.clone().unwrap_or_default(),
        program => q.program.clone().unwrap_or_default(),
        indicator => q.indicator.clone().unwrap_or_default(),
        province => q.province.clone().unwrap_or_default(),
        points => q.points.clone().unwrap_or_default(),
    }
}

/// The same map in the other era of the administrative units (whole country).
fn other_era(r: &Resolved) -> Resolved {
    Resolved {
        era: match r.era {
            MapEra::Old => MapEra::New,
            MapEra::New => MapEra::Old,
        },
        measure: r.measure,
        points: r.points,
        program: r.program.clone(),
        indicator: r.indicator.clone(),
        province: None,
        provinces: Default::default(),
    }
}

async fn map_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MapQuery>,
) -> AppResult<Html<String>> {
    let user = ctx.require(Action::Read)?;
    let scope = user.scope_unit_id;
    let lang = ctx.lang;
    let kept = state.kept.for_request(&state.db, &ctx).await?;
    let (resolved, errors) = resolve_or_default(&state, &kept, scope, &q).await?;
    let r = &resolved;
    let computed = compute(&state, lang, scope, r).await?;
    let proj = Projection::fit(computed.bbox.padded(0.03), SVG_WIDTH);
    let provinces = province_shapes(lang, r, &computed, &proj)?;
    let pts = if r.points == PointsBy::None {
        None
    } else {
        Some(village_points(&state, scope, r).await?)
    };
    let (points, point_legend) = point_marks(lang, r.points, pts.as_ref(), &proj);
    let (programs, indicators) = choices(&state, scope, r).await?;
    let measure_title = t(lang, &format!("map-measure-{}", r.measure.as_str()));
    let page = context! {
        title => t(lang, "map-title"),
        era => r.era.as_str(),
        measure => r.measure.as_str(),
        measure_title => measure_title,
        points_by => r.points.as_str(),
        measures => Measure::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        program => r.program.as_ref().map(|p| context! { id => p.0, label => p.1 }),
        indicator => r.indicator.as_ref().map(|i| context! { id => i.0, label => i.1 }),
        programs => programs,
        indicators => indicators,
        province => r.province.as_ref().map(|p| context! { code => p.code, name => p.name, list_href => list_link(r.era, &p.code) }),
        form => typed(&q),
        errors => crate::views::field_errors(lang, &errors),
        width => format!("{:.0}", proj.width),
        height => format!("{:.0}", proj.height),
        provinces => provinces,
        points => points,
        point_legend => point_legend,
        unplaced => pts.as_ref().map(|p| p.unplaced).unwrap_or(0),
        truncated => pts.as_ref().is_some_and(|p| p.truncated),
        bins => computed.map.bins,
        note => computed.map.note,
        whole_href => link(r, None),
        other_era_href => link(&other_era(r), None),
    };
    render(&state, &ctx, "map/map.html", page)
}
