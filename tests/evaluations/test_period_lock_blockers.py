"""What keeps each period of a page from locking, read for the page at once."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from evaluations import assessment, services
from evaluations.models import (
    Appeal,
    AppealStatus,
    Evaluation,
    EvaluationState,
    Period,
    PeriodPolicy,
    PeriodState,
)
from orgunits.models import Bloc, Person

pytestmark = pytest.mark.django_db


def _month(units, month: int, *states, days_ago: int = 60, bloc_unit: str = "T-A") -> Period:
    """A 2025 period of the unit's bloc with an evaluation in each of `states`."""
    unit = units[bloc_unit]
    period = services.period_containing(bloc=unit.bloc, on=date(2025, month, 5))
    people = Person.objects.filter(hrmis_code__startswith="HR").order_by("pk")
    published_at = timezone.now() - timedelta(days=days_ago)
    Evaluation.objects.bulk_create(
        Evaluation(
            period=period,
            person=person,
            unit=unit,
            deciding_unit=unit,
            role="staff",
            author_role="staff",
            state=state,
            published_at=published_at if state == EvaluationState.PUBLISHED else None,
        )
        for person, state in zip(people, states, strict=False)
    )
    return period


@pytest.fixture
def periods(units) -> dict[str, Period]:
    published = EvaluationState.PUBLISHED
    # The Party bloc gives ninety working days to appeal; the province keeps the default five.
    PeriodPolicy.objects.create(bloc=Bloc.PARTY, appeal_days=90)
    made = {
        "empty": _month(units, 1),
        "unpublished": _month(units, 2, published, EvaluationState.DECIDED),
        "in_window": _month(units, 3, published, published, days_ago=0),
        "appealed": _month(units, 4, published, published),
        "lockable": _month(units, 5, published, published),
        "locked": _month(units, 6, published),
        "party_window": _month(units, 7, published, bloc_unit="T-BTC"),
    }
    Period.objects.filter(pk=made["locked"].pk).update(state=PeriodState.LOCKED)
    made["locked"].refresh_from_db()
    for evaluation in Evaluation.objects.filter(period=made["appealed"])[:1]:
        Appeal.objects.create(evaluation=evaluation, text="Xem xét lại", due_on=date(2025, 5, 1))
    resolved = Evaluation.objects.filter(period=made["lockable"]).first()
    Appeal.objects.create(
        evaluation=resolved,
        text="Xem xét lại",
        due_on=date(2025, 6, 1),
        status=AppealStatus.REJECTED,
    )
    return made


def test_each_period_of_a_page_is_blocked_by_what_blocks_it_alone(periods):
    blockers = assessment.period_lock_blockers(periods.values())
    assert blockers == {p.pk: assessment.period_lock_blocker(p) for p in periods.values()}
    expected = {
        "empty": "chưa có kết quả nào được công bố",
        "unpublished": "còn 1 phiếu đánh giá chưa công bố",
        "in_window": "còn trong thời hạn khiếu nại",
        "appealed": "còn 1 khiếu nại chưa giải quyết",
        "locked": "đã khóa",
        "party_window": "còn trong thời hạn khiếu nại",
    }
    for name, words in expected.items():
        assert words in blockers[periods[name].pk], name
    assert blockers[periods["lockable"].pk] is None


def test_a_page_of_periods_takes_three_queries(periods, django_assert_num_queries):
    with django_assert_num_queries(3):
        assessment.period_lock_blockers(periods.values())
    assert assessment.period_lock_blockers([]) == {}
