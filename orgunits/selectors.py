"""Read-side helpers that gather what a page shows; no writes here."""

from datetime import date

from django.db.models import Q

from . import roles
from .models import Assignment, AssignmentRole, OrgUnit, Person, Role, RoleGrant, User


def _person(user: User):
    return getattr(user, "person", None) if user.is_authenticated else None


def profile_summary(user: User, on: date) -> dict:
    person = _person(user)
    assignments = (
        Assignment.objects.filter(person=person).select_related("unit").order_by("-start")
        if person
        else Assignment.objects.none()
    )
    grants = RoleGrant.objects.active_on(on).filter(user=user).select_related("unit")
    return {
        "person": person,
        "assignments": assignments,
        "grants": grants,
        "delegations": roles.delegations_to(user, on),
    }


def home_summary(user: User, on: date) -> dict:
    summary = profile_summary(user, on)
    summary["current"] = [
        a for a in summary["assignments"] if a.start <= on and (a.end is None or a.end >= on)
    ]
    summary["leads"] = roles.leader_assignments(user, on).select_related("unit")
    summary["today"] = on
    return summary


def manageable_units(user: User, on: date):
    """Active units the user may manage: the targets offered by move, merge and transfer forms."""
    units = OrgUnit.objects.active_on(on).only("id", "path", "depth", "name", "code")
    if roles.is_system_admin(user, on):
        return units
    query = Q(pk__in=[])
    for path in roles.granted_paths(user, on, (Role.SECTOR_ADMIN,)):
        query |= Q(path__startswith=path)
    return units.filter(query)


def unit_head_on(unit: OrgUnit, on: date) -> Person | None:
    head = (
        Assignment.objects.active_on(on)
        .filter(unit=unit, role=AssignmentRole.HEAD)
        .select_related("person")
        .first()
    )
    return head.person if head else None


def delegation_candidates(unit: OrgUnit, on: date):
    """Who a head may lend rights to: the unit's own people and the leaders just below it."""
    working = Assignment.objects.active_on(on).filter(
        Q(unit=unit)
        | Q(
            unit__path__startswith=unit.path,
            unit__depth=unit.depth + 1,
            role__in=roles.LEADER_ROLES,
        )
    )
    return Person.objects.filter(is_active=True, assignments__in=working).distinct()
