"""Nhập danh sách cán bộ từ Excel, with bench/import_staff.py's own workbook and cleanup."""

from __future__ import annotations

import io
import time

from openpyxl import load_workbook

from ..figures import Context, Figure

NAME = "Nhập danh sách cán bộ (Excel)"


def run(ctx: Context) -> list[Figure]:
    from bench import import_staff
    from orgunits.imports import import_workbook
    from orgunits.spreadsheets import STAFF, workbook_bytes

    rows = ctx.scale
    import_staff.remove_earlier_run()
    started = time.perf_counter()
    data = workbook_bytes(STAFF, import_staff.staff_rows(rows))
    built = time.perf_counter() - started

    started = time.perf_counter()
    book = load_workbook(io.BytesIO(data), read_only=True)
    for sheet in book.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            pass
    floor = time.perf_counter() - started

    timings = []
    try:
        for _attempt in ("first", "again"):
            started = time.perf_counter()
            result = import_workbook(data, by=None, filename="bench-can-bo.xlsx")
            timings.append(time.perf_counter() - started)
            if not result.ok:
                raise RuntimeError("; ".join(str(issue) for issue in result.issues[:5]))
            summary = result.summary()
    finally:
        # The imported people must not linger: later seeding and screens would see them.
        import_staff.remove_earlier_run()
    first, again = timings
    floor_label = "chỉ đọc tệp bằng openpyxl (read-only)"
    detail = {"rows": rows, "bytes": len(data), "build_s": built, "summary": summary}
    return [
        Figure(
            NAME,
            "nhập lần đầu (thêm mới)",
            first,
            "s",
            floor=floor,
            floor_label=floor_label,
            note=f"{rows:,} dòng = {rows / first:,.0f} dòng/giây; tệp {len(data) / 1e6:.1f} MB",
            detail=detail,
        ),
        Figure(
            NAME,
            "nhập lại cùng tệp (không đổi)",
            again,
            "s",
            floor=floor,
            floor_label=floor_label,
            note=f"{rows / again:,.0f} dòng/giây; {summary}",
            detail=detail,
        ),
    ]
