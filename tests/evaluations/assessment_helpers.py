"""Plain helpers for the evaluation screen tests (fixtures live in assessment_fixtures.py)."""

from datetime import date, timedelta
from decimal import Decimal

from evaluations.models import EntryStatus, Evaluation, PlanItem, PlanStatus, WorkEntry

FULL = ["10", "10", "10"]
DECISION_DATE = date(2026, 4, 2)


def give_work(user, period, product, assigned, done, *, planned=True, **review):
    """A plan item and its approved work, written directly: these tests are about the screens."""
    person = user.person
    item = None
    if planned:
        item = PlanItem.objects.create(
            period=period,
            person=person,
            product=product,
            quantity=Decimal(assigned),
            coefficient=product.coefficient,
            due_date=period.end,
            status=PlanStatus.ASSIGNED,
            created_by=user,
        )
    if Decimal(done) > 0:
        WorkEntry.objects.create(
            period=period,
            person=person,
            unit=person.primary_assignment_on(period.start).unit,
            author_role="staff",
            product=product,
            plan_item=item,
            quantity=Decimal(done),
            approved_quantity=Decimal(done),
            coefficient=product.coefficient,
            completed_on=period.start + timedelta(days=3),
            status=EntryStatus.APPROVED,
            **review,
        )
    return item


def evaluation_of(user, period) -> Evaluation:
    return Evaluation.objects.select_related("period", "person", "unit").get(
        person__user=user, period=period
    )
