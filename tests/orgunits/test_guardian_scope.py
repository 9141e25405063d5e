"""django-guardian object permissions open one unit's subtree to a user, and nothing more."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from orgunits.models import OrgUnit, Person

pytestmark = pytest.mark.django_db


def test_a_view_orgunit_object_permission_opens_that_subtree_only(outsider_b, units, client_for):
    client = client_for(outsider_b)
    deep = units["T-A1a"]
    assert client.get(reverse("orgunits:unit_detail", args=[deep.pk])).status_code == 404

    assign_perm("orgunits.view_orgunit", outsider_b, units["T-A"])
    outsider_b.__dict__.pop("_scope_cache", None)

    visible = set(OrgUnit.objects.visible_to(outsider_b).values_list("code", flat=True))
    assert {"T-A", "T-A1", "T-A1a", "T-B"} <= visible  # T-B: where they work
    assert "T-SO" not in visible and "T-BTC" not in visible
    assert Person.objects.visible_to(outsider_b).filter(user__username="staff_a1a").exists()
    assert (
        client_for(outsider_b).get(reverse("orgunits:unit_detail", args=[deep.pk])).status_code
        == 200
    )


def test_removing_the_object_permission_closes_the_subtree_again(outsider_b, units, client_for):
    assign_perm("orgunits.view_orgunit", outsider_b, units["T-A"])
    remove_perm("orgunits.view_orgunit", outsider_b, units["T-A"])
    assert not OrgUnit.objects.visible_to(outsider_b).filter(code="T-A1a").exists()
    assert (
        client_for(outsider_b)
        .get(reverse("orgunits:unit_detail", args=[units["T-A1a"].pk]))
        .status_code
        == 404
    )
