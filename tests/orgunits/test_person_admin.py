"""Adding and editing people, transfers, secondary assignments and leaving, from the app."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from kpi_portal.models import AuditEvent
from orgunits import permissions
from orgunits.models import Assignment, AssignmentRole, Person, User

pytestmark = pytest.mark.django_db

PERSON_ADMIN_VIEWS = [
    "orgunits:person_edit",
    "orgunits:person_transfer",
    "orgunits:person_add_secondary",
    "orgunits:person_deactivate",
]

# Persona → status for an admin screen about staff_a (Phòng A).
MATRIX = {
    None: 302,
    "staff_a": 403,  # may see themself, not change their own record
    "staff_a2": 404,
    "head_a": 403,
    "head_b": 404,
    "outsider_b": 404,
    "hr_officer": 403,
    "org_dept_viewer": 403,
    "party_viewer": 404,
    "sector_admin": 200,
    "system_admin": 200,
}


def _d(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _new_person(**overrides) -> dict:
    return {
        "full_name": "Lê Thị Mới",
        "date_of_birth": "15/03/1990",
        "gender": "nu",
        "category": "vien_chuc",
        "position_title": "Chuyên viên",
        "hrmis_code": "QNG-NEW-01",
        "email": "le.moi@example.vn",
        "role": "staff",
        "start": "01/11/2026",
        **overrides,
    }


@pytest.mark.parametrize("view", PERSON_ADMIN_VIEWS)
@pytest.mark.parametrize(("persona", "expected"), MATRIX.items())
def test_person_admin_screens_answer_by_right(status_for, staff_a, view, persona, expected):
    assert status_for(persona, reverse(view, args=[staff_a.person.pk])) == expected


@pytest.mark.parametrize(("persona", "expected"), MATRIX.items())
def test_ending_an_assignment_answers_by_right(status_for, staff_a, persona, expected):
    assignment = staff_a.person.assignments.get()
    assert status_for(persona, reverse("orgunits:assignment_end", args=[assignment.pk])) == expected


@pytest.mark.parametrize("view", PERSON_ADMIN_VIEWS)
def test_sector_admin_cannot_reach_people_of_another_bloc(status_for, org_dept_viewer, view):
    url = reverse(view, args=[org_dept_viewer.person.pk])  # works in Ban Tổ chức (Party bloc)
    assert status_for("sector_admin", url) == 404
    assert status_for("system_admin", url) == 200


def test_person_page_shows_admin_actions_only_to_those_who_may_use_them(
    client_for, staff_a, head_a, sector_admin
):
    url = reverse("orgunits:person_detail", args=[staff_a.person.pk])
    edit = reverse("orgunits:person_edit", args=[staff_a.person.pk])
    assert edit not in client_for(head_a).get(url).content.decode()
    html = client_for(sector_admin).get(url).content.decode()
    assert edit in html
    end = reverse("orgunits:assignment_end", args=[staff_a.person.assignments.get().pk])
    assert end in html


def test_sector_admin_adds_a_person_with_an_account_and_a_primary_assignment(
    client_for, units, sector_admin
):
    response = client_for(sector_admin).post(
        reverse("orgunits:person_create", args=[units["T-A1"].pk]), _new_person()
    )
    person = Person.objects.get(hrmis_code="QNG-NEW-01")
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert person.user.username == "qng-new-01"
    assert not person.user.has_usable_password()
    assert person.user.get_full_name() == "Lê Thị Mới"
    assignment = person.assignments.get()
    assert (assignment.unit, assignment.is_primary, assignment.start) == (
        units["T-A1"],
        True,
        date(2026, 11, 1),
    )
    assert AuditEvent.objects.filter(action="person.create", object_id=str(person.pk)).exists()


def test_adding_a_person_with_a_taken_hrmis_code_writes_nothing(client_for, units, sector_admin):
    people, accounts = Person.objects.count(), User.objects.count()
    response = client_for(sector_admin).post(
        reverse("orgunits:person_create", args=[units["T-A"].pk]),
        _new_person(hrmis_code="HR0000", username="khac"),
    )
    assert response.status_code == 200
    assert "Mã HRMIS đã tồn tại" in response.content.decode()
    assert (Person.objects.count(), User.objects.count()) == (people, accounts)


def test_adding_a_person_with_a_taken_username_writes_nothing(client_for, units, sector_admin):
    people = Person.objects.count()
    response = client_for(sector_admin).post(
        reverse("orgunits:person_create", args=[units["T-A"].pk]),
        _new_person(username="Staff_A"),
    )
    assert "Tên đăng nhập “Staff_A” đã có người dùng." in response.content.decode()
    assert Person.objects.count() == people


def test_adding_a_person_with_a_bad_birth_date_answers_in_vietnamese(
    client_for, units, sector_admin
):
    response = client_for(sector_admin).post(
        reverse("orgunits:person_create", args=[units["T-A"].pk]),
        _new_person(date_of_birth="1990-13-45"),
    )
    assert "Nhập ngày hợp lệ" in response.content.decode()
    assert not Person.objects.filter(hrmis_code="QNG-NEW-01").exists()


def test_editing_a_person_records_old_and_new_values(client_for, staff_a, sector_admin):
    person = staff_a.person
    response = client_for(sector_admin).post(
        reverse("orgunits:person_edit", args=[person.pk]),
        {
            "full_name": person.full_name,
            "category": "vien_chuc",
            "hrmis_code": person.hrmis_code,
            "party_member": "on",
            "email": "staff.a@example.vn",
            "reason": "Cập nhật hồ sơ",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.category, person.party_member) == ("vien_chuc", True)
    assert User.objects.get(pk=staff_a.pk).email == "staff.a@example.vn"
    event = AuditEvent.objects.get(action="person.update", object_id=str(person.pk))
    assert event.changes["category"] == ["cong_chuc", "vien_chuc"]
    assert event.reason == "Cập nhật hồ sơ"


def test_transfer_keeps_both_assignments_and_moves_the_approver(
    client_for, units, staff_a, head_a, head_b, sector_admin, today
):
    person = staff_a.person
    response = client_for(sector_admin).post(
        reverse("orgunits:person_transfer", args=[person.pk]),
        {"to_unit": units["T-B"].pk, "role": "staff", "on": _d(today), "reason": "Điều động"},
    )
    assert response.status_code == 302
    yesterday = today - timedelta(days=1)
    assert person.assignments.count() == 2
    assert person.primary_assignment_on(yesterday).unit == units["T-A"]
    assert person.primary_assignment_on(today).unit == units["T-B"]
    assert permissions.can_approve_for(head_a, person, on=yesterday)
    assert not permissions.can_approve_for(head_a, person, on=today)
    assert permissions.can_approve_for(head_b, person, on=today)
    assert not permissions.can_approve_for(head_b, person, on=yesterday)
    # Today the person is outside Phòng A: its head no longer finds them.
    page = reverse("orgunits:person_detail", args=[person.pk])
    assert client_for(head_a).get(page).status_code == 404
    assert client_for(head_b).get(page).status_code == 200


def test_promotion_is_a_transfer_within_the_same_unit(client_for, units, staff_a, sector_admin):
    client_for(sector_admin).post(
        reverse("orgunits:person_transfer", args=[staff_a.person.pk]),
        {"to_unit": units["T-A"].pk, "role": "deputy", "on": "01/12/2026"},
    )
    current = staff_a.person.primary_assignment_on(date(2026, 12, 1))
    assert (current.unit, current.role) == (units["T-A"], AssignmentRole.DEPUTY)


def test_transfer_before_the_current_assignment_began_is_refused(
    client_for, units, staff_a, sector_admin
):
    response = client_for(sector_admin).post(
        reverse("orgunits:person_transfer", args=[staff_a.person.pk]),
        {"to_unit": units["T-B"].pk, "role": "staff", "on": "01/07/2025"},
    )
    assert response.status_code == 200
    assert "Ngày điều chuyển phải sau ngày bắt đầu công tác hiện tại." in response.content.decode()
    assert staff_a.person.assignments.count() == 1


def test_secondary_assignment_leaves_the_primary_one_alone(
    client_for, units, staff_a, sector_admin, today
):
    response = client_for(sector_admin).post(
        reverse("orgunits:person_add_secondary", args=[staff_a.person.pk]),
        {"unit": units["T-B"].pk, "role": "staff", "start": _d(today)},
    )
    assert response.status_code == 302
    current = Assignment.objects.active_on(today).filter(person=staff_a.person)
    assert {(a.unit.code, a.is_primary) for a in current} == {("T-A", True), ("T-B", False)}
    assert staff_a.person.primary_assignment_on(today).unit == units["T-A"]


def test_secondary_assignment_rejects_an_end_before_its_start(
    client_for, units, staff_a, sector_admin
):
    response = client_for(sector_admin).post(
        reverse("orgunits:person_add_secondary", args=[staff_a.person.pk]),
        {"unit": units["T-B"].pk, "role": "staff", "start": "01/12/2026", "end": "01/11/2026"},
    )
    assert "Ngày kết thúc phải sau ngày bắt đầu." in response.content.decode()
    assert staff_a.person.assignments.count() == 1


def test_ending_an_assignment_sets_its_last_day(client_for, staff_a, sector_admin):
    assignment = staff_a.person.assignments.get()
    response = client_for(sector_admin).post(
        reverse("orgunits:assignment_end", args=[assignment.pk]), {"on": "30/11/2026"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.end == date(2026, 11, 30)


def test_an_ended_assignment_cannot_be_ended_again(client_for, staff_a, status_for):
    assignment = staff_a.person.assignments.get()
    Assignment.objects.filter(pk=assignment.pk).update(end=date(2026, 1, 31))
    url = reverse("orgunits:assignment_end", args=[assignment.pk])
    assert status_for("system_admin", url) == 403


def test_leaving_locks_the_account_and_keeps_the_record(client_for, staff_a, sector_admin, today):
    response = client_for(sector_admin).post(
        reverse("orgunits:person_deactivate", args=[staff_a.person.pk]),
        {"on": _d(today), "reason": "Nghỉ hưu"},
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=staff_a.person.pk)
    assert (person.is_active, person.left_on) == (False, today)
    assert not User.objects.get(pk=staff_a.pk).is_active
    assert person.assignments.get().end == today


def test_leaving_requires_a_reason(client_for, staff_a, sector_admin):
    response = client_for(sector_admin).post(
        reverse("orgunits:person_deactivate", args=[staff_a.person.pk]), {"on": "30/11/2026"}
    )
    assert "Trường này là bắt buộc" in response.content.decode()
    assert Person.objects.get(pk=staff_a.person.pk).is_active
