//! The craft-village registry rules: classification keys, the recognition
//! checklists of Decree 52/2018/NĐ-CP, OCOP stars and certificate validity,
//! environmental reassessment deadlines and Vietnamese tax codes.
//!
//! Every legal figure (20 % of households, 2 years, 50 years, 36 months, …)
//! is a default of [`Thresholds`], so a province that applies other figures
//! only changes configuration. All functions are pure.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Date, Month};

use crate::vnfmt::{format_int, format_percent, ratio_percent};

/// Why a registry value was rejected.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RegistryError {
    /// A craft group code outside 1–7.
    #[error("unknown craft group {0} (expected 1 to 7)")]
    UnknownCraftGroup(u8),
    /// An OCOP score that is not a number between 0 and 100.
    #[error("OCOP score {0} is outside 0 to 100")]
    ScoreOutOfRange(f64),
    /// A tax code that is empty once spaces and dots are removed.
    #[error("tax code is empty")]
    EmptyTaxCode,
    /// A tax code containing something other than digits and one `-`
    /// before a 3-digit branch number. Holds the input, trimmed.
    #[error("tax code {0:?} may only contain digits (and one '-' before a branch number)")]
    NotDigits(String),
    /// A tax code whose digits do not form 10 digits, 10 + 3 digits
    /// (branch) or 12 digits (personal identification number).
    #[error(
        "tax code has {len} digits; expected 10, 13 (10 + 3-digit branch) \
         or 12 (personal identification number)"
    )]
    WrongLength { len: usize },
    /// The 10th digit does not match the first nine. `expected` is `None`
    /// when no check digit can match (the formula gives 10).
    #[error("tax code check digit {found} does not match the first nine digits")]
    BadCheckDigit { found: u8, expected: Option<u8> },
    /// Branch number `000`, which is never issued.
    #[error("tax code branch number 000 is not issued")]
    BadBranch,
}

/// Defines a closed set of keys stored as snake_case strings, with
/// Vietnamese and English names, `as_str`, `parse`, `ALL` and `Display`.
macro_rules! key_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $key:literal, $vi:literal, $en:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $key)] $variant, )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored key (snake_case).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)+
                }
            }

            /// Vietnamese name for the UI.
            pub fn name_vi(self) -> &'static str {
                match self {
                    $($name::$variant => $vi,)+
                }
            }

            /// English name for the UI.
            pub fn name_en(self) -> &'static str {
                match self {
                    $($name::$variant => $en,)+
                }
            }

            /// Parses a stored key; surrounding whitespace and ASCII case
            /// are ignored. `None` for anything else.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

// ---------------------------------------------------------------------------
// Classifications
// ---------------------------------------------------------------------------

/// The seven groups of rural-industry activities of Decree 52/2018/NĐ-CP,
/// article 4. Stored and serialised as the group number 1–7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum CraftGroup {
    /// 1. Chế biến, bảo quản nông, lâm, thủy sản.
    AgroForestryFisheryProcessing,
    /// 2. Sản xuất hàng thủ công mỹ nghệ.
    FineArtHandicrafts,
    /// 3. Xử lý, chế biến nguyên vật liệu phục vụ sản xuất ngành nghề nông thôn.
    MaterialProcessing,
    /// 4. Sản xuất đồ gỗ, mây tre đan, gốm sứ, thủy tinh, dệt may, sợi,
    ///    thêu ren, đan lát, cơ khí nhỏ.
    WoodRattanCeramicTextileMechanics,
    /// 5. Sản xuất và kinh doanh sinh vật cảnh.
    OrnamentalCreatures,
    /// 6. Sản xuất muối.
    Salt,
    /// 7. Các dịch vụ phục vụ sản xuất, đời sống dân cư nông thôn.
    RuralServices,
}

impl CraftGroup {
    /// Every group, in the decree's order.
    pub const ALL: [CraftGroup; 7] = [
        CraftGroup::AgroForestryFisheryProcessing,
        CraftGroup::FineArtHandicrafts,
        CraftGroup::MaterialProcessing,
        CraftGroup::WoodRattanCeramicTextileMechanics,
        CraftGroup::OrnamentalCreatures,
        CraftGroup::Salt,
        CraftGroup::RuralServices,
    ];

    /// The group number in the decree, 1–7.
    pub fn code(self) -> u8 {
        match self {
            CraftGroup::AgroForestryFisheryProcessing => 1,
            CraftGroup::FineArtHandicrafts => 2,
            CraftGroup::MaterialProcessing => 3,
            CraftGroup::WoodRattanCeramicTextileMechanics => 4,
            CraftGroup::OrnamentalCreatures => 5,
            CraftGroup::Salt => 6,
            CraftGroup::RuralServices => 7,
        }
    }

    /// The stored text: the group number, `"1"` … `"7"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CraftGroup::AgroForestryFisheryProcessing => "1",
            CraftGroup::FineArtHandicrafts => "2",
            CraftGroup::MaterialProcessing => "3",
            CraftGroup::WoodRattanCeramicTextileMechanics => "4",
            CraftGroup::OrnamentalCreatures => "5",
            CraftGroup::Salt => "6",
            CraftGroup::RuralServices => "7",
        }
    }

    /// Every group's stored text, in the decree's order (what a form offers
    /// and a filter accepts, exactly).
    pub const TEXTS: [&'static str; 7] = [
        CraftGroup::AgroForestryFisheryProcessing.as_str(),
        CraftGroup::FineArtHandicrafts.as_str(),
        CraftGroup::MaterialProcessing.as_str(),
        CraftGroup::WoodRattanCeramicTextileMechanics.as_str(),
        CraftGroup::OrnamentalCreatures.as_str(),
        CraftGroup::Salt.as_str(),
        CraftGroup::RuralServices.as_str(),
    ];

    /// The group for a number 1–7.
    pub fn from_code(code: u8) -> Option<CraftGroup> {
        CraftGroup::ALL.iter().copied().find(|g| g.code() == code)
    }

    /// Parses `"1"` … `"7"` (surrounding whitespace ignored).
    pub fn parse(s: &str) -> Option<CraftGroup> {
        match s.trim() {
            "1" => Some(CraftGroup::AgroForestryFisheryProcessing),
            "2" => Some(CraftGroup::FineArtHandicrafts),
            "3" => Some(CraftGroup::MaterialProcessing),
            "4" => Some(CraftGroup::WoodRattanCeramicTextileMechanics),
            "5" => Some(CraftGroup::OrnamentalCreatures),
            "6" => Some(CraftGroup::Salt),
            "7" => Some(CraftGroup::RuralServices),
            _ => None,
        }
    }

    /// The group's wording in the decree.
    pub fn name_vi(self) -> &'static str {
        match self {
            CraftGroup::AgroForestryFisheryProcessing => "Chế biến, bảo quản nông, lâm, thủy sản",
            CraftGroup::FineArtHandicrafts => "Sản xuất hàng thủ công mỹ nghệ",
            CraftGroup::MaterialProcessing => {
                "Xử lý, chế biến nguyên vật liệu phục vụ sản xuất ngành nghề nông thôn"
            }
            CraftGroup::WoodRattanCeramicTextileMechanics => {
                "Sản xuất đồ gỗ, mây tre đan, gốm sứ, thủy tinh, dệt may, sợi, thêu ren, \
                 đan lát, cơ khí nhỏ"
            }
            CraftGroup::OrnamentalCreatures => "Sản xuất và kinh doanh sinh vật cảnh",
            CraftGroup::Salt => "Sản xuất muối",
            CraftGroup::RuralServices => "Các dịch vụ phục vụ sản xuất, đời sống dân cư nông thôn",
        }
    }

    /// English name for the UI.
    pub fn name_en(self) -> &'static str {
        match self {
            CraftGroup::AgroForestryFisheryProcessing => {
                "Processing and preserving agricultural, forestry and aquatic products"
            }
            CraftGroup::FineArtHandicrafts => "Fine-art handicrafts",
            CraftGroup::MaterialProcessing => "Processing materials for rural-industry production",
            CraftGroup::WoodRattanCeramicTextileMechanics => {
                "Wood, rattan and bamboo, ceramics, glass, textiles, yarn, embroidery, \
                 weaving and small mechanical products"
            }
            CraftGroup::OrnamentalCreatures => {
                "Producing and trading ornamental plants and animals"
            }
            CraftGroup::Salt => "Salt making",
            CraftGroup::RuralServices => "Services for rural production and daily life",
        }
    }
}

