"""Adoption of the software during the pilot, per unit subtree: rebuilt with the rollups.

The people figures come from the person rollups (set-based INSERT … SELECT over every ancestor
at once, as `reports.rollups` does); what those rows lack, review latency and overdue queues,
comes from the period's work log in the same rebuild. Dashboards and exports read only the rows.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import EntryStatus, Period, WorkEntry
from orgunits.models import Assignment, AssignmentRole, OrgUnit

from .dashboards import DECIDING_KINDS, scope_label
from .models import PersonPeriodRollup, ScopeKind, UnitAdoptionRollup
from .rollups import Scope, scopes_of
from .sql import deepest_level, execute, in_list, path_lengths, table

# The pilot started on 15/6/2026; its trend starts with that month (or the first with figures).
PILOT_START = date(2026, 6, 1)
LIST_LIMIT = 50
REVIEWED = (EntryStatus.APPROVED, EntryStatus.RETURNED)

COLUMNS = (
    "unit_id, unit_path, depth, unit_kind, bloc, scope_kind, year, number, people, "
    "people_logged, entries, evaluations, self_assessed_on_time, evaluations_published, "
    "reviewed_entries, overdue_entries, own_overdue_entries, overdue_queues, units_unpublished, "
    "updated_at"
)


# ---- SQL -----------------------------------------------------------------------------------


def _people_sql(period_list: str) -> str:
    """One row per unit with person rows below it: people, logging, self-assessment, publishing."""
    rollup, unit = table(PersonPeriodRollup), table(OrgUnit)
    logged = "(r.entries_approved + r.entries_submitted + r.entries_draft + r.entries_returned)"
    # Only table names are interpolated; every value is a query parameter.
    return f"""
INSERT INTO {table(UnitAdoptionRollup)} ({COLUMNS})
SELECT u.id, u.path, u.depth, u.kind, u.bloc, %(kind)s, %(year)s, %(number)s,
    COUNT(DISTINCT r.person_id),
    COUNT(DISTINCT CASE WHEN {logged} > 0 THEN r.person_id END),
    SUM({logged}),
    SUM(CASE WHEN r.evaluation_id IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.evaluation_id IS NOT NULL AND r.self_assessed_on_time THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.evaluation_id IS NOT NULL AND r.evaluation_state = 'published'
        THEN 1 ELSE 0 END),
    0, 0, 0, 0, 0, %(now)s
FROM {rollup} r
JOIN ({path_lengths(deepest_level())}) lv ON lv.n <= length(r.unit_path)
JOIN {unit} u ON u.path = substr(r.unit_path, 1, lv.n)
WHERE r.period_id IN {period_list}
GROUP BY u.id, u.path, u.depth, u.kind, u.bloc
"""  # noqa: S608


def _overdue_sql(period_list: str) -> str:
    """Entries waiting for review past their period's deadline, counted into every ancestor.

    UPDATE … FROM is understood by PostgreSQL and by SQLite from 3.33 on.
    """
    entry, unit, period = table(WorkEntry), table(OrgUnit), table(Period)
    adoption = table(UnitAdoptionRollup)
    return f"""
UPDATE {adoption} SET overdue_entries = o.entries, overdue_queues = o.queues,
    own_overdue_entries = o.own
FROM (
    SELECT u.id AS unit_id, COUNT(*) AS entries, COUNT(DISTINCT e.unit_id) AS queues,
        SUM(CASE WHEN e.unit_id = u.id THEN 1 ELSE 0 END) AS own
    FROM {entry} e
    JOIN {period} p ON p.id = e.period_id
    JOIN {unit} eu ON eu.id = e.unit_id
    JOIN ({path_lengths(deepest_level())}) lv ON lv.n <= length(eu.path)
    JOIN {unit} u ON u.path = substr(eu.path, 1, lv.n)
    WHERE e.period_id IN {period_list} AND e.status = %(submitted)s AND p.review_due < %(today)s
    GROUP BY u.id
) o
WHERE {adoption}.unit_id = o.unit_id
    AND scope_kind = %(kind)s AND year = %(year)s AND number = %(number)s
