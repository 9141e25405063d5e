"""The two workbook formats (units, staff): columns, safe reading, cell parsing and writing."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MAX_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 64  # headers are read this far; beyond it a lying <dimension> could cost minutes
ZIP_MAGIC = b"PK\x03\x04"
DATE_FORMAT = "DD/MM/YYYY"
YES, NO = "Có", "Không"

UNITS, STAFF = "units", "staff"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int = 18
    note: str = ""


# Headers are the file format itself, so they stay Vietnamese whatever the interface language.
UNIT_COLUMNS = (
    Column("code", "Mã đơn vị", 16, "Bắt buộc, duy nhất; dùng để cập nhật khi nhập lại."),
    Column("name", "Tên đơn vị", 40, "Bắt buộc."),
    Column("short_name", "Tên viết tắt", 18),
    Column("kind", "Loại đơn vị", 20, "Tên loại hoặc mã loại (xem bảng dưới)."),
    Column("bloc", "Khối", 24, "Khối Đảng / Khối Chính quyền / Khối MTTQ và các đoàn thể."),
    Column("sector", "Ngành/lĩnh vực (mã)", 14, "Mã ngành đã có trong hệ thống."),
    Column("parent", "Mã đơn vị cha", 16, "Trống: đơn vị gốc. Có thể nằm ở dòng sau."),
    Column("active_from", "Hoạt động từ ngày", 14, "dd/mm/yyyy; trống: 01/07/2025."),
    Column("active_to", "Ngừng hoạt động từ ngày", 14, "dd/mm/yyyy."),
)
STAFF_COLUMNS = (
    Column("hrmis_code", "Mã HRMIS", 14, "Bắt buộc; một người có thể có nhiều dòng."),
    Column("full_name", "Họ và tên", 28, "Bắt buộc."),
    Column("date_of_birth", "Ngày sinh", 12, "dd/mm/yyyy."),
    Column("gender", "Giới tính", 8, "Nam / Nữ."),
    Column("category", "Loại cán bộ", 16, "Cán bộ / Công chức / Viên chức / Người lao động."),
    Column("position_title", "Chức vụ", 20),
    Column("job_position", "Mã vị trí việc làm", 12, "Mã vị trí việc làm đã có."),
    Column("party_member", "Đảng viên", 10, "Có / Không."),
    Column("email", "Email", 24),
    Column("phone", "Điện thoại", 14),
    Column("username", "Tên đăng nhập", 14, "Trống: mã HRMIS viết thường."),
    Column("unit", "Mã đơn vị", 16, "Bắt buộc; đơn vị đã có."),
    Column("role", "Vai trò", 20, "Cấp trưởng / Cấp phó / Chuyên viên, nhân viên."),
    Column("is_primary", "Công tác chính", 10, "Có / Không (kiêm nhiệm)."),
    Column("start", "Từ ngày", 12, "Bắt buộc, dd/mm/yyyy."),
    Column("end", "Đến ngày", 12, "dd/mm/yyyy; trống: đang công tác."),
)
COLUMNS = {UNITS: UNIT_COLUMNS, STAFF: STAFF_COLUMNS}
SHEET_TITLES = {UNITS: "Đơn vị", STAFF: "Cán bộ"}


@dataclass(frozen=True)
class Issue:
    """One problem of an import, placed by Excel row number and column header when known."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Dòng %(row)d, cột '%(column)s': %(message)s") % self._parts()
        if self.row:
            return _("Dòng %(row)d: %(message)s") % self._parts()
        return self.message

    def _parts(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class FileRejected(Exception):
    """The upload is not a workbook that may be read at all; `issues` says why."""

    def __init__(self, *issues: Issue):
        super().__init__(*issues)
        self.issues = list(issues)


def _reject(message: str) -> FileRejected:
    return FileRejected(Issue(None, "", message))


class CellError(ValueError):
    """A cell's value cannot be used; the message names what is wrong."""


@dataclass
class Sheet:
    kind: str
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (Excel row number, {column key: raw value})


def clean_text(value: str) -> str:
    """NFC (Mac and some IMEs send decomposed Vietnamese), trimmed, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def fold(value: str) -> str:
    return clean_text(value).casefold()


# ---- reading ------------------------------------------------------------------------------


def open_workbook(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_unzipped: int = MAX_UNZIPPED_BYTES
):
    """Reject what is not a small, sane .xlsx before openpyxl unpacks any of it.

    Every workbook import of the project (units, staff, catalog) opens uploads through here, so
    the zip-bomb and wrong-format guards are written, and fuzzed, once.
    """
    if len(data) > max_bytes:
        raise _reject(_("Tệp vượt quá %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)})
    if not data.startswith(ZIP_MAGIC):
        raise _reject(_("Tệp không phải định dạng Excel .xlsx."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise _reject(_("Tệp .xlsx bị hỏng, không mở được.")) from exc
    # zipfile never inflates a member past its declared size, so the declared sum is a bound.
    if unpacked > max_unzipped:
        raise _reject(
            _("Tệp giải nén quá lớn (trên %(mb)s MB), không được xử lý.")
            % {"mb": max_unzipped // (1024 * 1024)}
        )
    if "xl/workbook.xml" not in names:  # a .docx or any other zip renamed to .xlsx
        raise _reject(_("Tệp không phải định dạng Excel .xlsx hoặc bị hỏng."))
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML parse errors
        raise _reject(_("Tệp không phải định dạng Excel .xlsx hoặc bị hỏng.")) from exc


def read_sheet(data: bytes, kind: str | None = None) -> Sheet:
    """The first data sheet as raw rows keyed by column; header problems raise FileRejected."""
    workbook = open_workbook(data)
    try:
        worksheet = _pick_worksheet(workbook)
        header_row = next(
            worksheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ()
        )
        headers = _trimmed_headers(header_row)
        kind = kind or detect_kind(headers)
        positions = _header_positions(headers, COLUMNS[kind])
        rows = _data_rows(worksheet, positions, len(headers))
    except FileRejected:
        raise
    except Exception as exc:  # a sheet can be broken past the part openpyxl reads on opening
        raise _reject(_("Tệp không phải định dạng Excel .xlsx hoặc bị hỏng.")) from exc
    finally:
        workbook.close()
    if not rows:
        raise _reject(_("Bảng tính không có dòng dữ liệu nào."))
    return Sheet(kind, headers, rows)


def _pick_worksheet(workbook):
    if not workbook.worksheets:
        raise _reject(_("Bảng tính không có dòng dữ liệu nào."))
    for title in SHEET_TITLES.values():
        if title in workbook.sheetnames:
            return workbook[title]
    return workbook.worksheets[0]


def _trimmed_headers(values: Iterable[Any]) -> list[str]:
    headers = [clean_text(str(v)) if v is not None else "" for v in values]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def detect_kind(headers: list[str]) -> str:
    folded = {fold(h) for h in headers}
    if fold("Mã HRMIS") in folded:
        return STAFF
    if fold("Mã đơn vị") in folded:
        return UNITS
    if not headers:
        raise _reject(_("Bảng tính trống: dòng 1 phải là dòng tiêu đề."))
    raise FileRejected(
        Issue(
            1,
            "",
            _("không nhận ra loại dữ liệu; cần cột 'Mã đơn vị' (đơn vị) hoặc 'Mã HRMIS' (cán bộ)"),
        )
    )


def _header_positions(headers: list[str], columns: tuple[Column, ...]) -> dict[str, int]:
    wanted = {fold(c.header): c for c in columns}
    positions: dict[str, int] = {}
    problems: list[Issue] = []
    for index, header in enumerate(headers):
        column = wanted.get(fold(header))
        if not header:
            continue
        if column is None:
            problems.append(Issue(1, header, _("tiêu đề không đúng mẫu")))
        elif column.key in positions:
            problems.append(Issue(1, header, _("tiêu đề bị lặp")))
        else:
            positions[column.key] = index
    problems += [Issue(1, c.header, _("thiếu cột này")) for c in columns if c.key not in positions]
    if problems:
        raise FileRejected(*problems)
    return positions


def _data_rows(worksheet, positions: dict[str, int], width: int) -> list:
    rows = []
    # One row past the limit is read so that "too many" can be told from "exactly the limit".
    for number, values in enumerate(
        worksheet.iter_rows(min_row=2, max_row=MAX_ROWS + 2, max_col=width, values_only=True),
        start=2,
    ):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if number > MAX_ROWS + 1:
            raise _reject(_("Tệp có quá 100.000 dòng dữ liệu; hãy chia thành nhiều tệp."))
        padded = (*values, *(None,) * (width - len(values)))
        rows.append((number, {key: padded[i] for key, i in positions.items()}))
    return rows


# ---- cells --------------------------------------------------------------------------------

Parser = Callable[[Any], Any]
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _raw_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        if value.lstrip().startswith("="):
            raise CellError(_("công thức không được phép"))
        return clean_text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        raise CellError(_("cần văn bản, không phải ngày"))
    return clean_text(str(value))


def text(max_length: int, required: bool = False) -> Parser:
    def parse(value: Any) -> str:
        result = _raw_text(value)
        if required and not result:
            raise CellError(_("không được để trống"))
        if len(result) > max_length:
            raise CellError(_("dài quá %(n)d ký tự") % {"n": max_length})
        return result

    return parse


def a_date(required: bool = False, default: date | None = None) -> Parser:
    def parse(value: Any) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        raw = _raw_text(value)
        if not raw:
            if required:
                raise CellError(_("không được để trống"))
            return default
        match = _DMY.match(raw)
        try:
            if match is None:
                raise ValueError(raw)
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        except ValueError:
            raise CellError(
                _("ngày không hợp lệ '%(value)s' (cần dạng dd/mm/yyyy)") % {"value": raw}
            ) from None

    return parse


def yes_no(default: bool) -> Parser:
    def parse(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raw = _raw_text(value)
        if not raw:
            return default
        if fold(raw) in (fold(YES), "x", "1"):
            return True
        if fold(raw) in (fold(NO), "0"):
            return False
        raise CellError(_("phải là 'Có' hoặc 'Không', không phải '%(value)s'") % {"value": raw})

    return parse


def vietnamese_labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Value → Vietnamese label, whatever language the request runs in."""
    with translation.override("vi"):
        return {value: str(label) for value, label in choices.choices}


def choice(choices: type[models.TextChoices], required: bool = True, default: str = "") -> Parser:
    """Accept the Vietnamese label or the code of a choice."""
    lookup = {fold(label): value for value, label in vietnamese_labels(choices).items()}
    lookup.update({fold(value): value for value in choices.values})

    def parse(value: Any) -> str:
        raw = _raw_text(value)
        if not raw:
            if required:
                raise CellError(_("không được để trống"))
            return default
        if fold(raw) not in lookup:
            raise CellError(_("giá trị không hợp lệ '%(value)s'") % {"value": raw})
        return lookup[fold(raw)]

    return parse


def reference(known: dict[str, Any], required: bool = False) -> Parser:
    """A code that must name an existing row (sector, job position, unit)."""

    def parse(value: Any) -> Any:
        raw = _raw_text(value)
        if not raw:
            if required:
                raise CellError(_("không được để trống"))
            return None
        if raw not in known:
            raise CellError(_("không tồn tại '%(value)s'") % {"value": raw})
        return known[raw]

    return parse


def parse_row(values: dict[str, Any], parsers: dict[str, Parser]) -> tuple[dict, dict[str, str]]:
    """Parsed values and, per column key, what was wrong with the cell."""
    parsed, problems = {}, {}
    for key, parse in parsers.items():
        try:
            parsed[key] = parse(values.get(key))
        except CellError as exc:
            problems[key] = str(exc)
    return parsed, problems


# ---- writing ------------------------------------------------------------------------------


def format_bool(value: bool) -> str:
    return YES if value else NO


def workbook_bytes(kind: str, rows: Iterable[list[Any]], with_notes: bool = False) -> bytes:
    """A workbook in the import format: header row, then `rows` (dates become date cells)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLES[kind])
    columns = COLUMNS[kind]
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, column.header, font=bold) for column in columns])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    if with_notes:
        _append_notes(workbook, kind)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value: Any, font: Font | None = None):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text typed as "=…" in the app must not come back as a formula
    if font is not None:
        cell.font = font
    return cell


def _append_notes(workbook: Workbook, kind: str) -> None:
    from .models import AssignmentRole, Bloc, Gender, StaffCategory, UnitKind

    sheet = workbook.create_sheet("Hướng dẫn")
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 80
    sheet.append(["Cột", "Cách ghi"])
    for column in COLUMNS[kind]:
        sheet.append([column.header, column.note])
    sheet.append([])
    lists = (
        {"Loại đơn vị": UnitKind, "Khối": Bloc}
        if kind == UNITS
        else {
            "Giới tính": Gender,
            "Loại cán bộ": StaffCategory,
            "Vai trò": AssignmentRole,
        }
    )
    for header, choices in lists.items():
        for value, label in vietnamese_labels(choices).items():
            sheet.append([header, f"{label} (mã: {value})"])
    sheet.append([])
    sheet.append(
        ["Lưu ý", "Không dùng công thức; ngày ghi dd/mm/yyyy; tối đa 100.000 dòng, 10 MB."]
    )
