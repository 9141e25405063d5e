"""Settings of the gunicorn server and Celery worker that the load benchmark starts.

The test settings (no DEBUG, static files from the source tree, two-factor optional: the
benchmark hands each simulated user a session made ahead, as a real user's login would) with
what a server keeps: tasks go to Redis for a real worker, connections are reused.
"""

from kpi_portal.settings import env
from kpi_portal.settings.test import *  # noqa: F403
from kpi_portal.settings.test import DATABASES

CELERY_TASK_ALWAYS_EAGER = False
# Redis database 12 by default: the test suites use 14, and the benchmark empties its own.
CELERY_BROKER_URL = env.redis_url("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/12"
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
DATABASES["default"]["CONN_MAX_AGE"] = 60
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
