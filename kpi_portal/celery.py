"""The Celery app: configured from Django settings (CELERY_*), tasks from each app's tasks.py."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_portal.settings.local")

app = Celery("kpi_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every 5 minutes: fail the export jobs whose worker died mid-run (no heartbeat for
# reports.exports.STALE_AFTER), so they do not show "Đang tạo" forever and can be retried.
app.add_periodic_task(
    crontab(minute="*/5"),
    app.signature("reports.tasks_exports.exports_watchdog"),
    name="reports-exports-watchdog",
)