impl From<CraftGroup> for u8 {
    fn from(g: CraftGroup) -> u8 {
        g.code()
    }
}

impl TryFrom<u8> for CraftGroup {
    type Error = RegistryError;

    fn try_from(code: u8) -> Result<CraftGroup, RegistryError> {
        CraftGroup::from_code(code).ok_or(RegistryError::UnknownCraftGroup(code))
    }
}

impl fmt::Display for CraftGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

key_enum! {
    /// Where a village stands in the registry.
    VillageStatus {
        /// Recognised as a craft village (làng nghề).
        Recognised => "recognised", "Làng nghề đã được công nhận", "Recognised craft village";
        /// Recognised as a traditional craft village (làng nghề truyền thống).
        Traditional => "traditional", "Làng nghề truyền thống", "Traditional craft village";
        /// The craft is at risk of dying out (có nguy cơ mai một).
        AtRisk => "at_risk", "Có nguy cơ mai một", "At risk of dying out";
        /// The craft is being revived (đang khôi phục).
        Restoring => "restoring", "Đang khôi phục", "Being restored";
        /// A new craft village (làng nghề mới), not yet recognised.
        New => "new", "Làng nghề mới", "New craft village";
        /// No longer practised (ngừng hoạt động).
        Inactive => "inactive", "Ngừng hoạt động", "Inactive";
    }
}

key_enum! {
    /// Titles awarded to artisans and craftspeople.
    ArtisanTitle {
        /// Nghệ nhân nhân dân, the highest State title.
        NgheNhanNhanDan => "people", "Nghệ nhân nhân dân", "People's Artisan";
        /// Nghệ nhân ưu tú, the State title below it.
        NgheNhanUuTu => "meritorious", "Nghệ nhân ưu tú", "Meritorious Artisan";
        /// A title awarded by the province (nghệ nhân cấp tỉnh).
        Provincial => "provincial", "Nghệ nhân cấp tỉnh", "Provincial artisan";
        /// Thợ giỏi, thợ lành nghề: a recognised skilled craftsperson.
        ThoGioi => "skilled", "Thợ giỏi", "Skilled craftsperson";
    }
}

key_enum! {
    /// The legal form of a rural-industry establishment (cơ sở ngành nghề nông thôn).
    EstablishmentKind {
        /// Hộ gia đình, hộ kinh doanh.
        Household => "household", "Hộ gia đình", "Household";
        /// Hợp tác xã (HTX).
        Cooperative => "cooperative", "Hợp tác xã", "Cooperative";
        /// Doanh nghiệp.
        Enterprise => "enterprise", "Doanh nghiệp", "Enterprise";
        /// Tổ hợp tác.
        CooperativeGroup => "coop_group", "Tổ hợp tác", "Cooperative group";
    }
}

key_enum! {
    /// The outcome of a village's environmental assessment.
    EnvironmentClass {
        /// Meets the environmental protection conditions for craft villages.
        Meets => "meets", "Đáp ứng điều kiện bảo vệ môi trường", "Meets environmental conditions";
        /// Some indicators exceed the technical regulations.
        Minor => "minor", "Có chỉ tiêu vượt quy chuẩn", "Some indicators exceed limits";
        /// Seriously polluted.
        Polluted => "polluted", "Ô nhiễm môi trường nghiêm trọng", "Seriously polluted";
    }
}

impl EnvironmentClass {
    /// Whether this outcome satisfies the environment criterion of a craft
    /// village (only [`EnvironmentClass::Meets`] does); usable as
    /// [`VillageFacts::environment_ok`].
    pub fn is_ok(self) -> bool {
        self == EnvironmentClass::Meets
    }
}

// ---------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------

/// The figures the rules use; the defaults are those of the law.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Minimum share of the village's households taking part in the craft,
    /// in percent (Decree 52/2018, art. 5.1.a: 20 %).
    pub household_share_pct: f64,
    /// Minimum years of stable production up to the request (art. 5.1.b: 2).
    pub stable_years: u32,
    /// A traditional craft must have existed for more than this many years
    /// (art. 5.2.a: "từ trên 50 năm").
    pub traditional_min_years: u32,
    /// Validity of an OCOP certificate, in months (36).
    pub ocop_valid_months: u32,
    /// A certificate is "expiring soon" this many days before it expires.
    pub ocop_expiring_days: u32,
    /// Years between environmental assessments of a craft village
    /// (Circular 31/2016/TT-BTNMT: 2).
    pub env_reassess_years: u32,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            household_share_pct: 20.0,
            stable_years: 2,
            traditional_min_years: 50,
            ocop_valid_months: 36,
            ocop_expiring_days: 90,
            env_reassess_years: 2,
        }
    }
}

// ---------------------------------------------------------------------------
// Recognition checklists (Decree 52/2018/NĐ-CP, art. 5)
// ---------------------------------------------------------------------------

/// Criterion key: share of households in the craft (art. 5.1.a).
pub const KEY_HOUSEHOLDS_SHARE: &str = "households_share";
/// Criterion key: stable production for the required years (art. 5.1.b).
pub const KEY_STABLE_PRODUCTION: &str = "stable_production";
/// Criterion key: environmental protection conditions (art. 5.1.c).
pub const KEY_ENVIRONMENT: &str = "environment";
/// Criterion key: the craft has existed for more than 50 years and is still
/// practised (art. 5.2.a).
pub const KEY_AGE_OVER_50: &str = "age_over_50";
/// Criterion key: products carry national cultural identity (art. 5.2.b).
pub const KEY_CULTURAL_IDENTITY: &str = "cultural_identity";
/// Criterion key: linked to named artisans or to the village (art. 5.2.c).
pub const KEY_NAMED_ARTISAN_OR_VILLAGE: &str = "named_artisan_or_village";
/// Criterion key: the village meets the craft-village criteria (art. 5.3).
pub const KEY_IS_CRAFT_VILLAGE: &str = "is_craft_village";
/// Criterion key: the village has a recognised traditional craft (art. 5.3).
pub const KEY_HAS_TRADITIONAL_CRAFT: &str = "has_traditional_craft";

/// Short Vietnamese label of a criterion key, for checklists in the UI.
pub fn criterion_label_vi(key: &str) -> Option<&'static str> {
    Some(match key {
        KEY_HOUSEHOLDS_SHARE => "Tỷ lệ hộ tham gia hoạt động ngành nghề",
        KEY_STABLE_PRODUCTION => "Sản xuất kinh doanh ổn định liên tục",
        KEY_ENVIRONMENT => "Điều kiện bảo vệ môi trường làng nghề",
        KEY_AGE_OVER_50 => "Nghề xuất hiện từ trên 50 năm và đang phát triển",
        KEY_CULTURAL_IDENTITY => "Sản phẩm mang bản sắc văn hóa dân tộc",
        KEY_NAMED_ARTISAN_OR_VILLAGE => "Gắn với tên tuổi nghệ nhân hoặc làng nghề",
        KEY_IS_CRAFT_VILLAGE => "Đạt tiêu chí làng nghề",
        KEY_HAS_TRADITIONAL_CRAFT => "Có ít nhất một nghề truyền thống được công nhận",
        _ => return None,
    })
}

