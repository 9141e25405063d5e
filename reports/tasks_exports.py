"""Export jobs on the `exports` queue: thin wrappers that take IDs and call the services."""

from celery import shared_task

from . import exports

__all__ = ["export_run", "exports_purge"]


@shared_task(name="reports.tasks_exports.export_run")
def export_run(export_id: int) -> str | None:
    """Build one requested report; the job row records the outcome, so nothing is raised."""
    export = exports.export_run(export_id)
    return export.status if export else None


@shared_task(name="reports.tasks_exports.exports_purge")
def exports_purge() -> int:
    """Delete expired export files and their rows."""
    return exports.exports_purge()
