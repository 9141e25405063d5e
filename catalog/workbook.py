"""The catalog workbook: its sheets and columns, safe reading of an upload, and cell parsing."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from orgunits import spreadsheets

MAX_ROWS = 5_000  # per sheet; a catalog of one owner is a few hundred rows
MAX_COLUMNS = 32
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
DATE_FORMAT = "DD/MM/YYYY"

PRODUCTS, QUOTAS, CONVERSIONS = "products", "quotas", "conversions"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 16


# Headers are the file format, so they stay Vietnamese whatever the interface language.
SHEETS: dict[str, tuple[str, tuple[Column, ...]]] = {
    PRODUCTS: (
        "Sản phẩm",
        (
            Column("code", "Mã sản phẩm", True, 14),
            Column("name", "Tên sản phẩm, công việc", True, 50),
            Column("unit_of_measure", "Đơn vị tính", True, 14),
            Column("group", "Nhóm (A-D)", True, 10),
            Column("coefficient", "Hệ số quy đổi", True, 12),
            Column("complexity", "Mức độ phức tạp", False, 12),
            Column("expected_hours", "Số giờ dự kiến", False, 12),
            Column("position_groups", "Nhóm vị trí việc làm", False, 22),
            Column("active_from", "Áp dụng từ ngày", False, 14),
            Column("active_to", "Áp dụng đến hết ngày", False, 14),
            Column("description", "Mô tả", False, 40),
        ),
    ),
    QUOTAS: (
        "Định mức",
        (
            Column("unit", "Mã đơn vị", True, 18),
            Column("group", "Mã nhóm vị trí việc làm", True, 14),
            Column("per_month", "Sản phẩm chuẩn/tháng", True, 14),
            Column("valid_from", "Áp dụng từ ngày", True, 14),
            Column("valid_to", "Áp dụng đến hết ngày", False, 14),
            Column("note", "Căn cứ, ghi chú", False, 40),
        ),
    ),
    CONVERSIONS: (
        "Bảng quy đổi",
        (
            Column("table_code", "Mã bảng", True, 12),
            Column("table_name", "Tên bảng", True, 36),
            Column("task_type", "Loại nhiệm vụ", True, 44),
            Column("product", "Mã sản phẩm", True, 14),
            Column("coefficient", "Hệ số quy đổi", True, 12),
            Column("note", "Ghi chú", False, 30),
        ),
    ),
}


@dataclass(frozen=True)
class Issue:
    """One problem, placed by sheet, Excel row number and column header when known."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        parts = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }
        if self.row and self.column:
            return _("Trang “%(sheet)s”, dòng %(row)d, cột “%(column)s”: %(message)s") % parts
        if self.row:
            return _("Trang “%(sheet)s”, dòng %(row)d: %(message)s") % parts
        if self.sheet:
            return _("Trang “%(sheet)s”: %(message)s") % parts
        return self.message


class FileRejected(Exception):
    """The upload cannot be read at all; `issues` says why."""

    def __init__(self, *issues: Issue):
        super().__init__(*issues)
        self.issues = list(issues)


def _reject(message: str, sheet: str = "") -> FileRejected:
    return FileRejected(Issue(sheet, None, "", message))


class CellError(ValueError):
    """A cell's value cannot be used; the message says what is wrong."""


@dataclass
class Sheet:
    kind: str
    title: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def clean_text(value: Any) -> str:
    """NFC (some keyboards send decomposed Vietnamese), trimmed, inner spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _fold(value: Any) -> str:
    return clean_text(value).casefold()


def open_workbook(data: bytes):
    """The shared safe opener of org-unit imports, with the catalog's limits and Issue type."""
    try:
        return spreadsheets.open_workbook(
            data, max_bytes=settings.MAX_UPLOAD_BYTES, max_unzipped=MAX_UNZIPPED_BYTES
        )
    except spreadsheets.FileRejected as exc:
        raise _reject(exc.issues[0].message) from exc


