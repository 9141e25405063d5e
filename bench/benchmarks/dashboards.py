"""Server time of the province dashboard, an agency's dashboard and a unit head's dashboard.

They read the rollups only, so this runs after `aggregation` (which rebuilds them).
"""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from orgunits.models import Assignment, OrgUnit, User
from reports import dashboards
from reports.models import PersonPeriodRollup, UnitPeriodRollup

from ..figures import Context, Figure
from ..screens import client_for, measure_screen
from .excel_export import PROVINCE

NAME = "Bảng điều khiển"
PROVINCE_VIEWER = "quantri"  # the demo's system administrator: the whole province


def _largest(units, period_id: int) -> tuple[OrgUnit, int] | None:
    """The unit among `units` with the most people rows below it in the period."""
    best = None
    for unit in units:
        people = PersonPeriodRollup.objects.filter(
            period_id=period_id, unit_path__startswith=unit.path
        ).count()
        if best is None or people > best[1]:
            best = (unit, people)
    return best


def run(ctx: Context) -> list[Figure]:
    scope = dashboards.pick_scope("", dashboards.available_scopes())
    if scope is None:
        return [Figure(NAME, "p95 thời gian máy chủ", None, "ms", note="chưa có số liệu tổng hợp")]
    viewer = User.objects.get(username=PROVINCE_VIEWER)
    admin = client_for(viewer, second_factor=True)
    root = OrgUnit.objects.get(code=PROVINCE)
    figures = measure_screen(
        ctx,
        benchmark=f"{NAME} toàn tỉnh",
        label=f"{root.name}, {dashboards.scope_label(scope)}",
        visits=[(admin, reverse("reports:province_dashboard"))],
        main_query=UnitPeriodRollup.objects.filter(
            unit_path__startswith=root.path,
            depth=root.depth + 1,
            scope_kind=scope.kind,
            year=scope.year,
            number=scope.number,
        )
        .select_related("unit")
        .query.sql_with_params(),
    )

    period = dashboards.current_period_for(root.path)
    agency, people = _largest(OrgUnit.objects.filter(depth=3), period.pk)
    figures += measure_screen(
        ctx,
        benchmark=f"{NAME} cơ quan (xem chi tiết)",
        label=f"{agency.name}: {people:,} người, {dashboards.scope_label(scope)}",
        visits=[(admin, reverse("reports:unit_dashboard", args=[agency.pk]))],
        main_query=PersonPeriodRollup.objects.filter(
            unit_path__startswith=agency.path, period__in=scope.periods(), flagged_entries__gt=0
        )
        .values("person_id")
        .annotate(n=Count("pk"))
        .query.sql_with_params(),
    )

    heads = (
        Assignment.objects.active_on(ctx.today)
        .filter(role="head", is_primary=True, unit__depth__gte=4)
        .select_related("unit", "person__user")
    )
    by_unit = {head.unit_id: head for head in heads}
    found = _largest([head.unit for head in by_unit.values()], period.pk)
    if found is None:
        return figures
    unit, people = found
    head = by_unit[unit.pk]
    figures += measure_screen(
        ctx,
        benchmark=f"{NAME} của thủ trưởng đơn vị",
        label=f"{unit.name}: {people:,} người, kỳ {period.code}",
        visits=[
            (client_for(head.person.user, second_factor=True), reverse("reports:team_dashboard"))
        ],
        main_query=PersonPeriodRollup.objects.filter(unit_path__startswith=unit.path, period=period)
        .select_related("person", "unit")
        .order_by("unit_path", "person__full_name")
        .query.sql_with_params(),
    )
    return figures
