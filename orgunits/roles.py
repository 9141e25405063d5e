"""Where rights come from: explicit grants, leader assignments, delegations, guardian."""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .models import Assignment, AssignmentRole, Delegation, OrgUnit, Role, RoleGrant, User

LEADER_ROLES = (AssignmentRole.HEAD, AssignmentRole.DEPUTY)


def is_system_admin(user: User, on: date) -> bool:
    if user.is_superuser:
        return True
    return _grants(user, on).filter(role=Role.SYSTEM_ADMIN).exists()


def _grants(user: User, on: date):
    return RoleGrant.objects.active_on(on).filter(user=user)


def _active_delegations(user: User, on: date):
    return Delegation.objects.filter(
        delegate__user=user, revoked_at__isnull=True, valid_from__lte=on, valid_to__gte=on
    )


def granted_paths(user: User, on: date, roles: tuple[str, ...]) -> set[str]:
    return set(_grants(user, on).filter(role__in=roles).values_list("unit__path", flat=True))


def leader_paths(user: User, on: date) -> set[str]:
    """Units the user leads by assignment, plus those lent to them by a live delegation."""
    led = Assignment.objects.active_on(on).filter(person__user=user, role__in=LEADER_ROLES)
    paths = set(led.values_list("unit__path", flat=True))
    paths |= set(_active_delegations(user, on).values_list("unit__path", flat=True))
    return paths


def guardian_paths(user: User) -> set[str]:
    """Subtrees opened to the user one by one with guardian's `view_orgunit` object permission."""
    from guardian.models import UserObjectPermission

    unit_type = ContentType.objects.get_for_model(OrgUnit)
    ids = UserObjectPermission.objects.filter(
        user=user, content_type=unit_type, permission__codename="view_orgunit"
    ).values_list("object_pk", flat=True)
    return set(OrgUnit.objects.filter(pk__in=[int(i) for i in ids]).values_list("path", flat=True))


def scope_root_paths(user: User, on: date) -> set[str] | None:
    """Every subtree root the user oversees; None means the whole province."""
    if is_system_admin(user, on):
        return None
    roles = (Role.HR_OFFICER, Role.ORG_DEPT_VIEWER, Role.SECTOR_ADMIN)
    return granted_paths(user, on, roles) | leader_paths(user, on) | guardian_paths(user)


def leader_assignments(user: User, on: date):
    return Assignment.objects.active_on(on).filter(person__user=user, role__in=LEADER_ROLES)


def delegations_to(user: User, on: date):
    return _active_delegations(user, on).select_related("unit", "delegator")


def has_role(user: User, on: date, role: str, unit: OrgUnit | None = None) -> bool:
    """The user holds `role` (on a unit covering `unit`, when given) on the date."""
    grants = _grants(user, on).filter(role=role)
    if unit is None:
        return grants.exists()
    ancestors = [unit.path[:i] for i in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)]
    return grants.filter(Q(unit__path__in=ancestors)).exists()
