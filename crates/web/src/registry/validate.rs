//! Turning what a person typed (form, JSON or a spreadsheet row) into values a
//! registry record may hold, field by field, with messages that name the field.
//! The same code serves forms, the API and imports.

use crate::error::FieldError;
use crate::i18n::{t, Lang};
use langnghe_core::text::{clean_text, fold_vi, TextError};
use langnghe_core::vnfmt;
use langnghe_store::registry::spec::{Entity, Field, Kind};
use langnghe_store::registry::{Val, Values};
use serde_json::{Map, Value};
use std::collections::HashMap;
use time::Date;

/// What validation needs to look up: admin units by code, visible records by id or name.
/// Implemented over the database for forms and the API, and over caches for imports.
pub trait Lookup {
    /// The unit with this code or name (as of the date, or today / the last
    /// pre-reform unit), if it lies inside the caller's scope.
    fn unit(
        &mut self,
        code: &str,
        as_of: Option<Date>,
    ) -> impl std::future::Future<Output = UnitLookup> + Send;
    /// A visible record of `e` by id.
    fn record(&mut self, e: Entity, id: i64) -> impl std::future::Future<Output = bool> + Send;
    /// A visible record of `e` by its label (folded comparison), for spreadsheet cells.
    fn record_by_label(
        &mut self,
        e: Entity,
        label: &str,
    ) -> impl std::future::Future<Output = Option<i64>> + Send;
    /// A visible agency by id or by name (folded comparison).
    fn agency(&mut self, raw: &str) -> impl std::future::Future<Output = Option<i64>> + Send;
    /// The admin unit of a visible village (environment assessments take their village's unit).
    fn village_unit(&mut self, id: i64) -> impl std::future::Future<Output = Option<i64>> + Send;
}

/// What [`Lookup::unit`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitLookup {
    Found(i64),
    OutOfScope,
    Unknown,
    /// A name several units bear: their labels.
    Ambiguous(Vec<String>),
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

