"""Province-wide aggregation: the rollup rebuild beside a raw SQL `GROUP BY person` floor."""

from __future__ import annotations

import statistics
import time

from django.db import connection

from evaluations.models import Period
from reports import rollups
from reports.models import PersonPeriodRollup, UnitPeriodRollup

from ..figures import Context, Figure, timed

NAME = "Tổng hợp toàn tỉnh"
FLOOR_SQL = """
SELECT person_id, SUM(approved_quantity * coefficient) AS standard_products, COUNT(*) AS entries
FROM evaluations_workentry
WHERE status = 'approved' AND period_id = ANY(%s)
GROUP BY person_id
"""
RUNS = 3
# Rebuilds take minutes at province scale: once is enough there beside a floor of seconds.
LARGE = 20_000


def _floor(period_ids: list[int]) -> tuple[list[float], int, int]:
    result = {}

    def query():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [period_ids])
            result["rows"] = cursor.fetchall()

    query()  # the first pass reads the table into the cache; the rollup finds it warm too
    samples = timed(query, RUNS)
    rows = result["rows"]
    return samples, len(rows), sum(row[2] for row in rows)


def _rollup(period_ids: list[int], runs: int, today) -> tuple[list[float], dict]:
    """Milliseconds of each full rebuild of the periods: person rows, then every scope touched.

    The same work as `rollups.rebuild_periods`, with its two stages timed apart.
    """
    periods = list(Period.objects.filter(pk__in=period_ids).order_by("start"))
    scopes = list(dict.fromkeys(s for period in periods for s in rollups.scopes_of(period)))
    samples, people_ms, units_ms = [], [], []
    for _run in range(runs):
        started = time.perf_counter()
        rollups.rebuild_people_of(period_ids, today=today)
        middle = time.perf_counter()
        rollups.rebuild_scopes(scopes)
        ended = time.perf_counter()
        samples.append((ended - started) * 1000)
        people_ms.append((middle - started) * 1000)
        units_ms.append((ended - middle) * 1000)
    years = {period.year for period in periods}
    detail = {
        "person_rows": PersonPeriodRollup.objects.filter(period_id__in=period_ids).count(),
        "unit_rows_in_years": UnitPeriodRollup.objects.filter(year__in=years).count(),
        "scopes": [scope.code for scope in scopes],
        "people_stage_ms": people_ms,
        "units_stage_ms": units_ms,
    }
    return samples, detail


def run(ctx: Context) -> list[Figure]:
    periods = list(
        Period.objects.filter(evaluations__isnull=False, kind="month")
        .distinct()
        .order_by("-start")
        .values_list("pk", "year", "number")
    )
    runs = 1 if ctx.scale >= LARGE else RUNS
    spans = [("quý (3 tháng gần nhất)", periods[:3], runs)]
    if len(periods) >= 12:
        spans.append(("năm (12 tháng)", periods[:12], 1))
    figures = []
    for label, chosen, runs in spans:
        ids = [pk for pk, _year, _number in chosen]
        samples, people, entries = _floor(ids)
        months = ", ".join(f"{number:02d}/{year}" for _pk, year, number in reversed(chosen))
        ctx.explain(f"{NAME} — {label} — sàn", FLOOR_SQL, [ids])
        rebuilt, detail = _rollup(ids, runs, ctx.today)
        floor, value = statistics.median(samples), statistics.median(rebuilt)
        people_s = statistics.median(detail["people_stage_ms"]) / 1000
        units_s = statistics.median(detail["units_stage_ms"]) / 1000
        figures.append(
            Figure(
                f"{NAME} — {label}",
                "tính lại số liệu tổng hợp (rollup)",
                value,
                "ms",
                floor=floor,
                floor_label=f"GROUP BY person bằng SQL thô, trung vị {RUNS} lần (sau một lần "
                "làm ấm)",
                target="≤ 2 × sàn",
                met=value <= 2 * floor,
                note=f"tháng {months}; {entries:,} sản phẩm đã duyệt, {people:,} người; "
                f"{detail['person_rows']:,} dòng cá nhân trong {people_s:.1f} s, dòng đơn vị "
                f"của {', '.join(detail['scopes'])} trong {units_s:.1f} s; trung vị {runs} lần",
                detail={
                    "floor_runs_ms": samples,
                    "rollup_runs_ms": rebuilt,
                    "people": people,
                    "entries": entries,
                    **detail,
                },
            )
        )
    return figures
