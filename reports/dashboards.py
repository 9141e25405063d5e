"""What the dashboards show, read from the rollup tables only (never the raw work log)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import EvaluationState, Period, Rating
from orgunits.models import OrgUnit, UnitKind
from orgunits.querysets import ancestor_paths

from .models import PersonPeriodRollup, ScopeKind, UnitPeriodRollup
from .permissions import covers
from .rollups import Scope

BANDS = [
    (Rating.HTXS, "count_htxs"),
    (Rating.HTT, "count_htt"),
    (Rating.HT, "count_ht"),
    (Rating.KHT, "count_kht"),
]
COMMUNE_KINDS = (UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE)
DECIDING_KINDS = (
    UnitKind.AGENCY,
    UnitKind.COMMUNE,
    UnitKind.WARD,
    UnitKind.SPECIAL_ZONE,
    UnitKind.PUBLIC_SERVICE,
)
TREND_QUARTERS = 6
OUTLIER_LIMIT = 50
HISTORY_PERIODS = 3

# ?sort= keys of the unit tables, and what they order by.
UNIT_SORTS = {
    "ten": "unit__name",
    "nguoi": "people",
    "xep-loai": "people_rated",
    "htxs": "share_htxs",
    "htt": "share_htt",
    "ht": "share_ht",
    "kht": "share_kht",
    "diem": "mean_total",
    "cho-duyet": "pending_approvals",
}
PERSON_SORTS = {
    "ten": "person__full_name",
    "giao": "assigned",
    "duyet": "done",
    "cho-duyet": "pending",
    "canh-bao": "flagged",
    "diem": "mean",
}


# ---- periods -------------------------------------------------------------------------------


def scope_label(scope: Scope) -> str:
    if scope.kind == ScopeKind.MONTH:
        return _("Tháng %(n)02d/%(y)s") % {"n": scope.number, "y": scope.year}
    if scope.kind == ScopeKind.QUARTER:
        return _("Quý %(n)s/%(y)s") % {"n": scope.number, "y": scope.year}
    return _("Năm %(y)s") % {"y": scope.year}


@dataclass(frozen=True)
class ScopeChoice:
    code: str
    label: str
    kind: str
    selected: bool


def available_scopes() -> list[Scope]:
    """Months, quarters and years that have figures, newest first."""
    keys = (
        UnitPeriodRollup.objects.values_list("scope_kind", "year", "number")
        .distinct()
        .order_by("-year", "-number")
    )
    return [Scope(kind, year, number) for kind, year, number in keys]


def pick_scope(asked: str, scopes: list[Scope]) -> Scope | None:
    """The scope in `?ky=` if it has figures, else the latest quarter (or whatever exists)."""
    try:
        wanted = Scope.parse(asked) if asked else None
    except ValueError:
        wanted = None
    if wanted in scopes:
        return wanted
    quarters = [s for s in scopes if s.kind == ScopeKind.QUARTER]
    return (quarters or scopes or [None])[0]


def scope_choices(scopes: list[Scope], chosen: Scope | None) -> dict[str, list[ScopeChoice]]:
    groups: dict[str, list[ScopeChoice]] = {
        str(ScopeKind.QUARTER.label): [],
        str(ScopeKind.MONTH.label): [],
        str(ScopeKind.YEAR.label): [],
    }
    for scope in scopes:
        groups[str(ScopeKind(scope.kind).label)].append(
            ScopeChoice(scope.code, scope_label(scope), scope.kind, scope == chosen)
        )
    return {label: choices for label, choices in groups.items() if choices}


def _in_scope(scope: Scope) -> dict:
    return {"scope_kind": scope.kind, "year": scope.year, "number": scope.number}


# ---- units ---------------------------------------------------------------------------------


def _rated():
    return F("count_htxs") + F("count_htt") + F("count_ht") + F("count_kht")


def with_shares(rows: QuerySet) -> QuerySet:
    """Band shares as sortable columns: count / rated, NULL when nobody is rated."""
    shares = {
        f"share_{name.removeprefix('count_')}": Cast(F(name), FloatField())
        / NullIf(Cast(_rated(), FloatField()), 0.0)
        for _rating, name in BANDS
    }
    return rows.annotate(**shares)


def sorted_rows(rows: QuerySet, sort: str, sorts: dict[str, str], tiebreak: str) -> QuerySet:
    """Order by a whitelisted `?sort=` key (`-key` descending); unknown keys sort by name."""
    column = sorts.get(sort.removeprefix("-"), sorts["ten"])
    descending = sort.startswith("-")
    ordering = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return rows.order_by(ordering, tiebreak)


def unit_row(unit: OrgUnit, scope: Scope) -> UnitPeriodRollup | None:
    return UnitPeriodRollup.objects.filter(unit=unit, **_in_scope(scope)).first()


def child_rows(unit: OrgUnit, scope: Scope, sort: str = "ten") -> list[UnitPeriodRollup]:
    """The agencies and units right below `unit` (xã, phường, đặc khu have their own grid)."""
    rows = (
        UnitPeriodRollup.objects.filter(
            unit_path__startswith=unit.path, depth=unit.depth + 1, **_in_scope(scope)
        )
        .exclude(unit_kind__in=COMMUNE_KINDS)
        .select_related("unit")
    )
    return list(sorted_rows(with_shares(rows), sort, UNIT_SORTS, "unit_path"))


def commune_rows(unit: OrgUnit, scope: Scope, sort: str = "ten") -> list[UnitPeriodRollup]:
    """Xã, phường and đặc khu anywhere below `unit`: the province's map-like grid."""
    rows = UnitPeriodRollup.objects.filter(
        unit_path__startswith=unit.path, unit_kind__in=COMMUNE_KINDS, **_in_scope(scope)
    ).select_related("unit")
    rows = list(sorted_rows(with_shares(rows), sort, UNIT_SORTS, "unit_path"))
    for row in rows:
        # Tiles are shaded in five steps of the share rated HTT or better ("none": nobody rated).
        row.good = row.count_htxs + row.count_htt
        row.tile_level = row.good * 4 // row.rated if row.rated else "none"
    return rows


