"""Province-scale work data for benchmarks: plans, work entries and evaluations through COPY.

Rows are generated per person and period from a seeded `random.Random`, streamed to PostgreSQL
with `COPY ... FROM STDIN` a chunk of people at a time (one transaction per chunk), and never
held in memory for a whole month. A person who already has entries or an evaluation in a period
is skipped, so a second run adds nothing and a larger `--staff` only fills the newcomers.
"""

from __future__ import annotations

import bisect
import calendar
import json
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Product, Quota
from catalog.services import criteria_version_for
from orgunits import roles
from orgunits.models import Assignment, OrgUnit

from . import services
from .assessment import DECIDING_KINDS
from .models import (
    EntryStatus,
    Evaluation,
    EvaluationRole,
    EvaluationState,
    Frequency,
    Period,
    PeriodState,
    PlanStatus,
    Rating,
    WorkEntry,
)

CHUNK = 2000  # people per transaction: an interrupted run loses at most one chunk of work
PEOPLE_PREFIXES = ("QNG", "DEMO")  # the demo province's people; imported test rows are not ours
ENTRIES_PER_DAY = (2, 3, 3, 3, 4)
QUANTITY_BY_MEASURE = {"hồ sơ": (1, 5), "giờ dạy": (2, 5), "lượt khám": (5, 20), "lượt": (1, 5)}
BANDS = ((Decimal(90), Rating.HTXS), (Decimal(70), Rating.HTT), (Decimal(50), Rating.HT))
GENERAL_POINTS = ("6", "6.5", "7", "7.5", "8", "8", "8.5", "8.5", "9", "9.5", "10")
# How careless a person is: the share of their approved products with a major error.
ERROR_RATES = (0.0, 0.01, 0.03, 0.05, 0.1, 0.2, 0.3)
CENT = Decimal("0.01")
RETURN_NOTES = (
    "Thiếu minh chứng, đề nghị bổ sung số văn bản.",
    "Số lượng chưa khớp với báo cáo tổng hợp.",
)

PLAN_COLUMNS = (
    "id",
    "period_id",
    "person_id",
    "product_id",
    "quantity",
    "coefficient",
    "due_date",
    "status",
    "note",
    "decline_reason",
    "created_by_id",
    "on_behalf_of_id",
    "created_at",
)
ENTRY_COLUMNS = (
    "period_id",
    "person_id",
    "unit_id",
    "author_role",
    "product_id",
    "plan_item_id",
    "quantity",
    "coefficient",
    "completed_on",
    "doc_number",
    "doc_date",
    "link",
    "evidence",
    "evidence_name",
    "evidence_type",
    "note",
    "status",
    "submitted_at",
    "approved_quantity",
    "quality_pass",
    "major_errors",
    "delays",
    "exceeded",
    "exempt",
    "exempt_reason",
    "exempt_confirmed_by_id",
    "reviewer_id",
    "reviewed_on_behalf_of_id",
    "reviewed_at",
    "review_note",
    "flags",
    "version",
    "created_at",
    "updated_at",
)
EVALUATION_COLUMNS = (
    "period_id",
    "person_id",
    "unit_id",
    "deciding_unit_id",
    "position_group_id",
    "role",
    "author_role",
    "criteria_version_id",
    "state",
    "self_general",
    "self_notes",
    "self_comment",
    "self_assessed_at",
    "head_general",
    "head_reasons",
    "head_comment",
    "organizing",
    "head_by_id",
    "head_on_behalf_of_id",
    "head_assessed_at",
    "return_note",
    "disciplined",
    "degraded",
    "unit_corruption",
    "hr_by_id",
    "hr_note",
    "hr_checked_at",
    "task_lines",
    "general_score",
    "task_score",
    "total",
    "ratios",
    "band_rating",
    "computed_rating",
    "capped_by",
    "not_rated_reason",
    "rating",
    "downgrade_reason",
    "decided_by_id",
    "decided_at",
    "decision_number",
    "decision_date",
    "published_at",
    "version",
)