/// Short English label of a criterion key.
pub fn criterion_label_en(key: &str) -> Option<&'static str> {
    Some(match key {
        KEY_HOUSEHOLDS_SHARE => "Share of households in the craft",
        KEY_STABLE_PRODUCTION => "Stable production",
        KEY_ENVIRONMENT => "Environmental conditions",
        KEY_AGE_OVER_50 => "Craft over 50 years old and still practised",
        KEY_CULTURAL_IDENTITY => "Products carry cultural identity",
        KEY_NAMED_ARTISAN_OR_VILLAGE => "Linked to named artisans or the village",
        KEY_IS_CRAFT_VILLAGE => "Meets the craft-village criteria",
        KEY_HAS_TRADITIONAL_CRAFT => "Has a recognised traditional craft",
        _ => return None,
    })
}

/// The outcome of one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    Met,
    NotMet,
    /// The data needed to decide is missing or inconsistent.
    Unknown,
}

impl Check {
    /// `Some(true)` → `Met`, `Some(false)` → `NotMet`, `None` → `Unknown`.
    pub fn from_option(value: Option<bool>) -> Check {
        match value {
            Some(true) => Check::Met,
            Some(false) => Check::NotMet,
            None => Check::Unknown,
        }
    }

    /// The stored key: `met`, `not_met`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Met => "met",
            Check::NotMet => "not_met",
            Check::Unknown => "unknown",
        }
    }
}

/// One line of a recognition checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// One of the `KEY_*` constants.
    pub key: &'static str,
    pub status: Check,
    /// The figures behind the status, in Vietnamese, e.g.
    /// `"45/180 hộ = 25 % (cần ≥ 20 %)"`.
    pub detail: Option<String>,
}

impl Criterion {
    fn new(key: &'static str, status: Check, detail: String) -> Criterion {
        Criterion {
            key,
            status,
            detail: Some(detail),
        }
    }
}

/// Combines a checklist: every criterion met → `Met`; any not met →
/// `NotMet`; otherwise (something unknown, or an empty list) → `Unknown`.
pub fn overall(checks: &[Criterion]) -> Check {
    if checks.iter().any(|c| c.status == Check::NotMet) {
        Check::NotMet
    } else if !checks.is_empty() && checks.iter().all(|c| c.status == Check::Met) {
        Check::Met
    } else {
        Check::Unknown
    }
}

/// What is known about a village, for the craft-village checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VillageFacts {
    /// Households living in the village.
    pub households_total: Option<i64>,
    /// Households taking part in rural-industry activities.
    pub households_in_craft: Option<i64>,
    /// First year of (uninterrupted) stable production.
    pub stable_since_year: Option<i32>,
    /// The year of the recognition request (or of the review).
    pub as_of_year: i32,
    /// Whether the environmental protection conditions are met.
    pub environment_ok: Option<bool>,
}

/// The craft-village (làng nghề) checklist of Decree 52/2018/NĐ-CP, art.
/// 5.1, in the decree's order: [`KEY_HOUSEHOLDS_SHARE`],
/// [`KEY_STABLE_PRODUCTION`], [`KEY_ENVIRONMENT`].
///
/// - Households: met when `in_craft / total ≥ household_share_pct`; unknown
///   when a figure is missing or inconsistent (total ≤ 0, negative, or more
///   households in the craft than in the village).
/// - Stable production: the number of years is `as_of_year −
///   stable_since_year` (since 2021 as of 2022 = 1 year); met when at least
///   `stable_years`; unknown when missing or in the future.
/// - Environment: as given.
pub fn craft_village_checklist(f: &VillageFacts, t: &Thresholds) -> Vec<Criterion> {
    vec![
        households_criterion(f, t),
        stable_criterion(f, t),
        environment_criterion(f.environment_ok),
    ]
}

fn households_criterion(f: &VillageFacts, t: &Thresholds) -> Criterion {
    let key = KEY_HOUSEHOLDS_SHARE;
    let required = format_percent(t.household_share_pct, 1);
    let (in_craft, total) = match (f.households_in_craft, f.households_total) {
        (Some(n), Some(total)) => (n, total),
        (None, Some(_)) => {
            return Criterion::new(key, Check::Unknown, "thiếu số hộ tham gia".to_owned())
        }
        (Some(_), None) => {
            return Criterion::new(key, Check::Unknown, "thiếu tổng số hộ".to_owned())
        }
        (None, None) => {
            return Criterion::new(
                key,
                Check::Unknown,
                "thiếu số hộ tham gia và tổng số hộ".to_owned(),
            )
        }
    };
    if total <= 0 || in_craft < 0 || in_craft > total {
        return Criterion::new(
            key,
            Check::Unknown,
            format!(
                "số liệu không hợp lệ: {}/{} hộ",
                format_int(in_craft),
                format_int(total)
            ),
        );
    }
    // Counts of households are far below 2^53, so the conversion is exact.
    let Some(pct) = ratio_percent(in_craft as f64, total as f64) else {
        return Criterion::new(key, Check::Unknown, "không tính được tỷ lệ hộ".to_owned());
    };
    let status = if pct >= t.household_share_pct {
        Check::Met
    } else {
        Check::NotMet
    };
    let detail = format!(
        "{}/{} hộ = {} (cần ≥ {required})",
        format_int(in_craft),
        format_int(total),
        format_percent(pct, 1)
    );
    Criterion::new(key, status, detail)
}

fn stable_criterion(f: &VillageFacts, t: &Thresholds) -> Criterion {
    let key = KEY_STABLE_PRODUCTION;
    let Some(since) = f.stable_since_year else {
        return Criterion::new(
            key,
            Check::Unknown,
            "thiếu năm bắt đầu sản xuất ổn định".to_owned(),
        );
    };
    let years = i64::from(f.as_of_year) - i64::from(since);
    if years < 0 {
        return Criterion::new(
            key,
            Check::Unknown,
            format!("năm bắt đầu ({since}) sau năm xét ({})", f.as_of_year),
        );
    }
    let status = if years >= i64::from(t.stable_years) {
        Check::Met
    } else {
        Check::NotMet
    };
    let detail = format!(
        "ổn định từ năm {since} đến năm {}: {years} năm (cần ≥ {} năm liên tục)",
        f.as_of_year, t.stable_years
    );
    Criterion::new(key, status, detail)
}

fn environment_criterion(ok: Option<bool>) -> Criterion {
    let detail = match ok {
        Some(true) => "đáp ứng điều kiện bảo vệ môi trường làng nghề",
        Some(false) => "chưa đáp ứng điều kiện bảo vệ môi trường làng nghề",
        None => "chưa có kết quả đánh giá điều kiện bảo vệ môi trường",
    };
    Criterion::new(KEY_ENVIRONMENT, Check::from_option(ok), detail.to_owned())
}

/// What is known about a craft, for the traditional-craft checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CraftFacts {
    /// The earliest year the craft is known in the locality.
    pub first_known_year: Option<i32>,
    /// The year of the recognition request (or of the review).
    pub as_of_year: i32,
    /// Whether the craft is still practised (and developing).
    pub still_practised: Option<bool>,
    /// Whether its products carry national cultural identity.
    pub cultural_identity: Option<bool>,
    /// Whether it is linked to the name of artisans or of the village.
    pub named_artisan_or_village: Option<bool>,
}

