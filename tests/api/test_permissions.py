"""The API answers each persona exactly as the HTML pages do: same rows, same 404s."""

import pytest
from django.urls import reverse

from tests.evaluations.test_worklog_views import ENTRY_DETAIL
from tests.evaluations.view_helpers import log
from tests.orgunits.test_browse_permissions import PERSON_STAFF_A_PAGE, UNIT_A_PAGE

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.evaluations.view_fixtures"]


def _api(expected: dict) -> dict:
    """The HTML matrix with the login redirect replaced by the API's 401."""
    return {persona: 401 if status == 302 else status for persona, status in expected.items()}


@pytest.fixture
def api_status(api_as):
    def status(persona, url, method="get", data=None) -> int:
        response = getattr(api_as(persona), method)(url, data or {}, format="json")
        assert response["Content-Type"].startswith("application/json")
        return response.status_code

    return status


@pytest.mark.parametrize(("persona", "expected"), _api(UNIT_A_PAGE).items())
def test_unit_answers_like_the_unit_page(api_status, units, persona, expected):
    url = reverse("api:unit-detail", args=[units["T-A"].pk])
    assert api_status(persona, url) == expected


@pytest.mark.parametrize(("persona", "expected"), _api(PERSON_STAFF_A_PAGE).items())
def test_person_answers_like_the_person_page(api_status, staff_a, persona, expected):
    url = reverse("api:person-detail", args=[staff_a.person.pk])
    assert api_status(persona, url) == expected


@pytest.mark.parametrize(("persona", "expected"), _api(ENTRY_DETAIL).items())
def test_entry_answers_like_the_entry_page(api_status, draft, persona, expected):
    assert api_status(persona, reverse("api:entry-detail", args=[draft.pk])) == expected


def test_unit_list_is_the_visible_subtree(api_as, units):
    codes = lambda persona: {  # noqa: E731
        row["code"] for row in api_as(persona).get(reverse("api:unit-list")).json()["results"]
    }
    assert codes("head_a") == {"T-A", "T-A1", "T-A1a"}
    assert codes("staff_a") == {"T-A"}
    assert {"T-SO", "T-A", "T-B"} <= codes("hr_officer")
    assert "T-BTC" not in codes("hr_officer")
    assert codes("party_viewer") == {"T-DANG", "T-BTC"}


def test_person_list_filters_by_hrmis_code(api_as, staff_a):
    url = reverse("api:person-list")
    body = api_as("head_a").get(url, {"hrmis_code": staff_a.person.hrmis_code}).json()
    assert [p["full_name"] for p in body["results"]] == [staff_a.person.full_name]
    assert body["results"][0]["assignments"][0]["unit_code"] == "T-A"


def test_work_log_list_holds_only_own_entries(api_as, draft, staff_a2, products, workday):
    log(staff_a2, products["BC"], "1", workday)
    mine = api_as("staff_a").get(reverse("api:entry-list")).json()["results"]
    assert [e["id"] for e in mine] == [draft.pk]
    assert api_as("head_a").get(reverse("api:entry-list")).json()["count"] == 0


def test_products_are_the_catalog_that_applies(api_as, products):
    codes = {
        p["code"] for p in api_as("staff_a").get(reverse("api:product-list")).json()["results"]
    }
    assert {"BC", "VB", "HS"} <= codes
    assert api_as("party_viewer").get(reverse("api:product-list")).json()["count"] == 0


def test_rollups_are_for_overseers_only(api_as, units):
    assert api_as("staff_a").get(reverse("api:unit-rollup-list")).json()["count"] == 0
    assert api_as("head_a").get(reverse("api:unit-rollup-list")).status_code == 200
