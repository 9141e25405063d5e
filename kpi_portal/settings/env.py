"""The one place that reads the process environment; every bad value fails at start-up."""

import os
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_env = environ.Env()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def raw(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def boolean(name: str, default: bool) -> bool:
    value = raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true/false, got {value!r}")


def integer(name: str, default: int, *, minimum: int | None = None) -> int:
    value = raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def csv_list(name: str, default: list[str]) -> list[str]:
    value = raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database(name: str = "DATABASE_URL") -> dict | None:
    """Parse a database URL; None when unset so callers choose the fallback."""
    value = raw(name)
    if value is None:
        return None
    scheme = urlparse(value).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(
            f"{name} must be a postgres:// (or sqlite://) URL, got scheme {scheme!r}"
        )
    try:
        config = _env.db_url_config(value)
    except Exception as exc:  # environ raises several types for malformed URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from exc
    if config["ENGINE"].endswith("postgresql"):
        config["CONN_MAX_AGE"] = integer("DB_CONN_MAX_AGE", 60, minimum=0)
        config["CONN_HEALTH_CHECKS"] = True
    return config


def database_from(url: str) -> dict:
    """Parse a fixed database URL given by a settings module (not the environment)."""
    config = _env.db_url_config(url)
    config["CONN_MAX_AGE"] = 0
    return config


def redis_url(*names: str) -> str | None:
    """The first of `names` that is set, validated as a redis:// URL."""
    for name in names:
        value = raw(name)
        if value is None:
            continue
        if urlparse(value).scheme not in {"redis", "rediss", "unix"}:
            raise ImproperlyConfigured(f"{name} must be a redis:// URL, got {value!r}")
        return value
    return None


def path(name: str, default: Path) -> Path:
    value = raw(name)
    return Path(value).resolve() if value else default
