"""Export jobs on the `exports` queue: thin wrappers that take IDs and call the services."""

from celery import shared_task

from . import exports

__all__ = ["export_run", "exports_purge", "exports_watchdog"]


# Acknowledged only once the job row holds its outcome: a worker killed mid-export leaves the
# message on the broker, and its redelivery fails the job for the owner to retry (see _start).
@shared_task(name="reports.tasks_exports.export_run", acks_late=True, reject_on_worker_lost=True)
def export_run(export_id: int) -> str | None:
    """Build one requested report; the job row records the outcome, so nothing is raised."""
    export = exports.export_run(export_id)
    return export.status if export else None


@shared_task(name="reports.tasks_exports.exports_purge")
def exports_purge() -> int:
    """Delete expired export files and their rows."""
    return exports.exports_purge()


@shared_task(name="reports.tasks_exports.exports_watchdog")
def exports_watchdog() -> int:
    """Fail the running jobs whose worker went silent."""
    return exports.exports_watchdog()
