//! Synthetic national-scale registry data: villages, establishments, artisans
//! and products spread over the real (pre-2025) communes, with Vietnamese
//! names built from syllable lists. Deterministic for a given seed.
//!
//! A generated record is a list of typed cells, turned either into store
//! `Values` (for `registry::insert_all`) or into a spreadsheet row with the
//! import template's columns (for the web import path).

use langnghe_store::registry::spec::Entity;
use langnghe_store::registry::{Val, Values};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::Rng;
use time::Date;

/// A commune of the old structure (before 1/7/2025), where records are placed.
#[derive(Debug, Clone)]
pub struct Commune {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A craft of the demo data, with the word used in village names.
#[derive(Debug, Clone)]
pub struct Craft {
    pub id: i64,
    /// The craft's name as stored ("Nghề gốm sứ"): what an import file names.
    pub label: String,
    /// How names say it ("gốm sứ").
    pub word: &'static str,
    /// Things made, for product names.
    pub products: &'static [&'static str],
    pub weight: u32,
}

/// An already inserted record another one may point to.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: i64,
    pub label: String,
    /// Index into the commune list.
    pub commune: usize,
}

/// One value of a generated record.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    Money(i64),
    Dec(f64),
    Date(Date),
    Bool(bool),
    Enum(&'static str),
    /// The admin unit: id for the store, code for a spreadsheet.
    Unit {
        id: i64,
        code: String,
    },
    Ref {
        id: i64,
        label: String,
    },
    Refs(Vec<(i64, String)>),
}

#[derive(Debug, Clone)]
pub struct Rec {
    pub cells: Vec<(&'static str, Cell)>,
}

impl Rec {
    pub fn get(&self, key: &str) -> Option<&Cell> {
        self.cells.iter().find(|(k, _)| *k == key).map(|(_, c)| c)
    }

