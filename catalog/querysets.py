"""Row scoping for catalogs: what applies to a unit, what a user may read and manage."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone

from orgunits import roles
from orgunits.models import Assignment, OrgUnit, Role, RoleGrant
from orgunits.querysets import ALL, ancestor_paths, prefix_q, scope_paths

if TYPE_CHECKING:
    from orgunits.models import User


@dataclass(frozen=True)
class Reach:
    """Where a user's catalog rights run: everything, or unit subtrees and sectors."""

    everything: bool
    unit_paths: tuple[str, ...] = ()
    sector_ids: frozenset[int] = frozenset()


def manage_reach(user: User, on: date | None = None) -> Reach:
    """Sector admins manage catalogs owned by units of their subtrees, and of a sector they name."""
    on = on or timezone.localdate()
    if not user.is_authenticated:
        return Reach(everything=False)
    if roles.is_system_admin(user, on):
        return Reach(everything=True)
    grants = RoleGrant.objects.active_on(on).filter(user=user, role=Role.SECTOR_ADMIN)
    paths = tuple(grants.values_list("unit__path", flat=True))
    sectors = frozenset(grants.exclude(sector=None).values_list("sector_id", flat=True))
    return Reach(everything=False, unit_paths=paths, sector_ids=sectors)


def read_reach(user: User, on: date | None = None) -> tuple[Reach, tuple[str, ...]]:
    """What a user may read: their oversight subtrees, and what applies where they work.

    Returns the reach over owned rows and, separately, the ancestor paths whose catalogs apply
    to the units the user works in or oversees.
    """
    on = on or timezone.localdate()
    if not user.is_authenticated:
        return Reach(everything=False), ()
    paths = scope_paths(user, on)
    if paths == ALL:
        return Reach(everything=True), ()
    own = list(
        Assignment.objects.active_on(on)
        .filter(person__user=user)
        .values_list("unit__path", flat=True)
    )
    anchors = set(own) | set(paths)
    above = sorted({p for anchor in anchors for p in ancestor_paths(anchor)})
    sectors = set(
        OrgUnit.objects.filter(prefix_q(paths, "path") | Q(path__in=own))
        .exclude(sector=None)
        .values_list("sector_id", flat=True)
        .distinct()
    )
    sectors |= manage_reach(user, on).sector_ids
    reach = Reach(everything=False, unit_paths=tuple(paths), sector_ids=frozenset(sectors))
    return reach, tuple(above)


class OwnedQuerySet(models.QuerySet):
    """Shared by every model owned by a unit or a sector."""

    def applicable_to(self, unit: OrgUnit) -> OwnedQuerySet:
        """Owned by the unit or one above it, or by the unit's sector."""
        query = Q(owner_unit__path__in=ancestor_paths(unit.path))
        if unit.sector_id:
            query |= Q(owner_sector_id=unit.sector_id)
        return self.filter(query)

    def manageable_by(self, user: User, on: date | None = None) -> OwnedQuerySet:
        reach = manage_reach(user, on)
        if reach.everything:
            return self
        return self.filter(
            prefix_q(reach.unit_paths, "owner_unit__path") | Q(owner_sector_id__in=reach.sector_ids)
        )

    def visible_to(self, user: User, on: date | None = None) -> OwnedQuerySet:
        reach, above = read_reach(user, on)
        if reach.everything:
            return self
        return self.filter(
            prefix_q(reach.unit_paths, "owner_unit__path")
            | Q(owner_unit__path__in=above)
            | Q(owner_sector_id__in=reach.sector_ids)
        )

    def owned_by(self, owner) -> OwnedQuerySet:
        if isinstance(owner, OrgUnit):
            return self.filter(owner_unit=owner)
        return self.filter(owner_sector=owner)


class ProductQuerySet(OwnedQuerySet):
    def active_on(self, on: date) -> ProductQuerySet:
        return self.filter(Q(active_to__isnull=True) | Q(active_to__gte=on), active_from__lte=on)

    def for_position_group(self, group) -> ProductQuerySet:
        """Products open to every group, or to this one."""
        return self.filter(Q(position_groups=None) | Q(position_groups=group)).distinct()

    def usable_by(self, unit: OrgUnit, on: date, group=None) -> ProductQuerySet:
        """What someone of `group` working in `unit` may log on a date."""
        products = self.applicable_to(unit).active_on(on)
        return products.for_position_group(group) if group is not None else products


class ConversionTableQuerySet(OwnedQuerySet):
    pass


class CriteriaSetQuerySet(OwnedQuerySet):
    pass


class QuotaQuerySet(models.QuerySet):
    def active_on(self, on: date) -> QuotaQuerySet:
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)

    def overlapping(self, start: date, end: date | None) -> QuotaQuerySet:
        query = Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        if end is not None:
            query &= Q(valid_from__lte=end)
        return self.filter(query)

    def nearest_per_group(
        self, places: Iterable[tuple[OrgUnit, date]]
    ) -> dict[tuple[OrgUnit, date], dict[int, Decimal]]:
        """Per (unit, date), the monthly quota in force of each group id, read in one query.

        The quota set by the nearest unit at or above the unit wins; at that unit, the one with
        the latest `valid_from`. Narrow the queryset first (by group, say) to read fewer rows.
        """
        owners = {place: ancestor_paths(place[0].path) for place in places}
        if not owners:
            return {}
        days = [on for _unit, on in owners]
        rows = defaultdict(list)
        for row in (
            self.overlapping(min(days), max(days))
            .filter(unit__path__in={path for paths in owners.values() for path in paths})
            .order_by()  # sorted below; Meta's ordering would join the group table for nothing
            .values_list("unit__path", "valid_from", "valid_to", "group_id", "per_month")
        ):
            rows[row[0]].append(row[1:])
        nearest = {}
        for (unit, on), paths in owners.items():
            in_force = sorted(
                (depth, valid_from, group_id, per_month)
                for depth, path in enumerate(paths)  # root first
                for valid_from, valid_to, group_id, per_month in rows[path]
                if valid_from <= on and (valid_to is None or valid_to >= on)
            )
            # Nearest and latest sort last, so they overwrite the others of their group.
            nearest[(unit, on)] = {group_id: per_month for *_, group_id, per_month in in_force}
        return nearest

    def per_group_for(self, unit: OrgUnit, on: date) -> dict[int, Decimal]:
        """`nearest_per_group` of one unit and date: the whole quota table of a unit."""
        return self.nearest_per_group([(unit, on)])[(unit, on)]

    def manageable_by(self, user: User, on: date | None = None) -> QuotaQuerySet:
        reach = manage_reach(user, on)
        return self if reach.everything else self.filter(prefix_q(reach.unit_paths, "unit__path"))

    def visible_to(self, user: User, on: date | None = None) -> QuotaQuerySet:
        reach, above = read_reach(user, on)
        if reach.everything:
            return self
        return self.filter(prefix_q(reach.unit_paths, "unit__path") | Q(unit__path__in=above))
