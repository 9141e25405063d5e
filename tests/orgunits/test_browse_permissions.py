"""Who may open the tree, unit pages, the staff directory and person pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Persona → expected status for a page about Phòng A (T-A) or one of its people.
UNIT_A_PAGE = {
    None: 302,
    "staff_a": 200,  # their own unit
    "head_a": 200,
    "head_b": 404,
    "outsider_b": 404,
    "hr_officer": 200,
    "org_dept_viewer": 200,
    "party_viewer": 404,
    "sector_admin": 200,
    "system_admin": 200,
}

PERSON_STAFF_A_PAGE = {
    None: 302,
    "staff_a": 200,  # themself
    "staff_a2": 404,
    "head_a": 200,
    "deputy_a": 200,
    "head_b": 404,
    "outsider_b": 404,
    "hr_officer": 200,
    "org_dept_viewer": 200,
    "party_viewer": 404,
    "sector_admin": 200,
    "system_admin": 200,
}

DIRECTORY = {
    None: 302,
    "staff_a": 403,  # oversees nobody but themself
    "outsider_b": 403,
    "head_a": 200,
    "head_b": 200,
    "hr_officer": 200,
    "org_dept_viewer": 200,
    "party_viewer": 200,
    "sector_admin": 200,
    "system_admin": 200,
}


@pytest.mark.parametrize(("persona", "expected"), UNIT_A_PAGE.items())
def test_unit_page_answers_by_scope(status_for, units, persona, expected):
    url = reverse("orgunits:unit_detail", args=[units["T-A"].pk])
    assert status_for(persona, url) == expected


@pytest.mark.parametrize(("persona", "expected"), UNIT_A_PAGE.items())
def test_tree_children_answer_by_scope(status_for, units, persona, expected):
    url = reverse("orgunits:tree_children", args=[units["T-A"].pk])
    assert status_for(persona, url) == expected


@pytest.mark.parametrize(("persona", "expected"), PERSON_STAFF_A_PAGE.items())
def test_person_page_answers_by_scope(status_for, staff_a, persona, expected):
    url = reverse("orgunits:person_detail", args=[staff_a.person.pk])
    assert status_for(persona, url) == expected


@pytest.mark.parametrize(("persona", "expected"), DIRECTORY.items())
def test_directory_is_for_those_who_oversee_someone(status_for, persona, expected):
    assert status_for(persona, reverse("orgunits:directory")) == expected


@pytest.mark.parametrize("persona", [p for p in UNIT_A_PAGE if p])
def test_tree_opens_for_every_signed_in_user(status_for, persona):
    assert status_for(persona, reverse("orgunits:tree")) == 200


def test_tree_requires_login(status_for):
    assert status_for(None, reverse("orgunits:tree")) == 302


def test_tree_starts_at_the_units_a_head_oversees(client_for, head_a):
    html = client_for(head_a).get(reverse("orgunits:tree")).content.decode()
    assert "Phòng A" in html
    assert "Sở Thử nghiệm" not in html
    assert "Phòng B" not in html


def test_tree_search_finds_only_visible_units(client_for, head_a, system_admin):
    url = reverse("orgunits:tree") + "?q=Phòng"
    assert "Phòng B" not in client_for(head_a).get(url).content.decode()
    assert "Phòng B" in client_for(system_admin).get(url).content.decode()


def test_directory_lists_only_people_of_the_heads_subtree(client_for, head_a):
    html = client_for(head_a).get(reverse("orgunits:directory")).content.decode()
    assert "Nguyễn Văn staff_a1a" in html
    assert "Nguyễn Văn outsider_b" not in html


def test_directory_filters_by_unit_subtree(client_for, units, head_agency):
    url = reverse("orgunits:directory") + f"?unit={units['T-A1'].pk}"
    html = client_for(head_agency).get(url).content.decode()
    assert "Nguyễn Văn staff_a1a" in html
    assert "Nguyễn Văn staff_a2" not in html


def test_directory_offers_no_unit_outside_scope_as_filter(client_for, units, head_a):
    url = reverse("orgunits:directory") + f"?unit={units['T-B'].pk}"
    response = client_for(head_a).get(url)
    assert response.status_code == 200
    assert "Nguyễn Văn outsider_b" not in response.content.decode()


def test_directory_answers_htmx_with_the_rows_only(client_for, head_a):
    response = client_for(head_a).get(reverse("orgunits:directory"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Nguyễn Văn staff_a" in html