    /// The values `registry::insert_all` takes.
    pub fn values(&self) -> Values {
        let mut v = Values::new();
        for (k, c) in &self.cells {
            let val = match c {
                Cell::Text(s) => Val::Text(s.clone()),
                Cell::Int(n) | Cell::Money(n) => Val::I64(*n),
                Cell::Dec(x) => Val::F64(*x),
                Cell::Date(d) => Val::Date(*d),
                Cell::Bool(b) => Val::Bool(*b),
                Cell::Enum(s) => Val::Text((*s).to_string()),
                Cell::Unit { id, .. } => Val::I64(*id),
                Cell::Ref { id, .. } => Val::I64(*id),
                Cell::Refs(items) => Val::Ids(items.iter().map(|(id, _)| *id).collect()),
            };
            v.insert(k, val);
        }
        v
    }
}

/// The crafts names use, by demo craft key, with the things they make and how common they are.
pub const CRAFT_WORDS: &[(&str, &str, &[&str], u32)] = &[
    (
        "gom-su",
        "gốm sứ",
        &[
            "Bình gốm men lam",
            "Ấm chén gốm",
            "Lọ hoa men rạn",
            "Bát đĩa gốm",
        ],
        14,
    ),
    (
        "may-tre-dan",
        "mây tre đan",
        &["Giỏ mây", "Khay tre", "Đèn tre", "Làn cói"],
        16,
    ),
    (
        "det-theu-tho-cam",
        "dệt thổ cẩm",
        &["Khăn thổ cẩm", "Túi thổ cẩm", "Váy thổ cẩm"],
        6,
    ),
    (
        "cham-khac-bac",
        "chạm khắc bạc",
        &["Vòng bạc chạm", "Khay bạc", "Nhẫn bạc"],
        3,
    ),
    (
        "nau-ruou",
        "nấu rượu",
        &["Rượu nếp cái hoa vàng", "Rượu ngô men lá", "Rượu gạo"],
        8,
    ),
    (
        "lam-huong",
        "làm hương",
        &["Hương trầm", "Nụ trầm", "Hương vòng"],
        6,
    ),
    (
        "thu-cong-my-nghe",
        "sơn mài",
        &["Tranh sơn mài", "Hộp sơn mài", "Bình sơn mài"],
        4,
    ),
    (
        "ren-duc",
        "đúc đồng",
        &["Lư đồng", "Chuông đồng", "Tượng đồng"],
        3,
    ),
    ("moc", "mộc", &["Tủ gỗ chạm", "Sập gụ", "Bàn ghế gỗ"], 9),
    (
        "det-lua",
        "dệt lụa",
        &["Lụa tơ tằm", "Khăn lụa", "Áo dài lụa"],
        4,
    ),
    (
        "kham-trai",
        "khảm trai",
        &["Tranh khảm trai", "Hộp khảm trai"],
        1,
    ),
    (
        "theu-ren",
        "thêu ren",
        &["Tranh thêu tay", "Khăn trải bàn thêu"],
        4,
    ),
    ("lam-com", "làm cốm", &["Cốm làng Vòng", "Bánh cốm"], 2),
    ("giay-do", "làm giấy dó", &["Giấy dó", "Quạt giấy dó"], 1),
    (
        "che-bien-nong-san",
        "chế biến nông sản",
        &["Bánh đa nem", "Miến dong", "Bún khô", "Chè búp khô"],
        12,
    ),
    ("ren-duc", "rèn", &["Dao rèn", "Cuốc rèn", "Kéo rèn"], 3),
    (
        "tranh-tho",
        "tranh dân gian",
        &["Tranh Đông Hồ", "Tranh thờ"],
        1,
    ),
    ("det-vai", "dệt vải", &["Vải bông", "Khăn mặt"], 3),
];

/// Famous craft-village places, used in some names.
const FAMOUS: &[&str] = &[
    "Bát Tràng",
    "Vạn Phúc",
    "Phù Lãng",
    "Đồng Kỵ",
    "Kim Sơn",
    "Thổ Hà",
    "Đông Hồ",
    "Chu Đậu",
    "Bàu Trúc",
    "Thanh Hà",
    "Kim Bồng",
    "Phước Kiều",
    "Đa Sỹ",
    "Chuông",
    "Phú Vinh",
    "Hạ Thái",
    "Quất Động",
    "Sơn Đồng",
    "Vân Hà",
    "La Phù",
    "Đình Bảng",
    "Xuân Lai",
    "Chàng Sơn",
    "Tân Châu",
    "Mỹ Nghiệp",
    "Thụy Ứng",
    "Cự Đà",
    "Ninh Sở",
    "Phù Ủng",
    "Đào Xá",
];

/// Syllables of place names (two make a name such as "Phú Hòa").
const PLACE_A: &[&str] = &[
    "Phú",
    "Tân",
    "An",
    "Hòa",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Xuân",
    "Thanh",
    "Vĩnh",
    "Bình",
    "Phước",
    "Hưng",
    "Long",
    "Mỹ",
    "Đại",
    "Kim",
    "Ngọc",
    "Hồng",
    "Quang",
    "Trung",
    "Thượng",
    "Hạ",
    "Yên",
    "Đức",
    "Thủy",
    "Sơn",
    "Lạc",
    "Cẩm",
    "Hương",
    "Tiên",
    "Nghĩa",
    "Lộc",
    "Thịnh",
    "Khánh",
];
const PLACE_B: &[&str] = &[
    "Hòa", "Lợi", "Thành", "Phong", "Yên", "Lộc", "Sơn", "Thủy", "Lâm", "Hải", "Xá", "Trạch",
    "Đồng", "Vân", "Khê", "Điền", "Tiến", "Thịnh", "Hưng", "An", "Phúc", "Định", "Hiệp", "Lạc",
    "Kỳ", "Mỹ", "Trung", "Tân", "Quý", "Hà", "Linh", "Giang", "Sở", "Bồng", "Trúc",
];

const HAMLET_PART: &[&str] = &[
    "Đông",
    "Đoài",
    "Thượng",
    "Hạ",
    "Trung",
    "Nam",
    "Bắc",
    "Tiền",
    "Hậu",
    "Mới",
    "Cũ",
    "Chùa",
    "Đình",
    "Giữa",
];

/// Family names, roughly as common as in Vietnam.
const FAMILY: &[(&str, u32)] = &[
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Đinh", 1),
    ("Lò", 1),
    ("Hà", 1),
    ("Giàng", 1),
];
const MIDDLE_M: &[&str] = &[
    "Văn", "Đức", "Hữu", "Minh", "Quang", "Xuân", "Công", "Thanh", "Bá", "Đình",
];
const MIDDLE_F: &[&str] = &["Thị", "Ngọc", "Thanh", "Kim", "Thu", "Minh", "Hồng", "Diệu"];
const GIVEN_M: &[&str] = &[
    "Hùng", "Dũng", "Tuấn", "Nam", "Bình", "Hải", "Long", "Sơn", "Cường", "Khánh", "Thắng", "Vinh",
    "Hòa", "Đạt", "Phúc", "Lộc", "Tâm", "Quý", "Trọng", "Nghĩa", "Tiến", "Hưng", "Thành", "Toàn",
];
const GIVEN_F: &[&str] = &[
    "Lan", "Hoa", "Hương", "Mai", "Thảo", "Trang", "Linh", "Phương", "Hằng", "Thủy", "Nga", "Yến",
    "Hạnh", "Loan", "Nhung", "Oanh", "Huyền", "Ngân", "Vân", "Liên",
];

const ETHNIC: &[(&str, u32)] = &[
    ("Kinh", 80),
    ("Tày", 4),
    ("Thái", 4),
    ("Mường", 3),
    ("Khmer", 2),
    ("H'Mông", 2),
    ("Nùng", 2),
    ("Dao", 1),
    ("Chăm", 1),
    ("Ê Đê", 1),
];

const BRAND_WORDS: &[&str] = &[
    "Việt", "Sen", "Hồng", "Phát", "Thịnh", "Lộc", "An", "Minh", "Tâm", "Nghệ",
];

pub struct Gen {
    pub rng: StdRng,
    pub communes: Vec<Commune>,
    pub crafts: Vec<Craft>,
    craft_total: u32,
    /// Next tax code sequence (unique over a run).
    tax_seq: u64,
}

fn weighted(rng: &mut StdRng, items: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut x = rng.gen_range(0..total.max(1));
    for (it, w) in items {
        if x < *w {
            return it;
        }
        x -= *w;
    }
    items.last().map(|(it, _)| *it).unwrap_or("")
}

/// A commune's name without its type ("Xã An Hiệp" → "An Hiệp"); `None` for numbered wards.
fn short_name(name: &str) -> Option<&str> {
    let rest = ["Xã ", "Phường ", "Thị trấn "]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .unwrap_or(name)
        .trim();
    (!rest.is_empty() && !rest.starts_with(|c: char| c.is_ascii_digit())).then_some(rest)
}

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or("")
}

