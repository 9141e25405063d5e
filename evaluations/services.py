"""Periods, work plans, work logging and review; every change writes an audit event."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Product
from catalog.services import quota_for
from kpi_portal import audit
from kpi_portal.notifications import notify
from kpi_portal.uploads import validate_evidence
from orgunits import permissions as org_permissions
from orgunits import roles
from orgunits.models import Assignment, OrgUnit, Person, User
from orgunits.querysets import ancestor_paths

from .models import (
    AppealStatus,
    EntryStatus,
    FavouriteProduct,
    Frequency,
    Period,
    PeriodPolicy,
    PeriodReopening,
    PeriodState,
    PlanItem,
    PlanStatus,
    WorkEntry,
)

ZERO = Decimal("0")
WORKING_DAYS_PER_MONTH = Decimal("22")
STATE_ORDER = [s.value for s in PeriodState]
REVIEWABLE_STATES = (PeriodState.OPEN, PeriodState.IN_REVIEW)


class ConflictError(ValidationError):
    """Someone else changed the row first (optimistic lock)."""


# ---- periods ------------------------------------------------------------------------------


def policy_among(policies: Mapping[str, PeriodPolicy], bloc: str) -> PeriodPolicy:
    """The bloc's own policy, else the province-wide one, else the defaults (monthly, 25th).

    `policies` are stored policies by bloc; those of other blocs are ignored.
    """
    return policies.get(bloc) or policies.get("") or PeriodPolicy(bloc="")


def policy_for(bloc: str) -> PeriodPolicy:
    """`policy_among` the stored policies, read for one bloc."""
    return policy_among({p.bloc: p for p in PeriodPolicy.objects.filter(bloc__in=[bloc, ""])}, bloc)


def _bounds(kind: str, year: int, number: int) -> tuple[date, date, int, int]:
    """First and last day, and the year and month the period's deadlines fall in."""
    if kind == Frequency.MONTHLY:
        last = calendar.monthrange(year, number)[1]
        return date(year, number, 1), date(year, number, last), year, number
    first_month = 3 * (number - 1) + 1
    last_month = first_month + 2
    last = calendar.monthrange(year, last_month)[1]
    return date(year, first_month, 1), date(year, last_month, last), year, last_month


def period_number_for(kind: str, on: date) -> int:
    return on.month if kind == Frequency.MONTHLY else (on.month - 1) // 3 + 1


@transaction.atomic
def period_ensure(
    *, policy: PeriodPolicy, year: int, number: int, by: User | None = None
) -> Period:
    """The period of a policy for (year, number), created open with deadlines from the policy."""
    existing = Period.objects.filter(
        kind=policy.frequency, bloc=policy.bloc, year=year, number=number
    ).first()
    if existing:
        return existing
    start, end, close_year, close_month = _bounds(policy.frequency, year, number)
    log_close = date(close_year, close_month, min(policy.log_close_day, end.day))
    self_due = log_close + timedelta(days=policy.self_assessment_days)
    period = Period(
        kind=policy.frequency,
        bloc=policy.bloc,
        year=year,
        number=number,
        start=start,
        end=end,
        log_close=log_close,
        self_assessment_due=self_due,
        review_due=self_due + timedelta(days=policy.review_days),
        lock_date=end + timedelta(days=policy.lock_days),
    )
    period.full_clean()
    period.save()
    audit.record(by=by, action="period.open", obj=period, changes={"state": [None, period.state]})
    return period


def period_containing(*, bloc: str, on: date) -> Period:
    policy = policy_for(bloc)
    return period_ensure(
        policy=policy, year=on.year, number=period_number_for(policy.frequency, on)
    )


def period_for_work(*, bloc: str, completed_on: date) -> Period:
    """Work finished after a period's logging closed counts in the next period."""
    period = period_containing(bloc=bloc, on=completed_on)
    if completed_on > period.log_close:
        period = period_containing(bloc=bloc, on=period.end + timedelta(days=1))
    return period


def previous_period(period: Period) -> Period | None:
    return (
        Period.objects.filter(kind=period.kind, bloc=period.bloc, start__lt=period.start)
        .order_by("-start")
        .first()
    )


