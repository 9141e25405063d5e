from celery import shared_task

from . import services


@shared_task(name="evaluations.tasks.periods_tick")
def periods_tick() -> dict[str, int]:
    """Open periods that have begun, close logging after its deadline, lock at the lock date."""
    return services.periods_tick()
