"""What a user may do with periods, plans, work entries, evaluations and appeals."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from orgunits import permissions as org_permissions
from orgunits import roles
from orgunits.models import Assignment, AssignmentRole, OrgUnit, Person, Role, User
from orgunits.querysets import covers, scope_paths

from . import assessment
from .models import (
    AnnualResult,
    Appeal,
    AppealAttachment,
    AppealStatus,
    EntryStatus,
    Evaluation,
    EvaluationState,
    Period,
    PeriodState,
    QuarterResult,
    WorkEntry,
)


def can_log_work(user: User) -> bool:
    person = getattr(user, "person", None) if user.is_authenticated else None
    return person is not None and person.primary_assignment_on(timezone.localdate()) is not None


def can_edit_entry(user: User, entry: WorkEntry) -> bool:
    return (
        entry.person.user_id == user.pk
        and entry.is_editable_by_author
        and entry.period.state == PeriodState.OPEN
    )


def can_review(user: User) -> bool:
    """Has anyone's work to review at all (a leader or a live delegate)."""
    return user.is_authenticated and bool(roles.approval_scopes(user, timezone.localdate()))


def can_review_entry(user: User, entry: WorkEntry) -> bool:
    if not user.is_authenticated or entry.person.user_id == user.pk:
        return False
    if entry.status != EntryStatus.SUBMITTED:
        return False
    if entry.period.state not in (PeriodState.OPEN, PeriodState.IN_REVIEW):
        return False
    scopes = roles.approval_scopes(user, timezone.localdate())
    return any(roles.scope_covers(s, entry.unit.path, entry.author_role) for s in scopes)


def can_plan_for(user: User, person: Person) -> bool:
    return org_permissions.can_approve_for(user, person)


def can_manage_periods(user: User) -> bool:
    return org_permissions.is_system_admin(user)


def can_download_evidence(user: User, entry: WorkEntry) -> bool:
    """The author, and whoever oversees the unit the entry was logged in."""
    return WorkEntry.objects.visible_to(user).filter(pk=entry.pk).exists()


def can_change_period(user: User, period: Period) -> bool:
    return can_manage_periods(user) and period.state != PeriodState.LOCKED


# ---- phiếu đánh giá, quyết định, khiếu nại (issue 6) -------------------------------------------


def _oversees(user: User, evaluation: Evaluation) -> bool:
    # The scope rule of Evaluation.objects.visible_to, checked on the row: no query per listed row.
    return covers(scope_paths(user), evaluation.unit.path)


def can_see_breakdown(user: User, evaluation: Evaluation) -> bool:
    """The person and those who oversee their unit see every point; colleagues only the grade."""
    if not user.is_authenticated:
        return False
    return evaluation.person.user_id == user.pk or _oversees(user, evaluation)


def can_see_decision(user: User, evaluation: Evaluation) -> bool:
    """The decided rating: the chain from the decision on, the person from publication on."""
    if evaluation.state == EvaluationState.PUBLISHED:
        return can_see_breakdown(user, evaluation)
    return (
        evaluation.state == EvaluationState.DECIDED
        and evaluation.person.user_id != user.pk
        and can_see_breakdown(user, evaluation)
    )


def _period_open(evaluation: Evaluation) -> bool:
    return evaluation.period.state != PeriodState.LOCKED


def can_self_assess(user: User, evaluation: Evaluation) -> bool:
    return (
        user.is_authenticated
        and evaluation.person.user_id == user.pk
        and evaluation.state in (EvaluationState.DRAFT, EvaluationState.SELF_ASSESSED)
        and _period_open(evaluation)
    )


def can_head_assess(user: User, evaluation: Evaluation) -> bool:
    """A leader (or live delegate) above the person, once the person has self-assessed."""
    return (
        user.is_authenticated
        and evaluation.state in (EvaluationState.SELF_ASSESSED, EvaluationState.HEAD_ASSESSED)
        and _period_open(evaluation)
        and assessment.can_assess(user, evaluation)
    )


def can_return_evaluation(user: User, evaluation: Evaluation) -> bool:
    return can_head_assess(user, evaluation)


def can_hr_check_any(user: User) -> bool:
    return user.is_authenticated and roles.has_role(user, timezone.localdate(), Role.HR_OFFICER)


def can_hr_check_evaluation(user: User, evaluation: Evaluation) -> bool:
    return (
        user.is_authenticated
        and evaluation.state == EvaluationState.HEAD_ASSESSED
        and _period_open(evaluation)
        and assessment.can_hr_check(user, evaluation)
    )


