"""Importing the unit tree from Excel: upsert by code, tree order, moves, and every rejection."""

from datetime import date

import pytest

from kpi_portal.models import AuditEvent
from orgunits.imports import import_workbook
from orgunits.models import OrgUnit, OrgUnitNameHistory, UnitKind

from .xlsx_helpers import counts, unit_row, units_file

pytestmark = pytest.mark.django_db


def run(data: bytes, user, name: str = "don-vi.xlsx"):
    return import_workbook(data, by=user, filename=name)


def messages(result) -> list[str]:
    return [str(issue) for issue in result.issues]


def parent_code(code: str) -> str:
    unit = OrgUnit.objects.get(code=code)
    return OrgUnit.objects.get(path=unit.path[: -OrgUnit.steplen]).code


def test_import_places_children_listed_before_their_parents(system_admin):
    data = units_file(
        unit_row("T-N1a", parent="T-N1", **{"Loại đơn vị": "to"}),
        unit_row("T-N1", parent="T-SO", **{"Tên đơn vị": "Phòng Mới", "Tên viết tắt": "PM"}),
    )
    result = run(data, system_admin)
    assert result.ok, messages(result)
    assert result.counts == {"created": 2, "updated": 0, "moved": 0, "unchanged": 0}
    assert parent_code("T-N1a") == "T-N1"
    assert parent_code("T-N1") == "T-SO"
    new = OrgUnit.objects.get(code="T-N1")
    assert (new.name, new.short_name, new.kind, new.bloc) == (
        "Phòng Mới",
        "PM",
        UnitKind.DEPARTMENT,
        "chinh_quyen",
    )
    assert OrgUnit.objects.get(code="T-N1a").kind == UnitKind.TEAM
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


def test_import_writes_one_summary_event_on_the_root_most_unit_and_one_per_unit(system_admin):
    run(units_file(unit_row("T-N1a", parent="T-N1"), unit_row("T-N1")), system_admin)
    summary = AuditEvent.objects.get(action="orgunits.import")
    assert summary.object_repr == "Phòng T-N1"
    assert summary.reason == "don-vi.xlsx"
    assert summary.changes["created"] == 2
    assert summary.actor == system_admin
    assert (
        AuditEvent.objects.filter(
            action="orgunit.create", object_repr__startswith="Phòng T-N"
        ).count()
        == 2
    )


def test_reimporting_the_same_units_file_changes_nothing(system_admin):
    data = units_file(unit_row("T-N1a", parent="T-N1"), unit_row("T-N1"))
    run(data, system_admin)
    before = counts()
    result = run(data, system_admin)
    assert result.ok
    assert result.counts == {"created": 0, "updated": 0, "moved": 0, "unchanged": 2}
    assert counts() == before


def test_import_moves_an_existing_unit_with_its_subtree(system_admin, units):
    data = units_file(
        unit_row("T-A1", parent="T-B", **{"Tên đơn vị": "Tổ A1", "Loại đơn vị": "Tổ"})
    )
    result = run(data, system_admin)
    assert result.ok, messages(result)
    assert result.counts == {"created": 0, "updated": 1, "moved": 1, "unchanged": 0}
    assert parent_code("T-A1") == "T-B"
    assert parent_code("T-A1a") == "T-A1"
    assert OrgUnit.objects.get(code="T-A1a").path.startswith(OrgUnit.objects.get(code="T-B").path)
    assert AuditEvent.objects.filter(
        action="orgunit.move", object_id=str(units["T-A1"].pk)
    ).exists()


def test_import_renames_a_unit_and_keeps_the_old_name(system_admin, units):
    data = units_file(
        unit_row("T-B", **{"Tên đơn vị": "Phòng B mới", "Ngừng hoạt động từ ngày": "31/12/2026"})
    )
    result = run(data, system_admin)
    assert result.counts["updated"] == 1
    unit = OrgUnit.objects.get(code="T-B")
    assert unit.name == "Phòng B mới"
    assert unit.active_to == date(2026, 12, 31)
    assert OrgUnitNameHistory.objects.filter(unit=unit, name="Phòng B").exists()


def test_import_accepts_real_excel_dates_and_kind_codes(system_admin):
    row = unit_row("T-N2", **{"Hoạt động từ ngày": date(2026, 1, 1), "Loại đơn vị": "phong"})
    assert run(units_file(row), system_admin).ok
    assert OrgUnit.objects.get(code="T-N2").active_from == date(2026, 1, 1)


def rejected(data: bytes, user) -> list[str]:
    """Import, assert that nothing at all was written, and return the messages."""
    before = counts()
    result = run(data, user)
    assert not result.ok
    assert counts() == before
    return messages(result)


def test_import_rejects_an_unknown_parent_with_row_and_column(system_admin):
    data = units_file(unit_row("T-N1"), unit_row("T-N2", parent="QNG-SYT-09"))
    assert rejected(data, system_admin) == [
        "Dòng 3, cột 'Mã đơn vị cha': không tồn tại 'QNG-SYT-09'"
    ]


def test_import_rejects_duplicate_codes_and_writes_nothing(system_admin):
    data = units_file(unit_row("T-N1"), unit_row("T-N1", **{"Tên đơn vị": "Khác"}))
    assert rejected(data, system_admin) == ["Dòng 3, cột 'Mã đơn vị': mã 'T-N1' trùng với dòng 2"]


