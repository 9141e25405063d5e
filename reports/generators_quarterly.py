"""The province's consolidated quarterly report for the Ban Thường vụ, as PDF and as .docx.

It is built from the bodies' reports as Ban Tổ chức accepted them (their figures are the
snapshot taken at submission), and names every body whose report is missing or not yet
accepted rather than waiting for the last one. Official text is plain Vietnamese, as in
`generators`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from . import generators
from .exporters import pdf
from .generators import DECIMAL, INT, PERCENT, Column, Part, Table
from .models import QuarterlyState
from .quarterly import TrackingRow, tracking

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COUNTED = ("people", "people_rated", "count_htxs", "count_htt", "count_ht", "count_kht")
COUNTED += ("count_not_rated", "over_quota_count", "unpublished_count")
BODY_COLUMNS = [
    Column("STT", 5, INT),
    Column("Cơ quan báo cáo", 30),
    Column("Tình trạng báo cáo", 14),
    Column("Số người", 9, INT),
    Column("Đã xếp loại", 9, INT),
    Column("Hoàn thành xuất sắc nhiệm vụ", 10, INT),
    Column("Hoàn thành tốt nhiệm vụ", 10, INT),
    Column("Hoàn thành nhiệm vụ", 10, INT),
    Column("Không hoàn thành nhiệm vụ", 10, INT),
    Column("Tỷ lệ đã đánh giá", 9, PERCENT),
    Column("Điểm bình quân", 9, DECIMAL),
    Column("Đơn vị vượt tỷ lệ xuất sắc", 9, INT),
    Column("Đơn vị chưa công bố", 9, INT),
]
TEXT_COLUMNS = [Column("Cơ quan báo cáo", 30), Column("Nội dung", 70)]
SECTIONS = (
    ("general_assessment", "III. ĐÁNH GIÁ CHUNG"),
    ("difficulties", "IV. KHÓ KHĂN, VƯỚNG MẮC"),
    ("proposals", "V. KIẾN NGHỊ, ĐỀ XUẤT"),
)


@dataclass
class Consolidation:
    year: int
    quarter: int
    rows: list[TrackingRow]
    table: Table

    @property
    def missing(self) -> list[TrackingRow]:
        return [row for row in self.rows if row.state != QuarterlyState.ACCEPTED]


def title(year: int, quarter: int) -> str:
    return (
        "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC "
        f"{generators.quarter_label(year, quarter).upper()}"
    )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _body_row(index: int, row: TrackingRow) -> list:
    label = str(row.state_label) + (" (quá hạn)" if row.overdue else "")
    if row.state != QuarterlyState.ACCEPTED:
        return [index, str(row.body), label, *([None] * (len(BODY_COLUMNS) - 3))]
    f = row.report.figures
    return [
        index,
        str(row.body),
        label,
        *(f.get(name, 0) for name in COUNTED[:6]),
        _ratio(f.get("people_rated", 0), f.get("people", 0)),
        f.get("mean_total"),
        f.get("over_quota_count", 0),
        f.get("unpublished_count", 0),
    ]


def _totals(accepted: list[TrackingRow]) -> dict[str, int]:
    return {name: sum(row.report.figures.get(name, 0) for row in accepted) for name in COUNTED}


def consolidate(bodies, year: int, quarter: int, today: date | None = None) -> Consolidation:
    """The consolidated report of the bodies' accepted reports for one quarter."""
    rows = tracking(bodies, year, quarter, today)
    accepted = [row for row in rows if row.state == QuarterlyState.ACCEPTED]
    total = _totals(accepted)
    table_rows = [_body_row(i, row) for i, row in enumerate(rows, start=1)]
    table_rows.append(
        [
            None,
            "Tổng cộng (các báo cáo đã tiếp nhận)",
            f"{len(accepted)}/{len(rows)}",
            *(total[name] for name in COUNTED[:6]),
            _ratio(total["people_rated"], total["people"]),
            None,
            total["over_quota_count"],
            total["unpublished_count"],
        ]
    )
    rated = sum(total[name] for name in COUNTED[2:6])
    facts = [
        ("Số cơ quan phải báo cáo", str(len(rows))),
        ("Số báo cáo đã tiếp nhận", str(len(accepted))),
        ("Số cán bộ, công chức, viên chức thuộc phạm vi đã tiếp nhận", str(total["people"])),
        ("Số người đã được xếp loại", str(total["people_rated"])),
        *(
            (
                label,
                f"{total[name]}"
                + (f" ({generators._fmt(100 * total[name] / rated, 1)}%)" if rated else ""),
            )
            for label, name in (
                ("Hoàn thành xuất sắc nhiệm vụ", "count_htxs"),
                ("Hoàn thành tốt nhiệm vụ", "count_htt"),
                ("Hoàn thành nhiệm vụ", "count_ht"),
                ("Không hoàn thành nhiệm vụ", "count_kht"),
            )
        ),
    ]
    missing = [row for row in rows if row.state != QuarterlyState.ACCEPTED]
    notes = (
        [
            "Chưa tổng hợp số liệu của: "
            + "; ".join(f"{row.body} ({row.state_label.lower()})" for row in missing)
            + "."
        ]
        if missing
        else ["Đã tiếp nhận báo cáo của tất cả các cơ quan."]
    )
    parts = [
        Part(
            heading,
            TEXT_COLUMNS,
            [[str(row.body), getattr(row.report, field) or "—"] for row in accepted],
        )
        for field, heading in SECTIONS
    ]
    receiver = rows[0].body.receiver if rows else None
    table = Table(
        title=title(year, quarter),
        subtitle=[f"Kính gửi: Ban Thường vụ Tỉnh ủy {generators.place_name()}"],
        columns=BODY_COLUMNS,
        rows=table_rows,
        sheet=f"Quý {quarter}-{year}",
        facts=facts,
        parts=parts,
        notes=notes,
        signatures=(
            ("NGƯỜI LẬP BÁO CÁO", generators.SIGN, ""),
            ("TRƯỞNG BAN", "(Ký tên, đóng dấu)", ""),
        ),
    )
    if receiver is not None:
        table.issuer, table.issuer_parent = generators.issuer_of(receiver)
        table.code = generators._code(receiver, "BC")
    return Consolidation(year, quarter, rows, table)


