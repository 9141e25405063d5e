"""Every list of the organisation screens costs the same queries for ten rows as for a hundred."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orgunits import services
from orgunits.models import Role, User
from tests.query_counts import add_units, few_and_many

from .xlsx_helpers import read_rows

pytestmark = pytest.mark.django_db

LIST_VIEWS = {
    "orgunits:tree": "test_tree_search_lists_many_matches_with_constant_queries",
    "orgunits:tree_children": "test_expanding_a_unit_with_many_children_uses_constant_queries",
    "orgunits:unit_detail": "test_unit_page_listing_a_hundred_members_uses_constant_queries",
    "orgunits:directory": "test_directory_of_a_subtree_uses_constant_queries",
    "orgunits:person_detail": "test_person_page_with_many_assignments_uses_constant_queries",
    "orgunits:unit_access": (
        "test_access_page_with_many_grants_and_delegations_uses_constant_queries"
    ),
    "orgunits:export": "test_subtree_exports_use_constant_queries",
}
NOT_LIST_VIEWS = {
    "orgunits:unit_create": "form",
    "orgunits:unit_edit": "form for one unit",
    "orgunits:unit_move": "form for one unit",
    "orgunits:unit_close": "form for one unit",
    "orgunits:unit_merge": "form for one unit",
    "orgunits:person_create": "form",
    "orgunits:role_grant": "form",
    "orgunits:delegation_create": "form",
    "orgunits:role_revoke": "form for one grant",
    "orgunits:delegation_revoke": "form for one delegation",
    "orgunits:person_edit": "form for one person",
    "orgunits:person_transfer": "form for one person",
    "orgunits:person_add_secondary": "form for one person",
    "orgunits:person_deactivate": "form for one person",
    "orgunits:assignment_end": "form for one assignment",
    "orgunits:import_export": "upload and export forms",
    "orgunits:import_template": "download of a blank template",
    "orgunits:import_upload": "POST-only upload; its result lists the file's problems, not rows",
}


@pytest.fixture
def root(units) -> User:
    return User.objects.get(username="root")


@pytest.fixture
def make_units(root):
    return lambda parent_code, count, prefix: add_units(root, parent_code, count, prefix)


def _queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(captured)


def _grow(make_people, code: str, url_for, client, **headers) -> tuple[int, int, str]:
    make_people(code, 10, prefix="QA")
    _queries(client, url_for(), **headers)  # warm per-process caches (content types)
    few = _queries(client, url_for(), **headers)
    make_people(code, 90, prefix="QB")
    many = _queries(client, url_for(), **headers)
    return few, many, client.get(url_for(), **headers).content.decode()


def test_unit_page_listing_a_hundred_members_uses_constant_queries(
    client_for, units, make_people, head_agency
):
    few, many, html = _grow(
        make_people, "T-A1", lambda: units["T-A1"].get_absolute_url(), client_for(head_agency)
    )
    assert html.count("Trần Thị Q") == 100
    assert html.count("Chuyên viên") >= 100
    assert few == many


@pytest.mark.parametrize("htmx", [False, True])
def test_directory_of_a_subtree_uses_constant_queries(
    client_for, units, make_people, head_agency, htmx
):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    url = reverse("orgunits:directory") + f"?unit={units['T-A'].pk}"
    few, many, html = _grow(make_people, "T-A1", lambda: url, client_for(head_agency), **headers)
    assert "trên tổng số 105" in html  # 100 new people and the five personas of Phòng A
    assert html.count("<td>Tổ A1</td>") >= 20  # each row names the unit the person works in
    assert few == many


def test_directory_without_filters_uses_constant_queries(client_for, make_people, system_admin):
    url = reverse("orgunits:directory")
    few, many, _html = _grow(make_people, "T-B", lambda: url, client_for(system_admin))
    assert few == many


def test_unit_page_with_many_child_units_and_grants_uses_constant_queries(
    client_for, units, root, make_units, make_people, head_agency
):
    def grow():
        make_units("T-A1", 12, "QD")
        for person in make_people("T-B", 12, prefix="QG"):
            services.role_grant(
                user=person.user,
                role=Role.ORG_DEPT_VIEWER,
                unit=units["T-A1"],
                valid_from=units["T-A1"].active_from,
                by=root,
            )

    make_units("T-A1", 2, "QC")
    url = units["T-A1"].get_absolute_url()
    few, many, body = few_and_many(client_for(head_agency), url, grow)
    html = body.decode()
    assert html.count("Đội QD ") == 12
    assert html.count("Trần Thị QG") == 12
    assert few == many


def test_tree_search_lists_many_matches_with_constant_queries(client_for, make_units, system_admin):
    make_units("T-B", 2, "QA")
    url = reverse("orgunits:tree") + "?q=Đội"
    few, many, body = few_and_many(
        client_for(system_admin), url, lambda: make_units("T-B", 20, "QB")
    )
    assert body.decode().count("Đội QB ") == 20
    assert few == many


def test_tree_of_a_user_overseeing_many_subtrees_uses_constant_queries(
    client_for, root, make_units, staff_a2
):
    def oversee(teams):
        for team in teams:
            services.role_grant(
                user=staff_a2, role=Role.HR_OFFICER, unit=team, valid_from=team.active_from, by=root
            )

    oversee(make_units("T-B", 2, "QA"))
    url = reverse("orgunits:tree")
    few, many, body = few_and_many(
        client_for(staff_a2), url, lambda: oversee(make_units("T-B", 20, "QB"))
    )
    assert body.decode().count("Đội QB ") == 20  # each overseen team is a root of the tree
    assert few == many


def test_expanding_a_unit_with_many_children_uses_constant_queries(
    client_for, units, make_units, head_agency
):
    make_units("T-B", 2, "QA")
    url = reverse("orgunits:tree_children", args=[units["T-B"].pk])
    few, many, body = few_and_many(
        client_for(head_agency),
        url,
        lambda: make_units("T-B", 20, "QB"),
        HTTP_HX_REQUEST="true",
    )
    assert body.decode().count("Đội QB ") == 20
    assert few == many


def test_person_page_with_many_assignments_uses_constant_queries(
    client_for, root, make_units, staff_a, system_admin
):
    def second_jobs(teams):
        for team in teams:
            services.assignment_add_secondary(
                person=staff_a.person, unit=team, start=team.active_from, end=None, by=root
            )

    second_jobs(make_units("T-B", 2, "QA"))
    url = staff_a.person.get_absolute_url()
    few, many, body = few_and_many(
        client_for(system_admin), url, lambda: second_jobs(make_units("T-B", 20, "QB"))
    )
    html = body.decode()
    assert html.count("Đội QB ") == 20
    assert html.count("/ket-thuc/") >= 22  # the admin may end every open assignment
    assert few == many


def test_access_page_with_many_grants_and_delegations_uses_constant_queries(
    client_for, units, root, make_people, head_a, system_admin
):
    unit = units["T-A"]
    today = timezone.localdate()

    def grant_and_delegate(people):
        for person in people:
            services.role_grant(
                user=person.user,
                role=Role.ORG_DEPT_VIEWER,
                unit=unit,
                valid_from=unit.active_from,
                by=root,
            )
            services.delegation_create(
                unit=unit,
                delegator=head_a.person,
                delegate=person,
                valid_from=today,
                valid_to=today + timedelta(days=30),
                reason="Đi công tác",
                by=root,
            )

    grant_and_delegate(make_people("T-A", 2, prefix="QA"))
    url = reverse("orgunits:unit_access", args=[unit.pk])
    few, many, body = few_and_many(
        client_for(system_admin), url, lambda: grant_and_delegate(make_people("T-A", 20, "QB"))
    )
    html = body.decode()
    assert html.count("Trần Thị QB") == 40  # a grant row and a delegation row each
    assert few == many


@pytest.mark.parametrize("kind", ["units", "staff"])
def test_subtree_exports_use_constant_queries(
    client_for, units, make_units, make_people, system_admin, kind
):
    def grow():
        if kind == "units":
            make_units("T-A1", 20, "QB")
        else:
            make_people("T-A1", 20, prefix="QB")

    url = reverse("orgunits:export", args=[kind]) + f"?unit={units['T-A'].pk}"
    few, many, body = few_and_many(client_for(system_admin), url, grow)
    codes = [row[0] for row in read_rows(body)]
    assert sum(str(code).startswith("QB") for code in codes) == 20
    assert few == many