class ScaleError(Exception):
    """The database holds something seed_scale cannot build on."""


@dataclass
class TableTally:
    rows: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class Tally:
    """Rows written and time spent per table, over one run."""

    tables: dict[str, TableTally] = field(default_factory=lambda: defaultdict(TableTally))

    def add(self, table: str, rows: int, seconds: float) -> None:
        self.tables[table].rows += rows
        self.tables[table].seconds += seconds


@dataclass(frozen=True)
class Worker:
    person_id: int
    user_id: int
    code: str
    unit_id: int
    unit_path: str
    unit_sector_id: int | None
    bloc: str
    role: str
    group_id: int | None
    start: date
    end: date | None


@dataclass(frozen=True)
class CatalogItem:
    id: int
    code: str
    name: str
    coefficient: Decimal
    coefficient_text: str
    measure: str
    owner_path: str | None
    owner_sector_id: int | None
    groups: frozenset[int]
    active_from: date
    active_to: date | None


@dataclass
class Line:
    """One product's totals for a person and period, as the evaluation's task lines show them."""

    item: CatalogItem
    assigned: Decimal = Decimal(0)
    done: Decimal = Decimal(0)
    major_errors: int = 0
    delays: int = 0
    quality_pass: bool = True
    exceeded: bool = False
    exempt: bool = False


# ---- the month plan -------------------------------------------------------------------------


def months_back(end: tuple[int, int], count: int) -> list[tuple[int, int]]:
    """`count` (year, month) pairs ending with `end`, oldest first."""
    year, month = end
    pairs = []
    for _ in range(count):
        pairs.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return pairs[::-1]


def _log_close(policy, year: int, month: int) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(policy.log_close_day, last))


def work_days(period: Period, policy, today: date) -> list[date]:
    """Working days whose work counts in the period (after the previous close) up to today."""
    year, month = (period.year, period.number - 1) if period.number > 1 else (period.year - 1, 12)
    # The month before, not just the latest earlier period: months may be seeded out of order.
    previous = Period.objects.filter(
        kind=period.kind, bloc=period.bloc, year=year, number=month
    ).first()
    close = previous.log_close if previous is not None else _log_close(policy, year, month)
    first = close + timedelta(days=1)
    last = min(period.log_close, today)
    span = (last - first).days + 1
    return [d for d in (first + timedelta(days=i) for i in range(span)) if d.weekday() < 5]


def target_state(period: Period, today: date) -> str:
    """Where a period of seeded history stands today, by its own deadlines."""
    if today <= period.log_close:
        return PeriodState.OPEN
    if today <= period.review_due:
        return PeriodState.IN_REVIEW
    if today <= period.lock_date:
        return PeriodState.PUBLISHED
    return PeriodState.LOCKED


# ---- what the province holds ----------------------------------------------------------------


