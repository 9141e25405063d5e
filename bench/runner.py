"""`python -m bench --scale 5000 --months 3`: database, migrations, seeding, benchmarks, results.

The database `kpi_bench_<scale>` is created when missing and seeded with `seed_scale` (which
skips the months already there), so a second run only measures.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def ensure_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"Tạo cơ sở dữ liệu {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    # The test settings: no DEBUG (it keeps every query), no collected static files needed.
    os.environ["DJANGO_SETTINGS_MODULE"] = "kpi_portal.settings.test"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    pages = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(pages / 2**30),
        "postgres": f"PostgreSQL {version.split()[0]}",
        "load_start": _load(),
    }


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip() or "?"
    except OSError:
        return "?"


def _rows() -> dict[str, int]:
    from django.db import connection

    tables = [
        "orgunits_orgunit",
        "orgunits_person",
        "evaluations_period",
        "evaluations_planitem",
        "evaluations_workentry",
        "evaluations_evaluation",
    ]
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names above)
            counts[table] = cursor.fetchone()[0]
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=5000, help="số cán bộ (mặc định 5000)")
    parser.add_argument("--months", type=int, default=3, help="số tháng dữ liệu (mặc định 3)")
    parser.add_argument("--requests", type=int, default=50, help="số lượt đo mỗi màn hình")
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_SERVER", "postgres://app:app@127.0.0.1:5432"),
        help="máy chủ PostgreSQL, không kèm tên cơ sở dữ liệu",
    )
    parser.add_argument("--only", nargs="*", help="chỉ chạy các phép đo có tên mô-đun này")
    args = parser.parse_args(argv)

    name = f"kpi_bench_{args.scale}"
    ensure_database(args.server, name)
    _setup(f"{args.server}/{name}")

    from django.core.management import call_command
    from django.utils import timezone

    from .benchmarks import BENCHMARKS
    from .figures import Context
    from .report import write

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seeding = io.StringIO()
    call_command("seed_scale", staff=args.scale, months=args.months, stdout=seeding)
    seeding_lines = seeding.getvalue().splitlines()
    print("\n".join(seeding_lines))

    meta = {
        "date": date.today().isoformat(),
        "scale": args.scale,
        "months": args.months,
        "database": name,
        "commit": _commit(),
        "machine": _machine(),
        "rows": _rows(),
    }
    ctx = Context(
        scale=args.scale, months=args.months, today=timezone.localdate(), requests=args.requests
    )
    figures = []
    for module in BENCHMARKS:
        short = module.__name__.rsplit(".", 1)[-1]
        if args.only and short not in args.only:
            continue
        print(f"Đo: {module.NAME} …", flush=True)
        step = time.perf_counter()
        found = module.run(ctx)
        for figure in found:
            value = "—" if figure.value is None else f"{figure.value:,.1f} {figure.unit}"
            floor = "—" if figure.floor is None else f"{figure.floor:,.1f} {figure.unit}"
            print(f"  {figure.benchmark} | {figure.metric}: {value} (sàn {floor}) {figure.note}")
        print(f"  ({time.perf_counter() - step:.0f} giây)")
        figures += found
    meta["machine"]["load_end"] = _load()
    meta["seconds"] = round(time.perf_counter() - started)
    stem = f"{meta['date']}-{args.scale}"
    if args.only:  # a partial run must not overwrite the full results of the day
        stem += "-" + "-".join(args.only)
    json_path, md_path = write(RESULTS, stem, meta, figures, ctx.explains, seeding_lines)
    print(f"Kết quả: {json_path.relative_to(ROOT)}, {md_path.relative_to(ROOT)}")
