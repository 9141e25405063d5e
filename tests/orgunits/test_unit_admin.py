"""Creating, editing, moving, closing and merging units from the app's own screens."""

from datetime import timedelta

import pytest
from django.urls import reverse

from kpi_portal.models import AuditEvent
from orgunits.models import Assignment, OrgUnit, Person

pytestmark = pytest.mark.django_db


def _parent_code(code: str) -> str:
    return OrgUnit.objects.get_parent(OrgUnit.objects.get(code=code)).code


UNIT_ADMIN_VIEWS = [
    "orgunits:unit_create",
    "orgunits:unit_edit",
    "orgunits:unit_move",
    "orgunits:unit_close",
    "orgunits:unit_merge",
    "orgunits:person_create",
]

# Persona → status for an admin screen of Phòng A (T-A).
MATRIX = {
    None: 302,
    "staff_a": 403,
    "head_a": 403,  # heads rate people; they do not reshape the tree
    "head_b": 404,
    "outsider_b": 404,
    "hr_officer": 403,
    "org_dept_viewer": 403,
    "party_viewer": 404,
    "sector_admin": 200,
    "system_admin": 200,
}


@pytest.mark.parametrize("view", UNIT_ADMIN_VIEWS)
@pytest.mark.parametrize(("persona", "expected"), MATRIX.items())
def test_unit_admin_screens_answer_by_right(status_for, units, view, persona, expected):
    assert status_for(persona, reverse(view, args=[units["T-A"].pk])) == expected


@pytest.mark.parametrize("view", UNIT_ADMIN_VIEWS)
def test_sector_admin_cannot_reach_units_of_another_sector(status_for, units, view):
    url = reverse(view, args=[units["T-BTC"].pk])
    assert status_for("sector_admin", url) == 404
    assert status_for("system_admin", url) == 200


@pytest.mark.parametrize("view", UNIT_ADMIN_VIEWS)
def test_closed_units_are_history_and_cannot_be_reshaped(status_for, units, today, view):
    OrgUnit.objects.filter(pk=units["T-A1a"].pk).update(active_to=today)
    assert status_for("system_admin", reverse(view, args=[units["T-A1a"].pk])) == 403


def test_unit_page_shows_admin_actions_only_to_those_who_may_use_them(client_for, units, head_a):
    url = reverse("orgunits:unit_detail", args=[units["T-A"].pk])
    edit = reverse("orgunits:unit_edit", args=[units["T-A"].pk])
    assert edit not in client_for(head_a).get(url).content.decode()


def test_unit_page_shows_admin_actions_to_the_sector_admin(client_for, units, sector_admin):
    url = reverse("orgunits:unit_detail", args=[units["T-A"].pk])
    html = client_for(sector_admin).get(url).content.decode()
    for view in UNIT_ADMIN_VIEWS:
        assert reverse(view, args=[units["T-A"].pk]) in html


def test_sector_admin_adds_a_unit_under_their_agency(client_for, units, sector_admin):
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_create", args=[units["T-A"].pk]),
        {
            "code": "T-A2",
            "name": "Tổ A2",
            "short_name": "A2",
            "kind": "to",
            "bloc": "chinh_quyen",
            "active_from": "01/09/2026",
        },
    )
    unit = OrgUnit.objects.get(code="T-A2")
    assert response.status_code == 302
    assert response["Location"] == unit.get_absolute_url()
    assert OrgUnit.objects.get_parent(unit) == units["T-A"]
    assert unit.active_from.isoformat() == "2026-09-01"
    assert AuditEvent.objects.filter(action="orgunit.create", object_id=str(unit.pk)).exists()


def test_unit_create_rejects_a_duplicate_code_and_writes_nothing(client_for, units, sector_admin):
    before = OrgUnit.objects.count()
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_create", args=[units["T-A"].pk]),
        {"code": "T-B", "name": "Trùng mã", "kind": "to", "active_from": "01/09/2026"},
    )
    assert response.status_code == 200
    assert "đã tồn tại" in response.content.decode()
    assert OrgUnit.objects.count() == before


def test_unit_create_rejects_a_bad_date_in_vietnamese(client_for, units, sector_admin):
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_create", args=[units["T-A"].pk]),
        {"code": "T-A2", "name": "Tổ A2", "kind": "to", "active_from": "31/02/2026"},
    )
    assert "Nhập ngày hợp lệ" in response.content.decode()
    assert not OrgUnit.objects.filter(code="T-A2").exists()


