"""Settings shared by every environment; values that differ come from `env`."""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
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
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "treebeard",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "kpi_portal",
    "orgunits",
    "orgunits.twofactor",
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
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kpi_portal.security.AdminBrowserSessionMiddleware",
    "orgunits.twofactor.middleware.TwoFactorMiddleware",
    # Last, as django-axes requires: it turns a flagged failed login into the lockout page.
    "axes.middleware.AxesMiddleware",
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
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Page queries never repay JIT compilation (67 ms of it in one review-queue plan at 50k staff).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Dashboards, reports and exports read from a replica inside `kpi_portal.db_router.use_replica()`.
DATABASE_REPLICA = env.database("DATABASE_REPLICA_URL")
if DATABASE_REPLICA is not None:
    DATABASES["replica"] = {**DATABASE_REPLICA, "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["kpi_portal.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgunits.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so a locked-out login never reaches a check
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

# Login throttling: this many failures for one username from one address lock that pair out.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kpi_portal.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "kpi_portal.security.client_ip"
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (0: none, trust nothing).
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Two-factor authentication (TOTP + recovery codes) is compulsory for these roles
# (orgunits.models.Role values; a superuser counts as system_admin) and optional for others.
TWO_FACTOR_REQUIRED_ROLES = env.csv_list(
    "TWO_FACTOR_REQUIRED_ROLES", ["system_admin", "sector_admin", "hr_officer", "org_dept_viewer"]
)
OTP_TOTP_ISSUER = SYSTEM_NAME

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
# With the broker down, a request must not hang on retries: publishing fails fast and the outbox
# keeps the task. BROKER_CONNECTION_MAX_RETRIES stays at its default: it only governs how long a
# worker keeps reconnecting, and a worker should outlive a Redis restart.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
# Outside tasks.py, so autodiscovery would miss it.
CELERY_IMPORTS = ["kpi_portal.tasks_outbox"]
CELERY_TASK_ROUTES = {
    "reports.tasks.*": {"queue": "exports"},
    "reports.tasks_exports.*": {"queue": "exports"},
    "reports.tasks_reminders.*": {"queue": "notifications"},
    "reports.tasks_rollups.*": {"queue": "rollups"},
}
CELERY_BEAT_SCHEDULE = {
    # Every 5 minutes: queue the tasks that were kept in the outbox while the broker was down.
    "kpi-flush-outbox": {
        "task": "kpi_portal.tasks_outbox.outbox_flush",
        "schedule": crontab(minute="*/5"),
    },
    # 00:05 every day: open periods whose start has come and move states at their deadlines.
    "advance-periods": {
        "task": "evaluations.tasks.periods_tick",
        "schedule": crontab(minute=5, hour=0),
    },
    # 07:00 every day: one reminder digest per person before deadlines, and escalations.
    "reports-daily-reminders": {
        "task": "reports.tasks_reminders.reminders_send",
        "schedule": crontab(minute=0, hour=7),
    },
    # 01:30 every night: recompute every rollup (overdue flags move with the date alone).
    "reports-nightly-rollups": {
        "task": "reports.tasks_rollups.rollups_nightly",
        "schedule": crontab(minute=30, hour=1),
    },
    # 02:00 every night, after the rollups it reads: the pilot's adoption figures.
    "reports-nightly-adoption": {
        "task": "reports.tasks_adoption.adoption_nightly",
        "schedule": crontab(minute=0, hour=2),
    },
    # Every 5 minutes: refresh the people touched by bulk approvals and publications.
    "reports-rollups-sweep": {
        "task": "reports.tasks_rollups.rollups_sweep",
        "schedule": crontab(minute="*/5"),
    },
    # 02:30 every night: delete export files (and their jobs) past their expiry.
    "reports-purge-exports": {
        "task": "reports.tasks_exports.exports_purge",
        "schedule": crontab(minute=30, hour=2),
    },
}

# Reminders start this many days before each deadline; review queues overdue by more than
# ESCALATION_DAYS go up to the reviewer's superior.
REMINDER_DAYS_BEFORE = env.integer("REMINDER_DAYS_BEFORE", 2, minimum=0)
ESCALATION_DAYS = env.integer("ESCALATION_DAYS", 3, minimum=0)

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

# No inline scripts anywhere: JavaScript lives in static/js and data travels via json_script.
# The style nonce exists only for htmx, which injects its indicator rule as a <style> element.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# REST API (/api/v1/): the same scoping as the HTML views; errors in one Vietnamese body shape.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kpi_portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "kpi_portal.api.permissions.TokenScopePermission",
    ],
    "DEFAULT_PAGINATION_CLASS": "kpi_portal.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["kpi_portal.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_token": env.raw("API_TOKEN_RATE", "600/minute")},
    "EXCEPTION_HANDLER": "kpi_portal.api.exceptions.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KPI Portal API",
    "DESCRIPTION": "API đọc và ghi dữ liệu đánh giá, xếp loại; phạm vi như giao diện web.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {"Rating": "evaluations.models.Rating"},
}

# Single sign-on (OpenID Connect): off unless OIDC_RP_CLIENT_ID is set. People are matched by
# HRMIS code (claim OIDC_HRMIS_CLAIM) or email; unknown people are refused, never created.
# The username/password form stays available (administrators, and the province's fallback).
OIDC_RP_CLIENT_ID = env.raw("OIDC_RP_CLIENT_ID")
OIDC_ENABLED = OIDC_RP_CLIENT_ID is not None
OIDC_RP_CLIENT_SECRET = env.raw("OIDC_RP_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.raw("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env.raw("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env.raw("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env.raw("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = env.raw("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env.raw("OIDC_RP_SCOPES", "openid email profile")
OIDC_HRMIS_CLAIM = env.raw("OIDC_HRMIS_CLAIM", "hrmis_code")
OIDC_CREATE_USER = False
LOGIN_REDIRECT_URL_FAILURE = "/tai-khoan/dang-nhap/?sso=loi"
if OIDC_ENABLED:
    missing = [
        name
        for name in (
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if missing:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set but {', '.join(missing)} are not")
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "kpi_portal.api.oidc.PersonOIDCBackend"]
