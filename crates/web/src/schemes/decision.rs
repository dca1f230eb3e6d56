//! The selection decision as an official document (PDF).

use super::*;

/// The decision approving the list (Decree 30/2020 layout): applicants,
/// contents, amounts. It lists exactly the applicants the caller's
/// applications list shows: for a reader scoped to one district it is an
/// extract (trích) of that district's part of the list.
pub(super) async fn decision_document(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> AppResult<axum::body::Bytes> {
    let s = crate::scoped::load::<Scheme>(state, ctx, id, Reach::Read).await?;
    let contents = store::contents(&state.db, s.id).await?;
    let scope = ctx.user()?.scope_unit_id;
    let apps = store::applications(&state.db, s.id, scope).await?;
    let chosen: Vec<&Application> = apps
        .iter()
        .filter(|a| Stage::parse(&a.state).is_some_and(Stage::is_chosen))
        .collect();
    if chosen.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut rows = vec![];
    let mut total = 0i64;
    for (i, a) in chosen.iter().enumerate() {
        let keys: Vec<String> = json_list(&a.contents);
        let names: Vec<String> = contents
            .iter()
            .filter(|c| keys.contains(&c.key))
            .map(|c| c.name.clone())
            .collect();
        total = total.saturating_add(a.amount_dong);
        rows.push(vec![
            (i + 1).to_string(),
            a.applicant.clone(),
            a.district.clone(),
            names.join("; "),
            vnfmt::format_int(a.amount_dong),
        ]);
    }
    let n = rows.len();
    // An extract when the reader's scope does not hold every selected applicant.
    let extract = (n as i64) < s.selected;
    let scope_name = if extract {
        langnghe_store::geo::by_id(&state.db, scope)
            .await?
            .map(|u| u.name)
            .unwrap_or_default()
    } else {
        String::new()
    };
    rows.push(vec![
        String::new(),
        if extract {
            "Cộng (phần trích)"
        } else {
            "Tổng cộng"
        }
        .into(),
        String::new(),
        String::new(),
        vnfmt::format_int(total),
    ]);
    let program =
        langnghe_store::programs::get(&state.db, langnghe_store::geo::COUNTRY_ID, s.program_id)
            .await?
            .ok_or(AppError::NotFound)?;
    let unit = langnghe_store::geo::by_id(&state.db, program.admin_unit_id).await?;
    let place = unit
        .as_ref()
        .map(|u| {
            u.name
                .trim_start_matches("Thành phố ")
                .trim_start_matches("Tỉnh ")
                .to_string()
        })
        .unwrap_or_default();
    let level = if unit
        .as_ref()
        .is_some_and(|u| u.name.starts_with("Thành phố"))
    {
        "THÀNH PHỐ"
    } else {
        "TỈNH"
    };
    let doc = langnghe_reports::OfficialReport {
        issuer_parent: String::new(),
        issuer: format!("ỦY BAN NHÂN DÂN\n{level} {}", place.to_uppercase()),
        number: format!("Số: {}", s.decision_number.clone().unwrap_or_else(|| "        /QĐ-UBND".into())),
        place: place.clone(),
        date: s.decision_date,
        kind_title: if extract { "TRÍCH QUYẾT ĐỊNH" } else { "QUYẾT ĐỊNH" }.into(),
        title: format!("Phê duyệt danh sách, nội dung và mức kinh phí hỗ trợ — {}", s.title),
        salutation: None,
        blocks: vec![
            langnghe_reports::Block::Paragraph(format!(
                "Căn cứ {} {}; xét đề nghị của {},",
                program.document_number.clone().map(|n| format!("Kế hoạch số {n}")).unwrap_or_else(|| program.code.clone()),
                program.title,
                s.lead_agency_name.clone().unwrap_or_default()
            )),
            langnghe_reports::Block::Heading("QUYẾT ĐỊNH:".into()),
            langnghe_reports::Block::Paragraph(if extract {
                format!(
                    "Điều 1. Phê duyệt danh sách {} đơn vị được hỗ trợ, nội dung và mức kinh phí hỗ trợ cho từng đơn vị, tổng kinh phí {} đồng (trong tổng dự toán {} đồng). Trích danh sách các đơn vị thuộc địa bàn {scope_name} ({n} đơn vị, {} đồng):",
                    s.selected,
                    vnfmt::format_int(s.selected_dong),
                    vnfmt::format_int(s.budget_dong),
                    vnfmt::format_int(total)
                )
            } else {
                format!(
                    "Điều 1. Phê duyệt danh sách {n} đơn vị được hỗ trợ, nội dung và mức kinh phí hỗ trợ cho từng đơn vị như sau, tổng kinh phí {} đồng (trong tổng dự toán {} đồng):",
                    vnfmt::format_int(total),
                    vnfmt::format_int(s.budget_dong)
                )
            }),
            langnghe_reports::Block::Table(langnghe_reports::ReportTable {
                caption: None,
                header: vec!["STT".into(), "Đơn vị được hỗ trợ".into(), "Địa bàn".into(), "Nội dung hỗ trợ".into(), "Kinh phí (đồng)".into()],
                rows,
                numeric: vec![false, false, false, false, true],
                widths: vec![0.6, 3.0, 1.6, 3.4, 1.6],
                bold_rows: vec![n],
            }),
            langnghe_reports::Block::Paragraph(format!(
                "Điều 2. {} chủ trì, phối hợp các đơn vị liên quan ký hợp đồng, tổ chức thực hiện, nghiệm thu, thanh lý hợp đồng{} và thanh quyết toán kinh phí theo quy định.",
                s.lead_agency_name.clone().unwrap_or_default(),
                s.liquidate_by.map(|d| format!(" trước ngày {}", vnfmt::format_date(d))).unwrap_or_default()
            )),
            langnghe_reports::Block::Paragraph("Điều 3. Quyết định này có hiệu lực kể từ ngày ký.".into()),
        ],
        recipients: vec!["Như Điều 2".into(), "Các đơn vị được hỗ trợ".into(), "Lưu: VT".into()],
        signer_authority: Some("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH".into()),
        signer_title: "PHÓ CHỦ TỊCH".into(),
        signer_name: String::new(),
    };
    state
        .documents
        .official(doc, None, crate::documents::Format::Pdf)
        .await
}

/// The decision approving the selected list, as the official PDF. It lists the
/// applicants of the caller's scope only (those `GET …/applications` shows):
/// to a district it is the extract of its part of the list.
#[utoipa::path(get, path = "/api/v1/schemes/{id}/decision.pdf", tag = "schemes", params(("id" = i64, Path)),
    responses((status = 200, description = "PDF", content_type = "application/pdf"),
        (status = 404, description = "no such scheme in the caller's scope, or none of its selected applicants is")))]
pub(super) async fn decision_pdf_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let bytes = decision_document(&state, &ctx, &id).await?;
    Ok(crate::common::file_response(
        bytes,
        "application/pdf",
        &format!("quyet-dinh-ho-tro-{id}.pdf"),
    ))
}

pub(super) async fn decision_pdf_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let bytes = decision_document(&state, &ctx, &id).await?;
    Ok(crate::common::file_response(
        bytes,
        "application/pdf",
        &format!("quyet-dinh-ho-tro-{id}.pdf"),
    ))
}
