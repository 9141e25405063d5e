"""PDF biểu tổng hợp of one unit's month (~200 people), in a process of its own."""

from __future__ import annotations

from django.db.models import Count

from evaluations.models import Evaluation
from orgunits.models import OrgUnit, User

from ..figures import Context, Figure
from .excel_export import VIEWER, probe, report_period

NAME = "PDF biểu tổng hợp một đơn vị"
ROWS = 200
TARGET_S = 5


def _unit_near(period, rows: int) -> tuple[OrgUnit, int]:
    """The unit whose subtree holds the number of evaluations closest to `rows`."""
    per_path = dict(
        Evaluation.objects.filter(period=period)
        .order_by()
        .values_list("unit__path")
        .annotate(n=Count("id"))
    )
    best = None
    for unit in OrgUnit.objects.filter(depth__gte=2):
        size = sum(n for path, n in per_path.items() if path.startswith(unit.path))
        if size and (best is None or abs(size - rows) < abs(best[1] - rows)):
            best = (unit, size)
    return best


def run(ctx: Context) -> list[Figure]:
    period = report_period()
    unit, size = _unit_near(period, ROWS)
    result = probe("pdf", unit, period, User.objects.get(username=VIEWER))
    seconds, pages = result["seconds"], result["pages"]
    return [
        Figure(
            NAME,
            "thời gian tạo PDF",
            seconds,
            "s",
            target=f"≤ {TARGET_S} s",
            met=seconds <= TARGET_S,
            note=f"{unit.name}, kỳ {period.code}: {result['rows']:,} dòng, {pages} trang, "
            f"{pages / seconds:.1f} trang/giây; RSS đỉnh {result['peak_rss_mb']:.0f} MB",
            detail={**result, "unit": unit.code, "evaluations": size, "period": period.code},
        ),
        Figure(NAME, "trang mỗi giây", pages / seconds, "trang/s", note=f"{pages} trang"),
    ]
