"""From plans and approved work to the engine's task lines (issue 6 §2.0), and the score itself."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from catalog.models import CriteriaSetVersion
from catalog.services import quota_for
from orgunits.models import Assignment, Person

from . import scoring
from .models import EntryStatus, Frequency, Period, PlanItem, PlanStatus, WorkEntry

ZERO = Decimal("0")
ONE = Decimal("1")


@dataclass(frozen=True)
class Lines:
    """The task lines of one person and period, or why there are none."""

    lines: tuple[scoring.TaskLine, ...]
    labels: tuple[str, ...]
    not_rated_reason: str = ""


def _days_in(assignments, period: Period, unit_ids: set[int] | None = None) -> int:
    """Days of the period the person held a primary assignment (in the given units)."""
    days: set[date] = set()
    for a in assignments:
        if unit_ids is not None and a.unit_id not in unit_ids:
            continue
        start, end = max(a.start, period.start), min(a.end or period.end, period.end)
        days.update(start + timedelta(days=i) for i in range((end - start).days + 1))
    return len(days)


def baseline_quota(person: Person, period: Period) -> Decimal | None:
    """The quota of the person's job-position group for the period, prorated to days worked."""
    if not person.job_position_id:
        return None
    assignments = list(
        Assignment.objects.filter(person=person, is_primary=True)
        .overlapping(period.start, period.end)
        .select_related("unit")
    )
    if not assignments:
        return None
    last = max(assignments, key=lambda a: a.start)
    monthly = quota_for(
        unit=last.unit,
        group=person.job_position.group,
        on=min(period.end, max(last.start, period.start)),
    )
    if monthly is None:
        return None
    months = 1 if period.kind == Frequency.MONTHLY else 3
    worked = _days_in(assignments, period)
    return (monthly * months * Decimal(worked) / Decimal(period.days)).quantize(Decimal("0.01"))


def build_lines(person: Person, period: Period) -> Lines:
    """Each plan item is a line; approved work outside the plan is a line with assigned 0."""
    items = list(
        PlanItem.objects.filter(person=person, period=period, status=PlanStatus.ASSIGNED)
        .select_related("product")
        .order_by("pk")
    )
    entries = list(
        WorkEntry.objects.filter(person=person, period=period, status=EntryStatus.APPROVED)
        .select_related("product")
        .order_by("pk")
    )
    by_item: dict[int, list[WorkEntry]] = defaultdict(list)
    outside: list[WorkEntry] = []
    for entry in entries:
        (by_item[entry.plan_item_id] if entry.plan_item_id else outside).append(entry)
    lines, labels = [], []
    for item in items:
        linked = by_item.get(item.pk, [])
        lines.append(
            scoring.TaskLine(
                coefficient=item.coefficient,
                assigned=item.quantity,
                done=sum((e.approved_quantity for e in linked), ZERO),
                quality_pass=all(e.quality_pass for e in linked),
                major_errors=sum(e.major_errors for e in linked),
                delays=sum(e.delays for e in linked),
                exempt=any(e.exempt for e in linked),
                exceeded=any(e.exceeded for e in linked),
            )
        )
        labels.append(item.product.name)
    if not items:
        quota = baseline_quota(person, period)
        if not quota:
            reason = _("Không có nhiệm vụ được giao và không có định mức cho nhóm vị trí việc làm.")
            return Lines((), (), reason)
        lines.append(scoring.TaskLine(coefficient=ONE, assigned=quota, done=ZERO))
        labels.append(_("Định mức sản phẩm chuẩn của kỳ"))
    for entry in outside:
        lines.append(
            scoring.TaskLine(
                coefficient=entry.coefficient,
                assigned=ZERO,
                done=entry.approved_quantity,
                quality_pass=entry.quality_pass,
                major_errors=entry.major_errors,
                delays=entry.delays,
                exempt=entry.exempt,
                exceeded=entry.exceeded,
            )
        )
        labels.append(_("%(p)s (ngoài kế hoạch)") % {"p": entry.product.name})
    return Lines(tuple(lines), tuple(labels))


def rules_of(version: CriteriaSetVersion | None) -> scoring.ScoringRules:
    """The rules of a criteria-set version; the NĐ 335 defaults when a unit has none yet."""
    return (
        scoring.ScoringRules.from_dict(version.rules) if version else scoring.ScoringRules.nd335()
    )


def lines_as_json(lines: Lines) -> list[dict]:
    return [
        {
            "label": label,
            "coefficient": str(line.coefficient),
            "assigned": str(line.assigned),
            "done": str(line.done),
            "quality_pass": line.quality_pass,
            "major_errors": line.major_errors,
            "delays": line.delays,
            "exempt": line.exempt,
            "exceeded": line.exceeded,
        }
        for label, line in zip(lines.labels, lines.lines, strict=True)
    ]


def lines_from_json(rows: list[dict]) -> tuple[scoring.TaskLine, ...]:
    return tuple(
        scoring.TaskLine(
            coefficient=Decimal(r["coefficient"]),
            assigned=Decimal(r["assigned"]),
            done=Decimal(r["done"]),
            quality_pass=r["quality_pass"],
            major_errors=r["major_errors"],
            delays=r["delays"],
            exempt=r["exempt"],
            exceeded=r["exceeded"],
        )
        for r in rows
    )