def late_units(unit: OrgUnit, scope: Scope) -> int:
    """Deciding units below with overdue evaluations or work submitted after the deadline."""
    return (
        UnitPeriodRollup.objects.filter(
            unit_path__startswith=unit.path, unit_kind__in=DECIDING_KINDS, **_in_scope(scope)
        )
        .filter(Q(overdue_evaluations__gt=0) | Q(late_submissions__gt=0))
        .count()
    )


def trend_rows(unit: OrgUnit, scope: Scope) -> list[UnitPeriodRollup]:
    """The unit's last quarters up to the chosen scope, oldest first."""
    last_quarter = (
        scope.number
        if scope.kind == ScopeKind.QUARTER
        else (scope.number - 1) // 3 + 1
        if scope.kind == ScopeKind.MONTH
        else 4
    )
    rows = (
        UnitPeriodRollup.objects.filter(unit=unit, scope_kind=ScopeKind.QUARTER)
        .filter(Q(year__lt=scope.year) | Q(year=scope.year, number__lte=last_quarter))
        .order_by("-year", "-number")[:TREND_QUARTERS]
    )
    return list(reversed(rows))


@dataclass
class Outliers:
    over_quota: list[UnitPeriodRollup] = field(default_factory=list)
    all_excellent: list[UnitPeriodRollup] = field(default_factory=list)
    no_logs: list[UnitPeriodRollup] = field(default_factory=list)
    flagged_people: list[dict] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.over_quota or self.all_excellent or self.no_logs or self.flagged_people)


