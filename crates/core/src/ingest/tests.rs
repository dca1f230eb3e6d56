use super::*;

/// A provincial plan in the usual layout, written for these tests.
const PLAN: &str = "ỦY BAN NHÂN DÂN
TỈNH YÊN BÁI
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 125/KH-UBND
Yên Bái, ngày 15 tháng 3 năm 2024

KẾ HOẠCH
PHÁT TRIỂN LÀNG NGHỀ TỈNH YÊN BÁI GIAI ĐOẠN 2024 - 2026

Căn cứ Quyết định số 801/QĐ-TTg ngày 07/7/2022 của Thủ tướng Chính phủ phê duyệt Chương trình bảo tồn và phát triển làng nghề Việt Nam giai đoạn 2021-2030; Ủy ban nhân dân tỉnh Yên Bái ban hành Kế hoạch như sau:
I. MỤC TIÊU
1. Mục tiêu chung
Phát triển làng nghề gắn với bảo tồn văn hóa truyền thống của đồng bào các dân tộc Yên Bái.
2. Mục tiêu cụ thể
a) Đến năm 2025
- Công nhận mới ít nhất 3 làng nghề và 2 nghề truyền thống.
- Trên 75% lao động làng nghề được đào tạo.
b) Đến năm 2026
- Công nhận mới ít nhất 5 làng nghề và 4 nghề truyền thống.
- Trên 85% lao động làng nghề được đào tạo.
II. NHIỆM VỤ
1. Bảo tồn nghề truyền thống
- Bảo tồn nghề dệt thổ cẩm của người Dao thôn Khe Kẹn, xã Nậm Búng, huyện Văn Chấn.
III. KINH PHÍ
Tổng kinh phí thực hiện năm 2024: 2.500.000.000 đồng (Hai tỷ năm trăm triệu đồng).
IV. TỔ CHỨC THỰC HIỆN
1. Sở Công Thương
- Chủ trì, phối hợp với Sở Tài chính, Sở Lao động - Thương binh và Xã hội tổ chức các lớp đào tạo nghề, hoàn thành trước ngày 30/11/2024.
- Tổng hợp kết quả thực hiện Kế hoạch.
2. Sở Nông nghiệp và Phát triển nông thôn: Chủ trì hướng dẫn các huyện lập hồ sơ công nhận làng nghề.
V. CHẾ ĐỘ BÁO CÁO
Các sở, ngành, UBND các huyện báo cáo định kỳ 6 tháng (trước ngày 15 tháng 6) và hằng năm (trước ngày 15 tháng 12) gửi Sở Công Thương để tổng hợp.
";

#[test]
fn a_plan_in_the_usual_layout() {
    let r = read_plan(PLAN);
    assert_eq!(r.document.number.as_deref(), Some("125/KH-UBND"));
    assert_eq!(r.document.kind.as_deref(), Some("plan"));
    assert_eq!(
        r.document.date,
        time::Date::from_calendar_date(2024, time::Month::March, 15).ok()
    );
    assert_eq!(
        r.document.issuer.as_deref(),
        Some("Ủy ban nhân dân tỉnh Yên Bái")
    );
    assert_eq!(
        r.document.title.as_deref(),
        Some("Kế hoạch phát triển làng nghề tỉnh Yên Bái giai đoạn 2024 - 2026")
    );
    assert_eq!(
        r.period,
        PlanPeriod {
            start: Some(2024),
            end: Some(2026)
        }
    );
    assert_eq!(r.legal_basis.len(), 1);
    assert_eq!(r.legal_basis[0].number, "801/QĐ-TTg");
    assert_eq!(
        r.legal_basis[0].title.as_deref(),
        Some("Phê duyệt Chương trình bảo tồn và phát triển làng nghề Việt Nam giai đoạn 2021-2030")
    );
    assert_eq!(r.objectives.len(), 1);

    // Two indicators, each with a target per milestone; villages split by category.
    let recognised = r
        .indicators
        .iter()
        .find(|i| i.unit.as_deref() == Some("LN/NTT/LNTT"))
        .expect("recognition indicator");
    let t: Vec<(Option<i32>, &str, Option<&str>)> = recognised
        .targets
        .iter()
        .map(|t| (t.year, t.wording.as_str(), t.category.as_deref()))
        .collect();
    assert_eq!(
        t,
        vec![
            (Some(2025), "ít nhất 3 làng nghề", Some("LN")),
            (Some(2025), "ít nhất 2 nghề truyền thống", Some("NTT")),
            (Some(2026), "ít nhất 5 làng nghề", Some("LN")),
            (Some(2026), "ít nhất 4 nghề truyền thống", Some("NTT")),
        ]
    );
    let trained = r
        .indicators
        .iter()
        .find(|i| i.unit.as_deref() == Some("%"))
        .expect("share");
    assert_eq!(trained.targets.len(), 2);
    assert_eq!(
        trained.targets[0].form,
        Some(Target::PercentAtLeast {
            value: 75.0,
            strict: true
        })
    );

    // Every source quotes the text it points at.
    let text = normalise(PLAN);
    let chars: Vec<char> = text.chars().collect();
    for t in r.indicators.iter().flat_map(|i| &i.targets) {
        let quoted: String = chars[t.source.start..t.source.end].iter().collect();
        assert!(
            t.wording.ends_with(&quoted),
            "{quoted:?} is the end of {:?}",
            t.wording
        );
    }

    // Tasks: leads from the agency heading, coordinating agencies from "phối hợp với".
    let first = r
        .tasks
        .iter()
        .find(|t| t.text.starts_with("Chủ trì, phối hợp với Sở Tài chính"))
        .expect("task");
    assert_eq!(first.lead_agency.as_deref(), Some("Sở Công Thương"));
    assert_eq!(
        first.coordinating_agencies,
        vec!["Sở Tài chính", "Sở Lao động - Thương binh và Xã hội"]
    );
    assert_eq!(first.due.as_deref(), Some("trước ngày 30/11/2024"));
    let second = r
        .tasks
        .iter()
        .find(|t| t.text.contains("hướng dẫn các huyện"))
        .expect("task on the heading line");
    assert_eq!(
        second.lead_agency.as_deref(),
        Some("Sở Nông nghiệp và Phát triển nông thôn")
    );

    assert_eq!(r.places.len(), 1);
    assert_eq!(r.places[0].commune.as_deref(), Some("xã Nậm Búng"));
    assert_eq!(r.places[0].district.as_deref(), Some("huyện Văn Chấn"));
    assert_eq!(r.places[0].ethnic_group.as_deref(), Some("Dao"));

    assert_eq!(r.budget.len(), 1);
    assert_eq!(r.budget[0].amount_dong, 2_500_000_000);
    assert_eq!(r.budget[0].year, Some(2024));

    let rep = r.reporting.expect("reporting rule");
    assert_eq!(rep.frequency.as_deref(), Some("half_yearly"));
    assert_eq!(rep.due_dates, vec!["06-15", "12-15"]);
    assert_eq!(rep.to_agency.as_deref(), Some("Sở Công Thương"));
}

#[test]
fn reading_is_deterministic_and_total() {
    // Any text reads without panicking, and twice the same.
    for text in [
        "",
        "\n\n",
        "I. \n1.\na)\n- ",
        "TT\nNội dung\nĐVT\n1\nx",
        PLAN,
    ] {
        assert_eq!(read_plan(text), read_plan(text));
    }
}
