"""The test suite: PostgreSQL (never SQLite), eager Celery unless a test starts a worker."""

from . import env
from .base import *  # noqa: F403

DATABASES = {
    "default": env.database("DATABASE_URL")
    or env.database_from("postgres://app:app@127.0.0.1:5432/kpi_portal")
}
# pytest-django empties test databases with TRUNCATE between transactional tests; the audit
# log's append-only trigger allows that only on sessions that say so (never in production).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    "-c jit=off -c kpi.audit_truncate_allowed=on"  # jit=off as in base.py
)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; not for real use
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = env.redis_url("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/14"
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEMO_MODE = False
# Static files come straight from STATICFILES_DIRS; no collectstatic run is needed for tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Persona tests log in many times and with force_login, which neither a lockout nor a code
# prompt should interrupt; the security tests switch both controls back on.
AXES_ENABLED = env.boolean("AXES_ENABLED", False)
TWO_FACTOR_REQUIRED_ROLES = env.csv_list("TWO_FACTOR_REQUIRED_ROLES", [])
