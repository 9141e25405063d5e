"""Settings shared by every environment; values that differ come from `env`."""

from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from . import env

BASE_DIR: Path = env.BASE_DIR
VAR_DIR = env.path("VAR_DIR", BASE_DIR / "var")

SECRET_KEY = env.raw("SECRET_KEY", "insecure-demo-key-only-for-local-use-0123456789abcdef")
DEBUG = env.boolean("DEBUG", False)
ALLOWED_HOSTS = env.csv_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.csv_list("CSRF_TRUSTED_ORIGINS", [])

PROVINCE_NAME = env.raw("PROVINCE_NAME", "Tỉnh Quảng Ngãi")
SYSTEM_NAME = env.raw("SYSTEM_NAME", "Phần mềm KPI")
DEMO_MODE = env.boolean("DEMO_MODE", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "guardian",
    "treebeard",
    "kpi_portal",
    "orgunits",
    "catalog",
    "evaluations",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kpi_portal.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kpi_portal.urls"
WSGI_APPLICATION = "kpi_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kpi_portal.context_processors.shell",
            ],
        },
    },
]

# Without DATABASE_URL a newcomer's demo runs on SQLite; tests and production use PostgreSQL.
DATABASES = {"default": env.database("DATABASE_URL")}
if DATABASES["default"] is None:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/ yet
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "demo.sqlite3",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgunits.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
ANONYMOUS_USER_NAME = None  # guardian: anonymous users never hold object permissions

SESSION_COOKIE_AGE = env.integer("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age above is then an inactivity timeout

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.raw("TIME_ZONE", "Asia/Ho_Chi_Minh")
FORMAT_MODULE_PATH = ["kpi_portal.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", VAR_DIR / "staticfiles")
# Uploads are private: kept outside every static path and served only by permission-checked views.
MEDIA_ROOT = env.path("MEDIA_ROOT", VAR_DIR / "media")
# No URL pattern serves this prefix; it only keeps Django's test server from choking on None.
MEDIA_URL = "/_private-media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

EMAIL_BACKEND = env.raw("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.raw("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env.raw("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.raw("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.raw("DEFAULT_FROM_EMAIL", "kpi@localhost")

# Celery: with no broker configured, tasks run eagerly in-process (demo on a laptop).
REDIS_URL = env.redis_url("REDIS_URL")
CELERY_BROKER_URL = env.redis_url("CELERY_BROKER_URL", "REDIS_URL")
CELERY_RESULT_BACKEND = env.redis_url("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "reports.tasks.*": {"queue": "exports"},
}
CELERY_BEAT_SCHEDULE = {
    # 00:05 every day: open periods whose start has come and move states at their deadlines.
    "advance-periods": {
        "task": "evaluations.tasks.periods_tick",
        "schedule": crontab(minute=5, hour=0),
    },
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.raw("LOG_LEVEL", "INFO")},
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