def test_renaming_a_unit_keeps_its_old_name_in_history(client_for, units, sector_admin):
    unit = units["T-A"]
    client_for(sector_admin).post(
        reverse("orgunits:unit_edit", args=[unit.pk]),
        {
            "name": "Phòng Tổ chức A",
            "kind": unit.kind,
            "bloc": unit.bloc,
            "active_from": "01/07/2025",
            "reason": "Quyết định đổi tên",
        },
    )
    unit.refresh_from_db()
    assert unit.name == "Phòng Tổ chức A"
    assert list(unit.name_history.values_list("name", flat=True)) == ["Phòng A"]
    event = AuditEvent.objects.get(action="orgunit.update", object_id=str(unit.pk))
    assert event.reason == "Quyết định đổi tên"
    assert event.changes["name"] == ["Phòng A", "Phòng Tổ chức A"]


def test_moving_a_unit_carries_its_subtree_and_its_people(
    client_for, units, sector_admin, head_b, staff_a1a
):
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_move", args=[units["T-A1"].pk]),
        {"new_parent": units["T-B"].pk, "reason": "Tổ chức lại"},
    )
    assert response.status_code == 302
    deep = OrgUnit.objects.get(code="T-A1a")
    assert deep.path.startswith(OrgUnit.objects.get(code="T-B").path)
    assert Person.objects.visible_to(head_b).filter(pk=staff_a1a.person.pk).exists()


def test_a_unit_cannot_be_moved_under_its_own_subtree(client_for, units, sector_admin):
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_move", args=[units["T-A"].pk]), {"new_parent": units["T-A1a"].pk}
    )
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert _parent_code("T-A") == "T-SO"


def test_sector_admin_cannot_move_a_unit_outside_their_subtree(client_for, units, sector_admin):
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_move", args=[units["T-A"].pk]), {"new_parent": units["T-BTC"].pk}
    )
    assert response.status_code == 200
    assert _parent_code("T-A") == "T-SO"


def test_the_province_root_cannot_be_moved(status_for, units):
    assert (
        status_for("system_admin", reverse("orgunits:unit_move", args=[units["T-ROOT"].pk])) == 403
    )


def test_closing_a_unit_with_people_still_working_is_refused(client_for, units, sector_admin):
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_close", args=[units["T-A1"].pk]),
        {"on": "01/12/2026", "reason": "Giải thể"},
    )
    assert response.status_code == 200
    assert "còn người đang công tác" in response.content.decode()
    assert OrgUnit.objects.get(code="T-A1").active_to is None


def test_closing_requires_a_reason(client_for, units, sector_admin):
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_close", args=[units["T-A1a"].pk]), {"on": "01/12/2026"}
    )
    assert "Trường này là bắt buộc" in response.content.decode()


def test_closing_an_empty_unit_keeps_it_with_an_end_date(client_for, units, sector_admin, today):
    unit = units["T-A1a"]
    Assignment.objects.filter(unit=unit).update(end=today - timedelta(days=1))
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_close", args=[unit.pk]),
        {"on": today.strftime("%d/%m/%Y"), "reason": "Giải thể tổ"},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.active_to == today
    html = client_for(sector_admin).get(unit.get_absolute_url()).content.decode()
    assert "ngừng hoạt động từ ngày" in html
    assert reverse("orgunits:unit_edit", args=[unit.pk]) not in html


def test_merging_moves_current_people_and_keeps_the_old_unit(
    client_for, units, sector_admin, staff_a1a, today
):
    old = units["T-A1a"]
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_merge", args=[old.pk]),
        {"into": units["T-B"].pk, "on": today.strftime("%d/%m/%Y"), "reason": "Sáp nhập"},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.merged_into == units["T-B"]
    assert staff_a1a.person.primary_assignment_on(today).unit == units["T-B"]
    before = staff_a1a.person.primary_assignment_on(today - timedelta(days=1))
    assert before.unit == old


def test_a_unit_cannot_be_merged_into_its_own_subtree(client_for, units, sector_admin, today):
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_merge", args=[units["T-A"].pk]),
        {"into": units["T-A1"].pk, "on": today.strftime("%d/%m/%Y"), "reason": "Sai"},
    )
    assert response.status_code == 200
    assert OrgUnit.objects.get(code="T-A").merged_into is None


def test_admin_form_answers_htmx_with_the_form_only(client_for, units, sector_admin):
    response = client_for(sector_admin).get(
        reverse("orgunits:unit_edit", args=[units["T-A"].pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'hx-post="' in html


def test_a_successful_htmx_submit_redirects_the_browser(client_for, units, sector_admin):
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_close", args=[units["T-A1a"].pk]),
        {"on": "01/12/2026", "reason": "Giải thể"},
        HTTP_HX_REQUEST="true",
    )
    # Still has staff: the fragment comes back with the error, in place.
    assert response.status_code == 200
    assert "còn người đang công tác" in response.content.decode()
    response = client_for(sector_admin).post(
        reverse("orgunits:unit_edit", args=[units["T-A1a"].pk]),
        {"name": "Nhóm A1a mới", "kind": "to", "active_from": "01/07/2025"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == units["T-A1a"].get_absolute_url()
