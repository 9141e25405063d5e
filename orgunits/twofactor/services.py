"""Turning a second factor on and off; each change writes an audit event."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kpi_portal import audit

RECOVERY_CODE_COUNT = 10


def totp_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed authenticator being set up, created with a fresh secret if none exists."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="default", confirmed=False)


@transaction.atomic
def two_factor_enable(*, user, device: TOTPDevice, by) -> list[str]:
    """Confirm the authenticator, drop any older one and return fresh recovery codes."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.full_clean()
    device.save()
    codes = _replace_recovery_codes(user)
    audit.record(by=by, action="two_factor.enable", obj=user)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user, by) -> list[str]:
    """Invalidate every unused recovery code and return ten new ones."""
    codes = _replace_recovery_codes(user)
    audit.record(by=by, action="two_factor.recovery_codes", obj=user)
    return codes


@transaction.atomic
def two_factor_disable(*, user, by) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(by=by, action="two_factor.disable", obj=user)


def _replace_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes
