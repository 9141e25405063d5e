"""Quotas (định mức) and the lookup of the quota that applies to a unit and group."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import Quota

pytestmark = pytest.mark.django_db


@pytest.fixture
def quota(root, position_groups):
    def make(unit, per_month, valid_from=date(2025, 7, 1), group="CMNV", **fields):
        return services.quota_create(
            by=root,
            unit=unit,
            group=position_groups[group],
            per_month=Decimal(per_month),
            valid_from=valid_from,
            **fields,
        )

    return make


def test_nearest_owning_ancestor_wins(units, quota, position_groups):
    quota(units["T-SO"], "22")
    quota(units["T-A"], "20")
    lookup = services.quota_for
    group = position_groups["CMNV"]
    assert lookup(unit=units["T-A1a"], group=group, on=date(2025, 9, 1)) == Decimal("20")
    assert lookup(unit=units["T-B"], group=group, on=date(2025, 9, 1)) == Decimal("22")
    assert lookup(unit=units["T-CQ"], group=group, on=date(2025, 9, 1)) is None


def test_quota_lookup_respects_dates_and_group(units, quota, position_groups):
    quota(units["T-SO"], "22", valid_to=date(2025, 12, 31))
    quota(units["T-SO"], "24", valid_from=date(2026, 1, 1))
    quota(units["T-A"], "18", valid_from=date(2026, 3, 1), group="LDQL")
    cmnv, ldql = position_groups["CMNV"], position_groups["LDQL"]
    assert services.quota_for(unit=units["T-A"], group=cmnv, on=date(2025, 12, 31)) == 22
    assert services.quota_for(unit=units["T-A"], group=cmnv, on=date(2026, 1, 1)) == 24
    assert services.quota_for(unit=units["T-A"], group=ldql, on=date(2026, 2, 1)) is None
    assert services.quota_for(unit=units["T-A"], group=ldql, on=date(2026, 3, 1)) == 18


def test_a_lapsed_nearer_quota_falls_back_to_the_ancestor(units, quota, position_groups):
    quota(units["T-SO"], "22")
    quota(units["T-A"], "20", valid_to=date(2025, 12, 31))
    group = position_groups["CMNV"]
    assert services.quota_for(unit=units["T-A"], group=group, on=date(2026, 1, 5)) == 22


def test_overlapping_quotas_of_one_unit_and_group_are_refused(units, quota):
    quota(units["T-A"], "20")
    with pytest.raises(ValidationError, match="trùng với một định mức khác"):
        quota(units["T-A"], "21", valid_from=date(2026, 1, 1))


def test_quota_must_be_positive(units, quota):
    with pytest.raises(ValidationError):
        quota(units["T-A"], "0")


def test_quota_update_cannot_change_its_unit(units, quota, root):
    existing = quota(units["T-A"], "20")
    with pytest.raises(ValidationError):
        services.quota_update(quota=existing, by=root, unit=units["T-B"])
    services.quota_update(quota=existing, by=root, per_month=Decimal("21"))
    assert Quota.objects.get(pk=existing.pk).per_month == 21


def test_staff_see_quotas_above_them_not_of_a_sibling(units, quota, staff_a):
    quota(units["T-SO"], "22")
    quota(units["T-B"], "19")
    visible = Quota.objects.visible_to(staff_a)
    assert list(visible.values_list("unit__code", flat=True)) == ["T-SO"]