def outliers(unit: OrgUnit, scope: Scope) -> Outliers:
    below = UnitPeriodRollup.objects.filter(
        unit_path__startswith=unit.path, **_in_scope(scope)
    ).select_related("unit")
    flagged = (
        PersonPeriodRollup.objects.filter(
            unit_path__startswith=unit.path,
            period__in=scope.periods(),
            flagged_entries__gt=0,
        )
        .values("person_id", "person__full_name", "unit__name")
        .annotate(flagged=Sum("flagged_entries"))
        .order_by("-flagged", "person__full_name")[:OUTLIER_LIMIT]
    )
    return Outliers(
        over_quota=list(below.filter(over_quota=True).order_by("unit_path")[:OUTLIER_LIMIT]),
        # Only where people are rated by the unit itself: a bloc is never "all excellent".
        all_excellent=list(
            below.filter(all_excellent=True, unit_kind__in=DECIDING_KINDS).order_by("unit_path")[
                :OUTLIER_LIMIT
            ]
        ),
        no_logs=list(below.filter(no_logs=True).order_by("unit_path")[:OUTLIER_LIMIT]),
        flagged_people=list(flagged),
    )


def breadcrumb_units(unit: OrgUnit, paths: tuple[str, ...]) -> list[OrgUnit]:
    """Ancestors of `unit` the reader may open, root first (the unit itself excluded)."""
    wanted = ancestor_paths(unit.path, OrgUnit.steplen, include_self=False)
    return [u for u in OrgUnit.objects.filter(path__in=wanted) if covers(paths, u.path)]


def scope_roots(paths: tuple[str, ...]) -> list[OrgUnit]:
    """The top units a reader's dashboard starts from (the province for system admins)."""
    if paths == ():
        return []
    if any(p == "" for p in paths):
        return list(OrgUnit.objects.filter(depth=1))
    return list(OrgUnit.objects.filter(path__in=paths))


# ---- people --------------------------------------------------------------------------------


def people_rows(unit: OrgUnit, scope: Scope, sort: str = "ten") -> list[dict]:
    """People evaluated in exactly this unit over the scope, with their last rating."""
    rows = (
        PersonPeriodRollup.objects.filter(unit=unit, period__in=scope.periods())
        .values("person_id", "person__full_name")
        .annotate(
            assigned=Sum("assigned_standard"),
            done=Sum("done_standard"),
            pending=Sum("pending_approvals"),
            flagged=Sum("flagged_entries"),
            mean=Avg("total"),
        )
    )
    rows = list(sorted_rows(rows, sort, PERSON_SORTS, "person_id"))
    ratings = latest_ratings([r["person_id"] for r in rows], scope)
    for row in rows:
        row["rating"] = ratings.get(row["person_id"], "")
    return rows


def latest_ratings(person_ids: list[int], scope: Scope) -> dict[int, str]:
    """Each person's final rating in the latest period of the scope that has one."""
    found: dict[int, str] = {}
    rows = (
        PersonPeriodRollup.objects.filter(person_id__in=person_ids, period__in=scope.periods())
        .exclude(rating="")
        .order_by("person_id", "-period__start")
        .values_list("person_id", "rating")
    )
    for person_id, rating in rows:
        found.setdefault(person_id, rating)
    return found


def person_history(person_id: int) -> list[PersonPeriodRollup]:
    return list(
        PersonPeriodRollup.objects.filter(person_id=person_id)
        .select_related("period", "unit")
        .order_by("-period__start")
    )


# ---- unit heads and staff ------------------------------------------------------------------


def current_period_for(path: str) -> Period | None:
    """The latest period (already begun) with figures for anyone under `path`."""
    period_id = (
        PersonPeriodRollup.objects.filter(
            unit_path__startswith=path, period__start__lte=timezone.localdate()
        )
        .order_by("-period__start")
        .values_list("period_id", flat=True)
        .first()
    )
    return Period.objects.filter(pk=period_id).first() if period_id else None


