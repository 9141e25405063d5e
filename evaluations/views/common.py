"""Fetching helpers shared by the evaluations screens: 404 outside scope, 403 inside."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from orgunits import roles
from orgunits.models import Assignment, OrgUnit, Person, User

from .. import permissions, services
from ..models import Period, PlanItem, WorkEntry
from ..querysets import LEADER_ROLES_BY_RANK


def get_entry_for_user(user, pk: int) -> WorkEntry:
    entries = WorkEntry.objects.visible_to(user).select_related(
        "period",
        "person__user",
        "unit",
        "product",
        "plan_item",
        "reviewer",
        "reviewed_on_behalf_of",
        "exempt_confirmed_by",
    )
    return get_object_or_404(entries, pk=pk)


def get_plan_item_for_user(user, pk: int) -> PlanItem:
    items = PlanItem.objects.visible_to(user).select_related("period", "person", "product")
    return get_object_or_404(items, pk=pk)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def worker_of(user) -> Person:
    """The person behind the account, if they work somewhere today; otherwise 403."""
    require(permissions.can_log_work(user))
    return user.person


def current_period(person: Person) -> Period:
    today = timezone.localdate()
    unit = services.placement_of(person, today).unit
    return services.period_for_work(bloc=unit.bloc, completed_on=today)


def add_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the fields they name, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else default


def done(request, url: str):
    """After a POST: a full redirect, or for HTMX a client-side one (no fragment in a fragment)."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def plannable_assignments(user, on):
    """Primary assignments of the people the user approves for, per `roles.scope_covers`."""
    query = Q(pk__in=[])
    for path, own_rank, _acting in roles.approval_scopes(user, on):
        peers = Q(unit__path=path, role__in=LEADER_ROLES_BY_RANK.get(own_rank, []))
        query |= Q(unit__path__startswith=path) & ~peers
    return (
        Assignment.objects.active_on(on).filter(query, is_primary=True).exclude(person__user=user)
    )


def scope_units(user, on):
    """Units below the user's approval scopes, for filters and target pickers."""
    query = Q(pk__in=[])
    for path, _rank, _acting in roles.approval_scopes(user, on):
        query |= Q(path__startswith=path)
    return OrgUnit.objects.filter(query).only("id", "path", "depth", "name")


def acting_head(user, entry: WorkEntry) -> User | None:
    """The head a delegate reviews this entry for; None when reviewing in own right."""
    for scope in roles.approval_scopes(user, timezone.localdate()):
        if roles.scope_covers(scope, entry.unit.path, entry.author_role):
            return User.objects.filter(username=scope[2]).first() if scope[2] else None
    return None
