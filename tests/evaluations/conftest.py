"""Catalog products, quotas and periods for the work-log tests, on top of the persona world."""

from datetime import date
from decimal import Decimal

import pytest

from catalog.models import Product, ProductGroup, Quota
from evaluations import services
from evaluations.models import Period, PeriodState
from orgunits.models import JobPosition, JobPositionGroup, Person


@pytest.fixture
def position_group(units):
    group, _ = JobPositionGroup.objects.get_or_create(code="T-CV", defaults={"name": "Chuyên viên"})
    position, _ = JobPosition.objects.get_or_create(
        code="T-CV", defaults={"name": "Chuyên viên", "group": group}
    )
    Person.objects.filter(hrmis_code__startswith="HR").update(job_position=position)
    return group


@pytest.fixture
def products(units, position_group) -> dict[str, Product]:
    """Three products of Sở Thử nghiệm's catalog (applies to its whole subtree)."""
    group_b = ProductGroup.objects.get(code="B")
    specs = [
        ("BC", "Báo cáo định kỳ", "báo cáo", Decimal("1.0"), Decimal("2")),
        ("VB", "Dự thảo văn bản quy phạm pháp luật", "văn bản", Decimal("4.0"), Decimal("16")),
        ("HS", "Giải quyết hồ sơ thủ tục hành chính", "hồ sơ", Decimal("0.3"), Decimal("0.5")),
    ]
    made = {}
    for code, name, measure, coefficient, hours in specs:
        made[code], _ = Product.objects.get_or_create(
            owner_unit=units["T-SO"],
            code=code,
            defaults={
                "name": name,
                "unit_of_measure": measure,
                "group": group_b,
                "coefficient": coefficient,
                "expected_hours": hours,
                "active_from": date(2025, 1, 1),
            },
        )
    return made


@pytest.fixture
def quota(units, position_group):
    return Quota.objects.get_or_create(
        unit=units["T-SO"],
        group=position_group,
        valid_from=date(2025, 1, 1),
        defaults={"per_month": Decimal("44")},
    )[0]


# A fixed past month keeps the tests independent of the day they run: work dated inside it is
# never "in the future", and whether today is before or after the 25th does not matter.
WORKDAY = date(2026, 3, 10)


@pytest.fixture
def period(units) -> Period:
    """March 2026, open for logging and review."""
    march = services.period_for_work(bloc=units["T-A"].bloc, completed_on=WORKDAY)
    Period.objects.filter(pk=march.pk).update(state=PeriodState.OPEN)
    march.refresh_from_db()
    return march


@pytest.fixture
def workday(period) -> date:
    """A completion date inside `period`'s logging window."""
    return WORKDAY