def filename(consolidation: Consolidation, extension: str) -> str:
    return f"bao-cao-quy-{consolidation.year}-Q{consolidation.quarter}-tong-hop.{extension}"


# ---- PDF (WeasyPrint) ----------------------------------------------------------------------


def render_pdf(consolidation: Consolidation, *, on: date | None = None) -> bytes:
    table = consolidation.table
    context = {
        "doc": table,
        "rows": pdf._rows(table.columns, table.rows),
        "widths": pdf._widths(table.columns),
        "parts": [
            {
                "title": part.title,
                "columns": part.columns,
                "rows": pdf._rows(part.columns, part.rows),
                "widths": pdf._widths(part.columns),
            }
            for part in table.parts
        ],
        "date_line": generators.today_line(on),
    }
    from weasyprint import HTML  # heavy on import, as in exporters.pdf

    with translation.override("vi"):
        html = render_to_string("reports/quarterly/province_pdf.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=pdf._refuse).write_pdf()


# ---- Word (.docx, python-docx) -------------------------------------------------------------


def _cell(cell, text: str, *, bold: bool = False, align=None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold = bold


def _docx_table(document, columns: list[Column], rows) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    grid = document.add_table(rows=1, cols=len(columns))
    grid.style = "Table Grid"
    for cell, column in zip(grid.rows[0].cells, columns, strict=True):
        _cell(cell, column.header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for row in rows:
        cells = grid.add_row().cells
        for cell, value, column in zip(cells, row, columns, strict=False):
            numeric = column.kind in (INT, DECIMAL, PERCENT)
            _cell(
                cell,
                pdf.cell_text(value, column.kind),
                align=WD_ALIGN_PARAGRAPH.RIGHT if numeric else None,
            )


def render_docx(consolidation: Consolidation, *, on: date | None = None) -> bytes:
    """The same document for Word and LibreOffice, for Ban Tổ chức to edit before signing."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    table = consolidation.table
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(25), Mm(15)
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(12)

    masthead = document.add_table(rows=1, cols=2)
    left, right = masthead.rows[0].cells
    _cell(left, table.issuer_parent, align=WD_ALIGN_PARAGRAPH.CENTER)
    left.add_paragraph(table.issuer).runs[0].bold = True
    left.add_paragraph(f"Số:        {table.code}")
    _cell(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    right.add_paragraph("Độc lập - Tự do - Hạnh phúc").runs[0].bold = True
    right.add_paragraph(generators.today_line(on)).runs[0].italic = True
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(table.title)
    run.bold, run.font.size = True, Pt(13)
    for line in table.subtitle:
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_paragraph().add_run("I. TÌNH HÌNH BÁO CÁO VÀ KẾT QUẢ CHUNG").bold = True
    for label, value in table.facts:
        document.add_paragraph(f"- {label}: {value}")
    document.add_paragraph().add_run("II. KẾT QUẢ THEO CƠ QUAN BÁO CÁO").bold = True
    _docx_table(document, table.columns, table.rows)
    for part in table.parts:
        document.add_paragraph().add_run(part.title).bold = True
        if part.rows:
            _docx_table(document, part.columns, part.rows)
        else:
            document.add_paragraph("Chưa có báo cáo được tiếp nhận.")
    for note in table.notes:
        document.add_paragraph(note).runs[0].italic = True

    signatures = document.add_table(rows=1, cols=len(table.signatures))
    for cell, (sig_title, hint, name) in zip(
        signatures.rows[0].cells, table.signatures, strict=True
    ):
        _cell(cell, sig_title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        cell.add_paragraph(hint).alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.add_paragraph("\n\n" + name).alignment = WD_ALIGN_PARAGRAPH.CENTER
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
