"""Time the staff import on the demo province: `python bench/import_staff.py --rows 50000`.

Run with DATABASE_URL pointing at a PostgreSQL database you may write to (an empty one is
best). The script migrates, removes the people of an earlier run, seeds the demo province
(`seed_demo --staff 0`) if it is missing, builds a workbook of `--rows` assignment rows (one in
ten people also has a kiêm nhiệm row), imports it, then imports the same file again, which must
change nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpi_portal.settings.local")
os.environ.setdefault("DEBUG", "false")  # DEBUG keeps every query in memory

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from orgunits.imports import import_workbook  # noqa: E402
from orgunits.models import Assignment, OrgUnit, Person, User  # noqa: E402
from orgunits.spreadsheets import STAFF, workbook_bytes  # noqa: E402

PREFIX = "BENCH"
CATEGORIES = ("Công chức", "Viên chức", "Người lao động")


def staff_rows(count: int) -> list[list]:
    """`count` rows over every unit below the blocs; every tenth person works in two units."""
    units = list(OrgUnit.objects.filter(depth__gte=3).values_list("code", flat=True))
    rows, person = [], 0
    while len(rows) < count:
        code = f"{PREFIX}{person:06d}"
        person_values = [
            code,
            f"Nguyễn Văn Thử {person}",
            date(1970 + person % 30, 1 + person % 12, 1 + person % 28),
            "Nam" if person % 2 else "Nữ",
            CATEGORIES[person % 3],
            "Chuyên viên",
            "",
            "Có" if person % 3 else "Không",
            f"{code.lower()}@example.gov.vn",
            f"09{person:08d}",
            "",
        ]
        home = units[person % len(units)]
        rows.append([*person_values, home, "Chuyên viên, nhân viên", "Có", date(2025, 7, 1), None])
        if person % 10 == 0 and len(rows) < count:
            other = units[(person + 7) % len(units)]
            rows.append([*person_values, other, "Cấp phó", "Không", date(2025, 9, 1), None])
        person += 1
    return rows


def remove_earlier_run() -> None:
    Assignment.objects.filter(person__hrmis_code__startswith=PREFIX).delete()
    Person.objects.filter(hrmis_code__startswith=PREFIX).delete()
    User.objects.filter(staff_code__startswith=PREFIX).delete()


def timed_import(data: bytes, rows: int, label: str) -> None:
    started = time.perf_counter()
    result = import_workbook(data, by=None, filename="bench-can-bo.xlsx")
    elapsed = time.perf_counter() - started
    if not result.ok:
        sys.exit("\n".join(str(issue) for issue in result.issues[:20]))
    print(f"{label}: {rows:,} dòng trong {elapsed:.1f} giây = {rows / elapsed:,.0f} dòng/giây")
    print(f"  {result.summary()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Đặt DATABASE_URL (PostgreSQL) trước khi chạy.")
    call_command("migrate", verbosity=0)
    remove_earlier_run()
    if not OrgUnit.objects.filter(code="QNG").exists():
        # Only once: later modules' seeds would also give every imported person a work log.
        call_command("seed_demo", staff=0, quiet_logins=True)
    started = time.perf_counter()
    data = workbook_bytes(STAFF, staff_rows(args.rows))
    built = time.perf_counter() - started
    print(f"Tệp: {args.rows:,} dòng, {len(data) / 1e6:.1f} MB, tạo trong {built:.1f} giây")
    timed_import(data, args.rows, "Nhập lần đầu (thêm mới)")
    timed_import(data, args.rows, "Nhập lại cùng tệp (không đổi)")


if __name__ == "__main__":
    main()
