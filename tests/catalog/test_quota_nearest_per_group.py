"""The quota in force for many units, groups and dates at once: one rule, one query."""

from datetime import date
from decimal import Decimal

import pytest

from catalog import services
from catalog.models import Quota

pytestmark = pytest.mark.django_db


@pytest.fixture
def quotas(units, root, position_groups):
    cmnv, ldql = position_groups["CMNV"], position_groups["LDQL"]
    rows = [
        (units["T-SO"], cmnv, "22", date(2025, 7, 1), date(2025, 12, 31)),
        (units["T-SO"], cmnv, "24", date(2026, 1, 1), None),
        (units["T-A"], cmnv, "20", date(2026, 2, 1), None),
        (units["T-A1a"], cmnv, "99", date(2025, 7, 1), date(2026, 2, 28)),
        (units["T-SO"], ldql, "15", date(2025, 7, 1), None),
        (units["T-A"], ldql, "18", date(2026, 3, 1), None),
    ]
    for unit, group, per_month, valid_from, valid_to in rows:
        services.quota_create(
            by=root,
            unit=unit,
            group=group,
            per_month=Decimal(per_month),
            valid_from=valid_from,
            valid_to=valid_to,
        )
    return cmnv, ldql


DAYS = (date(2025, 6, 30), date(2025, 9, 1), date(2026, 1, 15), date(2026, 2, 20), date(2026, 3, 1))


def test_many_units_and_dates_take_one_query_and_agree_with_quota_for(
    units, quotas, django_assert_num_queries
):
    places = [(units[code], on) for code in ("T-A1a", "T-A", "T-B", "T-CQ") for on in DAYS]
    with django_assert_num_queries(1):
        found = Quota.objects.nearest_per_group(places)
    assert set(found) == set(places)
    for unit, on in places:
        for group in quotas:
            expected = services.quota_for(unit=unit, group=group, on=on)
            assert found[(unit, on)].get(group.pk) == expected, (unit, group, on)


def test_the_nearest_unit_wins_and_a_lapsed_one_falls_back(units, quotas):
    cmnv, ldql = quotas
    found = Quota.objects.nearest_per_group(
        [(units["T-A1a"], date(2026, 2, 20)), (units["T-A1a"], date(2026, 3, 1))]
    )
    assert found[(units["T-A1a"], date(2026, 2, 20))] == {cmnv.pk: 99, ldql.pk: 15}
    assert found[(units["T-A1a"], date(2026, 3, 1))] == {cmnv.pk: 20, ldql.pk: 18}
    assert Quota.objects.per_group_for(units["T-CQ"], date(2026, 3, 1)) == {}
    assert Quota.objects.per_group_for(units["T-B"], date(2025, 6, 30)) == {}


def test_of_two_quotas_in_force_at_one_unit_the_latest_start_wins(units, position_groups):
    group = position_groups["CMNV"]
    # Written past full_clean(), as an import of old data might: the two overlap.
    for per_month, valid_from in (("30", date(2025, 7, 1)), ("26", date(2026, 1, 1))):
        Quota.objects.create(
            unit=units["T-A"], group=group, per_month=Decimal(per_month), valid_from=valid_from
        )
    assert services.quota_for(unit=units["T-A1"], group=group, on=date(2025, 12, 31)) == 30
    assert services.quota_for(unit=units["T-A1"], group=group, on=date(2026, 1, 1)) == 26


def test_a_narrowed_queryset_reads_only_its_groups(units, quotas):
    cmnv, _ldql = quotas
    found = Quota.objects.filter(group=cmnv).per_group_for(units["T-A"], date(2026, 3, 1))
    assert found == {cmnv.pk: 20}


def test_no_places_read_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert Quota.objects.nearest_per_group([]) == {}