class Province:
    """Everything the generator looks up per person, loaded once per run."""

    def __init__(self) -> None:
        self.units = {u.pk: u for u in OrgUnit.objects.all()}
        self.unit_by_path = {u.path: u for u in self.units.values()}
        self.workers = self._workers()
        self.catalog = self._catalog()
        self.quotas = list(
            Quota.objects.values_list(
                "unit__path", "group_id", "per_month", "valid_from", "valid_to", "unit__depth"
            )
        )
        self.leaders: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.head_of_unit: dict[int, int] = {}
        for w in self.workers:
            if w.role in roles.LEADER_ROLES:
                self.leaders[w.unit_path].append((w.role, w.user_id))
            if w.role == "head":
                self.head_of_unit.setdefault(w.unit_id, w.user_id)
        for paths in self.leaders.values():
            paths.sort(key=lambda pair: -roles.rank(pair[0]))
        self._products: dict[tuple, list[CatalogItem]] = {}
        self._quota: dict[tuple, Decimal | None] = {}
        self._criteria: dict[tuple, int | None] = {}
        self._deciding: dict[int, int] = {}

    def _workers(self) -> list[Worker]:
        prefixes = "|".join(PEOPLE_PREFIXES)
        rows = (
            Assignment.objects.filter(
                is_primary=True, person__is_active=True, person__hrmis_code__regex=f"^({prefixes})"
            )
            .order_by("person_id", "start")
            .values_list(
                "person_id",
                "person__user_id",
                "person__hrmis_code",
                "unit_id",
                "unit__path",
                "unit__sector_id",
                "unit__bloc",
                "role",
                "person__job_position__group_id",
                "start",
                "end",
            )
        )
        return [Worker(*row) for row in rows]

    def _catalog(self) -> list[CatalogItem]:
        through = Product.position_groups.through
        groups: dict[int, set[int]] = defaultdict(set)
        for product_id, group_id in through.objects.values_list(
            "product_id", "jobpositiongroup_id"
        ):
            groups[product_id].add(group_id)
        rows = Product.objects.order_by("pk").values_list(
            "pk",
            "code",
            "name",
            "coefficient",
            "unit_of_measure",
            "owner_unit__path",
            "owner_sector_id",
            "active_from",
            "active_to",
        )
        return [
            CatalogItem(
                id=row[0],
                code=row[1],
                name=row[2],
                coefficient=row[3],
                coefficient_text=str(row[3]),
                measure=row[4],
                owner_path=row[5],
                owner_sector_id=row[6],
                groups=frozenset(groups.get(row[0], ())),
                active_from=row[7],
                active_to=row[8],
            )
            for row in rows
        ]

    def workers_on(self, on: date) -> list[Worker]:
        """Whoever holds an open primary assignment on the date (one post per person)."""
        chosen: dict[int, Worker] = {}
        for w in self.workers:
            if w.start <= on and (w.end is None or w.end >= on):
                chosen[w.person_id] = w
        return list(chosen.values())

    def products_for(self, w: Worker, on: date) -> list[CatalogItem]:
        """Mirror of `Product.objects.usable_by` over the catalog already in memory."""
        key = (w.unit_id, w.group_id, on)
        if key not in self._products:
            step = OrgUnit.steplen
            above = {w.unit_path[:i] for i in range(step, len(w.unit_path) + 1, step)}
            self._products[key] = [
                p
                for p in self.catalog
                if (
                    p.owner_path in above
                    or (p.owner_sector_id is not None and p.owner_sector_id == w.unit_sector_id)
                )
                and p.active_from <= on
                and (p.active_to is None or p.active_to >= on)
                and (w.group_id is None or not p.groups or w.group_id in p.groups)
            ]
        return self._products[key]

    def quota_for(self, w: Worker, on: date) -> Decimal | None:
        """Mirror of `catalog.services.quota_for`: the nearest unit's quota wins."""
        key = (w.unit_id, w.group_id, on)
        if key not in self._quota:
            candidates = [
                (depth, valid_from, per_month)
                for path, group_id, per_month, valid_from, valid_to, depth in self.quotas
                if group_id == w.group_id
                and w.unit_path.startswith(path)
                and valid_from <= on
                and (valid_to is None or valid_to >= on)
            ]
            self._quota[key] = max(candidates)[2] if candidates else None
        return self._quota[key]

    def criteria_version_id(self, w: Worker, on: date) -> int | None:
        key = (w.unit_id, on)
        if key not in self._criteria:
            version = criteria_version_for(unit=self.units[w.unit_id], on=on)
            self._criteria[key] = version.pk if version else None
        return self._criteria[key]

    def deciding_unit_id(self, unit_id: int) -> int:
        """Mirror of `assessment.deciding_unit_of` along the materialized path."""
        if unit_id not in self._deciding:
            unit = self.units[unit_id]
            found = unit
            path = unit.path
            while path:
                candidate = self.unit_by_path.get(path)
                if candidate is not None and candidate.kind in DECIDING_KINDS:
                    found = candidate
                    break
                path = path[: -OrgUnit.steplen]
            self._deciding[unit_id] = found.pk
        return self._deciding[unit_id]

    def reviewer_of(self, w: Worker) -> int | None:
        """The nearest leader whose approval scope covers the person (as the demo seeds it)."""
        path = w.unit_path
        while path:
            for role, user_id in self.leaders.get(path, ()):
                if user_id != w.user_id and roles.scope_covers(
                    (path, roles.rank(role), None), w.unit_path, w.role
                ):
                    return user_id
            path = path[: -OrgUnit.steplen]
        return None


