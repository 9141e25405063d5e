"""Session and login controls that sit around every request: browser-close sessions, lockout."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from orgunits.models import Role, RoleGrant

ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECTOR_ADMIN)
_CHECKED_KEY = "_browser_session_checked_for"


def is_admin(user) -> bool:
    """The user may change configuration or rights somewhere in the province."""
    if user.is_superuser:
        return True
    grants = RoleGrant.objects.active_on(timezone.localdate()).filter(user=user)
    return grants.filter(role__in=ADMIN_ROLES).exists()


def apply_browser_session_policy(request, user) -> None:
    """Make an admin's session cookie die with the browser; runs once per login."""
    request.session[_CHECKED_KEY] = user.pk
    if is_admin(user):
        request.session.set_expiry(0)


class AdminBrowserSessionMiddleware:
    """Admins' session cookies die with the browser, on top of the inactivity timeout.

    The login signal (orgunits.twofactor) normally decides; this catches sessions it did not see.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and request.session.get(_CHECKED_KEY) != user.pk:
            apply_browser_session_policy(request, user)
        return self.get_response(request)


def client_ip(request) -> str:
    """The caller's address; behind TRUSTED_PROXY_COUNT proxies, the one they saw."""
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [address for address in forwarded if address]
    # Only the addresses appended by our own proxies can be trusted; a client may forge the rest.
    if hops and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """The Vietnamese page django-axes shows once a username and address are locked out."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": minutes}
    return render(request, "accounts/lockout.html", context, status=429)
