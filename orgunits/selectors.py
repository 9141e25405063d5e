"""Read-side helpers that gather what a page shows; no writes here."""

from datetime import date

from . import roles
from .models import Assignment, RoleGrant, User


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
