"""Demo work: last month's and this month's plans and logs, in every state a screen can show.

Written in bulk from fixed seeds; a person who already has entries in a period is skipped, so a
second run adds nothing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from catalog.models import Product
from orgunits import roles
from orgunits.models import Assignment, OrgUnit, Person, User

from . import services
from .models import EntryStatus, Period, PeriodState, PlanItem, PlanStatus, WorkEntry

QUANTITY_BY_MEASURE = {"hồ sơ": (3, 12), "giờ dạy": (2, 6), "lượt khám": (5, 20)}


def _window(period: Period, today: date) -> list[date]:
    """Working days whose work counts in the period and that are not in the future."""
    previous = services.previous_period(period)
    first = previous.log_close + timedelta(days=1) if previous else period.start
    last = min(period.log_close, today)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [d for d in days if d.weekday() < 5]


def _reviewer_for(
    unit: OrgUnit, author_role: str, leaders: dict[str, list[tuple[str, User]]]
) -> User | None:
    """The nearest leader whose approval scope covers the author."""
    path = unit.path
    while path:
        for role, user in leaders.get(path, []):
            if roles.scope_covers((path, roles.rank(role), None), unit.path, author_role):
                return user
        path = path[: -OrgUnit.steplen]
    return None


def _periods(today: date) -> list[tuple[Period, bool]]:
    """(period, is_current) for last month and this month, as the province's policy defines them."""
    current = services.period_for_work(bloc="", completed_on=today)
    previous = services.period_containing(bloc="", on=current.start - timedelta(days=1))
    if previous.state == PeriodState.OPEN:
        Period.objects.filter(pk=previous.pk).update(state=PeriodState.IN_REVIEW)
        previous.refresh_from_db()
    return [(previous, False), (current, True)]