@transaction.atomic
def period_set_state(*, period: Period, state: str, by: User | None, reason: str = "") -> Period:
    """Move a period forward one step (open → in review → decided → published → locked)."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    if by is not None and not org_permissions.is_system_admin(by):
        raise PermissionDenied
    if state not in STATE_ORDER or STATE_ORDER.index(state) != STATE_ORDER.index(period.state) + 1:
        raise ValidationError(
            _("Không thể chuyển kỳ từ “%(old)s” sang “%(new)s”.")
            % {
                "old": period.get_state_display(),
                "new": PeriodState(state).label if state in STATE_ORDER else state,
            }
        )
    old = period.state
    period.state = state
    period.save(update_fields=["state"])
    audit.record(
        by=by, action="period.state", obj=period, reason=reason, changes={"state": [old, state]}
    )
    return period


@transaction.atomic
def period_reopen(*, period: Period, by: User, reason: str) -> Period:
    """Open a locked period again (back to review); only with a recorded reason."""
    if not org_permissions.is_system_admin(by):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Phải ghi lý do mở lại kỳ đã khóa."))
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.state != PeriodState.LOCKED:
        raise ValidationError(_("Chỉ mở lại được kỳ đã khóa."))
    period.state = PeriodState.IN_REVIEW
    period.save(update_fields=["state"])
    PeriodReopening.objects.create(period=period, reopened_by=by, reason=reason)
    audit.record(
        by=by,
        action="period.reopen",
        obj=period,
        reason=reason,
        changes={"state": [PeriodState.LOCKED, PeriodState.IN_REVIEW]},
    )
    return period


POLICY_FIELDS = [
    "frequency",
    "log_close_day",
    "self_assessment_days",
    "review_days",
    "lock_days",
    "daily_pace_factor",
    "working_day_hours",
    "appeal_days",
    "appeal_resolve_days",
    "annual_deadline_day",
    "annual_deadline_month",
]


@transaction.atomic
def period_policy_update(*, policy: PeriodPolicy, by: User, **fields) -> PeriodPolicy:
    """Change (or first save) a bloc's period policy; periods already opened keep their dates."""
    if not org_permissions.is_system_admin(by):
        raise PermissionDenied
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"Unknown policy fields: {sorted(unknown)}")
    if policy.pk:
        policy = PeriodPolicy.objects.select_for_update().get(pk=policy.pk)
    before = audit.snapshot(policy, POLICY_FIELDS) if policy.pk else {}
    for name, value in fields.items():
        # Equal values are left alone, so 3 and 3.00 do not show up as a change.
        if getattr(policy, name) != value:
            setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    audit.record(
        by=by,
        action="period.policy",
        obj=policy,
        changes=audit.diff(before, audit.snapshot(policy, POLICY_FIELDS)),
    )
    return policy


def periods_tick(*, today: date | None = None) -> dict[str, int]:
    """The daily beat: open the periods that have begun, close logging, lock at the lock date."""
    today = today or timezone.localdate()
    opened = 0
    policies = list(PeriodPolicy.objects.all()) or [PeriodPolicy(bloc="")]
    for policy in policies:
        for day in (today, today + timedelta(days=10)):
            number = period_number_for(policy.frequency, day)
            if not Period.objects.filter(
                kind=policy.frequency, bloc=policy.bloc, year=day.year, number=number
            ).exists():
                period_ensure(policy=policy, year=day.year, number=number)
                opened += 1
    closed = locked = 0
    for period in Period.objects.filter(state=PeriodState.OPEN, log_close__lt=today):
        period_set_state(
            period=period, state=PeriodState.IN_REVIEW, by=None, reason=_("Hết hạn ghi nhận")
        )
        closed += 1
    # The lock date never cuts an appeal short: a period with an appeal still open waits for its
    # resolution, and the appeal beat locks it then.
    due = Period.objects.filter(state=PeriodState.PUBLISHED, lock_date__lt=today).exclude(
        evaluations__appeals__status=AppealStatus.OPEN
    )
    for period in due:
        period_set_state(
            period=period, state=PeriodState.LOCKED, by=None, reason=_("Đến ngày khóa kỳ")
        )
        locked += 1
    return {"opened": opened, "closed": closed, "locked": locked}


# ---- where a person works ------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    person: Person
    unit: OrgUnit
    role: str


def placement_of(person: Person, on: date) -> Placement:
    assignment = person.primary_assignment_on(on)
    if assignment is None:
        raise ValidationError(
            _("%(name)s không có nơi công tác chính vào ngày %(d)s.")
            % {"name": person.full_name, "d": on.strftime("%d/%m/%Y")}
        )
    return Placement(person, assignment.unit, assignment.role)


def products_for(person: Person, on: date):
    """Catalog products the person may log: own and ancestor units', the sector's, their group."""
    placement = placement_of(person, on)
    group = person.job_position.group if person.job_position_id else None
    return Product.objects.usable_by(placement.unit, on, group)


def _require_product(person: Person, product: Product, on: date) -> None:
    if not products_for(person, on).filter(pk=product.pk).exists():
        raise ValidationError(
            _(
                "Sản phẩm “%(p)s” không thuộc danh mục áp dụng cho đơn vị, "
                "vị trí việc làm của bạn vào ngày %(d)s."
            )
            % {"p": product.name, "d": on.strftime("%d/%m/%Y")}
        )