@dataclass(frozen=True)
class Progress:
    """Sản phẩm chuẩn done against a target (the plan or the quota)."""

    done: Decimal
    target: Decimal | None

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return int(self.done / self.target * 100)

    @property
    def step(self) -> int:
        """The bar's width in 5 % steps, full at 100 % (CSS classes, no inline style)."""
        return min(20, (self.percent or 0) // 5)


def against_plan(row: PersonPeriodRollup) -> Progress:
    return Progress(row.done_standard, row.assigned_standard or None)


def against_quota(row: PersonPeriodRollup) -> Progress:
    return Progress(row.done_standard, row.quota_standard)


@dataclass
class TeamMember:
    row: PersonPeriodRollup
    history: list[PersonPeriodRollup]

    @property
    def plan(self) -> Progress:
        return against_plan(self.row)

    @property
    def quota(self) -> Progress:
        return against_quota(self.row)

    @property
    def has_logged(self) -> bool:
        return self.row.entries_total > 0

    @property
    def has_self_assessed(self) -> bool:
        return self.row.evaluation_state not in ("", EvaluationState.DRAFT)


def team(unit: OrgUnit, period: Period, exclude_person_id: int | None) -> list[TeamMember]:
    rows = list(
        PersonPeriodRollup.objects.filter(unit_path__startswith=unit.path, period=period)
        .exclude(person_id=exclude_person_id)
        .select_related("person", "unit")
        .order_by("unit_path", "person__full_name")
    )
    earlier = (
        PersonPeriodRollup.objects.filter(
            person_id__in=[r.person_id for r in rows], period__start__lt=period.start
        )
        .select_related("period")
        .order_by("person_id", "-period__start")
    )
    history: dict[int, list[PersonPeriodRollup]] = {}
    for row in earlier:
        mine = history.setdefault(row.person_id, [])
        if len(mine) < HISTORY_PERIODS:
            mine.append(row)
    return [TeamMember(row, history.get(row.person_id, [])) for row in rows]


def personal_row(person_id: int) -> PersonPeriodRollup | None:
    """My figures in the latest period that has begun."""
    return (
        PersonPeriodRollup.objects.filter(
            person_id=person_id, period__start__lte=timezone.localdate()
        )
        .select_related("period")
        .order_by("-period__start")
        .first()
    )


# ---- charts (plain data for json_script) ---------------------------------------------------


def band_label(rating: str) -> str:
    return str(Rating(rating).label) if rating in Rating.values else _("Chưa xếp loại")


def bands_chart(rows: list[UnitPeriodRollup]) -> dict:
    """Stacked 100 % bars: each unit's share of each band among the people rated."""
    return {
        "labels": [row.unit.short_name or row.unit.name for row in rows],
        "datasets": [
            {
                "key": str(rating),
                "label": band_label(rating),
                "data": [float(row.share(getattr(row, name)) or 0) for row in rows],
            }
            for rating, name in BANDS
        ],
    }


def trend_chart(rows: list[UnitPeriodRollup]) -> dict:
    labels = [scope_label(Scope(ScopeKind.QUARTER, r.year, r.number)) for r in rows]
    datasets = [
        {
            "key": str(rating),
            "label": band_label(rating),
            "data": [float(row.share(getattr(row, name)) or 0) for row in rows],
        }
        for rating, name in BANDS
    ]
    datasets.append(
        {
            "key": "mean",
            "label": _("Điểm trung bình"),
            "data": [float(row.mean_total) if row.mean_total is not None else None for row in rows],
        }
    )
    return {"labels": labels, "datasets": datasets}


def history_chart(rows: list[PersonPeriodRollup]) -> dict:
    ordered = list(reversed(rows))
    return {
        "labels": [str(r.period) for r in ordered],
        "datasets": [
            {
                "key": "mean",
                "label": _("Tổng điểm"),
                "data": [float(r.total) if r.total is not None else None for r in ordered],
            }
        ],
    }