"""  # noqa: S608


def _unpublished_sql() -> str:
    """Deciding units at or below each row whose phiếu đánh giá are not all published."""
    adoption = table(UnitAdoptionRollup)
    kinds = ", ".join(f"'{kind}'" for kind in DECIDING_KINDS)
    return f"""
UPDATE {adoption} SET units_unpublished = (
    SELECT COUNT(*) FROM {adoption} d
    WHERE d.scope_kind = {adoption}.scope_kind AND d.year = {adoption}.year
        AND d.number = {adoption}.number
        AND substr(d.unit_path, 1, length({adoption}.unit_path)) = {adoption}.unit_path
        AND d.unit_kind IN ({kinds}) AND d.evaluations_published < d.evaluations
)
WHERE scope_kind = %(kind)s AND year = %(year)s AND number = %(number)s
"""  # noqa: S608


# Percentiles of a subtree cannot be combined from its children's, and a histogram would make
# them approximate: each reviewed entry is joined to every ancestor of its unit (a handful of
# levels) and PostgreSQL's percentile_cont gives the exact figure per unit. SQLite (the demo)
# has no percentile_cont, so there the same interpolation runs in Python over its small log.
def _latency_sql(period_list: str) -> str:
    entry, unit, adoption = table(WorkEntry), table(OrgUnit), table(UnitAdoptionRollup)
    return f"""
UPDATE {adoption} SET reviewed_entries = l.n,
    review_hours_median = ROUND(CAST(l.median AS NUMERIC), 2),
    review_hours_p90 = ROUND(CAST(l.p90 AS NUMERIC), 2)
FROM (
    SELECT u.id AS unit_id, COUNT(*) AS n,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY x.hours) AS median,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY x.hours) AS p90
    FROM (
        SELECT eu.path, EXTRACT(EPOCH FROM (e.reviewed_at - e.submitted_at)) / 3600.0 AS hours
        FROM {entry} e JOIN {unit} eu ON eu.id = e.unit_id
        WHERE e.period_id IN {period_list} AND e.status IN (%(approved)s, %(returned)s)
            AND e.submitted_at IS NOT NULL AND e.reviewed_at IS NOT NULL
    ) x
    JOIN ({path_lengths(deepest_level())}) lv ON lv.n <= length(x.path)
    JOIN {unit} u ON u.path = substr(x.path, 1, lv.n)
    GROUP BY u.id
) l
WHERE {adoption}.unit_id = l.unit_id
    AND scope_kind = %(kind)s AND year = %(year)s AND number = %(number)s
"""  # noqa: S608


def percentile(values: list[float], fraction: float) -> float | None:
    """The continuous percentile of sorted `values`, interpolated as PostgreSQL's does."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def review_hours(entries) -> list[tuple[str, float]]:
    """(unit path, hours from submission to review) of the reviewed entries of a queryset."""
    rows = entries.filter(
        status__in=REVIEWED, submitted_at__isnull=False, reviewed_at__isnull=False
    ).values_list("unit__path", "submitted_at", "reviewed_at")
    return [(path, (done - sent).total_seconds() / 3600) for path, sent, done in rows]


def _latency_python(period_ids: list[int]) -> list[tuple[int, int, float, float]]:
    by_path: dict[str, list[float]] = defaultdict(list)
    step = OrgUnit.steplen
    for path, hours in review_hours(WorkEntry.objects.filter(period_id__in=period_ids)):
        for end in range(step, len(path) + 1, step):
            by_path[path[:end]].append(hours)
    ids = dict(OrgUnit.objects.filter(path__in=by_path).values_list("path", "pk"))
    result = []
    for path, hours in by_path.items():
        hours.sort()
        result.append((ids[path], len(hours), percentile(hours, 0.5), percentile(hours, 0.9)))
    return result


