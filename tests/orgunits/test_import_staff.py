"""Importing staff and their assignments from Excel: upsert by HRMIS code, all or nothing."""

from datetime import date

import pytest

from kpi_portal.models import AuditEvent
from orgunits.imports import import_workbook
from orgunits.models import (
    Assignment,
    AssignmentRole,
    JobPosition,
    JobPositionGroup,
    OrgUnit,
    Person,
)

from .xlsx_helpers import counts, staff_file, staff_row

pytestmark = pytest.mark.django_db


def run(data: bytes, user):
    return import_workbook(data, by=user, filename="can-bo.xlsx")


def rejected(data: bytes, user) -> list[str]:
    before = counts()
    result = run(data, user)
    assert not result.ok
    assert counts() == before
    return [str(issue) for issue in result.issues]


@pytest.fixture
def position(db):
    group = JobPositionGroup.objects.create(code="T-CM", name="Chuyên môn")
    return JobPosition.objects.create(code="T-CV", name="Chuyên viên", group=group)


def test_import_creates_people_with_accounts_that_cannot_log_in_yet(system_admin, units, position):
    data = staff_file(
        staff_row("HR9001", **{"Mã vị trí việc làm": "T-CV", "Đảng viên": "Có"}),
        staff_row(
            "HR9001",
            unit="T-B",
            **{
                "Mã vị trí việc làm": "T-CV",
                "Đảng viên": "Có",
                "Công tác chính": "Không",
                "Vai trò": "Cấp phó",
            },
        ),
        staff_row("HR9002", **{"Tên đăng nhập": "le.thi.b", "Email": "b@example.gov.vn"}),
    )
    result = run(data, system_admin)
    assert result.ok, [str(i) for i in result.issues]
    assert result.counts["people_created"] == 2
    assert result.counts["assignments_created"] == 3
    first = Person.objects.select_related("user").get(hrmis_code="HR9001")
    assert (first.full_name, first.gender, first.category) == ("Lê Thị HR9001", "nu", "cong_chuc")
    assert first.date_of_birth == date(1990, 3, 15)
    assert first.job_position == position and first.party_member
    assert first.user.username == "hr9001"
    assert first.user.staff_code == "HR9001"
    assert (first.user.last_name, first.user.first_name) == ("Lê Thị", "HR9001")
    assert not first.user.has_usable_password()
    secondary = first.assignments.get(unit=units["T-B"])
    assert (secondary.is_primary, secondary.role) == (False, AssignmentRole.DEPUTY)
    second = Person.objects.select_related("user").get(hrmis_code="HR9002")
    assert (second.user.username, second.user.email) == ("le.thi.b", "b@example.gov.vn")


def test_import_of_new_people_writes_only_the_summary_event(system_admin, units):
    before = AuditEvent.objects.count()
    run(staff_file(staff_row("HR9001"), staff_row("HR9002", unit="T-B")), system_admin)
    summary = AuditEvent.objects.get(action="orgunits.import")
    assert summary.object_repr == "Sở Thử nghiệm"  # the lowest unit above T-A and T-B
    assert (summary.reason, summary.actor) == ("can-bo.xlsx", system_admin)
    assert summary.changes["people_created"] == 2
    assert AuditEvent.objects.count() == before + 1


def test_reimporting_the_same_staff_file_changes_nothing(system_admin, units):
    data = staff_file(
        staff_row("HR9001"), staff_row("HR9001", unit="T-B", **{"Công tác chính": "Không"})
    )
    run(data, system_admin)
    before = counts()
    result = run(data, system_admin)
    assert result.ok
    assert result.counts == {
        "people_created": 0,
        "people_updated": 0,
        "people_unchanged": 1,
        "assignments_created": 0,
        "assignments_updated": 0,
        "assignments_unchanged": 2,
    }
    assert counts() == before


def test_import_updates_a_person_and_records_what_changed(system_admin, staff_a):
    row = staff_row(
        staff_a.person.hrmis_code,
        **{
            "Họ và tên": "Nguyễn Văn staff_a",
            "Loại cán bộ": "cong_chuc",
            "Ngày sinh": None,
            "Giới tính": "",
            "Chức vụ": "",
            "Điện thoại": "0905 123 456",
            "Tên đăng nhập": "staff_a",
        },
    )
    result = run(staff_file(row), system_admin)
    assert result.ok, [str(i) for i in result.issues]
    assert result.counts["people_updated"] == 1
    assert result.counts["assignments_unchanged"] == 1
    staff_a.person.refresh_from_db()
    assert staff_a.person.phone == "0905 123 456"
    event = AuditEvent.objects.get(action="person.update", object_id=str(staff_a.person.pk))
    assert event.changes == {"phone": ["", "0905 123 456"]}


def test_import_ends_an_assignment_and_opens_the_next_primary_one(system_admin, staff_a, units):
    code = staff_a.person.hrmis_code
    same = {
        "Họ và tên": "Nguyễn Văn staff_a",
        "Ngày sinh": None,
        "Giới tính": "",
        "Chức vụ": "",
        "Tên đăng nhập": "staff_a",
    }
    data = staff_file(
        staff_row(code, **same, **{"Đến ngày": "31/12/2025"}),
        staff_row(code, unit="T-B", **same, **{"Từ ngày": "01/01/2026"}),
    )
    result = run(data, system_admin)
    assert result.ok, [str(i) for i in result.issues]
    assert result.counts["assignments_updated"] == 1
    assert result.counts["assignments_created"] == 1
    assert staff_a.person.primary_assignment_on(date(2026, 2, 1)).unit == units["T-B"]
    event = AuditEvent.objects.get(action="assignment.update")
    assert event.changes == {"end": [None, "2025-12-31"]}
    assert event.object_repr == "Nguyễn Văn staff_a — Phòng A"