def deciding_units_for(user: User) -> QuerySet[OrgUnit]:
    """Agencies, communes and public-service units whose results the user decides."""
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    query = Q(pk__in=[])
    for path, rank, _acting in roles.approval_scopes(user, timezone.localdate()):
        # Only a head (or a head's delegate) decides for the unit they lead itself.
        query |= Q(path__startswith=path) & ~Q(path=path)
        if rank >= roles.RANK[AssignmentRole.HEAD]:
            query |= Q(path=path)
    return OrgUnit.objects.filter(query, kind__in=assessment.DECIDING_KINDS)


def is_decider(user: User) -> bool:
    return deciding_units_for(user).exists()


def can_decide_for(user: User, unit: OrgUnit) -> bool:
    return (
        user.is_authenticated
        and unit.kind in assessment.DECIDING_KINDS
        and assessment.can_decide(user, unit)
    )


def can_view_unit_results(user: User, unit: OrgUnit, period: Period) -> bool:
    """Colleagues of the unit (in the period or today) and whoever oversees it."""
    if not user.is_authenticated:
        return False
    paths = scope_paths(user)
    if covers(paths, unit.path):
        return True
    if Evaluation.objects.filter(period=period, unit=unit, person__user=user).exists():
        return True
    return (
        Assignment.objects.active_on(timezone.localdate())
        .filter(person__user=user, unit=unit)
        .exists()
    )


def can_file_appeal(user: User, evaluation: Evaluation) -> bool:
    """The person, once published, within the working-day limit, with no appeal pending."""
    if not user.is_authenticated or evaluation.person.user_id != user.pk:
        return False
    deadline = assessment.appeal_deadline(evaluation)
    return (
        evaluation.state == EvaluationState.PUBLISHED
        and deadline is not None
        and timezone.localdate() <= deadline
        and not evaluation.appeals.filter(status=AppealStatus.OPEN).exists()
    )


def can_resolve_appeal(user: User, appeal: Appeal) -> bool:
    return (
        user.is_authenticated
        and appeal.status == AppealStatus.OPEN
        and assessment.can_decide(user, appeal.evaluation.deciding_unit)
    )


def can_download_appeal_attachment(user: User, attachment: AppealAttachment) -> bool:
    return can_see_breakdown(user, attachment.appeal.evaluation)


def can_assess_collective(user: User, unit: OrgUnit) -> bool:
    """The superior body: whoever decides for the unit's parent, or a system administrator."""
    if not user.is_authenticated or unit.kind not in assessment.DECIDING_KINDS:
        return False
    if org_permissions.is_system_admin(user):
        return True
    parent = OrgUnit.objects.get_parent(unit)
    return parent is not None and assessment.can_decide(user, parent)


# ---- the year, the leaders' quarter, locking (issue 6) -----------------------------------------


def can_see_annual(user: User, result: AnnualResult) -> bool:
    """The chain from computation on; the person once the year is published, as for periods."""
    if not user.is_authenticated:
        return False
    if result.person.user_id == user.pk:
        return result.published_at is not None
    return AnnualResult.objects.visible_to(user).filter(pk=result.pk).exists()


def can_view_unit_annual(user: User, unit: OrgUnit, year: int) -> bool:
    """Colleagues of the unit (in the year or today) and whoever oversees it."""
    if not user.is_authenticated:
        return False
    paths = scope_paths(user)
    if covers(paths, unit.path):
        return True
    if AnnualResult.objects.filter(year=year, unit=unit, person__user=user).exists():
        return True
    return (
        Assignment.objects.active_on(timezone.localdate())
        .filter(person__user=user, unit=unit)
        .exists()
    )


def can_preview_annual(user: User) -> bool:
    """Leaders and delegates see the year of the people they assess before it is decided."""
    return can_review(user)


def can_see_quarter(user: User, result: QuarterResult) -> bool:
    """The chain from computation on; the leader once the decider has decided."""
    if not user.is_authenticated:
        return False
    if result.person.user_id == user.pk:
        return result.decided_at is not None
    return QuarterResult.objects.visible_to(user).filter(pk=result.pk).exists()


def can_lock_period(user: User, period: Period) -> bool:
    return period.pk in lockable_periods(user, [period])


def lockable_periods(user: User, periods: list[Period]) -> set[int]:
    """`can_lock_period` for a page of periods, their lock rules read in one go."""
    if not can_manage_periods(user):
        return set()
    blockers = assessment.period_lock_blockers(periods)
    return {pk for pk, blocker in blockers.items() if blocker is None}
