"""With Redis down pages still save and tasks wait in the outbox; a failed query poisons nothing."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.signals import after_task_publish
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.urls import path, reverse

from evaluations.models import WorkEntry
from kpi_portal.celery import app
from kpi_portal.models import OutboxTask
from kpi_portal.tasks import heartbeat
from kpi_portal.tasks_outbox import enqueue
from orgunits.models import User
from tests.evaluations.conftest import period, position_group, products, quota, workday
from tests.foundation.test_healthz import free_port

__all__ = ["period", "position_group", "products", "quota", "workday"]  # fixtures in use

ROOT = Path(__file__).resolve().parents[2]


def _start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout:
            break
        time.sleep(0.1)
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def broker():
    """A private Redis the test may stop and restart, with Celery pointed at it (not eager)."""
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    state = {"redis": _start_redis(port), "port": port, "url": url}
    saved = app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend
    _forget_connections()
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.result_backend = url
    try:
        yield state
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = saved
        _forget_connections()
        _stop(state["redis"])


def _forget_connections() -> None:
    """Drop the app's cached pools and result backend, which remember the broker URL they had."""
    app._after_fork()
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def _worker(url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kpi_portal.settings.test",
        "CELERY_BROKER_URL": url,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "kpi_portal",
        "worker",
        "--pool=solo",
        "-Q",
        "default",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "warning",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _redis(port: int, *command: str) -> str:
    answer = subprocess.run(["redis-cli", "-p", str(port), *command], capture_output=True)
    return answer.stdout.decode().strip()


def _drained(port: int, timeout: float = 60) -> bool:
    """True once the default queue is empty and nothing is unacknowledged (acks come late)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = _redis(port, "LLEN", "default")
        unacked = _redis(port, "HLEN", "unacked")
        if (
            waiting == "0"
            and unacked == "0"
            and _redis(port, "EXISTS", "_kombu.binding.default") == "1"
        ):
            return True
        time.sleep(0.3)
    return False


@pytest.mark.services
def test_tasks_wait_in_the_outbox_while_redis_is_down_and_run_once_it_is_back(
    db, broker, django_capture_on_commit_callbacks
):
    _stop(broker["redis"])
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(heartbeat)
    assert time.monotonic() - started < 15, "a stopped broker must not hang the request"
    kept = OutboxTask.objects.get()
    assert kept.name == "kpi_portal.tasks.heartbeat" and kept.last_error

    with pytest.raises(CommandError):
        call_command("flush_outbox")  # still down: kept, one more attempt counted
    assert OutboxTask.objects.get().attempts == 1

    broker["redis"] = _start_redis(broker["port"])
    worker = _worker(broker["url"])
    published = []

    def remember(sender=None, headers=None, **kwargs):
        published.append(headers["id"])

    after_task_publish.connect(remember, weak=False)
    try:
        call_command("flush_outbox")
        assert not OutboxTask.objects.exists()
        assert len(published) == 1
        assert _drained(broker["port"]), "the worker never took and acknowledged the task"
    finally:
        after_task_publish.disconnect(remember)
        worker.terminate()
        worker.wait(timeout=20)


@pytest.mark.services
def test_pages_and_logged_work_keep_working_with_redis_down(
    broker, client_for, staff_a, products, period, workday, django_capture_on_commit_callbacks
):
    _stop(broker["redis"])
    client = client_for(staff_a)
    assert client.get("/").status_code == 200
    url = reverse("evaluations:worklog", args=[period.pk])
    data = {"product": products["BC"].pk, "quantity": "2", "completed_on": f"{workday:%d/%m/%Y}"}
    # Callbacks run as they would after a real commit in the request.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    assert WorkEntry.objects.filter(person=staff_a.person, quantity=2).exists()
    assert client.get(url).status_code == 200


def test_enqueue_runs_the_task_eagerly_when_there_is_no_broker(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue(heartbeat)
    assert len(callbacks) == 1
    assert not OutboxTask.objects.exists()


def _duplicate_user(request):
    with transaction.atomic():
        User.objects.create(username="staff_a")  # already taken: IntegrityError
    return HttpResponse("không tới được đây")


def _count_users(request):
    return HttpResponse(str(User.objects.count()))


urlpatterns = [path("loi/", _duplicate_user), path("dem/", _count_users)]


@pytest.mark.urls(__name__)
def test_a_database_error_in_one_request_does_not_poison_the_next(transactional_db, units):
    from django.test import Client

    client = Client(raise_request_exception=False)
    assert client.get("/loi/").status_code == 500
    response = client.get("/dem/")
    assert response.status_code == 200
    assert int(response.content) == User.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_integrity_error_inside_atomic_leaves_the_connection_usable(db, units):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="staff_a")
    assert User.objects.filter(username="staff_a").exists()
