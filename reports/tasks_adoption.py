"""The adoption figures' nightly rebuild on the `rollups` queue, after the rollups' own."""

from celery import shared_task

from . import adoption

__all__ = ["adoption_nightly"]


@shared_task(name="reports.tasks_adoption.adoption_nightly")
def adoption_nightly() -> int:
    """Recompute every scope, so overdue queues move with the date alone."""
    return adoption.rebuild_all()
