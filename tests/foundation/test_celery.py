"""A real task round-trips through Redis and a real worker, started and stopped here."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from kpi_portal.celery import app
from kpi_portal.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/14"


@pytest.fixture
def worker_queue():
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kpi_portal.settings.test",
        "CELERY_BROKER_URL": BROKER,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kpi_portal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    saved = app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.result_backend = BROKER
    try:
        yield queue
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = saved
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.services
def test_heartbeat_round_trips_through_redis_and_a_worker(worker_queue):
    started = time.time()
    result = heartbeat.apply_async(queue=worker_queue)
    answer = result.get(timeout=60)
    assert result.successful()
    assert answer.startswith(str(time.gmtime(started).tm_year))


def test_tasks_run_eagerly_in_the_test_settings():
    assert heartbeat.delay().get(timeout=1)