def read_sheets(data: bytes) -> list[Sheet]:
    """Every catalog sheet of the workbook as raw rows; header problems raise FileRejected."""
    workbook = open_workbook(data)
    try:
        titles = {_fold(title): kind for kind, (title, _columns) in SHEETS.items()}
        sheets, issues = [], []
        for worksheet in workbook.worksheets:
            kind = titles.get(_fold(worksheet.title))
            if kind is None:
                continue  # an instructions sheet, or the user's own notes
            sheet, problems = _read_sheet(worksheet, kind)
            sheets.append(sheet)
            issues += problems
    finally:
        workbook.close()
    if issues:
        raise FileRejected(*issues)
    if not sheets:
        expected = ", ".join(f"“{title}”" for title, _columns in SHEETS.values())
        raise _reject(_("Tệp không có trang nào tên %(names)s.") % {"names": expected})
    return sheets


def _read_sheet(worksheet, kind: str) -> tuple[Sheet, list[Issue]]:
    title, columns = SHEETS[kind]
    rows = worksheet.iter_rows(max_col=MAX_COLUMNS)
    header_cells = next(rows, ())
    by_header = {_fold(c.header): c for c in columns}
    positions: dict[int, Column] = {}
    issues = []
    for index, cell in enumerate(header_cells):
        text = _fold(cell.value)
        if not text:
            continue
        column = by_header.get(text)
        if column is None:
            issues.append(
                Issue(title, 1, clean_text(cell.value), _("Tiêu đề cột không được hỗ trợ."))
            )
        else:
            positions[index] = column
    for column in columns:
        if column.required and column not in positions.values():
            issues.append(Issue(title, 1, column.header, _("Thiếu cột bắt buộc.")))
    sheet = Sheet(kind, title)
    if issues:
        return sheet, issues
    for number, cells in enumerate(rows, start=2):
        values: dict[str, Any] = {}
        for index, cell in enumerate(cells):
            column = positions.get(index)
            if column is None or cell.value is None:
                continue
            if cell.data_type == "f" or (
                isinstance(cell.value, str) and cell.value.startswith("=")
            ):
                issues.append(
                    Issue(title, number, column.header, _("Ô chứa công thức; hãy nhập giá trị."))
                )
                continue
            values[column.key] = cell.value
        if not any(clean_text(v) for v in values.values()):
            continue
        if len(sheet.rows) >= MAX_ROWS:
            issues.append(
                Issue(
                    title, None, "", _("Quá %(n)s dòng dữ liệu trong một trang.") % {"n": MAX_ROWS}
                )
            )
            break
        sheet.rows.append((number, values))
    return sheet, issues


# ---- cells --------------------------------------------------------------------------------


def parse_text(value: Any, *, required: bool = False, max_length: int = 255) -> str:
    text = clean_text(value)
    if required and not text:
        raise CellError(_("Bắt buộc nhập."))
    if len(text) > max_length:
        raise CellError(_("Dài quá %(n)s ký tự.") % {"n": max_length})
    return text


def parse_decimal(
    value: Any, *, required: bool = False, places: int = 3, positive: bool = True
) -> Decimal | None:
    if value is None or clean_text(value) == "":
        if required:
            raise CellError(_("Bắt buộc nhập."))
        return None
    if isinstance(value, bool):
        raise CellError(_("Phải là một số."))
    # A float cell holds the shortest decimal that reads back the same, so repr() is exact here.
    text = repr(value) if isinstance(value, float) else clean_text(value).replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("Phải là một số.")) from None
    if not number.is_finite():
        raise CellError(_("Phải là một số."))
    if positive and number <= 0:
        raise CellError(_("Phải lớn hơn 0."))
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise CellError(_("Tối đa %(n)s chữ số thập phân.") % {"n": places})
    if number >= 10_000:
        raise CellError(_("Giá trị quá lớn."))
    return number


def parse_date(value: Any, *, required: bool = False) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value)
    if not text:
        if required:
            raise CellError(_("Bắt buộc nhập."))
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("Ngày không hợp lệ; hãy ghi dạng dd/mm/yyyy."))


def parse_codes(value: Any) -> list[str]:
    """A comma- or semicolon-separated list of codes, in the order written."""
    text = clean_text(value).replace(";", ",")
    return [part.strip() for part in text.split(",") if part.strip()]