def _require_open(period: Period, *, for_review: bool = False) -> None:
    allowed = REVIEWABLE_STATES if for_review else (PeriodState.OPEN,)
    if period.state not in allowed:
        raise ValidationError(
            _("Kỳ %(p)s đang ở trạng thái “%(s)s”: không thể thay đổi.")
            % {"p": period, "s": period.get_state_display()}
        )


def _acting_for(by: User, person: Person, on: date) -> User | None:
    from orgunits.services import acting_for

    return acting_for(by, person, on)


# ---- plans ---------------------------------------------------------------------------------


def _require_planner(by: User, person: Person, on: date) -> None:
    if not org_permissions.can_approve_for(by, person, on):
        raise PermissionDenied(_("Bạn không có quyền giao nhiệm vụ cho người này."))


@transaction.atomic
def plan_item_assign(
    *,
    by: User,
    person: Person,
    period: Period,
    product: Product,
    quantity: Decimal,
    due_date: date,
    note: str = "",
) -> PlanItem:
    """A head (or acting delegate) assigns a catalog product to a person for the period."""
    today = timezone.localdate()
    _require_planner(by, person, today)
    _require_open(period, for_review=True)
    _require_product(person, product, max(period.start, min(today, period.end)))
    item = PlanItem(
        period=period,
        person=person,
        product=product,
        quantity=quantity,
        coefficient=product.coefficient,
        due_date=due_date,
        note=note,
        created_by=by,
        on_behalf_of=_acting_for(by, person, today),
        status=PlanStatus.ASSIGNED,
    )
    _check_due(item)
    item.full_clean()
    item.save()
    audit.record(
        by=by,
        action="plan.assign",
        obj=item,
        on_behalf_of=item.on_behalf_of,
        changes={
            "product": [None, product.pk],
            "quantity": [None, str(quantity)],
            "due_date": [None, due_date.isoformat()],
        },
    )
    return item


def _check_due(item: PlanItem) -> None:
    if not item.period.start <= item.due_date <= item.period.end + timedelta(days=31):
        raise ValidationError(
            {"due_date": _("Hạn hoàn thành phải nằm trong kỳ %(p)s.") % {"p": item.period}}
        )


@transaction.atomic
def plan_bulk_assign(
    *,
    by: User,
    people: list[Person],
    period: Period,
    lines: list[tuple[Product, Decimal, date]],
    note: str = "",
) -> list[PlanItem]:
    """The same items to many people at once; any refusal cancels the whole batch."""
    created = []
    for person in people:
        for product, quantity, due_date in lines:
            created.append(
                plan_item_assign(
                    by=by,
                    person=person,
                    period=period,
                    product=product,
                    quantity=quantity,
                    due_date=due_date,
                    note=note,
                )
            )
    return created


@transaction.atomic
def plan_copy_previous(*, by: User, person: Person, period: Period) -> list[PlanItem]:
    """Copy last period's assigned items, moving each due date by the same offset."""
    previous = previous_period(period)
    if previous is None:
        raise ValidationError(_("Không có kỳ trước để sao chép kế hoạch."))
    items = PlanItem.objects.filter(person=person, period=previous, status=PlanStatus.ASSIGNED)
    items = items.select_related("product")
    if not items:
        raise ValidationError(
            _("Kỳ trước không có nhiệm vụ nào được giao cho %(n)s.") % {"n": person.full_name}
        )
    shift = period.start - previous.start
    return [
        plan_item_assign(
            by=by,
            person=person,
            period=period,
            product=item.product,
            quantity=item.quantity,
            due_date=min(item.due_date + shift, period.end),
            note=item.note,
        )
        for item in items
    ]


@transaction.atomic
def plan_item_propose(
    *, by: User, period: Period, product: Product, quantity: Decimal, due_date: date, note: str = ""
) -> PlanItem:
    """A person proposes an item for their own plan; the head accepts or declines it."""
    person = _person_of(by)
    _require_open(period)
    _require_product(person, product, max(period.start, min(timezone.localdate(), period.end)))
    item = PlanItem(
        period=period,
        person=person,
        product=product,
        quantity=quantity,
        coefficient=product.coefficient,
        due_date=due_date,
        note=note,
        created_by=by,
        status=PlanStatus.PROPOSED,
    )
    _check_due(item)
    item.full_clean()
    item.save()
    audit.record(
        by=by,
        action="plan.propose",
        obj=item,
        changes={"product": [None, product.pk], "quantity": [None, str(quantity)]},
    )
    notify(
        recipients=_reviewers_of(person, timezone.localdate()),
        kind="plan.proposed",
        title=_("%(n)s đề xuất nhiệm vụ: %(p)s") % {"n": person.full_name, "p": product.name},
        url=reverse("evaluations:team_plan", args=[period.pk]),
    )
    return item