def test_import_rejects_a_parent_cycle_among_new_units(system_admin):
    data = units_file(unit_row("T-X", parent="T-Y"), unit_row("T-Y", parent="T-X"))
    found = rejected(data, system_admin)
    assert len(found) == 2
    assert found[0].startswith("Dòng 2, cột 'Mã đơn vị cha': vòng lặp đơn vị cha (T-X → T-Y → T-X)")
    assert found[1].startswith("Dòng 3, cột 'Mã đơn vị cha': vòng lặp đơn vị cha")


def test_import_refuses_to_move_a_unit_into_its_own_subtree(system_admin):
    data = units_file(unit_row("T-A", parent="T-A1a"))
    found = rejected(data, system_admin)
    assert len(found) == 1
    assert "Dòng 2, cột 'Mã đơn vị cha': vòng lặp đơn vị cha" in found[0]
    assert "không thể đặt đơn vị dưới cấp dưới của nó" in found[0]


def test_import_allows_swapping_a_parent_and_child_when_both_rows_move(system_admin):
    data = units_file(
        unit_row("T-A1", parent="T-SO", **{"Tên đơn vị": "Tổ A1", "Loại đơn vị": "Tổ"}),
        unit_row("T-A", parent="T-A1", **{"Tên đơn vị": "Phòng A"}),
    )
    result = run(data, system_admin)
    assert result.ok, messages(result)
    assert parent_code("T-A") == "T-A1"
    assert parent_code("T-A1") == "T-SO"
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


def test_import_rejects_bad_dates_in_vietnamese(system_admin):
    data = units_file(
        unit_row("T-N1", **{"Hoạt động từ ngày": "31/02/2025"}),
        unit_row("T-N2", **{"Hoạt động từ ngày": "2025-07-01"}),
        unit_row("T-N3", **{"Ngừng hoạt động từ ngày": "30/06/2025"}),
    )
    assert rejected(data, system_admin) == [
        "Dòng 2, cột 'Hoạt động từ ngày': ngày không hợp lệ '31/02/2025' (cần dạng dd/mm/yyyy)",
        "Dòng 3, cột 'Hoạt động từ ngày': ngày không hợp lệ '2025-07-01' (cần dạng dd/mm/yyyy)",
        "Dòng 4, cột 'Ngừng hoạt động từ ngày': không được trước ngày hoạt động",
    ]


def test_import_reports_every_bad_row_at_once(system_admin):
    data = units_file(
        unit_row("T-N1", **{"Loại đơn vị": "Bộ"}),
        unit_row("T-N2"),
        unit_row("", **{"Tên đơn vị": "Không mã"}),
        unit_row("T-N4", **{"Ngành/lĩnh vực (mã)": "KHONG-CO"}),
    )
    assert rejected(data, system_admin) == [
        "Dòng 2, cột 'Loại đơn vị': giá trị không hợp lệ 'Bộ'",
        "Dòng 4, cột 'Mã đơn vị': không được để trống",
        "Dòng 5, cột 'Ngành/lĩnh vực (mã)': không tồn tại 'KHONG-CO'",
    ]


def test_import_rejects_formulas(system_admin):
    data = units_file(unit_row("T-N1", **{"Tên đơn vị": '=HYPERLINK("http://x")'}))
    assert rejected(data, system_admin) == ["Dòng 2, cột 'Tên đơn vị': công thức không được phép"]


def test_sector_admin_gets_a_row_error_for_units_outside_their_subtree(sector_admin):
    data = units_file(
        unit_row("T-N1", parent="T-A"),
        unit_row("T-N2", parent="T-DANG"),
        unit_row("T-BTC", parent="T-DANG", **{"Tên đơn vị": "Ban Tổ chức mới"}),
        unit_row("T-N3", parent=""),
    )
    assert rejected(data, sector_admin) == [
        "Dòng 3, cột 'Mã đơn vị cha': đơn vị cha 'T-DANG' nằm ngoài phạm vi quản lý của bạn",
        "Dòng 4, cột 'Mã đơn vị': đơn vị 'T-BTC' nằm ngoài phạm vi quản lý của bạn",
        "Dòng 5, cột 'Mã đơn vị cha': chỉ quản trị hệ thống được tạo đơn vị gốc",
    ]


def test_sector_admin_imports_within_their_subtree_including_new_parents(sector_admin):
    data = units_file(unit_row("T-N1a", parent="T-N1"), unit_row("T-N1", parent="T-A"))
    result = run(data, sector_admin)
    assert result.ok, messages(result)
    assert parent_code("T-N1a") == "T-N1"


def test_a_unit_cannot_be_its_own_parent(system_admin):
    found = rejected(units_file(unit_row("T-N1", parent="T-N1")), system_admin)
    assert found == [
        "Dòng 2, cột 'Mã đơn vị cha': vòng lặp đơn vị cha (T-N1 → T-N1): "
        "không thể đặt đơn vị dưới cấp dưới của nó"
    ]


def test_a_loop_is_reported_to_a_sector_admin_and_rows_hanging_below_it_wait(sector_admin):
    data = units_file(
        unit_row("T-W", parent="T-X"), unit_row("T-X", parent="T-Y"), unit_row("T-Y", parent="T-X")
    )
    loop = "vòng lặp đơn vị cha (T-X → T-Y → T-X): không thể đặt đơn vị dưới cấp dưới của nó"
    assert rejected(data, sector_admin) == [
        f"Dòng 3, cột 'Mã đơn vị cha': {loop}",
        f"Dòng 4, cột 'Mã đơn vị cha': {loop}",
    ]
