"""Machine accounts: scoped to their subtree, read or write, revocable, audited, rate-limited."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from kpi_portal.api import tokens
from kpi_portal.api.authentication import AUDIT_WINDOW
from kpi_portal.api.throttling import TokenRateThrottle
from kpi_portal.api_models import ApiToken, TokenScope
from kpi_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _codes(client, name: str, key: str = "code") -> set[str]:
    response = client.get(reverse(name))
    assert response.status_code == 200
    return {row[key] for row in response.json()["results"]}


def test_a_token_sees_exactly_its_subtree(token_client, units):
    client = token_client("T-A")
    assert _codes(client, "api:unit-list") == {"T-A", "T-A1", "T-A1a"}
    people = _codes(client, "api:person-list", "hrmis_code")
    assert people and all(code.startswith("HR") for code in people)
    assert len(people) == 5  # staff_a, staff_a2, head_a, deputy_a, staff_a1a


def test_a_token_outside_the_subtree_sees_nothing(token_client, units, staff_a):
    client = token_client("T-BTC")  # the Party's organization board, beside the government bloc
    assert client.get(reverse("api:unit-detail", args=[units["T-A"].pk])).status_code == 404
    assert client.get(reverse("api:person-detail", args=[staff_a.person.pk])).status_code == 404
    assert "T-A" not in _codes(client, "api:unit-list")
    assert _codes(client, "api:evaluation-list", "person_hrmis_code") == set()


def test_a_read_token_may_not_write(token_client, products, workday):
    response = token_client("T-A").post(
        reverse("api:entry-list"),
        {"product": products["BC"].pk, "quantity": "1", "completed_on": workday.isoformat()},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["loi"]["ma"] == "permission_denied"
    assert "chỉ được đọc" in response.json()["loi"]["thong_bao"]


def test_a_write_token_has_no_staff_record_so_services_refuse_it(token_client, products, workday):
    response = token_client("T-A", TokenScope.WRITE).post(
        reverse("api:entry-list"),
        {"product": products["BC"].pk, "quantity": "1", "completed_on": workday.isoformat()},
        format="json",
    )
    assert response.status_code == 403
    assert "hồ sơ cán bộ" in response.json()["loi"]["thong_bao"]


def test_a_wrong_or_revoked_key_is_refused(token_client, system_admin):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer kpi_not-a-key")
    response = client.get(reverse("api:unit-list"))
    assert response.status_code == 401
    assert response.json()["loi"]["ma"] == "authentication_failed"
    good = token_client("T-A")
    tokens.token_revoke(by=system_admin, token=ApiToken.objects.get(), reason="Hết hợp đồng")
    assert good.get(reverse("api:unit-list")).status_code == 401


def test_the_key_is_stored_only_as_a_hash(system_admin, units):
    token, key = tokens.token_create(
        by=system_admin, name="LGSP", unit=units["T-SO"], scope=TokenScope.READ
    )
    assert key not in token.key_hash and token.key_hash != key
    assert key.startswith(token.prefix)
    assert not token.user.has_usable_password() and not token.user.is_active


def test_use_is_audited_once_per_hour_with_a_count(token_client):
    client = token_client("T-A")
    for _ in range(3):
        client.get(reverse("api:unit-list"))
    token = ApiToken.objects.get()
    assert token.window_requests == 3 and token.last_used_at is not None
    ApiToken.objects.filter(pk=token.pk).update(
        window_started_at=token.window_started_at - AUDIT_WINDOW
    )
    client.get(reverse("api:unit-list"))
    event = AuditEvent.objects.get(action="api.token_use")
    assert event.changes["requests"] == 3


def test_tokens_are_rate_limited_per_token(token_client, monkeypatch):
    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api_token": "2/minute"})
    first, second = token_client("T-A"), token_client("T-SO")
    statuses = [first.get(reverse("api:unit-list")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert second.get(reverse("api:unit-list")).status_code == 200
    throttled = first.get(reverse("api:unit-list")).json()["loi"]
    assert throttled["ma"] == "throttled" and "wait" in throttled["chi_tiet"]
    cache.clear()


SCREEN = {"system_admin": 200, "sector_admin": 403, "head_a": 403, "staff_a": 403}


@pytest.mark.parametrize(("persona", "expected"), SCREEN.items())
def test_only_system_admins_open_the_token_screen(client_for, request, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(reverse("api:tokens"))
    assert response.status_code == expected


def test_the_screen_creates_a_token_shows_its_key_once_and_revokes_it(
    client_for, system_admin, units
):
    client = client_for(system_admin)
    response = client.post(
        reverse("api:tokens"), {"name": "CSDL CBCCVC", "unit": "T-SO", "scope": "read"}
    )
    token = ApiToken.objects.get(name="CSDL CBCCVC")
    page = response.content.decode()
    key = re.search(r'id="new-key">([^<]+)</code>', page).group(1)
    assert key.startswith(token.prefix) and "chỉ hiển thị một lần" in page
    assert key not in client.get(reverse("api:tokens")).content.decode()
    client.post(reverse("api:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api.token_revoke", object_id=str(token.pk)).exists()
