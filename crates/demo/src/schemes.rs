//! Demo data for support schemes: the 2017 Hà Nội brand-building scheme (Hà Nội 2017 brand-building
//! scheme) with its three contents, eligibility and priority rules, the 3 tỷ
//! đồng budget and the 9 steps — from the plan's JSON — and a set of
//! registrations marked as SAMPLE data (the seed names no applicants), run
//! through forwarding, the eligibility check and the selection rules, with
//! one contract carried to settlement, so a visitor sees every stage.
//!
//! The cost of each content is sample data too: the seed gives only the total.

use langnghe_core::scheme::{self as rules, EligibilityRule, FairShare, PriorityRule};
use langnghe_store::audit::Actor;
use langnghe_store::schemes::{self as store, Content, NewApplication, NewScheme, Selected, Step};
use langnghe_store::{agencies, with_db, Db, Result};
use serde::Deserialize;
use time::Date;

pub const SCHEME_KEY: &str = "hn-2017-thuong-hieu";

#[derive(Deserialize)]
struct PlanJson {
    timeline: Vec<StepJson>,
}

#[derive(Deserialize)]
struct StepJson {
    step: i64,
    text: String,
    start: Option<String>,
    deadline: Option<String>,
    lead: Option<String>,
    #[serde(default)]
    coordinating_text: Option<String>,
}

fn date(s: &str) -> Option<Date> {
    Date::parse(s, &time::format_description::well_known::Iso8601::DATE).ok()
}

/// (applicant, registry village key, district agency key, earlier years, contents, registered on, representative ok)
type SampleApp = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static [i32],
    &'static [&'static str],
    &'static str,
    bool,
);

const SAMPLES: &[SampleApp] = &[
    (
        "Làng nghề gốm sứ Bát Tràng",
        Some("hn-bat-trang-gom-su"),
        "hn-ubnd-gia-lam",
        &[2015, 2016],
        &["dao-tao", "nhan-dien", "chien-luoc"],
        "2017-05-10",
        true,
    ),
    (
        "Làng nghề dệt lụa Vạn Phúc",
        Some("hn-van-phuc-det-lua"),
        "hn-ubnd-ha-dong",
        &[2016],
        &["dao-tao", "nhan-dien", "chien-luoc"],
        "2017-05-12",
        true,
    ),
    (
        "Làng nghề mẫu 01 — mây tre đan (dữ liệu mẫu)",
        None,
        "hn-ubnd-gia-lam",
        &[2014],
        &["dao-tao", "nhan-dien", "chien-luoc"],
        "2017-05-08",
        true,
    ),
    (
        "Làng nghề mẫu 02 — đồ gỗ (dữ liệu mẫu)",
        None,
        "hn-ubnd-gia-lam",
        &[],
        &["dao-tao", "nhan-dien"],
        "2017-05-15",
        true,
    ),
    (
        "Làng nghề mẫu 03 — thêu ren (dữ liệu mẫu)",
        None,
        "hn-ubnd-ha-dong",
        &[2015],
        &["dao-tao", "nhan-dien", "chien-luoc"],
        "2017-05-09",
        true,
    ),
    (
        "Làng nghề mẫu 04 — rèn (dữ liệu mẫu)",
        None,
        "hn-ubnd-ha-dong",
        &[],
        &["dao-tao", "nhan-dien", "chien-luoc"],
        "2017-05-20",
        true,
    ),
    (
        "Làng nghề mẫu 05 — chế biến nông sản (dữ liệu mẫu)",
        None,
        "hn-ubnd-bac-tu-liem",
        &[2016],
        &["dao-tao", "nhan-dien", "chien-luoc"],
        "2017-05-11",
        true,
    ),
    (
        "Làng nghề mẫu 06 — hoa, cây cảnh (dữ liệu mẫu)",
        None,
        "hn-ubnd-bac-tu-liem",
        &[],
        &["dao-tao"],
        "2017-05-18",
        true,
    ),
    (
        "Làng nghề mẫu 07 — bánh truyền thống (dữ liệu mẫu)",
        None,
        "hn-ubnd-nam-tu-liem",
        &[2014, 2015],
        &["dao-tao", "nhan-dien", "chien-luoc"],
        "2017-05-05",
        true,
    ),
    (
        "Làng nghề mẫu 08 — may mặc (dữ liệu mẫu)",
        None,
        "hn-ubnd-nam-tu-liem",
        &[],
        &["dao-tao", "nhan-dien", "chien-luoc"],
        "2017-05-22",
        false,
    ),
    (
        "Làng nghề mẫu 09 — sơn mài (dữ liệu mẫu)",
        None,
        "hn-ubnd-gia-lam",
        &[],
        &["dao-tao", "nhan-dien", "chien-luoc"],
        "2017-05-25",
        true,
    ),
    (
        "Làng nghề mẫu 10 — dệt may (dữ liệu mẫu)",
        None,
        "hn-ubnd-ha-dong",
        &[],
        &["dao-tao", "nhan-dien", "chien-luoc"],
        "2017-05-26",
        true,
    ),
    (
        "Cơ sở mẫu 11 — chưa được công nhận làng nghề (dữ liệu mẫu)",
        None,
        "hn-ubnd-bac-tu-liem",
        &[],
        &["dao-tao", "nhan-dien"],
        "2017-05-16",
        true,
    ),
];

