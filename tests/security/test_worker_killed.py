"""A worker killed mid-export leaves its job failed and retryable: never rerun, never stuck."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kpi_portal.celery import app
from kpi_portal.models import AuditEvent
from reports import exports
from reports.models import ExportKind, ExportStatus, ReportExport
from reports.tasks_exports import export_run
from tests.foundation.test_healthz import free_port
from tests.security.test_faults import _forget_connections, _redis, _start_redis, _stop

ROOT = Path(__file__).resolve().parents[2]
INTERRUPTED = "Tiến trình xử lý bị dừng đột ngột"

# The worker the deployment runs (prefork, acks late, prefetch 1), started from a script so a
# test can slow its exports down and shorten the broker's redelivery delay; production code
# carries no test hook.
WORKER = """
import os, time
import django

django.setup()
from kpi_portal.celery import app
from reports import exports

pause = float(os.environ["EXPORT_PAUSE_SECONDS"])

def slowly(build):
    def run(export, scope):
        deadline = time.monotonic() + pause
        while time.monotonic() < deadline:
            exports._progress(export, 1)  # the heartbeat a long build keeps up
            time.sleep(0.5)
        return build(export, scope)
    return run

if pause:
    exports.BUILDERS = {kind: slowly(build) for kind, build in exports.BUILDERS.items()}
if os.environ.get("VISIBILITY_TIMEOUT"):
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": int(os.environ["VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
app.worker_main([
    "worker", "--pool=prefork", "--concurrency=1", "-Q", "exports",
    "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning",
])
"""


def _wait_for(condition, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def _children(pid: int) -> list[int]:
    answer = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in answer.stdout.split()]


@pytest.fixture
def exports_broker(transactional_db, settings, tmp_path):
    """A private Redis, Celery pointed at it (not eager), and a way to start export workers."""
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    redis = _start_redis(port)
    settings.MEDIA_ROOT = tmp_path / "media"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kpi_portal.settings.test",
        "CELERY_BROKER_URL": url,
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    workers: list[subprocess.Popen] = []

    def start_worker(*, pause: float = 0, visibility_timeout: int | None = None):
        log = tmp_path / f"worker-{len(workers)}.log"
        extra = {"EXPORT_PAUSE_SECONDS": str(pause)}
        if visibility_timeout:
            extra["VISIBILITY_TIMEOUT"] = str(visibility_timeout)
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-c", WORKER],
                cwd=ROOT,
                env={**env, **extra},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        workers.append(process)
        return SimpleNamespace(process=process, log=log)

    saved = app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend
    _forget_connections()
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.result_backend = url
    try:
        yield SimpleNamespace(port=port, start_worker=start_worker)
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = saved
        _forget_connections()
        for process in workers:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
        _stop(redis)


def _status(export: ReportExport) -> str:
    return ReportExport.objects.values_list("status", flat=True).get(pk=export.pk)


@pytest.mark.services
def test_a_worker_killed_mid_export_leaves_the_job_failed_and_a_retry_builds_it(
    exports_broker, head_a, units, client_for
):
    slow = exports_broker.start_worker(pause=600)
    export = exports.export_request(
        by=head_a,
        kind=ExportKind.PROVINCE_QUARTER,
        params={"unit": units["T-A"].pk, "year": 2026, "quarter": 1},
    )
    _wait_for(lambda: _status(export) == ExportStatus.RUNNING, 180, "the job to run", slow.log)
    children = _children(slow.process.pid)
    assert children, "a prefork worker runs the export in a child process"

    os.kill(slow.process.pid, signal.SIGKILL)  # `kill -9` of the worker's main process
    slow.process.wait(timeout=30)
    _wait_for(lambda: not any(_alive(pid) for pid in children), 30, "the child to die")
    port = exports_broker.port
    assert _redis(port, "HLEN", "unacked") == "1", "the unacknowledged message stays on Redis"
    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING  # nothing left to say otherwise…

    # …until the watchdog sees no heartbeat for longer than a live build ever stays silent.
    assert exports.exports_watchdog() == 0
    assert exports.exports_watchdog(now=export.heartbeat_at + exports.STALE_AFTER * 2) == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error.startswith(INTERRUPTED) and "Thử lại" in export.error
    assert (export.attempts, bool(export.file)) == (1, False)
    assert AuditEvent.objects.filter(action="export.interrupted", object_id=str(export.pk)).exists()

    # The broker hands the dead worker's message to a fresh worker; a failed job is not rerun.
    fresh = exports_broker.start_worker(visibility_timeout=3)
    _wait_for(
        lambda: _redis(port, "HLEN", "unacked") == "0" and _redis(port, "LLEN", "exports") == "0",
        180,
        "the redelivered message to be taken and acknowledged",
        fresh.log,
    )
    export.refresh_from_db()
    assert (export.status, export.attempts) == (ExportStatus.FAILED, 1)

    client = client_for(head_a)
    page = client.get(reverse("reports:export_list")).content.decode()
    assert INTERRUPTED in page and reverse("reports:export_retry", args=[export.pk]) in page
    assert client.post(reverse("reports:export_retry", args=[export.pk])).status_code == 302
    _wait_for(lambda: _status(export) == ExportStatus.DONE, 180, "the retry to finish", fresh.log)
    export.refresh_from_db()
    assert (export.attempts, export.error, export.progress) == (2, "", 100)
    download = client.get(export.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")  # an xlsx is a zip


# ---- the same rules without a worker --------------------------------------------------------


@pytest.fixture
def job(db, settings, tmp_path, head_a, units):
    """A province-quarter export as the page requested it, not yet run."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return ReportExport.objects.create(
        kind=ExportKind.PROVINCE_QUARTER,
        format="xlsx",
        parameters={"unit": units["T-A"].pk, "year": 2026, "quarter": 1},
        title="Biểu tổng hợp quý",
        requested_by=head_a,
        expires_at=timezone.now() + timedelta(days=7),
    )