# ---- one period -----------------------------------------------------------------------------


class Clock:
    """Timestamps as text in the server's zone, cached per day and hour: this is the hot path."""

    def __init__(self) -> None:
        self.zone = timezone.get_default_timezone()
        self._minutes: dict[tuple[date, int], list[str]] = {}

    def minutes(self, day: date, hour: int) -> list[str]:
        """The 60 timestamps of one hour of a day."""
        key = (day, hour)
        found = self._minutes.get(key)
        if found is None:
            raw = datetime(day.year, day.month, day.day, hour, tzinfo=self.zone).strftime("%z")
            offset = f"{raw[:3]}:{raw[3:]}"
            found = self._minutes[key] = [
                f"{day.isoformat()} {hour:02d}:{minute:02d}:00{offset}" for minute in range(60)
            ]
        return found

    def at(self, day: date, hour: int, minute: int = 0) -> str:
        return self.minutes(day, hour)[minute]


@dataclass
class PeriodPlan:
    period: Period
    days: list[date]
    state: str
    today: date
    clock: Clock
    day_text: dict[date, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.day_text = {d: d.isoformat() for d in self.days}

    @property
    def current(self) -> bool:
        return self.state == PeriodState.OPEN


class PeriodSeeder:
    """Plans, entries and evaluations of one period, written a chunk of people at a time."""

    def __init__(self, province: Province, plan: PeriodPlan, seed: int, tally: Tally) -> None:
        self.province = province
        self.plan = plan
        self.seed = seed
        self.tally = tally

    def run(self, workers: list[Worker]) -> int:
        for start in range(0, len(workers), CHUNK):
            with transaction.atomic():
                self._chunk(workers[start : start + CHUNK])
        return len(workers)

    def _chunk(self, workers: list[Worker]) -> None:
        period = self.plan.period
        # Seeded per person and period, so the rows do not depend on chunking or run order.
        rngs = {
            w.person_id: random.Random(f"{self.seed}-{w.code}-{period.code}")  # noqa: S311
            for w in workers
        }
        repertoires = {w.person_id: self._repertoire(rngs[w.person_id], w) for w in workers}
        plans = {
            w.person_id: self._plan(rngs[w.person_id], w, repertoires[w.person_id]) for w in workers
        }
        for w in workers:
            # Looked up now: a query on the connection in the middle of a COPY would deadlock.
            self.province.criteria_version_id(w, period.start)
        with connection.cursor() as cursor:
            # Foreign keys are checked at the end of each COPY rather than at commit, so their
            # cost shows in the table's rows per second.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            started = time.perf_counter()
            count = sum(len(items) for items in plans.values())
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('evaluations_planitem', 'id')) "
                "FROM generate_series(1, %s)",
                [count],
            )
            ids = iter(row[0] for row in cursor.fetchall())
            with cursor.cursor.copy(_copy_sql("evaluations_planitem", PLAN_COLUMNS)) as copy:
                for w in workers:
                    for item in plans[w.person_id]:
                        item[0] = next(ids)
                        copy.write_row(item)
            self.tally.add("evaluations_planitem", count, time.perf_counter() - started)

            started, written = time.perf_counter(), 0
            evaluations = []
            with cursor.cursor.copy(_copy_sql("evaluations_workentry", ENTRY_COLUMNS)) as copy:
                for w in workers:
                    rng = rngs[w.person_id]
                    lines = {}
                    for row in self._entries(rng, w, repertoires[w.person_id], plans, lines):
                        copy.write_row(row)
                        written += 1
                    evaluations.append(self._evaluation(rng, w, lines))
            self.tally.add("evaluations_workentry", written, time.perf_counter() - started)

            started = time.perf_counter()
            with cursor.cursor.copy(
                _copy_sql("evaluations_evaluation", EVALUATION_COLUMNS)
            ) as copy:
                for row in evaluations:
                    copy.write_row(row)
            self.tally.add(
                "evaluations_evaluation", len(evaluations), time.perf_counter() - started
            )

    # -- generators; each consumes the person's own random stream in a fixed order --

    def _repertoire(self, rng: random.Random, w: Worker) -> list[CatalogItem]:
        """The handful of products a person actually produces; the first few are planned."""
        products = self.province.products_for(w, self.plan.period.start)
        if not products:
            return []
        return rng.sample(products, k=min(len(products), rng.randint(6, 10)))

    def _plan(self, rng: random.Random, w: Worker, repertoire: list[CatalogItem]) -> list[list]:
        period, clock = self.plan.period, self.plan.clock
        reviewer = self.province.reviewer_of(w)
        created = clock.at(period.start, 8)
        items = []
        for product in repertoire[: rng.randint(3, 5)]:
            low, high = QUANTITY_BY_MEASURE.get(product.measure, (1, 3))
            roll = rng.random()
            status = (
                PlanStatus.ASSIGNED
                if roll < 0.92
                else PlanStatus.PROPOSED
                if roll < 0.96
                else PlanStatus.DECLINED
            )
            due = period.start + timedelta(days=rng.randint(10, max(10, period.days - 3)))
            items.append(
                [
                    None,  # id, allocated per chunk
                    period.pk,
                    w.person_id,
                    product.id,
                    rng.randint(low, high) * rng.randint(3, 6),
                    product.coefficient_text,
                    due,
                    status,
                    "",
                    "Trùng với nhiệm vụ đã giao" if status == PlanStatus.DECLINED else "",
                    w.user_id if status != PlanStatus.ASSIGNED or reviewer is None else reviewer,
                    None,
                    created,
                ]
            )
        return items

    def _entries(
        self,
        rng: random.Random,
        w: Worker,
        repertoire: list[CatalogItem],
        plans: dict[int, list[list]],
        lines: dict[int, Line],
    ) -> Iterator[tuple]:
        if not repertoire:
            return
        plan, period, clock = self.plan, self.plan.period, self.plan.clock
        province = self.province
        reviewer = province.reviewer_of(w)
        planned = {item[3]: item for item in plans[w.person_id]}
        for item in planned.values():
            if item[7] == PlanStatus.ASSIGNED:
                line = lines.setdefault(item[3], Line(_item(repertoire, item[3])))
                line.assigned += item[4]
        # Planned products come up twice as often as the rest of the repertoire.
        weights = [2 if p.id in planned else 1 for p in repertoire]
        cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
        total = cumulative[-1]
        today, current = plan.today, plan.current
        error_rate = ERROR_RATES[int(rng.random() * len(ERROR_RATES))]
        for day in plan.days:
            day_text = plan.day_text[day]
            created_at, submitted_at = clock.minutes(day, 16), clock.minutes(day, 17)
            for _ in range(ENTRIES_PER_DAY[int(rng.random() * 5)]):
                product = repertoire[bisect.bisect_right(cumulative, rng.random() * total)]
                low, high = QUANTITY_BY_MEASURE.get(product.measure, (1, 3))
                quantity = low + int(rng.random() * (high - low + 1))
                plan_item = planned.get(product.id)
                plan_item_id = (
                    plan_item[0]
                    if plan_item is not None and plan_item[7] == PlanStatus.ASSIGNED
                    else None
                )
                status = _status(rng, current, day, today)
                created = created_at[int(rng.random() * 60)]
                submitted = reviewed = None
                approved = None
                errors = delays = 0
                quality = True
                exceeded = exempt = False
                exempt_reason = review_note = ""
                reviewer_id = confirmed_by = None
                version = 0
                if status != EntryStatus.DRAFT:
                    submitted = submitted_at[int(rng.random() * 30)]
                    version = 1
                if status in (EntryStatus.APPROVED, EntryStatus.RETURNED):
                    review_day = min(day + timedelta(days=int(rng.random() * 4)), today)
                    reviewed = clock.at(review_day, 9, int(rng.random() * 60))
                    reviewer_id = reviewer
                    version = 2
                if status == EntryStatus.APPROVED:
                    approved = quantity - 1 if quantity > 1 and rng.random() < 0.03 else quantity
                    errors = 1 if rng.random() < error_rate else 0
                    quality = rng.random() > 0.03
                    exceeded = rng.random() < 0.15
                    if plan_item_id is not None and day > plan_item[6]:
                        delays = 1
                    if delays and rng.random() < 0.1:
                        exempt = True
                        exempt_reason = "Chờ ý kiến của cơ quan phối hợp"
                        confirmed_by = reviewer
                    line = lines.get(product.id)
                    if line is None:
                        line = lines[product.id] = Line(product)
                    line.done += approved
                    line.major_errors += errors
                    line.delays += 0 if exempt else delays
                    line.quality_pass &= quality
                    line.exceeded |= exceeded
                    line.exempt |= exempt
                elif status == EntryStatus.RETURNED:
                    review_note = RETURN_NOTES[int(rng.random() * 2)]
                yield (
                    period.pk,
                    w.person_id,
                    w.unit_id,
                    w.role,
                    product.id,
                    plan_item_id,
                    quantity,
                    product.coefficient_text,
                    day_text,
                    f"{1 + int(rng.random() * 400)}/BC",
                    day_text,
                    "",
                    "",
                    "",
                    "",
                    "",
                    status,
                    submitted,
                    approved,
                    quality,
                    errors,
                    delays,
                    exceeded,
                    exempt,
                    exempt_reason,
                    confirmed_by,
                    reviewer_id,
                    None,
                    reviewed,
                    review_note,
                    "[]",
                    version,
                    created,
                    reviewed or submitted or created,
                )

    def _evaluation(self, rng: random.Random, w: Worker, lines: dict[int, Line]) -> tuple:
        """A plausible phiếu đánh giá: scores from the approved work, the state from the dates."""
        period, clock, province = self.plan.period, self.plan.clock, self.province
        leader = w.role in roles.LEADER_ROLES
        general = [rng.choice(GENERAL_POINTS) for _ in range(3)]
        self_general = [rng.choice(GENERAL_POINTS) for _ in range(3)]
        organizing = rng.choice(("0.8", "0.9", "1.0")) if leader else None
        disciplined = rng.random() < 0.005
        score = _score(lines, province.quota_for(w, period.start), general)
        state, self_at, head_at, decided_at, published_at = self._progress(rng, clock)
        reviewer = province.reviewer_of(w) if head_at else None
        deciding = province.deciding_unit_id(w.unit_id)
        decided = state == EvaluationState.PUBLISHED
        rating, downgrade, capped = "", "", ""
        computed = score["rating"]
        if disciplined and computed in (Rating.HTXS, Rating.HTT, Rating.HT):
            computed, capped = Rating.KHT, "disciplined"
        if decided:
            rating = computed
            if computed == Rating.HTXS and rng.random() < 0.6:
                rating = Rating.HTT
                downgrade = "Vượt tỷ lệ 20% số Hoàn thành tốt nhiệm vụ của nhóm; xét theo tổng điểm"
        decider = province.head_of_unit.get(deciding) or reviewer
        unit = province.units[deciding]
        return (
            period.pk,
            w.person_id,
            w.unit_id,
            deciding,
            w.group_id,
            EvaluationRole.LEADER if leader else EvaluationRole.STAFF,
            w.role,
            province.criteria_version_id(w, period.start),
            state,
            json.dumps(self_general) if self_at else "[]",
            "[]",
            "",
            self_at,
            json.dumps(general) if head_at else "[]",
            "[]",
            "",
            organizing if head_at else None,
            reviewer,
            None,
            head_at,
            "",
            disciplined,
            False,
            False,
            None,
            "",
            None,
            score["lines"],
            score["general"],
            score["task"],
            score["total"],
            score["ratios"],
            score["rating"],
            computed,
            capped,
            score["not_rated_reason"],
            rating,
            downgrade,
            decider if decided else None,
            decided_at,
            f"{period.number:02d}/QĐ-{unit.short_name or 'ĐV'}"[:60] if decided else "",
            period.review_due if decided else None,
            published_at,
            1 if decided else 0,
        )

    def _progress(self, rng: random.Random, clock: Clock):
        """(state, self-assessed, head-assessed, decided, published) as the period stands."""
        period, state = self.plan.period, self.plan.state
        self_at = clock.at(period.self_assessment_due, 10)
        head_at = clock.at(period.review_due, 10)
        if state == PeriodState.OPEN:
            if rng.random() < 0.4:
                return EvaluationState.SELF_ASSESSED, clock.at(self.plan.today, 8), None, None, None
            return EvaluationState.DRAFT, None, None, None, None
        if state == PeriodState.IN_REVIEW:
            if rng.random() < 0.5:
                return EvaluationState.HEAD_ASSESSED, self_at, head_at, None, None
            return EvaluationState.SELF_ASSESSED, self_at, None, None, None
        decided_at = clock.at(period.review_due, 15)
        published_at = clock.at(period.review_due + timedelta(days=1), 9)
        return EvaluationState.PUBLISHED, self_at, head_at, decided_at, published_at