def _hours(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def _write_latency(scope: Scope, period_list: str, params: dict, period_ids: list[int]) -> None:
    if connection.vendor == "postgresql":
        execute(_latency_sql(period_list), params)
        return
    rows = {
        row.unit_id: row
        for row in UnitAdoptionRollup.objects.filter(
            scope_kind=scope.kind, year=scope.year, number=scope.number
        )
    }
    changed = []
    for unit_id, count, median, p90 in _latency_python(period_ids):
        if unit_id in rows:
            row = rows[unit_id]
            row.reviewed_entries = count
            row.review_hours_median, row.review_hours_p90 = _hours(median), _hours(p90)
            changed.append(row)
    fields = ["reviewed_entries", "review_hours_median", "review_hours_p90"]
    UnitAdoptionRollup.objects.bulk_update(changed, fields, batch_size=500)


# ---- rebuilding ----------------------------------------------------------------------------


def _rebuild_scope(scope: Scope, today: date) -> int:
    rows = UnitAdoptionRollup.objects.filter(
        scope_kind=scope.kind, year=scope.year, number=scope.number
    )
    rows.delete()
    period_ids = list(scope.periods().values_list("pk", flat=True))
    if not period_ids:
        return 0
    period_list, params = in_list("p", period_ids)
    params.update(
        kind=str(scope.kind),
        year=scope.year,
        number=scope.number,
        now=connection.ops.adapt_datetimefield_value(timezone.now()),
        today=connection.ops.adapt_datefield_value(today),
        submitted=str(EntryStatus.SUBMITTED),
        approved=str(EntryStatus.APPROVED),
        returned=str(EntryStatus.RETURNED),
    )
    inserted = execute(_people_sql(period_list), params)
    _write_latency(scope, period_list, params, period_ids)
    execute(_overdue_sql(period_list), params)
    execute(_unpublished_sql(), params)
    return inserted


@transaction.atomic
def rebuild_scope(scope: Scope, *, today: date | None = None) -> int:
    """Every adoption row of one month, quarter or year, from its person rollups and work log."""
    return _rebuild_scope(scope, today or timezone.localdate())


@transaction.atomic
def rebuild_for_period(period_id: int, *, cascade: bool = False, today: date | None = None) -> int:
    """The adoption rows of a rebuilt period's month (with `cascade`: its quarter and year too)."""
    period = Period.objects.get(pk=period_id)
    scopes = scopes_of(period)
    today = today or timezone.localdate()
    return sum(_rebuild_scope(scope, today) for scope in (scopes if cascade else scopes[:1]))


def rebuild_year(year: int, *, today: date | None = None) -> int:
    scopes = (
        [Scope(ScopeKind.MONTH, year, m) for m in range(1, 13)]
        + [Scope(ScopeKind.QUARTER, year, q) for q in range(1, 5)]
        + [Scope(ScopeKind.YEAR, year, 0)]
    )
    return sum(rebuild_scope(scope, today=today) for scope in scopes)


def rebuild_all(*, today: date | None = None) -> int:
    """Every scope of every year that has periods (the nightly job, after the rollups)."""
    years = sorted(set(Period.objects.values_list("year", flat=True)))
    return sum(rebuild_year(year, today=today) for year in years)


# ---- reading -------------------------------------------------------------------------------


def _in_scope(scope: Scope) -> dict:
    return {"scope_kind": scope.kind, "year": scope.year, "number": scope.number}


def available_scopes() -> list[Scope]:
    """Months, quarters and years that have adoption figures, newest first."""
    keys = (
        UnitAdoptionRollup.objects.values_list("scope_kind", "year", "number")
        .distinct()
        .order_by("-year", "-number", "scope_kind")
    )
    return [Scope(kind, year, number) for kind, year, number in keys]


def pick_scope(asked: str, scopes: list[Scope]) -> Scope | None:
    """The scope in `?ky=` if it has figures, else the latest month (or whatever exists)."""
    try:
        wanted = Scope.parse(asked) if asked else None
    except ValueError:
        wanted = None
    if wanted in scopes:
        return wanted
    months = [s for s in scopes if s.kind == ScopeKind.MONTH]
    return (months or scopes or [None])[0]


def unit_row(unit: OrgUnit, scope: Scope) -> UnitAdoptionRollup | None:
    return UnitAdoptionRollup.objects.filter(unit=unit, **_in_scope(scope)).first()


def child_rows(unit: OrgUnit, scope: Scope) -> list[UnitAdoptionRollup]:
    """The units right below `unit`, those lagging most first."""
    rows = UnitAdoptionRollup.objects.filter(
        unit_path__startswith=unit.path, depth=unit.depth + 1, **_in_scope(scope)
    ).select_related("unit")
    return sorted(rows, key=lambda row: (-row.lag, row.unit_path))


def trend_rows(unit: OrgUnit, scope: Scope | None = None) -> list[UnitAdoptionRollup]:
    """The unit's months from the pilot's start (or its first month) up to `scope`, oldest first."""
    rows = UnitAdoptionRollup.objects.filter(unit=unit, scope_kind=ScopeKind.MONTH)
    if scope is not None:
        last = (scope.year, _last_month(scope))
        rows = rows.filter(Q(year__lt=last[0]) | Q(year=last[0], number__lte=last[1]))
    rows = list(rows.order_by("year", "number"))
    pilot = [r for r in rows if (r.year, r.number) >= (PILOT_START.year, PILOT_START.month)]
    return pilot or rows


def _last_month(scope: Scope) -> int:
    if scope.kind == ScopeKind.MONTH:
        return scope.number
    if scope.kind == ScopeKind.QUARTER:
        return 3 * scope.number
    return 12


@dataclass(frozen=True)
class OverdueQueue:
    """A unit whose own review queue is overdue, and who leads it."""

    row: UnitAdoptionRollup
    heads: list[str]


def overdue_queues(unit: OrgUnit, scope: Scope, on: date | None = None) -> list[OverdueQueue]:
    """Units below with entries waiting past the review deadline, most entries first."""
    rows = list(
        UnitAdoptionRollup.objects.filter(
            unit_path__startswith=unit.path, own_overdue_entries__gt=0, **_in_scope(scope)
        )
        .select_related("unit")
        .order_by("-own_overdue_entries", "unit_path")[:LIST_LIMIT]
    )
    leaders = (
        Assignment.objects.active_on(on or timezone.localdate())
        .filter(unit_id__in=[r.unit_id for r in rows], role=AssignmentRole.HEAD)
        .values_list("unit_id", "person__full_name")
        .order_by("person__full_name")
    )
    heads: dict[int, list[str]] = defaultdict(list)
    for unit_id, name in leaders:
        heads[unit_id].append(name)
    return [OverdueQueue(row, heads.get(row.unit_id, [])) for row in rows]


def unpublished_units(unit: OrgUnit, scope: Scope) -> list[UnitAdoptionRollup]:
    """Deciding units below (or the unit itself) whose phiếu are not all published."""
    rows = (
        UnitAdoptionRollup.objects.filter(
            unit_path__startswith=unit.path, unit_kind__in=DECIDING_KINDS, **_in_scope(scope)
        )
        .select_related("unit")
        .order_by("unit_path")
    )
    return [row for row in rows if row.has_unpublished][:LIST_LIMIT]


def trend_chart(rows: list[UnitAdoptionRollup]) -> dict:
    """Shares in percent per month, plain data for json_script."""

    # Keys pick the colours dashboards.js already has (blue, green, red).
    def series(key: str, label: str, values) -> dict:
        return {
            "key": key,
            "label": label,
            "data": [None if v is None else float(round(v * 100, 1)) for v in values],
        }

    return {
        "labels": [scope_label(Scope(ScopeKind.MONTH, r.year, r.number)) for r in rows],
        "datasets": [
            series("HTT", _("Tỷ lệ có ghi nhận sản phẩm"), [r.share_logged for r in rows]),
            series("HTXS", _("Tỷ lệ tự đánh giá đúng hạn"), [r.share_self_on_time for r in rows]),
            series("KHT", _("Tỷ lệ phiếu đã công bố"), [r.share_published for r in rows]),
        ],
    }
