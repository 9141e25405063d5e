"""What the dashboards show, read from the rollup tables only (never the raw work log)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, F, FloatField, Q, QuerySet, Sum, Window
from django.db.models.functions import Cast, Coalesce, NullIf, RowNumber
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


def sorted_rows(
    rows: QuerySet, sort: str, sorts: dict[str, str], tiebreak: str, fallback: str = "ten"
) -> QuerySet:
    """Order by a whitelisted `?sort=` key (`-key` descending); unknown keys sort by `fallback`."""
    column = sorts.get(sort.removeprefix("-"), sorts[fallback])
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
    # Person rows only of units whose own figures show a warning: scanning every person row of
    # the quarter under the province took ~200 ms, usually to find none.
    flagged_units = below.filter(flagged_entries__gt=0).values("unit_id")
    flagged = (
        PersonPeriodRollup.objects.filter(
            unit_id__in=flagged_units,
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
    rows = PersonPeriodRollup.objects.filter(unit_path__startswith=path)
    begun = Period.objects.filter(start__lte=timezone.localdate()).order_by("-start")
    # Nearly always one of the two latest periods: a probe each (~5 ms at 800 people) beats
    # sorting the rows of every period of a big subtree by date (~50-100 ms).
    for period in begun[:2]:
        if rows.filter(period=period).exists():
            return period
    period_id = (
        rows.filter(period__in=begun)
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
        return self.row.evaluation_state not in NOT_SELF_ASSESSED


NOT_SELF_ASSESSED = ("", EvaluationState.DRAFT)
TEAM_PAGE_SIZE = 50
# ?sort= keys of the head's progress table; "don-vi" (by unit, then name) when none is asked.
TEAM_SORTS = {
    "don-vi": "unit_path",
    "ten": "person__full_name",
    "ke-hoach": "plan_share",
    "dinh-muc": "quota_share",
    "cho-duyet": "entries_submitted",
}
# ?loc= filters: the people the head has to chase.
TEAM_FILTERS = {
    "chua-ghi-nhan": Q(
        entries_approved=0, entries_submitted=0, entries_draft=0, entries_returned=0
    ),
    "chua-tu-danh-gia": Q(evaluation_state__in=NOT_SELF_ASSESSED),
}


@dataclass(frozen=True)
class TeamSummary:
    people: int
    not_logged: int
    not_self_assessed: int
    review_queue: int


def team_rows(unit: OrgUnit, period: Period, exclude_person_id: int | None) -> QuerySet:
    """Everyone under `unit` in the period except the head, as rollup rows (not yet fetched)."""
    return PersonPeriodRollup.objects.filter(
        unit_path__startswith=unit.path, period=period
    ).exclude(person_id=exclude_person_id)


def team_summary(rows: QuerySet) -> TeamSummary:
    """The headline counts in one aggregate, however many people the unit has."""
    figures = rows.aggregate(
        people=Count("pk"),
        not_logged=Count("pk", filter=TEAM_FILTERS["chua-ghi-nhan"]),
        not_self_assessed=Count("pk", filter=TEAM_FILTERS["chua-tu-danh-gia"]),
        review_queue=Coalesce(Sum("entries_submitted"), 0),
    )
    return TeamSummary(**figures)


def team_filtered(rows: QuerySet, *, search: str, status: str, sort: str) -> QuerySet:
    """One page's worth of choice: a name or HRMIS code, who is behind, and the order."""
    if search:
        rows = rows.filter(
            Q(person__full_name__icontains=search) | Q(person__hrmis_code__iexact=search)
        )
    if status in TEAM_FILTERS:
        rows = rows.filter(TEAM_FILTERS[status])
    rows = rows.annotate(
        plan_share=F("done_standard") / NullIf(F("assigned_standard"), Decimal(0)),
        quota_share=F("done_standard") / NullIf(F("quota_standard"), Decimal(0)),
    ).select_related("person", "unit")
    return sorted_rows(rows, sort, TEAM_SORTS, "person__full_name", fallback="don-vi")


def team_members(rows: list[PersonPeriodRollup], period: Period) -> list[TeamMember]:
    """The shown rows with each person's last few earlier periods, cut to size in SQL."""
    earlier = (
        PersonPeriodRollup.objects.filter(
            person_id__in=[r.person_id for r in rows], period__start__lt=period.start
        )
        .annotate(
            recent=Window(
                RowNumber(), partition_by=[F("person_id")], order_by=F("period__start").desc()
            )
        )
        .filter(recent__lte=HISTORY_PERIODS)
        .only("person_id", "rating", "period")
        .select_related("period")
        .order_by("person_id", "-period__start")
    )
    history: dict[int, list[PersonPeriodRollup]] = {}
    for row in earlier:
        history.setdefault(row.person_id, []).append(row)
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