@transaction.atomic
def plan_item_decide(*, by: User, item: PlanItem, accept: bool, reason: str = "") -> PlanItem:
    item = PlanItem.objects.select_for_update().select_related("period", "person").get(pk=item.pk)
    _require_planner(by, item.person, timezone.localdate())
    if item.status != PlanStatus.PROPOSED:
        raise ConflictError(_("Đề xuất này đã được xử lý."))
    if not accept and not reason.strip():
        raise ValidationError(_("Phải ghi lý do không chấp nhận đề xuất."))
    old = item.status
    item.status = PlanStatus.ASSIGNED if accept else PlanStatus.DECLINED
    item.decline_reason = "" if accept else reason
    item.on_behalf_of = _acting_for(by, item.person, timezone.localdate())
    item.save(update_fields=["status", "decline_reason", "on_behalf_of"])
    audit.record(
        by=by,
        action="plan.accept" if accept else "plan.decline",
        obj=item,
        reason=reason,
        on_behalf_of=item.on_behalf_of,
        changes={"status": [old, item.status]},
    )
    notify(
        recipients=[item.person.user],
        kind="plan.decided",
        title=(
            _("Đề xuất được chấp nhận: %(p)s")
            if accept
            else _("Đề xuất không được chấp nhận: %(p)s")
        )
        % {"p": item.product.name},
        body=reason,
        url=reverse("evaluations:my_plan", args=[item.period_id]),
    )
    return item


@transaction.atomic
def plan_item_remove(*, by: User, item: PlanItem, reason: str = "") -> None:
    item = PlanItem.objects.select_for_update().select_related("period", "person").get(pk=item.pk)
    _require_planner(by, item.person, timezone.localdate())
    _require_open(item.period, for_review=True)
    if item.entries.exists():
        raise ValidationError(_("Nhiệm vụ đã có sản phẩm ghi nhận, không thể xóa."))
    audit.record(
        by=by,
        action="plan.remove",
        obj=item,
        reason=reason,
        changes={"product": [item.product_id, None], "quantity": [str(item.quantity), None]},
    )
    item.delete()


# ---- work entries --------------------------------------------------------------------------


def _person_of(user: User) -> Person:
    person = getattr(user, "person", None)
    if person is None:
        raise PermissionDenied(_("Tài khoản này không gắn với hồ sơ cán bộ."))
    return person


ENTRY_FIELDS = [
    "product",
    "quantity",
    "completed_on",
    "plan_item",
    "doc_number",
    "doc_date",
    "link",
    "note",
]


def _attach_evidence(entry: WorkEntry, upload) -> None:
    if upload is None:
        return
    try:
        kind = validate_evidence(upload)
    except ValidationError as error:
        # Named after the field, so a form shows the message beside the file input.
        raise ValidationError({"evidence": error.messages}) from error
    entry.evidence_name = upload.name[:255]
    entry.evidence_type = kind.content_type
    entry.evidence.save(upload.name, upload, save=False)


def _fill(entry: WorkEntry, person: Person, fields: dict) -> None:
    for name, value in fields.items():
        setattr(entry, name, value)
    if entry.completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("Ngày hoàn thành không được sau hôm nay.")})
    placement = placement_of(person, entry.completed_on)
    entry.unit, entry.author_role = placement.unit, placement.role
    entry.period = period_for_work(bloc=placement.unit.bloc, completed_on=entry.completed_on)
    _require_open(entry.period)
    _require_product(person, entry.product, entry.completed_on)
    entry.coefficient = entry.product.coefficient
    if entry.plan_item_id:
        item = entry.plan_item
        if item.person_id != person.pk or item.status != PlanStatus.ASSIGNED:
            raise ValidationError({"plan_item": _("Nhiệm vụ được chọn không phải của bạn.")})
        if item.product_id != entry.product_id:
            raise ValidationError(
                {"plan_item": _("Sản phẩm khác với sản phẩm của nhiệm vụ được giao.")}
            )


@transaction.atomic
def entry_create(*, by: User, evidence=None, **fields) -> WorkEntry:
    """A person logs a completed product (a draft until submitted)."""
    person = _person_of(by)
    entry = WorkEntry(person=person)
    _fill(entry, person, fields)
    _attach_evidence(entry, evidence)
    entry.full_clean()
    entry.save()
    audit.record(
        by=by,
        action="worklog.create",
        obj=entry,
        unit_path=entry.unit.path,
        changes=audit.diff({}, audit.snapshot(entry, ENTRY_FIELDS)),
    )
    return entry


