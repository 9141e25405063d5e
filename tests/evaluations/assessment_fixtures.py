"""Evaluations at each step of the workflow for the screen tests; the services are tested apart."""

from decimal import Decimal

import pytest

from evaluations import assessment
from evaluations.models import Evaluation, EvaluationState

from .assessment_helpers import DECISION_DATE, FULL, evaluation_of, give_work


@pytest.fixture
def opened(period, products, quota):
    assessment.evaluations_open(period=period)
    return period


@pytest.fixture
def mine(opened, staff_a, products) -> Evaluation:
    """staff_a's March evaluation in draft: 4 of 4 done, one major error (the issue's example)."""
    give_work(staff_a, opened, products["VB"], "4", "4", major_errors=1)
    return evaluation_of(staff_a, opened)


@pytest.fixture
def self_assessed(mine, staff_a) -> Evaluation:
    return assessment.evaluation_self_assess(
        by=staff_a, evaluation=mine, general=["9.5", "9", "8"], notes=["", "", ""]
    )


@pytest.fixture
def head_assessed(self_assessed, head_a) -> Evaluation:
    return assessment.evaluation_head_assess(
        by=head_a, evaluation=self_assessed, general=["9.5", "9", "8"]
    )


@pytest.fixture
def assessed(
    opened, products, head_a, deputy_a, head_agency, outsider_b, staff_a, staff_a2, staff_a1a
):
    """In Sở Thử nghiệm's one job-position group: two HTXS, five HTT, everyone assessed."""
    strong = [staff_a, staff_a2]
    for user in strong:
        give_work(user, opened, products["VB"], "2", "2")
    good = [staff_a1a, head_a, deputy_a, head_agency, outsider_b]
    for user in good:
        give_work(user, opened, products["VB"], "5", "3")
    for user in (*strong, staff_a1a):
        evaluation = assessment.evaluation_self_assess(
            by=user, evaluation=evaluation_of(user, opened), general=FULL, notes=[]
        )
        reviewer = deputy_a if user in strong else head_a
        assessment.evaluation_head_assess(by=reviewer, evaluation=evaluation, general=FULL)
    # Written directly: the steps of the others are not what these tests are about.
    Evaluation.objects.filter(period=opened).exclude(person__user__in=[*strong, staff_a1a]).update(
        state=EvaluationState.HEAD_ASSESSED,
        self_general=FULL,
        head_general=FULL,
        organizing=Decimal("1"),
    )
    return opened


@pytest.fixture
def decided(assessed, head_agency, staff_a, units):
    target = evaluation_of(staff_a, assessed)
    assessment.evaluations_decide(
        by=head_agency,
        deciding_unit=units["T-SO"],
        period=assessed,
        decision_number="15/QĐ-STN",
        decision_date=DECISION_DATE,
        downgrades={target.pk: "Vượt tỷ lệ"},
    )
    return assessed


@pytest.fixture
def published(decided, head_agency, units):
    assessment.evaluations_publish(by=head_agency, deciding_unit=units["T-SO"], period=decided)
    return decided
