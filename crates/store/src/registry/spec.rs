//! What each registry entity holds, as data: one spec drives the SQL, the
//! forms, the lists and filters, the API schema, the exports and the imports.

use langnghe_core::registry::CraftGroup;

/// Kinds of registry record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    Document,
    Craft,
    Village,
    Establishment,
    Artisan,
    Product,
    Assessment,
}

/// How a field is stored, validated and shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text {
        max: usize,
    },
    LongText,
    Int {
        min: i64,
        max: i64,
    },
    /// Integer đồng.
    Money,
    Decimal {
        min: f64,
        max: f64,
    },
    Year,
    Date,
    /// Tri-state: yes / no / unknown.
    Bool,
    Enum(&'static [&'static str]),
    /// The administrative unit (column `admin_unit_id`), given as code + as-of date.
    Unit,
    /// A reference to another record (column `<key>`, e.g. `village_id`).
    Ref(Entity),
    /// A reference to an agency (column `<key>`).
    Agency,
    /// Many references through a join table (villages ↔ crafts).
    Refs(Entity),
    /// Vietnamese tax code, normalised.
    TaxCode,
    /// A legal document number, parsed into sequence, year, kind and issuer.
    DocNumber,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Shown as a list column.
    pub list: bool,
    /// Offered as a list filter.
    pub filter: bool,
    /// The list can be sorted by it.
    pub sort: bool,
    /// Its text goes into the search index.
    pub search: bool,
    /// Computed by the system (not editable).
    pub derived: bool,
}

const fn f(key: &'static str, kind: Kind) -> Field {
    Field {
        key,
        kind,
        required: false,
        list: false,
        filter: false,
        sort: false,
        search: false,
        derived: false,
    }
}

impl Field {
    const fn req(mut self) -> Field {
        self.required = true;
        self
    }
    const fn list(mut self) -> Field {
        self.list = true;
        self
    }
    const fn filter(mut self) -> Field {
        self.filter = true;
        self
    }
    const fn sort(mut self) -> Field {
        self.sort = true;
        self
    }
    const fn search(mut self) -> Field {
        self.search = true;
        self
    }
    const fn derived(mut self) -> Field {
        self.derived = true;
        self
    }

    /// The database column holding this field (`None` for join-table fields).
    pub fn column(&self) -> Option<&'static str> {
        match self.kind {
            Kind::Unit => Some("admin_unit_id"),
            Kind::Refs(_) => None,
            _ => Some(self.key),
        }
    }
}

pub const VILLAGE_STATUSES: &[&str] = &[
    "recognised",
    "traditional",
    "at_risk",
    "restoring",
    "new",
    "inactive",
];
pub const ARTISAN_TITLES: &[&str] = &["people", "meritorious", "provincial", "skilled"];
pub const ESTABLISHMENT_KINDS: &[&str] = &["household", "cooperative", "enterprise", "coop_group"];
pub const ENVIRONMENT_CLASSES: &[&str] = &["meets", "minor", "polluted"];
pub const OCOP_STARS: &[&str] = &["1", "2", "3", "4", "5"];

const TEXT: Kind = Kind::Text { max: 300 };
const SHORT: Kind = Kind::Text { max: 100 };
const COUNT: Kind = Kind::Int {
    min: 0,
    max: 100_000_000,
};

static DOCUMENT: &[Field] = &[
    f("number", Kind::DocNumber).list().sort().search(),
    f("kind", Kind::Text { max: 20 }).list().filter(),
    f("issuer", TEXT).list().search(),
    f("issuer_agency_id", Kind::Agency),
    f("issued_on", Kind::Date).list().sort(),
    f("title", Kind::Text { max: 1000 }).req().list().search(),
    f("admin_unit", Kind::Unit).filter(),
    f("seq", COUNT).derived(),
    f("year", Kind::Year).derived().filter(),
    f("notes", Kind::LongText),
];

static CRAFT: &[Field] = &[
    f("name", TEXT).req().list().sort().search(),
    f("craft_group", Kind::Enum(&CraftGroup::TEXTS))
        .req()
        .list()
        .filter()
        .sort(),
    f("is_traditional", Kind::Bool).list().filter(),
    f("ethnic_groups", Kind::Text { max: 200 })
        .list()
        .filter()
        .search(),
    f("first_known_year", Kind::Year),
    f("still_practised", Kind::Bool),
    f("cultural_identity", Kind::Bool),
    f("named_artisan_or_village", Kind::Bool),
    f("recognition_doc_id", Kind::Ref(Entity::Document)),
    f("admin_unit", Kind::Unit).filter(),
    f("notes", Kind::LongText),
];

