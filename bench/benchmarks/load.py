"""Month-end HTTP load: locust against gunicorn on 127.0.0.1 while two export jobs run.

The benchmark starts a Celery worker for the exports queue and gunicorn (both with
`bench.load_settings`, on this database), queues two province-wide exports, runs locust
headless for a fixed time, then stops what it started by process id and removes the export
jobs and queued tasks of the run. BENCH_LOAD_USERS, BENCH_LOAD_SECONDS and BENCH_LOAD=0 (skip)
come from the environment (`make bench LOAD_USERS=… LOAD_SECONDS=…`).
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from evaluations.models import EntryStatus, Evaluation, Period, PeriodState, WorkEntry
from orgunits.models import Assignment, OrgUnit, User
from reports.models import ExportKind, ReportExport

from ..figures import Context, Figure
from ..screens import client_for
from .excel_export import PROVINCE, _database_url

NAME = "Tải tháng cuối kỳ (locust, gunicorn)"
TARGETS_MS = {
    "ghi nhận sản phẩm (POST nhật ký)": 300,
    "hàng chờ phê duyệt": 500,
    "bảng điều khiển": 800,
    "yêu cầu xuất báo cáo": 800,
}
TARGET_RPS, TARGET_ERRORS = 100, 0.001
REDIS_DB = "redis://127.0.0.1:6379/12"
PROVINCE_VIEWERS = ("quantri", "sonoivu", "bantochuc")
CSRF = secrets.token_hex(16)  # 32 characters: a valid CSRF secret, set as cookie and header


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session(user: User, leader: bool) -> str:
    return client_for(user, second_factor=leader).cookies["sessionid"].value


def _people(users: int, today) -> tuple[dict, list[User]]:
    """Who the simulated users are, with a session each, by the class of work they do."""
    open_period = (
        Period.objects.filter(state=PeriodState.OPEN, kind="month", start__lte=today)
        .order_by("-start")
        .first()
    )
    closed = (
        Period.objects.filter(evaluations__isnull=False)
        .exclude(state=PeriodState.OPEN)
        .order_by("-start")
        .first()
    )
    # Spread over the staff list; each logs a product they logged before (one in their catalog).
    authors = list(
        Evaluation.objects.filter(period=open_period, author_role="staff")
        .order_by("person_id")
        .values_list("person_id", "person__user_id")
    )
    picked = authors[:: max(1, len(authors) // max(1, users // 2))][: users // 2]
    staff_rows = [
        (
            user_id,
            WorkEntry.objects.filter(person_id=person_id, period=open_period)
            .values_list("product_id", flat=True)
            .first(),
        )
        for person_id, user_id in picked
    ]
    heads = list(
        Assignment.objects.active_on(today)
        .filter(role="head", is_primary=True, unit__depth__gte=4)
        .select_related("unit", "person__user")
        .order_by("unit__path")
    )
    users_by_id = User.objects.in_bulk([uid for uid, _p in staff_rows])
    people = {"staff": [], "reviewer": [], "dashboard": [], "exporter": []}
    for user_id, product_id in staff_rows:
        if product_id is None:
            continue
        people["staff"].append(
            {
                "session": _session(users_by_id[user_id], False),
                "csrf": CSRF,
                "url": reverse("evaluations:worklog", args=[open_period.pk]),
                "product": product_id,
                "day": today.isoformat(),
            }
        )
    review_url = reverse("evaluations:review_queue")
    team_url = reverse("reports:team_dashboard")
    export_url = reverse("reports:export_create")
    shares = {"reviewer": users // 4, "dashboard": users * 15 // 100, "exporter": users // 10}
    spread = iter(heads * (1 + users // max(1, len(heads))))
    for kind, count in shares.items():
        for index in range(count):
            if kind == "dashboard" and index % 5 == 0:  # every fifth: the province's
                viewer = User.objects.get(username=PROVINCE_VIEWERS[index % 3])
                url = reverse("reports:province_dashboard")
                people[kind].append({"session": _session(viewer, True), "csrf": CSRF, "url": url})
                continue
            head = next(spread)
            entry = {"session": _session(head.person.user, True), "csrf": CSRF}
            if kind == "reviewer":
                entry["url"] = review_url
            elif kind == "dashboard":
                entry["url"] = team_url
            else:
                entry["url"] = export_url
                entry["form"] = {
                    "kind": ExportKind.UNIT_SUMMARY,
                    "ky-unit": head.unit_id,
                    "ky-period": closed.pk,
                }
            people[kind].append(entry)
    return people, [h.person.user for h in heads]


def _start(args: list[str], log: Path, env: dict) -> subprocess.Popen:
    # A session of its own: the whole group (gunicorn's or Celery's workers) stops by its id.
    return subprocess.Popen(
        args,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen, grace: float = 10) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (127.0.0.1 only)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn không trả lời tại {url}")


def _background_exports(host: str, root: OrgUnit, period: Period) -> None:
    """Two province-wide exports, queued through the server like any request."""
    import requests

    admin = User.objects.get(username="quantri")
    session = requests.Session()
    session.cookies.set("sessionid", _session(admin, True))
    session.cookies.set("csrftoken", CSRF)
    headers = {"X-CSRFToken": CSRF}
    forms = [
        {"kind": ExportKind.UNIT_SUMMARY, "ky-unit": root.pk, "ky-period": period.pk},
        {
            "kind": ExportKind.PROVINCE_QUARTER,
            "quy-unit": root.pk,
            "quy-year": period.year,
            "quy-quarter": (period.number - 1) // 3 + 1,
        },
    ]
    for form in forms:
        response = session.post(host + reverse("reports:export_create"), data=form, headers=headers)
        if not response.history:
            raise RuntimeError(
                f"không yêu cầu được báo cáo nền {form['kind']}: {response.status_code}"
            )


def _read_stats(prefix: str, users: int) -> tuple[dict, float, float]:
    """p50/p95/count/failures by request name, and requests/s once every user had started."""
    by_name = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_name[row["Name"]] = row
    rates = []
    with open(f"{prefix}_stats_history.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated" and int(row["User Count"]) >= users:
                rates.append(float(row["Requests/s"]))
    total = by_name.pop("Aggregated")
    sustained = statistics.median(rates) if rates else float(total["Requests/s"])
    failures = int(total["Failure Count"]) / max(1, int(total["Request Count"]))
    return by_name, sustained, failures


def run(ctx: Context) -> list[Figure]:
    if os.environ.get("BENCH_LOAD", "1") == "0":
        return []
    users = int(os.environ.get("BENCH_LOAD_USERS", "300"))
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "150"))
    workers = os.environ.get("GUNICORN_WORKERS", "5")
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="kpi-bench-load-"))
    people, _heads = _people(users, ctx.today)
    users_file = work / "users.json"
    users_file.write_text(json.dumps(people))
    started_at = timezone.now()
    last_entry = WorkEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    root = OrgUnit.objects.get(code=PROVINCE)
    closed = (
        Period.objects.filter(evaluations__isnull=False)
        .exclude(state=PeriodState.OPEN)
        .order_by("-start")
        .first()
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_DB,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": workers,
        "MEDIA_ROOT": str(work / "media"),
        "LOG_LEVEL": "WARNING",
    }
    bin_dir = Path(sys.executable).parent
    _flush_redis()
    celery = _start(
        [
            str(bin_dir / "celery"),
            "-A",
            "kpi_portal",
            "worker",
            "-Q",
            "exports",
            "-c",
            "2",
            "-l",
            "warning",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        work / "celery.log",
        env,
    )
    server = _start(
        [
            str(bin_dir / "gunicorn"),
            "kpi_portal.wsgi:application",
            "--config",
            "kpi_portal/gunicorn.conf.py",
            "--access-logfile",
            str(work / "access.log"),
            "--no-control-socket",  # its default path is shared by every gunicorn on the machine
        ],
        work / "gunicorn.log",
        env,
    )
    try:
        _wait_http(host + "/")
        _background_exports(host, root, closed)
        prefix = str(work / "locust")
        subprocess.run(
            [
                str(bin_dir / "locust"),
                "-f",
                "bench/locustfile.py",
                "--headless",
                "-u",
                str(users),
                "-r",
                str(max(1, users // 30)),
                "-t",
                f"{seconds}s",
                "--host",
                host,
                "--csv",
                prefix,
                "--csv-full-history",
                "--only-summary",
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
            ],
            cwd=settings.BASE_DIR,
            env={**env, "BENCH_LOAD_USERS": str(users_file)},
            check=False,
            stdout=(work / "locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        background = list(
            ReportExport.objects.filter(
                created_at__gte=started_at, requested_by__username="quantri"
            ).values_list("kind", "status", "progress")
        )
    finally:
        _stop(server)
        _stop(celery, grace=5)
        _flush_redis()
        made = ReportExport.objects.filter(created_at__gte=started_at)
        for export in made.exclude(file=""):
            export.file.delete(save=False)
        made.delete()
        _remove_logged(last_entry, started_at)
    by_name, sustained, failures = _read_stats(prefix, users)
    figures = [
        Figure(
            NAME,
            "số yêu cầu/giây duy trì",
            sustained,
            "req/s",
            target=f"≥ {TARGET_RPS} req/s",
            met=sustained >= TARGET_RPS,
            note=f"{users} người dùng ảo, nghĩ {os.environ.get('BENCH_LOAD_THINK', '3')} s, "
            f"{seconds} s; gunicorn {workers} tiến trình × 2 luồng; 2 báo cáo nền: "
            + ", ".join(f"{k} {s} {p}%" for k, s, p in background),
            detail={"work_dir": str(work), "background": background},
        ),
        Figure(
            NAME,
            "tỷ lệ lỗi",
            100 * failures,
            "%",
            target=f"< {100 * TARGET_ERRORS:g} %",
            met=failures < TARGET_ERRORS,
        ),
    ]
    for name, limit in TARGETS_MS.items():
        row = by_name.get(name)
        if row is None:
            continue
        p95 = float(row["95%"])
        figures.append(
            Figure(
                NAME,
                f"p95 — {name}",
                p95,
                "ms",
                target=f"p95 ≤ {limit} ms",
                met=p95 <= limit,
                note=f"p50 {float(row['50%']):.0f} ms; {int(row['Request Count']):,} yêu cầu, "
                f"{int(row['Failure Count'])} lỗi",
                detail=dict(row),
            )
        )
    return figures


def _remove_logged(last_entry: int, started_at) -> None:
    """Delete the products the simulated staff logged, in SQL.

    Not through the ORM: its delete signals would refresh the rollups of every author, one by
    one, in this process (the benchmark runs with eager tasks).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {WorkEntry._meta.db_table} "  # noqa: S608 (the model's own table)
            "WHERE id > %s AND created_at >= %s AND status = %s",
            [last_entry, started_at, EntryStatus.DRAFT],
        )


def _flush_redis() -> None:
    """Empty the benchmark's own Redis database: queued exports and rollup refreshes of the run."""
    import redis

    redis.Redis.from_url(REDIS_DB).flushdb()
