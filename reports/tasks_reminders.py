"""Reminders on the `notifications` queue: the daily digest and escalation."""

from celery import shared_task

from . import reminders

__all__ = ["reminders_send"]


@shared_task(name="reports.tasks_reminders.reminders_send")
def reminders_send() -> dict[str, int]:
    """Send today's reminder digests and escalations (once per person per day)."""
    return reminders.reminders_send()