static VILLAGE: &[Field] = &[
    f("name", TEXT).req().list().sort().search(),
    f("hamlet", SHORT).search(),
    f("admin_unit", Kind::Unit).req().list().filter().sort(),
    f("crafts", Kind::Refs(Entity::Craft))
        .list()
        .filter()
        .search(),
    f("status", Kind::Enum(VILLAGE_STATUSES))
        .req()
        .list()
        .filter()
        .sort(),
    f("recognition_doc_id", Kind::Ref(Entity::Document)),
    f("households_total", COUNT).list().sort(),
    f("households_in_craft", COUNT),
    f("workers", COUNT).list().sort(),
    f("production_value", Kind::Money).list().sort(),
    f("avg_income", Kind::Money),
    f("stable_since_year", Kind::Year),
    f("environment_ok", Kind::Bool),
    f("tourism", Kind::Bool).filter(),
    f("environment_class", Kind::Enum(ENVIRONMENT_CLASSES)).filter(),
    f("ethnic_group", SHORT).filter().search(),
    f(
        "lat",
        Kind::Decimal {
            min: -90.0,
            max: 90.0,
        },
    ),
    f(
        "lon",
        Kind::Decimal {
            min: -180.0,
            max: 180.0,
        },
    ),
    f("notes", Kind::LongText),
];

static ESTABLISHMENT: &[Field] = &[
    f("name", TEXT).req().list().sort().search(),
    f("kind", Kind::Enum(ESTABLISHMENT_KINDS))
        .req()
        .list()
        .filter()
        .sort(),
    f("tax_code", Kind::TaxCode).list().search(),
    f("village_id", Kind::Ref(Entity::Village)).list(),
    f("admin_unit", Kind::Unit).req().list().filter().sort(),
    f("workers", COUNT).list().sort(),
    f("main_products", Kind::Text { max: 500 }).list().search(),
    f("notes", Kind::LongText),
];

static ARTISAN: &[Field] = &[
    f("name", TEXT).req().list().sort().search(),
    f("title", Kind::Enum(ARTISAN_TITLES))
        .req()
        .list()
        .filter()
        .sort(),
    f("year_awarded", Kind::Year).list().sort(),
    f("craft_id", Kind::Ref(Entity::Craft)).list(),
    f("village_id", Kind::Ref(Entity::Village)).list(),
    f("admin_unit", Kind::Unit).req().list().filter().sort(),
    f("ethnic_group", SHORT).list().filter().search(),
    f("notes", Kind::LongText),
];

static PRODUCT: &[Field] = &[
    f("name", TEXT).req().list().sort().search(),
    f("producer", TEXT).list().search(),
    f("establishment_id", Kind::Ref(Entity::Establishment)),
    f("village_id", Kind::Ref(Entity::Village)).list(),
    f("admin_unit", Kind::Unit).req().list().filter().sort(),
    f(
        "ocop_score",
        Kind::Decimal {
            min: 0.0,
            max: 100.0,
        },
    )
    .list(),
    f("ocop_stars", Kind::Enum(OCOP_STARS))
        .derived()
        .list()
        .filter()
        .sort(),
    f("ocop_year", Kind::Year).list(),
    f("ocop_certified_on", Kind::Date).list(),
    f("ocop_expires_on", Kind::Date).derived().list().sort(),
    f("ocop_doc_id", Kind::Ref(Entity::Document)),
    f("brand", TEXT).search(),
    f("collective_trademark", TEXT),
    f("geographical_indication", TEXT),
    f("notes", Kind::LongText),
];

static ASSESSMENT: &[Field] = &[
    f("village_id", Kind::Ref(Entity::Village)).req().list(),
    f("admin_unit", Kind::Unit).derived().list().filter(),
    f("assessed_on", Kind::Date).req().list().sort(),
    f("water_samples", COUNT).list(),
    f("air_samples", COUNT).list(),
    f("classification", Kind::Enum(ENVIRONMENT_CLASSES))
        .req()
        .list()
        .filter(),
    f("document_id", Kind::Ref(Entity::Document)),
    f("notes", Kind::LongText),
];

