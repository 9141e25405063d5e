"""Celery discovers `reports.tasks`; the tasks themselves live in one module per concern."""

from .tasks_adoption import *  # noqa: F403
from .tasks_exports import *  # noqa: F403
from .tasks_reminders import *  # noqa: F403
from .tasks_rollups import *  # noqa: F403
