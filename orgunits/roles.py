"""Where rights come from: explicit grants, leader assignments, delegations, guardian."""

from __future__ import annotations

import copy
import functools
from contextvars import ContextVar
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_save

from .models import Assignment, AssignmentRole, Delegation, OrgUnit, Role, RoleGrant, User
from .querysets import ancestor_paths

LEADER_ROLES = (AssignmentRole.HEAD, AssignmentRole.DEPUTY)

# The navigation, the view and its permission checks ask the same questions about the same user
# many times in one page (45 queries on the log screen). During a GET or HEAD request the answers
# are kept here: such requests change no rights, and should one save a grant, an assignment, a
# delegation, a unit or a guardian permission anyway, the answers are dropped. Other requests, and
# code outside requests (tests, tasks, commands), always ask the database.
_answers: ContextVar[dict | None] = ContextVar("orgunits_roles_answers", default=None)


def _request_started(sender, environ=None, scope=None, **kwargs) -> None:
    method = (environ or {}).get("REQUEST_METHOD") or (scope or {}).get("method")
    _answers.set({} if method in ("GET", "HEAD") else None)


def _request_finished(sender, **kwargs) -> None:
    _answers.set(None)


request_started.connect(_request_started, dispatch_uid="orgunits.roles.request_started")
request_finished.connect(_request_finished, dispatch_uid="orgunits.roles.request_finished")


def _rights_changed(sender, **kwargs) -> None:
    answers = _answers.get()
    if answers:
        answers.clear()


for _model in (RoleGrant, Assignment, Delegation, OrgUnit, "guardian.UserObjectPermission"):
    for _signal in (post_save, post_delete):
        _signal.connect(_rights_changed, sender=_model, dispatch_uid=f"orgunits.roles.{_model}")


def per_request(func):
    """Answer once per user and arguments during a GET request; otherwise ask every time."""

    @functools.wraps(func)
    def answer(user: User, *args, **kwargs):
        answers = _answers.get()
        if answers is None:
            return func(user, *args, **kwargs)
        key = (func.__qualname__, user.pk, args, tuple(sorted(kwargs.items())))
        if key not in answers:
            answers[key] = func(user, *args, **kwargs)
        return copy.copy(answers[key])  # a caller may change the set or list it gets

    return answer


def is_system_admin(user: User, on: date) -> bool:
    if user.is_superuser:
        return True
    return any(role == Role.SYSTEM_ADMIN for role, _path in _grant_rows(user, on))


def _grants(user: User, on: date):
    return RoleGrant.objects.active_on(on).filter(user=user)


@per_request
def _grant_rows(user: User, on: date) -> list[tuple[str, str | None]]:
    """(role, unit path) of the user's grants live on the date: one query for every grant check."""
    return list(_grants(user, on).values_list("role", "unit__path"))


def _active_delegations(user: User, on: date):
    return Delegation.objects.filter(
        delegate__user=user, revoked_at__isnull=True, valid_from__lte=on, valid_to__gte=on
    )


def granted_paths(user: User, on: date, roles: tuple[str, ...]) -> set[str]:
    return {path for role, path in _grant_rows(user, on) if role in roles}


def leader_paths(user: User, on: date) -> set[str]:
    """Units the user leads by assignment, plus those lent to them by a live delegation."""
    return {path for path, _rank, _acting_for in approval_scopes(user, on)}


@per_request
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
    paths = [path for granted, path in _grant_rows(user, on) if granted == role]
    if unit is None:
        return bool(paths)
    covering = ancestor_paths(unit.path, OrgUnit.steplen)
    return any(path in covering for path in paths)


RANK = {AssignmentRole.HEAD: 2, AssignmentRole.DEPUTY: 1}


def rank(role: str) -> int:
    return RANK.get(role, 0)


@per_request
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
