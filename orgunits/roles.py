"""Where rights come from: explicit grants, leader assignments, delegations, guardian."""

from __future__ import annotations

from datetime import date

from django.contrib.contenttypes.models import ContentType

from .models import Assignment, AssignmentRole, Delegation, OrgUnit, Role, RoleGrant, User
from .querysets import ancestor_paths

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
    return grants.filter(unit__path__in=ancestor_paths(unit.path, OrgUnit.steplen)).exists()


RANK = {AssignmentRole.HEAD: 2, AssignmentRole.DEPUTY: 1}


def rank(role: str) -> int:
    return RANK.get(role, 0)


def approval_scopes(user: User, on: date) -> list[tuple[str, int, str | None]]:
    """(unit path, rank, acting-for username) triples from which the user approves work.

    Below the unit everyone is covered; inside the unit itself only people of lower rank, so a
    head's own work goes up to the leaders of the unit above. A delegate acts with the rank
    of the head who lent the rights, and never over that head.
    """
    scopes = [
        (path, rank(role), None)
        for path, role in leader_assignments(user, on).values_list("unit__path", "role")
    ]
    scopes += [
        (d.unit.path, RANK[AssignmentRole.HEAD], d.delegator.user.username)
        for d in delegations_to(user, on).select_related("delegator__user")
    ]
    return scopes


def scope_covers(scope: tuple[str, int, str | None], unit_path: str, author_role: str) -> bool:
    path, own_rank, _acting_for = scope
    return unit_path.startswith(path) and (unit_path != path or rank(author_role) < own_rank)
