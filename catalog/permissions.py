"""What a user may do with catalogs and criteria sets; `None` means "anywhere, in general"."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from orgunits.models import OrgUnit, Sector, User
from orgunits.permissions import can_manage_unit

from .models import OwnedByUnitOrSector, Quota
from .querysets import manage_reach


def can_read_catalog(user: User) -> bool:
    """Everyone signed in reads the catalogs and criteria that apply to them."""
    return user.is_authenticated


def can_manage_catalogs(user: User, on: date | None = None) -> bool:
    """Sector admins and system admins configure catalogs, quotas and criteria somewhere."""
    return can_manage_unit(user, None, on)


def can_manage_owner(
    user: User,
    unit: OrgUnit | None = None,
    sector: Sector | None = None,
    on: date | None = None,
) -> bool:
    """Sector admins manage what units of their subtree own, and what a sector they name owns."""
    if not user.is_authenticated:
        return False
    if unit is not None:
        return can_manage_unit(user, unit, on)
    if sector is not None:
        reach = manage_reach(user, on or timezone.localdate())
        return reach.everything or sector.pk in reach.sector_ids
    return can_manage_catalogs(user, on)


def can_manage_owned(user: User, owned: OwnedByUnitOrSector, on: date | None = None) -> bool:
    return can_manage_owner(user, owned.owner_unit, owned.owner_sector, on)


def can_manage_quota(user: User, quota: Quota | None = None, on: date | None = None) -> bool:
    if quota is None:
        return can_manage_catalogs(user, on)
    return can_manage_unit(user, quota.unit, on)
