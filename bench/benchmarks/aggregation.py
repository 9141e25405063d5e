"""Province-wide aggregation floor: raw SQL `GROUP BY person` over a quarter's approved work."""

from __future__ import annotations

import statistics

from django.db import connection

from evaluations.models import Period

from ..figures import Context, Figure, timed

NAME = "Tổng hợp toàn tỉnh"
FLOOR_SQL = """
SELECT person_id, SUM(approved_quantity * coefficient) AS standard_products, COUNT(*) AS entries
FROM evaluations_workentry
WHERE status = 'approved' AND period_id = ANY(%s)
GROUP BY person_id
"""
RUNS = 3


def _floor(period_ids: list[int]) -> tuple[list[float], int, int]:
    result = {}

    def run():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [period_ids])
            result["rows"] = cursor.fetchall()

    run()  # the first pass reads the table into the cache; the rollup will find it warm too
    samples = timed(run, RUNS)
    rows = result["rows"]
    return samples, len(rows), sum(row[2] for row in rows)


def run(ctx: Context) -> list[Figure]:
    periods = list(
        Period.objects.filter(evaluations__isnull=False, kind="month")
        .distinct()
        .order_by("-start")
        .values_list("pk", "year", "number")
    )
    spans = [("quý (3 tháng gần nhất)", periods[:3])]
    if len(periods) >= 12:
        spans.append(("năm (12 tháng)", periods[:12]))
    figures = []
    for label, chosen in spans:
        ids = [pk for pk, _year, _number in chosen]
        samples, people, entries = _floor(ids)
        months = ", ".join(f"{number:02d}/{year}" for _pk, year, number in reversed(chosen))
        ctx.explain(f"{NAME} — {label}", FLOOR_SQL, [ids])
        figures.append(
            Figure(
                f"{NAME} — {label}",
                "tổng hợp (rollup)",
                None,
                "ms",
                floor=statistics.median(samples),
                floor_label="GROUP BY person bằng SQL thô, trung vị "
                f"{RUNS} lần (sau một lần làm ấm)",
                target="≤ 2 × sàn",
                note=f"rollup: not built yet; tháng {months}; {entries:,} sản phẩm đã duyệt, "
                f"{people:,} người",
                detail={"floor_runs_ms": samples, "people": people, "entries": entries},
            )
        )
    return figures
