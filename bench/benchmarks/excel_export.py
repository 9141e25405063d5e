"""Excel export of the whole province's results (biểu tổng hợp of the root unit, one period).

Timed in a process of its own, so its peak memory is the report's; the floor is PostgreSQL
writing the same query as CSV (`COPY … TO STDOUT`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection

from evaluations.models import Evaluation, Period, PeriodState
from orgunits.models import OrgUnit, User
from reports import generators

from ..figures import Context, Figure

NAME = "Xuất Excel kết quả toàn tỉnh"
VIEWER = "quantri"
PROVINCE = "QNG"  # the demo province's root unit, which seed_scale builds
TARGET_S, TARGET_MB = 15, 300


def report_period() -> Period:
    """The latest period with evaluations that is no longer open (its results are decided)."""
    seeded = Period.objects.filter(evaluations__isnull=False).distinct().order_by("-start")
    return seeded.exclude(state=PeriodState.OPEN).first() or seeded.first()


def probe(kind: str, unit: OrgUnit, period: Period, viewer: User) -> dict:
    """Run `bench.export_probe` in a fresh Python against this database and read its result."""
    env = {**os.environ, "DATABASE_URL": _database_url()}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.export_probe",
            kind,
            str(unit.pk),
            str(period.pk),
            str(viewer.pk),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def copy_floor(sql: str, params) -> tuple[float, int]:
    """Seconds for PostgreSQL to stream the query as CSV to this client, and the bytes."""
    statement = connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)
    size = 0
    started = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            size += len(block)
    return time.perf_counter() - started, size


def run(ctx: Context) -> list[Figure]:
    period = report_period()
    root = OrgUnit.objects.get(code=PROVINCE)
    viewer = User.objects.get(username=VIEWER)
    sql, params = generators._scoped_evaluations(root, period).query.sql_with_params()
    copy_floor(sql, params)  # warm the cache, as the report will find it
    floor, csv_bytes = copy_floor(sql, params)
    result = probe("xlsx", root, period, viewer)
    people = Evaluation.objects.filter(period=period).count()
    detail = {**result, "csv_bytes": csv_bytes, "period": period.code}
    return [
        Figure(
            NAME,
            "thời gian tạo tệp",
            result["seconds"],
            "s",
            floor=floor,
            floor_label="COPY (cùng truy vấn) TO STDOUT CSV",
            target=f"≤ {TARGET_S} s",
            met=result["seconds"] <= TARGET_S,
            note=f"kỳ {period.code}: {result['rows']:,} dòng ({people:,} phiếu), tệp "
            f"{result['bytes'] / 1e6:.1f} MB; CSV {csv_bytes / 1e6:.1f} MB",
            detail=detail,
        ),
        Figure(
            NAME,
            "bộ nhớ đỉnh của tiến trình",
            result["peak_rss_mb"],
            "MB",
            target=f"≤ {TARGET_MB} MB",
            met=result["peak_rss_mb"] <= TARGET_MB,
            note=f"RSS đỉnh (VmHWM) của một tiến trình riêng; trước khi xuất "
            f"{result['baseline_rss_mb']:.0f} MB (Django đã nạp)",
            detail=detail,
        ),
    ]
