//! Tests of both renderers on a Lào Cai-like report.
//!
//! PDF text is extracted with `pdftotext` (poppler-utils). When it is missing the
//! text checks are skipped with a message, unless `CI` is set: then they fail.
//! Set `OFFICIAL_SAMPLE_DIR=/some/dir` to keep the sample PDF and DOCX.

use std::io::{Cursor, Read};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use time::macros::date;

use super::*;

fn table(caption: &str, header: &[&str], rows: &[&[&str]], numeric: &[bool]) -> ReportTable {
    ReportTable {
        caption: Some(caption.to_owned()),
        header: header.iter().map(|s| (*s).to_owned()).collect(),
        rows: rows
            .iter()
            .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
            .collect(),
        numeric: numeric.to_vec(),
        widths: Vec::new(),
        bold_rows: Vec::new(),
    }
}

pub(super) fn sample() -> OfficialReport {
    let mut blocks = vec![
        Block::Heading("I. KẾT QUẢ ĐẠT ĐƯỢC".into()),
        Block::Paragraph(
            "Thực hiện Kế hoạch số 316/KH-UBND ngày 21/9/2022 của UBND tỉnh Lào Cai về \
             triển khai thực hiện Chương trình bảo tồn và phát triển làng nghề giai đoạn \
             2022 - 2025 và tầm nhìn đến năm 2030, Sở Nông nghiệp và Phát triển nông thôn \
             báo cáo kết quả thực hiện 6 tháng đầu năm 2023 như sau:\n\
             Công tác tuyên truyền, phổ biến chính sách được các huyện, thị xã, thành phố \
             quan tâm thực hiện; các cơ sở, hộ gia đình trong làng nghề đáp ứng cơ bản các \
             quy định về bảo vệ môi trường."
                .into(),
        ),
    ];
    let mut t1 = table(
        "Bảng 1. Kết quả sản xuất của các làng nghề",
        &[
            "TT",
            "Làng nghề",
            "Kế hoạch (triệu đồng)",
            "Thực hiện (triệu đồng)",
            "Tỷ lệ",
        ],
        &[
            &[
                "1",
                "Làng nghề dệt thổ cẩm Tả Phìn",
                "25.000",
                "17.800",
                "71,2 %",
            ],
            &["2", "Làng nghề rèn Lùng Thắng", "12.000", "9.150", "76,3 %"],
            &["", "Tổng cộng", "37.000", "26.950", "72,8 %"],
        ],
        &[false, false, true, true, true],
    );
    t1.widths = vec![0.6, 3.0, 1.6, 1.6, 1.0];
    t1.bold_rows = vec![2];
    blocks.push(Block::Table(t1));
    for i in 0..30 {
        blocks.push(Block::Paragraph(format!(
            "{}. Nội dung thứ {i}: hỗ trợ đào tạo nghề, xúc tiến thương mại, xây dựng \
             nhãn hiệu sản phẩm làng nghề gắn với Chương trình Mỗi xã một sản phẩm (OCOP); \
             đầu tư hạ tầng, xử lý môi trường và phát triển du lịch cộng đồng.",
            i + 1
        )));
        if i == 10 {
            blocks.push(Block::Heading("II. TỒN TẠI, HẠN CHẾ".into()));
        }
    }
    let many: Vec<Vec<String>> = (1..=40)
        .map(|i| {
            vec![
                i.to_string(),
                format!("Xã số {i}"),
                format!("{}.{:03}", i, i * 7 % 1000),
                format!("{},{} %", 50 + i, i % 10),
            ]
        })
        .collect();
    blocks.push(Block::Table(ReportTable {
        caption: Some("Bảng 2. Lao động làng nghề theo xã".into()),
        header: vec!["TT".into(), "Xã".into(), "Lao động".into(), "Tỷ lệ".into()],
        rows: many,
        numeric: vec![false, false, true, true],
        widths: vec![1.0, 4.0, 2.0, 2.0],
        bold_rows: vec![],
    }));
    blocks.push(Block::Heading(
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM".into(),
    ));
    blocks.push(Block::Table(table(
        "Bảng 3. Chỉ tiêu",
        &["Chỉ tiêu", "ĐVT", "Năm 2025"],
        &[&["Làng nghề được công nhận mới", "làng", "5"]],
        &[false, false, true],
    )));
    blocks.push(Block::Paragraph(
        "Trên đây là báo cáo kết quả thực hiện Kế hoạch số 316/KH-UBND 6 tháng đầu năm \
         2023 của Sở Nông nghiệp và Phát triển nông thôn./."
            .into(),
    ));
    OfficialReport {
        issuer_parent: "UBND TỈNH LÀO CAI".into(),
        issuer: "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN".into(),
        number: "Số: …/BC-SNN".into(),
        place: "Lào Cai".into(),
        date: Some(date!(2023 - 06 - 18)),
        kind_title: "BÁO CÁO".into(),
        title: "Kết quả thực hiện Kế hoạch số 316/KH-UBND 6 tháng đầu năm 2023".into(),
        salutation: Some("Kính gửi: Ủy ban nhân dân tỉnh Lào Cai".into()),
        blocks,
        recipients: vec![
            "UBND tỉnh (b/c)".into(),
            "Bộ Nông nghiệp và PTNT".into(),
            "Lãnh đạo Sở".into(),
            "Lưu: VT, PTNT".into(),
        ],
        signer_authority: Some("KT. GIÁM ĐỐC".into()),
        signer_title: "PHÓ GIÁM ĐỐC".into(),
        signer_name: "Nguyễn Văn Ơn".into(),
    }
}

fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("OFFICIAL_SAMPLE_DIR") {
        let path = PathBuf::from(dir).join(name);
        std::fs::write(&path, bytes).expect("write sample");
        eprintln!("kept {}", path.display());
    }
}

/// Text of a PDF through `pdftotext`, or `None` (with a message) when the tool is
/// missing and `CI` is not set.
fn pdf_text(pdf: &[u8], name: &str) -> Option<String> {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        if std::env::var_os("CI").is_some() {
            panic!("pdftotext missing: install poppler-utils (apt-get install -y poppler-utils)");
        }
        eprintln!("skipped: pdftotext missing");
        return None;
    }
    let path = std::env::temp_dir().join(format!(
        "langnghe-official-{}-{name}.pdf",
        std::process::id()
    ));
    std::fs::write(&path, pdf).expect("write temp pdf");
    let out = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .expect("run pdftotext");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).expect("utf-8 text"))
}

/// Pages and page size through `pdfinfo` (same package as pdftotext).
fn pdf_info(pdf: &[u8], name: &str) -> Option<String> {
    let path = std::env::temp_dir().join(format!(
        "langnghe-official-{}-{name}-info.pdf",
        std::process::id()
    ));
    std::fs::write(&path, pdf).expect("write temp pdf");
    let out = Command::new("pdfinfo").arg(&path).output().ok();
    let _ = std::fs::remove_file(&path);
    out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Whitespace-insensitive containment (pdftotext may break lines anywhere).
fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
        .collect()
}

fn assert_contains(text: &str, needle: &str) {
    assert!(
        squeeze(text).contains(&squeeze(needle)),
        "{needle:?} not found in:\n{text}"
    );
}

#[test]
fn sample_pdf_has_the_decree_30_parts_as_text() {
    let report = sample();
    // The first call in a process also parses the fonts and builds typst's
    // library (unless another test did it already).
    let t0 = Instant::now();
    let pdf = render_pdf(&report).expect("pdf");
    let first = t0.elapsed();
    // New data with warm fonts: the usual case in a server.
    let mut other = sample();
    other.title.push_str(" (bản 2)");
    other.blocks.insert(1, Block::Paragraph("Đoạn mới.".into()));
    let t1 = Instant::now();
    render_pdf(&other).expect("pdf");
    let second = t1.elapsed();
    let pdf2 = render_pdf(&report).expect("pdf");
    eprintln!(
        "render_pdf: first {first:?}, other data {second:?}, {} bytes",
        pdf.len()
    );
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf == pdf2, "rendering is deterministic");
    keep("official-sample.pdf", &pdf);

    let Some(text) = pdf_text(&pdf, "sample") else {
        return;
    };
    for needle in [
        "UBND TỈNH LÀO CAI",
        "SỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: …/BC-SNN",
        "Lào Cai, ngày 18 tháng 6 năm 2023",
        "BÁO CÁO",
        "Kết quả thực hiện Kế hoạch số 316/KH-UBND 6 tháng đầu năm 2023",
        "Kính gửi: Ủy ban nhân dân tỉnh Lào Cai",
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
        "17.800",
        "25.000",
        "71,2 %",
        "Tổng cộng",
        "Nơi nhận:",
        "- UBND tỉnh (b/c);",
        "- Lưu: VT, PTNT.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn Ơn",
    ] {
        assert_contains(&text, needle);
    }
    // The motto is on its own line, exactly.
    assert!(text
        .lines()
        .any(|l| l.trim() == "Độc lập - Tự do - Hạnh phúc"));
    if let Some(info) = pdf_info(&pdf, "sample") {
        assert!(info.contains("A4"), "{info}");
        let pages: usize = info
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|p| p.trim().parse().ok())
            .expect("page count");
        assert!(pages >= 3, "{pages} pages");
        // Page numbers from page 2 on: "2" alone on a line.
        assert!(text.lines().any(|l| l.trim() == "2"));
    }
}

