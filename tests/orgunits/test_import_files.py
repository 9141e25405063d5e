"""Files that are not a sane workbook are refused whole, in Vietnamese, before any row is read."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from orgunits import spreadsheets
from orgunits.imports import import_workbook

from .xlsx_helpers import UNIT_HEADERS, counts, staff_file, staff_row, unit_row, units_file, xlsx

pytestmark = pytest.mark.django_db


def rejected(data: bytes, user, kind: str | None = None) -> list[str]:
    before = counts()
    result = import_workbook(data, by=user, filename="tep.xlsx", kind=kind)
    assert not result.ok
    assert counts() == before
    return [str(issue) for issue in result.issues]


def test_bytes_that_are_not_a_zip_are_refused(system_admin):
    assert rejected(b"Ma don vi;Ten don vi\nT-1;Phong 1\n", system_admin) == [
        "Tệp không phải định dạng Excel .xlsx."
    ]


def test_an_old_binary_xls_file_is_refused(system_admin):
    ole_header = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504
    assert rejected(ole_header, system_admin) == ["Tệp không phải định dạng Excel .xlsx."]


def test_a_zip_that_is_not_a_workbook_is_refused(system_admin):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải bảng tính")
    assert rejected(buffer.getvalue(), system_admin) == [
        "Tệp không phải định dạng Excel .xlsx hoặc bị hỏng."
    ]


def test_a_truncated_workbook_is_refused(system_admin):
    data = units_file(unit_row("T-N1"))
    assert rejected(data[: len(data) // 2], system_admin) == ["Tệp .xlsx bị hỏng, không mở được."]


def test_a_file_over_10_mb_is_refused(system_admin):
    data = b"PK\x03\x04" + b"\0" * spreadsheets.MAX_BYTES
    assert rejected(data, system_admin) == ["Tệp vượt quá 10 MB."]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(system_admin):
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w") as member,
    ):
        for _ in range(201):
            member.write(b"\0" * 1024 * 1024)
    assert len(buffer.getvalue()) < spreadsheets.MAX_BYTES
    assert rejected(buffer.getvalue(), system_admin) == [
        "Tệp giải nén quá lớn (trên 200 MB), không được xử lý."
    ]


def test_missing_and_unknown_headers_are_each_named(system_admin):
    headers = [h for h in UNIT_HEADERS if h != "Mã đơn vị cha"] + ["Ghi chú"]
    assert rejected(xlsx(headers, [["T-N1"]]), system_admin) == [
        "Dòng 1, cột 'Ghi chú': tiêu đề không đúng mẫu",
        "Dòng 1, cột 'Mã đơn vị cha': thiếu cột này",
    ]


def test_a_repeated_header_is_refused(system_admin):
    data = xlsx([*UNIT_HEADERS, "Tên đơn vị"], [unit_row("T-N1")])
    assert rejected(data, system_admin) == ["Dòng 1, cột 'Tên đơn vị': tiêu đề bị lặp"]


def test_headers_of_neither_kind_are_refused(system_admin):
    assert rejected(xlsx(["Họ tên", "Ngày"], [["A", "B"]]), system_admin) == [
        "Dòng 1: không nhận ra loại dữ liệu; cần cột 'Mã đơn vị' (đơn vị) hoặc 'Mã HRMIS' (cán bộ)"
    ]


def test_a_forced_kind_checks_the_headers_of_that_kind(system_admin):
    found = rejected(units_file(unit_row("T-N1")), system_admin, kind="staff")
    assert "Dòng 1, cột 'Mã HRMIS': thiếu cột này" in found
    assert "Dòng 1, cột 'Tên đơn vị': tiêu đề không đúng mẫu" in found


def test_headers_only_is_an_empty_sheet(system_admin):
    assert rejected(units_file(), system_admin) == ["Bảng tính không có dòng dữ liệu nào."]


def test_a_blank_workbook_is_refused(system_admin):
    buffer = io.BytesIO()
    Workbook().save(buffer)
    assert rejected(buffer.getvalue(), system_admin) == [
        "Bảng tính trống: dòng 1 phải là dòng tiêu đề."
    ]


def test_more_rows_than_the_limit_are_refused(system_admin, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 3)
    data = units_file(*(unit_row(f"T-N{i}") for i in range(4)))
    assert rejected(data, system_admin) == [
        "Tệp có quá 100.000 dòng dữ liệu; hãy chia thành nhiều tệp."
    ]


def test_exactly_the_row_limit_is_accepted(system_admin, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 3)
    data = units_file(*(unit_row(f"T-N{i}") for i in range(3)))
    assert import_workbook(data, by=system_admin, filename="tep.xlsx").ok


def test_real_formulas_are_refused_in_any_column(system_admin):
    # openpyxl stores a string starting with "=" as a formula cell, as Excel would.
    data = staff_file(staff_row("HR9001", **{"Họ và tên": '=CONCATENATE("Lê", " Thị")'}))
    assert rejected(data, system_admin) == ["Dòng 2, cột 'Họ và tên': công thức không được phép"]


def test_blank_rows_between_data_rows_are_skipped_and_row_numbers_kept(system_admin):
    data = units_file(unit_row("T-N1"), [None] * len(UNIT_HEADERS), unit_row("T-N3", parent="T-X"))
    assert rejected(data, system_admin) == ["Dòng 4, cột 'Mã đơn vị cha': không tồn tại 'T-X'"]
