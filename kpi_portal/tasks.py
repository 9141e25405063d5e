from celery import shared_task
from django.utils import timezone


@shared_task(name="kpi_portal.tasks.heartbeat")
def heartbeat() -> str:
    """Answer with the worker's clock, so a round trip through the broker can be proven."""
    return timezone.now().isoformat()
