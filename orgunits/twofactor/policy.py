"""Who must use a second factor, and what a logged-in user still has to do about it."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from orgunits.models import Role, RoleGrant

GATE_OPEN, GATE_VERIFY, GATE_SETUP = "open", "verify", "setup"


def requires_two_factor(user) -> bool:
    """The user holds one of the roles in TWO_FACTOR_REQUIRED_ROLES today."""
    roles = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    if not roles:
        return False
    if user.is_superuser and Role.SYSTEM_ADMIN in roles:
        return True
    grants = RoleGrant.objects.active_on(timezone.localdate()).filter(user=user)
    return grants.filter(role__in=roles).exists()


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def confirmed_devices(user) -> list:
    return list(devices_for_user(user))


def gate_for(user) -> str:
    """What an unverified user must do before any other page: nothing, enter a code, or set up."""
    if has_authenticator(user):
        return GATE_VERIFY
    return GATE_SETUP if requires_two_factor(user) else GATE_OPEN