impl Gen {
    pub fn new(rng: StdRng, communes: Vec<Commune>, crafts: Vec<Craft>) -> Gen {
        let craft_total = crafts.iter().map(|c| c.weight).sum();
        Gen {
            rng,
            communes,
            crafts,
            craft_total,
            tax_seq: 1,
        }
    }

    fn craft(&mut self) -> Craft {
        let mut x = self.rng.gen_range(0..self.craft_total.max(1));
        for c in &self.crafts {
            if x < c.weight {
                return c.clone();
            }
            x -= c.weight;
        }
        self.crafts[self.crafts.len() - 1].clone()
    }

    fn commune(&mut self) -> usize {
        self.rng.gen_range(0..self.communes.len())
    }

    /// A place name: the commune's own name, a famous village or two syllables.
    fn place(&mut self, commune: usize) -> String {
        match self.rng.gen_range(0..10) {
            0..=3 => match short_name(&self.communes[commune].name) {
                Some(n) => n.to_string(),
                None => format!(
                    "{} {}",
                    pick(&mut self.rng, PLACE_A),
                    pick(&mut self.rng, PLACE_B)
                ),
            },
            4..=5 => pick(&mut self.rng, FAMOUS).to_string(),
            _ => format!(
                "{} {}",
                pick(&mut self.rng, PLACE_A),
                pick(&mut self.rng, PLACE_B)
            ),
        }
    }

