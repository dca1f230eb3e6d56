//! DOCX output (docx-rs): the same content and structure as the PDF, in Word
//! terms: a borderless two-column table for the header and for the recipients /
//! signature block, justified body paragraphs with a first-line indent, bordered
//! tables with a bold header row repeated on every page.
//!
//! Font: "Times New Roman" named in every run (Word has it; LibreOffice maps it to
//! Liberation Serif). Sizes in docx are half-points.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, Header, LineSpacing, PageMargin, PageNum,
    Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts,
    SpecialIndentType, Table, TableBorder, TableBorderPosition, TableBorders, TableCell,
    TableLayoutType, TableRow, VAlignType, WidthType,
};

use super::model::{prepare, PBlock, Prepared};
use super::OfficialReport;
use crate::ReportError;

const FONT: &str = "Times New Roman";

/// A4 in twips (1/20 pt).
const PAGE_W: u32 = 11906;
const PAGE_H: u32 = 16838;
/// Decree 30 margins: top 20 mm, bottom 20 mm, left 30 mm, right 15 mm.
const MARGIN_TOP: i32 = 1134;
const MARGIN_BOTTOM: i32 = 1134;
const MARGIN_LEFT: i32 = 1701;
const MARGIN_RIGHT: i32 = 850;
/// Distance of the page-number header from the page edge (10 mm).
const HEADER_DIST: i32 = 567;
/// Text width: 210 mm - 30 mm - 15 mm.
const TEXT_W: usize = (PAGE_W as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;
/// Header block: issuer column.
const ISSUER_W: usize = TEXT_W * 38 / 100;
/// First-line indent of body paragraphs (1 cm).
const INDENT: i32 = 567;
/// Space left for the signature (25 mm).
const SIGNATURE_SPACE: u32 = 1417;
/// Marker put on header rows (docx-rs has no `tblHeader`); see [`repeat_headers`].
const HEADER_ROW_MARK: &str = "<w:cantSplit />";

// Sizes in half-points.
const PT11: usize = 22;
const PT12: usize = 24;
const PT13: usize = 26;
const PT14: usize = 28;

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii(FONT)
        .hi_ansi(FONT)
        .cs(FONT)
        .east_asia(FONT)
}

/// A run in Times New Roman.
fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).size(size).fonts(fonts())
}

#[derive(Clone, Copy)]
struct Style {
    bold: bool,
    italic: bool,
    underline: bool,
}

const PLAIN: Style = Style {
    bold: false,
    italic: false,
    underline: false,
};
const BOLD: Style = Style {
    bold: true,
    italic: false,
    underline: false,
};

fn styled(text: &str, size: usize, style: Style) -> Run {
    let mut r = run(text, size);
    if style.bold {
        r = r.bold();
    }
    if style.italic {
        r = r.italic();
    }
    if style.underline {
        r = r.underline("single");
    }
    r
}

/// Adds `lines` to `p` as runs separated by line breaks (a `'\n'` in a `w:t` would
/// show as a space).
fn add_lines<S: AsRef<str>>(mut p: Paragraph, lines: &[S], size: usize, style: Style) -> Paragraph {
    for (i, line) in lines.iter().enumerate() {
        let mut r = styled(line.as_ref(), size, style);
        if i + 1 < lines.len() {
            r = r.add_break(BreakType::TextWrapping);
        }
        p = p.add_run(r);
    }
    p
}

/// A paragraph with the given spacing after it (twips), single line spacing.
fn para(after: u32) -> Paragraph {
    Paragraph::new().line_spacing(LineSpacing::new().before(0).after(after))
}

fn centred<S: AsRef<str>>(lines: &[S], size: usize, style: Style, after: u32) -> Paragraph {
    add_lines(para(after).align(AlignmentType::Center), lines, size, style)
}

/// A short centred horizontal rule: an empty tiny paragraph with a bottom border,
/// indented from both sides so that the rule is `width` twips long.
fn rule(column: usize, width: usize) -> Paragraph {
    let side = i32::try_from(column.saturating_sub(width) / 2).unwrap_or(0);
    let mut p = para(60)
        .indent(Some(side), None, Some(side), None)
        .size(4)
        .add_run(run("", 4));
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(6),
        ),
    );
    p
}

fn cell(width: usize) -> TableCell {
    TableCell::new().width(width, WidthType::Dxa)
}