fn text_in(input: &Map<String, Value>, key: &str) -> Option<String> {
    input
        .get(key)
        .and_then(as_text)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Accept an enum value by its key or by its label in either language.
pub fn enum_value(field: &Field, values: &[&str], raw: &str) -> Option<String> {
    if values.contains(&raw) {
        return Some(raw.to_string());
    }
    let folded = fold_vi(raw);
    for v in values {
        for lang in [Lang::Vi, Lang::En] {
            if fold_vi(&t(lang, &enum_key(field.key, v))) == folded {
                return Some(v.to_string());
            }
        }
    }
    None
}

/// The catalogue key of an enum value's label.
pub fn enum_key(field: &str, value: &str) -> String {
    let family = match field {
        "classification" => "environment_class",
        other => other,
    };
    format!("enum-{family}-{value}")
}

fn parse_bool(s: &str) -> Option<bool> {
    match fold_vi(s).as_str() {
        "1" | "true" | "co" | "x" | "yes" | "y" | "dung" => Some(true),
        "0" | "false" | "khong" | "no" | "n" | "sai" => Some(false),
        _ => None,
    }
}

/// Validate an input map against the entity's spec. `partial` keeps absent fields unset.
pub async fn validate<L: Lookup>(
    e: Entity,
    input: &Map<String, Value>,
    lookup: &mut L,
    partial: bool,
) -> Result<Values, Vec<FieldError>> {
    let mut out = Values::new();
    let mut errors = vec![];
    for fl in e.fields() {
        if fl.derived {
            continue;
        }
        let key = fl.key;
        let raw = match fl.kind {
            Kind::Unit => {
                text_in(input, "admin_unit_code").or_else(|| text_in(input, "admin_unit"))
            }
            _ => text_in(input, key),
        };
        let present = match fl.kind {
            Kind::Unit => input.contains_key("admin_unit_code") || input.contains_key("admin_unit"),
            _ => input.contains_key(key),
        };
        if partial && !present {
            continue;
        }
        let err = |k: &str| {
            FieldError::new(
                if fl.kind == Kind::Unit {
                    "admin_unit_code"
                } else {
                    key
                },
                k,
            )
        };
        // Arrays (crafts) are handled before the empty check.
        if let Kind::Refs(target) = fl.kind {
            let mut ids = vec![];
            let items: Vec<String> = match input.get(key) {
                Some(Value::Array(a)) => a.iter().filter_map(as_text).collect(),
                Some(v) => as_text(v)
                    .map(|s| {
                        s.split([',', ';', '\n'])
                            .map(|x| x.trim().to_string())
                            .filter(|x| !x.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                None => vec![],
            };
            for item in items {
                let found = match item.parse::<i64>() {
                    Ok(id) if lookup.record(target, id).await => Some(id),
                    Ok(_) => None,
                    Err(_) => lookup.record_by_label(target, &item).await,
                };
                match found {
                    Some(id) => ids.push(id),
                    None => {
                        errors.push(
                            err("error-unknown-record")
                                .arg("value", item.chars().take(100).collect::<String>()),
                        );
                    }
                }
            }
            if fl.required && ids.is_empty() {
                errors.push(err("error-required"));
            }
            out.insert(key, Val::Ids(ids));
            continue;
        }
        let Some(raw) = raw else {
            if fl.required {
                errors.push(err("error-required"));
            } else if !out.contains_key(key) {
                out.insert(key, Val::Null);
            }
            continue;
        };
        let val = match fl.kind {
            Kind::Text { max } => match clean_text(&raw, max) {
                Ok(s) => Ok(Val::Text(s)),
                Err(TextError::TooLong { max, .. }) => Err(err("error-too-long").arg("max", max)),
                Err(TextError::ControlChar { .. }) => Err(err("error-control-char")),
            },
            Kind::LongText => match clean_text(&raw, 5000) {
                Ok(s) => Ok(Val::Text(s)),
                Err(TextError::TooLong { max, .. }) => Err(err("error-too-long").arg("max", max)),
                Err(TextError::ControlChar { .. }) => Err(err("error-control-char")),
            },
            Kind::Int { min, max } => match vnfmt::parse_int(&raw) {
                Ok(n) if n >= min && n <= max => Ok(Val::I64(n)),
                Ok(_) => Err(err("error-range")
                    .arg("min", vnfmt::format_int(min))
                    .arg("max", vnfmt::format_int(max))),
                Err(vnfmt::ParseNumberError::Ambiguous(_)) => Err(err("error-number-ambiguous")
                    .arg("value", raw.chars().take(40).collect::<String>())),
                Err(_) => {
                    Err(err("error-number").arg("value", raw.chars().take(40).collect::<String>()))
                }
            },
            Kind::Money => match vnfmt::parse_money_dong(&raw) {
                Ok(n) if n >= 0 => Ok(Val::I64(n)),
                Ok(_) => Err(err("error-negative")),
                Err(_) => {
                    Err(err("error-money").arg("value", raw.chars().take(40).collect::<String>()))
                }
            },
            Kind::Decimal { min, max } => match vnfmt::parse_number(&raw) {
                Ok(x) if x >= min && x <= max => Ok(Val::F64(x)),
                Ok(_) => Err(err("error-range")
                    .arg("min", vnfmt::format_decimal_trim(min, 3))
                    .arg("max", vnfmt::format_decimal_trim(max, 3))),
                Err(vnfmt::ParseNumberError::Ambiguous(_)) => Err(err("error-number-ambiguous")
                    .arg("value", raw.chars().take(40).collect::<String>())),
                Err(_) => {
                    Err(err("error-number").arg("value", raw.chars().take(40).collect::<String>()))
                }
            },
            Kind::Year => match vnfmt::parse_int(&raw) {
                Ok(y) if (1000..=2100).contains(&y) => Ok(Val::I64(y)),
                _ => Err(err("error-year")),
            },
            Kind::Date => vnfmt::parse_date(&raw)
                .map(Val::Date)
                .map_err(|_| err("error-date")),
            Kind::Bool => parse_bool(&raw)
                .map(Val::Bool)
                .ok_or_else(|| err("error-bool")),
            Kind::Enum(values) => enum_value(fl, values, &raw)
                .map(Val::Text)
                .ok_or_else(|| err("error-enum")),
            Kind::TaxCode => langnghe_core::registry::parse_tax_code(&raw)
                .map(Val::Text)
                .map_err(|_| err("error-tax-code")),
            Kind::DocNumber => match langnghe_core::legal_doc::parse_doc_ref(&raw) {
                Ok(d) => {
                    if let Some(seq) = d.seq {
                        out.insert("seq", Val::I64(i64::from(seq)));
                    }
                    if let Some(y) = d.year.or(d.date.map(|x| x.year())) {
                        out.insert("year", Val::I64(i64::from(y)));
                    }
                    if let (Some(k), false) = (
                        d.kind.clone(),
                        input
                            .get("kind")
                            .and_then(as_text)
                            .is_some_and(|s| !s.trim().is_empty()),
                    ) {
                        out.insert("kind", Val::Text(k));
                    }
                    if let (Some(dt), false) = (
                        d.date,
                        input
                            .get("issued_on")
                            .and_then(as_text)
                            .is_some_and(|s| !s.trim().is_empty()),
                    ) {
                        out.insert("issued_on", Val::Date(dt));
                    }
                    Ok(Val::Text(d.number))
                }
                Err(_) => Err(err("error-doc-number")),
            },
            Kind::Unit => {
                let as_of = match text_in(input, "admin_unit_as_of") {
                    None => None,
                    Some(s) => match vnfmt::parse_date(&s) {
                        Ok(d) => Some(d),
                        Err(_) => {
                            errors.push(FieldError::new("admin_unit_as_of", "error-date"));
                            continue;
                        }
                    },
                };
                let code: String = raw.chars().take(crate::places::MAX_PLACE_CHARS).collect();
                match lookup.unit(&code, as_of).await {
                    UnitLookup::Found(id) => Ok(Val::I64(id)),
                    UnitLookup::OutOfScope => Err(err("error-out-of-scope")),
                    UnitLookup::Unknown => Err(crate::places::error(
                        "admin_unit_code",
                        &code,
                        &crate::places::Found::Unknown,
                    )),
                    UnitLookup::Ambiguous(labels) => Err(crate::places::error(
                        "admin_unit_code",
                        &code,
                        &crate::places::Found::Ambiguous(labels),
                    )),
                }
            }
            Kind::Ref(target) => {
                let found = match raw.parse::<i64>() {
                    Ok(id) if lookup.record(target, id).await => Some(id),
                    Ok(_) => None,
                    Err(_) => lookup.record_by_label(target, &raw).await,
                };
                found.map(Val::I64).ok_or_else(|| {
                    err("error-unknown-record")
                        .arg("value", raw.chars().take(100).collect::<String>())
                })
            }
            Kind::Agency => lookup
                .agency(&raw)
                .await
                .map(Val::I64)
                .ok_or_else(|| err("error-unknown-agency")),
            Kind::Refs(_) => continue,
        };
        match val {
            Ok(v) => {
                // Derived values set while parsing (document kind, date) give way to what was typed.
                if !out.contains_key(key) || !matches!(v, Val::Null) {
                    out.insert(key, v);
                }
            }
            Err(e) => errors.push(e),
        }
    }
    // Rules across fields and derived values.
    if let (Some(Val::I64(total)), Some(Val::I64(inc))) =
        (out.get("households_total"), out.get("households_in_craft"))
    {
        if inc > total {
            errors.push(FieldError::new("households_in_craft", "error-households"));
        }
    }
    if e == Entity::Product {
        let th = langnghe_core::registry::Thresholds::default();
        match out.get("ocop_score") {
            Some(Val::F64(s)) => match langnghe_core::registry::ocop_stars(*s) {
                Ok(stars) => {
                    out.insert("ocop_stars", Val::Text(stars.to_string()));
                }
                Err(_) => errors.push(
                    FieldError::new("ocop_score", "error-range")
                        .arg("min", 0)
                        .arg("max", 100),
                ),
            },
            Some(Val::Null) => {
                out.insert("ocop_stars", Val::Null);
            }
            _ => {}
        }
        match out.get("ocop_certified_on") {
            Some(Val::Date(d)) => {
                out.insert(
                    "ocop_expires_on",
                    Val::Date(langnghe_core::registry::ocop_expiry(*d, &th)),
                );
            }
            Some(Val::Null) => {
                out.insert("ocop_expires_on", Val::Null);
            }
            _ => {}
        }
    }
    if e == Entity::Assessment {
        if let Some(Val::I64(v)) = out.get("village_id") {
            match lookup.village_unit(*v).await {
                Some(u) => {
                    out.insert("admin_unit", Val::I64(u));
                }
                None => errors
                    .push(FieldError::new("village_id", "error-unknown-record").arg("value", v)),
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A lookup over the database, bounded by the caller's scope.
pub struct DbLookup<'a> {
    pub db: &'a langnghe_store::Db,
    pub scope_id: i64,
    labels: HashMap<Entity, HashMap<String, i64>>,
    units: HashMap<(String, Option<Date>), UnitLookup>,
    /// Language of the candidate labels in an "ambiguous place" error.
    pub lang: Lang,
    records: HashMap<(Entity, i64), bool>,
    /// What is kept under the records' revisions: a unit found by code and
    /// checked against the scope is the geography's alone.
    kept: Option<&'a crate::kept::At<'a>>,
}

impl<'a> DbLookup<'a> {
    pub fn new(db: &'a langnghe_store::Db, scope_id: i64) -> Self {
        DbLookup {
            db,
            scope_id,
            labels: HashMap::new(),
            units: HashMap::new(),
            records: HashMap::new(),
            lang: Lang::Vi,
            kept: None,
        }
    }

    /// The same lookup, finding units through what is kept under the plans'
    /// revision (the request read it before anything else).
    pub fn with_kept(mut self, kept: &'a crate::kept::At<'a>) -> Self {
        self.kept = Some(kept);
        self
    }

    /// The same lookup, labelling candidates in `lang`.
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }
}

impl Lookup for DbLookup<'_> {
    async fn unit(&mut self, code: &str, as_of: Option<Date>) -> UnitLookup {
        let key = (code.to_string(), as_of);
        if let Some(r) = self.units.get(&key) {
            return r.clone();
        }
        let (db, lang, scope) = (self.db, self.lang, self.scope_id);
        // A database error is not an answer: it is not kept, and this
        // request reads the unit as unknown (as before there was a kept one).
        let find = || async move {
            Ok::<_, crate::error::AppError>(
                match crate::places::find(db, lang, code, None, as_of).await? {
                    crate::places::Found::Unit(u) => {
                        if langnghe_store::geo::covers(db, scope, u.id).await? {
                            UnitLookup::Found(u.id)
                        } else {
                            UnitLookup::OutOfScope
                        }
                    }
                    crate::places::Found::Ambiguous(l) => UnitLookup::Ambiguous(l),
                    crate::places::Found::Unknown => UnitLookup::Unknown,
                },
            )
        };
        let r = match self.kept {
            Some(kept) => {
                let key = crate::kept::Key::UnitLookup {
                    code: code.to_string(),
                    as_of,
                    scope,
                    lang,
                };
                match kept.get(key, find).await {
                    Ok(r) => UnitLookup::clone(&r),
                    Err(_) => UnitLookup::Unknown,
                }
            }
            None => find().await.unwrap_or(UnitLookup::Unknown),
        };
        self.units.insert(key, r.clone());
        r
    }

    async fn record(&mut self, e: Entity, id: i64) -> bool {
        if let Some(v) = self.records.get(&(e, id)) {
            return *v;
        }
        let v = langnghe_store::registry::visible(self.db, e, self.scope_id, id)
            .await
            .unwrap_or(false);
        self.records.insert((e, id), v);
        v
    }

    async fn record_by_label(&mut self, e: Entity, label: &str) -> Option<i64> {
        if !self.labels.contains_key(&e) {
            let opts = langnghe_store::registry::options(self.db, e, self.scope_id, 1_000_000)
                .await
                .unwrap_or_default();
            let mut m = HashMap::new();
            for (id, l) in opts {
                m.entry(fold_vi(&l)).or_insert(id);
            }
            self.labels.insert(e, m);
        }
        self.labels
            .get(&e)
            .and_then(|m| m.get(&fold_vi(label)).copied())
    }

    async fn agency(&mut self, raw: &str) -> Option<i64> {
        if let Ok(id) = raw.parse::<i64>() {
            return langnghe_store::agencies::get(self.db, self.scope_id, id)
                .await
                .ok()
                .flatten()
                .map(|a| a.id);
        }
        let folded = fold_vi(raw);
        langnghe_store::agencies::options(self.db, self.scope_id)
            .await
            .ok()?
            .into_iter()
            .find(|(_, name)| fold_vi(name) == folded)
            .map(|(id, _)| id)
    }

    async fn village_unit(&mut self, id: i64) -> Option<i64> {
        langnghe_store::registry::get(self.db, Entity::Village, self.scope_id, id)
            .await
            .ok()
            .flatten()
            .and_then(|r| r.get("admin_unit_id").and_then(Value::as_i64))
    }
}