#[test]
fn user_text_is_never_markup() {
    let evil = r#"#set page(width: 1cm) *bold* $x$ <script> \ ""#;
    let mut report = sample();
    report.title = evil.to_owned();
    report.blocks = vec![
        Block::Heading("= Not a heading #{1 + 1}".into()),
        Block::Paragraph(r#"#eval("1") #read("/data.json") @label _x_ `raw` // c"#.into()),
        Block::Table(table("#table()", &["[a]", "{b}"], &[&["$1$", "#x"]], &[])),
    ];
    report.signer_name = "#import \"@preview/x:0.1.0\"".into();
    let pdf = render_pdf(&report).expect("pdf");
    let Some(text) = pdf_text(&pdf, "evil") else {
        return;
    };
    for needle in [
        evil,
        "= Not a heading #{1 + 1}",
        r#"#eval("1") #read("/data.json") @label _x_ `raw` // c"#,
        "#table()",
        "[a]",
        "{b}",
        "$1$",
        "#x",
        "#import \"@preview/x:0.1.0\"",
    ] {
        assert_contains(&text, needle);
    }
    if let Some(info) = pdf_info(&pdf, "evil") {
        assert!(info.contains("A4"), "page size changed: {info}");
    }
}

#[test]
fn rendering_survives_hostile_input() {
    let long_word = "x".repeat(500);
    let ragged = ReportTable {
        caption: None,
        header: vec!["A".into(), "B".into(), "C".into()],
        rows: (0..2000)
            .map(|i| {
                (0..(i % 5))
                    .map(|j| {
                        format!(
                            "{i}.{j} {}",
                            if j == 1 && i % 400 == 2 {
                                &long_word
                            } else {
                                ""
                            }
                        )
                    })
                    .collect()
            })
            .collect(),
        numeric: vec![true; 7],
        widths: vec![f32::INFINITY, -1.0, 0.0],
        bold_rows: vec![usize::MAX, 0, 1999, 5000],
    };
    let cases = [
        OfficialReport::default(),
        OfficialReport {
            date: None,
            salutation: Some(String::new()),
            signer_authority: Some("\n\n".into()),
            recipients: vec![String::new(), " ; ".into()],
            blocks: vec![
                Block::Heading(String::new()),
                Block::Paragraph("\n\n\n".into()),
                Block::Table(ReportTable::default()),
                Block::Table(ReportTable {
                    rows: vec![vec![], vec!["only rows".into(), "no header".into()]],
                    ..ReportTable::default()
                }),
            ],
            ..OfficialReport::default()
        },
        OfficialReport {
            title: long_word.clone(),
            issuer: long_word.clone(),
            number: "\u{0}\u{7}\u{1b}[31m\u{FFFF}\u{202E}".into(),
            blocks: vec![
                Block::Paragraph(format!("{long_word} {}", "chữ ".repeat(2500))),
                Block::Table(ragged),
            ],
            recipients: (0..200).map(|i| format!("Nơi {i}")).collect(),
            ..sample()
        },
    ];
    for (i, case) in cases.iter().enumerate() {
        let t = Instant::now();
        let pdf = render_pdf(case).unwrap_or_else(|e| panic!("case {i}: {e}"));
        assert!(pdf.starts_with(b"%PDF-"));
        keep(&format!("official-hostile-{i}.pdf"), &pdf);
        eprintln!("case {i}: pdf {} bytes in {:?}", pdf.len(), t.elapsed());
        let docx = render_docx(case).unwrap_or_else(|e| panic!("case {i}: {e}"));
        check_well_formed(&document_xml(&docx));
    }
}

fn document_xml(docx: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).expect("docx is a zip");
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .expect("utf-8");
    xml
}

fn check_well_formed(xml: &str) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "document.xml not well-formed at {}: {e}",
                reader.buffer_position()
            ),
        }
    }
    assert_eq!(depth, 0);
    assert!(
        !xml.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
        "control character in document.xml"
    );
}

