"""Two reviewers acting on one entry at the same moment, on two database connections."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from evaluations import services
from evaluations.models import EntryStatus, WorkEntry
from evaluations.services import ConflictError, Review
from kpi_portal.models import AuditEvent

from .conftest import WORKDAY


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_reviews_never_double_apply_and_the_second_is_told(
    staff_a, head_a, deputy_a, products, period
):
    entry = services.entry_create(
        by=staff_a, product=products["BC"], quantity=Decimal("2"), completed_on=WORKDAY
    )
    entry = services.entry_submit(by=staff_a, entry=entry)
    version = entry.version
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def review(user, review):
        try:
            start.wait(timeout=10)
            services.entry_review(by=user, entry=entry, review=review, expected_version=version)
            outcomes[user.username] = "ok"
        except ConflictError as exc:
            outcomes[user.username] = exc.messages[0]
        finally:
            connection.close()  # each thread had its own connection

    threads = [
        threading.Thread(target=review, args=(head_a, Review(approve=True))),
        threading.Thread(
            target=review, args=(deputy_a, Review(approve=False, note="Thiếu minh chứng"))
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["deputy_a", "head_a"]
    winners = [name for name, outcome in outcomes.items() if outcome == "ok"]
    assert len(winners) == 1
    loser = next(name for name in outcomes if name not in winners)
    assert "người khác" in outcomes[loser]
    entry.refresh_from_db()
    assert entry.version == version + 1
    assert entry.status == (EntryStatus.APPROVED if winners == ["head_a"] else EntryStatus.RETURNED)
    reviews = AuditEvent.objects.filter(
        object_id=str(entry.pk), action__in=["worklog.approve", "worklog.return"]
    )
    assert reviews.count() == 1
    assert WorkEntry.objects.filter(pk=entry.pk, reviewer__username=winners[0]).exists()