/// The traditional-craft (nghề truyền thống) checklist of Decree
/// 52/2018/NĐ-CP, art. 5.2: [`KEY_AGE_OVER_50`], [`KEY_CULTURAL_IDENTITY`],
/// [`KEY_NAMED_ARTISAN_OR_VILLAGE`].
///
/// The age criterion needs *more than* `traditional_min_years` years
/// ("từ trên 50 năm": `as_of_year − first_known_year > 50`) **and** the
/// craft still being practised; it is not met when either part fails and
/// unknown when neither fails but one is unknown.
pub fn traditional_craft_checklist(f: &CraftFacts, t: &Thresholds) -> Vec<Criterion> {
    vec![
        age_criterion(f, t),
        Criterion::new(
            KEY_CULTURAL_IDENTITY,
            Check::from_option(f.cultural_identity),
            match f.cultural_identity {
                Some(true) => "sản phẩm mang bản sắc văn hóa dân tộc",
                Some(false) => "sản phẩm chưa thể hiện bản sắc văn hóa dân tộc",
                None => "chưa đánh giá bản sắc văn hóa của sản phẩm",
            }
            .to_owned(),
        ),
        Criterion::new(
            KEY_NAMED_ARTISAN_OR_VILLAGE,
            Check::from_option(f.named_artisan_or_village),
            match f.named_artisan_or_village {
                Some(true) => "nghề gắn với tên tuổi nghệ nhân hoặc tên làng nghề",
                Some(false) => "nghề chưa gắn với tên tuổi nghệ nhân hay tên làng nghề",
                None => "chưa rõ nghề có gắn với tên tuổi nghệ nhân hay làng nghề",
            }
            .to_owned(),
        ),
    ]
}

fn age_criterion(f: &CraftFacts, t: &Thresholds) -> Criterion {
    let (age_check, age_text) = match f.first_known_year {
        None => (Check::Unknown, "thiếu năm nghề xuất hiện".to_owned()),
        Some(first) => {
            let years = i64::from(f.as_of_year) - i64::from(first);
            if years < 0 {
                (
                    Check::Unknown,
                    format!("năm xuất hiện ({first}) sau năm xét ({})", f.as_of_year),
                )
            } else {
                let check = if years > i64::from(t.traditional_min_years) {
                    Check::Met
                } else {
                    Check::NotMet
                };
                (
                    check,
                    format!(
                        "xuất hiện từ năm {first}: {years} năm tính đến năm {} (cần trên {} năm)",
                        f.as_of_year, t.traditional_min_years
                    ),
                )
            }
        }
    };
    let practised_text = match f.still_practised {
        Some(true) => "vẫn đang duy trì",
        Some(false) => "đã ngừng",
        None => "chưa rõ còn duy trì hay không",
    };
    let practised_check = Check::from_option(f.still_practised);
    let status = match (age_check, practised_check) {
        (Check::NotMet, _) | (_, Check::NotMet) => Check::NotMet,
        (Check::Met, Check::Met) => Check::Met,
        _ => Check::Unknown,
    };
    Criterion::new(
        KEY_AGE_OVER_50,
        status,
        format!("{age_text}; {practised_text}"),
    )
}

/// The traditional-craft-village (làng nghề truyền thống) checklist of
/// Decree 52/2018/NĐ-CP, art. 5.3: the village meets the craft-village
/// criteria (`village` is its [`craft_village_checklist`], combined with
/// [`overall`]) and has at least one recognised traditional craft.
pub fn traditional_village_checklist(
    village: &[Criterion],
    has_recognised_traditional_craft: Option<bool>,
) -> Vec<Criterion> {
    let met = village.iter().filter(|c| c.status == Check::Met).count();
    let labels = |status: Check| -> Vec<&'static str> {
        village
            .iter()
            .filter(|c| c.status == status)
            .map(|c| criterion_label_vi(c.key).unwrap_or(c.key))
            .collect()
    };
    let mut village_detail = format!("đạt {met}/{} tiêu chí làng nghề", village.len());
    let not_met = labels(Check::NotMet);
    if !not_met.is_empty() {
        village_detail.push_str(&format!("; chưa đạt: {}", not_met.join(", ")));
    }
    let unknown = labels(Check::Unknown);
    if !unknown.is_empty() {
        village_detail.push_str(&format!("; chưa rõ: {}", unknown.join(", ")));
    }
    let craft_detail = match has_recognised_traditional_craft {
        Some(true) => "có nghề truyền thống đã được công nhận",
        Some(false) => "chưa có nghề truyền thống được công nhận",
        None => "chưa rõ có nghề truyền thống được công nhận hay không",
    };
    vec![
        Criterion::new(KEY_IS_CRAFT_VILLAGE, overall(village), village_detail),
        Criterion::new(
            KEY_HAS_TRADITIONAL_CRAFT,
            Check::from_option(has_recognised_traditional_craft),
            craft_detail.to_owned(),
        ),
    ]
}

// ---------------------------------------------------------------------------
// OCOP
// ---------------------------------------------------------------------------

/// OCOP stars for a 100-point score (Decision 148/QĐ-TTg of 2023, as
/// Decision 1048/QĐ-TTg of 2019 before it): 5★ 90–100, 4★ 70–89,
/// 3★ 50–69, 2★ 30–49, 1★ below 30.
///
/// Councils score in whole points; a fractional score (an average) is taken
/// as given and never rounded up, so 69.5 is 3★ and 89.99 is 4★.
/// Scores that are not numbers or lie outside 0–100 are rejected.
pub fn ocop_stars(score: f64) -> Result<u8, RegistryError> {
    if !(0.0..=100.0).contains(&score) {
        return Err(RegistryError::ScoreOutOfRange(score));
    }
    Ok(match score {
        s if s >= 90.0 => 5,
        s if s >= 70.0 => 4,
        s if s >= 50.0 => 3,
        s if s >= 30.0 => 2,
        _ => 1,
    })
}

/// Whether an OCOP certificate is still valid on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum CertStatus {
    Valid,
    /// Valid, and expires within `ocop_expiring_days` (0 = expires today).
    ExpiringSoon {
        days_left: i64,
    },
    /// Expired `days_ago` days ago (≥ 1).
    Expired {
        days_ago: i64,
    },
}

/// `d` plus `months` calendar months, clamping the day to the end of a
/// shorter month (31 Jan + 1 month = 28/29 Feb). Saturates at `Date::MAX`.
fn add_months(d: Date, months: u32) -> Date {
    let month0 = i64::from(u8::from(d.month())) - 1;
    let total = i64::from(d.year()) * 12 + month0 + i64::from(months);
    let Ok(year) = i32::try_from(total.div_euclid(12)) else {
        return Date::MAX;
    };
    // `rem_euclid(12)` is in 0..12, so the month number is in 1..=12.
    let Ok(month) = Month::try_from((total.rem_euclid(12) + 1) as u8) else {
        return Date::MAX;
    };
    // Walk back from the original day until the date exists (at most 3
    // steps: no month is shorter than 28 days).
    (d.day().min(28)..=d.day())
        .rev()
        .find_map(|day| Date::from_calendar_date(year, month, day).ok())
        .unwrap_or(Date::MAX)
}

/// The day an OCOP certificate issued on `certified_on` expires:
/// `ocop_valid_months` later, clamped to the end of a shorter month
/// (2023-01-31 → 2026-01-31; 2020-02-29 → 2023-02-28). The certificate is
/// treated as valid up to and including that day.
pub fn ocop_expiry(certified_on: Date, t: &Thresholds) -> Date {
    add_months(certified_on, t.ocop_valid_months)
}

/// The state of an OCOP certificate on `today`: expired after its expiry
/// day, expiring soon within `ocop_expiring_days` of it (the expiry day
/// itself included), valid otherwise.
pub fn ocop_status(certified_on: Date, today: Date, t: &Thresholds) -> CertStatus {
    let days_left = (ocop_expiry(certified_on, t) - today).whole_days();
    if days_left < 0 {
        CertStatus::Expired {
            days_ago: -days_left,
        }
    } else if days_left <= i64::from(t.ocop_expiring_days) {
        CertStatus::ExpiringSoon { days_left }
    } else {
        CertStatus::Valid
    }
}

// ---------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------

/// When the next environmental assessment is due: `env_reassess_years`
/// after the last one (Circular 31/2016/TT-BTNMT), or `None` when the
/// village was never assessed (it is due now).
pub fn environment_due(last_assessed: Option<Date>, t: &Thresholds) -> Option<Date> {
    last_assessed.map(|d| add_months(d, t.env_reassess_years.saturating_mul(12)))
}

