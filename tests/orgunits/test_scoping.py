"""Row scoping in depth: deep subtrees, delegations bounded by dates, merged units' history."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from orgunits import permissions, services
from orgunits.models import OrgUnit, Person, User

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    """The same account without the per-object scope cache, as the next request would see it."""
    return User.objects.get(pk=user.pk)


def test_the_persona_tree_is_deep_enough(units):
    assert units["T-A1a"].depth == 6


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("head_a", {"T-A", "T-A1", "T-A1a"}),
        ("head_agency", {"T-SO", "T-A", "T-A1", "T-A1a", "T-B"}),
        ("sector_admin", {"T-SO", "T-A", "T-A1", "T-A1a", "T-B"}),
        ("head_b", {"T-B"}),
        ("staff_a1a", {"T-A1a"}),
        ("party_viewer", {"T-DANG", "T-BTC"}),
    ],
)
def test_units_visible_are_exactly_the_subtrees_overseen(request, units, persona, sees):
    user = request.getfixturevalue(persona)
    codes = set(OrgUnit.objects.visible_to(user).values_list("code", flat=True))
    assert codes == sees


def test_a_unit_added_at_depth_seven_inherits_every_scope_above_it(
    units, make_people, head_a, head_b, hr_officer, party_viewer
):
    root = User.objects.get(username="root")
    deepest = services.unit_create(
        by=root,
        parent=units["T-A1a"],
        code="T-A1a-x",
        name="Tổ chuyên đề",
        kind="to",
        active_from=date(2025, 7, 1),
    )
    (person,) = make_people("T-A1a-x", 1)
    assert deepest.depth == 7
    for user in (head_a, hr_officer):
        assert OrgUnit.objects.visible_to(_fresh(user)).filter(pk=deepest.pk).exists()
        assert Person.objects.visible_to(_fresh(user)).filter(pk=person.pk).exists()
    for user in (head_b, party_viewer):
        assert not Person.objects.visible_to(_fresh(user)).filter(pk=person.pk).exists()
    assert permissions.can_approve_for(head_a, person)
    assert permissions.can_hr_check(hr_officer, deepest)
    assert not permissions.can_approve_for(head_b, person)


def test_deep_person_page_opens_for_the_head_far_above(client_for, staff_a1a, head_agency, head_b):
    url = reverse("orgunits:person_detail", args=[staff_a1a.person.pk])
    assert client_for(head_agency).get(url).status_code == 200
    assert client_for(head_b).get(url).status_code == 404


def test_delegation_grants_rights_only_within_its_dates(units, head_a, staff_a2, staff_a1a):
    start, end = date(2026, 3, 1), date(2026, 3, 31)
    services.delegation_create(
        unit=units["T-A"],
        delegator=head_a.person,
        delegate=staff_a2.person,
        valid_from=start,
        valid_to=end,
        reason="Nghỉ phép",
        by=head_a,
    )
    target = staff_a1a.person
    assert not permissions.can_approve_for(staff_a2, target, on=start - timedelta(days=1))
    assert permissions.can_approve_for(staff_a2, target, on=start)
    assert permissions.can_approve_for(staff_a2, target, on=end)
    assert not permissions.can_approve_for(staff_a2, target, on=end + timedelta(days=1))
    inside = Person.objects.visible_to(_fresh(staff_a2), on=start)
    outside = Person.objects.visible_to(_fresh(staff_a2), on=end + timedelta(days=1))
    assert inside.filter(pk=target.pk).exists()
    assert not outside.filter(pk=target.pk).exists()


def test_a_delegate_never_approves_the_head_who_delegated(units, head_a, staff_a2):
    today = date(2026, 3, 10)
    services.delegation_create(
        unit=units["T-A"],
        delegator=head_a.person,
        delegate=staff_a2.person,
        valid_from=today,
        valid_to=today,
        reason="Ký thay",
        by=head_a,
    )
    assert not permissions.can_approve_for(staff_a2, head_a.person, on=today)


@pytest.fixture
def merged_team(units, make_people):
    """Tổ A2 under Phòng A, with one person, merged into Tổ A1 on 01/10/2026."""
    root = User.objects.get(username="root")
    team = services.unit_create(
        by=root,
        parent=units["T-A"],
        code="T-A2",
        name="Tổ A2",
        kind="to",
        active_from=date(2025, 7, 1),
    )
    (person,) = make_people("T-A2", 1)
    services.unit_merge(
        unit=team, into=units["T-A1"], on=date(2026, 10, 1), by=root, reason="Sáp nhập tổ"
    )
    team.refresh_from_db()
    return team, person


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("head_a", 200),
        ("head_agency", 200),
        ("hr_officer", 200),
        ("org_dept_viewer", 200),
        ("system_admin", 200),
        ("head_b", 404),
        ("party_viewer", 404),
        ("outsider_b", 404),
    ],
)
def test_merged_unit_page_stays_visible_to_who_could_see_it(
    status_for, merged_team, persona, expected
):
    team, _person = merged_team
    assert status_for(persona, team.get_absolute_url()) == expected


def test_merged_unit_page_points_to_its_successor_and_keeps_its_history(
    client_for, units, merged_team, head_a
):
    team, person = merged_team
    html = client_for(head_a).get(team.get_absolute_url()).content.decode()
    assert "Đơn vị đã sáp nhập vào Tổ A1 từ ngày 01/10/2026." in html
    successor = client_for(head_a).get(units["T-A1"].get_absolute_url()).content.decode()
    assert "Tiếp nhận Tổ A2 sáp nhập ngày 01/10/2026" in successor
    page = client_for(head_a).get(person.get_absolute_url()).content.decode()
    assert "Tổ A2" in page
    assert "30/09/2026" in page


def test_work_before_a_merge_stays_attributed_to_the_old_unit(merged_team, units):
    team, person = merged_team
    assert person.primary_assignment_on(date(2026, 9, 30)).unit == team
    assert person.primary_assignment_on(date(2026, 10, 1)).unit == units["T-A1"]
    before = Person.objects.working_in(team, on=date(2026, 9, 30))
    assert list(before) == [person]
    assert not Person.objects.working_in(team, on=date(2026, 10, 1)).exists()


def test_where_a_transferred_person_was_is_one_call_per_date(units, staff_a):
    root = User.objects.get(username="root")
    services.assignment_transfer(
        person=staff_a.person, to_unit=units["T-B"], on=date(2026, 4, 15), by=root
    )
    person = staff_a.person
    assert person.primary_assignment_on(date(2026, 4, 14)).unit == units["T-A"]
    assert person.primary_assignment_on(date(2026, 4, 15)).unit == units["T-B"]
    assert person.assignments.count() == 2
