"""The replica router: report reads inside `use_replica()` go to the replica alias."""

import pytest
from django.db import connections

from kpi_portal import db_router
from kpi_portal.db_router import ReplicaRouter, use_replica
from orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def replica():
    """A `replica` alias on the same server and test database, as DATABASE_REPLICA_URL would add.

    The alias shares the default connection, so it sees the test's uncommitted rows the way a
    TEST MIRROR does in Django's own runner.
    """
    connections.settings["replica"] = {**connections["default"].settings_dict}
    connections["replica"] = connections["default"]
    yield "replica"
    del connections["replica"]
    del connections.settings["replica"]


def test_reads_go_to_the_replica_only_inside_use_replica(replica, units):
    router = ReplicaRouter()
    assert router.db_for_read(OrgUnit) == "default"
    with use_replica():
        assert router.db_for_read(OrgUnit) == "replica"
        assert router.db_for_write(OrgUnit) == "default"
        queryset = OrgUnit.objects.filter(code="T-A")
        assert queryset.db == "replica"
        assert [u.code for u in queryset] == ["T-A"]
    assert OrgUnit.objects.all().db == "default"


def test_without_a_replica_everything_stays_on_default(units):
    assert not db_router.replica_configured()
    with use_replica():
        assert OrgUnit.objects.all().db == "default"
    assert db_router.replica_alias() == "default"


def test_migrations_run_only_on_default():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "orgunits")
    assert not router.allow_migrate("replica", "orgunits")


def test_the_api_rollups_are_read_from_the_replica(replica, head_a, api_as):
    from kpi_portal.api.views import PersonRollupViewSet, UnitRollupViewSet

    for view_class in (PersonRollupViewSet, UnitRollupViewSet):
        view = view_class()
        view.request, view.action = type("Request", (), {"user": head_a})(), "list"
        assert view.get_queryset().db == "replica"
    assert api_as("head_a").get("/api/v1/tong-hop/don-vi/").status_code == 200
