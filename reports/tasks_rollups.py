"""Rollup jobs on the `rollups` queue: they take IDs and call `reports.rollups` or the sweep."""

from celery import shared_task

from . import rollups, signals

__all__ = [
    "rollup_rebuild_period",
    "rollup_refresh_person",
    "rollups_nightly",
    "rollups_sweep",
]


@shared_task(name="reports.tasks_rollups.rollup_refresh_person")
def rollup_refresh_person(person_id: int, period_id: int) -> None:
    """Recompute one person's row of a period and the unit rows above it."""
    signals.release(person_id, period_id)
    rollups.refresh_person(person_id, period_id)


@shared_task(name="reports.tasks_rollups.rollup_rebuild_period")
def rollup_rebuild_period(period_id: int) -> int:
    """Recompute a whole period (a new batch of evaluations), its quarter and its year."""
    return rollups.rebuild_period(period_id, cascade=True)


@shared_task(name="reports.tasks_rollups.rollups_nightly")
def rollups_nightly() -> int:
    """Recompute every period, so time-dependent figures (overdue) and any missed change settle."""
    return rollups.rebuild_all()


@shared_task(name="reports.tasks_rollups.rollups_sweep")
def rollups_sweep() -> int:
    """Refresh the people touched by bulk changes, which send no `post_save`."""
    return signals.sweep_audit_events()