def _item(repertoire: list[CatalogItem], product_id: int) -> CatalogItem:
    return next(p for p in repertoire if p.id == product_id)


def _status(rng: random.Random, current: bool, day: date, today: date) -> str:
    """Past periods are all reviewed; the open one has the mix a month in progress has."""
    roll = rng.random()
    if not current:
        return EntryStatus.APPROVED if roll > 0.04 else EntryStatus.RETURNED
    if day >= today - timedelta(days=2):
        return EntryStatus.DRAFT if roll < 0.6 else EntryStatus.SUBMITTED
    if day >= today - timedelta(days=9):
        if roll < 0.35:
            return EntryStatus.APPROVED
        return EntryStatus.SUBMITTED if roll < 0.9 else EntryStatus.DRAFT
    if roll < 0.75:
        return EntryStatus.APPROVED
    if roll < 0.93:
        return EntryStatus.SUBMITTED
    return EntryStatus.RETURNED if roll < 0.97 else EntryStatus.DRAFT


def _ratio(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _score(lines: dict[int, Line], quota: Decimal | None, general: list[str]) -> dict:
    """Scores in the shape of Nghị định 335 (30 general + 70 task points), simplified."""
    rated = [line for line in lines.values() if line.done or line.assigned]
    if not rated:
        return {
            "lines": "[]",
            "general": None,
            "task": None,
            "total": None,
            "ratios": "{}",
            "rating": Rating.NOT_RATED,
            "not_rated_reason": "Không có sản phẩm được phê duyệt trong kỳ",
        }
    approved = sum((line.done * line.item.coefficient for line in rated), Decimal(0))
    planned = sum((line.assigned * line.item.coefficient for line in rated), Decimal(0))
    target = quota or planned
    quantity = min(Decimal(1), approved / target) if target else Decimal(1)
    errors = sum(line.major_errors for line in rated)
    delays = sum(line.delays for line in rated)
    quality = max(Decimal(0), 1 - Decimal("0.25") * errors / len(rated))
    timeliness = max(Decimal(0), 1 - Decimal("0.25") * delays / len(rated))
    task = (Decimal(70) * (quantity + quality + timeliness) / 3).quantize(CENT, ROUND_HALF_UP)
    general_score = sum((Decimal(p) for p in general), Decimal(0)).quantize(CENT)
    total = general_score + task
    band = next((rating for floor, rating in BANDS if total >= floor), Rating.KHT)
    task_lines = [
        {
            "label": f"{line.item.code} — {line.item.name}",
            "coefficient": line.item.coefficient_text,
            "assigned": str(line.assigned),
            "done": str(line.done),
            "quality_pass": line.quality_pass,
            "major_errors": line.major_errors,
            "delays": line.delays,
            "exempt": line.exempt,
            "exceeded": line.exceeded,
        }
        for line in rated
    ]
    return {
        "lines": json.dumps(task_lines, ensure_ascii=False),
        "general": general_score,
        "task": task,
        "total": total,
        "ratios": json.dumps(
            {
                "quantity": _ratio(quantity),
                "quality": _ratio(quality),
                "timeliness": _ratio(timeliness),
            }
        ),
        "rating": band,
        "not_rated_reason": "",
    }


def _copy_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN"


# ---- the run --------------------------------------------------------------------------------


def seeded_people(period: Period) -> set[int]:
    """People who already have work or an evaluation in the period: they are left alone."""
    with_entries = WorkEntry.objects.filter(period=period).values_list("person_id", flat=True)
    with_evaluation = Evaluation.objects.filter(period=period).values_list("person_id", flat=True)
    return set(with_entries.distinct()) | set(with_evaluation)


@dataclass
class MonthResult:
    label: str
    people: int
    skipped: int
    days: int
    entries: int = 0
    entry_seconds: float = 0.0


def seed_months(
    *, months: list[tuple[int, int]], seed: int, tally: Tally, today: date | None = None, log=None
) -> list[MonthResult]:
    """Periods, then plans, entries and evaluations month by month, oldest first."""
    today = today or timezone.localdate()
    province = Province()
    clock = Clock()
    blocs = sorted({w.bloc for w in province.workers})
    policies = {bloc: services.policy_for(bloc) for bloc in blocs}
    quarterly = [
        bloc or "toàn tỉnh" for bloc, p in policies.items() if p.frequency != Frequency.MONTHLY
    ]
    if quarterly:
        raise ScaleError(
            "seed_scale chỉ tạo kỳ đánh giá hằng tháng; khối đang đánh giá theo quý: "
            + ", ".join(quarterly)
        )
    results = []
    for year, month in months:
        periods: dict[int, tuple[Period, list[str]]] = {}
        for bloc, policy in policies.items():
            period = services.period_ensure(policy=policy, year=year, number=month)
            periods.setdefault(period.pk, (period, []))[1].append(bloc)
        for period, period_blocs in periods.values():
            policy = policies[period_blocs[0]]
            on = min(period.end, max(period.start, today))
            done = seeded_people(period)
            everyone = [w for w in province.workers_on(on) if w.bloc in period_blocs]
            todo = [w for w in everyone if w.person_id not in done]
            state = target_state(period, today)
            plan = PeriodPlan(period, work_days(period, policy, today), state, today, clock)
            started = time.perf_counter()
            before = TableTally(**vars(tally.tables["evaluations_workentry"]))
            if plan.days and todo:
                PeriodSeeder(province, plan, seed, tally).run(todo)
            _advance(period, state)
            after = tally.tables["evaluations_workentry"]
            result = MonthResult(
                period.code,
                len(todo),
                len(everyone) - len(todo),
                len(plan.days),
                after.rows - before.rows,
                after.seconds - before.seconds,
            )
            results.append(result)
            if log:
                log(result, time.perf_counter() - started)
    return results


def _advance(period: Period, state: str) -> None:
    """Move the period forward to where its dates put it, never back."""
    order = [s.value for s in PeriodState]
    if order.index(state) > order.index(period.state):
        Period.objects.filter(pk=period.pk).update(state=state)
        period.state = state


def analyze() -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            "evaluations_period",
            "evaluations_planitem",
            "evaluations_workentry",
            "evaluations_evaluation",
            "orgunits_orgunit",
            "orgunits_person",
            "orgunits_assignment",
            "orgunits_user",
        ):
            cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started
