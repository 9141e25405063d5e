"""What a user may do with periods, plans and work entries."""

from __future__ import annotations

from django.utils import timezone

from orgunits import permissions as org_permissions
from orgunits import roles
from orgunits.models import Person, User

from .models import EntryStatus, Period, PeriodState, WorkEntry


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