    pub fn person(&mut self) -> String {
        let family = weighted(&mut self.rng, FAMILY);
        if self.rng.gen_bool(0.5) {
            format!(
                "{family} {} {}",
                pick(&mut self.rng, MIDDLE_M),
                pick(&mut self.rng, GIVEN_M)
            )
        } else {
            format!(
                "{family} {} {}",
                pick(&mut self.rng, MIDDLE_F),
                pick(&mut self.rng, GIVEN_F)
            )
        }
    }

    fn ethnic(&mut self) -> &'static str {
        weighted(&mut self.rng, ETHNIC)
    }

    fn unit(&self, commune: usize) -> Cell {
        let c = &self.communes[commune];
        Cell::Unit {
            id: c.id,
            code: c.code.clone(),
        }
    }

    fn date_in(&mut self, from_year: i32, to_year: i32) -> Date {
        let year = self.rng.gen_range(from_year..=to_year);
        let ordinal = self.rng.gen_range(1..=365);
        Date::from_ordinal_date(year, ordinal).unwrap_or(Date::MIN)
    }

    /// A unique, valid 10-digit tax code (with its check digit), or a 12-digit
    /// personal number for households.
    fn tax_code(&mut self, household: bool) -> String {
        loop {
            let seq = self.tax_seq;
            self.tax_seq += 1;
            if household {
                return format!("0{:02}{:09}", 1 + seq % 96, seq);
            }
            let first_nine = format!("{:09}", 100_000_000 + seq * 7);
            if let Some(d) = langnghe_core::registry::tax_check_digit(&first_nine) {
                return format!("{first_nine}{d}");
            }
        }
    }

    pub fn village(&mut self) -> Rec {
        let commune = self.commune();
        let craft = self.craft();
        let place = self.place(commune);
        let mut cells = vec![
            (
                "name",
                Cell::Text(format!("Làng nghề {} {place}", craft.word)),
            ),
            ("admin_unit", self.unit(commune)),
        ];
        let hamlet = match self.rng.gen_range(0..4) {
            0 => format!("Thôn {}", pick(&mut self.rng, HAMLET_PART)),
            1 => format!("Xóm {}", self.rng.gen_range(1..20)),
            2 => format!("Thôn {place}"),
            _ => String::new(),
        };
        if !hamlet.is_empty() {
            cells.push(("hamlet", Cell::Text(hamlet)));
        }
        let mut crafts = vec![(craft.id, craft.label.clone())];
        if self.rng.gen_bool(0.2) {
            let other = self.craft();
            if other.id != craft.id {
                crafts.push((other.id, other.label));
            }
        }
        cells.push(("crafts", Cell::Refs(crafts)));
        let statuses: &[(&str, u32)] = &[
            ("recognised", 45),
            ("traditional", 30),
            ("at_risk", 8),
            ("restoring", 5),
            ("new", 10),
            ("inactive", 2),
        ];
        cells.push(("status", Cell::Enum(weighted(&mut self.rng, statuses))));
        if self.rng.gen_bool(0.85) {
            let total = self.rng.gen_range(80..3000);
            let share = self.rng.gen_range(0.2..0.95);
            let in_craft = ((total as f64) * share) as i64;
            let workers = in_craft * self.rng.gen_range(1..4);
            cells.push(("households_total", Cell::Int(total)));
            cells.push(("households_in_craft", Cell::Int(in_craft)));
            cells.push(("workers", Cell::Int(workers)));
            cells.push((
                "production_value",
                Cell::Money(workers * self.rng.gen_range(40..160) * 1_000_000),
            ));
            cells.push((
                "avg_income",
                Cell::Money(self.rng.gen_range(30..150) * 1_000_000),
            ));
        }
        if self.rng.gen_bool(0.5) {
            cells.push((
                "stable_since_year",
                Cell::Int(self.rng.gen_range(1900..2022)),
            ));
        }
        if self.rng.gen_bool(0.6) {
            cells.push(("environment_ok", Cell::Bool(self.rng.gen_bool(0.8))));
        }
        if self.rng.gen_bool(0.15) {
            cells.push(("tourism", Cell::Bool(true)));
        }
        if self.rng.gen_bool(0.4) {
            let classes: &[(&str, u32)] = &[("meets", 70), ("minor", 22), ("polluted", 8)];
            cells.push((
                "environment_class",
                Cell::Enum(weighted(&mut self.rng, classes)),
            ));
        }
        let ethnic = self.ethnic();
        cells.push(("ethnic_group", Cell::Text(ethnic.to_string())));
        let (lat, lon) = (self.communes[commune].lat, self.communes[commune].lon);
        if let (Some(lat), Some(lon)) = (lat, lon) {
            let jitter = |r: &mut StdRng| (r.gen_range(-200..200) as f64) / 10_000.0;
            let lat = ((lat + jitter(&mut self.rng)) * 10_000.0).round() / 10_000.0;
            let lon = ((lon + jitter(&mut self.rng)) * 10_000.0).round() / 10_000.0;
            cells.push(("lat", Cell::Dec(lat)));
            cells.push(("lon", Cell::Dec(lon)));
        }
        if self.rng.gen_bool(0.1) {
            cells.push((
                "notes",
                Cell::Text("Số liệu tổng hợp từ báo cáo của UBND xã.".into()),
            ));
        }
        Rec { cells }
    }

    /// The commune of a target, or a random commune.
    fn near(&mut self, targets: &[Target], p: f64) -> (usize, Option<Target>) {
        if !targets.is_empty() && self.rng.gen_bool(p) {
            let t = targets[self.rng.gen_range(0..targets.len())].clone();
            (t.commune, Some(t))
        } else {
            (self.commune(), None)
        }
    }

    pub fn establishment(&mut self, villages: &[Target]) -> Rec {
        let (commune, village) = self.near(villages, 0.6);
        let craft = self.craft();
        let place = self.place(commune);
        let kinds: &[(&str, u32)] = &[
            ("household", 50),
            ("cooperative", 20),
            ("enterprise", 20),
            ("coop_group", 10),
        ];
        let kind = weighted(&mut self.rng, kinds);
        let name = match kind {
            "household" => format!("Hộ kinh doanh {}", self.person()),
            "cooperative" => format!("Hợp tác xã {} {place}", craft.word),
            "coop_group" => format!("Tổ hợp tác {} {place}", craft.word),
            _ => {
                let form = if self.rng.gen_bool(0.8) {
                    "Công ty TNHH"
                } else {
                    "Công ty Cổ phần"
                };
                match self.rng.gen_range(0..2) {
                    0 => format!("{form} {} {place}", craft.word),
                    _ => format!(
                        "{form} {} {} {}",
                        pick(&mut self.rng, BRAND_WORDS),
                        pick(&mut self.rng, BRAND_WORDS),
                        craft.word
                    ),
                }
            }
        };
        let mut cells = vec![
            ("name", Cell::Text(name)),
            ("kind", Cell::Enum(kind)),
            ("admin_unit", self.unit(commune)),
        ];
        if self.rng.gen_bool(0.9) {
            cells.push(("tax_code", Cell::Text(self.tax_code(kind == "household"))));
        }
        if let Some(v) = village {
            cells.push((
                "village_id",
                Cell::Ref {
                    id: v.id,
                    label: v.label,
                },
            ));
        }
        let workers = match kind {
            "household" => self.rng.gen_range(1..12),
            "coop_group" => self.rng.gen_range(5..40),
            _ => self.rng.gen_range(10..400),
        };
        cells.push(("workers", Cell::Int(workers)));
        let mut products: Vec<&str> = craft.products.to_vec();
        products.shuffle(&mut self.rng);
        products.truncate(self.rng.gen_range(1..=products.len().max(1)));
        cells.push(("main_products", Cell::Text(products.join(", "))));
        Rec { cells }
    }

    pub fn artisan(&mut self, villages: &[Target]) -> Rec {
        let (commune, village) = self.near(villages, 0.5);
        let craft = self.craft();
        let titles: &[(&str, u32)] = &[
            ("skilled", 50),
            ("provincial", 25),
            ("meritorious", 20),
            ("people", 5),
        ];
        let title = weighted(&mut self.rng, titles);
        let mut cells = vec![
            ("name", Cell::Text(self.person())),
            ("title", Cell::Enum(title)),
            ("admin_unit", self.unit(commune)),
            (
                "craft_id",
                Cell::Ref {
                    id: craft.id,
                    label: craft.label.clone(),
                },
            ),
        ];
        if self.rng.gen_bool(0.8) {
            let from = if matches!(title, "people" | "meritorious") {
                2015
            } else {
                1995
            };
            cells.push(("year_awarded", Cell::Int(self.rng.gen_range(from..=2024))));
        }
        if let Some(v) = village {
            cells.push((
                "village_id",
                Cell::Ref {
                    id: v.id,
                    label: v.label,
                },
            ));
        }
        let ethnic = self.ethnic();
        cells.push(("ethnic_group", Cell::Text(ethnic.to_string())));
        Rec { cells }
    }

    pub fn product(&mut self, villages: &[Target], establishments: &[Target]) -> Rec {
        let craft = self.craft();
        let (commune, producer) = self.near(establishments, 0.6);
        let place = self.place(commune);
        let noun = pick(&mut self.rng, craft.products).to_string();
        let mut cells = vec![
            ("name", Cell::Text(format!("{noun} {place}"))),
            ("admin_unit", self.unit(commune)),
        ];
        match producer {
            Some(p) => {
                cells.push(("producer", Cell::Text(p.label.clone())));
                cells.push((
                    "establishment_id",
                    Cell::Ref {
                        id: p.id,
                        label: p.label,
                    },
                ));
            }
            None => {
                let name = format!("Hộ {}", self.person());
                cells.push(("producer", Cell::Text(name)));
            }
        }
        if !villages.is_empty() && self.rng.gen_bool(0.4) {
            let v = villages[self.rng.gen_range(0..villages.len())].clone();
            cells.push((
                "village_id",
                Cell::Ref {
                    id: v.id,
                    label: v.label,
                },
            ));
        }
        if self.rng.gen_bool(0.4) {
            // Councils score in whole points; the store derives the stars and the expiry.
            let score = self.rng.gen_range(50..=98) as f64;
            let certified = self.date_in(2019, 2024);
            let stars = langnghe_core::registry::ocop_stars(score).unwrap_or(3);
            let th = langnghe_core::registry::Thresholds::default();
            cells.push(("ocop_score", Cell::Dec(score)));
            cells.push((
                "ocop_stars",
                Cell::Enum(["1", "2", "3", "4", "5"][usize::from(stars.clamp(1, 5)) - 1]),
            ));
            cells.push(("ocop_year", Cell::Int(i64::from(certified.year()))));
            cells.push(("ocop_certified_on", Cell::Date(certified)));
            cells.push((
                "ocop_expires_on",
                Cell::Date(langnghe_core::registry::ocop_expiry(certified, &th)),
            ));
        }
        if self.rng.gen_bool(0.3) {
            cells.push(("brand", Cell::Text(format!("{} {place}", craft.word))));
        }
        Rec { cells }
    }

    /// A record of `e` (an importable entity).
    pub fn record(&mut self, e: Entity, villages: &[Target], establishments: &[Target]) -> Rec {
        match e {
            Entity::Establishment => self.establishment(villages),
            Entity::Artisan => self.artisan(villages),
            Entity::Product => self.product(villages, establishments),
            _ => self.village(),
        }
    }
}

