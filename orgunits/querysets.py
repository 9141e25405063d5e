"""Row scoping: which units and people a user may see, built on subtree path prefixes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from treebeard.mp_tree import MP_NodeManager, MP_NodeQuerySet

if TYPE_CHECKING:
    from .models import User

ALL = ("",)  # a single empty prefix matches every path


def today() -> date:
    return timezone.localdate()


def outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths not inside another of them, sorted: an OR list stays short, a sum counts once."""
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(parent) for parent in kept):
            kept.append(path)
    return tuple(kept)


def ancestor_paths(path: str, steplen: int = 4, include_self: bool = True) -> list[str]:
    """Materialized paths of a node's ancestors, root first."""
    end = len(path) + 1 if include_self else len(path)
    return [path[:i] for i in range(steplen, end, steplen)]


def prefix_q(paths: tuple[str, ...], field: str = "path") -> Q:
    if paths == ALL:
        return Q()
    if not paths:
        return Q(pk__in=[])
    query = Q()
    for path in paths:
        query |= Q(**{f"{field}__startswith": path})
    return query


def covers(paths: tuple[str, ...], path: str) -> bool:
    """The row-level twin of `prefix_q`: whether `path` lies in one of the subtrees."""
    return paths == ALL or any(path.startswith(root) for root in paths)


def scope_paths(user: User, on: date | None = None) -> tuple[str, ...]:
    """Subtree roots the user oversees on a date: ALL, some paths, or none."""
    from . import roles

    on = on or today()
    cache = user.__dict__.setdefault("_scope_cache", {})
    if on not in cache:
        cache[on] = _minimal_or_all(roles.scope_root_paths(user, on))
    return cache[on]


def _minimal_or_all(paths: set[str] | None) -> tuple[str, ...]:
    return ALL if paths is None else outermost(paths)


class OrgUnitQuerySet(MP_NodeQuerySet):
    def visible_to(self, user: User, on: date | None = None) -> OrgUnitQuerySet:
        """Units in the user's oversight subtrees, plus the units they work in."""
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, on)
        own = Q(pk__in=_own_unit_ids(user, on or today()))
        return self.filter(prefix_q(paths) | own) if paths != ALL else self

    def under(self, unit, include_self: bool = True) -> OrgUnitQuerySet:
        query = Q(path__startswith=unit.path)
        return self.filter(query) if include_self else self.filter(query).exclude(pk=unit.pk)

    def active_on(self, on: date) -> OrgUnitQuerySet:
        return self.filter(Q(active_to__isnull=True) | Q(active_to__gt=on), active_from__lte=on)


class OrgUnitManager(MP_NodeManager):
    def get_queryset(self) -> OrgUnitQuerySet:
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user: User, on: date | None = None) -> OrgUnitQuerySet:
        return self.get_queryset().visible_to(user, on)

    def under(self, unit, include_self: bool = True) -> OrgUnitQuerySet:
        return self.get_queryset().under(unit, include_self)

    def active_on(self, on: date) -> OrgUnitQuerySet:
        return self.get_queryset().active_on(on)


def _own_unit_ids(user: User, on: date) -> list[int]:
    from .models import Assignment

    return list(
        Assignment.objects.active_on(on).filter(person__user=user).values_list("unit_id", flat=True)
    )


class AssignmentQuerySet(models.QuerySet):
    def active_on(self, on: date) -> AssignmentQuerySet:
        return self.filter(Q(end__isnull=True) | Q(end__gte=on), start__lte=on)

    def overlapping(self, start: date, end: date | None) -> AssignmentQuerySet:
        query = Q(end__isnull=True) | Q(end__gte=start)
        if end is not None:
            query &= Q(start__lte=end)
        return self.filter(query)

    def in_subtree(self, paths: tuple[str, ...]) -> AssignmentQuerySet:
        return self.filter(prefix_q(paths, "unit__path"))


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user: User, on: date | None = None) -> PersonQuerySet:
        """People working (on the date) in the user's subtrees, and the user themself."""
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, on)
        if paths == ALL:
            return self
        from .models import Assignment

        in_scope = Assignment.objects.active_on(on or today()).in_subtree(paths)
        return self.filter(Q(user=user) | Exists(in_scope.filter(person=OuterRef("pk"))))

    def working_in(self, unit, on: date | None = None, subtree: bool = True) -> PersonQuerySet:
        from .models import Assignment

        assignments = Assignment.objects.active_on(on or today())
        assignments = (
            assignments.filter(unit__path__startswith=unit.path)
            if subtree
            else assignments.filter(unit=unit)
        )
        return self.filter(Exists(assignments.filter(person=OuterRef("pk"))))


class RoleGrantQuerySet(models.QuerySet):
    def active_on(self, on: date) -> RoleGrantQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)
