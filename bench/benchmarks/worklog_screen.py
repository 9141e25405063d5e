"""Màn hình nhật ký công việc of staff members with a whole past period of entries."""

from __future__ import annotations

from django.urls import reverse

from evaluations.models import Evaluation, Period, PeriodState, WorkEntry

from ..figures import Context, Figure
from ..screens import client_for, measure_screen

NAME = "Màn hình nhật ký công việc"
PEOPLE = 10


def run(ctx: Context) -> list[Figure]:
    seeded = Period.objects.filter(evaluations__isnull=False).distinct().order_by("-start")
    period = seeded.exclude(state=PeriodState.OPEN).first() or seeded.first()
    evaluated = Evaluation.objects.filter(period=period, author_role="staff").order_by("person_id")
    total = evaluated.count()
    # Spread over the whole staff list rather than the first few people of one unit.
    picked = [evaluated.select_related("person__user")[i * total // PEOPLE] for i in range(PEOPLE)]
    url = reverse("evaluations:worklog", args=[period.pk])
    visits = [(client_for(e.person.user), url) for e in picked]
    first = picked[0].person
    main = (
        WorkEntry.objects.filter(person=first, period=period)
        .select_related("product", "plan_item")
        .query.sql_with_params()
    )
    entries = WorkEntry.objects.filter(period=period, person__in=[e.person for e in picked])
    return measure_screen(
        ctx,
        benchmark=NAME,
        label=f"kỳ {period.code}, {PEOPLE} cán bộ, {entries.count() / PEOPLE:.0f} sản phẩm/người",
        visits=visits,
        main_query=main,
    )