def _running(export: ReportExport, silent_for: timedelta) -> None:
    since = timezone.now() - silent_for
    ReportExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, attempts=1, started_at=since, heartbeat_at=since
    )


def test_a_redelivered_message_fails_a_silent_running_job_instead_of_building_it_again(job):
    _running(job, silent_for=exports.STALE_AFTER + timedelta(minutes=1))
    assert export_run.delay(job.pk).get() == ExportStatus.FAILED
    job.refresh_from_db()
    assert job.error.startswith(INTERRUPTED)
    assert (job.attempts, bool(job.file), job.finished_at is not None) == (1, False, True)


def test_a_redelivered_message_leaves_a_job_that_still_reports_progress_to_its_worker(job):
    _running(job, silent_for=timedelta(seconds=30))
    assert export_run.delay(job.pk).get() == ExportStatus.RUNNING
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (ExportStatus.RUNNING, 1, "")


def test_the_watchdog_fails_only_running_jobs_that_went_silent(job, head_a):
    fresh = ReportExport.objects.create(
        kind=job.kind,
        format=job.format,
        parameters=job.parameters,
        requested_by=head_a,
        expires_at=job.expires_at,
    )
    queued = ReportExport.objects.create(
        kind=job.kind,
        format=job.format,
        parameters=job.parameters,
        requested_by=head_a,
        expires_at=job.expires_at,
    )
    _running(job, silent_for=exports.STALE_AFTER + timedelta(seconds=1))
    _running(fresh, silent_for=exports.STALE_AFTER - timedelta(minutes=1))
    assert exports.exports_watchdog() == 1
    statuses = dict(ReportExport.objects.values_list("pk", "status"))
    assert statuses == {
        job.pk: ExportStatus.FAILED,
        fresh.pk: ExportStatus.RUNNING,
        queued.pk: ExportStatus.QUEUED,
    }


def test_a_run_given_up_by_the_watchdog_cannot_overwrite_the_failure_or_leave_a_file(
    job, monkeypatch, settings
):
    build = exports.BUILDERS[job.kind]

    def frozen_past_the_watchdog(export, scope):
        # As if the worker stalled so long that the watchdog gave the job up meanwhile.
        assert exports.exports_watchdog(now=timezone.now() + exports.STALE_AFTER * 2) == 1
        return build(export, scope)

    monkeypatch.setitem(exports.BUILDERS, job.kind, frozen_past_the_watchdog)
    assert export_run.delay(job.pk).get() == ExportStatus.FAILED
    job.refresh_from_db()
    assert job.error.startswith(INTERRUPTED) and not job.file
    assert not any(path.is_file() for path in Path(settings.MEDIA_ROOT).rglob("*"))


def test_export_messages_are_acknowledged_late_and_the_watchdog_is_scheduled():
    assert export_run.acks_late and export_run.reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    entry = app.conf.beat_schedule["reports-exports-watchdog"]
    assert entry["task"] == "reports.tasks_exports.exports_watchdog"
    assert entry["schedule"].minute == set(range(0, 60, 5))
