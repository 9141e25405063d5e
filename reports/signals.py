"""Keeping rollups current: saves of entries and evaluations schedule one debounced refresh.

`post_save` covers single approvals, reviews and evaluation steps. Bulk approvals and
publications use `bulk_update`, which sends no signal, so a frequent sweep reads their audit
events instead; the nightly rebuild catches anything else.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from evaluations.models import Evaluation, WorkEntry
from kpi_portal.models import AuditEvent
from kpi_portal.tasks_outbox import enqueue

# A burst of saves for one person and period (a bulk approval, a head scoring a form field by
# field) becomes one refresh, run once the burst is over. The task releases the key as it
# starts, so nothing saved after that is missed (and, run eagerly, nothing is ever skipped).
DEBOUNCE_SECONDS = 30
SWEEP_KEY = "reports:rollups:swept-audit-id"
SWEEP_FIRST_WINDOW = timedelta(minutes=15)


def _key(person_id: int, period_id: int) -> str:
    return f"reports:rollups:person:{person_id}:{period_id}"


def schedule_refresh(person_id: int, period_id: int) -> bool:
    """Queue a refresh after the transaction commits, unless one is already pending."""
    if not cache.add(_key(person_id, period_id), 1, timeout=DEBOUNCE_SECONDS):
        return False
    from .tasks_rollups import rollup_refresh_person

    # Through the outbox: with Redis down the save still succeeds and the refresh waits.
    enqueue(rollup_refresh_person, person_id, period_id, countdown=DEBOUNCE_SECONDS)
    return True


def release(person_id: int, period_id: int) -> None:
    """The refresh has started: saves from now on need (and schedule) another one."""
    cache.delete(_key(person_id, period_id))


def _row_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:  # fixtures being loaded
        return
    schedule_refresh(instance.person_id, instance.period_id)


def connect() -> None:
    for model in (WorkEntry, Evaluation):
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"rollups-save-{model.__name__}")
        post_delete.connect(
            _row_changed, sender=model, dispatch_uid=f"rollups-delete-{model.__name__}"
        )


def sweep_audit_events() -> int:
    """Schedule refreshes for the entries and evaluations named by audit events since last time."""
    last = cache.get(SWEEP_KEY)
    events = AuditEvent.objects.filter(
        object_type__in=["evaluations.workentry", "evaluations.evaluation", "evaluations.period"]
    )
    if last is None:
        events = events.filter(at__gte=timezone.now() - SWEEP_FIRST_WINDOW)
    else:
        events = events.filter(pk__gt=last)
    rows = list(events.values_list("pk", "object_type", "object_id", "action"))
    if not rows:
        return 0
    ids: dict[str, set[int]] = {"entries": set(), "evaluations": set(), "periods": set()}
    for _pk, object_type, object_id, action in rows:
        if not object_id.isdecimal():
            continue
        if object_type == "evaluations.workentry":
            ids["entries"].add(int(object_id))
        elif object_type == "evaluations.evaluation":
            ids["evaluations"].add(int(object_id))
        elif action == "evaluation.open":
            ids["periods"].add(int(object_id))
    pairs = set(
        WorkEntry.objects.filter(pk__in=ids["entries"]).values_list("person_id", "period_id")
    )
    pairs |= set(
        Evaluation.objects.filter(pk__in=ids["evaluations"]).values_list("person_id", "period_id")
    )
    scheduled = sum(schedule_refresh(person, period) for person, period in pairs)
    if ids["periods"]:
        from .tasks_rollups import rollup_rebuild_period

        for period_id in sorted(ids["periods"]):
            enqueue(rollup_rebuild_period, period_id)
    cache.set(SWEEP_KEY, max(pk for pk, *_rest in rows), timeout=None)
    return scheduled + len(ids["periods"])
