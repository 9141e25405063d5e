"""Queue Celery tasks after commit; when the broker is down, keep them in an outbox for later."""

from __future__ import annotations

import logging

from celery import current_app, shared_task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from .models import OutboxTask

log = logging.getLogger(__name__)
# What a stopped or unreachable broker (or Redis result backend) raises on publish.
UNREACHABLE = (BrokerError, RedisError, OSError)


def enqueue(task, *args, countdown: int | None = None) -> None:
    """Queue `task(*args)` once the current transaction commits, or keep it in the outbox."""
    name, values = task.name, list(args)
    transaction.on_commit(lambda: send_or_keep(name, values, countdown=countdown))


def send_or_keep(name: str, args: list, *, countdown: int | None = None) -> bool:
    """Publish now; on a broker failure write an OutboxTask instead. True when published."""
    try:
        _publish(name, args, countdown=countdown)
    except UNREACHABLE as error:
        log.warning("broker unreachable, task %s kept in the outbox: %s", name, error)
        OutboxTask.objects.create(name=name, args=args, last_error=str(error)[:2000])
        return False
    return True


def _publish(name: str, args: list, countdown: int | None = None) -> None:
    # Fire and forget: waiting on a result would subscribe to the (possibly down) result store.
    options = {"ignore_result": True, "countdown": countdown}
    task = current_app.tasks.get(name)
    if task is not None:
        task.apply_async(args=args, **options)
    else:  # not imported in this process; the router still knows its queue by name
        current_app.send_task(name, args=args, **options)


def outbox_flush_all(limit: int = 1000) -> tuple[int, int]:
    """Publish kept tasks oldest first; stop at the first failure. Returns (sent, left)."""
    sent = 0
    for kept in OutboxTask.objects.order_by("id")[:limit]:
        with transaction.atomic():
            # Another flusher may hold the row; skip it instead of publishing twice.
            row = OutboxTask.objects.select_for_update(skip_locked=True).filter(pk=kept.pk).first()
            if row is None:
                continue
            try:
                _publish(row.name, row.args)
            except UNREACHABLE as error:
                OutboxTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error=str(error)[:2000]
                )
                break
            row.delete()
            sent += 1
    return sent, OutboxTask.objects.count()


@shared_task(name="kpi_portal.tasks_outbox.outbox_flush")
def outbox_flush() -> int:
    """Beat: queue what the outbox kept while the broker was away."""
    return outbox_flush_all()[0]
