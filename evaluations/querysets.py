"""Which periods, plans and entries a user sees or reviews; built on orgunits' scoping."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone

from orgunits import roles
from orgunits.models import AssignmentRole, Person
from orgunits.querysets import ALL, prefix_q, scope_paths

LEADER_ROLES_BY_RANK = {
    2: [AssignmentRole.HEAD],
    1: [AssignmentRole.HEAD, AssignmentRole.DEPUTY],
}


def _on(on: date | None) -> date:
    return on or timezone.localdate()


def review_q(user, on: date | None = None, unit_field: str = "unit") -> Q:
    """Rows whose author the user reviews: see `orgunits.roles.approval_scopes`."""
    query = Q(pk__in=[])
    for path, own_rank, _acting in roles.approval_scopes(user, _on(on)):
        same_unit_peers = Q(**{f"{unit_field}__path": path}) & Q(
            author_role__in=LEADER_ROLES_BY_RANK.get(own_rank, [])
        )
        query |= Q(**{f"{unit_field}__path__startswith": path}) & ~same_unit_peers
    # A subquery rather than a join to person: the review queue's narrow step reads no other table.
    return query & ~Q(person_id__in=Person.objects.filter(user=user).values("pk"))


class PeriodQuerySet(models.QuerySet):
    def for_bloc(self, bloc: str) -> PeriodQuerySet:
        """Periods of a bloc, falling back to the province-wide ones (blank bloc)."""
        return self.filter(bloc__in=[bloc, ""])

    def containing(self, on: date) -> PeriodQuerySet:
        return self.filter(start__lte=on, end__gte=on)


class PlanItemQuerySet(models.QuerySet):
    def visible_to(self, user, on: date | None = None) -> PlanItemQuerySet:
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, on)
        if paths == ALL:
            return self
        from orgunits.models import Assignment

        in_scope = Assignment.objects.in_subtree(paths).values("person_id")
        return self.filter(Q(person__user=user) | Q(person_id__in=in_scope))


class WorkEntryQuerySet(models.QuerySet):
    def visible_to(self, user, on: date | None = None) -> WorkEntryQuerySet:
        """Own entries, and entries logged in the units the user oversees."""
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, on)
        if paths == ALL:
            return self
        return self.filter(Q(person__user=user) | prefix_q(paths, "unit__path"))

    def review_queue(self, user, on: date | None = None) -> WorkEntryQuerySet:
        from .models import EntryStatus

        return self.filter(review_q(user, on), status=EntryStatus.SUBMITTED)


class EvaluationQuerySet(models.QuerySet):
    def visible_to(self, user, on: date | None = None) -> EvaluationQuerySet:
        """Own evaluations, and those of people in the units the user oversees."""
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, on)
        if paths == ALL:
            return self
        return self.filter(Q(person__user=user) | prefix_q(paths, "unit__path"))


class ResultQuerySet(models.QuerySet):
    def visible_to(self, user, on: date | None = None) -> ResultQuerySet:
        """Own quarter or year results, and those of people in the units the user oversees."""
        if not user.is_authenticated:
            return self.none()
        paths = scope_paths(user, on)
        if paths == ALL:
            return self
        return self.filter(Q(person__user=user) | prefix_q(paths, "unit__path"))