@transaction.atomic
def entry_repeat(*, by: User, source: WorkEntry, completed_on: date | None = None) -> WorkEntry:
    """Log the same product and quantity again today: the two-click path for recurring work."""
    if source.person.user_id != by.pk:
        raise PermissionDenied
    return entry_create(
        by=by,
        product=source.product,
        quantity=source.quantity,
        completed_on=completed_on or timezone.localdate(),
        note=source.note,
    )


def _locked_own_entry(by: User, entry: WorkEntry) -> WorkEntry:
    entry = (
        WorkEntry.objects.select_for_update().select_related("period", "person").get(pk=entry.pk)
    )
    if entry.person.user_id != by.pk:
        raise PermissionDenied
    return entry


@transaction.atomic
def entry_update(*, by: User, entry: WorkEntry, evidence=None, **fields) -> WorkEntry:
    entry = _locked_own_entry(by, entry)
    if not entry.is_editable_by_author:
        raise ValidationError(_("Chỉ sửa được sản phẩm ở trạng thái nháp hoặc bị trả lại."))
    _require_open(entry.period)
    before = audit.snapshot(entry, ENTRY_FIELDS)
    _fill(entry, entry.person, fields)
    _attach_evidence(entry, evidence)
    entry.version += 1
    entry.full_clean()
    entry.save()
    audit.record(
        by=by,
        action="worklog.update",
        obj=entry,
        unit_path=entry.unit.path,
        changes=audit.diff(before, audit.snapshot(entry, ENTRY_FIELDS)),
    )
    return entry


@transaction.atomic
def entry_delete(*, by: User, entry: WorkEntry) -> None:
    entry = _locked_own_entry(by, entry)
    if entry.status != EntryStatus.DRAFT:
        raise ValidationError(_("Chỉ xóa được sản phẩm còn ở trạng thái nháp."))
    _require_open(entry.period)
    audit.record(
        by=by,
        action="worklog.delete",
        obj=entry,
        unit_path=entry.unit.path,
        changes=audit.diff(audit.snapshot(entry, ENTRY_FIELDS), {}),
    )
    entry.delete()


def _reviewers_of(person: Person, on: date) -> list[User]:
    """The nearest leaders (and their live delegates) whose approval scope covers the person.

    Leaders further up see the work in their queues too, but are not pinged for every entry.
    """
    placement = person.primary_assignment_on(on)
    if placement is None:
        return []
    path = placement.unit.path
    ancestors = ancestor_paths(path, OrgUnit.steplen)
    from orgunits.models import Delegation

    leaders = Assignment.objects.active_on(on).filter(
        unit__path__in=ancestors, role__in=roles.LEADER_ROLES
    )
    delegations = Delegation.objects.filter(
        unit__path__in=ancestors, revoked_at__isnull=True, valid_from__lte=on, valid_to__gte=on
    )
    by_unit: dict[str, list[User]] = defaultdict(list)
    for a in leaders.select_related("person__user", "unit"):
        if a.person_id != person.pk and roles.scope_covers(
            (a.unit.path, roles.rank(a.role), None), path, placement.role
        ):
            by_unit[a.unit.path].append(a.person.user)
    for d in delegations.select_related("delegate__user", "unit"):
        if d.delegate_id != person.pk and roles.scope_covers(
            (d.unit.path, 2, None), path, placement.role
        ):
            by_unit[d.unit.path].append(d.delegate.user)
    return by_unit[max(by_unit, key=len)] if by_unit else []


def _flags(entry: WorkEntry, policy: PeriodPolicy) -> list[str]:
    """Plausibility: a day's converted total far above the quota pace, or more hours than a day."""
    person = entry.person
    day_entries = (
        WorkEntry.objects.filter(person=person, completed_on=entry.completed_on)
        .exclude(status=EntryStatus.RETURNED)
        .select_related("product")
    )
    day_total = sum((e.quantity * e.coefficient for e in day_entries), ZERO)
    flags = []
    group = person.job_position.group if person.job_position_id else None
    quota = quota_for(unit=entry.unit, group=group, on=entry.completed_on) if group else None
    if quota:
        pace = quota / WORKING_DAYS_PER_MONTH
        if day_total > pace * policy.daily_pace_factor:
            flags.append("day_over_pace")
        week_start = entry.completed_on - timedelta(days=entry.completed_on.weekday())
        week_total = (
            WorkEntry.objects.filter(
                person=person,
                completed_on__gte=week_start,
                completed_on__lt=week_start + timedelta(days=7),
            )
            .exclude(status=EntryStatus.RETURNED)
            .values_list("quantity", "coefficient")
        )
        if sum((q * k for q, k in week_total), ZERO) > pace * 5 * policy.daily_pace_factor:
            flags.append("week_over_pace")
    hours = sum(((e.product.expected_hours or ZERO) * e.quantity for e in day_entries), ZERO)
    if hours > policy.working_day_hours:
        flags.append("hours_over_day")
    return flags


