"""From plans and approved work to the engine's task lines (issue 6 §2.0), and the score itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from catalog.models import CriteriaSetVersion, Quota
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


def _by_person(rows: Iterable) -> defaultdict[int, list]:
    """Rows by their person id, in the order read."""
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.person_id].append(row)
    return grouped


def baseline_quotas(people: list[Person], period: Period) -> dict[int, Decimal]:
    """The quota of each person's job-position group for the period, prorated to days worked.

    Two queries for any number of people; people without a quota are left out.
    """
    ids = [p.pk for p in people if p.job_position_id]
    if not ids:
        return {}
    assignments = _by_person(
        Assignment.objects.filter(person__in=ids, is_primary=True)
        .overlapping(period.start, period.end)
        .select_related("unit")
        .annotate(position_group=F("person__job_position__group"))
    )
    if not assignments:
        return {}
    # The quota is read in the unit of the latest assignment, on its first day in the period.
    asks = {}
    for person_id, held in assignments.items():
        last = max(held, key=lambda a: a.start)
        asks[person_id] = (last, min(period.end, max(last.start, period.start)))
    quotas = Quota.objects.filter(
        group__in={last.position_group for last, _on in asks.values()}
    ).nearest_per_group((last.unit, on) for last, on in asks.values())
    months = 1 if period.kind == Frequency.MONTHLY else 3
    prorated = {}
    for person_id, (last, on) in asks.items():
        monthly = quotas[(last.unit, on)].get(last.position_group)
        if monthly is None:
            continue
        worked = _days_in(assignments[person_id], period)
        prorated[person_id] = (monthly * months * Decimal(worked) / Decimal(period.days)).quantize(
            Decimal("0.01")
        )
    return prorated


def _assemble(items: list[PlanItem], entries: list[WorkEntry], quota: Decimal | None) -> Lines:
    """Each plan item is a line; approved work outside the plan is a line with assigned 0.

    Without plan items the baseline quota stands in for them; `quota` is read only then.
    """
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


def build_lines_for(people: Iterable[Person], period: Period) -> dict[int, Lines]:
    """The lines of each person for the period, by person id, in at most four queries."""
    people = list(people)
    ids = [p.pk for p in people]
    items: dict[int, list[PlanItem]] = _by_person(
        PlanItem.objects.filter(person__in=ids, period=period, status=PlanStatus.ASSIGNED)
        .select_related("product")
        .order_by("pk")
    )
    entries: dict[int, list[WorkEntry]] = _by_person(
        WorkEntry.objects.filter(person__in=ids, period=period, status=EntryStatus.APPROVED)
        .select_related("product")
        .order_by("pk")
    )
    quotas = baseline_quotas([p for p in people if p.pk not in items], period)
    return {p.pk: _assemble(items[p.pk], entries[p.pk], quotas.get(p.pk)) for p in people}


def build_lines(person: Person, period: Period) -> Lines:
    """Each plan item is a line; approved work outside the plan is a line with assigned 0."""
    return build_lines_for([person], period)[person.pk]


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