/// Load the demo scheme once (idempotent by its key). Returns 1 when added.
pub async fn ensure_schemes(db: &Db) -> Result<usize> {
    if store::id_by_key(db, SCHEME_KEY).await?.is_some() {
        return Ok(0);
    }
    let Some(program_id) = langnghe_store::programs::id_by_key(db, "hn-2017-thuong-hieu").await?
    else {
        return Ok(0);
    };
    let actor = Actor::system("demo");
    let plan: PlanJson = serde_json::from_str(include_str!(
        "../data/plans/hn-2017-thuong-hieu.json"
    ))
    .map_err(|e| langnghe_store::StoreError::Data(format!("hn-2017-thuong-hieu.json: {e}")))?;
    let (lines, _) = langnghe_store::programs::budget(db, program_id).await?;
    let indicators = langnghe_store::programs::indicators(db, program_id).await?;
    let training = indicators.iter().find(|i| i.code == "II.2.1").map(|i| i.id);
    let lead = agencies::id_by_key(db, "hn-so-ct").await?;
    let partner = agencies::id_by_key(db, "hn-tt-xtdttmdl").await?;
    let mut steps = vec![];
    for s in &plan.timeline {
        steps.push(Step {
            ord: s.step,
            text: s.text.clone(),
            lead_agency_id: match &s.lead {
                Some(k) => agencies::id_by_key(db, k).await?,
                None => None,
            },
            lead_agency_name: None,
            coordinating: s.coordinating_text.clone(),
            start_on: s.start.as_deref().and_then(date),
            due_on: s.deadline.as_deref().and_then(date),
            // Steps 1-5 (registration to the decision) are done in the sample.
            done_on: if s.step <= 5 {
                s.deadline.as_deref().and_then(date)
            } else {
                None
            },
        });
    }
    let eligibility = vec![
        EligibilityRule::VillageRecognised,
        EligibilityRule::RegisteredThroughUnit,
    ];
    let priority = vec![
        PriorityRule::RegisteredIn {
            years: vec![2014, 2015, 2016],
        },
        PriorityRule::AllContents,
        PriorityRule::EarlierRegistration,
    ];
    let id = store::insert(
        db,
        &actor,
        &NewScheme {
            key: Some(SCHEME_KEY.into()),
            program_id,
            budget_line_id: lines.first().map(|l| l.id),
            title: "Hỗ trợ xây dựng thương hiệu làng nghề năm 2017".into(),
            year: 2017,
            budget_dong: 3_000_000_000,
            eligibility: serde_json::to_string(&eligibility).unwrap_or_else(|_| "[]".into()),
            priority: serde_json::to_string(&priority).unwrap_or_else(|_| "[]".into()),
            fair_share: "round_robin".into(),
            fair_cap: None,
            liquidate_by: date("2017-11-25"),
            indicator_id: training,
            lead_agency_id: lead,
            partner_agency_id: partner,
            notes: Some("Mức hỗ trợ từng nội dung và các hồ sơ đăng ký là DỮ LIỆU MẪU: văn bản (the 2017 Hà Nội brand-building scheme) chỉ ghi tổng dự toán 3.000.000.000 đồng, không ghi mức từng nội dung và không nêu tên làng nghề đăng ký.".into()),
            contents: vec![
                Content { key: "dao-tao".into(), name: "Đào tạo, tập huấn kiến thức về xây dựng và quảng bá thương hiệu (3 ngày/làng)".into(), unit_cost_dong: 60_000_000, indicator_id: training },
                Content { key: "nhan-dien".into(), name: "Đặt tên thương hiệu, thiết kế lô gô và hệ thống nhận diện thương hiệu".into(), unit_cost_dong: 120_000_000, indicator_id: None },
                Content { key: "chien-luoc".into(), name: "Tư vấn chiến lược xây dựng và phát triển thương hiệu".into(), unit_cost_dong: 100_000_000, indicator_id: None },
            ],
            steps,
        },
    )
    .await?;
    // Registrations through the districts, forwarded in batches.
    let mut app_ids = vec![];
    for (name, village, district, years, contents, on, rep_ok) in SAMPLES {
        let Some(unit_agency_id) = agencies::id_by_key(db, district).await? else {
            continue;
        };
        let village_id: Option<i64> = match village {
            Some(k) => with_db!(db, |c| sqlx::query_scalar(
                "SELECT id FROM villages WHERE key = $1"
            )
            .bind(*k)
            .fetch_optional(c)
            .await?),
            None => None,
        };
        let admin_unit_id = match village_id {
            Some(v) => store::village_unit(db, v).await?.map(|(_, u)| u),
            None => None,
        };
        let admin_unit_id = match admin_unit_id {
            Some(u) => u,
            None => with_db!(db, |c| sqlx::query_scalar(
                "SELECT admin_unit_id FROM agencies WHERE id = $1"
            )
            .bind(unit_agency_id)
            .fetch_one(c)
            .await?),
        };
        let recognised = !name.starts_with("Cơ sở");
        let aid = store::register(
            db,
            &actor,
            &NewApplication {
                scheme_id: id,
                village_id,
                applicant: (*name).into(),
                unit_agency_id,
                admin_unit_id,
                registered_on: date(on).unwrap_or(Date::MIN),
                earlier_years: years.to_vec(),
                contents: contents.iter().map(|c| c.to_string()).collect(),
                representative: Some(format!("UBND xã (đại diện {name})")),
                recognised_by: (village_id.is_none() && recognised)
                    .then(|| "Quyết định công nhận của UBND Thành phố (dữ liệu mẫu)".to_string()),
                legal_status: *rep_ok,
                has_seal: *rep_ok,
                bank_account: *rep_ok,
                sample: true,
            },
        )
        .await?;
        app_ids.push(done(aid, "register")?);
    }
    for key in [
        "hn-ubnd-gia-lam",
        "hn-ubnd-ha-dong",
        "hn-ubnd-bac-tu-liem",
        "hn-ubnd-nam-tu-liem",
    ] {
        if let Some(a) = agencies::id_by_key(db, key).await? {
            store::forward(db, &actor, id, a, date("2017-05-31").unwrap_or(Date::MIN)).await?;
        }
    }
    // Eligibility: recognised (registry or declared decision) and forwarded.
    let apps = store::applications(db, id, langnghe_store::geo::COUNTRY_ID).await?;
    for a in &apps {
        // Registrations not forwarded stay as they are (the rules refuse to check them).
        let _ = store::record_eligibility(db, &actor, a.id, None, &eligibility).await?;
    }
    // Selection by the rules, within 3 tỷ.
    let rows = store::record_selection(db, &actor, id, None, |scheme, contents, apps| {
        let core_contents: Vec<rules::Content> = contents
            .iter()
            .map(|c| rules::Content {
                key: c.key.clone(),
                name: c.name.clone(),
                unit_cost_dong: c.unit_cost_dong,
            })
            .collect();
        let input = store::selection_input(apps);
        rules::rank_and_select(
            &core_contents,
            &priority,
            FairShare::RoundRobin,
            scheme.budget_dong,
            &input,
        )
        .iter()
        .filter(|x| x.rank.is_some())
        .map(|x| Selected {
            application_id: x.application_id,
            rank: x.rank.map(i64::from),
            selected: x.selected,
            amount_dong: x.amount_dong,
            reason: serde_json::to_string(&x.reason).unwrap_or_default(),
        })
        .collect()
    })
    .await?;
    done(rows, "selection")?;
    let contents = store::contents(db, id).await?;
    // One contract carried through acceptance, liquidation and settlement: Bát Tràng.
    let apps = store::applications(db, id, langnghe_store::geo::COUNTRY_ID).await?;
    if let Some(a) = apps
        .iter()
        .find(|a| a.applicant == "Làng nghề gốm sứ Bát Tràng" && a.state == "selected")
    {
        let k = store::sign_contract(
            db,
            &actor,
            a.id,
            None,
            &store::NewContract {
                number: "01/2017/HĐ-SCT-XTĐT (mẫu)".into(),
                signed_on: date("2017-09-15").unwrap_or(Date::MIN),
                parties: vec![
                    "Sở Công Thương thành phố Hà Nội".into(),
                    "Trung tâm Xúc tiến Đầu tư, Thương mại, Du lịch thành phố Hà Nội".into(),
                    a.representative.clone().unwrap_or_default(),
                ],
                end_on: date("2017-11-25"),
                items: contents
                    .iter()
                    .map(|c| (c.key.clone(), c.unit_cost_dong))
                    .collect(),
            },
        )
        .await?;
        done(k, "contract")?;
        let v = store::add_visit(
            db,
            &actor,
            a.id,
            None,
            date("2017-10-20").unwrap_or(Date::MIN),
            Some(60),
            "Đã tổ chức 3 ngày tập huấn; đang hoàn thiện bộ nhận diện (dữ liệu mẫu).",
        )
        .await?;
        done(v, "visit")?;
        for c in &contents {
            let r = store::accept(
                db,
                &actor,
                a.id,
                None,
                &c.key,
                date("2017-11-10").unwrap_or(Date::MIN),
                None,
            )
            .await?;
            done(r, "accept")?;
        }
        let r = store::liquidate(
            db,
            &actor,
            a.id,
            None,
            date("2017-11-20").unwrap_or(Date::MIN),
        )
        .await?;
        done(r, "liquidate")?;
        let r = store::settle(
            db,
            &actor,
            a.id,
            None,
            date("2017-12-15").unwrap_or(Date::MIN),
            280_000_000,
            Some("Chi trả theo hợp đồng (dữ liệu mẫu)"),
        )
        .await?;
        done(r, "settle")?;
    }
    // Another selected village has its contract signed, not yet accepted.
    if let Some(a) = apps
        .iter()
        .find(|a| a.applicant == "Làng nghề dệt lụa Vạn Phúc" && a.state == "selected")
    {
        let k = store::sign_contract(
            db,
            &actor,
            a.id,
            None,
            &store::NewContract {
                number: "02/2017/HĐ-SCT-XTĐT (mẫu)".into(),
                signed_on: date("2017-09-18").unwrap_or(Date::MIN),
                parties: vec![
                    "Sở Công Thương thành phố Hà Nội".into(),
                    "Trung tâm Xúc tiến Đầu tư, Thương mại, Du lịch thành phố Hà Nội".into(),
                    a.representative.clone().unwrap_or_default(),
                ],
                end_on: date("2017-11-25"),
                items: contents
                    .iter()
                    .map(|c| (c.key.clone(), c.unit_cost_dong))
                    .collect(),
            },
        )
        .await?;
        done(k, "contract")?;
    }
    store::set_status(db, &actor, id, None, "execution").await?;
    Ok(1)
}

/// A step of the demo that the rules refused is a fault in the demo data.
fn done<T>(r: std::result::Result<T, store::Refusal>, what: &str) -> Result<T> {
    r.map_err(|e| langnghe_store::StoreError::Data(format!("demo scheme, {what}: {e:?}")))
}
