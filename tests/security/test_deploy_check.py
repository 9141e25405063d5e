"""Production settings pass Django's deployment checklist and keep transport security on."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLEAN = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("DATABASE_", "REDIS_", "CELERY_", "DJANGO_", "SECURE_", "SECRET_"))
}
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "kpi_portal.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "DATABASE_URL": "postgres://app:app@127.0.0.1:5432/kpi_portal",
    "ALLOWED_HOSTS": "kpi.quangngai.gov.vn",
}
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({name: getattr(s, name) for name in ["
    "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
    "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
    "'CSRF_COOKIE_SECURE', 'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', 'AXES_ENABLED', "
    "'TWO_FACTOR_REQUIRED_ROLES', 'DEBUG']}))"
)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**CLEAN, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_reports_no_issues():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output


def test_production_forces_https_secure_cookies_and_the_login_controls():
    result = run("-c", PROBE)
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["SECURE_SSL_REDIRECT"] is True
    assert config["SECURE_HSTS_SECONDS"] >= 31536000
    assert config["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert config["SESSION_COOKIE_SECURE"] and config["CSRF_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["X_FRAME_OPTIONS"] == "DENY"
    assert config["SECURE_REFERRER_POLICY"] == "same-origin"
    assert config["AXES_ENABLED"] is True
    assert config["DEBUG"] is False
    assert set(config["TWO_FACTOR_REQUIRED_ROLES"]) == {
        "system_admin",
        "sector_admin",
        "hr_officer",
        "org_dept_viewer",
    }
