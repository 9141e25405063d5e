"""Configuration is read from the environment in one place and bad values stop the start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, 'media': str(s.MEDIA_ROOT), "
    "'static_dirs': [str(p) for p in s.STATICFILES_DIRS], 'hosts': s.ALLOWED_HOSTS}))"
)
CLEAN = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "DJANGO_"))
}


def run(settings_module: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**CLEAN, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_database_url_the_demo_falls_back_to_sqlite_and_eager_celery():
    result = run("kpi_portal.settings.local")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["eager"] is True
    assert config["tz"] == "Asia/Ho_Chi_Minh"
    assert config["lang"] == "vi"


def test_database_and_broker_urls_switch_to_postgresql_and_a_real_broker():
    result = run(
        "kpi_portal.settings.local",
        DATABASE_URL="postgres://app:app@127.0.0.1:5432/kpi_portal",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["eager"] is False


def test_private_media_is_never_inside_a_static_directory():
    config = json.loads(run("kpi_portal.settings.local").stdout)
    assert not any(config["media"].startswith(directory) for directory in config["static_dirs"])


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true/false"),
        ({"DATABASE_URL": "mysql://root@localhost/kpi"}, "DATABASE_URL must be a postgres://"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL must be a redis:// URL"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be an integer"),
        ({"SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES must be at least 1"),
    ],
)
def test_a_bad_environment_value_stops_start_up_with_its_name(env, message):
    result = run("kpi_portal.settings.local", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run(
        "kpi_portal.settings.production",
        DATABASE_URL="postgres://app:app@127.0.0.1:5432/kpi_portal",
        ALLOWED_HOSTS="kpi.quangngai.gov.vn",
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_complete_environment():
    result = run(
        "kpi_portal.settings.production",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-value-123456",
        DATABASE_URL="postgres://app:app@127.0.0.1:5432/kpi_portal",
        ALLOWED_HOSTS="kpi.quangngai.gov.vn",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hosts"] == ["kpi.quangngai.gov.vn"]
