"""Random but reproducible work and evaluations for the persona world (a pytest plugin module)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluations import assessment, services
from evaluations.models import (
    EntryStatus,
    Evaluation,
    EvaluationState,
    Period,
    PeriodState,
    PlanItem,
    PlanStatus,
    Rating,
    WorkEntry,
)
from orgunits.models import Person
from tests.evaluations.conftest import position_group, products, quota  # noqa: F401

FEBRUARY, MARCH = date(2026, 2, 10), date(2026, 3, 10)
STATUSES = [EntryStatus.DRAFT, EntryStatus.SUBMITTED, EntryStatus.APPROVED, EntryStatus.RETURNED]
RATINGS = [Rating.HTXS, Rating.HTT, Rating.HT, Rating.KHT, Rating.NOT_RATED, ""]
STATES = list(EvaluationState.values)
DECIDED = (EvaluationState.DECIDED, EvaluationState.PUBLISHED)


def open_period(units, on: date) -> Period:
    period = services.period_for_work(bloc=units["T-A"].bloc, completed_on=on)
    Period.objects.filter(pk=period.pk).update(state=PeriodState.OPEN)
    period.refresh_from_db()
    return period


def _moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def fill(rng: random.Random, period: Period, catalog: list) -> None:
    """Plans, entries in every state and evaluations at every step, for everyone in the world."""
    assessment.evaluations_open(period=period)
    people = list(Person.objects.filter(hrmis_code__startswith="HR").order_by("hrmis_code"))
    for person in people:
        unit = person.primary_assignment_on(period.end).unit
        items = [
            PlanItem.objects.create(
                period=period,
                person=person,
                product=rng.choice(catalog),
                quantity=Decimal(rng.randint(1, 800)) / 100,
                coefficient=Decimal(rng.randint(100, 4000)) / 1000,
                due_date=period.end,
                status=rng.choice([PlanStatus.ASSIGNED, PlanStatus.ASSIGNED, PlanStatus.PROPOSED]),
                created_by=person.user,
            )
            for _ in range(rng.randint(0, 3))
        ]
        for _ in range(rng.choice([0, 0, 1, 3, 6])):
            status = rng.choice(STATUSES)
            quantity = Decimal(rng.randint(1, 900)) / 100
            completed = period.start + timedelta(days=rng.randint(0, 20))
            submitted = None
            if status != EntryStatus.DRAFT:
                # Either side of the logging deadline, to exercise "late submissions".
                submitted = _moment(period.log_close + timedelta(days=rng.choice([-3, 0, 1])), 23)
            WorkEntry.objects.create(
                period=period,
                person=person,
                unit=unit,
                author_role="staff",
                product=rng.choice(catalog),
                plan_item=rng.choice([None, *items]) if items else None,
                quantity=quantity,
                coefficient=Decimal(rng.randint(100, 4000)) / 1000,
                completed_on=completed,
                status=status,
                submitted_at=submitted,
                approved_quantity=(
                    quantity * rng.choice([1, 1, Decimal("0.5")])
                    if status == EntryStatus.APPROVED
                    else None
                ),
                flags=rng.choice([[], [], ["day_over_pace"]]),
            )
    for evaluation in Evaluation.objects.filter(period=period):
        state = rng.choice(STATES)
        computed = rng.choice([Rating.HTXS, Rating.HTXS, *RATINGS])
        final = rng.choice(RATINGS) if state in DECIDED else ""
        # The engine only leaves the total empty for someone it could not rate.
        rated = {computed, final} & {Rating.HTXS, Rating.HTT, Rating.HT, Rating.KHT}
        total = Decimal(rng.randint(3000, 10000)) / 100 if rated or rng.random() < 0.5 else None
        assessed = period.self_assessment_due + timedelta(days=rng.choice([-1, 0, 1]))
        Evaluation.objects.filter(pk=evaluation.pk).update(
            state=state,
            total=total,
            general_score=Decimal(rng.randint(0, 3000)) / 100,
            task_score=Decimal(rng.randint(0, 7000)) / 100,
            computed_rating=computed,
            rating=final,
            ratios=(
                {
                    key: str(Decimal(rng.randint(0, 10000)) / 10000)
                    for key in ("quantity", "quality", "timeliness")
                }
                if rng.random() < 0.7
                else {}
            ),
            self_assessed_at=_moment(assessed, 22) if rng.random() < 0.7 else None,
        )


@pytest.fixture
def fill_period():
    """`fill` itself, for tests that choose their own seeds."""
    return fill


@pytest.fixture
def periods(units):
    """February and March 2026: two months of the first quarter."""
    return [open_period(units, FEBRUARY), open_period(units, MARCH)]


@pytest.fixture
def filled(periods, products, quota):  # noqa: F811
    """Both months filled from a fixed seed."""
    rng = random.Random(2026)
    for period in periods:
        fill(rng, period, list(products.values()))
    return periods