def test_import_rejects_a_second_open_primary_assignment(system_admin, staff_a):
    code = staff_a.person.hrmis_code
    same = {
        "Họ và tên": "Nguyễn Văn staff_a",
        "Ngày sinh": None,
        "Giới tính": "",
        "Chức vụ": "",
        "Tên đăng nhập": "staff_a",
    }
    found = rejected(
        staff_file(staff_row(code, unit="T-B", **same, **{"Từ ngày": "01/01/2026"})), system_admin
    )
    assert found == [
        "Dòng 2, cột 'Công tác chính': mỗi người chỉ có một nơi công tác chính chưa kết thúc, "
        "ở đây có: T-A (01/07/2025), T-B (01/01/2026)"
    ]


def test_import_rejects_rows_of_one_person_that_disagree(system_admin, units):
    data = staff_file(
        staff_row("HR9001"),
        staff_row("HR9001", unit="T-B", **{"Họ và tên": "Lê Văn Khác", "Công tác chính": "Không"}),
    )
    assert rejected(data, system_admin) == [
        "Dòng 3, cột 'Họ và tên': khác với dòng 2 của cùng mã HRMIS 'HR9001'"
    ]


def test_import_reports_three_bad_rows_with_three_messages(system_admin, units):
    data = staff_file(
        staff_row("HR9001", unit="QNG-SYT-09"),
        staff_row("HR9002"),
        staff_row("HR9003", **{"Từ ngày": "2025-07-01"}),
        staff_row("HR9004", **{"Mã vị trí việc làm": "KHONG-CO"}),
    )
    assert rejected(data, system_admin) == [
        "Dòng 2, cột 'Mã đơn vị': không tồn tại 'QNG-SYT-09'",
        "Dòng 4, cột 'Từ ngày': ngày không hợp lệ '2025-07-01' (cần dạng dd/mm/yyyy)",
        "Dòng 5, cột 'Mã vị trí việc làm': không tồn tại 'KHONG-CO'",
    ]


def test_import_rejects_field_values_it_cannot_store(system_admin, units):
    data = staff_file(
        staff_row("HR9001", **{"Email": "khong-phai-email"}),
        staff_row("HR9002", **{"Giới tính": "Khác", "Đảng viên": "Chưa"}),
        staff_row("HR9003", **{"Đến ngày": "30/06/2025"}),
        staff_row("HR9004", **{"Loại cán bộ": ""}),
    )
    assert rejected(data, system_admin) == [
        "Dòng 2, cột 'Email': email không hợp lệ 'khong-phai-email'",
        "Dòng 3, cột 'Giới tính': giá trị không hợp lệ 'Khác'",
        "Dòng 3, cột 'Đảng viên': phải là 'Có' hoặc 'Không', không phải 'Chưa'",
        "Dòng 4, cột 'Đến ngày': không được trước ngày bắt đầu",
        "Dòng 5, cột 'Loại cán bộ': không được để trống",
    ]


def test_import_rejects_a_login_name_that_belongs_to_someone_else(system_admin, units):
    data = staff_file(
        staff_row("HR9001", **{"Tên đăng nhập": "head_a"}),
        staff_row("HR9002", **{"Tên đăng nhập": "trung"}),
        staff_row("HR9003", **{"Tên đăng nhập": "trung"}),
    )
    assert rejected(data, system_admin) == [
        "Dòng 2, cột 'Tên đăng nhập': tên đăng nhập 'head_a' đã được tài khoản khác sử dụng",
        "Dòng 4, cột 'Tên đăng nhập': tên đăng nhập 'trung' trùng với dòng 3",
    ]


def test_import_rejects_the_same_assignment_twice(system_admin, units):
    data = staff_file(staff_row("HR9001"), staff_row("HR9001"))
    assert rejected(data, system_admin) == [
        "Dòng 3, cột 'Từ ngày': trùng đơn vị và ngày bắt đầu với dòng 2"
    ]


def test_sector_admin_gets_a_row_error_for_staff_outside_their_subtree(sector_admin, units):
    data = staff_file(staff_row("HR9001", unit="T-A"), staff_row("HR9002", unit="T-BTC"))
    assert rejected(data, sector_admin) == [
        "Dòng 3, cột 'Mã đơn vị': đơn vị 'T-BTC' nằm ngoài phạm vi quản lý của bạn"
    ]


def test_sector_admin_cannot_edit_a_person_who_works_elsewhere(sector_admin, org_dept_viewer):
    row = staff_row(
        org_dept_viewer.person.hrmis_code,
        unit="T-A",
        **{"Họ và tên": "Tên Mới", "Công tác chính": "Không"},
    )
    assert rejected(staff_file(row), sector_admin) == [
        f"Dòng 2, cột 'Mã HRMIS': cán bộ '{org_dept_viewer.person.hrmis_code}' "
        "công tác ngoài phạm vi quản lý của bạn"
    ]


def test_numeric_codes_and_phone_numbers_from_excel_are_read_as_text(system_admin, units):
    data = staff_file(staff_row(90017, **{"Điện thoại": 905123456}))
    assert run(data, system_admin).ok
    person = Person.objects.get(hrmis_code="90017")
    assert person.phone == "905123456"
    assert Assignment.objects.filter(person=person).count() == 1


def test_import_rejects_an_assignment_in_a_unit_closed_on_its_start_date(system_admin, units):
    OrgUnit.objects.filter(code="T-B").update(active_to=date(2026, 1, 1))
    data = staff_file(staff_row("HR9001", unit="T-B", **{"Từ ngày": "01/01/2026"}))
    assert rejected(data, system_admin) == [
        "Dòng 2, cột 'Mã đơn vị': đơn vị 'T-B' không hoạt động vào ngày 01/01/2026"
    ]