FLAG_LABELS = {
    "day_over_pace": _("Tổng sản phẩm chuẩn trong ngày vượt xa định mức"),
    "week_over_pace": _("Tổng sản phẩm chuẩn trong tuần vượt xa định mức"),
    "hours_over_day": _("Tổng giờ dự kiến trong ngày vượt quá một ngày làm việc"),
}


def _submit(by: User, entry: WorkEntry, now) -> None:
    if entry.status not in (EntryStatus.DRAFT, EntryStatus.RETURNED):
        raise ValidationError(_("Sản phẩm này đã được gửi."))
    _require_open(entry.period)
    old = entry.status
    entry.status, entry.submitted_at = EntryStatus.SUBMITTED, now
    entry.flags = _flags(entry, policy_for(entry.unit.bloc))
    entry.version += 1
    entry.save(update_fields=["status", "submitted_at", "flags", "version", "updated_at"])
    audit.record(
        by=by,
        action="worklog.submit",
        obj=entry,
        unit_path=entry.unit.path,
        changes={"status": [old, entry.status], "flags": [[], entry.flags]},
    )


@transaction.atomic
def entry_submit(*, by: User, entry: WorkEntry) -> WorkEntry:
    entry = _locked_own_entry(by, entry)
    _submit(by, entry, timezone.now())
    _notify_reviewers(entry.person, 1, entry.period)
    return entry


@transaction.atomic
def entries_submit_all(*, by: User, period: Period) -> int:
    """Submit every draft (and fixed returned entry) of the period at once."""
    person = _person_of(by)
    entries = list(
        # Only the entries are locked: PostgreSQL refuses FOR UPDATE across nullable joins.
        WorkEntry.objects.select_for_update(of=("self",))
        .filter(person=person, period=period, status__in=[EntryStatus.DRAFT, EntryStatus.RETURNED])
        .select_related("period", "unit", "person__job_position__group")
    )
    if not entries:
        raise ValidationError(_("Không có sản phẩm nháp nào để gửi."))
    now = timezone.now()
    for entry in entries:
        _submit(by, entry, now)
    _notify_reviewers(person, len(entries), period)
    return len(entries)


def _notify_reviewers(person: Person, count: int, period: Period) -> None:
    notify(
        recipients=_reviewers_of(person, timezone.localdate()),
        kind="worklog.submitted",
        title=_("%(n)s gửi %(c)s sản phẩm chờ phê duyệt") % {"n": person.full_name, "c": count},
        url=reverse("evaluations:review_queue"),
    )


# ---- review --------------------------------------------------------------------------------


@dataclass
class Review:
    """A reviewer's verdict on one entry."""

    approve: bool
    approved_quantity: Decimal | None = None
    adjust_reason: str = ""
    quality_pass: bool = True
    major_errors: int = 0
    delays: int | None = None  # None: computed from the due date
    delay_reason: str = ""
    exceeded: bool = False
    exempt: bool = False
    exempt_reason: str = ""
    note: str = ""


def computed_delays(entry: WorkEntry) -> int:
    item = entry.plan_item
    return 1 if item is not None and entry.completed_on > item.due_date else 0


def _require_reviewer(by: User, entry: WorkEntry) -> User | None:
    """The reviewer's right over the entry, and whom they act for (a delegate's head)."""
    if entry.person.user_id == by.pk:
        raise PermissionDenied(_("Không ai được tự phê duyệt sản phẩm của mình."))
    today = timezone.localdate()
    for scope in roles.approval_scopes(by, today):
        if roles.scope_covers(scope, entry.unit.path, entry.author_role):
            acting = scope[2]
            return User.objects.get(username=acting) if acting else None
    raise PermissionDenied(_("Bạn không có quyền phê duyệt sản phẩm này."))


REVIEW_FIELDS = [
    "status",
    "approved_quantity",
    "quality_pass",
    "major_errors",
    "delays",
    "exceeded",
    "exempt",
    "exempt_reason",
    "review_note",
]


