"""Clients for the API: a persona's session, or a machine account's token."""

import pytest
from rest_framework.test import APIClient

from kpi_portal.api import tokens
from kpi_portal.api_models import TokenScope
from tests.evaluations.conftest import (  # noqa: F401  (fixtures shared with the HTML tests)
    period,
    position_group,
    products,
    quota,
    workday,
)
from tests.evaluations.test_assessment import (  # noqa: F401  (a published March 2026)
    assessed,
    opened,
    published,
)


@pytest.fixture
def api_as(request):
    """An API client signed in as a persona fixture name (None: anonymous)."""

    def make(persona: str | None) -> APIClient:
        client = APIClient()
        if persona is not None:
            client.force_authenticate(request.getfixturevalue(persona))
        return client

    return make


@pytest.fixture
def token_client(system_admin, units):
    """A client carrying a new machine account's key for a unit subtree."""

    def make(unit_code: str, scope: str = TokenScope.READ) -> APIClient:
        _token, key = tokens.token_create(
            by=system_admin, name=f"LGSP {unit_code}", unit=units[unit_code], scope=scope
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make