impl Entity {
    pub const ALL: [Entity; 7] = [
        Entity::Village,
        Entity::Craft,
        Entity::Establishment,
        Entity::Artisan,
        Entity::Product,
        Entity::Assessment,
        Entity::Document,
    ];

    pub fn fields(self) -> &'static [Field] {
        match self {
            Entity::Document => DOCUMENT,
            Entity::Craft => CRAFT,
            Entity::Village => VILLAGE,
            Entity::Establishment => ESTABLISHMENT,
            Entity::Artisan => ARTISAN,
            Entity::Product => PRODUCT,
            Entity::Assessment => ASSESSMENT,
        }
    }

    pub fn field(self, key: &str) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.key == key)
    }

    pub fn table(self) -> &'static str {
        match self {
            Entity::Document => "legal_documents",
            Entity::Craft => "crafts",
            Entity::Village => "villages",
            Entity::Establishment => "establishments",
            Entity::Artisan => "artisans",
            Entity::Product => "products",
            Entity::Assessment => "environment_assessments",
        }
    }

    /// Path segment of pages and API (`/villages`, `/api/v1/villages`).
    pub fn slug(self) -> &'static str {
        match self {
            Entity::Document => "documents",
            Entity::Craft => "crafts",
            Entity::Village => "villages",
            Entity::Establishment => "establishments",
            Entity::Artisan => "artisans",
            Entity::Product => "products",
            Entity::Assessment => "environment-assessments",
        }
    }

    /// Name used in search hits, audit rows and message keys.
    pub fn kind(self) -> &'static str {
        match self {
            Entity::Document => "document",
            Entity::Craft => "craft",
            Entity::Village => "village",
            Entity::Establishment => "establishment",
            Entity::Artisan => "artisan",
            Entity::Product => "product",
            Entity::Assessment => "environment_assessment",
        }
    }

    /// The kind of record its audit rows name (the same text as [`Entity::kind`]).
    pub fn audit_entity(self) -> crate::audit::AuditEntity {
        use crate::audit::AuditEntity as A;
        match self {
            Entity::Document => A::Document,
            Entity::Craft => A::Craft,
            Entity::Village => A::Village,
            Entity::Establishment => A::Establishment,
            Entity::Artisan => A::Artisan,
            Entity::Product => A::Product,
            Entity::Assessment => A::EnvironmentAssessment,
        }
    }

    pub fn from_slug(s: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.slug() == s)
    }

    pub fn from_kind(s: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.kind() == s)
    }

    /// The column that names a record in lists, links and search hits.
    pub fn label_column(self) -> &'static str {
        match self {
            Entity::Document => "number",
            Entity::Assessment => "assessed_on",
            _ => "name",
        }
    }

    /// SQL naming a record of this entity in table alias `a` (documents without a number go by title).
    pub fn label_expr(self, a: &str) -> String {
        match self {
            Entity::Document => format!("COALESCE({a}.number, {a}.title)"),
            _ => format!("CAST({a}.{} AS TEXT)", self.label_column()),
        }
    }

    /// Whether records must lie in an admin unit (and so are scoped by it).
    pub fn unit_required(self) -> bool {
        self.fields()
            .iter()
            .any(|f| f.kind == Kind::Unit && (f.required || f.derived))
    }

    /// Entities that can be imported from a spreadsheet.
    pub fn importable(self) -> bool {
        matches!(
            self,
            Entity::Village | Entity::Establishment | Entity::Artisan | Entity::Product
        )
    }

    /// The default sort of lists.
    pub fn default_sort(self) -> &'static str {
        match self {
            Entity::Document => "-issued_on",
            Entity::Assessment => "-assessed_on",
            _ => "name",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entity_is_consistent() {
        for e in Entity::ALL {
            assert_eq!(Entity::from_slug(e.slug()), Some(e));
            assert_eq!(Entity::from_kind(e.kind()), Some(e));
            let keys: Vec<_> = e.fields().iter().map(|f| f.key).collect();
            let mut dedup = keys.clone();
            dedup.sort_unstable();
            dedup.dedup();
            assert_eq!(keys.len(), dedup.len(), "{e:?} has duplicate fields");
            for fl in e.fields() {
                if fl.sort {
                    assert!(
                        fl.column().is_some(),
                        "{e:?}.{} sorts but has no column",
                        fl.key
                    );
                }
            }
        }
        assert!(Entity::Village.unit_required());
        assert!(!Entity::Craft.unit_required());
        assert!(Entity::Assessment.unit_required());
    }
}
