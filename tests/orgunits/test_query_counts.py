"""Listing people costs the same number of queries for ten people as for a hundred."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


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