def _apply_review(by: User, entry: WorkEntry, review: Review, acting: User | None, now) -> None:
    if entry.status != EntryStatus.SUBMITTED:
        raise ConflictError(
            _("Sản phẩm này đã được %(who)s xử lý (%(s)s); trang của bạn đã cũ, hãy tải lại.")
            % {"who": entry.reviewer or _("người khác"), "s": entry.get_status_display()}
        )
    _require_open(entry.period, for_review=True)
    before = audit.snapshot(entry, REVIEW_FIELDS)
    reason = ""
    if review.approve:
        quantity = entry.quantity if review.approved_quantity is None else review.approved_quantity
        if quantity != entry.quantity and not review.adjust_reason.strip():
            raise ValidationError(_("Điều chỉnh số lượng phải ghi lý do."))
        if quantity < 0:
            raise ValidationError(_("Số lượng được duyệt không được âm."))
        computed = computed_delays(entry)
        delays = computed if review.delays is None else review.delays
        if delays != computed and not review.delay_reason.strip():
            raise ValidationError(_("Sửa số lần chậm tiến độ phải ghi lý do."))
        if review.exempt and not review.exempt_reason.strip():
            raise ValidationError(_("Phải ghi lý do khách quan khi miễn trừ."))
        if review.major_errors < 0 or delays < 0:
            raise ValidationError(_("Số lỗi lớn và số lần chậm không được âm."))
        entry.status = EntryStatus.APPROVED
        entry.approved_quantity = quantity
        entry.quality_pass, entry.major_errors, entry.delays = (
            review.quality_pass,
            review.major_errors,
            delays,
        )
        entry.exceeded, entry.exempt = review.exceeded, review.exempt
        entry.exempt_reason = review.exempt_reason if review.exempt else ""
        entry.exempt_confirmed_by = by if review.exempt else None
        reason = "; ".join(
            r for r in (review.adjust_reason, review.delay_reason, review.exempt_reason) if r
        )
    else:
        if not review.note.strip():
            raise ValidationError(_("Phải ghi lý do trả lại."))
        entry.status = EntryStatus.RETURNED
        reason = review.note
    entry.review_note = review.note
    entry.reviewer, entry.reviewed_on_behalf_of, entry.reviewed_at = by, acting, now
    entry.version += 1
    entry.save()
    changes = audit.diff(before, audit.snapshot(entry, REVIEW_FIELDS))
    action = "worklog.approve" if review.approve else "worklog.return"
    audit.record(
        by=by,
        action=action,
        obj=entry,
        changes=changes,
        reason=reason,
        on_behalf_of=acting,
        unit_path=entry.unit.path,
    )
    if review.approve and entry.approved_quantity != entry.quantity:
        audit.record(
            by=by,
            action="worklog.adjust",
            obj=entry,
            reason=review.adjust_reason,
            on_behalf_of=acting,
            unit_path=entry.unit.path,
            changes={"approved_quantity": [str(entry.quantity), str(entry.approved_quantity)]},
        )
    if review.approve and review.exempt:
        audit.record(
            by=by,
            action="worklog.exempt",
            obj=entry,
            reason=review.exempt_reason,
            on_behalf_of=acting,
            unit_path=entry.unit.path,
        )


@transaction.atomic
def entry_review(
    *, by: User, entry: WorkEntry, review: Review, expected_version: int | None = None
) -> WorkEntry:
    """Approve (possibly adjusted) or return one entry; a second reviewer gets a clear conflict."""
    entry = (
        WorkEntry.objects.select_for_update(of=("self",))
        .select_related("period", "person", "unit", "plan_item", "reviewer")
        .get(pk=entry.pk)
    )
    acting = _require_reviewer(by, entry)
    if expected_version is not None and entry.version != expected_version:
        raise ConflictError(
            _("Sản phẩm này vừa được người khác thay đổi; hãy tải lại trang rồi thử lại.")
        )
    _apply_review(by, entry, review, acting, timezone.now())
    _notify_outcome([entry])
    return entry