/// Whether the environmental assessment is overdue on `today`: never
/// assessed, or the due day has passed (an assessment on 2022-09-21 is due
/// on 2024-09-21 and overdue from 2024-09-22).
pub fn environment_overdue(last_assessed: Option<Date>, today: Date, t: &Thresholds) -> bool {
    match environment_due(last_assessed, t) {
        None => true,
        Some(due) => today > due,
    }
}

// ---------------------------------------------------------------------------
// Tax codes (mã số thuế)
// ---------------------------------------------------------------------------

/// Weights of the first nine digits of a 10-digit tax code.
///
/// The check digit is `10 − (Σ weightᵢ × digitᵢ mod 11)`. Verified against
/// python-stdnum's `stdnum/vn/mst.py` (`calc_check_digit`: weights
/// `(31, 29, 23, 19, 17, 13, 7, 5, 3)`, `str(10 - (total % 11))`; its
/// examples 0100233488 and 0314409058-002 are valid, 0100233480 is not) and
/// the same formula quoted by labs.khoabug.com/en/tools/mst. When the sum
/// is divisible by 11 the formula gives 10, which is not a digit: no code
/// with those first nine digits can be valid.
const TAX_WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// The check digit (10th digit) for the first nine digits of a tax code,
/// or `None` when `first_nine` is not nine ASCII digits or no digit can
/// be valid (the formula gives 10).
pub fn tax_check_digit(first_nine: &str) -> Option<u8> {
    if first_nine.len() != 9 || !first_nine.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first_nine
        .bytes()
        .zip(TAX_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = 10 - sum % 11;
    // `sum % 11` is at most 10, so `check` is 0..=10 and fits in a u8.
    (check < 10).then_some(check as u8)
}

/// Validates and normalises a tax code (mã số thuế).
///
/// Spaces and dots are ignored (`"0101.234.565"`, `"0312 68 78 78 - 001"`).
/// Accepted, with the normalised form returned:
///
/// - 10 digits with a valid check digit → `"0101234565"`;
/// - a branch code: 10 digits (check digit verified), `-` and a 3-digit
///   branch number other than `000`, or the same 13 digits without the
///   dash → `"0101234565-001"`;
/// - 12 digits → returned as is: the personal identification number (số
///   định danh cá nhân, CCCD) used as the tax code of individuals and
///   household businesses since 2025. It has no check digit, so only its
///   length is verified (lenient).
///
/// Errors: [`RegistryError::EmptyTaxCode`], [`RegistryError::NotDigits`]
/// (letters or a misplaced `-`), [`RegistryError::WrongLength`],
/// [`RegistryError::BadCheckDigit`], [`RegistryError::BadBranch`].
pub fn parse_tax_code(s: &str) -> Result<String, RegistryError> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if compact.is_empty() {
        return Err(RegistryError::EmptyTaxCode);
    }
    let not_digits = || RegistryError::NotDigits(s.trim().to_owned());
    let is_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let (main, branch) = match compact.split_once('-') {
        Some((main, branch)) => {
            if !is_digits(main) || !is_digits(branch) {
                return Err(not_digits());
            }
            if main.len() != 10 || branch.len() != 3 {
                return Err(RegistryError::WrongLength {
                    len: main.len() + branch.len(),
                });
            }
            (main, Some(branch))
        }
        None => {
            if !is_digits(&compact) {
                return Err(not_digits());
            }
            match compact.len() {
                10 => (compact.as_str(), None),
                12 => return Ok(compact),
                13 => {
                    let (main, branch) = compact.split_at(10);
                    (main, Some(branch))
                }
                len => return Err(RegistryError::WrongLength { len }),
            }
        }
    };
    let (first_nine, last) = main.split_at(9);
    let found = last.bytes().next().map_or(0, |b| b - b'0');
    let expected = tax_check_digit(first_nine);
    if expected != Some(found) {
        return Err(RegistryError::BadCheckDigit { found, expected });
    }
    match branch {
        None => Ok(main.to_owned()),
        Some("000") => Err(RegistryError::BadBranch),
        Some(branch) => Ok(format!("{main}-{branch}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn t() -> Thresholds {
        Thresholds::default()
    }

    fn village(total: Option<i64>, in_craft: Option<i64>) -> VillageFacts {
        VillageFacts {
            households_total: total,
            households_in_craft: in_craft,
            stable_since_year: Some(2015),
            as_of_year: 2022,
            environment_ok: Some(true),
        }
    }

    fn find<'a>(list: &'a [Criterion], key: &str) -> &'a Criterion {
        list.iter()
            .find(|c| c.key == key)
            .unwrap_or_else(|| panic!("no criterion {key}"))
    }

    fn crit(key: &'static str, status: Check) -> Criterion {
        Criterion {
            key,
            status,
            detail: None,
        }
    }

    // ---- classifications ----

    #[test]
    fn craft_groups_round_trip() {
        assert_eq!(CraftGroup::ALL.len(), 7);
        for (i, g) in CraftGroup::ALL.iter().enumerate() {
            let code = u8::try_from(i + 1).unwrap();
            assert_eq!(g.code(), code);
            assert_eq!(CraftGroup::parse(&code.to_string()), Some(*g));
            assert_eq!(CraftGroup::from_code(code), Some(*g));
            assert_eq!(CraftGroup::try_from(code), Ok(*g));
            assert!(!g.name_vi().is_empty() && !g.name_en().is_empty());
            // The stored text is the number, as the registry always stored it.
            assert_eq!(g.as_str(), code.to_string());
            assert_eq!(CraftGroup::TEXTS[i], g.as_str());
            assert_eq!(CraftGroup::parse(g.as_str()), Some(*g));
        }
        assert_eq!(CraftGroup::TEXTS, ["1", "2", "3", "4", "5", "6", "7"]);
        assert_eq!(CraftGroup::parse(" 6 "), Some(CraftGroup::Salt));
        assert_eq!(CraftGroup::Salt.name_vi(), "Sản xuất muối");
        assert_eq!(
            CraftGroup::FineArtHandicrafts.name_vi(),
            "Sản xuất hàng thủ công mỹ nghệ"
        );
        assert_eq!(CraftGroup::Salt.to_string(), "6");
        for bad in ["0", "8", "", "01", "muối", "1.0"] {
            assert_eq!(CraftGroup::parse(bad), None, "{bad:?}");
        }
        assert_eq!(
            CraftGroup::try_from(8),
            Err(RegistryError::UnknownCraftGroup(8))
        );
    }

    #[test]
    fn village_status_keys() {
        let keys: Vec<&str> = VillageStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            keys,
            [
                "recognised",
                "traditional",
                "at_risk",
                "restoring",
                "new",
                "inactive"
            ]
        );
        for s in VillageStatus::ALL {
            assert_eq!(VillageStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(
            VillageStatus::parse(" AT_RISK "),
            Some(VillageStatus::AtRisk)
        );
        assert_eq!(VillageStatus::parse("at risk"), None);
        assert_eq!(VillageStatus::parse(""), None);
        assert_eq!(VillageStatus::AtRisk.to_string(), "at_risk");
        assert_eq!(
            VillageStatus::Traditional.name_vi(),
            "Làng nghề truyền thống"
        );
    }

    #[test]
    fn artisan_title_keys() {
        let keys: Vec<&str> = ArtisanTitle::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(keys, ["people", "meritorious", "provincial", "skilled"]);
        assert_eq!(
            ArtisanTitle::parse("meritorious"),
            Some(ArtisanTitle::NgheNhanUuTu)
        );
        assert_eq!(ArtisanTitle::parse("skilled"), Some(ArtisanTitle::ThoGioi));
        assert_eq!(
            ArtisanTitle::NgheNhanNhanDan.name_vi(),
            "Nghệ nhân nhân dân"
        );
        assert_eq!(ArtisanTitle::parse("master"), None);
    }

    #[test]
    fn establishment_kind_keys() {
        let keys: Vec<&str> = EstablishmentKind::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            keys,
            ["household", "cooperative", "enterprise", "coop_group"]
        );
        assert_eq!(
            EstablishmentKind::parse("coop_group"),
            Some(EstablishmentKind::CooperativeGroup)
        );
        assert_eq!(EstablishmentKind::Cooperative.name_vi(), "Hợp tác xã");
        assert_eq!(EstablishmentKind::parse("htx"), None);
    }

    #[test]
    fn environment_class_keys() {
        let keys: Vec<&str> = EnvironmentClass::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(keys, ["meets", "minor", "polluted"]);
        assert_eq!(
            EnvironmentClass::parse("Polluted"),
            Some(EnvironmentClass::Polluted)
        );
        assert!(EnvironmentClass::Meets.is_ok());
        assert!(!EnvironmentClass::Minor.is_ok());
        assert!(!EnvironmentClass::Polluted.is_ok());
        assert_eq!(EnvironmentClass::parse("ok"), None);
    }

    #[test]
    fn thresholds_default_to_the_law() {
        let t = Thresholds::default();
        assert_eq!(t.household_share_pct, 20.0);
        assert_eq!(t.stable_years, 2);
        assert_eq!(t.traditional_min_years, 50);
        assert_eq!(t.ocop_valid_months, 36);
        assert_eq!(t.ocop_expiring_days, 90);
        assert_eq!(t.env_reassess_years, 2);
    }

    #[test]
    fn labels_exist_for_every_key() {
        for key in [
            KEY_HOUSEHOLDS_SHARE,
            KEY_STABLE_PRODUCTION,
            KEY_ENVIRONMENT,
            KEY_AGE_OVER_50,
            KEY_CULTURAL_IDENTITY,
            KEY_NAMED_ARTISAN_OR_VILLAGE,
            KEY_IS_CRAFT_VILLAGE,
            KEY_HAS_TRADITIONAL_CRAFT,
        ] {
            assert!(criterion_label_vi(key).is_some(), "{key}");
            assert!(criterion_label_en(key).is_some(), "{key}");
        }
        assert_eq!(criterion_label_vi("other"), None);
        assert_eq!(criterion_label_en("other"), None);
    }

    // ---- craft-village checklist ----

    #[test]
    fn households_share_met_at_25_percent() {
        let list = craft_village_checklist(&village(Some(180), Some(45)), &t());
        let keys: Vec<&str> = list.iter().map(|c| c.key).collect();
        assert_eq!(
            keys,
            [KEY_HOUSEHOLDS_SHARE, KEY_STABLE_PRODUCTION, KEY_ENVIRONMENT]
        );
        let c = find(&list, KEY_HOUSEHOLDS_SHARE);
        assert_eq!(c.status, Check::Met);
        assert_eq!(c.detail.as_deref(), Some("45/180 hộ = 25 % (cần ≥ 20 %)"));
        assert_eq!(overall(&list), Check::Met);
    }

    #[test]
    fn households_share_not_met_at_16_7_percent() {
        let list = craft_village_checklist(&village(Some(180), Some(30)), &t());
        let c = find(&list, KEY_HOUSEHOLDS_SHARE);
        assert_eq!(c.status, Check::NotMet);
        assert_eq!(c.detail.as_deref(), Some("30/180 hộ = 16,7 % (cần ≥ 20 %)"));
        assert_eq!(overall(&list), Check::NotMet);
    }

    #[test]
    fn households_share_boundary_and_large_numbers() {
        // Exactly 20 % is enough.
        let c = households_criterion(&village(Some(180), Some(36)), &t());
        assert_eq!(c.status, Check::Met);
        assert_eq!(c.detail.as_deref(), Some("36/180 hộ = 20 % (cần ≥ 20 %)"));
        let c = households_criterion(&village(Some(180), Some(35)), &t());
        assert_eq!(c.status, Check::NotMet);
        let c = households_criterion(&village(Some(1250), Some(1010)), &t());
        assert_eq!(
            c.detail.as_deref(),
            Some("1.010/1.250 hộ = 80,8 % (cần ≥ 20 %)")
        );
        // A province demanding 30 %.
        let strict = Thresholds {
            household_share_pct: 30.0,
            ..t()
        };
        let c = households_criterion(&village(Some(180), Some(45)), &strict);
        assert_eq!(c.status, Check::NotMet);
        assert_eq!(c.detail.as_deref(), Some("45/180 hộ = 25 % (cần ≥ 30 %)"));
    }

    #[test]
    fn households_share_unknown_without_figures() {
        for (total, in_craft, detail) in [
            (None, None, "thiếu số hộ tham gia và tổng số hộ"),
            (Some(180), None, "thiếu số hộ tham gia"),
            (None, Some(45), "thiếu tổng số hộ"),
            (Some(0), Some(0), "số liệu không hợp lệ: 0/0 hộ"),
            (Some(180), Some(200), "số liệu không hợp lệ: 200/180 hộ"),
            (Some(180), Some(-1), "số liệu không hợp lệ: -1/180 hộ"),
        ] {
            let list = craft_village_checklist(&village(total, in_craft), &t());
            let c = find(&list, KEY_HOUSEHOLDS_SHARE);
            assert_eq!(c.status, Check::Unknown, "{total:?} {in_craft:?}");
            assert_eq!(c.detail.as_deref(), Some(detail));
            assert_eq!(overall(&list), Check::Unknown);
        }
    }

    #[test]
    fn stable_production_years() {
        let facts = |since: Option<i32>| VillageFacts {
            stable_since_year: since,
            ..village(Some(180), Some(45))
        };
        let c = stable_criterion(&facts(Some(2021)), &t());
        assert_eq!(c.status, Check::NotMet);
        assert_eq!(
            c.detail.as_deref(),
            Some("ổn định từ năm 2021 đến năm 2022: 1 năm (cần ≥ 2 năm liên tục)")
        );
        assert_eq!(
            stable_criterion(&facts(Some(2020)), &t()).status,
            Check::Met
        );
        assert_eq!(
            stable_criterion(&facts(Some(1990)), &t()).status,
            Check::Met
        );
        assert_eq!(
            stable_criterion(&facts(Some(2022)), &t()).status,
            Check::NotMet
        );
        let c = stable_criterion(&facts(Some(2023)), &t());
        assert_eq!(c.status, Check::Unknown);
        assert_eq!(
            c.detail.as_deref(),
            Some("năm bắt đầu (2023) sau năm xét (2022)")
        );
        let c = stable_criterion(&facts(None), &t());
        assert_eq!(c.status, Check::Unknown);
        let list = craft_village_checklist(&facts(Some(2021)), &t());
        assert_eq!(overall(&list), Check::NotMet);
    }

    #[test]
    fn environment_criterion_follows_the_assessment() {
        let facts = |ok: Option<bool>| VillageFacts {
            environment_ok: ok,
            ..village(Some(180), Some(45))
        };
        let list = craft_village_checklist(&facts(Some(false)), &t());
        assert_eq!(find(&list, KEY_ENVIRONMENT).status, Check::NotMet);
        assert_eq!(overall(&list), Check::NotMet);
        let list = craft_village_checklist(&facts(None), &t());
        assert_eq!(find(&list, KEY_ENVIRONMENT).status, Check::Unknown);
        assert_eq!(overall(&list), Check::Unknown);
        let list = craft_village_checklist(&facts(Some(EnvironmentClass::Meets.is_ok())), &t());
        assert_eq!(find(&list, KEY_ENVIRONMENT).status, Check::Met);
    }

    #[test]
    fn overall_combines() {
        use Check::*;
        let list = |s: &[Check]| -> Vec<Criterion> {
            s.iter().map(|&st| crit(KEY_ENVIRONMENT, st)).collect()
        };
        assert_eq!(overall(&list(&[Met, Met, Met])), Met);
        assert_eq!(overall(&list(&[Met, Unknown, Met])), Unknown);
        assert_eq!(overall(&list(&[Unknown, NotMet, Met])), NotMet);
        assert_eq!(overall(&list(&[NotMet])), NotMet);
        assert_eq!(overall(&[]), Unknown);
    }

    #[test]
    fn check_helpers() {
        assert_eq!(Check::from_option(Some(true)), Check::Met);
        assert_eq!(Check::from_option(Some(false)), Check::NotMet);
        assert_eq!(Check::from_option(None), Check::Unknown);
        assert_eq!(Check::NotMet.as_str(), "not_met");
    }

    // ---- traditional craft ----

    fn bat_trang() -> CraftFacts {
        // Bát Tràng pottery: known since the 14th–15th century.
        CraftFacts {
            first_known_year: Some(1352),
            as_of_year: 2022,
            still_practised: Some(true),
            cultural_identity: Some(true),
            named_artisan_or_village: Some(true),
        }
    }

    #[test]
    fn traditional_craft_all_met() {
        let list = traditional_craft_checklist(&bat_trang(), &t());
        let keys: Vec<&str> = list.iter().map(|c| c.key).collect();
        assert_eq!(
            keys,
            [
                KEY_AGE_OVER_50,
                KEY_CULTURAL_IDENTITY,
                KEY_NAMED_ARTISAN_OR_VILLAGE
            ]
        );
        assert_eq!(overall(&list), Check::Met);
        assert_eq!(
            find(&list, KEY_AGE_OVER_50).detail.as_deref(),
            Some("xuất hiện từ năm 1352: 670 năm tính đến năm 2022 (cần trên 50 năm); vẫn đang duy trì")
        );
    }

    #[test]
    fn traditional_craft_needs_more_than_50_years() {
        let facts = |first: i32| CraftFacts {
            first_known_year: Some(first),
            ..bat_trang()
        };
        // 1972 → 2022 is exactly 50 years: not "over 50".
        let c = age_criterion(&facts(1972), &t());
        assert_eq!(c.status, Check::NotMet);
        assert_eq!(age_criterion(&facts(1971), &t()).status, Check::Met);
        assert_eq!(age_criterion(&facts(1995), &t()).status, Check::NotMet);
        assert_eq!(age_criterion(&facts(2030), &t()).status, Check::Unknown);
        let missing = CraftFacts {
            first_known_year: None,
            ..bat_trang()
        };
        assert_eq!(age_criterion(&missing, &t()).status, Check::Unknown);
    }

    #[test]
    fn traditional_craft_must_still_be_practised() {
        let stopped = CraftFacts {
            still_practised: Some(false),
            ..bat_trang()
        };
        let c = age_criterion(&stopped, &t());
        assert_eq!(c.status, Check::NotMet);
        assert!(c.detail.as_deref().is_some_and(|d| d.ends_with("đã ngừng")));
        let unclear = CraftFacts {
            still_practised: None,
            ..bat_trang()
        };
        assert_eq!(age_criterion(&unclear, &t()).status, Check::Unknown);
        // Too young beats unknown.
        let young_unclear = CraftFacts {
            first_known_year: Some(2000),
            still_practised: None,
            ..bat_trang()
        };
        assert_eq!(age_criterion(&young_unclear, &t()).status, Check::NotMet);
    }

    #[test]
    fn traditional_craft_identity_and_name() {
        let facts = CraftFacts {
            cultural_identity: None,
            named_artisan_or_village: Some(false),
            ..bat_trang()
        };
        let list = traditional_craft_checklist(&facts, &t());
        assert_eq!(find(&list, KEY_CULTURAL_IDENTITY).status, Check::Unknown);
        assert_eq!(
            find(&list, KEY_NAMED_ARTISAN_OR_VILLAGE).status,
            Check::NotMet
        );
        assert_eq!(overall(&list), Check::NotMet);
    }

    // ---- traditional craft village ----

    #[test]
    fn traditional_village_met() {
        let village_list = craft_village_checklist(&village(Some(180), Some(45)), &t());
        let list = traditional_village_checklist(&village_list, Some(true));
        assert_eq!(list.len(), 2);
        let c = find(&list, KEY_IS_CRAFT_VILLAGE);
        assert_eq!(c.status, Check::Met);
        assert_eq!(c.detail.as_deref(), Some("đạt 3/3 tiêu chí làng nghề"));
        assert_eq!(find(&list, KEY_HAS_TRADITIONAL_CRAFT).status, Check::Met);
        assert_eq!(overall(&list), Check::Met);
    }

    #[test]
    fn traditional_village_not_met_or_unknown() {
        let facts = VillageFacts {
            environment_ok: None,
            ..village(Some(180), Some(30))
        };
        let village_list = craft_village_checklist(&facts, &t());
        let list = traditional_village_checklist(&village_list, Some(true));
        let c = find(&list, KEY_IS_CRAFT_VILLAGE);
        assert_eq!(c.status, Check::NotMet);
        assert_eq!(
            c.detail.as_deref(),
            Some(
                "đạt 1/3 tiêu chí làng nghề; chưa đạt: Tỷ lệ hộ tham gia hoạt động ngành nghề; \
                 chưa rõ: Điều kiện bảo vệ môi trường làng nghề"
            )
        );
        assert_eq!(overall(&list), Check::NotMet);

        let village_list = craft_village_checklist(&village(Some(180), Some(45)), &t());
        let list = traditional_village_checklist(&village_list, None);
        assert_eq!(
            find(&list, KEY_HAS_TRADITIONAL_CRAFT).status,
            Check::Unknown
        );
        assert_eq!(overall(&list), Check::Unknown);
        let list = traditional_village_checklist(&village_list, Some(false));
        assert_eq!(overall(&list), Check::NotMet);
    }

    // ---- OCOP ----

    #[test]
    fn ocop_star_boundaries() {
        for (score, stars) in [
            (0.0, 1),
            (29.99, 1),
            (30.0, 2),
            (49.0, 2),
            (50.0, 3),
            (69.5, 3),
            (69.99, 3),
            (70.0, 4),
            (89.99, 4),
            (90.0, 5),
            (100.0, 5),
        ] {
            assert_eq!(ocop_stars(score), Ok(stars), "{score}");
        }
        for bad in [100.1, -0.5, f64::NAN, f64::INFINITY] {
            assert!(
                matches!(ocop_stars(bad), Err(RegistryError::ScoreOutOfRange(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn ocop_expiry_adds_36_months() {
        assert_eq!(
            ocop_expiry(date!(2023 - 01 - 31), &t()),
            date!(2026 - 01 - 31)
        );
        assert_eq!(
            ocop_expiry(date!(2020 - 02 - 29), &t()),
            date!(2023 - 02 - 28)
        );
        assert_eq!(
            ocop_expiry(date!(2021 - 12 - 15), &t()),
            date!(2024 - 12 - 15)
        );
        let short = Thresholds {
            ocop_valid_months: 1,
            ..t()
        };
        assert_eq!(
            ocop_expiry(date!(2024 - 01 - 31), &short),
            date!(2024 - 02 - 29)
        );
        assert_eq!(
            ocop_expiry(date!(2023 - 01 - 31), &short),
            date!(2023 - 02 - 28)
        );
        assert_eq!(
            ocop_expiry(date!(2023 - 12 - 31), &short),
            date!(2024 - 01 - 31)
        );
        let zero = Thresholds {
            ocop_valid_months: 0,
            ..t()
        };
        assert_eq!(
            ocop_expiry(date!(2023 - 03 - 31), &zero),
            date!(2023 - 03 - 31)
        );
    }

    #[test]
    fn add_months_saturates() {
        assert_eq!(add_months(date!(9999 - 06 - 01), 12), Date::MAX);
        assert_eq!(add_months(date!(2024 - 08 - 31), 1), date!(2024 - 09 - 30));
        assert_eq!(add_months(date!(2024 - 11 - 30), 2), date!(2025 - 01 - 30));
    }

    #[test]
    fn ocop_status_over_time() {
        let issued = date!(2023 - 01 - 31); // expires 2026-01-31
        assert_eq!(
            ocop_status(issued, date!(2024 - 06 - 01), &t()),
            CertStatus::Valid
        );
        assert_eq!(
            ocop_status(issued, date!(2025 - 11 - 01), &t()),
            CertStatus::Valid
        );
        assert_eq!(
            ocop_status(issued, date!(2025 - 11 - 02), &t()),
            CertStatus::ExpiringSoon { days_left: 90 }
        );
        assert_eq!(
            ocop_status(issued, date!(2026 - 01 - 21), &t()),
            CertStatus::ExpiringSoon { days_left: 10 }
        );
        assert_eq!(
            ocop_status(issued, date!(2026 - 01 - 31), &t()),
            CertStatus::ExpiringSoon { days_left: 0 }
        );
        assert_eq!(
            ocop_status(issued, date!(2026 - 02 - 01), &t()),
            CertStatus::Expired { days_ago: 1 }
        );
        assert_eq!(
            ocop_status(issued, date!(2026 - 03 - 03), &t()),
            CertStatus::Expired { days_ago: 31 }
        );
        // Before issue: valid.
        assert_eq!(
            ocop_status(issued, date!(2022 - 12 - 01), &t()),
            CertStatus::Valid
        );
    }

    // ---- environment ----

    #[test]
    fn environment_due_and_overdue() {
        let last = Some(date!(2022 - 09 - 21));
        assert_eq!(environment_due(last, &t()), Some(date!(2024 - 09 - 21)));
        assert_eq!(environment_due(None, &t()), None);
        assert!(!environment_overdue(last, date!(2023 - 05 - 01), &t()));
        assert!(!environment_overdue(last, date!(2024 - 09 - 21), &t()));
        assert!(environment_overdue(last, date!(2024 - 09 - 22), &t()));
        assert!(environment_overdue(None, date!(2024 - 01 - 01), &t()));
        let leap = Some(date!(2020 - 02 - 29));
        assert_eq!(environment_due(leap, &t()), Some(date!(2022 - 02 - 28)));
        let yearly = Thresholds {
            env_reassess_years: 1,
            ..t()
        };
        assert!(environment_overdue(last, date!(2023 - 09 - 22), &yearly));
    }

    // ---- tax codes ----

    /// Completes nine digits into a valid 10-digit code.
    fn with_check(first_nine: &str) -> String {
        let d = tax_check_digit(first_nine).unwrap();
        format!("{first_nine}{d}")
    }

    #[test]
    fn tax_check_digit_matches_known_codes() {
        // Examples from python-stdnum's stdnum.vn.mst documentation.
        assert_eq!(tax_check_digit("010023348"), Some(8));
        assert_eq!(tax_check_digit("031440905"), Some(8));
        // 0·31 + 1·29 + 0·23 + 1·19 + 2·17 + 3·13 + 4·7 + 5·5 + 6·3 = 192;
        // 192 mod 11 = 5; 10 − 5 = 5.
        assert_eq!(tax_check_digit("010123456"), Some(5));
        assert_eq!(tax_check_digit("01012345"), None);
        assert_eq!(tax_check_digit("01012345a"), None);
    }

    #[test]
    fn tax_check_digit_none_when_sum_divisible_by_11() {
        // Find nine digits whose weighted sum is a multiple of 11.
        let first_nine = (0..1000)
            .map(|n| format!("0101{n:05}"))
            .find(|s| {
                let sum: u32 = s
                    .bytes()
                    .zip(TAX_WEIGHTS)
                    .map(|(b, w)| u32::from(b - b'0') * w)
                    .sum();
                // (Written without `is_multiple_of`, newer than the MSRV.)
                let remainder = sum % 11;
                remainder == 0
            })
            .unwrap();
        assert_eq!(tax_check_digit(&first_nine), None);
        for d in 0..=9 {
            let code = format!("{first_nine}{d}");
            assert_eq!(
                parse_tax_code(&code),
                Err(RegistryError::BadCheckDigit {
                    found: d,
                    expected: None
                })
            );
        }
    }

    #[test]
    fn tax_code_ten_digits() {
        assert_eq!(parse_tax_code("0100233488").as_deref(), Ok("0100233488"));
        assert_eq!(parse_tax_code("0101234565").as_deref(), Ok("0101234565"));
        assert_eq!(
            parse_tax_code(" 0101.234.565 ").as_deref(),
            Ok("0101234565")
        );
        assert_eq!(parse_tax_code("0101 234 565").as_deref(), Ok("0101234565"));
        // Computed in the test: a Hà Nội (01) and a Bắc Ninh (23) code.
        let ha_noi = with_check("010567891");
        assert_eq!(parse_tax_code(&ha_noi), Ok(ha_noi.clone()));
        let bac_ninh = with_check("230045678");
        assert_eq!(parse_tax_code(&bac_ninh), Ok(bac_ninh.clone()));
    }

    #[test]
    fn tax_code_bad_check_digit() {
        assert_eq!(
            parse_tax_code("0100233480"),
            Err(RegistryError::BadCheckDigit {
                found: 0,
                expected: Some(8)
            })
        );
        assert_eq!(
            parse_tax_code("0101234567"),
            Err(RegistryError::BadCheckDigit {
                found: 7,
                expected: Some(5)
            })
        );
        assert_eq!(
            parse_tax_code("0101234567-001"),
            Err(RegistryError::BadCheckDigit {
                found: 7,
                expected: Some(5)
            })
        );
    }

    #[test]
    fn tax_code_branches() {
        assert_eq!(
            parse_tax_code("0314409058-002").as_deref(),
            Ok("0314409058-002")
        );
        // python-stdnum's formatting example, spaces around the dash.
        assert_eq!(
            parse_tax_code("0312 68 78 78 - 001").as_deref(),
            Ok("0312687878-001")
        );
        assert_eq!(
            parse_tax_code("0101234565 - 001").as_deref(),
            Ok("0101234565-001")
        );
        assert_eq!(
            parse_tax_code("0101234565001").as_deref(),
            Ok("0101234565-001")
        );
        assert_eq!(
            parse_tax_code("0101234565-000"),
            Err(RegistryError::BadBranch)
        );
        assert_eq!(
            parse_tax_code("0101234565-01"),
            Err(RegistryError::WrongLength { len: 12 })
        );
        assert_eq!(
            parse_tax_code("010123456-0011"),
            Err(RegistryError::WrongLength { len: 13 })
        );
    }

    #[test]
    fn tax_code_personal_id() {
        // 12-digit personal identification number (CCCD): no checksum.
        assert_eq!(
            parse_tax_code("001085012345").as_deref(),
            Ok("001085012345")
        );
        assert_eq!(
            parse_tax_code("036 190 004 521").as_deref(),
            Ok("036190004521")
        );
    }

    #[test]
    fn tax_code_errors() {
        assert_eq!(parse_tax_code(""), Err(RegistryError::EmptyTaxCode));
        assert_eq!(parse_tax_code(" . "), Err(RegistryError::EmptyTaxCode));
        assert_eq!(
            parse_tax_code("01012345AB"),
            Err(RegistryError::NotDigits("01012345AB".to_owned()))
        );
        assert_eq!(
            parse_tax_code("MST 0101234565"),
            Err(RegistryError::NotDigits("MST 0101234565".to_owned()))
        );
        assert!(matches!(
            parse_tax_code("0101234565-001-002"),
            Err(RegistryError::NotDigits(_))
        ));
        assert!(matches!(
            parse_tax_code("-001"),
            Err(RegistryError::NotDigits(_))
        ));
        assert_eq!(
            parse_tax_code("12345"),
            Err(RegistryError::WrongLength { len: 5 })
        );
        assert_eq!(
            parse_tax_code("01012345651"),
            Err(RegistryError::WrongLength { len: 11 })
        );
        assert_eq!(
            parse_tax_code("01012345650012"),
            Err(RegistryError::WrongLength { len: 14 })
        );
    }
}