/// A PDF with a text layer reads back as a plan's text (what an official
/// uploads to `/plans/import`): the Vietnamese words as written.
#[test]
fn an_official_pdf_reads_back_as_plan_text() {
    let pdf = render_pdf(&sample()).expect("pdf");
    let text = crate::plan_text::plan_text(&pdf).expect("the PDF's text layer");
    let folded =
        unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect::<String>();
    for needle in ["316/KH-UBND", "Lào Cai", "BÁO CÁO"] {
        assert!(folded.contains(needle), "{needle:?} not in {folded:.600}");
    }
}

#[test]
fn sample_docx_has_the_decree_30_parts() {
    let report = sample();
    let t = Instant::now();
    let docx = render_docx(&report).expect("docx");
    eprintln!("render_docx: {:?}, {} bytes", t.elapsed(), docx.len());
    keep("official-sample.docx", &docx);
    let xml = document_xml(&docx);
    check_well_formed(&xml);
    for needle in [
        "UBND TỈNH LÀO CAI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: …/BC-SNN",
        "Lào Cai, ngày 18 tháng 6 năm 2023",
        "17.800",
        "25.000",
        "71,2 %",
        "Nơi nhận:",
        "- Lưu: VT, PTNT.",
        "KT. GIÁM ĐỐC",
        "Nguyễn Văn Ơn",
        "Times New Roman",
    ] {
        assert!(xml.contains(needle), "{needle:?} missing from document.xml");
    }
    // A4 and the Decree 30 margins (twips).
    assert!(
        xml.contains(r#"<w:pgSz w:w="11906" w:h="16838""#),
        "page size"
    );
    for margin in [
        r#"w:top="1134""#,
        r#"w:bottom="1134""#,
        r#"w:left="1701""#,
        r#"w:right="850""#,
    ] {
        assert!(xml.contains(margin), "{margin} missing");
    }
    // Body size 14 pt, motto underlined, header rows repeated, first page without
    // a page number.
    assert!(xml.contains(r#"<w:sz w:val="28" />"#));
    assert!(xml.contains("<w:tblHeader />"));
    assert_eq!(
        xml.matches("<w:tblHeader />").count(),
        3,
        "one per data table"
    );
    assert!(xml.contains("<w:titlePg"));
}

#[test]
fn docx_escapes_user_text() {
    let mut report = sample();
    report.title = "A < B & C > D \"q\" 'a' <w:t>x</w:t> ]]>".into();
    report.blocks = vec![Block::Paragraph(
        "<script>alert(1)</script> & </w:p>".into(),
    )];
    report.signer_name = "\u{1}Tên\u{0}".into();
    let xml = document_xml(&render_docx(&report).expect("docx"));
    check_well_formed(&xml);
    assert!(xml.contains("A &lt; B &amp; C &gt; D"));
    assert!(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;/w:p&gt;"));
    assert!(!xml.contains("<script>"));
    assert!(xml.contains(">Tên<"));
}

/// Sample data: the mark is on every page of the PDF (header and
/// background) and in both headers of the DOCX; unmarked outputs have none.
#[test]
fn sample_data_is_marked_on_pdf_and_docx() {
    let r = sample();
    let plain = render_pdf(&r).expect("pdf");
    let marked = render_pdf_marked(&r, Some("DỮ LIỆU MẪU")).expect("marked pdf");
    assert_ne!(plain, marked);
    keep("official-sample-marked.pdf", &marked);
    if let Some(text) = pdf_text(&marked, "marked") {
        assert!(text.matches("DỮ LIỆU MẪU").count() >= 2, "{text}");
    }
    if let Some(text) = pdf_text(&plain, "plain") {
        assert!(!text.contains("DỮ LIỆU MẪU"));
    }
    let headers = |docx: &[u8]| -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(docx)).expect("docx is a zip");
        let names: Vec<String> = archive
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.to_string()))
            .filter(|n| n.starts_with("word/header"))
            .collect();
        let mut all = String::new();
        for n in names {
            let mut xml = String::new();
            archive
                .by_name(&n)
                .expect("header")
                .read_to_string(&mut xml)
                .expect("utf-8");
            check_well_formed(&xml);
            all.push_str(&xml);
        }
        all
    };
    let docx = render_docx_marked(&r, Some("DỮ LIỆU MẪU")).expect("marked docx");
    assert!(
        headers(&docx).matches("DỮ LIỆU MẪU").count() >= 2,
        "both headers"
    );
    assert!(!headers(&render_docx(&r).expect("docx")).contains("DỮ LIỆU MẪU"));
}