@transaction.atomic
def seed(today: date | None = None, limit: int | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    assignments = list(
        Assignment.objects.active_on(today)
        .filter(is_primary=True)
        .select_related("person__user", "person__job_position__group", "unit")
        .order_by("person__hrmis_code")[:limit]
    )
    leaders: dict[str, list[tuple[str, User]]] = defaultdict(list)
    for a in assignments:
        if a.role in roles.LEADER_ROLES:
            leaders[a.unit.path].append((a.role, a.person.user))
    products_cache: dict[tuple[int, int | None], list[Product]] = {}
    plan_rows, entry_rows = [], []
    counts = {"plan_items": 0, "entries": 0}
    for period, is_current in _periods(today):
        done = set(
            WorkEntry.objects.filter(period=period).values_list("person_id", flat=True).distinct()
        )
        days = _window(period, today)
        if not days:
            continue
        for a in assignments:
            person = a.person
            if person.pk in done:
                continue
            group = person.job_position.group if person.job_position_id else None
            key = (a.unit_id, group.pk if group else None)
            if key not in products_cache:
                products_cache[key] = list(
                    Product.objects.usable_by(a.unit, period.start, group)[:60]
                )
            products = products_cache[key]
            if not products:
                continue
            rng = random.Random(f"{person.hrmis_code}-{period.code}")
            reviewer = _reviewer_for(a.unit, a.role, leaders)
            plan = _plan(rng, person, period, products, reviewer)
            plan_rows.extend(plan)
            entry_rows.extend(
                _entries(rng, person, a, period, days, plan, reviewer, is_current, today)
            )
    PlanItem.objects.bulk_create(plan_rows, batch_size=2000)
    for entry in entry_rows:
        if entry.plan_item is not None:
            entry.plan_item_id = entry.plan_item.pk
    WorkEntry.objects.bulk_create(entry_rows, batch_size=2000)
    counts["plan_items"], counts["entries"] = len(plan_rows), len(entry_rows)
    return counts


def _plan(rng, person: Person, period: Period, products: list[Product], reviewer) -> list[PlanItem]:
    items = []
    for product in rng.sample(products, k=min(len(products), rng.randint(3, 5))):
        low, high = QUANTITY_BY_MEASURE.get(product.unit_of_measure, (1, 4))
        items.append(
            PlanItem(
                period=period,
                person=person,
                product=product,
                quantity=Decimal(rng.randint(low, high)),
                coefficient=product.coefficient,
                status=PlanStatus.ASSIGNED,
                due_date=period.start + timedelta(days=rng.randint(10, max(10, period.days - 3))),
                created_by=reviewer or person.user,
            )
        )
    return items


def _entries(
    rng, person, assignment, period, days, plan, reviewer, is_current, today
) -> list[WorkEntry]:
    entries = []
    for item in plan:
        share = rng.choice(
            (Decimal("1"), Decimal("1"), Decimal("0.8"), Decimal("1.2"), Decimal("0.5"))
        )
        remaining = max(Decimal("1"), (item.quantity * share).quantize(Decimal("1")))
        while remaining > 0:
            quantity = min(remaining, Decimal(rng.randint(1, 3)))
            remaining -= quantity
            completed = rng.choice(days)
            status = _status(rng, is_current, completed, today)
            entry = WorkEntry(
                period=period,
                person=person,
                unit=assignment.unit,
                author_role=assignment.role,
                product=item.product,
                plan_item=item,
                quantity=quantity,
                coefficient=item.coefficient,
                completed_on=completed,
                status=status,
                doc_number=f"{rng.randint(1, 400)}/BC",
                doc_date=completed,
            )
            if status != EntryStatus.DRAFT:
                entry.submitted_at = timezone.make_aware(datetime.combine(completed, time(16, 0)))
            if status in (EntryStatus.APPROVED, EntryStatus.RETURNED):
                entry.reviewer = reviewer
                entry.reviewed_at = entry.submitted_at + timedelta(days=rng.randint(0, 3))
            if status == EntryStatus.APPROVED:
                entry.approved_quantity = quantity
                entry.delays = 1 if completed > item.due_date else 0
                entry.major_errors = 1 if rng.random() < 0.05 else 0
                entry.quality_pass = rng.random() > 0.03
                entry.exceeded = rng.random() < 0.15
            if status == EntryStatus.RETURNED:
                entry.review_note = rng.choice(
                    (
                        "Thiếu minh chứng, đề nghị bổ sung số văn bản.",
                        "Số lượng chưa khớp với báo cáo tổng hợp.",
                    )
                )
            entries.append(entry)
    return entries


def _status(rng, is_current: bool, completed: date, today: date) -> str:
    if not is_current:
        return EntryStatus.APPROVED if rng.random() > 0.04 else EntryStatus.RETURNED
    roll = rng.random()
    if completed >= today - timedelta(days=2):
        return EntryStatus.DRAFT if roll < 0.6 else EntryStatus.SUBMITTED
    if roll < 0.55:
        return EntryStatus.APPROVED
    if roll < 0.85:
        return EntryStatus.SUBMITTED
    if roll < 0.93:
        return EntryStatus.DRAFT
    return EntryStatus.RETURNED


# ---- evaluations ---------------------------------------------------------------------------

DEMO_DECIDER_FALLBACK = "quantri"


def _points(rng) -> list[str]:
    return [str(Decimal(rng.choice((65, 70, 75, 80, 85, 90, 95))) / 10) for _ in range(3)]


@transaction.atomic
def seed_evaluations(today: date | None = None, with_appeal: bool = True) -> dict[str, int]:
    """Last month decided and published (quota resolved, one appeal), this month self-assessing."""
    from . import assessment
    from .models import Appeal, DecisionVersion, Evaluation, EvaluationRole, EvaluationState, Rating

    today = today or timezone.localdate()
    (previous, _), (current, _) = _periods(today)
    counts = {"opened": 0, "decided": 0, "appeals": 0}
    counts["opened"] += assessment.evaluations_open(period=previous)
    counts["opened"] += assessment.evaluations_open(period=current)
    fallback = User.objects.filter(username=DEMO_DECIDER_FALLBACK).first()
    # Only people with demo work are assessed: beyond the worked sample they stay undecided.
    worked = PlanItem.objects.filter(period=previous, person=OuterRef("person"))
    pending = list(
        Evaluation.objects.filter(
            Exists(worked), period=previous, state=EvaluationState.DRAFT
        ).select_related(
            "person__user", "unit", "deciding_unit", "period", "criteria_version", "position_group"
        )
    )
    by_agency: dict[int, list] = defaultdict(list)
    for evaluation in pending:
        rng = random.Random(f"eval-{evaluation.person.hrmis_code}-{previous.code}")
        evaluation.self_general = _points(rng)
        evaluation.head_general = list(evaluation.self_general)
        if evaluation.role == EvaluationRole.LEADER:
            evaluation.organizing = Decimal(rng.choice(("0.8", "0.9", "1.0")))
        evaluation.disciplined = rng.random() < 0.01
        evaluation.state = EvaluationState.HEAD_ASSESSED
        by_agency[evaluation.deciding_unit_id].append(evaluation)
    assessment.recompute_staff_then_leaders(pending)
    now = timezone.now()
    versions = []
    for members in by_agency.values():
        decider = _decider(members[0].deciding_unit, today) or fallback
        downgrades = {}
        for group in assessment.quota_status(members):
            ordered = [m for m in members if m.pk in group.result.suggest_downgrade]
            downgrades.update(
                {
                    m.pk: "Vượt tỷ lệ 20% số Hoàn thành tốt nhiệm vụ của nhóm; xét theo tổng điểm"
                    for m in ordered
                }
            )
        for evaluation in members:
            reason = downgrades.get(evaluation.pk, "")
            evaluation.rating = Rating.HTT if reason else evaluation.computed_rating
            evaluation.downgrade_reason = reason
            evaluation.state = EvaluationState.PUBLISHED
            evaluation.decided_by, evaluation.decided_at, evaluation.published_at = (
                decider,
                now,
                now,
            )
            evaluation.decision_number = (
                f"{previous.number:02d}/QĐ-{members[0].deciding_unit.short_name or 'ĐV'}"[:60]
            )
            evaluation.decision_date = previous.review_due
            evaluation.head_by = decider
            versions.append(
                DecisionVersion(
                    evaluation=evaluation,
                    number=1,
                    rating=evaluation.rating,
                    total=evaluation.total,
                    decided_by=decider,
                    reason=reason,
                    snapshot={
                        "rating": evaluation.rating,
                        "total": str(evaluation.total),
                        "task_lines": evaluation.task_lines,
                    },
                )
            )
        counts["decided"] += len(members)
    Evaluation.objects.bulk_update(
        pending,
        [
            "self_general",
            "head_general",
            "organizing",
            "disciplined",
            "state",
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
            "decided_by",
            "decided_at",
            "published_at",
            "decision_number",
            "decision_date",
            "head_by",
        ],
        batch_size=1000,
    )
    DecisionVersion.objects.bulk_create(versions, batch_size=2000)
    if pending:
        Period.objects.filter(pk=previous.pk).update(state=PeriodState.PUBLISHED)
    appellant = Evaluation.objects.filter(
        period=previous, person__user__username="chuyenvien"
    ).first()
    # Older months seeded as dashboard history (reports.demo) pass with_appeal=False.
    if with_appeal and appellant and not appellant.appeals.exists():
        Appeal.objects.create(
            evaluation=appellant,
            text="Đề nghị xem xét lại điểm chất lượng: hai hồ sơ bị "
            "tính lỗi lớn đã được Sở Y tế xác nhận là do hệ thống một cửa.",
            due_on=assessment.add_working_days(today, assessment.resolve_days(previous)),
        )
        counts["appeals"] = 1
    _self_assess_some(current)
    return counts


def _decider(unit: OrgUnit, on: date) -> User | None:
    head = (
        Assignment.objects.active_on(on)
        .filter(unit=unit, role="head")
        .select_related("person__user")
        .first()
    )
    return head.person.user if head else None


def _self_assess_some(period: Period) -> None:
    from .models import Evaluation, EvaluationState

    drafts = list(
        Evaluation.objects.filter(period=period, state=EvaluationState.DRAFT).select_related(
            "person"
        )
    )
    chosen = []
    for evaluation in drafts:
        rng = random.Random(f"self-{evaluation.person.hrmis_code}-{period.code}")
        if rng.random() < 0.4:
            evaluation.self_general = _points(rng)
            evaluation.state = EvaluationState.SELF_ASSESSED
            evaluation.self_assessed_at = timezone.now()
            chosen.append(evaluation)
    Evaluation.objects.bulk_update(
        chosen, ["self_general", "state", "self_assessed_at"], batch_size=1000
    )
