"""Workbooks built in memory for the import and export tests, plus a snapshot of what they touch."""

import io
from datetime import date

from openpyxl import Workbook, load_workbook

from kpi_portal.models import AuditEvent
from orgunits.models import Assignment, OrgUnit, Person, User
from orgunits.spreadsheets import STAFF_COLUMNS, UNIT_COLUMNS

UNIT_HEADERS = [c.header for c in UNIT_COLUMNS]
STAFF_HEADERS = [c.header for c in STAFF_COLUMNS]


def xlsx(headers: list, rows: list[list], title: str = "Dữ liệu") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def unit_row(code: str, parent: str = "T-SO", **values) -> list:
    row = {
        "Mã đơn vị": code,
        "Tên đơn vị": f"Phòng {code}",
        "Tên viết tắt": "",
        "Loại đơn vị": "Phòng, ban, khoa",
        "Khối": "Khối Chính quyền",
        "Ngành/lĩnh vực (mã)": "",
        "Mã đơn vị cha": parent,
        "Hoạt động từ ngày": "01/07/2025",
        "Ngừng hoạt động từ ngày": None,
    }
    row.update(values)
    return [row[h] for h in UNIT_HEADERS]


def units_file(*rows: list) -> bytes:
    return xlsx(UNIT_HEADERS, list(rows), "Đơn vị")


def staff_row(hrmis: str, unit: str = "T-A", **values) -> list:
    row = {
        "Mã HRMIS": hrmis,
        "Họ và tên": f"Lê Thị {hrmis}",
        "Ngày sinh": "15/03/1990",
        "Giới tính": "Nữ",
        "Loại cán bộ": "Công chức",
        "Chức vụ": "Chuyên viên",
        "Mã vị trí việc làm": "",
        "Đảng viên": "Không",
        "Email": "",
        "Điện thoại": "",
        "Tên đăng nhập": "",
        "Mã đơn vị": unit,
        "Vai trò": "Chuyên viên, nhân viên",
        "Công tác chính": "Có",
        "Từ ngày": date(2025, 7, 1),
        "Đến ngày": None,
    }
    row.update(values)
    return [row[h] for h in STAFF_HEADERS]


def staff_file(*rows: list) -> bytes:
    return xlsx(STAFF_HEADERS, list(rows), "Cán bộ")


def read_rows(data: bytes) -> list[tuple]:
    """Every row of the first sheet, header included, as plain values."""
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    width = len(next(sheet.iter_rows(max_row=1, values_only=True)))
    return [tuple(row) for row in sheet.iter_rows(max_col=width, values_only=True)]


def counts() -> dict[str, int]:
    return {
        "units": OrgUnit.objects.count(),
        "people": Person.objects.count(),
        "assignments": Assignment.objects.count(),
        "users": User.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def world_state() -> dict[str, list]:
    """Every field an import may write, to compare before and after."""
    return {
        "units": list(
            OrgUnit.objects.order_by("code").values_list(
                "code",
                "name",
                "short_name",
                "kind",
                "bloc",
                "sector_id",
                "path",
                "numchild",
                "active_from",
                "active_to",
            )
        ),
        "people": list(Person.objects.order_by("hrmis_code").values()),
        "assignments": list(Assignment.objects.order_by("id").values()),
        "users": list(
            User.objects.order_by("id").values_list(
                "username", "email", "first_name", "last_name", "staff_code", "password"
            )
        ),
        "events": AuditEvent.objects.count(),
    }
