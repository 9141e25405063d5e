"""No Docker engine runs here, so docker-compose.yml's wiring is checked against the code."""

import ast
import importlib
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
# Read by the postgres image or by compose itself for interpolation, not by our settings.
FOR_IMAGES = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}


def names_read_by_settings() -> set[str]:
    names: set[str] = {"DJANGO_SETTINGS_MODULE"}
    sources = [
        *(ROOT / "kpi_portal" / "settings").glob("*.py"),
        ROOT / "kpi_portal" / "gunicorn.conf.py",
    ]
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call):
                for arg in node.args:
                    if (
                        isinstance(arg, ast.Constant)
                        and isinstance(arg.value, str)
                        and re.fullmatch(r"[A-Z][A-Z0-9_]+", arg.value)
                    ):
                        names.add(arg.value)
    return names


def env_example_names() -> set[str]:
    names = set()
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"#?\s*([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.add(match.group(1))
    return names


def test_every_environment_name_in_compose_is_read_by_the_settings():
    read = names_read_by_settings()
    for name, service in COMPOSE["services"].items():
        env = service.get("environment") or {}
        unknown = set(env) - read - FOR_IMAGES
        assert not unknown, f"{name}: {unknown} are set but never read"


def test_every_name_in_env_example_is_read_by_the_settings():
    assert env_example_names() - names_read_by_settings() - FOR_IMAGES == set()


def test_service_commands_point_at_real_modules_and_queues():
    from django.conf import settings

    web = " ".join(COMPOSE["services"]["web"]["command"])
    assert "kpi_portal.wsgi:application" in web
    importlib.import_module("kpi_portal.wsgi")
    assert (ROOT / "kpi_portal" / "gunicorn.conf.py").exists()

    worker = COMPOSE["services"]["worker"]["command"]
    assert worker[:3] == ["celery", "-A", "kpi_portal"]
    queues = set(worker[worker.index("-Q") + 1].split(","))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert {settings.CELERY_TASK_DEFAULT_QUEUE, *routed} <= queues
    assert COMPOSE["services"]["beat"]["command"][:4] == ["celery", "-A", "kpi_portal", "beat"]


def test_app_services_use_production_settings_and_postgres():
    for name in ("web", "worker", "beat"):
        env = COMPOSE["services"][name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "kpi_portal.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://")