/// How a cell reads in a spreadsheet, the way a person would type it.
/// `label` turns an enum value into its Vietnamese label (half of the rows use it).
pub fn cell_text(cell: &Cell, rng: &mut StdRng, label: &dyn Fn(&str) -> String) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Money(n) => {
            if n % 1_000_000 == 0 && rng.gen_bool(0.5) {
                format!("{} triệu", n / 1_000_000)
            } else {
                langnghe_core::vnfmt::format_int(*n)
            }
        }
        Cell::Dec(x) => {
            // Vietnamese notation: decimal comma.
            let s = format!("{x:.4}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            s.replace('.', ",")
        }
        Cell::Date(d) => format!("{}/{}/{}", d.day(), u8::from(d.month()), d.year()),
        Cell::Bool(b) => (if *b { "có" } else { "không" }).to_string(),
        Cell::Enum(v) => {
            if rng.gen_bool(0.5) {
                (*v).to_string()
            } else {
                label(v)
            }
        }
        Cell::Unit { code, .. } => code.clone(),
        Cell::Ref { label, .. } => label.clone(),
        Cell::Refs(items) => items
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn gen() -> Gen {
        let communes = (0..5)
            .map(|i| Commune {
                id: 100 + i,
                code: format!("0000{i}"),
                name: "Bát Tràng".into(),
                lat: Some(21.0),
                lon: Some(105.9),
            })
            .collect();
        let crafts = CRAFT_WORDS
            .iter()
            .enumerate()
            .map(|(i, (_, word, products, w))| Craft {
                id: i as i64 + 1,
                label: format!("Nghề {word}"),
                word,
                products,
                weight: *w,
            })
            .collect();
        Gen::new(StdRng::seed_from_u64(7), communes, crafts)
    }

    #[test]
    fn records_are_valid_and_vietnamese() {
        let mut g = gen();
        let villages = vec![Target {
            id: 9,
            label: "Làng nghề gốm sứ Bát Tràng".into(),
            commune: 1,
        }];
        for _ in 0..200 {
            let v = g.village();
            let name = match v.get("name") {
                Some(Cell::Text(s)) => s.clone(),
                other => panic!("no name: {other:?}"),
            };
            assert!(name.starts_with("Làng nghề "));
            if let (Some(Cell::Int(t)), Some(Cell::Int(i))) =
                (v.get("households_total"), v.get("households_in_craft"))
            {
                assert!(i <= t);
            }
            let e = g.establishment(&villages);
            if let Some(Cell::Text(tc)) = e.get("tax_code") {
                assert!(langnghe_core::registry::parse_tax_code(tc).is_ok(), "{tc}");
            }
            let p = g.product(&villages, &[]);
            assert!(p.values().contains_key("admin_unit"));
            let a = g.artisan(&villages);
            assert!(matches!(a.get("title"), Some(Cell::Enum(_))));
        }
    }

    #[test]
    fn commune_names_lose_their_type() {
        assert_eq!(short_name("Xã An Hiệp"), Some("An Hiệp"));
        assert_eq!(short_name("Thị trấn Ia Ly"), Some("Ia Ly"));
        assert_eq!(short_name("Bát Tràng"), Some("Bát Tràng"));
        assert_eq!(short_name("Phường 6"), None);
    }

    #[test]
    fn tax_codes_are_unique() {
        let mut g = gen();
        let mut seen = std::collections::HashSet::new();
        for i in 0..10_000 {
            assert!(seen.insert(g.tax_code(i % 2 == 0)));
        }
    }

    #[test]
    fn spreadsheet_numbers_parse_back() {
        let mut rng = StdRng::seed_from_u64(1);
        let label = |v: &str| v.to_string();
        assert_eq!(cell_text(&Cell::Dec(21.0285), &mut rng, &label), "21,0285");
        assert_eq!(cell_text(&Cell::Dec(85.0), &mut rng, &label), "85");
        for n in [1_500_000_000, 123_456_789, 7] {
            let s = cell_text(&Cell::Money(n), &mut rng, &label);
            assert_eq!(langnghe_core::vnfmt::parse_money_dong(&s), Ok(n), "{s}");
        }
        let d = Date::from_calendar_date(2021, time::Month::March, 9).unwrap_or(Date::MIN);
        assert_eq!(cell_text(&Cell::Date(d), &mut rng, &label), "9/3/2021");
    }
}
