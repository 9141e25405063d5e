"""In-app notifications; email delivery is a separate, daily digest."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Notification


def notify(*, recipients: Iterable, kind: str, title: str, body: str = "", url: str = "") -> int:
    """One notification per distinct recipient, in one insert."""
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, title=title[:200], body=body, url=url))
    Notification.objects.bulk_create(rows)
    return len(rows)