/// The two-column header: issuer | national name and motto; number | place-date.
fn header_block(d: &Prepared) -> Table {
    let motto_w = TEXT_W - ISSUER_W;
    let mut left = cell(ISSUER_W);
    if !d.issuer_parent.is_empty() {
        left = left.add_paragraph(centred(&d.issuer_parent, PT13, PLAIN, 0));
    }
    if !d.issuer.is_empty() {
        left = left
            .add_paragraph(centred(&d.issuer, PT13, BOLD, 0))
            .add_paragraph(rule(ISSUER_W, ISSUER_W / 3));
    } else {
        left = left.add_paragraph(para(0));
    }
    let motto_style = Style {
        bold: true,
        italic: false,
        underline: true,
    };
    let right = cell(motto_w)
        .add_paragraph(centred(&[d.national_name], PT12, BOLD, 0))
        .add_paragraph(centred(&[d.motto], PT13, motto_style, 0));
    let number = cell(ISSUER_W).add_paragraph(centred(&[&d.number], PT13, PLAIN, 0));
    let italic = Style {
        bold: false,
        italic: true,
        underline: false,
    };
    let date = cell(motto_w).add_paragraph(centred(&[&d.date_line], PT14, italic, 0));
    Table::new(vec![
        TableRow::new(vec![left, right]),
        TableRow::new(vec![number, date]),
    ])
    .clear_all_border()
    .set_grid(vec![ISSUER_W, motto_w])
    .width(TEXT_W, WidthType::Dxa)
    .layout(TableLayoutType::Fixed)
}

fn borders() -> TableBorders {
    let b = |pos| {
        TableBorder::new(pos)
            .border_type(BorderType::Single)
            .size(4)
    };
    TableBorders::with_empty()
        .set(b(TableBorderPosition::Top))
        .set(b(TableBorderPosition::Left))
        .set(b(TableBorderPosition::Bottom))
        .set(b(TableBorderPosition::Right))
        .set(b(TableBorderPosition::InsideH))
        .set(b(TableBorderPosition::InsideV))
}

fn cell_paragraph(text: &str, align: AlignmentType, style: Style) -> Paragraph {
    let lines: Vec<&str> = text.split('\n').collect();
    add_lines(para(0).align(align), &lines, PT12, style)
}

fn data_table(
    header: &[String],
    rows: &[Vec<String>],
    numeric: &[bool],
    widths: &[f64],
    bold: &[bool],
) -> Table {
    let grid: Vec<usize> = widths
        .iter()
        .map(|w| ((TEXT_W as f64) * w).round().max(1.0) as usize)
        .collect();
    let head = TableRow::new(
        header
            .iter()
            .zip(&grid)
            .map(|(h, w)| {
                cell(*w)
                    .vertical_align(VAlignType::Center)
                    .add_paragraph(cell_paragraph(h, AlignmentType::Center, BOLD))
            })
            .collect(),
    )
    .cant_split();
    let mut table_rows = Vec::with_capacity(rows.len() + 1);
    table_rows.push(head);
    for (row, is_bold) in rows.iter().zip(bold) {
        let style = if *is_bold { BOLD } else { PLAIN };
        table_rows.push(TableRow::new(
            row.iter()
                .zip(&grid)
                .zip(numeric)
                .map(|((c, w), num)| {
                    let align = if *num {
                        AlignmentType::Right
                    } else {
                        AlignmentType::Left
                    };
                    cell(*w)
                        .vertical_align(VAlignType::Center)
                        .add_paragraph(cell_paragraph(c, align, style))
                })
                .collect(),
        ));
    }
    Table::new(table_rows)
        .set_borders(borders())
        .set_grid(grid)
        .width(TEXT_W, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

fn body_paragraph(text: &str, style: Style) -> Paragraph {
    para(120)
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(INDENT)), None, None)
        .add_run(styled(text, PT14, style))
}

