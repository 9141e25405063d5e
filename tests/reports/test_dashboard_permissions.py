"""Who opens which dashboard: anonymous → login, no right → 403, outside the subtree → 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from orgunits.models import OrgUnit, User
from reports import rollups

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.reports.rollup_data"]

LOGIN = reverse("accounts:login")


@pytest.fixture
def rolled(filled):
    for period in filled:
        rollups.rebuild_period(period.pk, cascade=True)
    return filled


def status(client_for, persona: str | None, url: str) -> int:
    user = User.objects.get(username=persona) if persona else None
    response = client_for(user).get(url)
    if persona is None:
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    return response.status_code


def unit_url(code: str) -> str:
    return reverse("reports:unit_dashboard", args=[OrgUnit.objects.get(code=code).pk])


def person_url(username: str) -> str:
    return reverse("reports:person_dashboard", args=[User.objects.get(username=username).person.pk])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (None, 302),
        ("staff_a", 403),
        ("head_a", 403),
        ("hr_officer", 403),
        ("org_dept_viewer", 200),
        ("party_viewer", 200),
        ("system_admin", 200),
    ],
)
def test_the_province_dashboard_is_for_organization_departments_and_admins(
    rolled, client_for, persona, expected
):
    assert status(client_for, persona, reverse("reports:province_dashboard")) == expected


@pytest.mark.parametrize(
    ("persona", "code", "expected"),
    [
        (None, "T-SO", 302),
        ("staff_a", "T-A", 403),
        ("org_dept_viewer", "T-CQ", 200),
        ("org_dept_viewer", "T-A1a", 200),
        ("org_dept_viewer", "T-BTC", 404),
        ("org_dept_viewer", "T-ROOT", 404),
        ("party_viewer", "T-DANG", 200),
        ("party_viewer", "T-BTC", 200),
        ("party_viewer", "T-SO", 404),
        ("party_viewer", "T-ROOT", 404),
        ("system_admin", "T-ROOT", 200),
        ("system_admin", "T-BTC", 200),
    ],
)
def test_drilling_into_a_unit_stays_inside_the_viewers_bloc(
    rolled, client_for, persona, code, expected
):
    assert status(client_for, persona, unit_url(code)) == expected


def test_an_unknown_unit_answers_404(rolled, client_for):
    url = reverse("reports:unit_dashboard", args=[987654])
    assert status(client_for, "org_dept_viewer", url) == 404


@pytest.mark.parametrize(
    ("persona", "code", "expected"),
    [
        (None, None, 302),
        ("staff_a", None, 403),
        ("org_dept_viewer", None, 403),
        ("head_a", None, 200),
        ("head_a", "T-A", 200),
        ("head_a", "T-B", 404),
        ("head_b", "T-B", 200),
        ("head_b", "T-A", 404),
        ("deputy_a", "T-A", 200),
    ],
)
def test_the_unit_head_dashboard_shows_only_units_the_user_leads(
    rolled, client_for, persona, code, expected
):
    url = (
        reverse("reports:team_dashboard_unit", args=[OrgUnit.objects.get(code=code).pk])
        if code
        else reverse("reports:team_dashboard")
    )
    assert status(client_for, persona, url) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [(None, 302), ("staff_a", 200), ("head_a", 200), ("org_dept_viewer", 200)],
)
def test_everyone_with_a_staff_record_has_a_personal_dashboard(
    rolled, client_for, persona, expected
):
    assert status(client_for, persona, reverse("reports:personal_dashboard")) == expected
    assert status(client_for, persona, reverse("reports:personal_projection")) == expected


def test_an_account_without_a_staff_record_has_no_personal_dashboard(rolled, client_for):
    assert status(client_for, "root", reverse("reports:personal_dashboard")) == 403


@pytest.mark.parametrize(
    ("persona", "owner", "expected"),
    [
        (None, "staff_a", 302),
        ("staff_a", "staff_a", 200),
        ("staff_a", "staff_a2", 404),
        ("head_a", "staff_a", 200),
        ("head_b", "staff_a", 404),
        ("org_dept_viewer", "staff_a", 200),
        ("party_viewer", "staff_a", 404),
        ("party_viewer", "org_dept_viewer", 200),
        ("system_admin", "staff_a", 200),
    ],
)
def test_a_persons_figures_open_only_within_scope(rolled, client_for, persona, owner, expected):
    assert status(client_for, persona, person_url(owner)) == expected
