"""Exports use the import format, so exporting and importing back changes nothing at all."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from orgunits import exports
from orgunits.imports import import_workbook
from orgunits.models import Assignment, JobPosition, JobPositionGroup, Person, Sector

from .xlsx_helpers import STAFF_HEADERS, UNIT_HEADERS, read_rows, world_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def richer_world(units, staff_a, head_a):
    """Sectors, job positions, contact details, a closed unit and a kiêm nhiệm post."""
    sector = Sector.objects.create(code="T-YT", name="Y tế")
    units["T-A"].sector = sector
    units["T-A"].short_name = "P.A"
    units["T-A"].save()
    units["T-B"].active_to = date(2030, 1, 1)
    units["T-B"].save()
    group = JobPositionGroup.objects.create(code="T-CM", name="Chuyên môn")
    position = JobPosition.objects.create(code="T-CV", name="Chuyên viên", group=group)
    Person.objects.filter(pk=staff_a.person.pk).update(
        job_position=position,
        date_of_birth=date(1988, 2, 29),
        gender="nam",
        phone="0905000111",
        email="a@example.gov.vn",
        party_member=True,
        position_title="Chuyên viên chính",
    )
    Assignment.objects.create(
        person=head_a.person,
        unit=units["T-B"],
        role="deputy",
        is_primary=False,
        start=date(2026, 1, 1),
    )


def test_exporting_the_world_and_importing_it_back_changes_nothing(system_admin, richer_world):
    before = world_state()
    for data in (exports.units_workbook(), exports.staff_workbook()):
        result = import_workbook(data, by=system_admin, filename="the-gioi.xlsx")
        assert result.ok, [str(i) for i in result.issues]
        assert not any(v for k, v in result.counts.items() if k.endswith(("created", "updated")))
    assert world_state() == before  # same rows, same values, and no audit event written


def test_a_subtree_export_reimported_by_its_sector_admin_changes_nothing(sector_admin, units):
    before = world_state()
    for data in (exports.units_workbook(units["T-SO"]), exports.staff_workbook(units["T-SO"])):
        assert import_workbook(data, by=sector_admin, filename="so.xlsx").ok
    assert world_state() == before


def test_unit_export_lists_the_subtree_parents_first_with_vietnamese_labels(units, richer_world):
    rows = read_rows(exports.units_workbook(units["T-A"]))
    assert list(rows[0]) == UNIT_HEADERS
    assert [r[0] for r in rows[1:]] == ["T-A", "T-A1", "T-A1a"]
    code, name, short, kind, bloc, sector, parent, start, end = rows[1]
    assert (code, name, short, kind, bloc, sector, parent) == (
        "T-A",
        "Phòng A",
        "P.A",
        "Phòng, ban, khoa",
        "Khối Chính quyền",
        "T-YT",
        "T-SO",
    )
    assert start.date() == date(2025, 7, 1)
    assert end is None


def test_staff_export_writes_one_row_per_current_assignment(units, richer_world, staff_a):
    rows = read_rows(exports.staff_workbook(units["T-A"]))
    assert list(rows[0]) == STAFF_HEADERS
    mine = [r for r in rows[1:] if r[0] == staff_a.person.hrmis_code]
    assert len(mine) == 1
    row = dict(zip(STAFF_HEADERS, mine[0], strict=True))
    assert row["Ngày sinh"].date() == date(1988, 2, 29)
    assert (row["Giới tính"], row["Loại cán bộ"], row["Đảng viên"]) == ("Nam", "Công chức", "Có")
    assert (row["Mã vị trí việc làm"], row["Tên đăng nhập"], row["Mã đơn vị"]) == (
        "T-CV",
        "staff_a",
        "T-A",
    )
    assert (row["Vai trò"], row["Công tác chính"], row["Chức vụ"]) == (
        "Chuyên viên, nhân viên",
        "Có",
        "Chuyên viên chính",
    )


def test_text_that_looks_like_a_formula_is_exported_as_text(staff_a, units):
    Person.objects.filter(pk=staff_a.person.pk).update(position_title='=HYPERLINK("http://x")')
    sheet = load_workbook(io.BytesIO(exports.staff_workbook(units["T-A"]))).worksheets[0]
    cells = [
        row[5] for row in sheet.iter_rows(min_row=2) if row[0].value == staff_a.person.hrmis_code
    ]
    assert cells[0].value == '=HYPERLINK("http://x")'
    assert cells[0].data_type == "s"


def test_exported_dates_are_real_dates_shown_as_dd_mm_yyyy(units):
    sheet = load_workbook(io.BytesIO(exports.units_workbook(units["T-A"]))).worksheets[0]
    assert sheet["H2"].is_date
    assert sheet["H2"].number_format == "DD/MM/YYYY"


def test_blank_templates_hold_the_headers_and_a_guide_sheet():
    for kind, headers in (("units", UNIT_HEADERS), ("staff", STAFF_HEADERS)):
        workbook = load_workbook(io.BytesIO(exports.blank_template(kind)), read_only=True)
        assert workbook.sheetnames[1] == "Hướng dẫn"
        first = [tuple(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
        assert first == [tuple(headers)]
