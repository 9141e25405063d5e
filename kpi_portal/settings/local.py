"""A developer's or newcomer's machine: debug on, mail to the console, demo logins shown."""

from . import env
from .base import *  # noqa: F403

DEBUG = env.boolean("DEBUG", True)
DEMO_MODE = env.boolean("DEMO_MODE", True)
EMAIL_BACKEND = env.raw("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = True
# The demo's admin accounts would otherwise need an authenticator app at first login; set
# TWO_FACTOR_REQUIRED_ROLES to try the production behaviour locally.
TWO_FACTOR_REQUIRED_ROLES = env.csv_list("TWO_FACTOR_REQUIRED_ROLES", [])
