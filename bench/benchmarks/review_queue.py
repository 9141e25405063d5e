"""Hàng chờ phê duyệt of the heads with the most submitted entries below them."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count
from django.urls import reverse

from evaluations.models import EntryStatus, WorkEntry
from evaluations.views.review import COUNT_STEP
from orgunits.models import Assignment

from ..figures import Context, Figure
from ..screens import client_for, measure_screen

NAME = "Hàng chờ phê duyệt"
PAGE_SIZE = 50


def _queue_sizes(ctx: Context) -> list[tuple[int, Assignment]]:
    """Submitted entries in each head's subtree, largest first (cheap: the partial index)."""
    per_unit = Counter(
        dict(
            WorkEntry.objects.filter(status=EntryStatus.SUBMITTED)
            .order_by()
            .values_list("unit__path")
            .annotate(n=Count("id"))
        )
    )
    heads = (
        Assignment.objects.active_on(ctx.today)
        .filter(role="head", is_primary=True)
        .select_related("unit", "person__user")
    )
    sized = [
        (sum(n for path, n in per_unit.items() if path.startswith(a.unit.path)), a) for a in heads
    ]
    return sorted(sized, key=lambda pair: (-pair[0], pair[1].pk))


def run(ctx: Context) -> list[Figure]:
    sizes = _queue_sizes(ctx)
    agency = next((pair for pair in sizes if pair[1].unit.depth == 3), sizes[0])
    department = next((pair for pair in sizes if pair[1].unit.depth >= 4), None)
    figures = []
    url = reverse("evaluations:review_queue")
    for size, head in filter(None, (agency, department)):
        user = head.person.user
        queue = WorkEntry.objects.review_queue(user, ctx.today)
        # The view's first step: the page's ids from the scoped queue alone, oldest first.
        main = (
            queue.order_by("submitted_at", "pk")
            .values_list("pk", flat=True)[:PAGE_SIZE]
            .query.sql_with_params()
        )
        count_sql, count_params = (
            queue.order_by().values("pk")[: COUNT_STEP + 1].query.sql_with_params()
        )
        ctx.explain(
            f"{NAME} — {head.unit.name}: đếm tới {COUNT_STEP + 1:,}",
            f"SELECT count(*) FROM ({count_sql}) AS capped",  # noqa: S608 (Django's own SQL)
            count_params,
        )
        kind = "cơ quan" if head.unit.depth == 3 else "phòng, khoa"
        figures += measure_screen(
            ctx,
            benchmark=f"{NAME} — thủ trưởng {kind}",
            label=f"{head.unit.name}: {size:,} sản phẩm chờ duyệt",
            visits=[(client_for(user, second_factor=True), url)],
            main_query=main,
        )
    return figures