/// "Nơi nhận" | signature.
fn signature_block(d: &Prepared) -> Table {
    let half = TEXT_W / 2;
    let mut left = cell(half);
    if d.recipients.is_empty() {
        left = left.add_paragraph(para(0));
    } else {
        let label = Style {
            bold: true,
            italic: true,
            underline: false,
        };
        left = left.add_paragraph(add_lines(para(0), &[d.recipients_label], PT12, label));
        for r in &d.recipients {
            left = left.add_paragraph(add_lines(para(0), &[r], PT11, PLAIN));
        }
    }
    let mut right = cell(TEXT_W - half);
    if !d.signer_lines.is_empty() {
        right = right.add_paragraph(centred(&d.signer_lines, PT14, BOLD, 0));
    }
    let name = Paragraph::new()
        .line_spacing(LineSpacing::new().before(SIGNATURE_SPACE).after(0))
        .align(AlignmentType::Center);
    let name = if d.signer_name.is_empty() {
        name
    } else {
        name.add_run(styled(&d.signer_name, PT14, BOLD))
    };
    right = right.add_paragraph(name);
    Table::new(vec![TableRow::new(vec![left, right])])
        .clear_all_border()
        .set_grid(vec![half, TEXT_W - half])
        .width(TEXT_W, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
}

/// Marks the rows built with `cant_split()` (only the header rows of data tables)
/// as header rows repeated on every page, which docx-rs cannot express.
fn repeat_headers(document: &[u8]) -> Result<Vec<u8>, ReportError> {
    let xml = std::str::from_utf8(document)
        .map_err(|e| ReportError::Render(format!("docx: document.xml is not UTF-8: {e}")))?;
    let replacement = format!("{HEADER_ROW_MARK}<w:tblHeader />");
    Ok(xml.replace(HEADER_ROW_MARK, &replacement).into_bytes())
}

fn build(d: &Prepared) -> Docx {
    let mut page_number = Header::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_page_num(PageNum::new())
            .size(PT13)
            .fonts(fonts()),
    );
    let mut first_header = Header::new();
    if !d.watermark.is_empty() {
        let mark = || {
            Paragraph::new()
                .align(AlignmentType::Right)
                .add_run(styled(&d.watermark, PT13, BOLD))
        };
        page_number = page_number.add_paragraph(mark());
        first_header = first_header.add_paragraph(mark());
    }
    let mut docx = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(HEADER_DIST)
                .footer(HEADER_DIST),
        )
        .default_fonts(fonts())
        .default_size(PT14)
        // Decree 30: page numbers from page 2 on, centred at the top.
        .header(page_number)
        .first_header(first_header)
        .title_pg()
        .add_table(header_block(d))
        .add_paragraph(para(0));

    if !d.kind_title.is_empty() {
        docx = docx.add_paragraph(centred(&[&d.kind_title], PT14, BOLD, 0));
    }
    if !d.title.is_empty() {
        docx = docx
            .add_paragraph(centred(&d.title, PT14, BOLD, 0))
            .add_paragraph(rule(TEXT_W, TEXT_W / 5));
    }
    if let Some(s) = &d.salutation {
        docx = docx.add_paragraph(centred(&[s], PT14, PLAIN, 120));
    }
    docx = docx.add_paragraph(para(0));

    for b in &d.blocks {
        docx = match b {
            PBlock::Heading { text } => {
                docx.add_paragraph(body_paragraph(text, BOLD).keep_next(true))
            }
            PBlock::Paragraph { paras } => paras
                .iter()
                .fold(docx, |docx, p| docx.add_paragraph(body_paragraph(p, PLAIN))),
            PBlock::Table {
                caption,
                header,
                rows,
                numeric,
                widths,
                bold,
            } => {
                let mut docx = docx;
                if let Some(c) = caption {
                    docx = docx.add_paragraph(centred(&[c], PT12, BOLD, 60).keep_next(true));
                }
                docx.add_table(data_table(header, rows, numeric, widths, bold))
                    .add_paragraph(para(120))
            }
        };
    }
    docx.add_paragraph(para(0)).add_table(signature_block(d))
}

/// Renders `r` as a DOCX (A4, Decree 30/2020/NĐ-CP margins, Times New Roman 13–14
/// pt). Page numbers are centred in the header from page 2 on.
///
/// # Errors
/// [`ReportError::Render`] if the document cannot be written.
pub fn render_docx(r: &OfficialReport) -> Result<Vec<u8>, ReportError> {
    render_docx_marked(r, None)
}

/// [`render_docx`] with `mark` (e.g. "DỮ LIỆU MẪU" on sample data) in the
/// header of every page, first included, and above the title.
///
/// # Errors
/// As [`render_docx`].
pub fn render_docx_marked(r: &OfficialReport, mark: Option<&str>) -> Result<Vec<u8>, ReportError> {
    let mut d = prepare(r);
    d.watermark = mark.map(|m| m.trim().to_string()).unwrap_or_default();
    let mut xml = build(&d).build();
    xml.document = repeat_headers(&xml.document)?;
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| ReportError::Render(format!("docx: {e}")))?;
    Ok(out.into_inner())
}
