"""Plain helpers for the evaluations screen tests (fixtures live in view_fixtures.py)."""

from decimal import Decimal

from django.utils import timezone

from evaluations import services
from evaluations.models import EntryStatus, WorkEntry

LOGIN_PATH = "/tai-khoan/dang-nhap/"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def log(user, product, quantity="1", on=None, **fields) -> WorkEntry:
    return services.entry_create(
        by=user,
        product=product,
        quantity=Decimal(quantity),
        completed_on=on or timezone.localdate(),
        **fields,
    )


def bulk_submitted(people, product, period, count: int) -> list[WorkEntry]:
    """Many submitted entries at once, written directly (the services are tested elsewhere)."""
    now = timezone.now()
    rows = []
    for index in range(count):
        person = people[index % len(people)]
        placement = services.placement_of(person, timezone.localdate())
        rows.append(
            WorkEntry(
                period=period,
                person=person,
                unit=placement.unit,
                author_role=placement.role,
                product=product,
                quantity=Decimal("1"),
                coefficient=product.coefficient,
                completed_on=period.start,
                status=EntryStatus.SUBMITTED,
                submitted_at=now,
                version=1,
            )
        )
    return WorkEntry.objects.bulk_create(rows)
