"""Creating and revoking machine accounts; only system administrators do either."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from kpi_portal import audit
from kpi_portal.api_models import ApiToken, hash_key
from orgunits import permissions as org_permissions
from orgunits import services as org_services
from orgunits.models import OrgUnit, Role, User

KEY_PREFIX = "kpi_"


def can_manage_tokens(user: User) -> bool:
    return org_permissions.is_system_admin(user)


@transaction.atomic
def token_create(*, by: User, name: str, unit: OrgUnit, scope: str) -> tuple[ApiToken, str]:
    """A service account whose only right is viewing `unit`'s subtree; returns the key once."""
    if not can_manage_tokens(by):
        raise PermissionDenied
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    account = User(username=f"api-{secrets.token_hex(6)}", first_name=name[:150], is_active=False)
    account.set_unusable_password()
    account.save()
    today = timezone.localdate()
    grant = org_services.role_grant(
        user=account, role=Role.ORG_DEPT_VIEWER, unit=unit, valid_from=today, by=by
    )
    token = ApiToken(
        name=name,
        prefix=key[: len(KEY_PREFIX) + 6],
        key_hash=hash_key(key),
        user=account,
        grant=grant,
        unit=unit,
        scope=scope,
        created_by=by,
    )
    token.full_clean()
    token.save()
    audit.record(
        by=by,
        action="api.token_create",
        obj=token,
        unit_path=unit.path,
        changes={"name": [None, name], "unit": [None, unit.pk], "scope": [None, scope]},
    )
    return token, key


@transaction.atomic
def token_revoke(*, by: User, token: ApiToken, reason: str = "") -> ApiToken:
    if not can_manage_tokens(by):
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by = timezone.now(), by
    token.save(update_fields=["revoked_at", "revoked_by"])
    if token.grant is not None and token.grant.valid_to is None:
        org_services.role_revoke(grant=token.grant, by=by, reason=reason)
    audit.record(
        by=by,
        action="api.token_revoke",
        obj=token,
        unit_path=token.unit.path,
        reason=reason,
        changes={"revoked_at": [None, token.revoked_at.isoformat()]},
    )
    return token
