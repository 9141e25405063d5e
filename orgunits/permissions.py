"""What a user may do, as predicates; `None` for the object means "anywhere, in general"."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from . import roles
from .models import Assignment, AssignmentRole, OrgUnit, Person, Role, User
from .querysets import scope_paths


def _today(on: date | None) -> date:
    return on or timezone.localdate()


def is_system_admin(user: User, on: date | None = None) -> bool:
    return user.is_authenticated and roles.is_system_admin(user, _today(on))


def can_manage_unit(user: User, unit: OrgUnit | None = None, on: date | None = None) -> bool:
    """Create, edit, move, close and merge units, add people and change assignments."""
    if not user.is_authenticated:
        return False
    on = _today(on)
    if roles.is_system_admin(user, on):
        return True
    if unit is None:
        return roles.has_role(user, on, Role.SECTOR_ADMIN)
    return roles.has_role(user, on, Role.SECTOR_ADMIN, unit)


def can_manage_person(user: User, person: Person, on: date | None = None) -> bool:
    """Edit, transfer or deactivate a person: whoever manages the unit they (last) worked in."""
    on = _today(on)
    current = person.primary_assignment_on(on) or (
        person.assignments.select_related("unit").order_by("-start").first()
    )
    return current is not None and can_manage_unit(user, current.unit, on)


def can_grant_roles(user: User, on: date | None = None) -> bool:
    return is_system_admin(user, on)


def can_view_unit(user: User, unit: OrgUnit, on: date | None = None) -> bool:
    return OrgUnit.objects.visible_to(user, on).filter(pk=unit.pk).exists()


def can_view_person(user: User, person: Person, on: date | None = None) -> bool:
    return Person.objects.visible_to(user, on).filter(pk=person.pk).exists()


def can_view_directory(user: User, on: date | None = None) -> bool:
    """The staff directory is for those who oversee someone besides themselves."""
    return user.is_authenticated and scope_paths(user, on) != ()


def _rank(role: str) -> int:
    return {AssignmentRole.HEAD: 2, AssignmentRole.DEPUTY: 1}.get(role, 0)


def can_approve_for(user: User, person: Person, on: date | None = None) -> bool:
    """Approve work and rate `person`: a leader (or delegate) above them, never themself.

    A leader approves everyone below their unit, and in their own unit only those of lower
    rank, so a head's own entries go up to the leaders of the unit above.
    """
    if not user.is_authenticated or person.user_id == user.pk:
        return False
    on = _today(on)
    target = person.primary_assignment_on(on)
    if target is None:
        return False
    unit_path = target.unit.path
    for lead in roles.leader_assignments(user, on).select_related("unit"):
        if unit_path.startswith(lead.unit.path) and (
            unit_path != lead.unit.path or _rank(target.role) < _rank(lead.role)
        ):
            return True
    # A delegate acts as the head who lent the rights, but never over that head.
    for delegation in roles.delegations_to(user, on):
        if unit_path.startswith(delegation.unit.path) and (
            unit_path != delegation.unit.path
            or (target.person_id != delegation.delegator_id and target.role != AssignmentRole.HEAD)
        ):
            return True
    return False


def can_delegate(user: User, unit: OrgUnit, on: date | None = None) -> bool:
    """Heads lend their unit's approval rights; system admins record it for them."""
    on = _today(on)
    if is_system_admin(user, on):
        return True
    return (
        Assignment.objects.active_on(on)
        .filter(person__user=user, unit=unit, role=AssignmentRole.HEAD)
        .exists()
    )


def can_hr_check(user: User, unit: OrgUnit, on: date | None = None) -> bool:
    return user.is_authenticated and roles.has_role(user, _today(on), Role.HR_OFFICER, unit)


def can_view_province_dashboard(user: User, unit: OrgUnit | None = None, on=None) -> bool:
    if not user.is_authenticated:
        return False
    on = _today(on)
    return roles.is_system_admin(user, on) or roles.has_role(user, on, Role.ORG_DEPT_VIEWER, unit)


def is_leader(user: User, on: date | None = None) -> bool:
    """Leads a unit or holds a live delegation: exactly when there are approval scopes."""
    return bool(roles.approval_scopes(user, _today(on)))
