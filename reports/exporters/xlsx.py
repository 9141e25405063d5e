"""Excel workbooks in openpyxl's write-only mode, so a large export streams instead of piling up."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..generators import DATE, DECIMAL, INT, PERCENT, Column, Table

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {INT: "#,##0", DECIMAL: "#,##0.00", PERCENT: "0.0%", DATE: "DD/MM/YYYY"}
# Spreadsheet programs run text starting with these as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


def neutralise(text: str) -> str:
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def sheet_title(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31] or "Báo cáo"


def _cell(sheet, value, column: Column | None = None, *, font: Font | None = None):
    if isinstance(value, str):
        value = neutralise(value)
    elif isinstance(value, bool):
        value = "Có" if value else "Không"
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif column is not None and column.kind in NUMBER_FORMATS and value is not None:
        cell.number_format = NUMBER_FORMATS[column.kind]
    elif isinstance(value, date | datetime):
        cell.number_format = NUMBER_FORMATS[DATE]
    if font is not None:
        cell.font = font
    return cell


def _write_sheet(workbook, title: str, heading: list[str], columns, rows, notes) -> None:
    sheet = workbook.create_sheet(sheet_title(title))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    # Write-only sheets take the frozen pane before any row: title lines, a blank, the header.
    header_row = len(heading) + 2
    sheet.freeze_panes = f"A{header_row + 1}"
    bold = Font(bold=True)
    for line_number, line in enumerate(heading):
        sheet.append([_cell(sheet, line, font=Font(bold=True, size=13 if not line_number else 11))])
    sheet.append([])
    header = []
    for column in columns:
        cell = _cell(sheet, column.header, font=bold)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(
            [_cell(sheet, value, column) for value, column in zip(row, columns, strict=False)]
        )
    if notes:
        sheet.append([])
        for note in notes:
            sheet.append([_cell(sheet, note)])


def render(table: Table) -> bytes:
    """The table on its first sheet, each further part on a sheet of its own."""
    workbook = Workbook(write_only=True)
    heading = [table.title, *table.subtitle, *(f"{label}: {value}" for label, value in table.facts)]
    _write_sheet(workbook, table.sheet, heading, table.columns, table.rows, table.notes)
    for part in table.parts:
        _write_sheet(workbook, part.title, [part.title], part.columns, part.rows, [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
