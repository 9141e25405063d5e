from celery import shared_task

from . import assessment, services


@shared_task(name="evaluations.tasks.periods_tick")
def periods_tick() -> dict[str, int]:
    """Open periods that have begun, close logging, lock once appeals are settled or at the date."""
    result = services.periods_tick()
    result["locked_after_appeals"] = assessment.periods_lock_after_appeals()
    return result
