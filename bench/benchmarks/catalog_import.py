"""Nhập danh mục sản phẩm từ Excel: 5,000 products (the most one sheet may hold) for one agency.

Both imports run in one transaction that is rolled back at the end, so products, which are
never deleted, do not pile up in the benchmark database from run to run.
"""

from __future__ import annotations

import io
import time
from datetime import date

from django.db import transaction
from openpyxl import Workbook, load_workbook

from catalog.imports import import_catalog
from catalog.workbook import MAX_ROWS, PRODUCTS, SHEETS
from orgunits.models import JobPositionGroup, OrgUnit, User

from ..figures import Context, Figure

NAME = "Nhập danh mục sản phẩm (Excel)"
OWNER = "QNG-SNV"
ROWS = MAX_ROWS  # one sheet holds at most this many
GROUPS = ("A", "B", "C", "D")
COEFFICIENTS = (0.5, 1, 1.5, 2, 3)


class _Undo(Exception):
    pass


def catalog_workbook(rows: int) -> bytes:
    """`rows` products in the import format, spread over the groups and position groups."""
    positions = list(JobPositionGroup.objects.order_by("code").values_list("code", flat=True))
    title, columns = SHEETS[PRODUCTS]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append([c.header for c in columns])
    for n in range(rows):
        sheet.append(
            [
                f"BCAT{n:05d}",
                f"Sản phẩm thử nghiệm số {n}: báo cáo, tờ trình, văn bản tham mưu",
                "Văn bản",
                GROUPS[n % len(GROUPS)],
                COEFFICIENTS[n % len(COEFFICIENTS)],
                1,
                4 + n % 8,
                positions[n % len(positions)] if positions and n % 3 else "",
                date(2026, 1, 1),
                None,
                "Danh mục dùng để đo hiệu năng nhập",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(ctx: Context) -> list[Figure]:
    owner = OrgUnit.objects.get(code=OWNER)
    by = User.objects.get(username="quantri")
    rows = ROWS
    data = catalog_workbook(rows)
    started = time.perf_counter()
    book = load_workbook(io.BytesIO(data), read_only=True)
    for sheet in book.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    floor = time.perf_counter() - started
    timings, summaries = [], []
    try:
        with transaction.atomic():
            for _attempt in ("first", "again"):
                started = time.perf_counter()
                result = import_catalog(data=data, owner=owner, by=by)
                timings.append(time.perf_counter() - started)
                if not result.ok:
                    raise RuntimeError("; ".join(str(issue) for issue in result.issues[:5]))
                summaries.append(result.summary())
            raise _Undo
    except _Undo:
        pass
    first, again = timings
    floor_label = "chỉ đọc tệp bằng openpyxl (read-only)"
    detail = {"rows": rows, "bytes": len(data), "summaries": summaries, "owner": OWNER}
    return [
        Figure(
            NAME,
            "nhập lần đầu (thêm mới)",
            first,
            "s",
            floor=floor,
            floor_label=floor_label,
            note=f"{rows:,} sản phẩm cho {owner.name} = {rows / first:,.0f} dòng/giây; "
            f"tệp {len(data) / 1e6:.1f} MB",
            detail=detail,
        ),
        Figure(
            NAME,
            "nhập lại cùng tệp (không đổi)",
            again,
            "s",
            floor=floor,
            floor_label=floor_label,
            note=f"{rows / again:,.0f} dòng/giây; {summaries[-1]}",
            detail=detail,
        ),
    ]