@transaction.atomic
def entries_bulk_approve(*, by: User, entry_ids: list[int]) -> int:
    """Approve many submitted entries as logged; the whole batch or nothing."""
    entries = list(
        WorkEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=entry_ids)
        # The product too: each audit row names the entry, and str(entry) shows its product.
        .select_related("period", "person__user", "unit", "product", "plan_item", "reviewer")
        .order_by("pk")
    )
    if len(entries) != len(set(entry_ids)):
        raise ValidationError(_("Một số sản phẩm không còn tồn tại; hãy tải lại trang."))
    today, now = timezone.localdate(), timezone.now()
    scopes = roles.approval_scopes(by, today)
    actors: dict[str, User | None] = {}
    audit_rows, updated = [], []
    for entry in entries:
        scope = next(
            (s for s in scopes if roles.scope_covers(s, entry.unit.path, entry.author_role)), None
        )
        if scope is None or entry.person.user_id == by.pk:
            raise PermissionDenied(_("Bạn không có quyền phê duyệt “%(e)s”.") % {"e": entry})
        if entry.status != EntryStatus.SUBMITTED:
            raise ConflictError(_("“%(e)s” đã được xử lý; hãy tải lại trang.") % {"e": entry})
        _require_open(entry.period, for_review=True)
        acting_name = scope[2]
        if acting_name and acting_name not in actors:
            actors[acting_name] = User.objects.get(username=acting_name)
        acting = actors.get(acting_name) if acting_name else None
        entry.status, entry.approved_quantity = EntryStatus.APPROVED, entry.quantity
        entry.delays = computed_delays(entry)
        entry.reviewer, entry.reviewed_on_behalf_of, entry.reviewed_at = by, acting, now
        entry.version += 1
        updated.append(entry)
        audit_rows.append(
            audit.build(
                by=by,
                action="worklog.approve",
                obj=entry,
                on_behalf_of=acting,
                unit_path=entry.unit.path,
                changes={
                    "status": [EntryStatus.SUBMITTED, EntryStatus.APPROVED],
                    "approved_quantity": [None, str(entry.quantity)],
                    "delays": [0, entry.delays],
                },
            )
        )
    WorkEntry.objects.bulk_update(
        updated,
        [
            "status",
            "approved_quantity",
            "delays",
            "reviewer",
            "reviewed_on_behalf_of",
            "reviewed_at",
            "version",
            "updated_at",
        ],
        batch_size=500,
    )
    audit.bulk_record(audit_rows)
    _notify_outcome(updated)
    return len(updated)


def _notify_outcome(entries: list[WorkEntry]) -> None:
    """One message per person and outcome, not one per entry."""
    grouped: dict[tuple[int, str], list[WorkEntry]] = defaultdict(list)
    for entry in entries:
        outcome = entry.status
        if entry.status == EntryStatus.APPROVED and entry.approved_quantity != entry.quantity:
            outcome = "adjusted"
        grouped[(entry.person.user_id, outcome)].append(entry)
    titles = {
        EntryStatus.APPROVED: _("%(c)s sản phẩm của bạn đã được phê duyệt"),
        EntryStatus.RETURNED: _("%(c)s sản phẩm của bạn bị trả lại"),
        "adjusted": _("%(c)s sản phẩm của bạn được duyệt với số lượng điều chỉnh"),
    }
    for (_user_id, outcome), items in grouped.items():
        first = items[0]
        notify(
            recipients=[first.person.user],
            kind=f"worklog.{outcome}",
            title=titles[outcome] % {"c": len(items)},
            body=first.review_note if len(items) == 1 else "",
            url=reverse("evaluations:worklog", args=[first.period_id]),
        )


# ---- favourites and summaries ---------------------------------------------------------------


@transaction.atomic
def favourite_toggle(*, by: User, product: Product) -> bool:
    person = _person_of(by)
    deleted, _rows = FavouriteProduct.objects.filter(person=person, product=product).delete()
    if deleted:
        return False
    FavouriteProduct.objects.create(person=person, product=product)
    return True


@dataclass(frozen=True)
class Progress:
    """Sản phẩm chuẩn so far against the plan and the quota for one person and period."""

    planned: Decimal
    logged: Decimal
    submitted: Decimal
    approved: Decimal
    quota: Decimal | None

    @property
    def approved_share_of_target(self) -> int | None:
        target = self.planned or self.quota
        return None if not target else min(100, int(self.approved / target * 100))


def progress_of(person: Person, period: Period) -> Progress:
    entries = WorkEntry.objects.filter(person=person, period=period)
    by_status = defaultdict(lambda: ZERO)
    for status, quantity, approved, coefficient in entries.values_list(
        "status", "quantity", "approved_quantity", "coefficient"
    ):
        counted = approved if approved is not None else quantity
        by_status[status] += counted * coefficient
    planned = PlanItem.objects.filter(person=person, period=period, status=PlanStatus.ASSIGNED)
    planned_total = sum((q * k for q, k in planned.values_list("quantity", "coefficient")), ZERO)
    quota = None
    placement = person.primary_assignment_on(min(period.end, timezone.localdate()))
    if placement and person.job_position_id:
        monthly = quota_for(unit=placement.unit, group=person.job_position.group, on=period.start)
        if monthly is not None:
            months = 1 if period.kind == Frequency.MONTHLY else 3
            quota = monthly * months
    return Progress(
        planned=planned_total,
        logged=sum(by_status.values(), ZERO),
        submitted=by_status[EntryStatus.SUBMITTED],
        approved=by_status[EntryStatus.APPROVED],
        quota=quota,
    )
