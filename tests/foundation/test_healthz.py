import socket
import subprocess
import time

import pytest
from django.test import override_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_redis():
    """A Redis server of this test's own, so stopping it disturbs nobody else."""
    port = free_port()
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
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield process, f"redis://127.0.0.1:{port}/0"
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.services
def test_healthz_is_ok_while_database_and_redis_answer_and_503_once_redis_stops(
    client, db, private_redis
):
    process, url = private_redis
    with override_settings(CELERY_BROKER_URL=url, CELERY_TASK_ALWAYS_EAGER=False):
        healthy = client.get("/healthz")
        assert healthy.status_code == 200
        assert healthy.json() == {"status": "ok", "database": "ok", "broker": "ok"}

        process.terminate()
        process.wait(timeout=10)
        down = client.get("/healthz")
    assert down.status_code == 503
    assert down.json()["status"] == "error"
    assert down.json()["database"] == "ok"
    assert down.json()["broker"].startswith("error")


def test_healthz_needs_no_login_and_is_never_cached(client, db):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]
